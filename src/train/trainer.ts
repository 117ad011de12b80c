// A training session (model.trainer, and fit from start to end): programs bound once on one
// backend, then train() chunks, evaluate() and predict() in any order, one at a time, without
// rebinding. It is also the loop: each step goes to the StepRunner and submits once, and nothing
// is read back until an epoch or a chunk ends (then the loss is checked, validation runs, the
// schedule and early stopping react). Its state outlives a chunk: the step count (Adam's bias
// correction), the shuffling RNG, the epoch in progress, the schedule, early stopping's best.

import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { STAT, type ProgramContext } from '../graph/programs.js';
import type { Model } from '../model/model.js';
import type { EpochLogs, LoopState, SessionState } from '../types/session-state.js';
import { InputError, NonFiniteLossError } from '../util/errors.js';
import { EarlyStopping } from './early-stopping.js';
import { EpochOrder } from './epoch-order.js';
import { ladderEvalPass, readEval, runEval, type EvaluateResult } from './eval-pass.js';
import type { SessionOptions } from './options.js';
import { runPredict } from './predict.js';
import { runRecord } from './run-record.js';
import { makeSchedule, type Schedule } from './schedule.js';
import { sessionPrograms, type SessionPrograms } from './session-programs.js';
import { checkSessionState } from './session-state.js';
import { StepLogs } from './step-logs.js';
import { StepRunner, type TrainStep } from './step-runner.js';
import { chunkResult, countRead, newEpoch, newTally, resumedEpoch, type ChunkOptions, type ChunkResult, type EpochState, type Tally } from './tally.js';
import { validateChunk } from './validate-options.js';
import { validate } from './validation.js';
import { YIELD_MS, yieldToEvents } from './yield-events.js';

export type { ChunkOptions, ChunkResult, SessionState };

/** What model.trainer hands over once the data is checked, split and normalized (train/fit.ts). */
export interface TrainerSetup {
  model: Model;
  backend: Backend;
  ownsBackend: boolean;
  train: Dataset;
  validation?: Dataset;
  options: SessionOptions;
  /** Converts normalized-unit regression metrics to the user's units (MSE, MAE). */
  targetScale?: number;
  /** Bind the eval/predict ladders (fit, which never predicts, skips them). */
  inference: boolean;
}

const TRAIN_STATS = [STAT.lossSum.id, STAT.correct.id];


