// A model batch: N models of the same layer shapes trained together, one dispatch per op for all
// of them. What may differ per model: activations and their alpha, dropout rates and seeds, and
// the optimizer's hyperparameters (not its kind); the graph carries those as `perModel` values.

import type { Activation, PerModel } from '../ops/args.js';
import type { ModelSpec } from '../types/model-spec.js';
import type { OptimizerSpec } from '../types/optimizer-spec.js';

export interface ModelBatch {
  /** One spec per model: same widths, layer norms, residuals, task and loss. */
  readonly specs: readonly ModelSpec[];
  /** One optimizer per model: the same kind, any learning rate and hyperparameters. */
  readonly optimizers: readonly OptimizerSpec[];
  /** Gradient clipping per model (undefined: none). */
  readonly clipNorms: readonly (number | undefined)[];
  /** Dropout seed per model (a lone model's is its session seed). */
  readonly dropoutSeeds: readonly number[];
  /** Each model reads the training rows in its own order (else every model shares one). */
  readonly perModelOrder: boolean;
}

/** Models in a batch (1 without one). */
export function modelCount(batch: ModelBatch | undefined): number {
  return batch?.specs.length ?? 1;
}

/** The list when the models' values differ, else undefined (the op's own value serves all). */
export function ifDiffer<V>(values: readonly V[], same: (a: V, b: V) => boolean = (a, b) => a === b): readonly V[] | undefined {
  return values.every((v) => same(v, values[0])) ? undefined : values;
}

const sameActivation = (a: Activation, b: Activation) => a.name === b.name && a.alpha === b.alpha;

/** Hidden layer i's activation per model, when the models differ there. */
export function layerActivations(batch: ModelBatch | undefined, layer: number): PerModel<{ activation: Activation }> | undefined {
  if (!batch) return undefined;
  const list = ifDiffer(batch.specs.map((s): Activation => ({ name: s.hidden[layer].activation, alpha: s.hidden[layer].alpha })), sameActivation);
  return list ? { activation: list } : undefined;
}

/** Hidden layer i's dropout rate in any model of the batch (the node exists when one drops). */
export function layerDropout(spec: ModelSpec, batch: ModelBatch | undefined, layer: number): number {
  if (!batch) return spec.hidden[layer].dropout ?? 0;
  return Math.max(...batch.specs.map((s) => s.hidden[layer].dropout ?? 0));
}
