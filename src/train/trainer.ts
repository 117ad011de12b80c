// A training session (Model.trainer): programs bound once on one backend, then train() chunks,
// evaluate() and predict() in any order, one at a time, without rebinding. Optimizer moments, the
// step count (Adam's bias correction), the schedule and the shuffle carry over between chunks.
// Model.fit is one session from start to end, so there is a single training loop (epoch-loop.ts).

import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import type { ProgramContext } from '../graph/programs.js';
import type { Model } from '../model/model.js';
import { SCALARS_LENGTH } from '../ops/args.js';
import { InputError, NonFiniteLossError } from '../util/errors.js';
import { EpochLoop, type ChunkOptions, type ChunkResult } from './epoch-loop.js';
import { checkSessionState, type SessionState } from './session-state.js';
import { ladderEvalPass, readEval, runEval, type EvaluateResult } from './feed.js';
import type { EpochLogs, SessionOptions } from './options.js';
import { runPredict, type PredictPrograms } from './predict.js';
import { EVAL_PREFIX, sessionPrograms, type SessionPrograms } from './session-programs.js';
import { validateChunk } from './validate-options.js';

export type { ChunkOptions, ChunkResult, SessionState };

export interface FitResult {
  history: EpochLogs[];
  steps: number;
  stoppedEarly: boolean;
  bestEpoch?: number;
  /** Training throughput over all epochs (samples / wall second, validation excluded). */
  samplesPerSec: number;
  seconds: number;
}

/** What Model.trainer hands over once the data is checked, split and normalized. */
export interface TrainerSetup {
  model: Model;
  backend: Backend;
  ownsBackend: boolean;
  train: Dataset;
  validation?: Dataset;
  options: SessionOptions;
  /** Converts normalized-unit regression metrics to the user's units (MSE, MAE). */
  targetScale?: number;
  /** Bind the eval/predict ladders (Model.fit, which never predicts, skips them). */
  inference: boolean;
}

