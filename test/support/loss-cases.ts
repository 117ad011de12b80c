// Inputs and tolerances the loss-family kernel tests share (single model and model batch): seeded
// targets of the right kind for each loss, and the rounding bound of the sum kernels' summation tree.

import type { LossName } from '../../src/ops/names.js';
import type { CpuTensor } from '../../src/ops/tensor.js';
import { cpuTensor } from '../../src/ops/tensor.js';
import type { Rng } from '../../src/util/rng.js';
import { randomTensor, type Tolerance } from './compare.js';

const EPS32 = 2 ** -24; // unit roundoff of f32

/** Seeded targets of the right kind for each loss: values, probabilities, class indices, soft rows. */
export function targetFor(rng: Rng, name: LossName, pred: CpuTensor): CpuTensor {
  const [rows, cols] = pred.shape;
  switch (name) {
    case 'mae': {
      // Every 5th target equals its prediction: mae's gradient there must be exactly 0.
      const t = randomTensor(rng, [rows, cols], -3, 3);
      for (let i = 0; i < t.data.length; i += 5) t.data[i] = Math.fround(pred.data[i]);
      return t;
    }
    case 'mse':
    case 'huber':
      return randomTensor(rng, [rows, cols], -3, 3);
    case 'bce_logits': {
      const t = randomTensor(rng, [rows, cols], 0, 1);
      for (let i = 0; i < t.data.length; i += 3) t.data[i] = i % 2; // hard labels too
      return t;
    }
    case 'softmax_ce':
      return cpuTensor([rows, 1], Array.from({ length: rows }, () => Math.floor(rng.next() * cols)));
    case 'softmax_ce_dense': {
      // Soft rows summing to 1, every other row one-hot.
      const t = randomTensor(rng, [rows, cols], 0, 1);
      for (let r = 0; r < rows; r++) {
        const row = t.data.subarray(r * cols, (r + 1) * cols);
        if (r % 2) {
          const k = Math.floor(rng.next() * cols);
          row.fill(0);
          row[k] = 1;
        } else {
          const total = row.reduce((a, b) => a + b, 0);
          for (let j = 0; j < cols; j++) row[j] /= total;
        }
      }
      return t;
    }
  }
}

/**
 * Worst-case rounding of the kernels' summation tree: each thread adds <= max(4, n / 65536)
 * values serially, two 8-level workgroup trees follow, then the accumulate add. A sum computed
 * with depth-d additions is off by at most d * eps * sum|terms| (Higham's gamma_d bound, to first order).
 */
export function sumTolerance(terms: ArrayLike<number>, start = 0): Tolerance {
  const depth = Math.max(4, Math.ceil(terms.length / 65536)) + 8 + 1 + 8 + 1 + 1; // +1: rounding of x^2
  let magnitude = Math.abs(start);
  for (let i = 0; i < terms.length; i++) magnitude += Math.abs(terms[i]);
  return { atol: 1.01 * depth * EPS32 * magnitude, rtol: 0 };
}
