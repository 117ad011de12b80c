// The sweep command's text output: the results table (one row per configuration, best first, the
// metric's mean ± std over its seeds, the seed and diverged counts, only the columns that vary) and
// the metric's name and value as the progress bar and the summary lines print them.

import type { ConfigSummary, SweepMetric } from '../train/sweep/summary.js';
import type { TrialValue } from '../train/sweep/trials.js';

const LABELS: Record<SweepMetric, string> = { valAccuracy: 'val_acc', valMse: 'val_mse', accuracy: 'train_acc', loss: 'train_loss' };
const isAccuracy = (metric: SweepMetric) => metric === 'valAccuracy' || metric === 'accuracy';

export const metricLabel = (metric: SweepMetric): string => LABELS[metric];

/** An accuracy in percent (2 decimals), a loss to 4 significant digits; '-' when not finite. */
export function metricText(metric: SweepMetric, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  return isAccuracy(metric) ? `${(v * 100).toFixed(2)}%` : v.toPrecision(4);
}

/** A configuration value as a column shows it: numbers to 4 significant digits. */
export const valueText = (v: TrialValue): string => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : v);

/** "lr 0.01, activation tanh" */
export const configText = (config: Readonly<Record<string, TrialValue>>): string =>
  Object.entries(config).map(([k, v]) => `${k} ${valueText(v)}`).join(', ') || 'the base settings';

/** The table's lines: a header, then one row per configuration, aligned. */
export function resultsTable(table: readonly ConfigSummary[], metric: SweepMetric): string[] {
  const keys = [...new Set(table.flatMap((row) => Object.keys(row.config)))];
  const spread = (row: ConfigSummary) => {
    if (!Number.isFinite(row.mean)) return '-';
    const std = isAccuracy(metric) ? `${(row.std * 100).toFixed(2)}` : row.std.toPrecision(2);
    return row.trials.length - row.diverged > 1 ? `${metricText(metric, row.mean)} ± ${std}` : metricText(metric, row.mean);
  };
  const rows = [
    ['#', ...keys, metricLabel(metric), 'seeds', 'diverged'],
    ...table.map((row, i) => [String(i + 1), ...keys.map((k) => (row.config[k] === undefined ? '' : valueText(row.config[k]))), spread(row), String(row.trials.length), String(row.diverged)]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  // Text columns left-aligned, numbers right-aligned.
  const numeric = rows[0].map((_, c) => rows.slice(1).every((r) => r[c] === '' || /^[-\d.e+%± ]+$/.test(r[c])));
  return rows.map((r) => r.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
}
