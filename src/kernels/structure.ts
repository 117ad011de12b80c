// GPU kernels for the structural ops: dropout (one elementwise dispatch, forward and backward share
// it), layer norm (a workgroup per row; the backward adds a column-parallel pass for dgamma/dbeta)
// and the batch row gather. Per-step values (rngStep, batchOffset) are read from `scalars`.

import dropoutWgsl from '../../shaders/dropout.wgsl?raw';
import gatherWgsl from '../../shaders/gather.wgsl?raw';
import layerNormWgsl from '../../shaders/layer_norm.wgsl?raw';
import type { OpArgs } from '../ops/args.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import { keepThreshold } from '../reference/random.js';
import { LAYER_NORM_EPSILON } from '../reference/structure.js';
import type { Dispatch, KernelContext } from './runtime.js';
import { groups1d } from './runtime.js';

type Args = OpArgs<GpuTensor>;

/** dst = src * keep / (1 - p): dropout's forward (x -> y) and backward (dy -> dx) alike. */
async function dropoutMask(ctx: KernelContext, label: string, src: GpuTensor, dst: GpuTensor, p: number, seed: number, scalars: GpuTensor): Promise<Dispatch[]> {
  const n = sizeOf(src.shape);
  const pipeline = await ctx.pipelines.get('dropout', dropoutWgsl, 'dropout_apply');
  const uniform = ctx.uniform(`dropout.${label}`, [
    ['u32', n],
    ['u32', seed],
    ['u32', keepThreshold(p)],
    ['f32', 1 / (1 - p)],
  ]);
  const bindGroup = ctx.bindGroup(`dropout.${label}`, pipeline, [uniform, scalars, src, dst]);
  return [{ label, pipeline, bindGroup, workgroups: groups1d(n, 256) }];
}

/** Threads per row workgroup: the next power of two >= N, between 32 and 256. */
function rowWorkgroupSize(cols: number): number {
  let wg = 32;
  while (wg < cols && wg < 256) wg *= 2;
  return wg;
}

function layerNormUniform(ctx: KernelContext, label: string, rows: number, cols: number, epsilon: number, accumulate: boolean): GPUBuffer {
  return ctx.uniform(label, [
    ['u32', rows],
    ['u32', cols],
    ['f32', epsilon],
    ['u32', accumulate ? 1 : 0],
  ]);
}

export const structureKernels = {
  dropout: (ctx: KernelContext, { x, y, p, seed, scalars }: Args['dropout']) => dropoutMask(ctx, 'dropout', x, y, p, seed, scalars),
  dropoutGrad: (ctx: KernelContext, { dy, dx, p, seed, scalars }: Args['dropoutGrad']) => dropoutMask(ctx, 'dropoutGrad', dy, dx, p, seed, scalars),

  layerNorm: async (ctx: KernelContext, { x, gamma, beta, y, mean, rstd, epsilon = LAYER_NORM_EPSILON }: Args['layerNorm']): Promise<Dispatch[]> => {
    const [rows, cols] = x.shape;
    const pipeline = await ctx.pipelines.get('layer_norm', layerNormWgsl, 'layer_norm_forward', { WG: rowWorkgroupSize(cols) });
    const uniform = layerNormUniform(ctx, 'layerNorm', rows, cols, epsilon, false);
    const bindGroup = ctx.bindGroup('layerNorm', pipeline, [uniform, x, gamma, beta, y, mean, rstd]);
    return [{ label: 'layerNorm', pipeline, bindGroup, workgroups: groups1d(rows, 1) }];
  },

  layerNormGrad: async (ctx: KernelContext, args: Args['layerNormGrad']): Promise<Dispatch[]> => {
    const { dy, x, gamma, mean, rstd, dx, dgamma, dbeta, accumulate = false } = args;
    const [rows, cols] = x.shape;
    const rowPipeline = await ctx.pipelines.get('layer_norm', layerNormWgsl, 'layer_norm_backward_rows', { WG: rowWorkgroupSize(cols) });
    const columnPipeline = await ctx.pipelines.get('layer_norm', layerNormWgsl, 'layer_norm_backward_columns');
    const uniform = layerNormUniform(ctx, 'layerNormGrad', rows, cols, 0, accumulate);
    const bindings = [uniform, x, gamma, dy, mean, rstd, dx, dgamma, dbeta];
    return [
      { label: 'layerNormGrad.rows', pipeline: rowPipeline, bindGroup: ctx.bindGroup('layerNormGrad.rows', rowPipeline, bindings), workgroups: groups1d(rows, 1) },
      { label: 'layerNormGrad.columns', pipeline: columnPipeline, bindGroup: ctx.bindGroup('layerNormGrad.columns', columnPipeline, bindings), workgroups: groups1d(cols, 64) },
    ];
  },

  gather: async (ctx: KernelContext, { src, indices, dst, scalars }: Args['gather']): Promise<Dispatch[]> => {
    const n = sizeOf(dst.shape);
    const pipeline = await ctx.pipelines.get('gather', gatherWgsl, 'gather_rows');
    const uniform = ctx.uniform('gather', [
      ['u32', n],
      ['u32', dst.shape[1]],
      ['u32', src.shape[0]],
      ['u32', indices.shape[0]],
    ]);
    const bindGroup = ctx.bindGroup('gather', pipeline, [uniform, scalars, src, indices, dst]);
    return [{ label: 'gather', pipeline, bindGroup, workgroups: groups1d(n, 256) }];
  },
};
