// Float64 reference of the loss family: per-row losses with the gradient of the batch-mean loss,
// and the scalar reductions (sum, sum of squares, accuracy count, dead-unit count). This is the
// specification shaders/loss.wgsl and shaders/reduce.wgsl implement in f32, with the same guards.

import type { OpArgs } from '../ops/args.js';
import { DEFAULT_ACCURACY_THRESHOLD, DEFAULT_HUBER_DELTA } from '../ops/defaults.js';
import type { LossName } from '../ops/names.js';
import type { CpuTensor } from '../ops/tensor.js';
import { sigmoid, softplus } from './activations.js';

type Args = OpArgs<CpuTensor>;

/**
 * The loss of one row and d(row loss)/d(pred row) written into `grad` (same length as `p`).
 * The batch loss is the mean of the row losses, so the caller scales the row gradient by 1/B.
 *
 * Elementwise losses (target [B, C]) average over the C columns, so their gradients carry 1/C:
 * - mse:   mean (p - t)^2;                           d/dp = 2 (p - t) / C
 * - mae:   mean |p - t|;                             d/dp = sign(p - t) / C, 0 where p == t
 * - huber: mean of 0.5 d^2 if |d| <= delta, else delta (|d| - 0.5 delta), d = p - t;
 *                                                    d/dp = clamp(d, -delta, delta) / C
 * - bce_logits: mean of max(p, 0) - p t + log1p(exp(-|p|)) = softplus(p) - p t (t in [0, 1]);
 *                                                    d/dp = (sigmoid(p) - t) / C
 * Softmax losses take logits p, max-subtracted so |p| = 1e4 stays finite:
 * - softmax_ce: target is one class index k (row of [B, 1], integer-valued, 0 <= k < C);
 *               loss = logsumexp(p) - p[k];          d/dp = softmax(p) - onehot(k)
 * - softmax_ce_dense: target row t (one-hot or soft); loss = -sum t log_softmax(p)
 *               = sum_c t_c (logsumexp(p) - p_c);    d/dp = softmax(p) sum(t) - t
 *   (sum(t) is 1 for proper distributions; keeping it makes the gradient exact for any t.)
 */
export function rowLossAndGrad(name: LossName, p: ArrayLike<number>, t: ArrayLike<number>, delta: number, grad: Float64Array): number {
  const c = p.length;
  switch (name) {
    case 'mse':
    case 'mae':
    case 'huber':
    case 'bce_logits': {
      let total = 0;
      for (let j = 0; j < c; j++) {
        const [value, slope] = elementLoss(name, p[j], t[j], delta);
        total += value;
        grad[j] = slope / c;
      }
      return total / c;
    }
    case 'softmax_ce':
    case 'softmax_ce_dense': {
      // logsumexp(p) - p_c is computed as (m - p_c) + log(s): no huge value is ever subtracted
      // from another, so a target logit of -1e4 against a max of 1e4 gives 2e4, not inf - inf.
      let m = -Infinity;
      for (let j = 0; j < c; j++) m = Math.max(m, p[j]);
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(p[j] - m);
      const logS = Math.log(s);
      // The sparse form is the dense one with a one-hot target row.
      const k = name === 'softmax_ce' ? classIndex(t[0], c) : -1;
      const target = (j: number) => (k >= 0 ? (j === k ? 1 : 0) : t[j]);
      let total = 0;
      let mass = 0;
      for (let j = 0; j < c; j++) {
        const tj = target(j);
        total += tj * (m - p[j] + logS);
        mass += tj;
      }
      for (let j = 0; j < c; j++) grad[j] = (Math.exp(p[j] - m) / s) * mass - target(j);
      return total;
    }
  }
}

