// GPU kernel of the optimizer step: one dispatch, 256 threads of 4 elements per workgroup, per
// model of a batch. The optimizer kind and clipping are override constants (one pipeline per
// combination, branches folded); the hyperparameters sit in a table written once (one row, or one
// per model where the models differ); lr and step are read from each model's scalars each step.

import optimizerWgsl from '../../shaders/optimizer.wgsl?raw';
import type { OpArgs } from '../ops/args.js';
import { SCALAR } from '../ops/args.js';
import { argsForModel } from '../ops/per-model.js';
import { CLIP_EPSILON, optimizerHyperparameters, type OptimizerHyperparameters } from '../ops/defaults.js';
import { OPTIMIZERS, optimizerId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import type { KernelContext } from './context.js';
import { bool, defineKernel, f32, idConstants, u32, u32Override } from './descriptor.js';
import { groups1d, type Dispatch } from './dispatch.js';

type Args = OpArgs<GpuTensor>;
const WG = 256;
/** Elements per thread: the per-step values are computed once per thread, not per element. */
const PER_THREAD = 4;

/** The columns of a hyperparameter table row (the shader reads column NAME at HP_<NAME>). */
const HYPER_COLUMNS = ['weight_decay', 'decay1', 'one_minus_decay1', 'log_decay1', 'decay2', 'one_minus_decay2', 'log_decay2', 'epsilon', 'max_norm', 'clips'] as const;
type HyperRow = Record<(typeof HYPER_COLUMNS)[number], number>;

const OPTIMIZER = defineKernel({
  name: 'optimizer', body: optimizerWgsl, workgroupSize: WG,
  // Not `params`: that is the parameter buffer's binding.
  uniformVariable: 'sizes',
  uniform: { n: 'u32', decay_count: 'u32' },
  bindings: { scalars: 'read', grads: 'read', clip_sum_squares: 'read', params: 'read_write', state1: 'read_write', state2: 'read_write', hyper: 'read' },
  overrides: { KIND: u32Override(0), CLIP: bool(false) },
  constants: {
    ...idConstants('OPT', OPTIMIZERS),
    ...idConstants('HP', HYPER_COLUMNS),
    PER_THREAD: u32(PER_THREAD),
    LR_SLOT: u32(SCALAR.lr),
    STEP_SLOT: u32(SCALAR.step),
    CLIP_EPSILON: f32(CLIP_EPSILON),
  },
});

/**
 * ln(decay) for the bias correction 1 − decay^t, floored at −80 so decay = 0 stays finite
 * (e^−80 ≈ 2e−35 already rounds 1 − e^−80t to 1 in f32, the exact value for decay = 0).
 */
function logDecay(decay: number): number {
  return Math.max(Math.log(decay), -80);
}

/** state1's decay (μ, β1 or ρ) and state2's (β2) for an optimizer; 0 where it has none. */
function decays(name: Args['optimizer']['optimizer'], h: OptimizerHyperparameters): [number, number] {
  switch (name) {
    case 'momentum':
    case 'nesterov':
      return [h.momentum, 0];
    case 'adam':
    case 'adamw':
      return [h.beta1, h.beta2];
    case 'rmsprop':
      return [h.rho, 0];
    default:
      return [0, 0];
  }
}

/**
 * One model's table row (args already resolved for that model). An infinite max norm (a model of
 * a batch that does not clip) sets clips = 0: factor exactly 1, whatever its gradient norm.
 */
function hyperparameters(args: Args['optimizer']): HyperRow {
  const h = optimizerHyperparameters(args);
  const [decay1, decay2] = decays(args.optimizer, h);
  const maxNorm = args.clip?.maxNorm ?? Infinity;
  return {
    weight_decay: h.weightDecay,
    decay1,
    one_minus_decay1: 1 - decay1,
    log_decay1: logDecay(decay1),
    decay2,
    one_minus_decay2: 1 - decay2,
    log_decay2: logDecay(decay2),
    epsilon: h.epsilon,
    max_norm: Number.isFinite(maxNorm) ? maxNorm : 0,
    clips: Number.isFinite(maxNorm) ? 1 : 0,
  };
}

/** The hyperparameter table: a row per model where any differs (perModel), else one row for all. */
function hyperTable(ctx: KernelContext, label: string, args: Args['optimizer']): { buffer: GPUBuffer; stride: number } {
  const rows = Object.values(args.perModel ?? {}).some(Boolean) ? ctx.models : 1;
  return ctx.table(`${label}.hyperparameters`, rows, HYPER_COLUMNS.length, (m, f32, _u32, base) => {
    const row = hyperparameters(argsForModel<'optimizer', GpuTensor>('optimizer', args, m));
    HYPER_COLUMNS.forEach((name, i) => (f32[base + i] = row[name]));
  });
}

export const optimizerKernels = {
  optimizer: async (ctx: KernelContext, args: Args['optimizer']): Promise<Dispatch[]> => {
    const label = `optimizer.${args.optimizer}`;
    const table = hyperTable(ctx, label, args);
    // Absent inputs get stand-ins the folded branches never read: scalars for the read-only clip
    // input, and one small buffer per absent state (two writable bindings may not alias).
    const bindings = {
      scalars: args.scalars,
      grads: args.grads,
      clip_sum_squares: args.clip?.sumSquares ?? args.scalars,
      params: args.params,
      state1: args.state1 ?? ctx.scratch('optimizer.noState1', 4),
      state2: args.state2 ?? ctx.scratch('optimizer.noState2', 4),
      hyper: table.buffer,
    };
    const overrides = { KIND: optimizerId(args.optimizer), CLIP: Boolean(args.clip) };
    const n = sizeOf(args.params.shape);
    const workgroups = groups1d(Math.ceil(n / PER_THREAD), WG);
    const uniform = { n, decay_count: args.decayCount };
    return [await ctx.dispatch(OPTIMIZER, { label, entry: 'optimizer_step', overrides, uniform, bindings, modelStrides: { hyper: table.stride }, workgroups })];
  },
};
