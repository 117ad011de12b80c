// Float64 reference of the structural ops: dropout (mask from the counter-based RNG in random.ts,
// bit-identical to the GPU), layer norm forward and backward, and the batch row gather. This file
// is the specification shaders/dropout.wgsl, layer_norm.wgsl and gather.wgsl implement in f32.

import type { OpArgs } from '../ops/args.js';
import { SCALAR } from '../ops/args.js';
import { keepThreshold, LAYER_NORM_EPSILON } from '../ops/defaults.js';

// Defined with the op table; re-exported beside the function that uses it.
export { LAYER_NORM_EPSILON };
import type { CpuTensor } from '../ops/tensor.js';
import { random24 } from './random.js';

type Args = OpArgs<CpuTensor>;

/**
 * A per-step scalar as the GPU sees it: the executor stores it as f32 and the shader converts it
 * with WGSL's u32(), which truncates toward zero and saturates (negative -> 0).
 */
export function scalarAsU32(scalars: CpuTensor, slot: number): number {
  const v = Math.fround(scalars.data[slot]);
  if (!(v > 0)) return 0;
  return v >= 4294967296 ? 4294967295 : Math.trunc(v);
}

/**
 * out = in * keep / (1 - p) with keep = random24(seed, rngStep, i) >= ceil(p * 2^24), i the flat
 * element index: the same mask in forward and backward of a step. p = 0 keeps everything (identity).
 */
function applyDropoutMask(input: CpuTensor, out: CpuTensor, p: number, seed: number, scalars: CpuTensor): void {
  const step = scalarAsU32(scalars, SCALAR.rngStep);
  const threshold = keepThreshold(p);
  for (let i = 0; i < input.data.length; i++) {
    out.data[i] = random24(seed, step, i) >= threshold ? input.data[i] / (1 - p) : 0;
  }
}

export function dropout({ x, y, p, seed, scalars }: Args['dropout']): void {
  applyDropoutMask(x, y, p, seed, scalars);
}

export function dropoutGrad({ dy, dx, p, seed, scalars }: Args['dropoutGrad']): void {
  applyDropoutMask(dy, dx, p, seed, scalars);
}

/**
 * Per row of x [B, N]: mean, biased variance mean((x - mean)^2) (two passes), rstd =
 * 1/sqrt(var + epsilon), y = (x - mean) * rstd * gamma + beta. N = 1 gives x - mean = 0, so y = beta.
 */
export function layerNorm({ x, gamma, beta, y, mean, rstd, epsilon = LAYER_NORM_EPSILON }: Args['layerNorm']): void {
  const [rows, cols] = x.shape;
  for (let r = 0; r < rows; r++) {
    const row = x.data.subarray(r * cols, (r + 1) * cols);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += row[c];
    const m = sum / cols;
    let sq = 0;
    for (let c = 0; c < cols; c++) sq += (row[c] - m) ** 2;
    const s = 1 / Math.sqrt(sq / cols + epsilon);
    mean.data[r] = m;
    rstd.data[r] = s;
    for (let c = 0; c < cols; c++) y.data[r * cols + c] = (row[c] - m) * s * gamma.data[c] + beta.data[c];
  }
}

/**
 * With x̂ = (x - mean) * rstd and g = dy * gamma, per row:
 *   dx = rstd * (g - mean(g) - x̂ * mean(g * x̂)),
 * and over rows: dgamma = Σ dy * x̂, dbeta = Σ dy (added to the given values when accumulate).
 * mean and rstd are the forward's saved values, not recomputed.
 */
export function layerNormGrad({ dy, x, gamma, mean, rstd, dx, dgamma, dbeta, accumulate }: Args['layerNormGrad']): void {
  const [rows, cols] = x.shape;
  const gSum = new Float64Array(cols);
  const bSum = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const xhat = (c: number) => (x.data[base + c] - mean.data[r]) * rstd.data[r];
    let meanG = 0;
    let meanGX = 0;
    for (let c = 0; c < cols; c++) {
      const g = dy.data[base + c] * gamma.data[c];
      meanG += g;
      meanGX += g * xhat(c);
      gSum[c] += dy.data[base + c] * xhat(c);
      bSum[c] += dy.data[base + c];
    }
    meanG /= cols;
    meanGX /= cols;
    for (let c = 0; c < cols; c++) {
      dx.data[base + c] = rstd.data[r] * (dy.data[base + c] * gamma.data[c] - meanG - xhat(c) * meanGX);
    }
  }
  for (let c = 0; c < cols; c++) {
    dgamma.data[c] = (accumulate ? dgamma.data[c] : 0) + gSum[c];
    dbeta.data[c] = (accumulate ? dbeta.data[c] : 0) + bSum[c];
  }
}

/**
 * dst[r, :] = src[indices[offset + r], :] with offset = scalars[batchOffset] (as u32, like the GPU).
 * Indices are f32 row ids (exact below 2^24), truncated toward zero. The executor guarantees
 * offset + B <= M and ids in [0, Nrows); defensively, a position past the end of indices or an id
 * outside [0, Nrows) (NaN included) yields a row of zeros instead of reading out of bounds.
 */
export function gather({ src, indices, dst, scalars }: Args['gather']): void {
  const [srcRows, cols] = src.shape;
  const [rows] = dst.shape;
  const count = indices.shape[0];
  const offset = scalarAsU32(scalars, SCALAR.batchOffset);
  for (let r = 0; r < rows; r++) {
    const id = offset < count && r < count - offset ? indices.data[offset + r] : NaN;
    const valid = id >= 0 && id < srcRows;
    const from = valid ? Math.trunc(id) * cols : 0;
    for (let c = 0; c < cols; c++) dst.data[r * cols + c] = valid ? src.data[from + c] : 0;
  }
}
