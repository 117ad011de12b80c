// Learning-rate schedules. Step-based ones are a pure function of the global step, computed on
// the host and written into the step's scalars; reduce-on-plateau reacts to epoch metrics.

import type { ScheduleState } from '../types/session-state.js';
import type { ScheduleSpec } from './options.js';

export interface Schedule {
  /** Learning rate for the 0-based global step. */
  lrAt(step: number): number;
  /** Called after each epoch with the monitored value; plateau schedules may lower the rate. */
  epochEnd(monitored: number | undefined): void;
  /** What the schedule has learned from epochs (plateau: its rate, best and wait), as JSON for checkpoints. */
  state?: ScheduleState;
}

export function makeSchedule(spec: ScheduleSpec | undefined, baseLr: number, totalSteps: number): Schedule {
  const s = spec ?? { kind: 'constant' };
  switch (s.kind) {
    case 'constant':
      return { lrAt: () => baseLr, epochEnd: () => {} };
    case 'step': {
      const gamma = s.gamma ?? 0.1;
      return { lrAt: (t) => baseLr * gamma ** Math.floor(t / s.stepSize), epochEnd: () => {} };
    }
    case 'exponential':
      return { lrAt: (t) => baseLr * s.gamma ** t, epochEnd: () => {} };
    case 'cosine': {
      const warmup = s.warmupSteps ?? 0;
      const minLr = s.minLr ?? 0;
      return {
        lrAt(t) {
          if (t < warmup) return (baseLr * (t + 1)) / warmup;
          const progress = Math.min(1, (t - warmup) / Math.max(1, totalSteps - warmup));
          return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * progress));
        },
        epochEnd: () => {},
      };
    }
    case 'plateau': {
      const factor = s.factor ?? 0.5;
      const patience = s.patience ?? 3;
      const minLr = s.minLr ?? 0;
      const lowerIsBetter = !(s.monitor ?? 'valLoss').toLowerCase().includes('accuracy');
      let lr = baseLr;
      let best = Infinity;
      let wait = 0;
      return {
        get state() {
          return { lr, best: Number.isFinite(best) ? best : null, wait };
        },
        set state(s) {
          lr = s!.lr;
          best = s!.best ?? Infinity;
          wait = s!.wait;
        },
        lrAt: () => lr,
        epochEnd(value) {
          if (value === undefined || !Number.isFinite(value)) return;
          const score = lowerIsBetter ? value : -value;
          if (score < best - 1e-12) {
            best = score;
            wait = 0;
          } else if (++wait > patience) {
            lr = Math.max(minLr, lr * factor);
            wait = 0;
          }
        },
      };
    }
    default:
      return s satisfies never;
  }
}
