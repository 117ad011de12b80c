// Central-difference gradients for checking the float64 reference's backward functions.
// Truncation ~ h^2 * f''' ~ 1e-12 and rounding ~ 1e-16 * |L| / h ~ 1e-9 at h = 1e-6, hence FD_TOL.

import type { CpuTensor } from '../../src/ops/tensor.js';

export const H = 1e-6;
export const FD_TOL = { atol: 1e-8, rtol: 1e-6 };

/** d(loss)/d(t.data[i]) for every i by central differences, restoring t afterwards. */
export function numericGrad(t: CpuTensor, loss: () => number): Float64Array {
  const grad = new Float64Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    const keep = t.data[i];
    t.data[i] = keep + H;
    const up = loss();
    t.data[i] = keep - H;
    const down = loss();
    t.data[i] = keep;
    grad[i] = (up - down) / (2 * H);
  }
  return grad;
}

export const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
