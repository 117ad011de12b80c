// Weight histograms, one small canvas per weight matrix (from model.params sliced by
// model.layout.entries), activation histograms per hidden layer, and per-layer dead-unit fractions as <meter> bars (from onDiagnostics).

import type { Model } from '../src/index.js';
import { byId, el } from './dom.js';

const BINS = 30;

function histogram(values: ArrayLike<number>): { counts: number[]; lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > lo)) hi = lo + 1e-6;
  const counts = new Array<number>(BINS).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(BINS - 1, Math.floor(((values[i] - lo) / (hi - lo)) * BINS))]++;
  return { counts, lo, hi };
}

interface HistItem {
  name: string;
  values: ArrayLike<number>;
  label: string;
}

function drawInto(host: HTMLElement, items: HistItem[], color: string): void {
  if (host.children.length !== items.length || [...host.children].some((c, i) => c.getAttribute('data-name') !== items[i].name)) {
    host.replaceChildren(...items.map((e) => el('figure', { 'data-name': e.name }, [el('canvas', { width: '160', height: '64', role: 'img' }), el('figcaption')])));
  }
  items.forEach((e, i) => {
    const fig = host.children[i] as HTMLElement;
    const canvas = fig.querySelector('canvas')!;
    const { counts, lo, hi } = histogram(e.values);
    const ctx = canvas.getContext('2d')!;
    const max = Math.max(...counts);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = color;
    const w = canvas.width / BINS;
    counts.forEach((c, b) => {
      const h = (c / max) * (canvas.height - 2);
      ctx.fillRect(b * w + 0.5, canvas.height - h, w - 1, h);
    });
    const caption = `${e.label}  ${lo.toPrecision(2)} … ${hi.toPrecision(2)}`;
    fig.querySelector('figcaption')!.textContent = caption;
    canvas.setAttribute('aria-label', `Histogram of ${caption}`);
  });
}

export function drawWeightHistograms(model: Model): void {
  const entries = model.layout.entries.filter((e) => e.name.startsWith('W'));
  drawInto(byId('histograms'), entries.map((e) => ({ name: e.name, values: model.params.subarray(e.offset, e.offset + e.size), label: `${e.name} [${e.shape.join('×')}]` })), '#0877bd');
}

/** Activations of each hidden layer over a sample of training rows (from the diagram's forward pass). */
export function drawActivationHistograms(layers: readonly { a: Float64Array }[]): void {
  drawInto(byId('act-histograms'), layers.map((l, i) => ({ name: `a${i}`, values: l.a, label: `Hidden ${i + 1} outputs` })), '#2ca02c');
}

export function drawDeadUnits(deadFraction: readonly number[] | undefined, layers: number): void {
  const host = byId('dead-units');
  if (host.children.length !== layers) {
    host.replaceChildren(
      ...Array.from({ length: layers }, (_, i) => {
        const id = `dead-${i}`;
        return el('div', { class: 'dead-row' }, [el('label', { for: id }, [`Hidden ${i + 1}`]), el('meter', { id, min: '0', max: '1', value: '0' }), el('output', { for: id })]);
      }),
    );
  }
  for (let i = 0; i < layers; i++) {
    const v = deadFraction?.[i];
    const row = host.children[i];
    (row.querySelector('meter') as HTMLMeterElement).value = v ?? 0;
    row.querySelector('output')!.textContent = v === undefined ? '–' : `${(v * 100).toFixed(0)}% dead`;
  }
}
