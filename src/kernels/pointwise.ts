// GPU kernels for the elementwise ops: one dispatch per op, 256 elements per workgroup.

import pointwiseWgsl from '../../shaders/pointwise.wgsl?raw';
import type { OpArgs } from '../ops/args.js';
import { activationId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import { defaultAlpha } from '../reference/activations.js';
import type { Dispatch, KernelContext } from './runtime.js';
import { groups1d } from './runtime.js';
import { withActivations } from './sources.js';

type Args = OpArgs<GpuTensor>;
const SOURCE = withActivations(pointwiseWgsl);

async function elementwise(
  ctx: KernelContext,
  entry: string,
  n: number,
  act: { id: number; alpha: number },
  in0: GpuTensor,
  in1: GpuTensor,
  out: GpuTensor,
): Promise<Dispatch[]> {
  const pipeline = await ctx.pipelines.get('pointwise', SOURCE, entry);
  const uniform = ctx.uniform(`pointwise.${entry}`, [
    ['u32', n],
    ['u32', 0],
    ['u32', act.id],
    ['f32', act.alpha],
  ]);
  const bindGroup = ctx.bindGroup(`pointwise.${entry}`, pipeline, [uniform, in0, in1, out]);
  return [{ label: entry, pipeline, bindGroup, workgroups: groups1d(n, 256) }];
}

export const pointwiseKernels = {
  activation: (ctx: KernelContext, { x, y, activation }: Args['activation']) =>
    elementwise(ctx, 'activation_forward', sizeOf(x.shape), { id: activationId(activation.name), alpha: activation.alpha ?? defaultAlpha(activation.name) }, x, x, y),
  activationGrad: (ctx: KernelContext, { z, dy, dx, activation }: Args['activationGrad']) =>
    elementwise(ctx, 'activation_backward', sizeOf(z.shape), { id: activationId(activation.name), alpha: activation.alpha ?? defaultAlpha(activation.name) }, z, dy, dx),
  add: (ctx: KernelContext, { a, b, out }: Args['add']) => elementwise(ctx, 'add', sizeOf(a.shape), { id: 0, alpha: 0 }, a, b, out),
  softmax: async (ctx: KernelContext, { x, y }: Args['softmax']): Promise<Dispatch[]> => {
    const [rows, cols] = x.shape;
    const pipeline = await ctx.pipelines.get('pointwise', SOURCE, 'softmax_rows');
    const uniform = ctx.uniform('pointwise.softmax', [
      ['u32', rows],
      ['u32', cols],
      ['u32', 0],
      ['f32', 0],
    ]);
    const bindGroup = ctx.bindGroup('pointwise.softmax', pipeline, [uniform, x, x, y]);
    return [{ label: 'softmax', pipeline, bindGroup, workgroups: groups1d(rows, 64) }];
  },
};
