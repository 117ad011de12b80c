// GPU kernels for the loss family: one dispatch for the per-row loss and its gradient, and the
// scalar reductions of shaders/reduce.wgsl. sum / sumSquares run every step over up to ~1e6
// values, so big inputs take two passes: up to 256 workgroups write partial sums to scratch,
// then one workgroup adds those into out[0]. A model batch runs each pass once for all models
// (workgroup z = model): outputs are one float per model, and the partials scratch holds every
// model's partials.

import lossWgsl from '../../shaders/loss.wgsl?raw';
import reduceWgsl from '../../shaders/reduce.wgsl?raw';
import type { OpArgs } from '../ops/args.js';
import { DEFAULT_ACCURACY_THRESHOLD, DEFAULT_HUBER_DELTA } from '../ops/defaults.js';
import { LOSSES, lossId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import { ACTIVATION_LIBRARY } from './activations.js';
import type { Binding, KernelContext } from './context.js';
import { defineKernel, idConstants, u32Override, type ModelStrides, type UniformValues } from './descriptor.js';
import { groups1d, type Dispatch } from './dispatch.js';

type Args = OpArgs<GpuTensor>;

/** Rows per loss workgroup (one thread per row). */
const LOSS_WG = 64;

const LOSS = defineKernel({
  name: 'loss', body: lossWgsl, libraries: [ACTIVATION_LIBRARY], workgroupSize: LOSS_WG,
  uniform: { rows: 'u32', cols: 'u32', loss: 'u32', delta: 'f32' },
  bindings: { pred: 'read', targets: 'read', row_loss: 'read_write', grad: 'read_write' },
  constants: idConstants('LOSS', LOSSES),
});

/** Threads per workgroup in reduce.wgsl's first pass over many values. */
const WG = 256;
/** Fewest threads per workgroup: a single-workgroup reduction of few items takes a power of two from here to WG. */
const MIN_WG = 32;

/** Threads for one workgroup reducing `items` (each thread takes at least one): fewer threads, fewer idle lanes and tree levels. */
function workgroupFor(items: number): number {
  let wg = MIN_WG;
  while (wg < items && wg < WG) wg *= 2;
  return wg;
}
/** First-pass workgroups at most: the second pass then adds <= one value per thread. */
const MAX_GROUPS = 256;
/** Below this many values per thread a second pass costs more than the parallelism gains. */
const MIN_PER_THREAD = 4;

const REDUCE = defineKernel({
  name: 'reduce', body: reduceWgsl,
  overrides: { WG: u32Override(WG) },
  uniform: { n: 'u32', width: 'u32', aux: 'u32', accumulate: 'u32', threshold: 'f32' },
  bindings: { in0: 'read', in1: 'read', out0: 'read_write' },
});

/** One dispatch of a reduce.wgsl entry point writing into `out` (a tensor or scratch); unset fields are 0. */
function reduceDispatch(ctx: KernelContext, label: string, entry: string, p: Partial<UniformValues<typeof REDUCE>>, in0: Binding, in1: Binding, out0: Binding, wg: number, groups = 1, modelStrides: ModelStrides<typeof REDUCE> = {}): Promise<Dispatch> {
  const uniform = { n: 0, width: 0, aux: 0, accumulate: false, threshold: 0, ...p };
  return ctx.dispatch(REDUCE, { label, entry, overrides: { WG: wg }, uniform, bindings: { in0, in1, out0 }, modelStrides, workgroups: [groups, 1, 1] });
}

/** out[0] (+)= sum of x (or of x^2): one pass for small x, two passes through scratch otherwise. */
async function sumOf(ctx: KernelContext, op: 'sum' | 'sumSquares', { x, out, accumulate }: Args['sum']): Promise<Dispatch[]> {
  const n = sizeOf(x.shape);
  const aux = op === 'sumSquares' ? 1 : 0;
  const groups = Math.min(MAX_GROUPS, Math.ceil(n / (WG * MIN_PER_THREAD)));
  if (groups === 1) return [await reduceDispatch(ctx, op, 'reduce_sum', { n, aux, accumulate: Boolean(accumulate) }, x, x, out, workgroupFor(Math.ceil(n / MIN_PER_THREAD)))];
  // Each model's partials in its own row, unless x is shared by every model: then one row serves all.
  const stride = x.modelStride ? groups : 0;
  const partials = ctx.scratch(`${op}.partials`, groups * ctx.models);
  return [
    await reduceDispatch(ctx, `${op}.partials`, 'reduce_sum', { n, aux }, x, x, partials, WG, groups, { out0: stride }),
    await reduceDispatch(ctx, `${op}.total`, 'reduce_sum', { n: groups, accumulate: Boolean(accumulate) }, partials, partials, out, workgroupFor(groups), 1, { in0: stride, in1: stride }),
  ];
}

export const lossKernels = {
  loss: async (ctx: KernelContext, { loss, pred, target, grad, rowLoss, huberDelta }: Args['loss']): Promise<Dispatch[]> => {
    const [rows, cols] = pred.shape;
    const uniform = { rows, cols, loss: lossId(loss), delta: huberDelta ?? DEFAULT_HUBER_DELTA };
    const bindings = { pred, targets: target, row_loss: rowLoss, grad };
    return [await ctx.dispatch(LOSS, { label: `loss.${loss}`, entry: 'loss_rows', uniform, bindings, workgroups: groups1d(rows, LOSS_WG) })];
  },
  sum: (ctx: KernelContext, args: Args['sum']) => sumOf(ctx, 'sum', args),
  sumSquares: (ctx: KernelContext, args: Args['sumSquares']) => sumOf(ctx, 'sumSquares', args),
  accuracy: async (ctx: KernelContext, { pred, target, out, threshold, accumulate }: Args['accuracy']): Promise<Dispatch[]> => {
    const [rows, cols] = pred.shape;
    const params = { n: rows, width: cols, aux: target.shape[1], accumulate: Boolean(accumulate), threshold: threshold ?? DEFAULT_ACCURACY_THRESHOLD };
    return [await reduceDispatch(ctx, 'accuracy', 'accuracy_count', params, pred, target, out, workgroupFor(rows))];
  },
  deadUnits: async (ctx: KernelContext, { y, out, accumulate }: Args['deadUnits']): Promise<Dispatch[]> => {
    const [rows, cols] = y.shape;
    return [await reduceDispatch(ctx, 'deadUnits', 'dead_units', { n: cols, width: rows, accumulate: Boolean(accumulate) }, y, y, out, workgroupFor(cols))];
  },
};
