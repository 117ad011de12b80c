// One training run on the page: the model, its data (through the input features φ) and settings,
// and the history the views plot. Training goes through one engine session (Model.trainer), so
// pausing, resuming and single steps keep Adam's moments, the step count and the LR schedule. A
// change of optimizer, batch size, weight decay or clipping continues the run in a new session.

import { fitNormalizer, fitTargetScaler, invertTargetScaler, Model, type ModelSpec, type NormalizerKind, type Trainer } from '../src/index.js';
import { forwardAll } from './unit-activations.js';
import type { DataBundle } from './datasets.js';
import { applyFeatures, featureDataset, type FeatureName } from './features.js';
import type { TrainSettings } from './train-options.js';

/** One point per chunk: the chunk's mean training loss, and the held-out loss of the last epoch that ended in it. */
export interface HistoryPoint {
  step: number;
  loss: number;
  valLoss?: number;
  accuracy?: number;
  valAccuracy?: number;
  lr: number;
}

export interface DiagnosticsPoint {
  step: number;
  gradNorms: number[];
  deadFraction: number[];
}

/** Wall time one chunk should take: long enough to amortise the chunk-end read-back, short enough to keep pause responsive. */
const CHUNK_TARGET_MS = 250;
const MAX_CHUNK_STEPS = 4096;
const MAX_DIAGNOSTICS = 2000;
const MAX_HISTORY = 4000;
/** Patience (epochs) of early stopping when it is switched on. */
export const EARLY_STOP_PATIENCE = 40;

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

let sessions = 0;

