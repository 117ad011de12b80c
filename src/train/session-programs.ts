// What a training session binds, once: the train step at the batch size and its tail, the
// optional diagnostics pass, validation over its known rows, and (for sessions that predict)
// eval/predict programs at every ladder size. The training set is resident when it fits.

import { programSet, type Backend, type ProgramSet } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import type { Program } from '../graph/program.js';
import { dataSource, diagnosticsProgram, trainStepProgram, type DataSource, type ProgramContext } from '../graph/programs.js';
import { LADDER, planBatches, type BatchPlan } from './batches.js';
import { evalLadder, evalPassFor, type EvalLadder, type EvalPass } from './eval-pass.js';
import { HostFeeder, identityOrder, resident } from './host-feed.js';
import type { SessionOptions } from './options.js';
import { predictPrograms, type PredictPrograms } from './predict.js';

/** The programs of one batch size: the step, and its diagnostics when they are on. */
export interface StepPrograms {
  train: Program<'train'>;
  diagnostics?: Program<'diagnostics'>;
}

export interface SessionPrograms {
  programs: ProgramSet;
  /** Data tensors uploaded at load. */
  dataMap: Record<string, Float32Array>;
  plan: BatchPlan;
  stepsPerEpoch: number;
  /** Steps at the full batch size, and at the epoch's last, smaller batch when rows do not divide. */
  full: StepPrograms;
  tail?: StepPrograms;
  /** The epoch's row order; the resident source reads it on the device (written per epoch). */
  order: Float32Array;
  source?: DataSource;
  /** Set instead of `source` when the training set exceeds a binding: batches come from the host. */
  feeder?: HostFeeder;
  val?: EvalPass;
  /** Bound for sessions that predict (Model.trainer): evaluation and prediction at every ladder size. */
  evals?: EvalLadder;
  predictor?: PredictPrograms;
}

export function sessionPrograms(ctx: ProgramContext, backend: Backend, train: Dataset, validation: Dataset | undefined, options: SessionOptions, inference: boolean): SessionPrograms {
  const plan = planBatches(train.rows, options.batchSize);
  // A model batch whose models each read their own row order holds one order per model, back to back.
  const orders = ctx.models?.perModelOrder ? ctx.models.specs.length : 1;
  const order = identityOrder(train.rows, orders);
  const dataMap: Record<string, Float32Array> = {};
  let source: DataSource | undefined;
  let feeder: HostFeeder | undefined;
  if (resident(backend, train)) {
    source = dataSource('train', train.rows, train.features, train.targetWidth, orders > 1);
    dataMap[source.x.id] = train.x;
    dataMap[source.y.id] = train.y;
    dataMap[source.order.id] = order;
  } else {
    if (orders > 1) throw new Error('internal: a model batch with a row order per model needs its training set resident');
    feeder = new HostFeeder(train, plan.batch);
  }
  const stepOpts = { optimizer: options.optimizer, clipNorm: options.clipNorm };
  const diagnose = (options.diagnosticsEverySteps ?? 0) > 0;
  const stepPrograms = (batch: number, name: string): StepPrograms => ({
    train: trainStepProgram(ctx, batch, source, stepOpts, name),
    ...(diagnose ? { diagnostics: diagnosticsProgram(ctx, batch, name === 'train' ? 'diag' : 'diagTail') } : {}),
  });
  const full = stepPrograms(plan.batch, 'train');
  const tail = plan.tail > 0 ? stepPrograms(plan.tail, 'trainTail') : undefined;
  const val = validation ? evalPassFor(ctx, backend, validation, 'val', dataMap) : undefined;
  const evals = inference ? evalLadder(ctx, 'eval') : undefined;
  const predictor = inference ? predictPrograms(ctx, LADDER) : undefined;
  // Loaded in the order they were always bound: steps, diagnostics, validation, eval, predict.
  const all: (Program | undefined)[] = [full.train, tail?.train, full.diagnostics, tail?.diagnostics, ...(val?.programs.values() ?? []), ...(evals?.values() ?? []), ...(predictor?.values() ?? [])];
  const stepsPerEpoch = plan.full + (plan.tail > 0 ? 1 : 0);
  return { programs: programSet(all.filter((p): p is Program => p !== undefined)), dataMap, plan, stepsPerEpoch, full, tail, order, source, feeder, val, evals, predictor };
}
