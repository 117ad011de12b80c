// Float64 reference of the dense-layer ops: matmul with its fused epilogues, and the bias gradient.
// This is the specification shaders/matmul.wgsl and shaders/bias_grad.wgsl implement in f32.
// Transposes are index mappings (a [K, M] read as its transpose), never materialized.

import type { OpArgs } from '../ops/args.js';
import { matmulDims } from '../ops/linear.js';
import type { CpuTensor } from '../ops/tensor.js';
import { activate, activateGrad } from './activations.js';

type Args = OpArgs<CpuTensor>;

/**
 * out[i, j] (+)= epilogue(p[i, j]) where p = opA(a) . opB(b), opX(x) = transX ? x^T : x, and
 *   forward:  z = p + bias[j] (bias optional); preActivation[i, j] = z; epilogue = act(z)
 *             (act defaults to identity);
 *   gradOf:   epilogue = p * act'(gradOf.z[i, j])  (dX = (dY . W^T) * act'(z) of the layer below).
 * With accumulate, the result is added to out's existing value; preActivation is always written.
 */
export function matmul(args: Args['matmul']): void {
  const { a, b, out, transA, transB, bias, activation, preActivation, gradOf, accumulate } = args;
  const [m, k, n] = matmulDims(args);
  // Strides of opA(a)[i, kk] and opB(b)[kk, j] in the row-major data.
  const [aRow, aK] = transA ? [1, m] : [k, 1];
  const [bK, bCol] = transB ? [1, k] : [n, 1];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let p = 0;
      for (let kk = 0; kk < k; kk++) p += a.data[i * aRow + kk * aK] * b.data[kk * bK + j * bCol];
      const idx = i * n + j;
      let v: number;
      if (gradOf) {
        v = p * activateGrad(gradOf.activation, gradOf.z.data[idx]);
      } else {
        const z = p + (bias ? bias.data[j] : 0);
        if (preActivation) preActivation.data[idx] = z;
        v = activation ? activate(activation, z) : z;
      }
      out.data[idx] = accumulate ? out.data[idx] + v : v;
    }
  }
}

/** out[j] (+)= sum over rows i of dy[i, j]: the gradient of a bias broadcast over the batch. */
export function biasGrad({ dy, out, accumulate }: Args['biasGrad']): void {
  const [rows, cols] = dy.shape;
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += dy.data[i * cols + j];
    out.data[j] = accumulate ? out.data[j] + s : s;
  }
}