export class Session {
  /** Distinguishes sessions in the views' redraw bookkeeping. */
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
  /** True while the engine session is being created (kernels compiled, programs bound). */
  compiling = false;
  readonly train;
  readonly test;
  private trainer?: Promise<Trainer>;
  /** Steps and epochs of earlier engine sessions of this run (settings changes start new ones). */
  private stepBase = 0;
  private epochBase = 0;
  private chunkSteps = 0;

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
    // Fitted now rather than when the engine session starts, so the untrained network can be drawn at once.
    const t = this.train;
    model.normalizer ??= fitNormalizer(t.x, t.rows, t.features, normalize ?? 'zscore');
    if (t.task === 'regression') model.targetScaler ??= fitTargetScaler(t.y, t.rows, t.targetWidth);
  }

  /** Trains on `kind` from the next chunk on (the weights carry over). */
  async setBackend(kind: 'webgpu' | 'cpu'): Promise<void> {
    if (kind === this.backend) return;
    this.backend = kind;
    await this.restart();
  }

  get stepsPerEpoch(): number {
    const rows = this.train.rows;
    return Math.ceil(rows / Math.min(rows, this.settings.batchSize));
  }

  /** The engine session, bound on first use (this is when the programs are compiled and bound). */
  session(): Promise<Trainer> {
    if (!this.trainer) {
      this.compiling = true;
      this.trainer = this.model.trainer(this.train, {
        backend: this.backend,
        normalize: this.normalize,
        batchSize: this.settings.batchSize,
        optimizer: this.settings.optimizer,
        schedule: this.settings.schedule,
        scheduleSteps: this.settings.horizon,
        clipNorm: this.settings.clipNorm,
        seed: this.settings.seed,
        validationData: this.test,
        earlyStopping: this.settings.earlyStopping && this.test ? { patience: EARLY_STOP_PATIENCE, restoreBestWeights: true } : undefined,
        // A few points per epoch for the gradient-norm chart, at least 4 steps apart.
        diagnosticsEverySteps: Math.max(4, Math.ceil(this.stepsPerEpoch / 2)),
        callbacks: {
          onDiagnostics: (d) => {
            this.diagnostics.push({ step: this.stepBase + d.step, gradNorms: d.gradNorms, deadFraction: d.deadFraction });
            if (this.diagnostics.length > MAX_DIAGNOSTICS) this.diagnostics.splice(0, this.diagnostics.length - MAX_DIAGNOSTICS);
          },
        },
      });
      // A session that failed to start may be retried on the next use.
      this.trainer.catch(() => (this.trainer = undefined)).finally(() => (this.compiling = false));
    }
    return this.trainer;
  }

  /** Training settings from the controls: the learning rate applies in place, anything else starts a new engine session. */
  async applySettings(next: TrainSettings): Promise<void> {
    const prev = this.settings;
    this.settings = { ...next, schedule: prev.schedule, horizon: prev.horizon };
    const { lr: _a, ...restPrev } = prev.optimizer;
    const { lr: _b, ...restNext } = next.optimizer;
    const same = JSON.stringify(restPrev) === JSON.stringify(restNext) && prev.batchSize === next.batchSize && prev.clipNorm === next.clipNorm && prev.earlyStopping === next.earlyStopping;
    if (same && this.trainer) (await this.trainer).setLearningRate(next.optimizer.lr);
    else if (!same) await this.restart();
  }

  /** Runs one chunk (or exactly `steps` steps) and records its logs; false when early stopping has ended the run. */
  async runChunk(steps?: number): Promise<boolean> {
    const trainer = await this.session();
    if (this.chunkSteps === 0) this.chunkSteps = Math.min(this.stepsPerEpoch, 8);
    const base = { step: this.stepBase, epochs: this.epochBase };
    const started = performance.now();
    let result;
    try {
      result = await trainer.train({ steps: steps ?? this.chunkSteps });
    } catch (err) {
      // The engine session refuses to continue after an error: the next chunk starts a new one
      // from the weights it kept.
      await this.restart();
      throw err;
    }
    const ms = performance.now() - started;
    this.version++;
    this.step = base.step + trainer.step;
    this.epochs = base.epochs + trainer.epoch;
    if (result.steps > 0) {
      const lastEpoch = result.history[result.history.length - 1];
      if (lastEpoch?.valLoss !== undefined) {
        this.lastValLoss = lastEpoch.valLoss;
        this.lastValAccuracy = lastEpoch.valAccuracy;
      }
      this.lastLoss = result.loss;
      this.lastAccuracy = result.accuracy;
      this.history.push({ step: this.step, loss: result.loss, accuracy: result.accuracy, valLoss: lastEpoch?.valLoss, valAccuracy: lastEpoch?.valAccuracy, lr: trainer.learningRate });
      if (this.history.length > MAX_HISTORY) this.history.splice(0, this.history.length - MAX_HISTORY);
      this.rate.add(result.steps * Math.min(this.settings.batchSize, this.train.rows));
    }
    if (trainer.stoppedEarly) {
      if (await trainer.restoreBestWeights()) this.stoppedAtBest = trainer.bestEpoch;
      this.version++;
      return false;
    }
    if (steps === undefined) {
      if (ms < CHUNK_TARGET_MS * 0.7) this.chunkSteps = Math.min(MAX_CHUNK_STEPS, this.chunkSteps * 2);
      else if (ms > CHUNK_TARGET_MS * 1.5) this.chunkSteps = Math.max(1, Math.floor(this.chunkSteps / 2));
    }
    return true;
  }

  /**
   * Predictions of the current host weights for raw rows (φ applied here), as Model.predict returns
   * them, computed with the float64 reference on the page: the views never wait for the training
   * backend (its kernels may still be compiling) and never compete with it.
   */
  async predict(x: Float32Array): Promise<Float32Array> {
    const rows = x.length / this.data.all.features;
    const input = this.features && this.data.all.features === 2 ? applyFeatures(this.features, x, rows) : x;
    const out = Float32Array.from(forwardAll(this.model, input, rows).out);
    return this.model.targetScaler ? invertTargetScaler(this.model.targetScaler, out) : out;
  }

  /** Ends the current engine session; training continues from the model's weights in a new one. */
  private async restart(): Promise<void> {
    const pending = this.trainer;
    if (!pending) return;
    this.trainer = undefined;
    const t = await pending.catch(() => undefined);
    if (!t) return;
    // dispose() waits for a chunk in flight, so the counts read after it are final.
    await t.dispose();
    this.stepBase += t.step;
    this.epochBase += t.epoch;
  }

  async dispose(): Promise<void> {
    const t = await this.trainer?.catch(() => undefined);
    this.trainer = undefined;
    await t?.dispose();
  }
}
