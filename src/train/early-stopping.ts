// Early stopping's bookkeeping, kept apart from the step loop: the best monitored value so far,
// its epoch, and how many epochs have passed without beating it. The trainer saves and restores
// the weights; this only decides.

import type { EarlyStoppingState } from '../types/session-state.js';
import type { EarlyStoppingSpec, MonitorName } from './options.js';

export class EarlyStopping {
  private best = Infinity;
  private wait = 0;
  bestEpoch?: number;

  constructor(
    private readonly spec: EarlyStoppingSpec,
    readonly monitor: MonitorName,
  ) {}

  /** Its bookkeeping as plain JSON (checkpoints); best is null before the first epoch. */
  get state(): EarlyStoppingState {
    return { best: Number.isFinite(this.best) ? this.best : null, wait: this.wait, bestEpoch: this.bestEpoch ?? null };
  }
  set state(s: EarlyStoppingState) {
    this.best = s.best ?? Infinity;
    this.wait = s.wait;
    this.bestEpoch = s.bestEpoch ?? undefined;
  }

  get restoresBest(): boolean {
    return this.spec.restoreBestWeights !== false;
  }

  /** 'best' when this epoch is a new best (save the weights), 'stop' when patience ran out. */
  update(epoch: number, monitored: number | undefined): 'best' | 'stop' | 'wait' {
    if (monitored === undefined) return 'wait';
    // Accuracies improve upwards, losses downwards.
    const score = this.monitor.toLowerCase().includes('accuracy') ? -monitored : monitored;
    if (score < this.best - (this.spec.minDelta ?? 0)) {
      this.best = score;
      this.bestEpoch = epoch;
      this.wait = 0;
      return 'best';
    }
    return ++this.wait > this.spec.patience ? 'stop' : 'wait';
  }
}