export class Trainer {
  readonly model: Model;
  readonly backend: Backend;
  readonly stepsPerEpoch: number;
  private readonly options: SessionOptions;
  private readonly ctx: ProgramContext;
  private readonly bound: SessionPrograms;
  private readonly runner: StepRunner;
  /** The step handed to the runner, rewritten in place each step: the step loop allocates nothing. */
  private readonly nextStep: TrainStep;
  private readonly logs: StepLogs;
  private readonly stopping?: EarlyStopping;
  private readonly rows: EpochOrder;
  /** The schedule's length in steps (cosine decays over it). */
  private readonly horizon: number;
  private schedule: Schedule;
  private baseLr: number;
  private readonly done: EpochLogs[] = [];
  private steps = 0;
  private epochs = 0;
  private stopped = false;
  /** Steps at the last finite-loss check (the weights a failed session keeps). */
  private lastCheck = 0;
  private cur: EpochState = newEpoch();
  private stopRequested = false;
  private failure?: Error;
  private restoredBest = false;
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly setup: TrainerSetup) {
    const { model, backend, options } = setup;
    this.model = model;
    this.backend = backend;
    this.options = options;
    this.ctx = model.programContext(options.seed ?? 0);
    this.bound = sessionPrograms(this.ctx, backend, setup.train, setup.validation, options, setup.inference);
    this.stepsPerEpoch = this.bound.stepsPerEpoch;
    this.runner = new StepRunner(backend);
    this.nextStep = { program: this.bound.full.train, step: 0, lr: 0, batchOffset: 0 };
    this.logs = new StepLogs(backend, this.ctx.spec, options);
    this.horizon = Math.max(1, Math.min(options.scheduleSteps ?? Infinity, (options.epochs ?? Infinity) * this.stepsPerEpoch));
    this.schedule = makeSchedule(options.schedule, options.optimizer.lr, this.horizon);
    this.baseLr = options.optimizer.lr;
    this.rows = new EpochOrder(options.seed ?? 0, options.shuffle !== false, this.bound.order, backend, this.bound.source);
    if (options.earlyStopping) this.stopping = new EarlyStopping(options.earlyStopping, options.earlyStopping.monitor ?? (this.bound.val ? 'valLoss' : 'loss'));
  }

  /** Binds every program and uploads the data and the model's weights: the only binding it does. */
  static async bind(setup: TrainerSetup): Promise<Trainer> {
    const t = new Trainer(setup);
    // A state that does not fit this session is refused before anything is compiled or uploaded.
    if (setup.options.resume) checkSessionState(setup.options.resume, t.model.layout.total, t.stepsPerEpoch, t.bound.order.length, Boolean(t.stopping));
    await t.backend.load(t.bound.programs, t.model.layout, t.bound.dataMap);
    t.backend.writeParams(t.model.params);
    t.backend.resetOptimizerState();
    t.backend.saveParams('lastGood');
    if (setup.options.resume) t.restore(setup.options.resume);
    return t;
  }

  /** Optimizer steps taken so far (the schedule and Adam's bias correction count from here). */
  get step(): number {
    return this.steps;
  }
  /** Epochs completed so far. */
  get epoch(): number {
    return this.epochs;
  }
  /** Steps into the current, unfinished epoch (0 at an epoch boundary). */
  get stepInEpoch(): number {
    return this.cur.step;
  }
  get history(): readonly EpochLogs[] {
    return this.done;
  }
  get stoppedEarly(): boolean {
    return this.stopped;
  }
  get bestEpoch(): number | undefined {
    return this.stopping?.bestEpoch;
  }
  /** The learning rate the next step will use. */
  get learningRate(): number {
    return this.schedule.lrAt(this.steps);
  }

  /**
   * The whole session as data (a checkpoint): weights, optimizer moments, the best epoch's
   * weights, step count, schedule position, shuffling RNG, early stopping and the history.
   * A session given it as `resume` continues exactly where this one is now.
   */
  async exportState(): Promise<SessionState> {
    this.usable('exportState');
    return this.serial(async () => {
      if (this.failure) throw new Error(`Trainer.exportState: the session stopped after an error (${this.failure.message}); its optimizer state is not worth keeping`);
      const [param, state1, state2, best] = await Promise.all((['param', 'state1', 'state2', 'best'] as const).map((n) => this.backend.readFlat(n)));
      const keepBest = this.stopping?.restoresBest && this.stopping.bestEpoch !== undefined;
      return { format: 'webgpu-mlp-session', version: 1, loop: this.loopState(), flats: { param: param!, state1: state1!, state2: state2!, ...(keepBest && best ? { best } : {}) } };
    });
  }

  /** Makes the running chunk (or the next one) return after its current step (Ctrl-C); the session stays usable. */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Trains one chunk; the model's host weights are updated when it ends. */
  async train(chunk: ChunkOptions): Promise<ChunkResult> {
    validateChunk(chunk);
    this.usable('train');
    this.restoredBest = false;
    return this.serial(() => this.guard(() => this.runChunk(chunk)));
  }

  /** Ends a cut-short epoch now (logs, validation, schedule and early stopping); undefined at a boundary. */
  async endEpoch(): Promise<EpochLogs | undefined> {
    this.usable('endEpoch');
    return this.serial(() => this.guard(async () => (this.cur.step === 0 ? undefined : this.closeEpoch(newTally()))));
  }

  /** Puts the best epoch's weights back (early stopping with restoreBestWeights); false when there are none. */
  async restoreBestWeights(): Promise<boolean> {
    this.usable('restoreBestWeights');
    return this.serial(async () => {
      const stopping = this.stopping;
      if (stopping?.bestEpoch === undefined || !stopping.restoresBest) return false;
      this.backend.restoreParams('best');
      await this.syncModel();
      this.restoredBest = true;
      this.recordRun(this.stopped ? 'stopped early' : 'completed');
      return true;
    });
  }

  /** A new base learning rate from the next step on; step-based schedules keep their position (a plateau schedule restarts). */
  setLearningRate(lr: number): void {
    if (!(typeof lr === 'number' && Number.isFinite(lr) && lr > 0)) throw new InputError('lr', lr, 'a finite number > 0');
    this.schedule = makeSchedule(this.options.schedule, lr, this.horizon);
    this.baseLr = lr;
  }

  /** Loss and accuracy (or MSE/MAE) of the current weights on any dataset the model accepts. */
  async evaluate(data: Dataset): Promise<EvaluateResult> {
    this.usable('evaluate');
    const evals = this.inference('evaluate').evals;
    this.model.checkData(data);
    const prepared = this.model.prepare(data);
    return this.serial(async () => {
      runEval(this.runner, ladderEvalPass(evals, prepared));
      return readEval(this.backend, data.rows, this.ctx.classification, this.setup.targetScale);
    });
  }

  /** model.predict's outputs from the session's current weights, on the programs bound at the start. */
  async predict(x: Float32Array): Promise<Float32Array> {
    this.usable('predict');
    const { predictor } = this.inference('predict');
    const input = this.model.predictInput(x);
    const raw = await this.serial(() => runPredict(this.runner, predictor, input, this.model.spec.inputSize, this.model.spec.outputSize));
    return this.model.predictOutput(raw);
  }

  /** Releases the backend (when the session created it) after any queued work. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.serial(async () => {
      if (this.setup.ownsBackend) this.backend.destroy();
    });
  }

  private async runChunk(chunk: ChunkOptions): Promise<ChunkResult> {
    const tally = newTally();
    const history: EpochLogs[] = [];
    const maxSteps = chunk.steps ?? Infinity;
    const maxEpochs = chunk.epochs ?? Infinity;
    let yielded = performance.now();
    while (!this.stopped && !this.stopRequested && tally.steps < maxSteps && history.length < maxEpochs) {
      this.runStep();
      tally.steps++;
      // Steps are submitted without waiting; let events in (Ctrl-C, a UI's pause) a few times a second.
      if (performance.now() - yielded > YIELD_MS) {
        await yieldToEvents();
        yielded = performance.now();
      }
      if (this.cur.step === this.stepsPerEpoch) history.push(await this.closeEpoch(tally));
    }
    // Mid-epoch: check the loss so far (and keep these weights as the last good ones).
    if (this.cur.step > 0 && tally.steps > 0) await this.readProgress(tally);
    await this.logs.flush();
    this.stopRequested = false;
    return chunkResult(tally, history, this.stopped, this.ctx.classification);
  }

  /** One step: the StepRunner records it (one submit); the callbacks queue their read-backs. */
  private runStep(): void {
    if (this.cur.step === 0) this.beginEpoch();
    const e = this.cur;
    const { plan, feeder, order } = this.bound;
    const tail = e.step >= plan.full;
    const programs = tail ? this.bound.tail! : this.bound.full;
    const rows = tail ? plan.tail : plan.batch;
    const at = this.steps + 1;
    const step = this.nextStep;
    step.program = programs.train;
    step.step = at;
    step.lr = this.schedule.lrAt(this.steps);
    step.batchOffset = e.step * plan.batch;
    step.diagnostics = this.logs.diagnoses(at) ? programs.diagnostics : undefined;
    step.clearStats = e.step === 0 ? TRAIN_STATS : undefined;
    step.hostInputs = feeder ? feeder.fill(order, e.step * plan.batch, rows) : undefined;
    this.runner.train(step);
    this.steps = at;
    e.step++;
    e.rows += rows;
    this.logs.afterStep(at, this.epochs, e);
  }

  private beginEpoch(): void {
    this.cur = newEpoch();
    this.rows.begin();
  }

  /** Reads the epoch's accumulators, checks the loss is finite and saves these weights as last good. */
  private async readProgress(tally: Tally): Promise<[number, number]> {
    const [lossSum, correct] = await this.backend.readStats(TRAIN_STATS);
    countRead(tally, this.cur, lossSum, correct);
    if (!Number.isFinite(lossSum)) {
      this.backend.restoreParams('lastGood');
      await this.logs.flush();
      throw new NonFiniteLossError(this.steps, lossSum, this.lastCheck + 1);
    }
    this.lastCheck = this.steps;
    this.backend.saveParams('lastGood');
    return [lossSum, correct];
  }

  private async closeEpoch(tally: Tally): Promise<EpochLogs> {
    const [lossSum, correct] = await this.readProgress(tally);
    const e = this.cur;
    const { classification } = this.ctx;
    const logs: EpochLogs = { epoch: this.epochs, step: this.steps, loss: lossSum / e.rows, lr: this.schedule.lrAt(Math.max(0, this.steps - 1)), seconds: e.seconds, samplesPerSec: e.rows / e.seconds };
    if (classification) logs.accuracy = correct / e.rows;
    const val = this.bound.val;
    if (val) await validate(this.runner, this.backend, val, logs, classification, this.setup.targetScale);
    await this.logs.flush();
    this.done.push(logs);
    this.epochs++;
    this.cur = newEpoch();
    const s = this.options.schedule;
    if (s?.kind === 'plateau') this.schedule.epochEnd(logs[s.monitor ?? (val ? 'valLoss' : 'loss')]);
    await this.options.callbacks?.onEpochEnd?.(logs);
    if (this.stopping) {
      const verdict = this.stopping.update(logs.epoch, logs[this.stopping.monitor]);
      if (verdict === 'best' && this.stopping.restoresBest) this.backend.saveParams('best');
      if (verdict === 'stop') {
        this.stopped = true;
        if (this.stopping.restoresBest && this.stopping.bestEpoch !== undefined) this.backend.restoreParams('best');
      }
    }
    // Validation and callbacks are not training time.
    tally.clock = performance.now();
    return logs;
  }

  /** The loop's position and bookkeeping as JSON (checkpoints). */
  private loopState(): LoopState {
    const { step, rows, seconds, read } = this.cur;
    return {
      step: this.steps,
      epochs: this.epochs,
      stopped: this.stopped,
      lastCheck: this.lastCheck,
      baseLr: this.baseLr,
      rng: this.rows.state(this.cur.step > 0),
      stepsPerEpoch: this.stepsPerEpoch,
      rows: this.bound.order.length,
      epoch: { step, rows, seconds, read: { ...read } },
      ...(this.schedule.state ? { schedule: this.schedule.state } : {}),
      ...(this.stopping ? { stopping: this.stopping.state } : {}),
      history: this.done.map((h) => ({ ...h })),
    };
  }

  /** Restores an exported session on these bound programs (called by bind for options.resume). */
  private restore(state: SessionState): void {
    this.backend.writeFlat('param', state.flats.param);
    this.backend.writeFlat('state1', state.flats.state1);
    this.backend.writeFlat('state2', state.flats.state2);
    if (state.flats.best) this.backend.writeFlat('best', state.flats.best);
    const s = state.loop;
    this.steps = s.step;
    this.epochs = s.epochs;
    this.stopped = s.stopped;
    this.lastCheck = s.lastCheck;
    this.setLearningRate(s.baseLr);
    if (s.schedule && this.schedule.state) this.schedule.state = s.schedule;
    if (s.stopping && this.stopping) this.stopping.state = s.stopping;
    this.done.splice(0, this.done.length, ...s.history.map((h) => ({ ...h })));
    this.rows.restore(s.rng);
    this.cur = newEpoch();
    if (s.epoch.step > 0) {
      // Mid-epoch: the same permutation, and the epoch's loss sums back in the accumulators.
      this.beginEpoch();
      this.cur = resumedEpoch(s.epoch);
      this.backend.writeTensor(STAT.lossSum.id, new Float32Array([s.epoch.read.loss]));
      this.backend.writeTensor(STAT.correct.id, new Float32Array([s.epoch.read.correct]));
    }
    this.backend.saveParams('lastGood');
    this.model.params = Float32Array.from(state.flats.param);
    this.recordRun('resumed');
  }

  private usable(what: string): void {
    if (this.disposed) throw new InputError(`Trainer.${what}`, 'a disposed trainer', 'a live session (create one with model.trainer())');
  }

  private inference(what: string): Required<Pick<SessionPrograms, 'evals' | 'predictor'>> {
    const { evals, predictor } = this.bound;
    if (!evals || !predictor) throw new Error(`Trainer.${what}: this session was bound without prediction programs`);
    return { evals, predictor };
  }

  /** One operation at a time: chunks, predictions and evaluations share the bound tensors. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Copies the weights to the model after training; on failure keeps the last finite ones and refuses to go on. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    // The optimizer moments may hold whatever the failed step left: a new session starts clean.
    if (this.failure) throw new Error(`Trainer: training stopped after an error (${this.failure.message}); start a new session with model.trainer() to continue from the kept weights`);
    try {
      const result = await fn();
      await this.syncModel();
      return result;
    } catch (err) {
      this.failure = err as Error;
      this.logs.abandon();
      try {
        const params = await this.backend.readParams();
        if (params.every(Number.isFinite)) this.model.params = params;
      } catch {
        /* the device is gone: the host copy from the last chunk stays */
      }
      this.recordRun(err instanceof NonFiniteLossError ? 'non-finite loss' : 'failed');
      throw err;
    }
  }

  private async syncModel(): Promise<void> {
    this.model.params = await this.backend.readParams();
    this.recordRun(this.stopped ? 'stopped early' : 'completed');
  }

  /** What actually happened, saved with the model: epochs and steps done, best epoch, last metrics. */
  private recordRun(outcome: string): void {
    this.model.training = runRecord(this.model.training, {
      outcome,
      history: this.done,
      epochs: this.epochs,
      // A failed session keeps the weights of its last finite check: count the steps they saw.
      steps: this.failure ? this.lastCheck : this.steps,
      bestEpoch: this.bestEpoch,
      restoredBest: this.restoredBest,
    });
  }
}
