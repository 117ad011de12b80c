// exportTorch: a Model as the files of a PyTorch project: model.safetensors with nn.Sequential's
// state_dict names and orientation (Linear weights [out, in]) plus our preprocessing in its
// metadata, and the generated model.py that rebuilds the network. Browser-safe: returns bytes/text.

import { encodeSafetensors, type TensorMap } from '../io/safetensors.js';
import type { Model } from '../model/model.js';
import { LIBRARY_VERSION } from '../util/version.js';
import { exportNames, type ExportNames } from './metadata.js';
import { imputeValues } from './table-pipeline.js';
import { modelPy } from './torch-model-py.js';
import { torchParams, transpose2d } from './torch-layout.js';

export const TORCH_WEIGHTS_FILE = 'model.safetensors';
export const TORCH_SCRIPT_FILE = 'model.py';
/** The safetensors metadata key holding TorchInfo as JSON. */
export const TORCH_META_KEY = 'webgpu_mlp';

/** What model.py and importTorch read from the metadata besides the weights. */
export interface TorchInfo {
  version: string;
  spec: Model['spec'];
  normalization: Model['normalizer'] | null;
  targetScaler: Model['targetScaler'] | null;
  featureNames?: string[];
  classNames?: string[];
  /** Per input, the value a NaN (missing cell) becomes, when the model has a table pipeline. */
  inputImpute?: number[];
  pipeline?: unknown;
}

export function exportTorch(model: Model, names: ExportNames = {}): Record<string, Uint8Array | string> {
  const checked = exportNames(model, names);
  const tensors: TensorMap = {};
  for (const p of torchParams(model.spec)) {
    const e = model.layout.entry(p.ours);
    const data = model.params.slice(e.offset, e.offset + e.size);
    tensors[p.torch] = { shape: p.shape, data: p.transpose ? transpose2d(data, e.shape[0], e.shape[1]) : data };
  }
  const info: TorchInfo = {
    version: LIBRARY_VERSION,
    spec: model.spec,
    normalization: model.normalizer && model.normalizer.kind !== 'none' ? model.normalizer : null,
    targetScaler: model.targetScaler ?? null,
    ...checked,
  };
  const pipeline = model.pipeline;
  if (pipeline) Object.assign(info, { inputImpute: imputeValues(pipeline), pipeline });
  return {
    [TORCH_WEIGHTS_FILE]: encodeSafetensors(tensors, { format: 'pt', [TORCH_META_KEY]: JSON.stringify(info) }),
    [TORCH_SCRIPT_FILE]: modelPy(model.spec),
  };
}
