// The loop of a model batch: N models trained together, one submit per step for all of them
// (StepRunner with a learning rate per model), nothing read back until an epoch ends. Then each
// model's loss is checked (a diverged model is frozen on its last finite weights, the others go
// on), validation runs for all models in one pass, and each model's schedule and early stopping react.

import type { Backend } from '../../backend/backend.js';
import type { Dataset } from '../../data/dataset.js';
import type { ModelBatch } from '../../graph/model-batch.js';
import { programSet } from '../../backend/backend.js';
import type { Program } from '../../graph/program.js';
import { STAT, weightCheckProgram, type ProgramContext } from '../../graph/programs.js';
import type { Model } from '../../model/model.js';
import type { EpochLogs } from '../../types/session-state.js';
import { EarlyStopping } from '../early-stopping.js';
import { EpochOrder } from '../epoch-order.js';
import { readModelEvals, runEval } from '../eval-pass.js';
import type { SessionOptions } from '../options.js';
import { makeSchedule, type Schedule } from '../schedule.js';
import { sessionPrograms, type SessionPrograms } from '../session-programs.js';
import { StepRunner, type TrainStep } from '../step-runner.js';
import { YIELD_MS, yieldToEvents } from '../yield-events.js';

/** What became of one model of the batch. */
export type ModelStatus = 'training' | 'completed' | 'stopped early' | 'diverged';

export interface BatchProgress {
  /** Epochs completed (1-based count) and planned. */
  epoch: number;
  epochs: number;
  /** Each model's logs of the epoch just ended (the last finite ones for a diverged model). */
  logs: readonly EpochLogs[];
  status: readonly ModelStatus[];
}

export interface BatchSetup {
  /** The models, already holding their initial weights, normalizer and pipeline. */
  models: readonly Model[];
  batch: ModelBatch;
  backend: Backend;
  train: Dataset;
  validation?: Dataset;
  options: SessionOptions & { epochs: number };
  targetScale?: number;
  onEpochEnd?(progress: BatchProgress): void | Promise<void>;
  /** Checked between steps: true stops the batch after the current step (Ctrl-C). */
  shouldStop?(): boolean;
}

export interface BatchOutcome {
  history: EpochLogs[][];
  status: ModelStatus[];
  /** Epoch at which a model diverged (its weights are the last finite ones, from the epoch before). */
  divergedAt: (number | undefined)[];
  bestEpoch: (number | undefined)[];
  /** Whether a model holds its best epoch's weights (early stopping restored them). */
  restoredBest: boolean[];
  steps: number;
  /** Training time (validation excluded) and model-steps per second over it. */
  seconds: number;
  modelStepsPerSec: number;
  stoppedByUser: boolean;
}

const TRAIN_STATS = [STAT.lossSum.id, STAT.correct.id];
const F32_MAX = 3.4028234663852886e38;

export class BatchSession {
  private readonly n: number;
  private readonly ctx: ProgramContext;
  private readonly bound: SessionPrograms;
  /** Sums each model's squared weights: a finite epoch loss does not prove the weights after its last step finite. */
  private readonly weightCheck: Program<'diagnostics'>;
  /** When the loop last let other events run. */
  private yielded = performance.now();
  private readonly runner: StepRunner;
  private readonly orders: EpochOrder[];
  private readonly schedules: Schedule[];
  private readonly stopping: (EarlyStopping | undefined)[];
  private readonly lrs: Float64Array;
  private readonly status: ModelStatus[];
  private readonly history: EpochLogs[][];
  private readonly divergedAt: (number | undefined)[];
  private readonly trainStep: TrainStep;
  // Where the loop stands: epochs closed, the step within the current epoch, that epoch's rows,
  // active models and training time; totals over the run.
  private epoch = 0;
  private inEpoch = 0;
  private epochRows = 0;
  private epochActive = 0;
  private epochSeconds = 0;
  private steps = 0;
  private seconds = 0;
  private modelSteps = 0;
  private stoppedByUser = false;

