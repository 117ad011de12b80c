// Line charts drawn with uPlot: train and held-out loss over steps (a point per training chunk,
// linear or log axis) and per-layer gradient norms over steps (log axis, from onDiagnostics).
// Charts are rebuilt when the series set or the scale changes and resized with their container.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DiagnosticsPoint, HistoryPoint } from './session.js';

const PALETTE = ['#0877bd', '#f59322', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

class Chart {
  private plot?: uPlot;
  private key = '';

  constructor(private readonly host: HTMLElement, private readonly yLabel: string, public log: boolean) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(host);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.host.clientWidth - 4), height: 180 };
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

/**
 * Log axes get whole decades as their range and ticks: uPlot's own log tick generator was seen to
 * loop forever on some ranges (a diverging run's gradient norms), freezing the page.
 */
function decadeRange(min: number | null, max: number | null): [number, number] {
  const lo = min !== null && min > 0 && Number.isFinite(min) ? Math.floor(Math.log10(min)) : -3;
  const hi = max !== null && max > 0 && Number.isFinite(max) ? Math.ceil(Math.log10(max)) : lo + 1;
  return [10 ** Math.max(-30, lo), 10 ** Math.min(30, Math.max(hi, lo + 1))];
}

function decades(min: number | undefined, max: number | undefined): number[] {
  const [lo, hi] = decadeRange(min ?? null, max ?? null).map((v) => Math.round(Math.log10(v)));
  const every = Math.max(1, Math.ceil((hi - lo) / 8));
  const out: number[] = [];
  for (let e = lo; e <= hi; e += every) out.push(10 ** e);
  return out;
}

/** Tick labels that stay readable on a log axis (1e-5, not "0"). */
export function tick(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-2) {
    const [m, e] = v.toExponential(0).split('e');
    return m === '1' ? `1e${Number(e)}` : `${m}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(2)));
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
function finite(v: number | undefined, log: boolean): number | null {
  // uPlot's log ticks loop forever near the denormals (10^-324 is 0): a saturated net's 1e-320 gradient is shown as a gap.
  if (v === undefined || !Number.isFinite(v) || (log && v < 1e-30)) return null;
  return Math.max(-1e30, Math.min(1e30, v));
}

/** Keeps the charts cheap: at most ~600 points per series. */
function thin<T>(items: readonly T[], max = 600): T[] {
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
