// The sweep's progress on stderr: on a terminal one cli-progress bar for the whole batch (epoch i/N,
// models training / stopped / diverged, the best metric so far), in a pipe one line per epoch.

import cliProgress from 'cli-progress';
import type { BatchProgress } from '../train/sweep/batch-session.js';
import { compareScores } from '../train/sweep/sweep.js';
import type { SweepMetric } from '../train/sweep/summary.js';
import { metricLabel, metricText } from './sweep-table.js';

export interface SweepProgress {
  epochEnd(p: BatchProgress): void;
  stop(): void;
}

export function createSweepProgress(tty: boolean, epochs: number, metric: SweepMetric): SweepProgress {
  let best: number | undefined;
  /** "12 training, 0 stopped, 1 diverged", "best val_acc 95.00% so far" (any model, any epoch). */
  const describe = (p: BatchProgress): { counts: string; best: string } => {
    const count = (s: string) => p.status.filter((x) => x === s).length;
    for (const [m, l] of p.logs.entries()) {
      const v = l[metric];
      if (p.status[m] !== 'diverged' && v !== undefined && Number.isFinite(v) && (best === undefined || compareScores(metric, v, best) < 0)) best = v;
    }
    return { counts: `${count('training')} training, ${count('stopped early')} stopped, ${count('diverged')} diverged`, best: `best ${metricLabel(metric)} ${metricText(metric, best)} so far` };
  };
  if (!tty) {
    return {
      epochEnd(p) {
        const { counts, best } = describe(p);
        process.stderr.write(`epoch ${p.epoch}/${p.epochs}  ${counts}  ${best}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'sweep [{bar}] epoch {value}/{total} | {counts} | {best} | {duration_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(epochs, 0, { counts: 'first epoch', best: `best ${metricLabel(metric)} -` });
  let active = true;
  // The bar hides the cursor; whatever ends the process (an error, a second Ctrl-C) gives it back.
  process.once('exit', () => {
    if (active) bar.stop();
  });
  return {
    epochEnd(p) {
      bar.update(p.epoch, describe(p));
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}
