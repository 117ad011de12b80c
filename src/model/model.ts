// The user-facing model: a validated spec, its parameters (host copy), and the input/target
// normalization fitted on its training split. fit/evaluate/predict bind a backend for the call;
// the weights come back to the host after each call so they survive any backend failure.

import type { Backend } from '../backend/backend.js';
import { createBackend, type BackendName } from '../backend/select.js';
import type { Dataset } from '../data/dataset.js';
import { oneHot, validateDataset } from '../data/dataset.js';
import { applyNormalizer, applyTargetScaler, fitNormalizer, fitTargetScaler, invertTargetScaler, type Normalizer, type NormalizerKind, type TargetScaler } from '../data/normalize.js';
import { splitDataset } from '../data/split.js';
import { ParamLayout } from '../graph/params.js';
import { paramLayoutFor } from '../graph/model-graph.js';
import { predictProgram, STAT, type ProgramContext } from '../graph/programs.js';
import { SCALAR, SCALARS_LENGTH } from '../ops/args.js';
import { InputError } from '../util/errors.js';
import type { FitOptions } from '../train/options.js';
import { validateFitOptions } from '../train/validate-options.js';
import { addEvalPrograms, fitLoop, runEval, type FitResult, EVAL_BATCH } from '../train/fit-loop.js';
import { initialParams } from './init.js';
import type { ModelSpec } from './spec.js';
import { validateSpec } from './validate-spec.js';

export interface TrainOptions extends FitOptions {
  /** 'webgpu' (default), 'cpu', or a backend instance. */
  backend?: BackendName | Backend;
  validationData?: Dataset;
  /** Input normalization fitted on the training split (default zscore). */
  normalize?: NormalizerKind;
}

export interface EvaluateResult {
  loss: number;
  accuracy?: number;
  mse?: number;
  mae?: number;
  rows: number;
}

export class Model {
  readonly spec: ReturnType<typeof validateSpec>;
  readonly layout: ParamLayout;
  params: Float32Array;
  normalizer?: Normalizer;
  targetScaler?: TargetScaler;
  /** The settings of the last fit, saved with the model. */
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

  /** Checks a dataset against the architecture; throws InputError naming what disagrees. */
  checkData(data: Dataset, field = 'data'): void {
    validateDataset(data, { features: this.spec.inputSize, classes: this.spec.task === 'multiclass' ? this.spec.outputSize : undefined });
    if (data.task !== this.spec.task) throw new InputError(`${field}.task`, data.task, `${this.spec.task} (the model's task)`);
    if (this.spec.task === 'regression' && data.targetWidth !== this.spec.outputSize) {
      throw new InputError(`${field}.targetWidth`, data.targetWidth, `${this.spec.outputSize} (the model's outputSize)`);
    }
  }

  /** Inputs normalized and targets in the loss's form (one-hot, z-scored) for the backend. */
  prepare(data: Dataset): Dataset {
    const x = this.normalizer ? applyNormalizer(this.normalizer, data.x) : data.x;
    let y = data.y;
    if (this.spec.task === 'multiclass' && this.spec.loss === 'softmax_ce_dense' && data.targetWidth === 1) y = oneHot(data.y, this.spec.outputSize);
    else if (this.spec.task === 'regression' && this.targetScaler) y = applyTargetScaler(this.targetScaler, data.y);
    return { ...data, x, y, targetWidth: this.targetWidth };
  }

  private async backendFor(choice: TrainOptions['backend']): Promise<{ backend: Backend; owned: boolean }> {
    if (choice && typeof choice === 'object') return { backend: choice, owned: false };
    return { backend: await createBackend(choice ?? 'webgpu'), owned: true };
  }

