// Float64 reference of the elementwise ops (activation, its gradient, row softmax, add).

import type { OpArgs } from '../ops/args.js';
import type { CpuTensor } from '../ops/tensor.js';
import { activate, activateGrad } from './activations.js';

type Args = OpArgs<CpuTensor>;

export function activation({ x, y, activation: act }: Args['activation']): void {
  for (let i = 0; i < x.data.length; i++) y.data[i] = activate(act, x.data[i]);
}

export function activationGrad({ z, dy, dx, activation: act }: Args['activationGrad']): void {
  for (let i = 0; i < z.data.length; i++) dx.data[i] = dy.data[i] * activateGrad(act, z.data[i]);
}

export function softmax({ x, y }: Args['softmax']): void {
  const [rows, cols] = x.shape;
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x.data[r * cols + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x.data[r * cols + c] - max);
    for (let c = 0; c < cols; c++) y.data[r * cols + c] = Math.exp(x.data[r * cols + c] - max) / sum;
  }
}

export function add({ a, b, out }: Args['add']): void {
  for (let i = 0; i < a.data.length; i++) out.data[i] = a.data[i] + b.data[i];
}