  constructor(private readonly setup: BatchSetup) {
    const { models, batch, backend, train, validation, options } = setup;
    this.n = models.length;
    const first = models[0];
    this.ctx = { ...first.programContext(batch.dropoutSeeds[0]), layout: first.layout.forModels(this.n), models: batch };
    this.bound = sessionPrograms(this.ctx, backend, train, validation, options, false);
    this.weightCheck = weightCheckProgram(this.ctx);
    this.runner = new StepRunner(backend, this.n);
    const rows = train.rows;
    const horizon = Math.max(1, options.epochs * this.bound.stepsPerEpoch);
    const shuffle = options.shuffle !== false;
    // One order per model (each model's own seed) or one for all (the sweep's seed), written once an epoch.
    this.orders = batch.perModelOrder
      ? batch.dropoutSeeds.map((seed, m) => new EpochOrder(seed, shuffle, this.bound.order.subarray(m * rows, (m + 1) * rows), backend, undefined))
      : [new EpochOrder(options.seed ?? 0, shuffle, this.bound.order, backend, undefined)];
    this.schedules = batch.optimizers.map((o) => makeSchedule(options.schedule, o.lr, horizon));
    const monitor = options.earlyStopping?.monitor ?? (this.bound.val ? 'valLoss' : 'loss');
    this.stopping = models.map(() => (options.earlyStopping ? new EarlyStopping(options.earlyStopping, monitor) : undefined));
    this.lrs = new Float64Array(this.n);
    this.status = models.map(() => 'training');
    this.history = models.map(() => []);
    this.divergedAt = models.map(() => undefined);
    this.trainStep = { program: this.bound.full.train, step: 0, lr: 0, lrs: this.lrs, batchOffset: 0 };
  }

  /** Binds the programs, uploads the data and every model's weights. */
  async load(): Promise<void> {
    const { backend, models } = this.setup;
    await backend.load({ ...this.bound.programs, ...programSet([this.weightCheck]) }, this.ctx.layout, this.bound.dataMap);
    const total = this.ctx.layout.total;
    const params = new Float32Array(total * this.n);
    models.forEach((model, m) => params.set(model.params, m * total));
    backend.writeParams(params);
    backend.resetOptimizerState();
    backend.saveParams('lastGood');
  }

  /** Trains every epoch (or until every model has stopped); the models get their final weights. */
  async run(): Promise<BatchOutcome> {
    while (!this.done && !this.stoppedByUser) await this.advance(Infinity);
    return this.finish();
  }

  /** Steps run, epochs closed and each model's status so far. */
  get state(): { steps: number; epoch: number; status: readonly ModelStatus[] } {
    return { steps: this.steps, epoch: this.epoch, status: [...this.status] };
  }

  /** True once every epoch ran or no model is still training. */
  get done(): boolean {
    return this.epoch >= this.setup.options.epochs || !this.status.includes('training');
  }

  /**
   * Runs up to `steps` more steps (fewer when the batch is done), closing each epoch that ends on
   * the way; returns those epochs' progress. For callers that pace the batch themselves (the
   * playground's chunks); nothing is read back between epochs.
   */
  async trainSteps(steps: number): Promise<BatchProgress[]> {
    const ended: BatchProgress[] = [];
    for (let left = steps; left > 0 && !this.done; ) {
      const before = this.steps;
      const progress = await this.advance(left);
      left -= this.steps - before;
      if (progress) ended.push(progress);
    }
    return ended;
  }

  /** Runs up to `limit` steps of the current epoch (beginning it if needed); closes it after its last step, or when the user stopped. */
  private async advance(limit: number): Promise<BatchProgress | undefined> {
    const { backend, options } = this.setup;
    const { plan, feeder, stepsPerEpoch, source } = this.bound;
    const step = this.trainStep;
    if (this.inEpoch === 0) {
      for (const order of this.orders) order.begin();
      if (source && options.shuffle !== false) backend.writeTensor(source.order.id, this.bound.order);
      this.epochActive = this.status.filter((s) => s === 'training').length;
      this.epochRows = 0;
      this.epochSeconds = 0;
    }
    const started = performance.now();
    let ran = 0;
    while (this.inEpoch < stepsPerEpoch && ran < limit) {
      const s = this.inEpoch;
      const tail = s >= plan.full;
      const batchRows = tail ? plan.tail : plan.batch;
      for (let m = 0; m < this.n; m++) this.lrs[m] = this.status[m] === 'training' ? this.schedules[m].lrAt(this.steps) : 0;
      step.program = tail ? this.bound.tail!.train : this.bound.full.train;
      step.step = this.steps + 1;
      step.batchOffset = s * plan.batch;
      step.clearStats = s === 0 ? TRAIN_STATS : undefined;
      step.hostInputs = feeder ? feeder.fill(this.bound.order, s * plan.batch, batchRows) : undefined;
      this.runner.train(step);
      this.steps++;
      this.inEpoch++;
      ran++;
      this.epochRows += batchRows;
      // The last yield is remembered across calls: epochs (and chunks) shorter than YIELD_MS must still let Ctrl-C in.
      if (performance.now() - this.yielded > YIELD_MS) {
        await yieldToEvents();
        this.yielded = performance.now();
        if (this.setup.shouldStop?.()) {
          this.stoppedByUser = true;
          break;
        }
      }
    }
    const seconds = (performance.now() - started) / 1000;
    this.epochSeconds += seconds;
    this.seconds += seconds;
    this.modelSteps += this.epochActive * ran;
    if (this.inEpoch < stepsPerEpoch && !this.stoppedByUser) return undefined;
    this.runner.inspect(this.weightCheck);
    const waitStart = performance.now();
    const [lossSums, corrects, weightSquares] = await backend.readModelStats([...TRAIN_STATS, STAT.paramSquares.id]);
    // Steps are submitted without waiting: the read waits for the device to finish the epoch's
    // steps, so that wait is training time too (validation and callbacks after it are not).
    const waited = (performance.now() - waitStart) / 1000;
    this.epochSeconds += waited;
    this.seconds += waited;
    const logs = await this.closeEpoch(this.epoch, this.steps, this.epochRows, this.epochSeconds, lossSums, corrects, weightSquares);
    this.epoch++;
    this.inEpoch = 0;
    const progress: BatchProgress = { epoch: this.epoch, epochs: options.epochs, logs, status: [...this.status] };
    await this.setup.onEpochEnd?.(progress);
    return progress;
  }

