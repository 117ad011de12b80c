// GPU kernels for the dense-layer ops: the tiled matmul (one pipeline per transpose/epilogue
// variant, chosen by override constants) and the bias-gradient column reduction. One dispatch each.

import biasGradWgsl from '../../shaders/bias_grad.wgsl?raw';
import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import type { Activation, OpArgs } from '../ops/args.js';
import { matmulDims } from '../ops/linear.js';
import { activationId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import { defaultAlpha } from '../reference/activations.js';
import type { Dispatch, KernelContext } from './runtime.js';
import type { MatmulTiling } from './tuning.js';
import { groups1d } from './runtime.js';
import { withActivations } from './sources.js';

type Args = OpArgs<GpuTensor>;
/** Output tile of one matmul workgroup (TM = TN in shaders/matmul.wgsl). */
const MATMUL_TILE = 64;
/** Columns per bias-gradient workgroup (COLS in shaders/bias_grad.wgsl). */
const BIAS_GRAD_COLS = 16;
const MAX_GROUPS = 65535;

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

const matmulSources = new Map<string, string>();
/** The matmul source with its per-invocation block (the `const RM` / `const RN` lines) set to `tiling`. */
function matmulSource({ rows, cols }: MatmulTiling): string {
  const key = `${rows}x${cols}`;
  let source = matmulSources.get(key);
  if (!source) {
    source = withActivations(setConst(setConst(matmulWgsl, 'RM', rows), 'RN', cols));
    matmulSources.set(key, source);
  }
  return source;
}

function setConst(source: string, name: string, value: number): string {
  const pattern = new RegExp(`^const ${name}: u32 = \\d+u;`, 'm');
  if (!pattern.test(source)) throw new Error(`shaders/matmul.wgsl: no "const ${name}: u32 = <n>u;" line to specialise`);
  return source.replace(pattern, `const ${name}: u32 = ${value}u;`);
}

async function matmul(ctx: KernelContext, args: Args['matmul']): Promise<Dispatch[]> {
  const { a, b, out, transA, transB, bias, activation, preActivation, gradOf, accumulate } = args;
  const [m, k, n] = matmulDims(args);
  const groups: [number, number, number] = [Math.ceil(n / MATMUL_TILE), Math.ceil(m / MATMUL_TILE), 1];
  if (groups[0] > MAX_GROUPS || groups[1] > MAX_GROUPS) {
    throw new RangeError(`matmul: out [${m}, ${n}] needs ${groups[0]} x ${groups[1]} workgroups, more than ${MAX_GROUPS} per dimension`);
  }
  const act: Activation = gradOf?.activation ?? activation ?? { name: 'identity' };
  const tiling = ctx.tuning.matmul;
  const pipeline = await ctx.pipelines.get(`matmul.${tiling.rows}x${tiling.cols}`, matmulSource(tiling), 'matmul', {
    TRANS_A: Number(transA),
    TRANS_B: Number(transB),
    HAS_BIAS: Number(Boolean(bias)),
    ACT: activationId(act.name),
    GRAD_OF: Number(Boolean(gradOf)),
    WRITE_PRE: Number(Boolean(preActivation)),
    ACCUMULATE: Number(Boolean(accumulate)),
  });
  const uniform = ctx.uniform('matmul', [
    ['u32', m],
    ['u32', n],
    ['u32', k],
    ['f32', act.alpha ?? defaultAlpha(act.name)],
  ]);
  // Absent inputs are bound to `a` (read-only aliasing is allowed); the override constants make
  // the kernel never touch an absent tensor.
  const bindGroup = ctx.bindGroup('matmul', pipeline, [uniform, a, b, bias ?? a, gradOf?.z ?? a, out, preActivation ?? placeholder(ctx)]);
  return [{ label: 'matmul', pipeline, bindGroup, workgroups: groups }];
}

async function biasGrad(ctx: KernelContext, { dy, out, accumulate }: Args['biasGrad']): Promise<Dispatch[]> {
  const [rows, cols] = dy.shape;
  const pipeline = await ctx.pipelines.get('bias_grad', biasGradWgsl, 'bias_grad', { ACCUMULATE: Number(Boolean(accumulate)) });
  const uniform = ctx.uniform('biasGrad', [
    ['u32', rows],
    ['u32', cols],
  ]);
  const bindGroup = ctx.bindGroup('biasGrad', pipeline, [uniform, dy, out]);
  return [{ label: 'biasGrad', pipeline, bindGroup, workgroups: groups1d(cols, BIAS_GRAD_COLS) }];
}

export const linearKernels = { matmul, biasGrad };
