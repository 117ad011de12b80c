// GPU kernels for the elementwise ops: one dispatch per op, WG elements (or SOFTMAX_WG rows) per workgroup.

import pointwiseWgsl from '../../shaders/pointwise.wgsl?raw';
import type { Activation, OpArgs } from '../ops/args.js';
import { defaultAlpha } from '../ops/defaults.js';
import { activationId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import { ACTIVATION_LIBRARY } from './activations.js';
import type { KernelContext } from './context.js';
import { defineKernel, u32 } from './descriptor.js';
import { groups1d, type Dispatch } from './dispatch.js';

type Args = OpArgs<GpuTensor>;
const WG = 256;
/** Rows per softmax workgroup, one thread per row: rows are short (class counts). */
const SOFTMAX_WG = 64;

const POINTWISE = defineKernel({
  name: 'pointwise', body: pointwiseWgsl, libraries: [ACTIVATION_LIBRARY], workgroupSize: WG,
  uniform: { n: 'u32', cols: 'u32', act: 'u32', alpha: 'f32' },
  bindings: { in0: 'read', in1: 'read', out0: 'read_write' },
  constants: { SOFTMAX_WG: u32(SOFTMAX_WG) },
});

async function elementwise(ctx: KernelContext, entry: string, n: number, act: Activation | undefined, in0: GpuTensor, in1: GpuTensor, out0: GpuTensor): Promise<Dispatch[]> {
  const uniform = { n, cols: 0, act: act ? activationId(act.name) : 0, alpha: act ? act.alpha ?? defaultAlpha(act.name) : 0 };
  return [await ctx.dispatch(POINTWISE, { label: entry, entry, uniform, bindings: { in0, in1, out0 }, workgroups: groups1d(n, WG) })];
}

export const pointwiseKernels = {
  activation: (ctx: KernelContext, { x, y, activation }: Args['activation']) => elementwise(ctx, 'activation_forward', sizeOf(x.shape), activation, x, x, y),
  activationGrad: (ctx: KernelContext, { z, dy, dx, activation }: Args['activationGrad']) => elementwise(ctx, 'activation_backward', sizeOf(z.shape), activation, z, dy, dx),
  add: (ctx: KernelContext, { a, b, out }: Args['add']) => elementwise(ctx, 'add', sizeOf(a.shape), undefined, a, b, out),
  softmax: async (ctx: KernelContext, { x, y }: Args['softmax']): Promise<Dispatch[]> => {
    const [rows, cols] = x.shape;
    const uniform = { n: rows, cols, act: 0, alpha: 0 };
    return [await ctx.dispatch(POINTWISE, { label: 'softmax', entry: 'softmax_rows', uniform, bindings: { in0: x, in1: x, out0: y }, workgroups: groups1d(rows, SOFTMAX_WG) })];
  },
};
