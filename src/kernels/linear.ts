// GPU kernels for the dense-layer ops: the matmul (one pipeline per transpose/epilogue variant,
// chosen by override constants, on the kernel matmul/select.ts picks for this adapter and product)
// and the bias-gradient column reduction. One dispatch each, for every model of a batch (workgroup
// z = model; shared operands such as the data have stride 0); a batch whose models' activations
// differ reads them from a per-model table (ACT = ACT_PER_MODEL).

import biasGradWgsl from '../../shaders/bias_grad.wgsl?raw';
import type { Activation, OpArgs } from '../ops/args.js';
import { defaultAlpha } from '../ops/defaults.js';
import { matmulDims } from '../ops/linear.js';
import { activationId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import type { KernelContext } from './context.js';
import { bool, defineKernel, u32, u32Override } from './descriptor.js';
import { groups1d, type Dispatch } from './dispatch.js';
import { activationTable } from './pointwise.js';
import { ACT_PER_MODEL } from './matmul/descriptors.js';
import { selectMatmul } from './matmul/select.js';
import { recordTexelCopies, texelOperand } from './matmul/texel-operands.js';

type Args = OpArgs<GpuTensor>;

/** Columns per bias-gradient workgroup, and at most this many invocations striding down each column. */
const BIAS_GRAD_COLS = 16;
const BIAS_GRAD_LANES = 16;
/** Rows each lane adds at least: a short column gets fewer lanes (fewer idle invocations and tree levels). */
const BIAS_GRAD_ROWS_PER_LANE = 8;

function biasGradLanes(rows: number): number {
  let lanes = 1;
  while (lanes < BIAS_GRAD_LANES && lanes * BIAS_GRAD_ROWS_PER_LANE < rows) lanes *= 2;
  return lanes;
}

const BIAS_GRAD = defineKernel({
  name: 'bias_grad', body: biasGradWgsl,
  uniform: { rows: 'u32', cols: 'u32' },
  bindings: { dy: 'read', out: 'read_write' },
  overrides: { ACCUMULATE: bool(false), LANES: u32Override(BIAS_GRAD_LANES) },
  constants: { COLS: u32(BIAS_GRAD_COLS) },
});

/**
 * Small per-context placeholders for absent bindings the other tensors cannot stand in for: WebGPU
 * forbids binding one buffer range twice as writable storage (an absent preActivation), and the
 * texel kernel's a and b are textures (an absent activation table). The kernel never touches them.
 */
const placeholders = new WeakMap<KernelContext, Map<string, GPUBuffer>>();
function placeholder(ctx: KernelContext, label: string): GPUBuffer {
  let made = placeholders.get(ctx);
  if (!made) placeholders.set(ctx, (made = new Map()));
  let buffer = made.get(label);
  if (!buffer) {
    buffer = ctx.scratch(label, 4);
    made.set(label, buffer);
  }
  return buffer;
}

async function matmul(ctx: KernelContext, args: Args['matmul']): Promise<Dispatch[]> {
  const { a, b, out, transA, transB, bias, activation, preActivation, gradOf, accumulate } = args;
  const [m, k, n] = matmulDims(args);
  const choice = selectMatmul(ctx, args, m, k, n);
  const act: Activation = gradOf?.activation ?? activation ?? { name: 'identity' };
  // Models with different activations read theirs from a table; otherwise ACT stays a constant the
  // compiler folds (a single model, or a batch sharing one activation, runs as fast as before).
  const perModel = args.perModel?.activation;
  const overrides = {
    TRANS_A: transA,
    TRANS_B: transB,
    HAS_BIAS: Boolean(bias),
    ACT: perModel ? ACT_PER_MODEL : activationId(act.name),
    GRAD_OF: Boolean(gradOf),
    WRITE_PRE: Boolean(preActivation),
    ACCUMULATE: Boolean(accumulate),
  };
  const alpha = act.alpha ?? defaultAlpha(act.name);
  // Absent inputs are bound to `a` (read-only aliasing is allowed); the override constants make
  // the kernel never touch an absent tensor.
  const table = perModel ? activationTable(ctx, 'matmul', act, perModel) : { buffer: placeholder(ctx, 'matmul.noActivationTable'), stride: 0 };
  const epilogue = { bias: bias ?? a, z: gradOf?.z ?? a, out, pre: preActivation ?? placeholder(ctx, 'matmul.noPreActivation'), act: table.buffer };
  const modelStrides = { act: table.stride };
  const { descriptor, workgroups } = choice;
  if (choice.kind === 'buffer') {
    const uniform = { m, n, k, alpha, rows_a: 0, rows_b: 0 };
    return [await ctx.dispatch(descriptor, { label: descriptor.name, entry: 'matmul', overrides, uniform, bindings: { a, b, ...epilogue }, modelStrides, workgroups })];
  }
  const ta = texelOperand(ctx, 'matmul.a', a, choice.aRows);
  const tb = texelOperand(ctx, 'matmul.b', b, choice.bRows);
  const before = recordTexelCopies([...ta.copies, ...tb.copies]);
  const uniform = { m, n, k, alpha, rows_a: ta.stride, rows_b: tb.stride };
  return [await ctx.dispatch(descriptor, { label: 'matmul_texel', entry: 'matmul', overrides, uniform, bindings: { a: ta.view, b: tb.view, ...epilogue }, modelStrides, workgroups, before })];
}

async function biasGrad(ctx: KernelContext, { dy, out, accumulate }: Args['biasGrad']): Promise<Dispatch[]> {
  const [rows, cols] = dy.shape;
  const overrides = { ACCUMULATE: Boolean(accumulate), LANES: biasGradLanes(rows) };
  return [await ctx.dispatch(BIAS_GRAD, { label: 'biasGrad', entry: 'bias_grad', overrides, uniform: { rows, cols }, bindings: { dy, out }, workgroups: groups1d(cols, BIAS_GRAD_COLS) })];
}

export const linearKernels = { matmul, biasGrad };
