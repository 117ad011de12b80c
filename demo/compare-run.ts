// The training side of a Compare run, in the training worker: every variant as one model of one
// model batch (openSweep), trained in chunks sized by wall time; each chunk reports every
// variant's newly ended epochs, its status and its current weights, from which the page draws.

import { openSweep, type Dataset, type ModelSpec, type ModelStatus, type Normalizer, type NormalizerKind, type OpenSweep, type SweepGrid, type TargetScaler } from '../src/index.js';
import { EARLY_STOP_PATIENCE } from './engine-run.js';
import type { TrainSettings } from './train-options.js';

export interface CompareInit {
  spec: ModelSpec;
  grid: SweepGrid;
  train: Dataset;
  test?: Dataset;
  settings: TrainSettings;
  epochs: number;
  backend: 'webgpu' | 'cpu';
  normalize?: NormalizerKind;
}

/** What the page needs to draw the untrained variants. */
export interface CompareStart {
  specs: ModelSpec[];
  params: Float32Array[];
  normalizer?: Normalizer;
  targetScaler?: TargetScaler;
}

/** One variant's numbers at the end of an epoch. */
export interface ComparePoint {
  step: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface CompareReport {
  /** Per variant: the epochs that ended in this chunk (none for a variant no longer training). */
  points: ComparePoint[][];
  status: ModelStatus[];
  params: Float32Array[];
  /** Steps and epochs over the run, and the planned epochs. */
  step: number;
  epoch: number;
  epochs: number;
  done: boolean;
  /** This chunk: steps run and the time they took (model-steps/s = steps × models / seconds). */
  steps: number;
  ms: number;
}

const CHUNK_TARGET_MS = 250;
const MAX_CHUNK_STEPS = 4096;

export class CompareRun {
  private chunkSteps = 4;
  /** Which models trained in the epoch now running. */
  private training: boolean[];

  private constructor(
    private readonly open: OpenSweep,
    private readonly epochs: number,
  ) {
    this.training = open.models.map(() => true);
  }

  static async start(init: CompareInit): Promise<{ run: CompareRun; start: CompareStart }> {
    const s = init.settings;
    const open = await openSweep(init.spec, init.train, {
      grid: init.grid,
      epochs: init.epochs,
      batchSize: s.batchSize,
      optimizer: s.optimizer,
      schedule: s.schedule,
      clipNorm: s.clipNorm,
      seed: s.seed,
      normalize: init.normalize,
      backend: init.backend,
      validationData: init.test,
      earlyStopping: s.earlyStopping && init.test ? { patience: EARLY_STOP_PATIENCE, restoreBestWeights: true } : undefined,
    });
    const m = open.models;
    return { run: new CompareRun(open, init.epochs), start: { specs: m.map((x) => x.spec), params: m.map((x) => x.params.slice()), normalizer: m[0].normalizer, targetScaler: m[0].targetScaler } };
  }

  /** One chunk: about CHUNK_TARGET_MS of training for the whole batch, then every model's weights. */
  async chunk(): Promise<CompareReport> {
    const { session, models } = this.open;
    const before = session.state.steps;
    const started = performance.now();
    const ended = await session.trainSteps(this.chunkSteps);
    const ms = performance.now() - started;
    if (ms < CHUNK_TARGET_MS * 0.7) this.chunkSteps = Math.min(MAX_CHUNK_STEPS, this.chunkSteps * 2);
    else if (ms > CHUNK_TARGET_MS * 1.5) this.chunkSteps = Math.max(1, Math.floor(this.chunkSteps / 2));
    const points: CompareReport['points'] = models.map(() => []);
    for (const p of ended) {
      p.logs.forEach((l, m) => {
        // Only epochs a model trained in are its points (a frozen model's later logs repeat its last weights).
        if (this.training[m]) points[m].push({ step: l.step, loss: l.loss, accuracy: l.accuracy, valLoss: l.valLoss, valAccuracy: l.valAccuracy });
      });
      this.training = p.status.map((s) => s === 'training');
    }
    const done = session.done;
    // At the end, finish() restores the best epoch's weights where early stopping kept them.
    if (done) await session.finish();
    else await session.syncModels();
    const { steps, epoch, status } = session.state;
    return { points, status: [...status], params: models.map((x) => x.params.slice()), step: steps, epoch, epochs: this.epochs, done, steps: steps - before, ms };
  }

  dispose(): void {
    this.open.close();
  }
}
