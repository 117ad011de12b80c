// Line charts drawn with uPlot: train and held-out loss over steps (a point per training chunk,
// linear or log axis) and per-layer gradient norms over steps (log axis, from onDiagnostics).
// Charts are rebuilt when the series set or the scale changes and resized with their container.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { decadeRange, decades, tick } from './axis-ticks.js';
import type { DiagnosticsPoint, HistoryPoint } from './session.js';

export const PALETTE = ['#0877bd', '#f59322', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export class Chart {
  private plot?: uPlot;
  private key = '';

  constructor(private readonly host: HTMLElement, private readonly yLabel: string, public log: boolean, private readonly height = 180) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(host);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.host.clientWidth - 4), height: this.height };
  }

  update(names: string[], data: uPlot.AlignedData): void {
    const key = `${names.join('|')}|${this.log}`;
    if (!this.plot || key !== this.key) {
      this.plot?.destroy();
      this.key = key;
      this.plot = new uPlot(
        {
          ...this.size(),
          // Values only while hovering would read "--" otherwise: the legend names the series.
          legend: { show: true, live: false },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: false }, y: this.log ? { distr: 3, log: 10, range: (_u, min, max) => decadeRange(min, max) } : {} },
          axes: [{ label: 'step' }, { label: this.yLabel, size: 60, ...(this.log ? { splits: (u: uPlot) => decades(u.scales.y.min, u.scales.y.max) } : {}), values: (_u: uPlot, splits: (number | null)[]) => splits.map(tick) }],
          series: [{ label: 'step' }, ...names.map((label, i) => ({ label, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: true, points: { show: false } }))],
        },
        data,
        this.host,
      );
    } else this.plot.setData(data);
  }

  clear(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.key = '';
  }
}

let lossChart: Chart;
let gradChart: Chart;

export function initCharts(lossHost: HTMLElement, gradHost: HTMLElement): void {
  lossChart = new Chart(lossHost, 'loss', false);
  gradChart = new Chart(gradHost, '‖∇W‖ (log)', true);
}

export function setLossLog(on: boolean): void {
  lossChart.log = on;
}

export function clearCharts(): void {
  lossChart.clear();
  gradChart.clear();
}

/**
 * A value uPlot can place: a diverged run's Infinity or NaN (or below 1e-30 on a log axis) becomes a gap,
 * and values beyond 1e30 are cut, since uPlot's tick generation fails on unbounded ranges.
 */
export function finite(v: number | undefined, log: boolean): number | null {
  // uPlot's log ticks loop forever near the denormals (10^-324 is 0): a saturated net's 1e-320 gradient is shown as a gap.
  if (v === undefined || !Number.isFinite(v) || (log && v < 1e-30)) return null;
  return Math.max(-1e30, Math.min(1e30, v));
}

/** Keeps the charts cheap: at most ~600 points per series. */
export function thin<T>(items: readonly T[], max = 600): T[] {
  if (items.length <= max) return [...items];
  const stride = items.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.floor(i * stride)]);
  out.push(items[items.length - 1]);
  return out;
}

export function updateCharts(history: readonly HistoryPoint[], diagnostics: readonly DiagnosticsPoint[], layers: number): void {
  const h = thin(history);
  const hasVal = h.some((p) => p.valLoss !== undefined);
  const log = lossChart.log;
  const lossSeries: (number | null)[][] = [h.map((p) => finite(p.loss, log))];
  if (hasVal) lossSeries.push(h.map((p) => finite(p.valLoss, log)));
  if (h.length > 0) lossChart.update(hasVal ? ['train loss', 'held-out loss'] : ['train loss'], [h.map((p) => p.step), ...lossSeries] as uPlot.AlignedData);

  const d = thin(diagnostics);
  if (d.length > 0) {
    const names = [...Array.from({ length: layers }, (_, i) => `W${i}`), 'Wout'];
    const series = names.map((_, i) => d.map((p) => finite(p.gradNorms[i], true)));
    gradChart.update(names, [d.map((p) => p.step), ...series] as uPlot.AlignedData);
  }
}
