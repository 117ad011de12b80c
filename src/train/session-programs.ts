// What a training session binds, once: the train step at the batch size and its tail, the
// optional diagnostics pass, validation over its known rows, and (for sessions that predict)
// eval/predict programs at every ladder size. The training set is resident when it fits.

import type { Backend, ProgramSet } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { dataSource, diagnosticsProgram, trainStepProgram, type DataSource, type ProgramContext } from '../graph/programs.js';
import { addEvalPrograms, addLadderEvalPrograms, HostFeeder, identityOrder, LADDER, planBatches, resident, type BatchPlan, type EvalPass } from './feed.js';
import type { SessionOptions } from './options.js';
import { addPredictPrograms, type PredictPrograms } from './predict.js';

export interface SessionPrograms {
  programs: ProgramSet;
  /** Data tensors uploaded at load. */
  dataMap: Record<string, Float32Array>;
  plan: BatchPlan;
  stepsPerEpoch: number;
  /** The epoch's row order; the resident source reads it on the device (written per epoch). */
  order: Float32Array;
  source?: DataSource;
  /** Set instead of `source` when the training set exceeds a binding: batches come from the host. */
  feeder?: HostFeeder;
  val?: EvalPass;
  predictor?: PredictPrograms;
}

/** Program names the step loop and Trainer.evaluate run. */
export const EVAL_PREFIX = 'eval';

export function sessionPrograms(ctx: ProgramContext, backend: Backend, train: Dataset, validation: Dataset | undefined, options: SessionOptions, inference: boolean): SessionPrograms {
  const plan = planBatches(train.rows, options.batchSize);
  const order = identityOrder(train.rows);
  const programs: ProgramSet = {};
  const dataMap: Record<string, Float32Array> = {};
  let source: DataSource | undefined;
  let feeder: HostFeeder | undefined;
  if (resident(backend, train)) {
    source = dataSource('train', train.rows, train.features, train.targetWidth);
    dataMap[source.x.id] = train.x;
    dataMap[source.y.id] = train.y;
    dataMap[source.order.id] = order;
  } else feeder = new HostFeeder(train, plan.batch);
  const stepOpts = { optimizer: options.optimizer, clipNorm: options.clipNorm };
  programs.train = trainStepProgram(ctx, plan.batch, source, stepOpts);
  if (plan.tail > 0) programs.trainTail = trainStepProgram(ctx, plan.tail, source, stepOpts);
  if ((options.diagnosticsEverySteps ?? 0) > 0) {
    programs.diag = diagnosticsProgram(ctx, plan.batch);
    if (plan.tail > 0) programs.diagTail = diagnosticsProgram(ctx, plan.tail);
  }
  const val = validation ? addEvalPrograms(programs, dataMap, ctx, backend, validation, 'val') : undefined;
  let predictor: PredictPrograms | undefined;
  if (inference) {
    addLadderEvalPrograms(programs, ctx, EVAL_PREFIX);
    predictor = addPredictPrograms(programs, ctx, LADDER);
  }
  const stepsPerEpoch = plan.full + (plan.tail > 0 ? 1 : 0);
  return { programs, dataMap, plan, stepsPerEpoch, order, source, feeder, val, predictor };
}
