// The sweep's results table: trials grouped by configuration (everything but the seed), each row
// the mean and sample standard deviation of the metric over its seeds, best configuration first;
// a configuration with a diverged seed ranks after every fully finite one.

import type { TrialValue } from './trials.js';

/** What a sweep ranks by: validation accuracy, or validation MSE in the target's units (regression); the training ones without validation rows. */
export type SweepMetric = 'valAccuracy' | 'valMse' | 'accuracy' | 'loss';

export interface ConfigSummary {
  config: Readonly<Record<string, TrialValue>>;
  /** Trials (models) of this configuration, one per seed. */
  trials: number[];
  mean: number;
  /** Sample standard deviation over the seeds (0 for one seed). */
  std: number;
  /** Seeds whose model diverged. */
  diverged: number;
  /** Mean loss on the ranking rows over the finite seeds: orders configurations of equal accuracy. */
  loss: number;
}

interface Scored {
  index: number;
  config: Readonly<Record<string, TrialValue>>;
  configKey: string;
  score: number;
  /** Loss on the rows the score is taken on. */
  rankLoss: number;
}

export function summarize(trials: readonly Scored[], metric: SweepMetric): ConfigSummary[] {
  const groups = new Map<string, Scored[]>();
  for (const t of trials) groups.set(t.configKey, [...(groups.get(t.configKey) ?? []), t]);
  const rows = [...groups.values()].map((group): ConfigSummary => {
    const kept = group.filter((t) => Number.isFinite(t.score));
    const finite = kept.map((t) => t.score);
    const mean = finite.reduce((a, b) => a + b, 0) / Math.max(1, finite.length);
    const loss = kept.reduce((a, t) => a + t.rankLoss, 0) / Math.max(1, kept.length);
    const variance = finite.length > 1 ? finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1) : 0;
    const { seed: _seed, ...config } = group[0].config;
    return { config, trials: group.map((t) => t.index), mean: finite.length ? mean : NaN, std: Math.sqrt(variance), diverged: group.length - finite.length, loss: kept.length ? loss : NaN };
  });
  const higher = metric.toLowerCase().includes('accuracy');
  return rows.sort((a, b) => {
    const badA = a.diverged > 0 || !Number.isFinite(a.mean);
    const badB = b.diverged > 0 || !Number.isFinite(b.mean);
    if (badA !== badB) return badA ? 1 : -1;
    if (!Number.isFinite(a.mean) || !Number.isFinite(b.mean)) return Number.isFinite(a.mean) ? -1 : 1;
    const byMean = higher ? b.mean - a.mean : a.mean - b.mean;
    return byMean !== 0 ? byMean : a.loss - b.loss;
  });
}
