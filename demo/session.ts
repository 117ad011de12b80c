// One training run: the model, its data and settings, and the history the views plot. Training
// advances in chunks, each a Model.fit call of a few epochs on the page's persistent backend.
// Model.fit re-uploads the params and resets optimizer state on every call (fine for a demo;
// Adam's moments restart each chunk). The LR schedule is applied here across chunks, by global step.

import { Model, type Backend, type ModelSpec, type TrainOptions } from '../src/index.js';
import { makeSchedule, type Schedule } from '../src/train/schedule.js';
import { exclusive } from './backend.js';
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

/**
 * Wall time one chunk should take: long enough to amortise fit's fixed cost (binding programs and
 * several read-backs, ~0.3 s per call on SwiftShader), short enough to keep pause responsive.
 */
const CHUNK_TARGET_MS = 400;
const MAX_EPOCHS_PER_CHUNK = 64;

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
  step = 0;
  chunks = 0;
  epochs = 0;
  readonly history: HistoryPoint[] = [];
  readonly diagnostics: DiagnosticsPoint[] = [];
  lastAccuracy?: number;
  lastLoss?: number;
  samplesPerSec = 0;
  private epochsPerChunk = 1;
  private readonly schedule: Schedule;
  /** Bumped whenever the weights change, so views know when to redraw. */
  version = 0;

  constructor(
    public model: Model,
    readonly data: DataBundle,
    readonly settings: TrainSettings,
    readonly backend: Backend,
  ) {
    this.schedule = makeSchedule(settings.schedule, settings.optimizer.lr, Math.max(1, this.horizon()));
  }

  private horizon(): number {
    const s = this.settings.schedule;
    if (s.kind === 'step') return s.stepSize * 4;
    if (s.kind === 'exponential') return Math.round(Math.log(0.1) / Math.log(s.gamma));
    if (s.kind === 'cosine') return (s.warmupSteps ?? 0) * 20;
    return 1;
  }

  get stepsPerEpoch(): number {
    const rows = this.data.train.rows;
    return Math.ceil(rows / Math.min(rows, this.settings.batchSize));
  }

  /** Runs one chunk (or exactly `maxSteps` steps) and records its logs. */
  async runChunk(maxSteps?: number): Promise<void> {
    const lr = this.schedule.lrAt(this.step);
    const epochs = maxSteps ? 1 : this.epochsPerChunk;
    const base = this.step;
    const stepsThisChunk = maxSteps ?? epochs * this.stepsPerEpoch;
    const options: TrainOptions = {
      backend: this.backend,
      epochs,
      maxSteps,
      batchSize: this.settings.batchSize,
      optimizer: { ...this.settings.optimizer, lr },
      schedule: { kind: 'constant' },
      clipNorm: this.settings.clipNorm,
      // A new seed per chunk so shuffles and dropout masks differ between chunks.
      seed: this.settings.seed * 100_003 + this.chunks,
      validationData: this.data.test,
      diagnosticsEverySteps: Math.max(1, Math.min(stepsThisChunk, this.stepsPerEpoch * Math.max(1, Math.floor(epochs / 4)))),
      callbacks: {
        onDiagnostics: (d) => {
          this.diagnostics.push({ step: base + d.step, gradNorms: d.gradNorms, deadFraction: d.deadFraction });
          if (this.diagnostics.length > 2000) this.diagnostics.splice(0, this.diagnostics.length - 2000);
        },
      },
    };
    let ms = 0;
    const result = await exclusive(async () => {
      const started = performance.now(); // not counting the wait for a boundary draw
      const r = await this.model.fit(this.data.train, options);
      ms = performance.now() - started;
      return r;
    });
    this.chunks++;
    this.version++;
    let at = base;
    for (const logs of result.history) {
      at = Math.min(base + result.steps, at + this.stepsPerEpoch);
      this.history.push({ step: at, loss: logs.loss, valLoss: logs.valLoss, accuracy: logs.accuracy, valAccuracy: logs.valAccuracy, lr: logs.lr });
      this.schedule.epochEnd(logs.valLoss ?? logs.loss);
      if (!maxSteps) this.epochs++;
    }
    this.step += result.steps;
    const last = result.history[result.history.length - 1];
    if (last) {
      this.lastAccuracy = last.accuracy;
      this.lastLoss = last.loss;
    }
    this.samplesPerSec = result.samplesPerSec;
    // Fit has a large fixed cost, so grow/shrink geometrically instead of assuming time ∝ epochs.
    if (!maxSteps && this.chunks > 1) {
      if (ms < CHUNK_TARGET_MS * 0.7) this.epochsPerChunk = Math.min(MAX_EPOCHS_PER_CHUNK, this.epochsPerChunk * 2);
      else if (ms > CHUNK_TARGET_MS * 2) this.epochsPerChunk = Math.max(1, Math.floor(this.epochsPerChunk / 2));
    }
  }
}
