// Input and target normalisation. Statistics are fitted on training rows only (never validation
// or test, which would leak) and stored as plain JSON so a saved model applies the exact same
// transform at predict time. Kept browser-safe: pure arithmetic on typed arrays.

import { InputError } from '../util/errors.js';

export type NormalizerKind = 'none' | 'minmax' | 'zscore';

/** y = (x - offset) * scale, per feature column. */
export interface Normalizer {
  kind: NormalizerKind;
  offset: number[];
  scale: number[];
}

/** z-score for regression targets: t = (y - mean) / std, per target column. */
export interface TargetScaler {
  mean: number[];
  std: number[];
}

const KINDS: readonly NormalizerKind[] = ['none', 'minmax', 'zscore'];

/**
 * Fits on the first `rows` rows of x, so a caller can pass the whole array with the training
 * row count when training rows come first. Constant columns get scale 1: they map to 0 (after
 * removing the offset) instead of dividing by zero.
 */
export function fitNormalizer(x: Float32Array, rows: number, features: number, kind: NormalizerKind): Normalizer {
  if (!KINDS.includes(kind)) throw new InputError('normalize', kind, `one of ${KINDS.join(', ')}`);
  if (!Number.isInteger(features) || features <= 0) throw new InputError('features', features, 'a positive integer');
  if (!Number.isInteger(rows) || rows <= 0 || rows * features > x.length) {
    throw new InputError('rows', rows, `an integer in [1, ${Math.floor(x.length / features)}]`);
  }
  const offset = new Array<number>(features).fill(0);
  const scale = new Array<number>(features).fill(1);
  if (kind === 'none') return { kind, offset, scale };

  for (let c = 0; c < features; c++) {
    if (kind === 'minmax') {
      let lo = Infinity;
      let hi = -Infinity;
      for (let r = 0; r < rows; r++) {
        const v = x[r * features + c];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      offset[c] = lo;
      scale[c] = safeInverse(hi - lo);
    } else {
      const { mean, std } = columnStats(x, rows, features, c);
      offset[c] = mean;
      scale[c] = safeInverse(std);
    }
  }
  return { kind, offset, scale };
}

/** Returns a new array; the input is left as it was. */
export function applyNormalizer(norm: Normalizer, x: Float32Array): Float32Array {
  const features = norm.offset.length;
  if (x.length % features !== 0) {
    throw new InputError('x.length', x.length, `a multiple of the normalizer's ${features} features`);
  }
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % features;
    out[i] = (x[i] - norm.offset[c]) * norm.scale[c];
  }
  return out;
}

/** Checks a normalizer read from a file before it is trusted; returns it typed. */
export function validateNormalizer(json: unknown, features?: number): Normalizer {
  if (typeof json !== 'object' || json === null) throw new InputError('normalizer', json, 'an object {kind, offset, scale}');
  const o = json as Record<string, unknown>;
  if (!KINDS.includes(o.kind as NormalizerKind)) throw new InputError('normalizer.kind', o.kind, `one of ${KINDS.join(', ')}`);
  const offset = finiteArray('normalizer.offset', o.offset);
  const scale = finiteArray('normalizer.scale', o.scale);
  if (scale.length !== offset.length) {
    throw new InputError('normalizer.scale.length', scale.length, `${offset.length} (same as offset)`);
  }
  if (features !== undefined && offset.length !== features) {
    throw new InputError('normalizer.offset.length', offset.length, `${features} (the model's input size)`);
  }
  return { kind: o.kind as NormalizerKind, offset, scale };
}

/** Fits per-column mean/std of regression targets (rows * width); constant columns get std 1. */
export function fitTargetScaler(y: Float32Array, rows: number, width: number): TargetScaler {
  if (!Number.isInteger(width) || width <= 0) throw new InputError('targetWidth', width, 'a positive integer');
  if (!Number.isInteger(rows) || rows <= 0 || rows * width > y.length) {
    throw new InputError('rows', rows, `an integer in [1, ${Math.floor(y.length / width)}]`);
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < width; c++) {
    const s = columnStats(y, rows, width, c);
    mean.push(s.mean);
    std.push(s.std > 0 && Number.isFinite(s.std) ? s.std : 1);
  }
  return { mean, std };
}

export function applyTargetScaler(s: TargetScaler, y: Float32Array): Float32Array {
  const w = checkWidth(s, y);
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = (y[i] - s.mean[i % w]) / s.std[i % w];
  return out;
}

/** Maps model outputs back to target units (used at predict time). */
export function invertTargetScaler(s: TargetScaler, t: Float32Array): Float32Array {
  const w = checkWidth(s, t);
  const out = new Float32Array(t.length);
  for (let i = 0; i < t.length; i++) out[i] = t[i] * s.std[i % w] + s.mean[i % w];
  return out;
}

/** Checks a target scaler read from a file. */
export function validateTargetScaler(json: unknown, width?: number): TargetScaler {
  if (typeof json !== 'object' || json === null) throw new InputError('targetScaler', json, 'an object {mean, std}');
  const o = json as Record<string, unknown>;
  const mean = finiteArray('targetScaler.mean', o.mean);
  const std = finiteArray('targetScaler.std', o.std);
  if (std.length !== mean.length) throw new InputError('targetScaler.std.length', std.length, `${mean.length} (same as mean)`);
  const zero = std.findIndex((v) => v === 0);
  if (zero >= 0) throw new InputError(`targetScaler.std[${zero}]`, 0, 'a non-zero number');
  if (width !== undefined && mean.length !== width) {
    throw new InputError('targetScaler.mean.length', mean.length, `${width} (the model's output size)`);
  }
  return { mean, std };
}

/** Mean and population std in float64 (two-pass, so large offsets don't cancel). */
function columnStats(a: Float32Array, rows: number, width: number, c: number): { mean: number; std: number } {
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += a[r * width + c];
  const mean = sum / rows;
  let sq = 0;
  for (let r = 0; r < rows; r++) {
    const d = a[r * width + c] - mean;
    sq += d * d;
  }
  return { mean, std: Math.sqrt(sq / rows) };
}

/** 1/range, or 1 when the range is 0 or not finite (constant column). */
function safeInverse(range: number): number {
  return range > 0 && Number.isFinite(range) && Number.isFinite(1 / range) ? 1 / range : 1;
}

function finiteArray(field: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new InputError(field, v, 'a non-empty array of numbers');
  v.forEach((n, i) => {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new InputError(`${field}[${i}]`, n, 'a finite number');
  });
  return v as number[];
}

function checkWidth(s: TargetScaler, y: Float32Array): number {
  const w = s.mean.length;
  if (y.length % w !== 0) throw new InputError('y.length', y.length, `a multiple of the scaler's ${w} target columns`);
  return w;
}
