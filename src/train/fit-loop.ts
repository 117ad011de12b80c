// The training loop over a bound backend: one submit per step with this step's scalars, metrics
// accumulated on the device and read back asynchronously (every logEverySteps, and at epoch
// ends), validation after each epoch, schedules, early stopping with best-weight restore, and a
// non-finite loss stopping training with the last finite weights restored.

import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { ParamLayout } from '../graph/params.js';
import { dataSource, deadStat, diagnosticsProgram, evalProgram, gradNormStat, STAT, trainStepProgram, type DataSource, type ProgramContext } from '../graph/programs.js';
import type { ProgramSet } from '../backend/backend.js';
import { SCALAR, SCALARS_LENGTH } from '../ops/args.js';
import { NonFiniteLossError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import type { EpochLogs, FitOptions, MonitorName } from './options.js';
import { makeSchedule } from './schedule.js';

export interface FitResult {
  history: EpochLogs[];
  steps: number;
  stoppedEarly: boolean;
  bestEpoch?: number;
  /** Training throughput over all epochs (samples / wall second, validation excluded). */
  samplesPerSec: number;
  seconds: number;
}

/** Eval batch: large enough to amortise dispatches, small enough for any adapter. */
export const EVAL_BATCH = 1024;

interface BatchPlan {
  batch: number;
  full: number;
  tail: number;
}

function planBatches(rows: number, batch: number): BatchPlan {
  const b = Math.min(batch, rows);
  return { batch: b, full: Math.floor(rows / b), tail: rows % b };
}

/** Host-side batch assembly for datasets too large to bind on the device. */
class HostFeeder {
  readonly x: Float32Array;
  readonly y: Float32Array;
  constructor(private readonly data: Dataset, batch: number) {
    this.x = new Float32Array(batch * data.features);
    this.y = new Float32Array(batch * data.targetWidth);
  }
  fill(order: ArrayLike<number>, start: number, rows: number): Record<string, Float32Array> {
    const { features: f, targetWidth: t } = this.data;
    for (let r = 0; r < rows; r++) {
      const src = order[start + r];
      this.x.set(this.data.x.subarray(src * f, src * f + f), r * f);
      this.y.set(this.data.y.subarray(src * t, src * t + t), r * t);
    }
    return { 'batch:x': this.x.subarray(0, rows * f), 'batch:y': this.y.subarray(0, rows * t) };
  }
}

function resident(backend: Backend, data: Dataset): boolean {
  return data.x.byteLength <= backend.maxTensorBytes && data.y.byteLength <= backend.maxTensorBytes;
}

function identityOrder(rows: number): Float32Array {
  const order = new Float32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  return order;
}

/** Evaluation programs over a resident (or host-fed) dataset, named `${prefix}` and `${prefix}Tail`. */
export function addEvalPrograms(programs: ProgramSet, dataMap: Record<string, Float32Array>, ctx: ProgramContext, backend: Backend, data: Dataset, name: string): { plan: BatchPlan; feeder?: HostFeeder } {
  const plan = planBatches(data.rows, EVAL_BATCH);
  let source: DataSource | undefined;
  let feeder: HostFeeder | undefined;
  if (resident(backend, data)) {
    source = dataSource(name, data.rows, data.features, data.targetWidth);
    dataMap[source.x.id] = data.x;
    dataMap[source.y.id] = data.y;
    dataMap[source.order.id] = identityOrder(data.rows);
  } else {
    feeder = new HostFeeder(data, plan.batch);
  }
  programs[name] = evalProgram(ctx, plan.batch, source);
  if (plan.tail > 0) programs[`${name}Tail`] = evalProgram(ctx, plan.tail, source);
  return { plan, feeder };
}

/** Runs an eval program set over all rows; the caller reads the eval stats afterwards. */
export function runEval(backend: Backend, name: string, data: Dataset, plan: BatchPlan, feeder: HostFeeder | undefined, scalars: Float32Array): void {
  const order = feeder ? identityOrder(data.rows) : undefined;
  const clear = [STAT.evalLoss.id, STAT.evalCorrect.id, STAT.evalMse.id, STAT.evalMae.id];
  const steps = plan.full + (plan.tail > 0 ? 1 : 0);
  for (let s = 0; s < steps; s++) {
    const rows = s < plan.full ? plan.batch : plan.tail;
    scalars[SCALAR.batchOffset] = s * plan.batch;
    backend.run([s < plan.full ? name : `${name}Tail`], scalars, {
      clearStats: s === 0 ? clear : undefined,
      hostInputs: feeder ? feeder.fill(order!, s * plan.batch, rows) : undefined,
    });
  }
}

export interface FitInputs {
  backend: Backend;
  ctx: ProgramContext;
  params: Float32Array;
  train: Dataset;
  validation?: Dataset;
  options: FitOptions;
  /** Converts normalized-unit regression metrics to the user's units (MSE, MAE). */
  targetScale?: number;
}

/** Trains in place on the backend; the caller reads the parameters back afterwards. */
export async function fitLoop(inputs: FitInputs): Promise<FitResult> {
  const { backend, ctx, train, validation, options } = inputs;
  const layout: ParamLayout = ctx.layout;
  const plan = planBatches(train.rows, options.batchSize);
  const trainResident = resident(backend, train);
  const source = trainResident ? dataSource('train', train.rows, train.features, train.targetWidth) : undefined;
  const stepOpts = { optimizer: options.optimizer, clipNorm: options.clipNorm };

  const programs: ProgramSet = { train: trainStepProgram(ctx, plan.batch, source, stepOpts) };
  if (plan.tail > 0) programs.trainTail = trainStepProgram(ctx, plan.tail, source, stepOpts);
  const diagnosticsEvery = options.diagnosticsEverySteps ?? 0;
  if (diagnosticsEvery > 0) {
    programs.diag = diagnosticsProgram(ctx, plan.batch);
    if (plan.tail > 0) programs.diagTail = diagnosticsProgram(ctx, plan.tail);
  }
  const dataMap: Record<string, Float32Array> = {};
  if (source) {
    dataMap[source.x.id] = train.x;
    dataMap[source.y.id] = train.y;
    dataMap[source.order.id] = identityOrder(train.rows);
  }
  const val = validation ? addEvalPrograms(programs, dataMap, ctx, backend, validation, 'val') : undefined;
  await backend.load(programs, layout, dataMap);
  backend.writeParams(inputs.params);
  backend.resetOptimizerState();
  backend.saveParams('lastGood');

  const feeder = trainResident ? undefined : new HostFeeder(train, plan.batch);
  const stepsPerEpoch = plan.full + (plan.tail > 0 ? 1 : 0);
  const totalSteps = Math.min(options.maxSteps ?? Infinity, stepsPerEpoch * options.epochs);
  const schedule = makeSchedule(options.schedule, options.optimizer.lr, totalSteps);
  const rng = new Rng(options.seed ?? 0);
  const order = identityOrder(train.rows);
  const scalars = new Float32Array(SCALARS_LENGTH);
  const classification = ctx.classification;
  const monitor: MonitorName = options.earlyStopping?.monitor ?? (validation ? 'valLoss' : 'loss');
  const diagStats = [...ctx.spec.hidden.map((_, i) => gradNormStat(i).id), gradNormStat(ctx.spec.hidden.length).id, ...ctx.spec.hidden.map((_, i) => deadStat(i).id)];

  const history: EpochLogs[] = [];
  let step = 0;
  let best = Infinity;
  let bestEpoch: number | undefined;
  let wait = 0;
  let stoppedEarly = false;
  let trainSeconds = 0;
  let trainSamples = 0;
  const pending: Promise<void>[] = [];

  for (let epoch = 0; epoch < options.epochs && step < totalSteps; epoch++) {
    const started = performance.now();
    if (options.shuffle !== false) {
      const perm = rng.permutation(train.rows);
      for (let i = 0; i < perm.length; i++) order[i] = perm[i];
      if (source) backend.writeTensor(source.order.id, order);
    }
    let epochRows = 0;
    const firstStep = step + 1;
    let lastLogged = { step, loss: 0, rows: 0 };
    for (let s = 0; s < stepsPerEpoch && step < totalSteps; s++) {
      const rows = s < plan.full ? plan.batch : plan.tail;
      const tail = s >= plan.full;
      scalars[SCALAR.lr] = schedule.lrAt(step);
      scalars[SCALAR.step] = step + 1;
      scalars[SCALAR.rngStep] = step + 1;
      scalars[SCALAR.batchOffset] = s * plan.batch;
      const names = [tail ? 'trainTail' : 'train'];
      const diagnose = diagnosticsEvery > 0 && (step + 1) % diagnosticsEvery === 0;
      if (diagnose) names.push(tail ? 'diagTail' : 'diag');
      backend.run(names, scalars, {
        clearStats: s === 0 ? [STAT.lossSum.id, STAT.correct.id] : undefined,
        hostInputs: feeder ? feeder.fill(order, s * plan.batch, rows) : undefined,
      });
      step++;
      epochRows += rows;
      if (diagnose && options.callbacks?.onDiagnostics) {
        const at = step;
        const layers = ctx.spec.hidden.length;
        pending.push(
          backend.readStats(diagStats).then((v) => {
            options.callbacks!.onDiagnostics!({
              step: at,
              gradNorms: v.slice(0, layers + 1).map(Math.sqrt),
              deadFraction: ctx.spec.hidden.map((layer, i) => v[layers + 1 + i] / layer.units),
            });
          }),
        );
      }
      if (options.logEverySteps && step % options.logEverySteps === 0 && options.callbacks?.onStep) {
        const at = step;
        const rowsSoFar = epochRows;
        const since = lastLogged;
        lastLogged = { step: at, loss: 0, rows: rowsSoFar };
        // Not awaited: the stats are copied after this step's work and resolve later.
        pending.push(
          backend.readStats([STAT.lossSum.id]).then(([sum]) => {
            const loss = (sum - since.loss) / Math.max(1, rowsSoFar - since.rows);
            lastLogged.loss = sum;
            options.callbacks!.onStep!({ step: at, epoch, loss });
          }),
        );
      }
    }
    const [lossSum, correct] = await backend.readStats([STAT.lossSum.id, STAT.correct.id]);
    const seconds = (performance.now() - started) / 1000;
    trainSeconds += seconds;
    trainSamples += epochRows;
    if (!Number.isFinite(lossSum)) {
      backend.restoreParams('lastGood');
      await Promise.all(pending);
      throw new NonFiniteLossError(step, lossSum, firstStep);
    }
    backend.saveParams('lastGood');

    const logs: EpochLogs = { epoch, loss: lossSum / epochRows, lr: schedule.lrAt(Math.max(0, step - 1)), seconds, samplesPerSec: epochRows / seconds };
    if (classification) logs.accuracy = correct / epochRows;
    if (validation && val) {
      runEval(backend, 'val', validation, val.plan, val.feeder, scalars);
      const [vLoss, vCorrect, vMse, vMae] = await backend.readStats([STAT.evalLoss.id, STAT.evalCorrect.id, STAT.evalMse.id, STAT.evalMae.id]);
      logs.valLoss = vLoss / validation.rows;
      if (classification) logs.valAccuracy = vCorrect / validation.rows;
      else {
        const scale = inputs.targetScale ?? 1;
        logs.valMse = (vMse / validation.rows) * scale * scale;
        logs.valMae = (vMae / validation.rows) * scale;
      }
    }
    await Promise.all(pending.splice(0));
    history.push(logs);
    const monitored = logs[monitor];
    schedule.epochEnd(options.schedule?.kind === 'plateau' ? logs[options.schedule.monitor ?? (validation ? 'valLoss' : 'loss')] : monitored);
    await options.callbacks?.onEpochEnd?.(logs);

    if (options.earlyStopping && monitored !== undefined) {
      const score = monitor.toLowerCase().includes('accuracy') ? -monitored : monitored;
      if (score < best - (options.earlyStopping.minDelta ?? 0)) {
        best = score;
        bestEpoch = epoch;
        wait = 0;
        if (options.earlyStopping.restoreBestWeights !== false) backend.saveParams('best');
      } else if (++wait > options.earlyStopping.patience) {
        stoppedEarly = true;
        break;
      }
    }
  }
  if (options.earlyStopping && bestEpoch !== undefined && options.earlyStopping.restoreBestWeights !== false) backend.restoreParams('best');
  await backend.idle();
  return { history, steps: step, stoppedEarly, bestEpoch, samplesPerSec: trainSamples / Math.max(1e-9, trainSeconds), seconds: trainSeconds };
}