export class Trainer {
  readonly model: Model;
  readonly backend: Backend;
  readonly stepsPerEpoch: number;
  private readonly ctx: ProgramContext;
  private readonly bound: SessionPrograms;
  private readonly loop: EpochLoop;
  private readonly scalars = new Float32Array(SCALARS_LENGTH);
  private failure?: Error;
  private restoredBest = false;
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly setup: TrainerSetup) {
    const { model, backend, options } = setup;
    this.model = model;
    this.backend = backend;
    this.ctx = model.programContext(options.seed ?? 0);
    this.bound = sessionPrograms(this.ctx, backend, setup.train, setup.validation, options, setup.inference);
    this.stepsPerEpoch = this.bound.stepsPerEpoch;
    this.loop = new EpochLoop(backend, this.ctx, this.bound, options, setup.targetScale);
  }

  /** Binds every program and uploads the data and the model's weights: the only binding it does. */
  static async bind(setup: TrainerSetup): Promise<Trainer> {
    const t = new Trainer(setup);
    // A state that does not fit this session is refused before anything is compiled or uploaded.
    if (setup.options.resume) checkSessionState(setup.options.resume, t.model.layout.total, t.stepsPerEpoch, t.bound.order.length, Boolean(t.loop.stopping));
    await t.backend.load(t.bound.programs, t.model.layout, t.bound.dataMap);
    t.backend.writeParams(t.model.params);
    t.backend.resetOptimizerState();
    t.backend.saveParams('lastGood');
    if (setup.options.resume) t.restore(setup.options.resume);
    return t;
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
      const keepBest = this.loop.stopping?.restoresBest && this.loop.stopping.bestEpoch !== undefined;
      return { format: 'webgpu-mlp-session', version: 1, loop: this.loop.exportState(), flats: { param: param!, state1: state1!, state2: state2!, ...(keepBest && best ? { best } : {}) } };
    });
  }

  /** Makes the running chunk return after its current step (Ctrl-C); the session stays usable. */
  requestStop(): void {
    this.loop.requestStop();
  }

  /** Restores an exported session on these bound programs (called by bind for options.resume). */
  private restore(state: SessionState): void {
    this.backend.writeFlat('param', state.flats.param);
    this.backend.writeFlat('state1', state.flats.state1);
    this.backend.writeFlat('state2', state.flats.state2);
    if (state.flats.best) this.backend.writeFlat('best', state.flats.best);
    this.loop.importState(state.loop);
    this.backend.saveParams('lastGood');
    this.model.params = Float32Array.from(state.flats.param);
    this.recordRun('resumed');
  }

  /** Optimizer steps taken so far (the schedule and Adam's bias correction count from here). */
  get step(): number {
    return this.loop.step;
  }
  /** Epochs completed so far. */
  get epoch(): number {
    return this.loop.epochs;
  }
  /** Steps into the current, unfinished epoch (0 at an epoch boundary). */
  get stepInEpoch(): number {
    return this.loop.stepInEpoch;
  }
  get history(): readonly EpochLogs[] {
    return this.loop.history;
  }
  get stoppedEarly(): boolean {
    return this.loop.stopped;
  }
  get bestEpoch(): number | undefined {
    return this.loop.stopping?.bestEpoch;
  }
  /** The learning rate the next step will use. */
  get learningRate(): number {
    return this.loop.learningRate;
  }

  /** Trains one chunk; the model's host weights are updated when it ends. */
  async train(chunk: ChunkOptions): Promise<ChunkResult> {
    validateChunk(chunk);
    this.usable('train');
    this.restoredBest = false;
    return this.serial(() => this.guard(() => this.loop.runChunk(chunk)));
  }

  /** Ends a cut-short epoch now (logs, validation, schedule and early stopping); undefined at a boundary. */
  async endEpoch(): Promise<EpochLogs | undefined> {
    this.usable('endEpoch');
    return this.serial(() => this.guard(() => this.loop.endEpoch()));
  }

  /** Puts the best epoch's weights back (early stopping with restoreBestWeights); false when there are none. */
  async restoreBestWeights(): Promise<boolean> {
    this.usable('restoreBestWeights');
    return this.serial(async () => {
      const stopping = this.loop.stopping;
      if (stopping?.bestEpoch === undefined || !stopping.restoresBest) return false;
      this.backend.restoreParams('best');
      await this.syncModel();
      this.restoredBest = true;
      this.recordRun(this.loop.stopped ? 'stopped early' : 'completed');
      return true;
    });
  }

  /** A new base learning rate from the next step on; step-based schedules keep their position (a plateau schedule restarts). */
  setLearningRate(lr: number): void {
    this.loop.setLearningRate(lr);
  }

  /** Loss and accuracy (or MSE/MAE) of the current weights on any dataset the model accepts. */
  async evaluate(data: Dataset): Promise<EvaluateResult> {
    this.usable('evaluate');
    this.inference('evaluate');
    this.model.checkData(data);
    const prepared = this.model.prepare(data);
    return this.serial(async () => {
      runEval(this.backend, ladderEvalPass(EVAL_PREFIX, prepared), this.scalars);
      return readEval(this.backend, data.rows, this.ctx.classification, this.setup.targetScale);
    });
  }

  /** Model.predict's outputs from the session's current weights, on the programs bound at the start. */
  async predict(x: Float32Array): Promise<Float32Array> {
    this.usable('predict');
    const predictor = this.inference('predict');
    const input = this.model.predictInput(x);
    const raw = await this.serial(() => runPredict(this.backend, predictor, input, this.model.spec.inputSize, this.model.spec.outputSize));
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

  private usable(what: string): void {
    if (this.disposed) throw new InputError(`Trainer.${what}`, 'a disposed trainer', 'a live session (create one with model.trainer())');
  }

  private inference(what: string): PredictPrograms {
    if (!this.bound.predictor) throw new Error(`Trainer.${what}: this session was bound without prediction programs`);
    return this.bound.predictor;
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
      this.loop.abandon();
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
    this.recordRun(this.loop.stopped ? 'stopped early' : 'completed');
  }

  /** What actually happened, saved with the model: epochs and steps done, best epoch, last metrics. */
  private recordRun(outcome: string): void {
    // After restoring the best weights, the metrics that describe the saved weights are the best epoch's.
    const last = this.restoredBest ? this.loop.history.find((h) => h.epoch === this.bestEpoch) : this.loop.history.at(-1);
    const metrics = last ? Object.fromEntries(Object.entries(last).filter(([k]) => !['epoch', 'step', 'lr', 'seconds', 'samplesPerSec'].includes(k))) : undefined;
    this.model.training = {
      ...this.model.training,
      outcome,
      epochsCompleted: this.loop.epochs,
      // A failed session keeps the weights of its last finite check: count the steps they saw.
      stepsCompleted: this.failure ? this.loop.checkedStep : this.loop.step,
      ...(this.bestEpoch !== undefined ? { bestEpoch: this.bestEpoch, weightsFromBestEpoch: this.restoredBest } : {}),
      ...(metrics ? { final: metrics } : {}),
    };
  }
}

/**
 * Model.fit: one session from start to end; an epoch cut short by maxSteps is still logged. A
 * resumed session trains until `epochs` epochs have ended in all.
 */
export async function fitSession(trainer: Trainer, epochs: number, maxSteps?: number): Promise<FitResult> {
  if (trainer.epoch >= epochs) throw new InputError('epochs', epochs, `more than the ${trainer.epoch} epochs the resumed session has already trained`);
  await trainer.train({ epochs: epochs - trainer.epoch, steps: maxSteps });
  return finishSession(trainer);
}

/** The end of a fit: close a cut-short epoch, put the best weights back, sum up. */
export async function finishSession(trainer: Trainer): Promise<FitResult> {
  if (trainer.stepInEpoch > 0) await trainer.endEpoch();
  await trainer.restoreBestWeights();
  const history = [...trainer.history];
  const seconds = history.reduce((s, h) => s + h.seconds, 0);
  const samples = history.reduce((s, h) => s + h.samplesPerSec * h.seconds, 0);
  return { history, steps: trainer.step, stoppedEarly: trainer.stoppedEarly, bestEpoch: trainer.bestEpoch, samplesPerSec: samples / Math.max(1e-9, seconds), seconds };
}
