// Tolerances of the dense-layer kernels' f32 sums against the float64 reference, shared by the
// single-model tests (test/kernels/linear.test.ts) and the model-batch ones (test/kernels/batch/),
// so a batched kernel is held to exactly the bound its single-model form is.

import type { Tolerance } from './compare.js';

/** f32 unit roundoff. */
export const U = 2 ** -24;

/**
 * A K-term f32 dot product differs from the exact one by about sqrt(K) * u * sum_k |a_k b_k|:
 * the rounding errors of the running sum add like a random walk, and the tiles sum in a different
 * order than the reference. For a, b uniform in [-scale, scale], E|a b| = scale^2 / 4, so
 * atol = sqrt(K) * u * K * scale^2 / 4 (K = 1024: 4.9e-4; measured worst 4.3e-5, so it is no
 * tighter than this estimate yet far below the O(scale^2) error of a wrong index or a lost tile).
 * The epilogue then adds the activation's own f32 error (pointwise test: 2e-6 absolute, 2e-5 relative).
 */
export function dotTol(k: number, scale = 1): Tolerance {
  return { atol: (Math.sqrt(k) * U * k * scale * scale) / 4 + 2e-6, rtol: 2e-5 };
}

/** A B-term f32 sum of values in [-1, 1] (E|dy| = 1/2): sqrt(B) u B / 2, as for dotTol. */
export function sumTol(rows: number): Tolerance {
  return { atol: (Math.sqrt(rows) * U * rows) / 2, rtol: 1e-6 };
}
