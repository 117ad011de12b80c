// The MNIST drawing pad: draw a digit with mouse/touch/pen and the model reads it. The drawing is
// turned into a 28x28 image the way MNIST's were made: the ink's bounding box is scaled (area
// average, aspect kept) to fit a 20x20 box, then placed so its centre of mass sits at the image
// centre; intensities are ink coverage in [0, 1], the same x/255 scale as the training images.

import type { Predictor } from './boundary.js';
import { byId, el } from './dom.js';

export interface PadPredictor extends Predictor {
  /** Optimizer steps taken so far: an untrained network is not asked. */
  readonly step: number;
}

let getPredictor: () => PadPredictor | undefined = () => undefined;

const SIDE = 28;
const BOX = 20;

/** Ink coverage (alpha/255) of the pad, area-averaged into a 28x28 image with the centre of mass at (14, 14). */
export function toMnist(alpha: Uint8ClampedArray | Float32Array, width: number, height: number): Float32Array | undefined {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (alpha[y * width + x] > 0) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return undefined;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = BOX / Math.max(w, h);
  const splat = (ox: number, oy: number): Float32Array => {
    const out = new Float32Array(SIDE * SIDE);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const a = alpha[y * width + x];
        if (a === 0) continue;
        const tx = Math.floor(ox + (x - x0 + 0.5) * scale);
        const ty = Math.floor(oy + (y - y0 + 0.5) * scale);
        if (tx >= 0 && tx < SIDE && ty >= 0 && ty < SIDE) out[ty * SIDE + tx] += (a / 255) * scale * scale;
      }
    }
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, out[i]);
    return out;
  };
  // First placed by its box, then moved so that the centre of mass lands on the centre.
  const ox = (SIDE - w * scale) / 2;
  const oy = (SIDE - h * scale) / 2;
  const first = splat(ox, oy);
  let m = 0, cx = 0, cy = 0;
  for (let i = 0; i < first.length; i++) {
    m += first[i];
    cx += first[i] * ((i % SIDE) + 0.5);
    cy += first[i] * (Math.floor(i / SIDE) + 0.5);
  }
  if (m === 0) return first;
  return splat(ox + SIDE / 2 - cx / m, oy + SIDE / 2 - cy / m);
}

function padImage(pad: HTMLCanvasElement): Float32Array | undefined {
  const { width, height } = pad;
  const rgba = pad.getContext('2d')!.getImageData(0, 0, width, height).data;
  const alpha = new Uint8ClampedArray(width * height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = rgba[i * 4 + 3];
  return toMnist(alpha, width, height);
}

function showPreview(pixels: Float32Array): void {
  const c = byId<HTMLCanvasElement>('digit-preview');
  const img = new ImageData(SIDE, SIDE);
  for (let i = 0; i < pixels.length; i++) {
    const v = 255 - Math.round(pixels[i] * 255);
    img.data.set([v, v, v, 255], i * 4);
  }
  c.getContext('2d')!.putImageData(img, 0, 0);
}

async function classify(): Promise<void> {
  const predictor = getPredictor();
  const pixels = padImage(byId<HTMLCanvasElement>('digit-pad'));
  const out = byId('digit-prediction');
  const bars = byId('digit-probs');
  if (!pixels) return;
  showPreview(pixels);
  if (!predictor || predictor.model.spec.inputSize !== SIDE * SIDE) return;
  if (predictor.step === 0) {
    out.textContent = '–';
    bars.replaceChildren(el('p', { class: 'hint' }, ['Train first: this network has not seen a digit yet (press Train, one epoch takes a few seconds).']));
    return;
  }
  const probs = await predictor.predict(pixels);
  let best = 0;
  for (let d = 1; d < probs.length; d++) if (probs[d] > probs[best]) best = d;
  out.textContent = String(best);
  bars.replaceChildren(
    ...Array.from(probs, (p, d) =>
      el('div', { class: `prob-row${d === best ? ' best' : ''}` }, [el('span', {}, [String(d)]), el('meter', { min: '0', max: '1', value: String(p), 'aria-label': `P(${d})` }), el('span', {}, [`${(p * 100).toFixed(1)}%`])]),
    ),
  );
}

export function clearPad(): void {
  const pad = byId<HTMLCanvasElement>('digit-pad');
  pad.getContext('2d')!.clearRect(0, 0, pad.width, pad.height);
  byId('digit-probs').replaceChildren();
  byId('digit-prediction').textContent = '–';
  byId<HTMLCanvasElement>('digit-preview').getContext('2d')!.clearRect(0, 0, SIDE, SIDE);
}

export function initDigitPad(predictor: () => PadPredictor | undefined): void {
  getPredictor = predictor;
  const pad = byId<HTMLCanvasElement>('digit-pad');
  const ctx = pad.getContext('2d')!;
  let drawing = false;
  let last: [number, number] | undefined;
  const pos = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * pad.width, ((e.clientY - r.top) / r.height) * pad.height];
  };
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    last = pos(e);
    pad.setPointerCapture(e.pointerId);
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing || !last) return;
    const p = pos(e);
    ctx.strokeStyle = '#000';
    // About MNIST's stroke: ~2 px of a 20 px box for a digit drawn across most of the pad.
    ctx.lineWidth = pad.width / 12;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    classify().catch((err) => (byId('digit-probs').textContent = `Could not classify: ${(err as Error).message}`));
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  byId('digit-clear').addEventListener('click', clearPad);
}
