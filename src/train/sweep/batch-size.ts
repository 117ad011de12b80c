// Whether a model batch fits the device before anything is allocated: each per-model tensor holds
// every model's copy in one binding, so the largest (the flat weights, or a layer's activations at
// the training or evaluation batch) times the model count must fit the device's binding limit.

import { EVAL_BATCH } from '../batches.js';
import type { Model } from '../../model/model.js';
import { InputError } from '../../util/errors.js';

/** Floats of one model's largest per-model tensor for these batch sizes. */
function largestPerModelFloats(model: Model, trainRows: number, evalRows: number): number {
  const { spec } = model;
  const widest = Math.max(spec.inputSize, spec.outputSize, ...spec.hidden.map((h) => h.units));
  return Math.max(model.layout.total, Math.max(trainRows, evalRows) * widest);
}

/** Throws an InputError naming the model count and the most models that fit, when the batch exceeds `maxBytes` per binding. */
export function checkBatchFits(model: Model, models: number, batchSize: number, trainRows: number, validationRows: number, maxBytes: number): void {
  if (!Number.isFinite(maxBytes)) return;
  const floats = largestPerModelFloats(model, Math.min(batchSize, trainRows), Math.min(EVAL_BATCH, validationRows));
  const fit = Math.floor(maxBytes / (floats * 4));
  if (models <= fit) return;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  throw new InputError('models', `${models} models`, `at most ${fit} of this size on this device: each needs ${mib(floats * 4)} in its largest tensor (weights, or one layer's activations for a batch), and one binding holds ${mib(maxBytes)} for all models (fewer seeds or values, a smaller --batch-size, or several sweeps)`);
}
