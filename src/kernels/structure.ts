// GPU kernels for the structural ops: dropout (one elementwise dispatch, forward and backward share
// it), layer norm (a workgroup per row; the backward adds a column-parallel pass for dgamma/dbeta)
// and the batch row gather. Per-step values (rngStep, batchOffset) are read from `scalars`. Each
// runs a model batch in one dispatch (workgroup z = model): dropout's rate and seed come from a
// table (a row per model where they differ); a gather into a shared batch runs once.

import dropoutWgsl from '../../shaders/dropout.wgsl?raw';
import gatherWgsl from '../../shaders/gather.wgsl?raw';
import layerNormWgsl from '../../shaders/layer_norm.wgsl?raw';
import layerNormBackwardWgsl from '../../shaders/layer_norm_backward.wgsl?raw';
import layerNormForwardWgsl from '../../shaders/layer_norm_forward.wgsl?raw';
import type { OpArgs } from '../ops/args.js';
import { SCALAR } from '../ops/args.js';
import { keepThreshold, LAYER_NORM_EPSILON } from '../ops/defaults.js';
import { valueFor } from '../ops/per-model.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import type { KernelContext } from './context.js';
import { bool, defineKernel, idConstants, u32, u32Override } from './descriptor.js';
import { groups1d, type Dispatch } from './dispatch.js';

type Args = OpArgs<GpuTensor>;
const WG = 256;

/** The columns of a dropout table row (the shader reads column NAME at RATE_<NAME>). */
const RATE_COLUMNS = ['seed', 'threshold', 'scale'] as const;

const DROPOUT = defineKernel({
  name: 'dropout', body: dropoutWgsl, workgroupSize: WG,
  uniform: { n: 'u32' },
  bindings: { scalars: 'read', src: 'read', dst: 'read_write', rate: 'read' },
  constants: { SCALAR_RNG_STEP: u32(SCALAR.rngStep), ...idConstants('RATE', RATE_COLUMNS) },
});

const GATHER = defineKernel({
  name: 'gather', body: gatherWgsl, workgroupSize: WG,
  uniform: { n: 'u32', cols: 'u32', src_rows: 'u32', count: 'u32' },
  bindings: { scalars: 'read', src: 'read', indices: 'read', dst: 'read_write' },
  constants: { SCALAR_BATCH_OFFSET: u32(SCALAR.batchOffset) },
});

/** Threads per dgamma/dbeta column workgroup (one thread per column). */
const COLUMN_WG = 64;
/** What forward and backward share: shaders/layer_norm.wgsl, sized by the override WG (threads per row workgroup). */
const LAYER_NORM_COMMON = {
  libraries: [{ source: layerNormWgsl }],
  uniform: { rows: 'u32', cols: 'u32', epsilon: 'f32', accumulate: 'u32' },
  overrides: { WG: u32Override(256) },
} as const;

const LAYER_NORM_FORWARD = defineKernel({
  name: 'layer_norm_forward', body: layerNormForwardWgsl,
  ...LAYER_NORM_COMMON,
  bindings: { x: 'read', gamma: 'read', beta: 'read', y: 'read_write', mean_out: 'read_write', rstd_out: 'read_write' },
});

const LAYER_NORM_BACKWARD = defineKernel({
  name: 'layer_norm_backward', body: layerNormBackwardWgsl,
  ...LAYER_NORM_COMMON,
  // One parameter gradient per dispatch (dgamma, then dbeta): in a model batch both are regions of
  // the flat gradient buffer, and each binding spans every model's copy, so bound together as
  // writable storage they would overlap, which WebGPU forbids.
  bindings: { x: 'read', gamma: 'read', dy: 'read', mean_in: 'read', rstd_in: 'read', dx: 'read_write', dparam: 'read_write' },
  overrides: { ...LAYER_NORM_COMMON.overrides, BETA: bool(false) },
  constants: { COLUMN_WG: u32(COLUMN_WG) },
});

type DropoutArgs = Pick<Args['dropout'], 'p' | 'seed' | 'scalars' | 'perModel'>;

/**
 * dst = src * keep / (1 - p): dropout's forward (x -> y) and backward (dy -> dx) alike. The table
 * holds each model's seed (exact u32 bits), threshold and scale (1 / (1 - p) in float64, then f32).
 */
