// The user-facing model: a validated spec, its parameters (host copy), and the data pipeline
// (table encoding, the input/target normalization fitted on its training split). It knows nothing
// of training: fit, trainer, evaluate and predict are added by train/model-methods.ts, which the
// package entry points import, and write the weights back here after each call or chunk.

import type { Dataset } from '../data/dataset.js';
import { oneHot, validateDataset } from '../data/dataset.js';
import { applyNormalizer, applyTargetScaler, invertTargetScaler, type Normalizer, type TargetScaler } from '../data/normalize.js';
import type { TablePipeline } from '../data/table/types.js';
import { ParamLayout } from '../graph/params.js';
import { paramLayoutFor } from '../graph/model-graph.js';
import type { ProgramContext } from '../graph/programs.js';
import { InputError } from '../util/errors.js';
import { initialParams } from './init.js';
import type { ModelSpec } from './spec.js';
import { validateSpec } from './validate-spec.js';

export class Model {
  readonly spec: ReturnType<typeof validateSpec>;
  readonly layout: ParamLayout;
  params: Float32Array;
  normalizer?: Normalizer;
  targetScaler?: TargetScaler;
  /** How table columns become inputs (CSV/table data); taken from the training data, saved with the model. */
  pipeline?: TablePipeline;
  /** The settings of the last fit or training session, saved with the model. */
  training?: Record<string, unknown>;

  constructor(spec: ModelSpec, options: { seed?: number; params?: Float32Array } = {}) {
    this.spec = validateSpec(spec);
    this.layout = paramLayoutFor(this.spec);
    this.params = options.params ?? initialParams(this.spec, this.layout, options.seed ?? 0);
    if (this.params.length !== this.layout.total) throw new InputError('params', `${this.params.length} values`, `${this.layout.total} values for this architecture`);
  }

  /** Width of the targets the loss sees: class index (1), one-hot (classes) or regression outputs. */
  get targetWidth(): number {
    if (this.spec.task === 'multiclass') return this.spec.loss === 'softmax_ce_dense' ? this.spec.outputSize : 1;
    return this.spec.outputSize;
  }

  programContext(dropoutSeed = 0): ProgramContext {
    return {
      spec: this.spec,
      loss: this.spec.loss,
      huberDelta: this.spec.huberDelta,
      layout: this.layout,
      dropoutSeed,
      targetWidth: this.targetWidth,
      classification: this.spec.task !== 'regression',
    };
  }

  /** Checks a dataset against the architecture; throws InputError naming what disagrees (under `field.` when given). */
  checkData(data: Dataset, field?: string): void {
    validateDataset(data, { features: this.spec.inputSize, classes: this.spec.task === 'multiclass' ? this.spec.outputSize : undefined }, field);
    const at = `${field ?? 'data'}.`;
    if (data.task !== this.spec.task) throw new InputError(`${at}task`, data.task, `${this.spec.task} (the model's task)`);
    if (data.pipeline && this.pipeline && data.pipeline !== this.pipeline && JSON.stringify(data.pipeline) !== JSON.stringify(this.pipeline)) {
      throw new InputError(`${at}pipeline`, 'a different table pipeline', "data encoded with the model's own (encodeTable(model.pipeline, table, ...))");
    }
    if (this.spec.task === 'regression' && data.targetWidth !== this.spec.outputSize) {
      throw new InputError(`${at}targetWidth`, data.targetWidth, `${this.spec.outputSize} (the model's outputSize)`);
    }
  }

  /** Inputs normalized and targets in the loss's form (one-hot, z-scored) for the backend. */
  prepare(data: Dataset): Dataset {
    const x = this.normalizer ? applyNormalizer(this.normalizer, data.x) : data.x;
    return { ...data, x, y: this.prepareTargets(data), targetWidth: this.targetWidth };
  }

  /** Targets in the loss's form: one-hot for softmax_ce_dense, z-scored for regression. */
  prepareTargets(data: Dataset): Float32Array {
    if (this.spec.task === 'multiclass' && this.spec.loss === 'softmax_ce_dense' && data.targetWidth === 1) return oneHot(data.y, this.spec.outputSize);
    if (this.spec.task === 'regression' && this.targetScaler) return applyTargetScaler(this.targetScaler, data.y);
    return data.y;
  }

  /** Checks raw features (before any GPU work) and normalizes them as in training. */
  predictInput(x: Float32Array): Float32Array {
    const features = this.spec.inputSize;
    if (!(x instanceof Float32Array)) throw new InputError('x', x, `a Float32Array of rows x ${features} values`);
    if (x.length === 0 || x.length % features !== 0) throw new InputError('x', `${x.length} values`, `a non-empty multiple of ${features} (rows x inputSize)`);
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new InputError(`x[row ${Math.floor(i / features)}, column ${i % features}]`, x[i], 'a finite number');
    return this.normalizer ? applyNormalizer(this.normalizer, x) : x;
  }

  /** Network outputs -> what predict returns: P(class 1) for binary, target units for regression. */
  predictOutput(out: Float32Array): Float32Array {
    if (this.spec.task === 'binary') for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
    if (this.spec.task === 'regression' && this.targetScaler) return invertTargetScaler(this.targetScaler, out);
    return out;
  }
}
