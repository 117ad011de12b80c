// The training loop, owned by a session: each step writes its scalars and submits once, and
// nothing is read back until an epoch or a chunk ends (then the loss is checked, validation runs,
// the schedule and early stopping react). All of its state outlives a chunk: the global step,
// the shuffling RNG, the epoch in progress, the schedule and early stopping's best.

import type { Backend } from '../backend/backend.js';
import { deadStat, gradNormStat, STAT, type ProgramContext } from '../graph/programs.js';
import { SCALAR, SCALARS_LENGTH } from '../ops/args.js';
import { InputError, NonFiniteLossError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { EarlyStopping } from './early-stopping.js';
import { readEval, runEval } from './feed.js';
import type { EpochLogs, SessionOptions } from './options.js';
import { makeSchedule, type Schedule } from './schedule.js';
import type { SessionPrograms } from './session-programs.js';

export interface ChunkOptions {
  /** Train until this many epochs have ended (a chunk that starts mid-epoch finishes that one first). */
  epochs?: number;
  /** Train at most this many optimizer steps. With epochs too, whichever comes first. */
  steps?: number;
}

export interface ChunkResult {
  /** Optimizer steps this chunk ran (0 once early stopping has stopped the session). */
  steps: number;
  /** Logs of the epochs that ended in this chunk. */
  history: EpochLogs[];
  /** Mean training loss (and accuracy) over this chunk's rows; NaN when it ran no steps. */
  loss: number;
  accuracy?: number;
  stoppedEarly: boolean;
  /** Training time of this chunk (validation excluded) and its throughput. */
  seconds: number;
  samplesPerSec: number;
}

/** Progress of the current epoch; `read` is what the last stats read-back saw. */
interface EpochState {
  step: number;
  rows: number;
  seconds: number;
  read: { loss: number; correct: number; rows: number };
  logged: { loss: number; rows: number };
}

/** Running totals of one chunk. `clock` marks the start of not yet counted training time. */
interface Tally {
  steps: number;
  rows: number;
  loss: number;
  correct: number;
  seconds: number;
  clock: number;
}

const TRAIN_STATS = [STAT.lossSum.id, STAT.correct.id];

/** How often a chunk lets other events run (at most ~1% of a step loop in a browser, where timers take >= 4 ms). */
const YIELD_MS = 250;
const yieldToEvents = (): Promise<void> => new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * Everything the loop knows, as plain JSON, for checkpoints: position, base LR, the shuffling
 * RNG (at the start of the epoch in progress, whose order it regenerates), the epoch in progress
 * with its accumulated loss sums, the schedule's and early stopping's bookkeeping, the history.
 */
export interface LoopState {
  step: number;
  epochs: number;
  stopped: boolean;
  lastCheck: number;
  baseLr: number;
  rng: number;
  stepsPerEpoch: number;
  rows: number;
  epoch: Omit<EpochState, 'logged'>;
  schedule?: Schedule['state'];
  stopping?: EarlyStopping['state'];
  history: EpochLogs[];
}

export class EpochLoop {
  readonly history: EpochLogs[] = [];
  step = 0;
  epochs = 0;
  stopped = false;
  readonly stopping?: EarlyStopping;
  private readonly scalars = new Float32Array(SCALARS_LENGTH);
  private readonly rng: Rng;
  private readonly horizon: number;
  private readonly diagStats: string[];
  private schedule: Schedule;
  private cur: EpochState = newEpoch();
  private lastCheck = 0;
  private pending: Promise<void>[] = [];
  private baseLr: number;
  /** The shuffling RNG's state when the epoch in progress began (before its permutation). */
  private epochRng: number;
  private stopRequested = false;

  constructor(
    private readonly backend: Backend,
    private readonly ctx: ProgramContext,
    private readonly bound: SessionPrograms,
    private readonly options: SessionOptions,
    private readonly targetScale: number | undefined,
  ) {
    this.horizon = Math.max(1, Math.min(options.scheduleSteps ?? Infinity, (options.epochs ?? Infinity) * bound.stepsPerEpoch));
    this.schedule = makeSchedule(options.schedule, options.optimizer.lr, this.horizon);
    this.rng = new Rng(options.seed ?? 0);
    this.epochRng = this.rng.state32;
    this.baseLr = options.optimizer.lr;
    if (options.earlyStopping) this.stopping = new EarlyStopping(options.earlyStopping, options.earlyStopping.monitor ?? (bound.val ? 'valLoss' : 'loss'));
    const hidden = ctx.spec.hidden;
    this.diagStats = [...hidden.map((_, i) => gradNormStat(i).id), gradNormStat(hidden.length).id, ...hidden.map((_, i) => deadStat(i).id)];
  }

  /** Steps at the last finite-loss check (the weights a failed session keeps). */
  get checkedStep(): number {
    return this.lastCheck;
  }

  get stepInEpoch(): number {
    return this.cur.step;
  }

  get learningRate(): number {
    return this.schedule.lrAt(this.step);
  }

  setLearningRate(lr: number): void {
    if (!(typeof lr === 'number' && Number.isFinite(lr) && lr > 0)) throw new InputError('lr', lr, 'a finite number > 0');
    this.schedule = makeSchedule(this.options.schedule, lr, this.horizon);
    this.baseLr = lr;
  }

  /** Makes the running chunk (or the next one) return after its current step. */
  requestStop(): void {
    this.stopRequested = true;
  }

  exportState(): LoopState {
    const { step, rows, seconds, read } = this.cur;
    return {
      step: this.step,
      epochs: this.epochs,
      stopped: this.stopped,
      lastCheck: this.lastCheck,
      baseLr: this.baseLr,
      rng: this.cur.step > 0 ? this.epochRng : this.rng.state32,
      stepsPerEpoch: this.bound.stepsPerEpoch,
      rows: this.bound.order.length,
      epoch: { step, rows, seconds, read: { ...read } },
      ...(this.schedule.state ? { schedule: this.schedule.state } : {}),
      ...(this.stopping ? { stopping: this.stopping.state } : {}),
      history: this.history.map((h) => ({ ...h })),
    };
  }

  /** Puts the loop where exportState found it; the caller restores the weights and moments. */
  importState(s: LoopState): void {
    this.step = s.step;
    this.epochs = s.epochs;
    this.stopped = s.stopped;
    this.lastCheck = s.lastCheck;
    this.setLearningRate(s.baseLr);
    if (s.schedule && this.schedule.state) this.schedule.state = s.schedule;
    if (s.stopping && this.stopping) this.stopping.state = s.stopping;
    this.history.splice(0, this.history.length, ...s.history.map((h) => ({ ...h })));
    this.rng.state32 = s.rng;
    this.cur = newEpoch();
    if (s.epoch.step > 0) {
      // Mid-epoch: the same permutation, and the epoch's loss sums back in the accumulators.
      this.beginEpoch();
      this.cur = { ...s.epoch, read: { ...s.epoch.read }, logged: { loss: s.epoch.read.loss, rows: s.epoch.read.rows } };
      this.backend.writeTensor(STAT.lossSum.id, new Float32Array([s.epoch.read.loss]));
      this.backend.writeTensor(STAT.correct.id, new Float32Array([s.epoch.read.correct]));
    }
  }

  /** Failed chunks leave callbacks' read-backs behind: drop them. */
  abandon(): void {
    this.pending = [];
  }

  async runChunk(chunk: ChunkOptions): Promise<ChunkResult> {
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
      if (this.cur.step === this.bound.stepsPerEpoch) history.push(await this.closeEpoch(tally));
    }
    // Mid-epoch: check the loss so far (and keep these weights as the last good ones).
    if (this.cur.step > 0 && tally.steps > 0) await this.readProgress(tally);
    await Promise.all(this.pending.splice(0));
    this.stopRequested = false;
    const rows = tally.rows;
    return {
      steps: tally.steps,
      history,
      loss: rows > 0 ? tally.loss / rows : NaN,
      accuracy: this.ctx.classification ? (rows > 0 ? tally.correct / rows : NaN) : undefined,
      stoppedEarly: this.stopped,
      seconds: tally.seconds,
      samplesPerSec: rows / Math.max(1e-9, tally.seconds),
    };
  }

  /** Ends a cut-short epoch now; undefined at an epoch boundary. */
  async endEpoch(): Promise<EpochLogs | undefined> {
    return this.cur.step === 0 ? undefined : this.closeEpoch(newTally());
  }

  private beginEpoch(): void {
    this.cur = newEpoch();
    this.epochRng = this.rng.state32;
    if (this.options.shuffle === false) return;
    const { order, source } = this.bound;
    const perm = this.rng.permutation(order.length);
    for (let i = 0; i < perm.length; i++) order[i] = perm[i];
    if (source) this.backend.writeTensor(source.order.id, order);
  }

  /** Records one step: this step's scalars, then one submit. Reads back nothing. */
  private runStep(): void {
    if (this.cur.step === 0) this.beginEpoch();
    const e = this.cur;
    const { scalars, options } = this;
    const { plan, feeder, order } = this.bound;
    const tail = e.step >= plan.full;
    const rows = tail ? plan.tail : plan.batch;
    scalars[SCALAR.lr] = this.schedule.lrAt(this.step);
    scalars[SCALAR.step] = this.step + 1;
    scalars[SCALAR.rngStep] = this.step + 1;
    scalars[SCALAR.batchOffset] = e.step * plan.batch;
    const every = options.diagnosticsEverySteps ?? 0;
    const diagnose = every > 0 && (this.step + 1) % every === 0;
    const names = [tail ? 'trainTail' : 'train'];
    if (diagnose) names.push(tail ? 'diagTail' : 'diag');
    this.backend.run(names, scalars, {
      clearStats: e.step === 0 ? TRAIN_STATS : undefined,
      hostInputs: feeder ? feeder.fill(order, e.step * plan.batch, rows) : undefined,
    });
    this.step++;
    e.step++;
    e.rows += rows;
    const at = this.step;
    const callbacks = options.callbacks;
    if (diagnose && callbacks?.onDiagnostics) {
      const hidden = this.ctx.spec.hidden;
      this.pending.push(
        this.backend.readStats(this.diagStats).then((v) => {
          callbacks.onDiagnostics!({
            step: at,
            gradNorms: v.slice(0, hidden.length + 1).map(Math.sqrt),
            deadFraction: hidden.map((layer, i) => v[hidden.length + 1 + i] / layer.units),
          });
        }),
      );
    }
    if (options.logEverySteps && at % options.logEverySteps === 0 && callbacks?.onStep) {
      // Not awaited: the stats are copied after this step's work and resolve later, in order,
      // so `since` has its sum by the time this one resolves.
      const since = e.logged;
      const mine = { loss: 0, rows: e.rows };
      e.logged = mine;
      const epoch = this.epochs;
      this.pending.push(
        this.backend.readStats([STAT.lossSum.id]).then(([sum]) => {
          mine.loss = sum;
          callbacks.onStep!({ step: at, epoch, loss: (sum - since.loss) / Math.max(1, mine.rows - since.rows) });
        }),
      );
    }
  }

  /** Reads the epoch's accumulators, checks the loss is finite and saves these weights as last good. */
  private async readProgress(tally: Tally): Promise<[number, number]> {
    const [lossSum, correct] = await this.backend.readStats(TRAIN_STATS);
    const now = performance.now();
    const dt = (now - tally.clock) / 1000;
    tally.clock = now;
    tally.seconds += dt;
    const e = this.cur;
    e.seconds += dt;
    tally.loss += lossSum - e.read.loss;
    tally.correct += correct - e.read.correct;
    tally.rows += e.rows - e.read.rows;
    e.read = { loss: lossSum, correct, rows: e.rows };
    if (!Number.isFinite(lossSum)) {
      this.backend.restoreParams('lastGood');
      await Promise.all(this.pending.splice(0));
      throw new NonFiniteLossError(this.step, lossSum, this.lastCheck + 1);
    }
    this.lastCheck = this.step;
    this.backend.saveParams('lastGood');
    return [lossSum, correct];
  }

  private async closeEpoch(tally: Tally): Promise<EpochLogs> {
    const [lossSum, correct] = await this.readProgress(tally);
    const e = this.cur;
    const { classification } = this.ctx;
    const logs: EpochLogs = { epoch: this.epochs, step: this.step, loss: lossSum / e.rows, lr: this.schedule.lrAt(Math.max(0, this.step - 1)), seconds: e.seconds, samplesPerSec: e.rows / e.seconds };
    if (classification) logs.accuracy = correct / e.rows;
    const val = this.bound.val;
    if (val) {
      runEval(this.backend, val, this.scalars);
      const v = await readEval(this.backend, val.data.rows, classification, this.targetScale);
      logs.valLoss = v.loss;
      if (classification) logs.valAccuracy = v.accuracy;
      else {
        logs.valMse = v.mse;
        logs.valMae = v.mae;
      }
    }
    await Promise.all(this.pending.splice(0));
    this.history.push(logs);
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
}

function newEpoch(): EpochState {
  return { step: 0, rows: 0, seconds: 0, read: { loss: 0, correct: 0, rows: 0 }, logged: { loss: 0, rows: 0 } };
}

function newTally(): Tally {
  return { steps: 0, rows: 0, loss: 0, correct: 0, seconds: 0, clock: performance.now() };
}
