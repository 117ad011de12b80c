// One training run on the page: the model, its data (through the input features φ) and settings,
// and the history the views plot. The training itself runs in the training worker (engine-run.ts
// there); this side sends it chunks to run and keeps the host copy of the weights each chunk
// reports, from which the views draw with the float64 reference (no waiting on the trainer).

import { fitNormalizer, fitTargetScaler, invertTargetScaler, Model, type ModelSpec, type NormalizerKind } from '../src/index.js';
import type { DataBundle } from './datasets.js';
import type { ChunkReport, DiagnosticsPoint } from './engine-run.js';
import { applyFeatures, featureDataset, type FeatureName } from './features.js';
import type { TrainSettings } from './train-options.js';
import { forwardAll } from './unit-activations.js';
import { request } from './worker-client.js';

export type { DiagnosticsPoint };

/** One point per chunk: the chunk's mean training loss, and the held-out loss of the last epoch that ended in it. */
export interface HistoryPoint {
  step: number;
  loss: number;
  valLoss?: number;
  accuracy?: number;
  valAccuracy?: number;
  lr: number;
}

const MAX_DIAGNOSTICS = 2000;
const MAX_HISTORY = 4000;

export function modelSpecFor(data: DataBundle, hidden: ModelSpec['hidden'], loss: ModelSpec['loss'], features?: readonly FeatureName[]): ModelSpec {
  const ds = data.all;
  const outputSize = ds.task === 'binary' ? 1 : ds.task === 'multiclass' ? ds.classes! : ds.targetWidth;
  const inputSize = features && ds.features === 2 ? features.length : ds.features;
  return { inputSize, hidden, outputSize, task: ds.task, loss };
}

/** A copy with the same weights and normalisation (the cross-backend check trains two of them). */
export function cloneModel(model: Model): Model {
  const copy = new Model(model.spec, { params: model.params.slice() });
  if (model.normalizer) copy.normalizer = structuredClone(model.normalizer);
  if (model.targetScaler) copy.targetScaler = structuredClone(model.targetScaler);
  return copy;
}

/** Samples per second of wall-clock time (chunk ends, so rendering and waiting between chunks count), over the last few seconds. */
export class WallRate {
  private marks: { t: number; samples: number }[] = [];
  private total = 0;

  add(samples: number, t = performance.now()): void {
    this.total += samples;
    this.marks.push({ t, samples: this.total });
    while (this.marks.length > 2 && t - this.marks[1].t > 3000) this.marks.shift();
  }

  /** Starts a new window (after a pause, the idle time must not count). */
  restart(t = performance.now()): void {
    this.marks = [{ t, samples: this.total }];
  }

  get perSecond(): number {
    if (this.marks.length < 2) return 0;
    const a = this.marks[0];
    const b = this.marks[this.marks.length - 1];
    return b.t > a.t ? ((b.samples - a.samples) * 1000) / (b.t - a.t) : 0;
  }
}

/** A model's predictions for raw rows of `rawFeatures` columns (φ applied for 2-D data), on the page with the float64 reference. */
export function hostPredict(model: Model, rawFeatures: number, features: readonly FeatureName[] | undefined, x: Float32Array): Float32Array {
  const rows = x.length / rawFeatures;
  const input = features && rawFeatures === 2 ? applyFeatures(features, x, rows) : x;
  const out = Float32Array.from(forwardAll(model, input, rows).out);
  return model.targetScaler ? invertTargetScaler(model.targetScaler, out) : out;
}

let sessions = 0;

export class Session {
  /** Distinguishes sessions in the views' redraw bookkeeping, and runs in the worker. */
  readonly id = ++sessions;
  readonly history: HistoryPoint[] = [];
  readonly diagnostics: DiagnosticsPoint[] = [];
  readonly rate = new WallRate();
  lastAccuracy?: number;
  lastLoss?: number;
  lastValLoss?: number;
  lastValAccuracy?: number;
  /** Set when early stopping ended the run: the epoch whose weights were restored. */
  stoppedAtBest?: number;
  /** Bumped whenever the weights change, so views know when to redraw. */
  version = 0;
  /** Optimizer steps and completed epochs over the whole run (as of the last chunk). */
  step = 0;
  epochs = 0;
  readonly train;
  readonly test;
  /** The worker's run, created on the first chunk (with the weights as they are then). */
  private started?: Promise<void>;
  private disposed = false;

