// GPU kernel of the optimizer step: one dispatch, 256 threads of 4 elements per workgroup. The optimizer kind
// and clipping are override constants (one pipeline per combination, branches folded); the
// hyperparameters sit in a uniform written once; lr and step are read from scalars each step.

import optimizerWgsl from '../../shaders/optimizer.wgsl?raw';
import type { OpArgs } from '../ops/args.js';
import { SCALAR } from '../ops/args.js';
import { optimizerId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import { optimizerHyperparameters, type OptimizerHyperparameters } from '../reference/optimizer.js';
import type { Dispatch, KernelContext, UniformField } from './runtime.js';
import { groups1d } from './runtime.js';

type Args = OpArgs<GpuTensor>;
/** Elements per thread (PER_THREAD in shaders/optimizer.wgsl). */
const OPTIMIZER_PER_THREAD = 4;

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

/** The Hyper struct of optimizer.wgsl, field for field. */
function hyperUniform(args: Args['optimizer']): UniformField[] {
  const h = optimizerHyperparameters(args);
  const [decay1, decay2] = decays(args.optimizer, h);
  return [
    ['u32', sizeOf(args.params.shape)],
    ['u32', args.decayCount],
    ['f32', h.weightDecay],
    ['f32', decay1],
    ['f32', 1 - decay1],
    ['f32', logDecay(decay1)],
    ['f32', decay2],
    ['f32', 1 - decay2],
    ['f32', logDecay(decay2)],
    ['f32', h.epsilon],
    ['f32', args.clip?.maxNorm ?? 0],
  ];
}

export const optimizerKernels = {
  optimizer: async (ctx: KernelContext, args: Args['optimizer']): Promise<Dispatch[]> => {
    const pipeline = await ctx.pipelines.get('optimizer', optimizerWgsl, 'optimizer_step', {
      KIND: optimizerId(args.optimizer),
      CLIP: args.clip ? 1 : 0,
      LR_SLOT: SCALAR.lr,
      STEP_SLOT: SCALAR.step,
    });
    const uniform = ctx.uniform(`optimizer.${args.optimizer}`, hyperUniform(args));
    // Absent inputs get stand-ins the folded branches never read: scalars for the read-only clip
    // input, and one small buffer per absent state (two writable bindings may not alias).
    const bindGroup = ctx.bindGroup(`optimizer.${args.optimizer}`, pipeline, [
      uniform,
      args.scalars,
      args.grads,
      args.clip?.sumSquares ?? args.scalars,
      args.params,
      args.state1 ?? ctx.scratch('optimizer.noState1', 4),
      args.state2 ?? ctx.scratch('optimizer.noState2', 4),
    ]);
    return [{ label: `optimizer.${args.optimizer}`, pipeline, bindGroup, workgroups: groups1d(Math.ceil(sizeOf(args.params.shape) / OPTIMIZER_PER_THREAD), 256) }];
  },
};
