// GPU kernel of the optimizer step: one dispatch, 256 threads of 4 elements per workgroup. The optimizer kind
// and clipping are override constants (one pipeline per combination, branches folded); the
// hyperparameters sit in a uniform written once; lr and step are read from scalars each step.

import optimizerWgsl from '../../shaders/optimizer.wgsl?raw';
import type { OpArgs } from '../ops/args.js';
import { SCALAR } from '../ops/args.js';
import { CLIP_EPSILON, optimizerHyperparameters, type OptimizerHyperparameters } from '../ops/defaults.js';
import { OPTIMIZERS, optimizerId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import type { KernelContext } from './context.js';
import { bool, defineKernel, f32, idConstants, u32, u32Override, type UniformValues } from './descriptor.js';
import { groups1d, type Dispatch } from './dispatch.js';

type Args = OpArgs<GpuTensor>;
const WG = 256;
/** Elements per thread: the per-step values are computed once per thread, not per element. */
const PER_THREAD = 4;

const OPTIMIZER = defineKernel({
  name: 'optimizer', body: optimizerWgsl, workgroupSize: WG,
  uniformVariable: 'hp',
  uniform: { n: 'u32', decay_count: 'u32', weight_decay: 'f32', decay1: 'f32', one_minus_decay1: 'f32', log_decay1: 'f32', decay2: 'f32', one_minus_decay2: 'f32', log_decay2: 'f32', epsilon: 'f32', max_norm: 'f32' },
  bindings: { scalars: 'read', grads: 'read', clip_sum_squares: 'read', params: 'read_write', state1: 'read_write', state2: 'read_write' },
  overrides: { KIND: u32Override(0), CLIP: bool(false) },
  constants: {
    ...idConstants('OPT', OPTIMIZERS),
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

/** The uniform's values for these args. */
function hyperparameters(args: Args['optimizer']): UniformValues<typeof OPTIMIZER> {
  const h = optimizerHyperparameters(args);
  const [decay1, decay2] = decays(args.optimizer, h);
  return {
    n: sizeOf(args.params.shape),
    decay_count: args.decayCount,
    weight_decay: h.weightDecay,
    decay1,
    one_minus_decay1: 1 - decay1,
    log_decay1: logDecay(decay1),
    decay2,
    one_minus_decay2: 1 - decay2,
    log_decay2: logDecay(decay2),
    epsilon: h.epsilon,
    max_norm: args.clip?.maxNorm ?? 0,
  };
}

export const optimizerKernels = {
  optimizer: async (ctx: KernelContext, args: Args['optimizer']): Promise<Dispatch[]> => {
    const label = `optimizer.${args.optimizer}`;
    // Absent inputs get stand-ins the folded branches never read: scalars for the read-only clip
    // input, and one small buffer per absent state (two writable bindings may not alias).
    const bindings = {
      scalars: args.scalars,
      grads: args.grads,
      clip_sum_squares: args.clip?.sumSquares ?? args.scalars,
      params: args.params,
      state1: args.state1 ?? ctx.scratch('optimizer.noState1', 4),
      state2: args.state2 ?? ctx.scratch('optimizer.noState2', 4),
    };
    const overrides = { KIND: optimizerId(args.optimizer), CLIP: Boolean(args.clip) };
    const workgroups = groups1d(Math.ceil(sizeOf(args.params.shape) / PER_THREAD), WG);
    return [await ctx.dispatch(OPTIMIZER, { label, entry: 'optimizer_step', overrides, uniform: hyperparameters(args), bindings, workgroups })];
  },
};
