// GPU kernels for the loss family: one dispatch for the per-row loss and its gradient, and the
// scalar reductions of shaders/reduce.wgsl. sum / sumSquares run every step over up to ~1e6
// values, so big inputs take two passes: up to 256 workgroups write partial sums to scratch,
// then one workgroup adds those into out[0].

import lossWgsl from '../../shaders/loss.wgsl?raw';
import reduceWgsl from '../../shaders/reduce.wgsl?raw';
import type { OpArgs } from '../ops/args.js';
import { lossId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import { DEFAULT_ACCURACY_THRESHOLD, DEFAULT_HUBER_DELTA } from '../reference/loss.js';
import type { Binding, Dispatch, KernelContext } from './runtime.js';
import { groups1d } from './runtime.js';
import { withActivations } from './sources.js';

type Args = OpArgs<GpuTensor>;
const LOSS_SOURCE = withActivations(lossWgsl);

/** Threads per workgroup in reduce.wgsl. */
const WG = 256;
/** First-pass workgroups at most: the second pass then adds <= one value per thread. */
const MAX_GROUPS = 256;
/** Below this many values per thread a second pass costs more than the parallelism gains. */
const MIN_PER_THREAD = 4;

/** Fields of reduce.wgsl's Params, in order. */
interface ReduceParams {
  n: number;
  width?: number;
  aux?: number;
  accumulate?: boolean;
  threshold?: number;
}

/** One dispatch of a reduce.wgsl entry point writing into `out` (a tensor or scratch). */
async function reduceDispatch(
  ctx: KernelContext,
  label: string,
  entry: string,
  p: ReduceParams,
  in0: Binding,
  in1: Binding,
  out: Binding,
  groups = 1,
): Promise<Dispatch> {
  const pipeline = await ctx.pipelines.get('reduce', reduceWgsl, entry);
  const uniform = ctx.uniform(label, [
    ['u32', p.n],
    ['u32', p.width ?? 0],
    ['u32', p.aux ?? 0],
    ['u32', p.accumulate ? 1 : 0],
    ['f32', p.threshold ?? 0],
  ]);
  const bindGroup = ctx.bindGroup(label, pipeline, [uniform, in0, in1, out]);
  return { label, pipeline, bindGroup, workgroups: [groups, 1, 1] };
}

/** out[0] (+)= sum of x (or of x^2): one pass for small x, two passes through scratch otherwise. */
async function sumOf(ctx: KernelContext, op: 'sum' | 'sumSquares', { x, out, accumulate }: Args['sum']): Promise<Dispatch[]> {
  const n = sizeOf(x.shape);
  const aux = op === 'sumSquares' ? 1 : 0;
  const groups = Math.min(MAX_GROUPS, Math.ceil(n / (WG * MIN_PER_THREAD)));
  if (groups === 1) return [await reduceDispatch(ctx, op, 'reduce_sum', { n, aux, accumulate }, x, x, out)];
  const partials = ctx.scratch(`${op}.partials`, groups);
  return [
    await reduceDispatch(ctx, `${op}.partials`, 'reduce_sum', { n, aux }, x, x, partials, groups),
    await reduceDispatch(ctx, `${op}.total`, 'reduce_sum', { n: groups, accumulate }, partials, partials, out),
  ];
}

export const lossKernels = {
  loss: async (ctx: KernelContext, { loss, pred, target, grad, rowLoss, huberDelta }: Args['loss']): Promise<Dispatch[]> => {
    const [rows, cols] = pred.shape;
    const pipeline = await ctx.pipelines.get('loss', LOSS_SOURCE, 'loss_rows');
    const uniform = ctx.uniform(`loss.${loss}`, [
      ['u32', rows],
      ['u32', cols],
      ['u32', lossId(loss)],
      ['f32', huberDelta ?? DEFAULT_HUBER_DELTA],
    ]);
    const bindGroup = ctx.bindGroup(`loss.${loss}`, pipeline, [uniform, pred, target, rowLoss, grad]);
    return [{ label: `loss.${loss}`, pipeline, bindGroup, workgroups: groups1d(rows, 64) }];
  },
  sum: (ctx: KernelContext, args: Args['sum']) => sumOf(ctx, 'sum', args),
  sumSquares: (ctx: KernelContext, args: Args['sumSquares']) => sumOf(ctx, 'sumSquares', args),
  accuracy: async (ctx: KernelContext, { pred, target, out, threshold, accumulate }: Args['accuracy']): Promise<Dispatch[]> => {
    const [rows, cols] = pred.shape;
    const params = { n: rows, width: cols, aux: target.shape[1], accumulate, threshold: threshold ?? DEFAULT_ACCURACY_THRESHOLD };
    return [await reduceDispatch(ctx, 'accuracy', 'accuracy_count', params, pred, target, out)];
  },
  deadUnits: async (ctx: KernelContext, { y, out, accumulate }: Args['deadUnits']): Promise<Dispatch[]> => {
    const [rows, cols] = y.shape;
    return [await reduceDispatch(ctx, 'deadUnits', 'dead_units', { n: cols, width: rows, accumulate }, y, y, out)];
  },
};