  constructor(
    public model: Model,
    readonly data: DataBundle,
    public settings: TrainSettings,
    public backend: 'webgpu' | 'cpu',
    /** φ for 2-D data; undefined for data used as is. */
    readonly features?: readonly FeatureName[],
    readonly normalize?: NormalizerKind,
  ) {
    this.train = featureDataset(data.train, features);
    this.test = data.test ? featureDataset(data.test, features) : undefined;
    // Fitted here rather than when the engine session starts, so the untrained network can be drawn at once.
    const t = this.train;
    model.normalizer ??= fitNormalizer(t.x, t.rows, t.features, normalize ?? 'zscore');
    if (t.task === 'regression') model.targetScaler ??= fitTargetScaler(t.y, t.rows, t.targetWidth);
  }

  private start(): Promise<void> {
    this.started ??= request<void>({
      op: 'init',
      run: this.id,
      init: { spec: this.model.spec, params: this.model.params, normalizer: this.model.normalizer, targetScaler: this.model.targetScaler, train: this.train, test: this.test, settings: this.settings, backend: this.backend, normalize: this.normalize },
    });
    return this.started;
  }

  /** Trains on `kind` from the next chunk on (the weights carry over). */
  async setBackend(kind: 'webgpu' | 'cpu'): Promise<void> {
    if (kind === this.backend) return;
    this.backend = kind;
    if (this.started) await request({ op: 'backend', run: this.id, kind });
  }

  /** Training settings from the controls: the learning rate applies in place, anything else starts a new engine session in the worker. */
  async applySettings(next: TrainSettings): Promise<void> {
    this.settings = { ...next, schedule: this.settings.schedule, horizon: this.settings.horizon };
    if (this.started) await request({ op: 'settings', run: this.id, settings: next });
  }

  /** Runs one chunk (or exactly `steps` steps) in the worker and records its report; false when early stopping has ended the run. */
  async runChunk(steps?: number): Promise<boolean> {
    if (this.disposed) throw new Error('this run was replaced');
    await this.start();
    const r = await request<ChunkReport>({ op: 'chunk', run: this.id, steps });
    this.model.params = r.params;
    this.model.training = r.training;
    this.version++;
    this.step = r.step;
    this.epochs = r.epochs;
    for (const d of r.diagnostics) this.diagnostics.push(d);
    if (this.diagnostics.length > MAX_DIAGNOSTICS) this.diagnostics.splice(0, this.diagnostics.length - MAX_DIAGNOSTICS);
    if (r.steps > 0) {
      if (r.valLoss !== undefined) {
        this.lastValLoss = r.valLoss;
        this.lastValAccuracy = r.valAccuracy;
      }
      this.lastLoss = r.loss;
      this.lastAccuracy = r.accuracy;
      this.history.push({ step: r.step, loss: r.loss, accuracy: r.accuracy, valLoss: r.valLoss, valAccuracy: r.valAccuracy, lr: r.lr });
      if (this.history.length > MAX_HISTORY) this.history.splice(0, this.history.length - MAX_HISTORY);
      this.rate.add(r.steps * Math.min(this.settings.batchSize, this.train.rows));
    }
    if (r.stopped) this.stoppedAtBest = r.bestEpoch;
    return !r.stopped;
  }

  /**
   * Predictions of the current host weights for raw rows (φ applied here), as Model.predict returns
   * them, computed with the float64 reference on the page: the views never wait for the training
   * backend (its kernels may still be compiling) and never compete with it.
   */
  async predict(x: Float32Array): Promise<Float32Array> {
    return hostPredict(this.model, this.data.all.features, this.features, x);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.started) await this.started.then(() => request({ op: 'dispose', run: this.id })).catch(() => undefined);
  }
}
