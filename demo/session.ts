// One training run on the page: the model, its data and settings, and the history the views plot.
// Training goes through one engine session (Model.trainer), so pausing, resuming and single steps
// keep Adam's moments, the step count and the LR schedule. A change of optimizer, batch size,
// weight decay or clipping needs different programs: the run continues in a new session.

import { Model, type ModelSpec, type Trainer } from '../src/index.js';
import type { DataBundle } from './datasets.js';
import type { TrainSettings } from './train-options.js';

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
const CHUNK_TARGET_MS = 300;
const MAX_CHUNK_STEPS = 4096;
const MAX_DIAGNOSTICS = 2000;

export function modelSpecFor(data: DataBundle, hidden: ModelSpec['hidden'], loss: ModelSpec['loss']): ModelSpec {
  const ds = data.all;
  const outputSize = ds.task === 'binary' ? 1 : ds.task === 'multiclass' ? ds.classes! : ds.targetWidth;
  return { inputSize: ds.features, hidden, outputSize, task: ds.task, loss };
}

/** A copy with the same weights and normalisation (the cross-backend check trains two of them). */
export function cloneModel(model: Model): Model {
  const copy = new Model(model.spec, { params: model.params.slice() });
  if (model.normalizer) copy.normalizer = structuredClone(model.normalizer);
  if (model.targetScaler) copy.targetScaler = structuredClone(model.targetScaler);
  return copy;
}

let sessions = 0;

export class Session {
  /** Distinguishes sessions in the views' redraw bookkeeping. */
  readonly id = ++sessions;
  readonly history: HistoryPoint[] = [];
  readonly diagnostics: DiagnosticsPoint[] = [];
  lastAccuracy?: number;
  lastLoss?: number;
  samplesPerSec = 0;
  /** Bumped whenever the weights change, so views know when to redraw. */
  version = 0;
  /** Optimizer steps and completed epochs over the whole run (as of the last chunk). */
  step = 0;
  epochs = 0;
  private trainer?: Promise<Trainer>;
  /** Steps and epochs of earlier engine sessions of this run (settings changes start new ones). */
  private stepBase = 0;
  private epochBase = 0;
  private chunkSteps = 0;

  constructor(
    public model: Model,
    readonly data: DataBundle,
    public settings: TrainSettings,
    readonly backend: 'webgpu' | 'cpu',
  ) {}

  get stepsPerEpoch(): number {
    const rows = this.data.train.rows;
    return Math.ceil(rows / Math.min(rows, this.settings.batchSize));
  }

  /** The engine session, bound on first use (this is when the programs are compiled and bound). */
  session(): Promise<Trainer> {
    this.trainer ??= this.model.trainer(this.data.train, {
      backend: this.backend,
      batchSize: this.settings.batchSize,
      optimizer: this.settings.optimizer,
      schedule: this.settings.schedule,
      scheduleSteps: this.settings.horizon,
      clipNorm: this.settings.clipNorm,
      seed: this.settings.seed,
      validationData: this.data.test,
      // About one point per epoch for the gradient-norm chart, at least 8 steps apart.
      diagnosticsEverySteps: Math.max(8, this.stepsPerEpoch),
      callbacks: {
        onDiagnostics: (d) => {
          this.diagnostics.push({ step: this.stepBase + d.step, gradNorms: d.gradNorms, deadFraction: d.deadFraction });
          if (this.diagnostics.length > MAX_DIAGNOSTICS) this.diagnostics.splice(0, this.diagnostics.length - MAX_DIAGNOSTICS);
        },
      },
    });
    // A session that failed to start may be retried on the next use.
    this.trainer.catch(() => (this.trainer = undefined));
    return this.trainer;
  }

  /** Training settings from the controls: the learning rate applies in place, anything else starts a new engine session. */
  async applySettings(next: TrainSettings): Promise<void> {
    const prev = this.settings;
    this.settings = { ...next, schedule: prev.schedule, horizon: prev.horizon };
    const { lr: _a, ...restPrev } = prev.optimizer;
    const { lr: _b, ...restNext } = next.optimizer;
    const same = JSON.stringify(restPrev) === JSON.stringify(restNext) && prev.batchSize === next.batchSize && prev.clipNorm === next.clipNorm;
    if (same && this.trainer) (await this.trainer).setLearningRate(next.optimizer.lr);
    else if (!same) await this.restart();
  }

  /** Runs one chunk (or exactly `steps` steps) and records its logs. */
  async runChunk(steps?: number): Promise<void> {
    const trainer = await this.session();
    if (this.chunkSteps === 0) this.chunkSteps = this.stepsPerEpoch;
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
    for (const logs of result.history) {
      this.history.push({ step: base.step + logs.step, loss: logs.loss, valLoss: logs.valLoss, accuracy: logs.accuracy, valAccuracy: logs.valAccuracy, lr: logs.lr });
    }
    const lastEpoch = result.history[result.history.length - 1];
    if (result.steps > 0) {
      this.lastLoss = lastEpoch?.loss ?? result.loss;
      this.lastAccuracy = lastEpoch?.accuracy ?? result.accuracy;
      this.samplesPerSec = result.samplesPerSec;
    }
    // No per-chunk binding any more, so the chunk length can track the target directly.
    if (steps === undefined) {
      if (ms < CHUNK_TARGET_MS * 0.7) this.chunkSteps = Math.min(MAX_CHUNK_STEPS, this.chunkSteps * 2);
      else if (ms > CHUNK_TARGET_MS * 1.5) this.chunkSteps = Math.max(1, Math.floor(this.chunkSteps / 2));
    }
  }

  /** Predictions of the current weights, on the engine session's bound programs. */
  async predict(x: Float32Array): Promise<Float32Array> {
    return (await this.session()).predict(x);
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
