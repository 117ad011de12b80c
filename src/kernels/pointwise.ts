// GPU kernels for the elementwise ops: one dispatch per op, WG elements (or SOFTMAX_WG rows) per
// workgroup, per model of a batch. The activation (id and alpha) is read from a small table: one
// row, or one per model when the models of a batch differ.

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
  uniform: { n: 'u32', cols: 'u32' },
  bindings: { in0: 'read', in1: 'read', out0: 'read_write', act: 'read' },
  constants: { SOFTMAX_WG: u32(SOFTMAX_WG) },
});

/** The activation table: [id bits, alpha] for every model, or once when they share it. */
export function activationTable(ctx: KernelContext, label: string, act: Activation, perModel: readonly Activation[] | undefined): { buffer: GPUBuffer; stride: number } {
  const list = perModel ?? [act];
  return ctx.table(`${label}.activation`, list.length, 2, (m, f32, u32, base) => {
    u32[base] = activationId(list[m].name);
    f32[base + 1] = list[m].alpha ?? defaultAlpha(list[m].name);
  });
}

async function elementwise(ctx: KernelContext, entry: string, n: number, activation: Activation | undefined, perModel: readonly Activation[] | undefined, in0: GpuTensor, in1: GpuTensor, out0: GpuTensor): Promise<Dispatch[]> {
  const table = activationTable(ctx, entry, activation ?? { name: 'identity' }, perModel);
  return [
    await ctx.dispatch(POINTWISE, {
      label: entry, entry, uniform: { n, cols: 0 },
      bindings: { in0, in1, out0, act: table.buffer }, modelStrides: { act: table.stride },
      workgroups: groups1d(n, WG),
    }),
  ];
}

export const pointwiseKernels = {
  activation: (ctx: KernelContext, { x, y, activation, perModel }: Args['activation']) => elementwise(ctx, 'activation_forward', sizeOf(x.shape), activation, perModel?.activation, x, x, y),
  activationGrad: (ctx: KernelContext, { z, dy, dx, activation, perModel }: Args['activationGrad']) => elementwise(ctx, 'activation_backward', sizeOf(z.shape), activation, perModel?.activation, z, dy, dx),
  add: (ctx: KernelContext, { a, b, out }: Args['add']) => elementwise(ctx, 'add', sizeOf(a.shape), undefined, undefined, a, b, out),
  softmax: async (ctx: KernelContext, { x, y }: Args['softmax']): Promise<Dispatch[]> => {
    const [rows, cols] = x.shape;
    const table = activationTable(ctx, 'softmax', { name: 'identity' }, undefined);
    return [await ctx.dispatch(POINTWISE, { label: 'softmax', entry: 'softmax_rows', uniform: { n: rows, cols }, bindings: { in0: x, in1: x, out0: y, act: table.buffer }, workgroups: groups1d(rows, SOFTMAX_WG) })];
  },
};
