// What a session did, as the record saved with the model (model.training): outcome, epochs and
// steps done, the best epoch, and the last metrics of the weights the model holds.

import type { EpochLogs } from '../types/session-state.js';

export interface RunFacts {
  outcome: string;
  history: readonly EpochLogs[];
  epochs: number;
  steps: number;
  bestEpoch?: number;
  /** The model holds the best epoch's weights (restored), not the last ones. */
  restoredBest: boolean;
}

/** The model's training record, updated with what happened. */
export function runRecord(previous: Record<string, unknown> | undefined, f: RunFacts): Record<string, unknown> {
  // After restoring the best weights, the metrics that describe the saved weights are the best epoch's.
  const last = f.restoredBest ? f.history.find((h) => h.epoch === f.bestEpoch) : f.history.at(-1);
  const metrics = last ? Object.fromEntries(Object.entries(last).filter(([k]) => !['epoch', 'step', 'lr', 'seconds', 'samplesPerSec'].includes(k))) : undefined;
  return {
    ...previous,
    outcome: f.outcome,
    epochsCompleted: f.epochs,
    stepsCompleted: f.steps,
    ...(f.bestEpoch !== undefined ? { bestEpoch: f.bestEpoch, weightsFromBestEpoch: f.restoredBest } : {}),
    ...(metrics ? { final: metrics } : {}),
  };
}
