// Portable models: ONNX export (and reading back an ONNX file we exported), PyTorch safetensors +
// model.py export, and import of a PyTorch-trained MLP. Browser-safe; the CLI commands that write
// files live in src/cli/export-commands.ts.

export { exportOnnx, ONNX_INPUT, ONNX_META, ONNX_OPSETS, type OnnxExportOptions, type OnnxOpset, type OnnxOutput } from './onnx-export.js';
export type { ExportNames } from './metadata.js';
export { exportTorch, TORCH_META_KEY, TORCH_SCRIPT_FILE, TORCH_WEIGHTS_FILE, type TorchInfo } from './torch-export.js';
export { importTorch, type TorchImportOptions, type TorchImportSpec } from './torch-import.js';
export { modelFromOnnx, readOnnx, type OnnxReadBack } from './onnx-import.js';
