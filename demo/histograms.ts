// Weight histograms, one small canvas per weight matrix (from model.params sliced by
// model.layout.entries), and per-layer dead-unit fractions as <meter> bars (from onDiagnostics).

import type { Model } from '../src/index.js';
import { byId, el } from './dom.js';

const BINS = 30;

function histogram(values: Float32Array): { counts: number[]; lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > lo)) hi = lo + 1e-6;
  const counts = new Array<number>(BINS).fill(0);
  for (const v of values) counts[Math.min(BINS - 1, Math.floor(((v - lo) / (hi - lo)) * BINS))]++;
  return { counts, lo, hi };
}

export function drawWeightHistograms(model: Model): void {
  const host = byId('histograms');
  const entries = model.layout.entries.filter((e) => e.name.startsWith('W'));
  if (host.children.length !== entries.length || [...host.children].some((c, i) => c.getAttribute('data-name') !== entries[i].name)) {
    host.replaceChildren(
      ...entries.map((e) => el('figure', { 'data-name': e.name }, [el('canvas', { width: '160', height: '64', role: 'img' }), el('figcaption')])),
    );
  }
  entries.forEach((e, i) => {
    const fig = host.children[i] as HTMLElement;
    const canvas = fig.querySelector('canvas')!;
    const { counts, lo, hi } = histogram(model.params.subarray(e.offset, e.offset + e.size));
    const ctx = canvas.getContext('2d')!;
    const max = Math.max(...counts);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#0877bd';
    const w = canvas.width / BINS;
    counts.forEach((c, b) => {
      const h = (c / max) * (canvas.height - 2);
      ctx.fillRect(b * w + 0.5, canvas.height - h, w - 1, h);
    });
    const caption = `${e.name} [${e.shape.join('×')}]  ${lo.toPrecision(2)} … ${hi.toPrecision(2)}`;
    fig.querySelector('figcaption')!.textContent = caption;
    canvas.setAttribute('aria-label', `Histogram of ${caption}`);
  });
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