/** [loss, d loss / d p] of one element for the elementwise losses. */
function elementLoss(name: 'mse' | 'mae' | 'huber' | 'bce_logits', p: number, t: number, delta: number): [number, number] {
  const d = p - t;
  switch (name) {
    case 'mse':
      return [d * d, 2 * d];
    case 'mae':
      return [Math.abs(d), Math.sign(d)];
    case 'huber':
      return Math.abs(d) <= delta ? [0.5 * d * d, d] : [delta * (Math.abs(d) - 0.5 * delta), delta * Math.sign(d)];
    case 'bce_logits':
      return [softplus(p) - p * t, sigmoid(p) - t];
  }
}

/**
 * A softmax_ce target must name a class. The CPU side throws; the GPU kernel cannot, so it
 * writes NaN into that row's loss and gradient instead, which the trainer reports as a
 * non-finite loss (see shaders/loss.wgsl).
 */
function classIndex(value: number, classes: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= classes) {
    throw new RangeError(`softmax_ce: target class ${value} is not an integer in [0, ${classes - 1}]`);
  }
  return value;
}

/**
 * rowLoss[r] = loss of row r; grad = d(mean_r rowLoss[r]) / d pred, i.e. the row gradient / B.
 * huberDelta defaults to DEFAULT_HUBER_DELTA.
 */
export function loss({ loss: name, pred, target, grad, rowLoss, huberDelta }: Args['loss']): void {
  const [rows, cols] = pred.shape;
  const tCols = target.shape[1];
  const delta = huberDelta ?? DEFAULT_HUBER_DELTA;
  const rowGrad = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const p = pred.data.subarray(r * cols, (r + 1) * cols);
    const t = target.data.subarray(r * tCols, (r + 1) * tCols);
    rowLoss.data[r] = rowLossAndGrad(name, p, t, delta, rowGrad);
    for (let j = 0; j < cols; j++) grad.data[r * cols + j] = rowGrad[j] / rows;
  }
}

/** out[0] = (accumulate ? out[0] : 0) + value: the one write every reduction ends with. */
function writeScalar(out: CpuTensor, value: number, accumulate: boolean | undefined): void {
  out.data[0] = (accumulate ? out.data[0] : 0) + value;
}

export function sum({ x, out, accumulate }: Args['sum']): void {
  let s = 0;
  for (const v of x.data) s += v;
  writeScalar(out, s, accumulate);
}

export function sumSquares({ x, out, accumulate }: Args['sumSquares']): void {
  let s = 0;
  for (const v of x.data) s += v * v;
  writeScalar(out, s, accumulate);
}

/** Index of the largest value; the first one wins a tie, and NaN never wins (`>` is false). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

/**
 * Counts correct rows. C > 1: argmax(pred row) equals the target's class, which is the index in a
 * [B, 1] target (an index that is not a class simply never matches) or the argmax of a [B, C]
 * target row. C == 1: (pred > threshold) equals (target > 0.5).
 */
export function accuracy({ pred, target, out, threshold, accumulate }: Args['accuracy']): void {
  const [rows, cols] = pred.shape;
  const tCols = target.shape[1];
  const cut = threshold ?? DEFAULT_ACCURACY_THRESHOLD;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const p = pred.data.subarray(r * cols, (r + 1) * cols);
    const t = target.data.subarray(r * tCols, (r + 1) * tCols);
    let right: boolean;
    if (cols === 1) right = p[0] > cut === t[0] > 0.5;
    else right = argmax(p) === (tCols === 1 ? t[0] : argmax(t));
    if (right) correct++;
  }
  writeScalar(out, correct, accumulate);
}

/** Counts columns of y [B, N] equal to 0 in every row (-0 counts as 0; NaN does not). */
export function deadUnits({ y, out, accumulate }: Args['deadUnits']): void {
  const [rows, cols] = y.shape;
  let dead = 0;
  for (let j = 0; j < cols; j++) {
    let allZero = true;
    for (let r = 0; r < rows && allZero; r++) allZero = y.data[r * cols + j] === 0;
    if (allZero) dead++;
  }
  writeScalar(out, dead, accumulate);
}
