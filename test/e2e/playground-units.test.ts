// The playground's pure pieces, checked in Node without a browser: the digit pad's MNIST framing
// (centre of mass, 20-pixel box, x/255 scale), the host forward pass the views draw from (against
// Model.predict on the CPU backend, layer norm and residual included), the linear-piece count,
// the URL layer codec, the log-axis ticks and the input features φ.

import { describe, expect, it } from 'vitest';
import { Model, sawtoothFn } from '../../src/index.js';
import { decadeRange, decades, tick } from '../../demo/axis-ticks.js';
import { linearPieces } from '../../demo/boundary.js';
import { toMnist } from '../../demo/digit-pad.js';
import { applyFeatures } from '../../demo/features.js';
import { forwardAll } from '../../demo/unit-activations.js';
import { decodeLayers, encodeLayers } from '../../demo/url-state.js';

/** A pad-sized alpha image with a filled rectangle of ink. */
function pad(w: number, h: number, x0: number, y0: number, x1: number, y1: number, alpha = 255): Uint8ClampedArray {
  const a = new Uint8ClampedArray(w * h);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) a[y * w + x] = alpha;
  return a;
}

function moments(img: Float32Array): { mass: number; cx: number; cy: number; x0: number; x1: number; y0: number; y1: number } {
  let mass = 0, cx = 0, cy = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1;
  for (let i = 0; i < img.length; i++) {
    const v = img[i];
    if (v <= 0) continue;
    const x = i % 28;
    const y = Math.floor(i / 28);
    mass += v;
    cx += v * (x + 0.5);
    cy += v * (y + 0.5);
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { mass, cx: cx / mass, cy: cy / mass, x0, x1, y0, y1 };
}

describe('digit pad framing (toMnist)', () => {
  it('scales the ink box to 20 pixels and puts the centre of mass at the image centre', () => {
    // A tall bar in the pad's top-left corner, plus a short foot to the right (an "L"):
    // its centre of mass is off the box centre, so bounding-box centring would be wrong.
    const a = pad(196, 196, 10, 10, 30, 150);
    for (let y = 130; y <= 150; y++) for (let x = 30; x <= 90; x++) a[y * 196 + x] = 255;
    const img = toMnist(a, 196, 196)!;
    const m = moments(img);
    expect(Math.abs(m.cx - 14)).toBeLessThan(0.5);
    expect(Math.abs(m.cy - 14)).toBeLessThan(0.5);
    expect(m.y1 - m.y0 + 1).toBeGreaterThanOrEqual(20);
    expect(m.y1 - m.y0 + 1).toBeLessThanOrEqual(21);
    for (const v of img) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // Ink coverage is kept: a fully inked 20x20 box area sums to about 20 * 20 * (its inked fraction).
    const inked = (21 * 141 + 61 * 21) / (81 * 141);
    expect(m.mass / (20 * (81 / 141) * 20)).toBeCloseTo(inked, 1);
  });

  it('keeps intensities on the x/255 scale (half-transparent ink reads 0.5) and returns nothing for a blank pad', () => {
    const img = toMnist(pad(100, 100, 20, 20, 79, 79, 128), 100, 100)!;
    const max = Math.max(...img);
    expect(max).toBeGreaterThan(0.45);
    expect(max).toBeLessThan(0.55);
    expect(toMnist(new Uint8ClampedArray(100 * 100), 100, 100)).toBeUndefined();
  });
});

describe('host forward pass (the views draw from it)', () => {
  it('matches Model.predict on the CPU backend, with layer norm, residual, and each task', async () => {
    const specs = [
      { inputSize: 3, outputSize: 1, task: 'binary' as const, hidden: [{ units: 5, activation: 'tanh' as const }, { units: 5, activation: 'relu' as const, layerNorm: true, residual: true }] },
      { inputSize: 2, outputSize: 3, task: 'multiclass' as const, hidden: [{ units: 7, activation: 'gelu' as const }] },
      { inputSize: 1, outputSize: 1, task: 'regression' as const, hidden: [{ units: 6, activation: 'sigmoid' as const }, { units: 4, activation: 'leaky_relu' as const }] },
    ];
    for (const spec of specs) {
      const model = new Model(spec, { seed: 3 });
      const rows = 9;
      const x = new Float32Array(rows * spec.inputSize).map((_, i) => Math.sin(i * 1.3) * 2);
      const want = await model.predict(x, { backend: 'cpu' });
      const got = forwardAll(model, x, rows);
      expect(got.layers.length).toBe(spec.hidden.length);
      expect(got.out.length).toBe(want.length);
      // Both are float64 math; the engine's result is stored as f32.
      for (let i = 0; i < want.length; i++) expect(Math.abs(got.out[i] - want[i])).toBeLessThan(1e-6 + 1e-6 * Math.abs(want[i]));
    }
  });
});

describe('linear pieces of a fitted curve', () => {
  it('counts 2^k pieces of the k-fold sawtooth and 1 for a line', () => {
    for (const k of [1, 2, 3]) {
      const curve = Array.from({ length: 256 }, (_, i) => sawtoothFn((i + 0.5) / 256, k));
      expect(linearPieces(curve, 1)).toBe(2 ** k);
    }
    expect(linearPieces(Array.from({ length: 64 }, (_, i) => 3 * i - 1), 200)).toBe(1);
  });
});

describe('URL layer codec', () => {
  it('round-trips units, activation, dropout, layer norm and residual, and rejects bad layers', () => {
    const layers = [{ units: 8, activation: 'tanh' as const }, { units: 16, activation: 'relu' as const, dropout: 0.3, layerNorm: true, residual: true }];
    expect(encodeLayers(layers)).toBe('8.tanh,16.relu.d0.3.ln.res');
    expect(decodeLayers(encodeLayers(layers))).toEqual(layers);
    expect(decodeLayers('8.nope')).toBeUndefined();
    expect(decodeLayers('0.relu')).toBeUndefined();
    expect(decodeLayers('')).toBeUndefined();
  });
});

describe('log-axis ticks', () => {
  it('labels small values in exponent form, never "0", and spans whole decades', () => {
    expect(tick(1e-5)).toBe('1e-5');
    expect(tick(0.001)).toBe('1e-3');
    expect(tick(0.5)).toBe('0.5');
    expect(tick(3e6)).toBe('3e6');
    expect(tick(null)).toBe('');
    expect(decadeRange(3e-7, 0.4)).toEqual([1e-7, 1]);
    expect(decades(1e-7, 1)).toEqual([1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
    // A range of 5e-324 (a denormal) to 1e300 stays finite and short.
    const d = decades(...decadeRange(5e-324, 1e300));
    expect(d.length).toBeLessThanOrEqual(10);
    for (const v of d) expect(Number.isFinite(v) && v > 0).toBe(true);
  });
});

describe('input features φ', () => {
  it('computes the chosen features per row, in order', () => {
    const out = applyFeatures(['x1', 'x2sq', 'x1x2', 'sin1'], new Float32Array([2, 3, -1, 0.5]), 2);
    expect(Array.from(out)).toEqual(Array.from(new Float32Array([2, 9, 6, Math.sin(2), -1, 0.25, -0.5, Math.sin(-1)])));
  });
});
