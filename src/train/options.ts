// Everything fit() accepts besides the data, with defaults. Plain data so the CLI's --config file
// and a saved model's training record are the same object.

import type { OptimizerSpec } from '../types/optimizer-spec.js';
import type { EpochLogs, SessionState } from '../types/session-state.js';

export type { EpochLogs };

export type ScheduleSpec =
  | { kind: 'constant' }
  | { kind: 'step'; stepSize: number; gamma?: number }
  | { kind: 'exponential'; gamma: number }
  | { kind: 'cosine'; warmupSteps?: number; minLr?: number }
  | { kind: 'plateau'; factor?: number; patience?: number; minLr?: number; monitor?: MonitorName };

export type MonitorName = 'loss' | 'valLoss' | 'accuracy' | 'valAccuracy';

export type { OptimizerSpec } from '../types/optimizer-spec.js';

export interface EarlyStoppingSpec {
  monitor?: MonitorName;
  patience: number;
  minDelta?: number;
  restoreBestWeights?: boolean;
}

export interface StepLogs {
  step: number;
  epoch: number;
  /** Mean loss over the steps since the last step log (read back asynchronously). */
  loss: number;
}

export interface DiagnosticsLogs {
  step: number;
  /** L2 norm of each dense layer's weight gradient, input layer first (output layer last). */
  gradNorms: number[];
  /** Fraction of units in each hidden layer whose output was 0 for the whole batch. */
  deadFraction: number[];
}

export interface Callbacks {
  onEpochEnd?(logs: EpochLogs): void | Promise<void>;
  onStep?(logs: StepLogs): void;
  onDiagnostics?(logs: DiagnosticsLogs): void;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerSpec;
  schedule?: ScheduleSpec;
  shuffle?: boolean;
  seed?: number;
  /** Fraction of the training rows held out for validation (ignored when validationData is given). */
  validationSplit?: number;
  clipNorm?: number;
  earlyStopping?: EarlyStoppingSpec;
  /** Steps between asynchronous loss read-backs for onStep (default: once per epoch only). */
  logEverySteps?: number;
  /** Steps between diagnostics (gradient norms, dead units); 0 = off. */
  diagnosticsEverySteps?: number;
  callbacks?: Callbacks;
  /** Stop after this many optimizer steps in total (a cut-short last epoch is still logged). */
  maxSteps?: number;
  /**
   * Continue an exported session (Trainer.exportState, loadCheckpoint): its weights, optimizer
   * moments, step, schedule, RNG and early stopping. fit then trains until `epochs` epochs in all.
   */
  resume?: SessionState;
}

/**
 * A training session's settings (Model.trainer): fit's options without the run length, which each
 * train() chunk gives instead. The LR schedule still needs a horizon (cosine decays over it):
 * min(scheduleSteps, epochs x steps per epoch), whichever are given.
 */
export interface SessionOptions extends Omit<FitOptions, 'epochs' | 'maxSteps'> {
  /** Planned epochs: only the schedule's horizon, chunks may train past it. */
  epochs?: number;
  /** Planned optimizer steps: the schedule's horizon (cosine reaches minLr here). */
  scheduleSteps?: number;
}

export const DEFAULT_BATCH = 32;