  /** Ends the run: models that kept training get their best epoch's weights back (as a lone fit does), and every model its final weights. */
  async finish(): Promise<BatchOutcome> {
    const { backend } = this.setup;
    const restoredBest = this.stopping.map((stop, m) => {
      if (this.status[m] === 'diverged' || !stop?.restoresBest || stop.bestEpoch === undefined) return false;
      if (this.status[m] === 'training') backend.restoreParams('best', m);
      return true;
    });
    for (let m = 0; m < this.n; m++) if (this.status[m] === 'training') this.status[m] = 'completed';
    await this.syncModels();
    return {
      history: this.history,
      status: this.status,
      divergedAt: this.divergedAt,
      bestEpoch: this.stopping.map((s) => s?.bestEpoch),
      restoredBest,
      steps: this.steps,
      seconds: this.seconds,
      modelStepsPerSec: this.modelSteps / Math.max(1e-9, this.seconds),
      stoppedByUser: this.stoppedByUser,
    };
  }

  /** Per model: the epoch's logs, divergence, validation, schedule and early stopping. */
  private async closeEpoch(epoch: number, steps: number, rows: number, seconds: number, lossSums: Float64Array, corrects: Float64Array, weightSquares: Float64Array): Promise<EpochLogs[]> {
    const { backend, validation } = this.setup;
    const classification = this.ctx.classification;
    const logs: EpochLogs[] = [];
    for (let m = 0; m < this.n; m++) {
      const l: EpochLogs = { epoch, step: steps, loss: lossSums[m] / rows, lr: this.schedules[m].lrAt(Math.max(0, steps - 1)), seconds, samplesPerSec: rows / seconds };
      if (classification) l.accuracy = corrects[m] / rows;
      logs.push(l);
      // Weights count as finite while their squares sum within f32's range (so does each weight,
      // on the CPU's float64 too: a model's weights are kept as f32).
      if (this.status[m] === 'training' && !(Number.isFinite(lossSums[m]) && weightSquares[m] <= F32_MAX)) {
        // Frozen on the weights of the last epoch that ended finite, with fresh optimizer state:
        // lr 0 from now on leaves it exactly there.
        backend.restoreParams('lastGood', m);
        backend.resetOptimizerState(m);
        this.status[m] = 'diverged';
        this.divergedAt[m] = epoch;
      }
    }
    backend.saveParams('lastGood');
    if (this.bound.val && validation) {
      runEval(this.runner, this.bound.val);
      const evals = await readModelEvals(backend, validation.rows, classification, this.setup.targetScale);
      evals.forEach((v, m) => {
        logs[m].valLoss = v.loss;
        if (classification) logs[m].valAccuracy = v.accuracy;
        else {
          logs[m].valMse = v.mse;
          logs[m].valMae = v.mae;
        }
      });
    }
    const plateau = this.setup.options.schedule?.kind === 'plateau' ? this.setup.options.schedule : undefined;
    for (let m = 0; m < this.n; m++) {
      if (this.status[m] !== 'training') continue;
      this.history[m].push(logs[m]);
      if (plateau) this.schedules[m].epochEnd(logs[m][plateau.monitor ?? (this.bound.val ? 'valLoss' : 'loss')]);
      const stop = this.stopping[m];
      if (!stop) continue;
      const verdict = stop.update(epoch, logs[m][stop.monitor]);
      if (verdict === 'best' && stop.restoresBest) backend.saveParams('best', m);
      if (verdict === 'stop') {
        if (stop.restoresBest && stop.bestEpoch !== undefined) backend.restoreParams('best', m);
        backend.resetOptimizerState(m);
        this.status[m] = 'stopped early';
      }
    }
    return logs;
  }

  /** Every model's current weights back to its host copy (the playground draws from them between chunks). */
  async syncModels(): Promise<void> {
    const params = await this.setup.backend.readParams();
    const total = this.ctx.layout.total;
    this.setup.models.forEach((model, m) => {
      model.params = params.slice(m * total, (m + 1) * total);
    });
  }
}
