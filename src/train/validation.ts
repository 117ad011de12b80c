// Validation at the end of an epoch: the bound validation pass over its rows, its metrics added
// to the epoch's logs (loss and accuracy, or MSE and MAE in the target's units).

import type { Backend } from '../backend/backend.js';
import type { EpochLogs } from '../types/session-state.js';
import { readEval, runEval, type EvalPass } from './eval-pass.js';
import type { StepRunner } from './step-runner.js';

export async function validate(runner: StepRunner, backend: Backend, val: EvalPass, logs: EpochLogs, classification: boolean, targetScale: number | undefined): Promise<void> {
  runEval(runner, val);
  const v = await readEval(backend, val.data.rows, classification, targetScale);
  logs.valLoss = v.loss;
  if (classification) logs.valAccuracy = v.accuracy;
  else {
    logs.valMse = v.mse;
    logs.valMae = v.mae;
  }
}
