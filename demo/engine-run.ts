// The training side of one run, as it lives in the training worker: the model's engine session
// (Model.trainer, programs bound once; Adam's moments, the step count and the LR schedule carry
// over between chunks), chunk sizing by wall time, early stopping with the best weights restored,
// and a report per chunk (the new weights, counts, losses, diagnostics) for the page.

import { Model, type Dataset, type ModelSpec, type Normalizer, type NormalizerKind, type TargetScaler, type Trainer } from '../src/index.js';
import type { TrainSettings } from './train-options.js';

export interface DiagnosticsPoint {
  step: number;
  gradNorms: number[];
  deadFraction: number[];
}

export interface RunInit {
  spec: ModelSpec;
  params: Float32Array;
  normalizer?: Normalizer;
  targetScaler?: TargetScaler;
  train: Dataset;
  test?: Dataset;
  settings: TrainSettings;
  backend: 'webgpu' | 'cpu';
  normalize?: NormalizerKind;
}

export interface ChunkReport {
  params: Float32Array;
  training?: Record<string, unknown>;
  /** Steps and completed epochs over the whole run. */
  step: number;
  epochs: number;
  /** This chunk: steps run, mean loss/accuracy, and the last epoch's held-out numbers if one ended. */
  steps: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  lr: number;
  diagnostics: DiagnosticsPoint[];
  /** Early stopping ended the run; the epoch whose weights were restored. */
  stopped: boolean;
  bestEpoch?: number;
}

/** Wall time one chunk should take: long enough to amortise the chunk-end read-back, short enough to keep pause responsive. */
const CHUNK_TARGET_MS = 250;
const MAX_CHUNK_STEPS = 4096;
/** Patience (epochs) of early stopping when it is switched on. */
export const EARLY_STOP_PATIENCE = 40;

export class EngineRun {
  readonly model: Model;
  private trainer?: Promise<Trainer>;
  private settings: TrainSettings;
  private backend: 'webgpu' | 'cpu';
  private stepBase = 0;
  private epochBase = 0;
  private chunkSteps = 0;
  private pending: DiagnosticsPoint[] = [];

  constructor(private readonly init: RunInit) {
    this.model = new Model(init.spec, { params: init.params });
    this.model.normalizer = init.normalizer;
    this.model.targetScaler = init.targetScaler;
    this.settings = init.settings;
    this.backend = init.backend;
  }

  private get stepsPerEpoch(): number {
    const rows = this.init.train.rows;
    return Math.ceil(rows / Math.min(rows, this.settings.batchSize));
  }

  private session(): Promise<Trainer> {
    if (!this.trainer) {
      const s = this.settings;
      this.trainer = this.model.trainer(this.init.train, {
        backend: this.backend,
        normalize: this.init.normalize,
        batchSize: s.batchSize,
        optimizer: s.optimizer,
        schedule: s.schedule,
        scheduleSteps: s.horizon,
        clipNorm: s.clipNorm,
        seed: s.seed,
        validationData: this.init.test,
        earlyStopping: s.earlyStopping && this.init.test ? { patience: EARLY_STOP_PATIENCE, restoreBestWeights: true } : undefined,
        // A few points per epoch for the gradient-norm chart, at least 4 steps apart.
        diagnosticsEverySteps: Math.max(4, Math.ceil(this.stepsPerEpoch / 2)),
        callbacks: { onDiagnostics: (d) => this.pending.push({ step: this.stepBase + d.step, gradNorms: d.gradNorms, deadFraction: d.deadFraction }) },
      });
      // A session that failed to start may be retried on the next use.
      this.trainer.catch(() => (this.trainer = undefined));
    }
    return this.trainer;
  }

  /** The learning rate applies in place; anything else continues the run in a new engine session. */
  async applySettings(next: TrainSettings): Promise<void> {
    const prev = this.settings;
    this.settings = { ...next, schedule: prev.schedule, horizon: prev.horizon };
    const { lr: _a, ...restPrev } = prev.optimizer;
    const { lr: _b, ...restNext } = next.optimizer;
    const same = JSON.stringify(restPrev) === JSON.stringify(restNext) && prev.batchSize === next.batchSize && prev.clipNorm === next.clipNorm && prev.earlyStopping === next.earlyStopping;
    if (same && this.trainer) (await this.trainer).setLearningRate(next.optimizer.lr);
    else if (!same) await this.restart();
  }

  async setBackend(kind: 'webgpu' | 'cpu'): Promise<void> {
    if (kind === this.backend) return;
    this.backend = kind;
    await this.restart();
  }

  /** One chunk (or exactly `steps` steps). */
  async chunk(steps?: number): Promise<ChunkReport> {
    const trainer = await this.session();
    if (this.chunkSteps === 0) this.chunkSteps = Math.min(this.stepsPerEpoch, 8);
    const started = performance.now();
    let result;
    try {
      result = await trainer.train({ steps: steps ?? this.chunkSteps });
    } catch (err) {
      // The engine session refuses to continue after an error: the next chunk starts a new one from the weights it kept.
      await this.restart();
      throw err;
    }
    const ms = performance.now() - started;
    let bestEpoch: number | undefined;
    if (trainer.stoppedEarly && (await trainer.restoreBestWeights())) bestEpoch = trainer.bestEpoch;
    if (steps === undefined) {
      if (ms < CHUNK_TARGET_MS * 0.7) this.chunkSteps = Math.min(MAX_CHUNK_STEPS, this.chunkSteps * 2);
      else if (ms > CHUNK_TARGET_MS * 1.5) this.chunkSteps = Math.max(1, Math.floor(this.chunkSteps / 2));
    }
    const lastEpoch = result.history[result.history.length - 1];
    const diagnostics = this.pending;
    this.pending = [];
    return {
      params: this.model.params.slice(),
      training: this.model.training,
      step: this.stepBase + trainer.step,
      epochs: this.epochBase + trainer.epoch,
      steps: result.steps,
      loss: result.loss,
      accuracy: result.accuracy,
      valLoss: lastEpoch?.valLoss,
      valAccuracy: lastEpoch?.valAccuracy,
      lr: trainer.learningRate,
      diagnostics,
      stopped: trainer.stoppedEarly,
      bestEpoch,
    };
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

/** Optimizer steps per second of `kind` for this network: two warm-up steps (compilation), then timed chunks for ~300 ms. */
export async function measureSteps(kind: 'webgpu' | 'cpu', spec: ModelSpec, train: Dataset, settings: TrainSettings, normalize?: NormalizerKind): Promise<number> {
  const model = new Model(spec, { seed: settings.seed });
  const trainer = await model.trainer(train, { backend: kind, batchSize: settings.batchSize, optimizer: settings.optimizer, seed: settings.seed, normalize });
  try {
    await trainer.train({ steps: 2 });
    let steps = 0;
    let chunk = 2;
    const started = performance.now();
    while (performance.now() - started < 300 && steps < 2000) {
      await trainer.train({ steps: chunk });
      steps += chunk;
      chunk = Math.min(64, chunk * 2);
    }
    return (steps * 1000) / (performance.now() - started);
  } finally {
    await trainer.dispose();
  }
}