  async fit(data: Dataset, options: TrainOptions): Promise<FitResult> {
    validateFitOptions(options);
    this.checkData(data);
    let train = data;
    let validation = options.validationData;
    if (validation) this.checkData(validation, 'validationData');
    else if (options.validationSplit && options.validationSplit > 0) {
      const parts = splitDataset(data, { validation: options.validationSplit }, options.seed ?? 0);
      train = parts.train;
      validation = parts.validation;
    }
    if (!this.normalizer) this.normalizer = fitNormalizer(train.x, train.rows, train.features, options.normalize ?? 'zscore');
    if (this.spec.task === 'regression' && !this.targetScaler) this.targetScaler = fitTargetScaler(train.y, train.rows, train.targetWidth);
    const { backend, owned } = await this.backendFor(options.backend);
    this.training = {
      epochs: options.epochs,
      batchSize: options.batchSize,
      optimizer: options.optimizer,
      schedule: options.schedule ?? { kind: 'constant' },
      clipNorm: options.clipNorm,
      seed: options.seed ?? 0,
      backend: backend.kind,
    };
    try {
      const result = await fitLoop({
        backend,
        ctx: this.programContext(options.seed ?? 0),
        params: this.params,
        train: this.prepare(train),
        validation: validation ? this.prepare(validation) : undefined,
        options,
        targetScale: this.targetScaler?.std[0],
      });
      this.params = await backend.readParams();
      return result;
    } catch (err) {
      // Keep whatever finite weights the backend holds (the loop restored the last good ones).
      try {
        const params = await backend.readParams();
        if (params.every(Number.isFinite)) this.params = params;
      } catch {
        /* the device is gone: the host copy from before this fit stays */
      }
      throw err;
    } finally {
      if (owned) backend.destroy();
    }
  }

  async evaluate(data: Dataset, options: { backend?: TrainOptions['backend'] } = {}): Promise<EvaluateResult> {
    this.checkData(data);
    const prepared = this.prepare(data);
    const { backend, owned } = await this.backendFor(options.backend);
    try {
      const programs = {};
      const dataMap: Record<string, Float32Array> = {};
      const ctx = this.programContext();
      const ev = addEvalPrograms(programs, dataMap, ctx, backend, prepared, 'eval');
      await backend.load(programs, this.layout, dataMap);
      backend.writeParams(this.params);
      runEval(backend, 'eval', prepared, ev.plan, ev.feeder, new Float32Array(SCALARS_LENGTH));
      const [loss, correct, mse, mae] = await backend.readStats([STAT.evalLoss.id, STAT.evalCorrect.id, STAT.evalMse.id, STAT.evalMae.id]);
      const result: EvaluateResult = { loss: loss / data.rows, rows: data.rows };
      if (ctx.classification) result.accuracy = correct / data.rows;
      else {
        const scale = this.targetScaler?.std[0] ?? 1;
        result.mse = (mse / data.rows) * scale * scale;
        result.mae = (mae / data.rows) * scale;
      }
      return result;
    } finally {
      if (owned) backend.destroy();
    }
  }

  /**
   * Outputs for `rows` rows of raw (unnormalized) features: class probabilities (multiclass),
   * P(class 1) (binary) or values in the target's units (regression).
   */
  async predict(x: Float32Array, options: { backend?: TrainOptions['backend'] } = {}): Promise<Float32Array> {
    const features = this.spec.inputSize;
    if (x.length === 0 || x.length % features !== 0) throw new InputError('x', `${x.length} values`, `a non-empty multiple of ${features} (rows x inputSize)`);
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new InputError(`x[row ${Math.floor(i / features)}, column ${i % features}]`, x[i], 'a finite number');
    const rows = x.length / features;
    const input = this.normalizer ? applyNormalizer(this.normalizer, x) : x;
    const { backend, owned } = await this.backendFor(options.backend);
    try {
      const batch = Math.min(rows, EVAL_BATCH);
      const ctx = this.programContext();
      const full = predictProgram(ctx, batch, undefined);
      const tailRows = rows % batch;
      const programs: Record<string, typeof full.ops> = { predict: full.ops };
      if (tailRows > 0) programs.predictTail = predictProgram(ctx, tailRows, undefined).ops;
      await backend.load(programs, this.layout, {});
      backend.writeParams(this.params);
      const width = this.spec.outputSize;
      const out = new Float32Array(rows * width);
      const scalars = new Float32Array(SCALARS_LENGTH);
      for (let start = 0; start < rows; start += batch) {
        const n = Math.min(batch, rows - start);
        scalars[SCALAR.batchOffset] = 0;
        backend.run([n === batch ? 'predict' : 'predictTail'], scalars, { hostInputs: { 'batch:x': input.subarray(start * features, (start + n) * features) } });
        out.set(await backend.readTensor(full.output.id, n * width), start * width);
      }
      if (this.spec.task === 'binary') for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
      if (this.spec.task === 'regression' && this.targetScaler) return invertTargetScaler(this.targetScaler, out);
      return out;
    } finally {
      if (owned) backend.destroy();
    }
  }
}
