// GPU kernels for the dense-layer ops: the matmul (one pipeline per transpose/epilogue variant,
// chosen by override constants, on the kernel matmul/select.ts picks for this adapter and product)
// and the bias-gradient column reduction. One dispatch each.

import biasGradWgsl from '../../shaders/bias_grad.wgsl?raw';
import type { Activation, OpArgs } from '../ops/args.js';
import { defaultAlpha } from '../ops/defaults.js';
import { matmulDims } from '../ops/linear.js';
import { activationId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import type { KernelContext } from './context.js';
import { bool, defineKernel, u32 } from './descriptor.js';
import { groups1d, type Dispatch } from './dispatch.js';
import { selectMatmul } from './matmul/select.js';
import { recordTexelCopies, texelOperand } from './matmul/texel-operands.js';

type Args = OpArgs<GpuTensor>;

/** Columns per bias-gradient workgroup, and invocations striding down each column. */
const BIAS_GRAD_COLS = 16;
const BIAS_GRAD_LANES = 16;

const BIAS_GRAD = defineKernel({
  name: 'bias_grad', body: biasGradWgsl,
  uniform: { rows: 'u32', cols: 'u32' },
  bindings: { dy: 'read', out: 'read_write' },
  overrides: { ACCUMULATE: bool(false) },
  constants: { COLS: u32(BIAS_GRAD_COLS), LANES: u32(BIAS_GRAD_LANES) },
});

/**
 * WebGPU forbids binding one buffer range twice as writable storage, so an absent preActivation is
 * bound to this small per-context placeholder instead of out (the kernel never writes it then).
 */
const placeholders = new WeakMap<KernelContext, GPUBuffer>();
function placeholder(ctx: KernelContext): GPUBuffer {
  let buffer = placeholders.get(ctx);
  if (!buffer) {
    buffer = ctx.scratch('matmul.noPreActivation', 4);
    placeholders.set(ctx, buffer);
  }
  return buffer;
}

async function matmul(ctx: KernelContext, args: Args['matmul']): Promise<Dispatch[]> {
  const { a, b, out, transA, transB, bias, activation, preActivation, gradOf, accumulate } = args;
  const [m, k, n] = matmulDims(args);
  const choice = selectMatmul(ctx, args, m, k, n);
  const act: Activation = gradOf?.activation ?? activation ?? { name: 'identity' };
  const overrides = {
    TRANS_A: transA,
    TRANS_B: transB,
    HAS_BIAS: Boolean(bias),
    ACT: activationId(act.name),
    GRAD_OF: Boolean(gradOf),
    WRITE_PRE: Boolean(preActivation),
    ACCUMULATE: Boolean(accumulate),
  };
  const uniform = { m, n, k, alpha: act.alpha ?? defaultAlpha(act.name) };
  // Absent inputs are bound to `a` (read-only aliasing is allowed); the override constants make
  // the kernel never touch an absent tensor.
  const epilogue = { bias: bias ?? a, z: gradOf?.z ?? a, out, pre: preActivation ?? placeholder(ctx) };
  const { descriptor, workgroups } = choice;
  if (choice.kind === 'buffer') {
    return [await ctx.dispatch(descriptor, { label: 'matmul', entry: 'matmul', overrides, uniform, bindings: { a, b, ...epilogue }, workgroups })];
  }
  const ta = texelOperand(ctx, 'matmul.a', a, choice.aRows);
  const tb = texelOperand(ctx, 'matmul.b', b, choice.bRows);
  const before = recordTexelCopies([...ta.copies, ...tb.copies]);
  return [await ctx.dispatch(descriptor, { label: 'matmul_texel', entry: 'matmul', overrides, uniform, bindings: { a: ta.view, b: tb.view, ...epilogue }, workgroups, before })];
}

async function biasGrad(ctx: KernelContext, { dy, out, accumulate }: Args['biasGrad']): Promise<Dispatch[]> {
  const [rows, cols] = dy.shape;
  const overrides = { ACCUMULATE: Boolean(accumulate) };
  return [await ctx.dispatch(BIAS_GRAD, { label: 'biasGrad', entry: 'bias_grad', overrides, uniform: { rows, cols }, bindings: { dy, out }, workgroups: groups1d(cols, BIAS_GRAD_COLS) })];
}

export const linearKernels = { matmul, biasGrad };
