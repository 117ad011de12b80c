// Reads the training controls (loss, optimizer, learning rate, schedule, batch size, weight decay,
// clip norm, seed) into engine option objects. The loss menu only offers losses valid for the
// current dataset's task.

import { LOSSES, OPTIMIZERS, type LossName, type OptimizerName, type OptimizerSpec, type ScheduleSpec, type Task } from '../src/index.js';
import { byId, fillSelect, num } from './dom.js';

const LOSSES_BY_TASK: Record<Task, readonly LossName[]> = {
  regression: ['mse', 'mae', 'huber'],
  binary: ['bce_logits'],
  multiclass: ['softmax_ce', 'softmax_ce_dense'],
};

export interface TrainSettings {
  loss: LossName;
  optimizer: OptimizerSpec;
  schedule: ScheduleSpec;
  /** Steps the schedule spans (cosine reaches its minimum there). */
  horizon: number;
  batchSize: number;
  clipNorm?: number;
  seed: number;
  /** Stop when the held-out loss stops improving, restoring the best epoch's weights. */
  earlyStopping: boolean;
}

/** What a dataset or lesson preset sets together, so an optimizer never runs with another one's learning rate. */
export interface TrainingPreset {
  optimizer: OptimizerName;
  lr: number;
  batchSize?: number;
  weightDecay?: number;
  earlyStopping?: boolean;
}

export function setTraining(p: TrainingPreset): void {
  byId<HTMLSelectElement>('optimizer').value = p.optimizer;
  byId<HTMLInputElement>('lr').value = String(p.lr);
  byId<HTMLInputElement>('batch-size').value = String(p.batchSize ?? 32);
  byId<HTMLInputElement>('weight-decay').value = String(p.weightDecay ?? 0);
  byId<HTMLInputElement>('early-stop').checked = !!p.earlyStopping;
}

export function initTrainOptions(): void {
  fillSelect(byId<HTMLSelectElement>('optimizer'), OPTIMIZERS, 'adam');
  fillSelect(byId<HTMLSelectElement>('schedule'), ['constant', 'step', 'exponential', 'cosine', 'plateau'], 'constant');
  setLossChoices('binary');
}

/** Limits the loss menu to the task's losses, keeping the current choice when still valid. */
export function setLossChoices(task: Task): void {
  const select = byId<HTMLSelectElement>('loss');
  const allowed = LOSSES_BY_TASK[task].filter((l) => LOSSES.includes(l));
  fillSelect(select, allowed, select.value);
}

/** The schedule over `horizon` steps; the engine session applies it by global step. */
function scheduleSpec(kind: string, horizon: number): ScheduleSpec {
  switch (kind) {
    case 'step':
      return { kind: 'step', stepSize: Math.max(1, Math.round(horizon / 4)), gamma: 0.5 };
    case 'exponential':
      return { kind: 'exponential', gamma: Math.pow(0.1, 1 / Math.max(1, horizon)) };
    case 'cosine':
      return { kind: 'cosine', warmupSteps: Math.round(horizon / 20), minLr: 0 };
    case 'plateau':
      return { kind: 'plateau', factor: 0.5, patience: 5 };
    default:
      return { kind: 'constant' };
  }
}

export function readTrainSettings(): TrainSettings {
  const horizon = Math.max(1, Math.round(num('schedule-steps', 2000)));
  const wd = Math.max(0, num('weight-decay', 0));
  const optimizer: OptimizerSpec = { name: byId<HTMLSelectElement>('optimizer').value as OptimizerName, lr: Math.max(1e-6, num('lr', 0.03)) };
  if (wd > 0) optimizer.weightDecay = wd;
  const clip = num('clip-norm', 0);
  return {
    loss: byId<HTMLSelectElement>('loss').value as LossName,
    optimizer,
    schedule: scheduleSpec(byId<HTMLSelectElement>('schedule').value, horizon),
    horizon,
    batchSize: Math.max(1, Math.round(num('batch-size', 32))),
    clipNorm: clip > 0 ? clip : undefined,
    seed: Math.round(num('seed', 1)),
    earlyStopping: byId<HTMLInputElement>('early-stop').checked,
  };
}
