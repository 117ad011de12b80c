// The user-facing model: a validated spec, its parameters (host copy), and the input/target
// normalization fitted on its training split. trainer() binds a backend for a training session;
// fit (one whole session), evaluate and predict bind one for the call. The weights come back to the
// host after each call or chunk so they survive any backend failure.

import type { Backend } from '../backend/backend.js';
import { createBackend, type BackendName } from '../backend/select.js';
import type { Dataset } from '../data/dataset.js';
import { oneHot, validateDataset } from '../data/dataset.js';
import { applyNormalizer, applyTargetScaler, fitNormalizer, fitTargetScaler, invertTargetScaler, type Normalizer, type NormalizerKind, type TargetScaler } from '../data/normalize.js';
import { splitDataset } from '../data/split.js';
import type { TablePipeline } from '../data/table/types.js';
import { ParamLayout } from '../graph/params.js';
import { paramLayoutFor } from '../graph/model-graph.js';
import type { ProgramContext } from '../graph/programs.js';
import { SCALARS_LENGTH } from '../ops/args.js';
import { InputError } from '../util/errors.js';
import { addEvalPrograms, exactSizes, readEval, runEval, type EvaluateResult } from '../train/feed.js';
import type { FitOptions, SessionOptions } from '../train/options.js';
import { addPredictPrograms, runPredict } from '../train/predict.js';
import { fitSession, Trainer, type FitResult } from '../train/trainer.js';
import { validateFitOptions, validateSessionOptions } from '../train/validate-options.js';
import { initialParams } from './init.js';
import type { ModelSpec } from './spec.js';
import { validateSpec } from './validate-spec.js';

export type { EvaluateResult };

/** Where a session trains and on what, besides the training data itself. */
export interface DataOptions {
  /** 'webgpu' (default), 'cpu', or a backend instance (bound to the session until it is disposed). */
  backend?: BackendName | Backend;
  validationData?: Dataset;
  /** Input normalization fitted on the training split (default zscore). */
  normalize?: NormalizerKind;
}

export interface TrainOptions extends FitOptions, DataOptions {}
export interface TrainerOptions extends SessionOptions, DataOptions {}

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

  private async backendFor(choice: DataOptions['backend']): Promise<{ backend: Backend; owned: boolean }> {
    if (choice && typeof choice === 'object') return { backend: choice, owned: false };
    return { backend: await createBackend(choice ?? 'webgpu'), owned: true };
  }

  /**
   * A training session: binds the programs once and keeps the optimizer state, step count, LR
   * schedule and shuffling across its train() chunks. Checks the data and options before any GPU
   * work; fits the normalization on the training split if the model has none yet.
   */
  async trainer(data: Dataset, options: TrainerOptions): Promise<Trainer> {
    return this.startSession(data, options, true);
  }

  /** Trains for `epochs` (or `maxSteps`): one trainer session from start to end. */
  async fit(data: Dataset, options: TrainOptions): Promise<FitResult> {
    validateFitOptions(options);
    const done = options.resume?.loop?.epochs;
    if (typeof done === 'number' && options.epochs <= done) throw new InputError('epochs', options.epochs, `more than the ${done} epochs the resumed session has already trained`);
    const trainer = await this.startSession(data, { ...options, scheduleSteps: options.maxSteps }, false);
    try {
      return await fitSession(trainer, options.epochs, options.maxSteps);
    } finally {
      await trainer.dispose();
    }
  }

  private async startSession(data: Dataset, options: TrainerOptions, inference: boolean): Promise<Trainer> {
    validateSessionOptions(options);
    this.checkData(data);
    let train = data;
    let validation = options.validationData;
    if (validation) this.checkData(validation, 'validationData');
    else if (options.validationSplit && options.validationSplit > 0) {
      const parts = splitDataset(data, { validation: options.validationSplit }, options.seed ?? 0);
      train = parts.train;
      validation = parts.validation;
    }
    if (!this.pipeline && data.pipeline) this.pipeline = data.pipeline;
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
      adapter: backend.adapter,
    };
    try {
      return await Trainer.bind({
        model: this,
        backend,
        ownsBackend: owned,
        train: this.prepare(train),
        validation: validation ? this.prepare(validation) : undefined,
        options,
        targetScale: this.targetScaler?.std[0],
        inference,
      });
    } catch (err) {
      if (owned) backend.destroy();
      throw err;
    }
  }

  async evaluate(data: Dataset, options: { backend?: DataOptions['backend'] } = {}): Promise<EvaluateResult> {
    this.checkData(data);
    const prepared = this.prepare(data);
    const { backend, owned } = await this.backendFor(options.backend);
    try {
      const programs = {};
      const dataMap: Record<string, Float32Array> = {};
      const ctx = this.programContext();
      const pass = addEvalPrograms(programs, dataMap, ctx, backend, prepared, 'eval');
      await backend.load(programs, this.layout, dataMap);
      backend.writeParams(this.params);
      runEval(backend, pass, new Float32Array(SCALARS_LENGTH));
      return await readEval(backend, data.rows, ctx.classification, this.targetScaler?.std[0]);
    } finally {
      if (owned) backend.destroy();
    }
  }

  /**
   * Outputs for `rows` rows of raw (unnormalized) features: class probabilities (multiclass),
   * P(class 1) (binary) or values in the target's units (regression).
   */
  async predict(x: Float32Array, options: { backend?: DataOptions['backend'] } = {}): Promise<Float32Array> {
    const input = this.predictInput(x);
    const { backend, owned } = await this.backendFor(options.backend);
    try {
      const programs = {};
      const predictor = addPredictPrograms(programs, this.programContext(), exactSizes(input.length / this.spec.inputSize));
      await backend.load(programs, this.layout, {});
      backend.writeParams(this.params);
      return this.predictOutput(await runPredict(backend, predictor, input, this.spec.inputSize, this.spec.outputSize));
    } finally {
      if (owned) backend.destroy();
    }
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
