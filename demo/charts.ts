// Line charts drawn with uPlot: train/validation loss over steps and per-layer gradient norms
// over steps (from onDiagnostics). Charts are rebuilt when the series set changes and resized
// with their container.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DiagnosticsPoint, HistoryPoint } from './session.js';

const PALETTE = ['#0877bd', '#f59322', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

class Chart {
  private plot?: uPlot;
  private key = '';

  constructor(private readonly host: HTMLElement, private readonly yLabel: string, private readonly log: boolean) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(host);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.host.clientWidth - 4), height: 180 };
  }

  update(names: string[], data: uPlot.AlignedData): void {
    const key = names.join('|');
    if (!this.plot || key !== this.key) {
      this.plot?.destroy();
      this.key = key;
      this.plot = new uPlot(
        {
          ...this.size(),
          legend: { show: true },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: false }, y: this.log ? { distr: 3 } : {} },
          axes: [{ label: 'step' }, { label: this.yLabel, size: 56 }],
          series: [{ label: 'step' }, ...names.map((label, i) => ({ label, stroke: PALETTE[i % PALETTE.length], width: 1.5, points: { show: false } }))],
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

export function clearCharts(): void {
  lossChart.clear();
  gradChart.clear();
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
  const lossSeries: (number | null)[][] = [h.map((p) => p.loss)];
  if (hasVal) lossSeries.push(h.map((p) => p.valLoss ?? null));
  if (h.length > 0) lossChart.update(hasVal ? ['train loss', 'validation loss'] : ['train loss'], [h.map((p) => p.step), ...lossSeries] as uPlot.AlignedData);

  const d = thin(diagnostics);
  if (d.length > 0) {
    const names = [...Array.from({ length: layers }, (_, i) => `W${i}`), 'Wout'];
    const series = names.map((_, i) => d.map((p) => (p.gradNorms[i] > 0 ? p.gradNorms[i] : null)));
    gradChart.update(names, [d.map((p) => p.step), ...series] as uPlot.AlignedData);
  }
}
