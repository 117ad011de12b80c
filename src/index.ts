// Public API of webgpu-mlp: models, training, data, the device layer and the kernels' op table,
// browser-safe. Node-only helpers (model files, checkpoints, MNIST, CSV files) are in src/node.ts,
// the `webgpu-mlp/node` entry point.

export { acquireGpu, describeAdapter, GpuUnavailableError, GpuDeviceError, type Gpu, type AdapterReport } from './device/gpu.js';
// Model with fit / trainer / evaluate / predict installed (train/model-methods.ts).
export { Model, type TrainOptions, type TrainerOptions, type DataOptions, type EvaluateResult } from './train/model-methods.js';
export { Trainer, type ChunkOptions, type ChunkResult, type SessionState } from './train/trainer.js';
export type { FitResult } from './train/fit.js';
export { sweep, openSweep, type OpenSweep, type SweepOptions, type SweepResult, type TrialResult } from './train/sweep/sweep.js';
export type { SweepGrid, SweepRandom } from './train/sweep/trials.js';
export type { ConfigSummary, SweepMetric } from './train/sweep/summary.js';
export type { BatchProgress, BatchOutcome, BatchSession, ModelStatus } from './train/sweep/batch-session.js';
export { Ensemble, type EnsembleScore } from './train/sweep/ensemble.js';
export type { ModelSpec, HiddenLayerSpec, Task, InitName } from './model/spec.js';
export { encodeModel, decodeModel } from './model/persist.js';
export { classify, type Classified } from './model/classify.js';
export { predictTable, type TablePrediction } from './train/predict-table.js';
export type { FitOptions, SessionOptions, EpochLogs, StepLogs, DiagnosticsLogs, ScheduleSpec, OptimizerSpec, EarlyStoppingSpec } from './train/options.js';
export { createBackend, releaseSharedGpu, sharedGpu, type BackendName } from './backend/select.js';
export type { Backend } from './backend/backend.js';
export { CpuBackend } from './backend/cpu-backend.js';
export { GpuBackend } from './backend/gpu-backend.js';
export * from './data/index.js';
export { ACTIVATIONS, LOSSES, OPTIMIZERS, type ActivationName, type LossName, type OptimizerName } from './ops/names.js';
export { InputError, ShapeError, NonFiniteLossError } from './util/errors.js';
export { KernelContext } from './kernels/context.js';
export { WgslCompileError } from './kernels/compile-error.js';
export { prepareKernel } from './kernels/index.js';
export { runReference } from './reference/index.js';
export * from './export/index.js'; // ONNX / PyTorch export and import, browser-safe
