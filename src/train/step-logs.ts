// The per-step callbacks (onStep, onDiagnostics): their stats are read back asynchronously after
// the step that produced them, never waited for in the step loop; the loop awaits what is still
// pending when an epoch or a chunk ends, and drops it when a chunk fails.

import type { Backend } from '../backend/backend.js';
import { deadStat, gradNormStat, STAT } from '../graph/programs.js';
import type { ModelSpec } from '../types/model-spec.js';
import type { SessionOptions } from './options.js';
import type { EpochState } from './tally.js';

export class StepLogs {
  private pending: Promise<void>[] = [];
  private readonly diagStats: string[];

  constructor(
    private readonly backend: Backend,
    private readonly spec: ModelSpec,
    private readonly options: SessionOptions,
  ) {
    const hidden = spec.hidden;
    this.diagStats = [...hidden.map((_, i) => gradNormStat(i).id), gradNormStat(hidden.length).id, ...hidden.map((_, i) => deadStat(i).id)];
  }

  /** Whether step `at` (1-based) runs the diagnostics program. */
  diagnoses(at: number): boolean {
    const every = this.options.diagnosticsEverySteps ?? 0;
    return every > 0 && at % every === 0;
  }

  /** Queues the read-backs of the step that just ran (step `at`, in `epoch`, whose progress is `e`). */
  afterStep(at: number, epoch: number, e: EpochState): void {
    const { options } = this;
    const callbacks = options.callbacks;
    if (this.diagnoses(at) && callbacks?.onDiagnostics) {
      const hidden = this.spec.hidden;
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
      this.pending.push(
        this.backend.readStats([STAT.lossSum.id]).then(([sum]) => {
          mine.loss = sum;
          callbacks.onStep!({ step: at, epoch, loss: (sum - since.loss) / Math.max(1, mine.rows - since.rows) });
        }),
      );
    }
  }

  /** Waits for every queued read-back (and its callback). */
  async flush(): Promise<void> {
    await Promise.all(this.pending.splice(0));
  }

  /** Failed chunks leave read-backs behind: drop them. */
  abandon(): void {
    this.pending = [];
  }
}
