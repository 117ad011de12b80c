// Draws the model's view of the data on the boundary canvas: a class-probability heatmap predicted
// on a 64x64 grid (2-D classification), the fitted curve over the points (1-D regression), or a
// note for data with more features. Predictions run on the training session's bound programs.

import type { Dataset, Model } from '../src/index.js';
import type { DataBundle } from './datasets.js';

/** What is drawn: a model and the current weights' predictions (the Session). */
export interface Predictor {
  model: Model;
  predict(x: Float32Array): Promise<Float32Array>;
}

const GRID = 64;
export const CLASS_COLORS: [number, number, number][] = [
  [245, 147, 34], [8, 119, 189], [46, 160, 67], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];

interface Bounds {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export function bounds(ds: Dataset, col: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < ds.rows; r++) {
    const v = ds.x[r * ds.features + col];
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const pad = Math.max(1e-3, (hi - lo) * 0.1);
  return [lo - pad, hi + pad];
}

function targetBounds(ds: Dataset): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < ds.rows; r++) {
    lo = Math.min(lo, ds.y[r * ds.targetWidth]);
    hi = Math.max(hi, ds.y[r * ds.targetWidth]);
  }
  const pad = Math.max(1e-3, (hi - lo) * 0.15);
  return [lo - pad, hi + pad];
}

function note(ctx: CanvasRenderingContext2D, text: string): void {
  const { width, height } = ctx.canvas;
  ctx.fillStyle = '#f4f5f7';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#555';
  ctx.font = '14px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.fillText(text, width / 2, height / 2);
}

export function canDrawBoundary(ds: Dataset): boolean {
  return (ds.features === 2 && ds.task !== 'regression') || (ds.features === 1 && ds.task === 'regression' && ds.targetWidth === 1);
}

/** Redraws the canvas for the predictor (or only the points when it is undefined). */
export async function drawBoundary(canvas: HTMLCanvasElement, predictor: Predictor | undefined, data: DataBundle): Promise<void> {
  const model = predictor?.model;
  const { all, train, test } = data;
  const ctx = canvas.getContext('2d')!;
  if (!canDrawBoundary(all)) {
    note(ctx, `No 2-D view for ${all.features}-feature data`);
    return;
  }
  if (all.features === 1) return drawCurve(ctx, predictor, train, test);
  const [x0, x1] = bounds(all, 0);
  const [y0, y1] = bounds(all, 1);
  const b: Bounds = { x0, x1, y0, y1 };
  const { width, height } = canvas;
  const image = new ImageData(GRID, GRID);
  if (predictor && model) {
    const grid = new Float32Array(GRID * GRID * 2);
    for (let j = 0; j < GRID; j++) {
      for (let i = 0; i < GRID; i++) {
        const k = (j * GRID + i) * 2;
        grid[k] = x0 + ((i + 0.5) / GRID) * (x1 - x0);
        grid[k + 1] = y1 - ((j + 0.5) / GRID) * (y1 - y0);
      }
    }
    const out = await predictor.predict(grid);
    const classes = model.spec.outputSize;
    for (let p = 0; p < GRID * GRID; p++) {
      let rgb: number[];
      if (model.spec.task === 'binary') {
        const q = out[p];
        rgb = CLASS_COLORS[0].map((c, ch) => c * (1 - q) + CLASS_COLORS[1][ch] * q);
        const strength = Math.abs(q - 0.5) * 2;
        rgb = rgb.map((c) => 255 - (255 - c) * (0.25 + 0.5 * strength));
      } else {
        let best = 0;
        for (let c = 1; c < classes; c++) if (out[p * classes + c] > out[p * classes + best]) best = c;
        const conf = out[p * classes + best];
        rgb = CLASS_COLORS[best % CLASS_COLORS.length].map((c) => 255 - (255 - c) * (0.2 + 0.55 * conf));
      }
      image.data.set([rgb[0], rgb[1], rgb[2], 255], p * 4);
    }
  } else image.data.fill(244);
  const off = new OffscreenCanvas(GRID, GRID);
  off.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, width, height);
  const px = (v: number) => ((v - x0) / (x1 - x0)) * width;
  const py = (v: number) => ((y1 - v) / (y1 - y0)) * height;
  const dot = (ds: Dataset, hollow: boolean) => {
    for (let r = 0; r < ds.rows; r++) {
      const color = CLASS_COLORS[ds.y[r] % CLASS_COLORS.length];
      ctx.beginPath();
      ctx.arc(px(ds.x[2 * r]), py(ds.x[2 * r + 1]), 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = hollow ? '#fff' : `rgb(${color.join(',')})`;
      ctx.strokeStyle = hollow ? `rgb(${color.join(',')})` : '#fff';
      ctx.lineWidth = 1.5;
      ctx.fill();
      ctx.stroke();
    }
  };
  dot(train, false);
  if (test) dot(test, true);
}

async function drawCurve(ctx: CanvasRenderingContext2D, predictor: Predictor | undefined, train: Dataset, test?: Dataset): Promise<void> {
  const { width, height } = ctx.canvas;
  const [x0, x1] = bounds(train, 0);
  const [y0, y1] = targetBounds(train);
  const px = (v: number) => ((v - x0) / (x1 - x0)) * width;
  const py = (v: number) => ((y1 - v) / (y1 - y0)) * height;
  let curve: Float32Array | undefined;
  const xs = new Float32Array(256).map((_, i) => x0 + ((i + 0.5) / 256) * (x1 - x0));
  if (predictor) curve = await predictor.predict(xs);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = 'rgba(8,119,189,0.7)';
  for (let r = 0; r < train.rows; r++) ctx.fillRect(px(train.x[r]) - 2, py(train.y[r]) - 2, 4, 4);
  if (test) {
    ctx.strokeStyle = 'rgba(245,147,34,0.9)';
    for (let r = 0; r < test.rows; r++) ctx.strokeRect(px(test.x[r]) - 2.5, py(test.y[r]) - 2.5, 5, 5);
  }
  if (curve) {
    ctx.canvas.dataset.pieces = String(linearPieces(curve, y1 - y0));
    ctx.strokeStyle = '#d62728';
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    for (let i = 0; i < xs.length; i++) (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, px(xs[i]), py(Math.min(y1 + 10, Math.max(y0 - 10, curve[i]))));
    ctx.stroke();
  }
}

/**
 * Linear pieces of a sampled piecewise-linear curve: a kink is a run of consecutive samples whose
 * slope changes by more than a small fraction of the plot's range (one kink between two samples
 * bends at most two second differences).
 */
export function linearPieces(curve: ArrayLike<number>, range: number): number {
  const tol = 1e-3 * range;
  let kinks = 0;
  let inKink = false;
  for (let i = 1; i + 1 < curve.length; i++) {
    const bend = Math.abs(curve[i + 1] - 2 * curve[i] + curve[i - 1]) > tol;
    if (bend && !inKink) kinks++;
    inKink = bend;
  }
  return kinks + 1;
}
