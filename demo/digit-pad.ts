// The MNIST drawing pad: draw a digit with mouse/touch/pen, it is cropped to its bounding box,
// scaled into a 20x20 box centred on a 28x28 image (MNIST's framing) and the model's class
// probabilities (from the training session's bound programs) are shown as bars.

import type { Predictor } from './boundary.js';
import { byId, el } from './dom.js';

let getPredictor: () => Predictor | undefined = () => undefined;

function toMnist(pad: HTMLCanvasElement): Float32Array | undefined {
  const { width, height } = pad;
  const src = pad.getContext('2d')!.getImageData(0, 0, width, height).data;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (src[(y * width + x) * 4 + 3] > 20) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return undefined;
  const side = Math.max(x1 - x0, y1 - y0) + 1;
  const small = new OffscreenCanvas(28, 28);
  const ctx = small.getContext('2d')!;
  const scale = 20 / side;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(pad, x0, y0, x1 - x0 + 1, y1 - y0 + 1, 14 - ((x1 - x0 + 1) * scale) / 2, 14 - ((y1 - y0 + 1) * scale) / 2, (x1 - x0 + 1) * scale, (y1 - y0 + 1) * scale);
  const px = ctx.getImageData(0, 0, 28, 28).data;
  const out = new Float32Array(28 * 28);
  for (let i = 0; i < out.length; i++) out[i] = px[i * 4 + 3] / 255;
  return out;
}

async function classify(): Promise<void> {
  const predictor = getPredictor();
  const pixels = toMnist(byId<HTMLCanvasElement>('digit-pad'));
  if (!predictor || !pixels || predictor.model.spec.inputSize !== 784) return;
  const probs = await predictor.predict(pixels);
  const bars = byId('digit-probs');
  bars.replaceChildren(
    ...Array.from(probs, (p, d) =>
      el('div', { class: 'prob-row' }, [el('span', {}, [String(d)]), el('meter', { min: '0', max: '1', value: String(p), 'aria-label': `P(${d})` }), el('span', {}, [`${(p * 100).toFixed(1)}%`])]),
    ),
  );
}

export function initDigitPad(predictor: () => Predictor | undefined): void {
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
    ctx.lineWidth = pad.width / 14;
    ctx.lineCap = 'round';
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
  byId('digit-clear').addEventListener('click', () => {
    ctx.clearRect(0, 0, pad.width, pad.height);
    byId('digit-probs').replaceChildren();
  });
}