async function dropoutMask(ctx: KernelContext, label: string, src: GpuTensor, dst: GpuTensor, { p, seed, scalars, perModel }: DropoutArgs): Promise<Dispatch[]> {
  const n = sizeOf(src.shape);
  const rows = perModel?.p || perModel?.seed ? ctx.models : 1;
  const table = ctx.table(`${label}.rate`, rows, RATE_COLUMNS.length, (m, f32, u32, base) => {
    const rate = valueFor(perModel?.p, p, m);
    u32[base + RATE_COLUMNS.indexOf('seed')] = valueFor(perModel?.seed, seed, m) >>> 0;
    u32[base + RATE_COLUMNS.indexOf('threshold')] = keepThreshold(rate);
    f32[base + RATE_COLUMNS.indexOf('scale')] = 1 / (1 - rate);
  });
  return [
    await ctx.dispatch(DROPOUT, {
      label, entry: 'dropout_apply', uniform: { n },
      bindings: { scalars, src, dst, rate: table.buffer }, modelStrides: { rate: table.stride },
      workgroups: groups1d(n, WG),
    }),
  ];
}

/** Threads per row workgroup: the next power of two >= N, between 32 and 256. */
function rowWorkgroupSize(cols: number): number {
  let wg = 32;
  while (wg < cols && wg < 256) wg *= 2;
  return wg;
}

export const structureKernels = {
  dropout: (ctx: KernelContext, args: Args['dropout']) => dropoutMask(ctx, 'dropout', args.x, args.y, args),
  dropoutGrad: (ctx: KernelContext, args: Args['dropoutGrad']) => dropoutMask(ctx, 'dropoutGrad', args.dy, args.dx, args),

  layerNorm: async (ctx: KernelContext, { x, gamma, beta, y, mean, rstd, epsilon = LAYER_NORM_EPSILON }: Args['layerNorm']): Promise<Dispatch[]> => {
    const [rows, cols] = x.shape;
    return [
      await ctx.dispatch(LAYER_NORM_FORWARD, {
        label: 'layerNorm',
        entry: 'layer_norm_forward',
        overrides: { WG: rowWorkgroupSize(cols) },
        uniform: { rows, cols, epsilon, accumulate: false },
        bindings: { x, gamma, beta, y, mean_out: mean, rstd_out: rstd },
        workgroups: groups1d(rows, 1),
      }),
    ];
  },

  layerNormGrad: async (ctx: KernelContext, args: Args['layerNormGrad']): Promise<Dispatch[]> => {
    const { dy, x, gamma, mean, rstd, dx, dgamma, dbeta, accumulate = false } = args;
    const [rows, cols] = x.shape;
    const uniform = { rows, cols, epsilon: 0, accumulate };
    const common = { x, gamma, dy, mean_in: mean, rstd_in: rstd, dx };
    const columns = (beta: boolean) =>
      ctx.dispatch(LAYER_NORM_BACKWARD, { label: `layerNormGrad.${beta ? 'dbeta' : 'dgamma'}`, entry: 'layer_norm_backward_columns', overrides: { BETA: beta }, uniform, bindings: { ...common, dparam: beta ? dbeta : dgamma }, workgroups: groups1d(cols, COLUMN_WG) });
    return [
      await ctx.dispatch(LAYER_NORM_BACKWARD, { label: 'layerNormGrad.rows', entry: 'layer_norm_backward_rows', overrides: { WG: rowWorkgroupSize(cols) }, uniform, bindings: { ...common, dparam: dgamma }, workgroups: groups1d(rows, 1) }),
      await columns(false),
      await columns(true),
    ];
  },

  /**
   * src is the shared dataset. A per-model dst gathers per model (its own order when indices are
   * per model, its own batch offset); a shared dst is gathered once, with model 0's offset.
   */
  gather: async (ctx: KernelContext, { src, indices, dst, scalars }: Args['gather']): Promise<Dispatch[]> => {
    if (indices.modelStride && !dst.modelStride) throw new Error('gather: per-model indices (a row order per model) need a per-model dst');
    const n = sizeOf(dst.shape);
    const uniform = { n, cols: dst.shape[1], src_rows: src.shape[0], count: indices.shape[0] };
    return [await ctx.dispatch(GATHER, { label: 'gather', entry: 'gather_rows', uniform, bindings: { scalars, src, indices, dst }, workgroups: groups1d(n, WG) })];
  },
};
