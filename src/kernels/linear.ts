// GPU kernels for the dense-layer ops: the matmul (one pipeline per transpose/epilogue variant,
// chosen by override constants; the workgroup-memory kernel, or on SIMD CPU adapters the texel
// kernel for big enough products) and the bias-gradient column reduction. One dispatch each.

import biasGradWgsl from '../../shaders/bias_grad.wgsl?raw';
import matmulEpilogueWgsl from '../../shaders/matmul_epilogue.wgsl?raw';
import matmulTexelWgsl from '../../shaders/matmul_texel.wgsl?raw';
import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import type { Activation, OpArgs } from '../ops/args.js';
import { matmulDims } from '../ops/linear.js';
import { activationId } from '../ops/names.js';
import type { GpuTensor } from '../ops/tensor.js';
import { defaultAlpha } from '../reference/activations.js';
import type { Dispatch, KernelContext } from './runtime.js';
import { MATMUL_TILE, TEXEL_LANES, type MatmulTile, type MatmulTiling } from './tuning.js';
import { groups1d } from './runtime.js';
import { withActivations } from './sources.js';
import { TEXELS_PER_ROW, texelOperand, texelRows } from './texel-operands.js';

type Args = OpArgs<GpuTensor>;
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
/**
 * A matmul kernel's source with its per-invocation block (the `const RM` / `const RN` lines) set
 * to `tiling`, and for the workgroup-memory kernel its workgroup tile (TM / TN) set to `tile`.
 */
function matmulSource(kernel: 'matmul' | 'matmul_texel', { rows, cols }: MatmulTiling, tile: MatmulTile): string {
  const key = `${kernel}.${rows}x${cols}.${tile.rows}x${tile.cols}`;
  let source = matmulSources.get(key);
  if (!source) {
    let body =
      kernel === 'matmul'
        ? setConst(setConst(matmulWgsl, kernel, 'TM', tile.rows), kernel, 'TN', tile.cols)
        : setConst(setConst(matmulTexelWgsl, kernel, 'TEXELS_PER_ROW', TEXELS_PER_ROW), kernel, 'LANES', TEXEL_LANES);
    body = setConst(setConst(body, kernel, 'RM', rows), kernel, 'RN', cols);
    source = withActivations(`${matmulEpilogueWgsl}\n${body}`);
    matmulSources.set(key, source);
  }
  return source;
}

function setConst(source: string, kernel: string, name: string, value: number): string {
  const pattern = new RegExp(`^const ${name}: u32 = \\d+u;`, 'm');
  if (!pattern.test(source)) throw new Error(`shaders/${kernel}.wgsl: no "const ${name}: u32 = <n>u;" line to specialise`);
  return source.replace(pattern, `const ${name}: u32 = ${value}u;`);
}

/**
 * The texel kernel's plan for this product, if the tuning has one and the product qualifies: big
 * enough, k and each operand's contiguous dimension multiples of 4 (whole, aligned texels along
 * the rows the kernel reads), and each operand within the texture height limit.
 */
function texelPlan(ctx: KernelContext, { a, b, transA, transB }: Args['matmul'], m: number, k: number, n: number) {
  const tuning = ctx.tuning.texelMatmul;
  if (!tuning || m * n * k < tuning.minMacs) return undefined;
  if (k % 4 !== 0 || (transA && m % 4 !== 0) || (!transB && n % 4 !== 0)) return undefined;
  const maxRows = ctx.device.limits.maxTextureDimension2D;
  const aRows = texelRows(a, maxRows);
  const bRows = texelRows(b, maxRows);
  if (aRows === undefined || bRows === undefined) return undefined;
  return { tiling: tuning.tiling, aRows, bRows };
}

async function matmul(ctx: KernelContext, args: Args['matmul']): Promise<Dispatch[]> {
  const { a, b, out, transA, transB, bias, activation, preActivation, gradOf, accumulate } = args;
  const [m, k, n] = matmulDims(args);
  const texel = texelPlan(ctx, args, m, k, n);
  const kernel = texel ? 'matmul_texel' : 'matmul';
  const tiling = texel?.tiling ?? ctx.tuning.matmul;
  const narrow = ctx.tuning.narrowTile;
  const tile = !texel && narrow && n <= narrow.maxCols ? narrow : MATMUL_TILE;
  const groups: [number, number, number] = texel
    ? [Math.ceil(n / (TEXEL_LANES * tiling.cols)), Math.ceil(m / tiling.rows), 1]
    : [Math.ceil(n / tile.cols), Math.ceil(m / tile.rows), 1];
  if (groups[0] > MAX_GROUPS || groups[1] > MAX_GROUPS) {
    throw new RangeError(`matmul: out [${m}, ${n}] needs ${groups[0]} x ${groups[1]} workgroups, more than ${MAX_GROUPS} per dimension`);
  }
  const act: Activation = gradOf?.activation ?? activation ?? { name: 'identity' };
  const pipeline = await ctx.pipelines.get(`${kernel}.${tiling.rows}x${tiling.cols}.${tile.rows}x${tile.cols}`, matmulSource(kernel, tiling, tile), 'matmul', {
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
  const epilogue = [bias ?? a, gradOf?.z ?? a, out, preActivation ?? placeholder(ctx)] as const;
  if (!texel) {
    const bindGroup = ctx.bindGroup('matmul', pipeline, [uniform, a, b, ...epilogue]);
    return [{ label: 'matmul', pipeline, bindGroup, workgroups: groups }];
  }
  const ta = texelOperand(ctx, 'matmul.a', a, texel.aRows);
  const tb = texelOperand(ctx, 'matmul.b', b, texel.bRows);
  const bindGroup = ctx.bindGroup('matmul_texel', pipeline, [uniform, ta.view, tb.view, ...epilogue]);
  return [{ label: 'matmul_texel', pipeline, bindGroup, workgroups: groups, copies: [...ta.copies, ...tb.copies] }];
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
