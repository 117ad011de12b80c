// A training session as plain data: the epoch logs it keeps, the loop's JSON state and the
// exported session (Trainer.exportState, checkpoints). Kept below io/, model/ and train/, which
// all read it: a checkpoint file is written by io/ without knowing the trainer.

export const SESSION_STATE_FORMAT = 'webgpu-mlp-session';

export interface EpochLogs {
  epoch: number;
  /** Optimizer steps taken when this epoch ended (counted across a session's chunks). */
  step: number;
  loss: number;
  accuracy?: number;
  mse?: number;
  mae?: number;
  valLoss?: number;
  valAccuracy?: number;
  valMse?: number;
  valMae?: number;
  lr: number;
  seconds: number;
  samplesPerSec: number;
}

/** The epoch in progress: its steps, rows and training seconds, and what the last stats read saw. */
export interface EpochProgress {
  step: number;
  rows: number;
  seconds: number;
  read: { loss: number; correct: number; rows: number };
}

/** Reduce-on-plateau's bookkeeping: its rate, best value (null before one) and wait. */
export interface ScheduleState {
  lr: number;
  best: number | null;
  wait: number;
}

/** Early stopping's bookkeeping; best and bestEpoch are null before the first epoch. */
export interface EarlyStoppingState {
  best: number | null;
  wait: number;
  bestEpoch: number | null;
}

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
  epoch: EpochProgress;
  schedule?: ScheduleState;
  stopping?: EarlyStoppingState;
  history: EpochLogs[];
}

export interface SessionState {
  format: typeof SESSION_STATE_FORMAT;
  version: 1;
  loop: LoopState;
  /** Weights, the optimizer's two moment buffers and (with early stopping) the best epoch's weights. */
  flats: { param: Float64Array; state1: Float64Array; state2: Float64Array; best?: Float64Array };
}
