// Compare mode's small multiples: a card per variant (its decision-boundary thumbnail, its label
// in its loss-curve colour, its status and final numbers) and one loss chart with a line per
// variant. Pure drawing: the state comes from compare.ts.

import type { Model, ModelStatus } from '../src/index.js';
import { canDrawBoundary, drawBoundary } from './boundary.js';
import { Chart, finite, PALETTE, thin } from './charts.js';
import type { ComparePoint } from './compare-run.js';
import type { DataBundle } from './datasets.js';
import { el } from './dom.js';
import { hostPredict } from './session.js';
import type { FeatureName } from './features.js';

export interface VariantState {
  label: string;
  /** Host copy with the latest weights the worker reported. */
  model: Model;
  points: ComparePoint[];
  status: ModelStatus;
}

export interface CompareViewState {
  variants: VariantState[];
  data: DataBundle;
  features?: readonly FeatureName[];
  /** Whether the batch is training now (a 'training' model of a paused run reads "paused"). */
  running: boolean;
  /** Bumped when the weights change, so thumbnails know when to redraw. */
  version: number;
}

const STATUS_TEXT: Record<ModelStatus, string> = { training: 'training', completed: 'done', 'stopped early': 'stopped early', diverged: 'diverged' };

/** The point whose weights the model holds: the best held-out epoch after early stopping, else the last. */
function finalPoint(v: VariantState): ComparePoint | undefined {
  if (v.status === 'stopped early') return v.points.reduce<ComparePoint | undefined>((best, p) => (best === undefined || (p.valLoss ?? Infinity) < (best.valLoss ?? Infinity) ? p : best), undefined);
  return v.points.at(-1);
}

/** What a variant is ranked by, higher first: held-out accuracy (else train accuracy), ties broken by the lower loss; a loss alone for regression. */
function score(v: VariantState): [number, number] {
  const p = finalPoint(v);
  if (!p || v.status === 'diverged') return [-Infinity, -Infinity];
  const loss = -(p.valLoss ?? p.loss);
  const acc = p.valAccuracy ?? p.accuracy ?? loss;
  return [Number.isFinite(acc) ? acc : -Infinity, Number.isFinite(loss) ? loss : -Infinity];
}

/** Index of the best-ranked variant, or -1 when none has a finite score. */
function bestIndex(scores: [number, number][]): number {
  let best = -1;
  scores.forEach((s, i) => {
    if (!Number.isFinite(s[0])) return;
    const b = scores[best];
    if (best < 0 || s[0] > b[0] || (s[0] === b[0] && s[1] > b[1])) best = i;
  });
  return best;
}

function metricText(v: VariantState): string {
  const p = finalPoint(v);
  if (!p) return '–';
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (p.valAccuracy !== undefined) return `held-out acc. ${pct(p.valAccuracy)}`;
  if (p.accuracy !== undefined) return `train acc. ${pct(p.accuracy)}`;
  const loss = p.valLoss ?? p.loss;
  return `${p.valLoss !== undefined ? 'held-out' : 'train'} loss ${Number.isFinite(loss) ? loss.toPrecision(3) : '–'}`;
}

/** One empty card per variant; with a thumbnail canvas only where the data has a 2-D view (a note there would not fit). */
export function buildCards(host: HTMLElement, labels: readonly string[], thumbnails: boolean): void {
  host.replaceChildren(
    ...labels.map((label, i) =>
      el('figure', { class: 'variant', 'data-testid': 'compare-card' }, [
        ...(thumbnails ? [el('canvas', { width: '200', height: '200', 'data-testid': 'compare-thumb', role: 'img', 'aria-label': `Decision boundary of ${label}` })] : []),
        el('figcaption', {}, [
          el('span', { class: 'swatch', style: `background:${PALETTE[i % PALETTE.length]}` }),
          el('strong', {}, [label]),
          el('span', { class: 'variant-status', 'data-testid': 'compare-status' }),
          el('span', { class: 'variant-metric', 'data-testid': 'compare-metric' }),
        ]),
      ]),
    ),
  );
}

/** Status, final number and the best marker on every card. */
export function renderCards(host: HTMLElement, state: CompareViewState): void {
  const best = bestIndex(state.variants.map(score));
  host.querySelectorAll<HTMLElement>('.variant').forEach((card, i) => {
    const v = state.variants[i];
    if (!v) return;
    const idle = v.points.length === 0 ? 'ready' : 'paused';
    const status = v.status === 'training' && !state.running ? idle : STATUS_TEXT[v.status];
    card.dataset.status = v.status;
    card.classList.toggle('best', i === best && v.points.length > 0);
    card.querySelector('.variant-status')!.textContent = i === best && v.points.length > 0 ? `${status} · best` : status;
    const metric = card.querySelector<HTMLElement>('.variant-metric')!;
    metric.textContent = metricText(v);
    const p = finalPoint(v);
    metric.dataset.value = String(p?.valAccuracy ?? p?.accuracy ?? p?.valLoss ?? p?.loss ?? '');
    card.dataset.points = String(v.points.length);
  });
}

/** Redraws every thumbnail from its model's host weights; the canvases' data-drawn says which version they show. */
export async function drawThumbnails(host: HTMLElement, state: CompareViewState): Promise<void> {
  if (!canDrawBoundary(state.data.all)) return;
  const canvases = host.querySelectorAll<HTMLCanvasElement>('canvas[data-testid="compare-thumb"]');
  const raw = state.data.all.features;
  const version = state.version;
  for (const [i, canvas] of canvases.entries()) {
    const v = state.variants[i];
    if (!v) continue;
    await drawBoundary(canvas, { model: v.model, predict: async (x) => hostPredict(v.model, raw, state.features, x) }, state.data);
    canvas.dataset.drawn = String(version);
  }
}

/** Every variant's loss over steps, one line each (gaps where a variant stopped or diverged). */
export function renderCompareChart(chart: Chart, state: CompareViewState, heldOut: boolean): void {
  const pick = (p: ComparePoint) => (heldOut ? p.valLoss : p.loss);
  // Every variant's epochs end at the same steps: the longest history holds every x.
  const longest = state.variants.reduce((a, v) => (v.points.length > a.length ? v.points : a), [] as ComparePoint[]);
  const xs = thin(longest.map((p) => p.step));
  if (xs.length === 0) return chart.clear();
  const series = state.variants.map((v) => {
    const at = new Map(v.points.map((p) => [p.step, pick(p)]));
    return xs.map((x) => finite(at.get(x), chart.log));
  });
  chart.update(
    state.variants.map((v) => v.label),
    [xs, ...series],
  );
}
