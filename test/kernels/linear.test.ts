// GPU vs float64 reference for the dense-layer kernels: the workgroup-memory matmul (its 8 x 4
// tiling, see src/kernels/tuning.ts) and its three transpose variants over odd and
// tile-multiple sizes (K = 1 up to 1024), every fused epilogue (bias, activation, preActivation,
// gradOf, accumulate), extreme inputs, shape errors, and biasGrad; then the texel matmul over
// multiple-of-4 sizes that fill no block evenly, with its fallback for the products it cannot take.

import { afterAll, describe, expect, it } from 'vitest';
import { prepareKernel } from '../../src/kernels/index.js';
import type { Activation, OpArgs } from '../../src/ops/args.js';
import type { CpuTensor } from '../../src/ops/tensor.js';
import { cpuTensor } from '../../src/ops/tensor.js';
import { ShapeError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { compareOp, emptyTensor, ODD_SIZES, randomTensor, TILE_SIZES, type Tolerance } from '../support/compare.js';
import { releaseTestGpu, testGpu, tunedContext } from '../support/gpu.js';
import { dotTol, sumTol } from '../support/tolerances.js';
import { KernelContext } from '../../src/kernels/context.js';
import { GPU_TUNING, SIMD_CPU_TUNING, tuningFor, type KernelTuning } from '../../src/kernels/tuning.js';

afterAll(releaseTestGpu);

type Variant = { name: string; transA: boolean; transB: boolean };
/** The three products of a dense layer: Y = X.W, dX = dY.W^T, dW = X^T.dY. */
const VARIANTS: Variant[] = [
  { name: 'X.W', transA: false, transB: false },
  { name: 'dY.W^T', transA: false, transB: true },
  { name: 'X^T.dY', transA: true, transB: false },
];

/** Random a and b of a [m, k] x [k, n] product, stored transposed where the variant says so. */
function operands(rng: Rng, v: Variant, m: number, k: number, n: number, scale = 1): Pick<OpArgs<CpuTensor>['matmul'], 'a' | 'b' | 'out' | 'transA' | 'transB'> {
  return {
    a: randomTensor(rng, v.transA ? [k, m] : [m, k], -scale, scale),
    b: randomTensor(rng, v.transB ? [n, k] : [k, n], -scale, scale),
    out: emptyTensor([m, n]),
    transA: v.transA,
    transB: v.transB,
  };
}

const SIZES = [...ODD_SIZES, ...TILE_SIZES];

/** [m, k, n] shapes putting each of `sizes` in turn at M, K and N, the other two held at `p` and `q`. */
function sweepShapes(sizes: readonly number[], p: number, q: number): [number, number, number][] {
  return sizes.flatMap((s): [number, number, number][] => [
    [s, p, q],
    [q, s, p],
    [p, q, s],
  ]);
}

// The buffer kernel at the one tiling in use (GPUs and lavapipe both run 8 x 4; src/kernels/tuning.ts):
// size sweeps, accumulate and extreme inputs, and every activation epilogue.
describe(`matmul kernel, ${GPU_TUNING.matmul.rows} x ${GPU_TUNING.matmul.cols} outputs per invocation`, () => {
  const compare = async <K extends 'matmul'>(op: K, args: OpArgs<CpuTensor>[K], tol: Tolerance) => compareOp(op, args, tol, [], await tunedContext(GPU_TUNING));
  for (const v of VARIANTS) {
    it(`${v.name} matches the reference with each of M, N, K swept over odd and tile sizes`, async () => {
      const rng = new Rng(21);
      for (const [m, k, n] of sweepShapes(SIZES, 33, 7)) await compare('matmul', operands(rng, v, m, k, n), dotTol(k));
    });
    it(`${v.name} is right for K = 1, square tile multiples and K = 1024`, async () => {
      const rng = new Rng(22);
      for (const [m, k, n] of [
        [65, 1, 127],
        [1, 1, 1],
        [128, 128, 128],
        [257, 65, 129],
        [33, 1024, 65],
      ]) {
        await compare('matmul', operands(rng, v, m, k, n), dotTol(k));
      }
    });
  }

  // ACT is an override constant, so every activation is its own pipeline (~1.5 s to compile on a
  // cold lavapipe). The activation math is the shared library the pointwise tests cover for every
  // activation; here a few check the epilogue plumbing: the id, a given alpha, a default alpha.
  const forwardActs: (Activation | undefined)[] = [undefined, { name: 'relu' }, { name: 'leaky_relu', alpha: 0.2 }, { name: 'elu' }, { name: 'gelu' }];
  const backwardActs: Activation[] = [{ name: 'relu' }, { name: 'leaky_relu', alpha: 0.2 }, { name: 'elu' }, { name: 'sigmoid' }, { name: 'gelu_tanh' }];
  const actLabel = (act?: Activation) => (act ? `${act.name}${act.alpha !== undefined ? `(${act.alpha})` : ''}` : 'no activation (identity)');
  for (const activation of forwardActs) {
    it(`forward epilogue: bias + ${actLabel(activation)}, saving the pre-activation`, async () => {
      const rng = new Rng(31);
      const [m, k, n] = [65, 33, 127];
      const args = { ...operands(rng, VARIANTS[0], m, k, n), bias: randomTensor(rng, [n]), activation, preActivation: emptyTensor([m, n]) };
      // The activation sees z with dotTol error and magnifies it by |act'| <= 1.13 (gelu); 2x covers it.
      const tol = dotTol(k);
      await compare('matmul', args, { atol: 2 * tol.atol, rtol: tol.rtol });
    });
  }
  for (const activation of backwardActs) {
    it(`backward epilogue: (dY.W^T) * ${actLabel(activation)}'(z)`, async () => {
      const rng = new Rng(32);
      const [m, k, n] = [33, 65, 127];
      const args = { ...operands(rng, VARIANTS[1], m, k, n), gradOf: { activation, z: randomTensor(rng, [m, n], -4, 4) } };
      // Product error times |act'| <= 1.13 (gelu_tanh), plus act' at z in f32 (2e-5 relative).
      const tol = dotTol(k);
      await compare('matmul', args, { atol: 2 * tol.atol, rtol: tol.rtol });
    });
  }

  it('accumulate adds the product into out (dW += X^T.dY), also with a bias', async () => {
    const rng = new Rng(41);
    const [m, k, n] = [33, 127, 65];
    await compare('matmul', { ...operands(rng, VARIANTS[2], m, k, n), out: randomTensor(rng, [m, n]), accumulate: true }, dotTol(k));
    await compare('matmul', { ...operands(rng, VARIANTS[0], m, k, n), out: randomTensor(rng, [m, n]), bias: randomTensor(rng, [n]), accumulate: true }, dotTol(k));
    const gradOf = { activation: { name: 'relu' } as Activation, z: randomTensor(rng, [m, n]) };
    await compare('matmul', { ...operands(rng, VARIANTS[1], m, k, n), out: randomTensor(rng, [m, n]), gradOf, accumulate: true }, dotTol(k));
  });

  it('stays finite with inputs of magnitude 1e4 through the fused epilogues', async () => {
    const rng = new Rng(51);
    for (const activation of forwardActs) {
      // Products reach 1e8 * K; relative error is what f32 can promise there.
      const args = { ...operands(rng, VARIANTS[0], 7, 3, 5, 1e4), bias: randomTensor(rng, [5], -1e4, 1e4), activation, preActivation: emptyTensor([7, 5]) };
      const tol = dotTol(3, 1e4);
      const { gpu } = await compare('matmul', args, { atol: tol.atol, rtol: 1e-5 });
      expect(gpu.out.every(Number.isFinite)).toBe(true);
    }
    for (const activation of backwardActs) {
      // act'(z) at |z| = 1e4 saturates to exactly 0 or its linear-side constant.
      const gradOf = { activation, z: randomTensor(rng, [7, 5], -1e4, 1e4) };
      const { gpu } = await compare('matmul', { ...operands(rng, VARIANTS[1], 7, 3, 5), gradOf }, dotTol(3));
      expect(gpu.out.every(Number.isFinite)).toBe(true);
    }
  });

});

// lavapipe's narrower tile for products with few columns (an output layer's 10 classes).
describe('matmul kernel, narrow tile for products with few columns', () => {
  const narrow = SIMD_CPU_TUNING.narrowTile!;
  const tuning: KernelTuning = { matmul: SIMD_CPU_TUNING.matmul, narrowTile: narrow };
  const compare = async (args: OpArgs<CpuTensor>['matmul'], tol: Tolerance) => {
    const result = await compareOp('matmul', args, tol, [], await tunedContext(tuning));
    expect(result.kernels).toEqual(['matmul']);
  };
  it(`takes n <= ${narrow.maxCols} on a ${narrow.rows} x ${narrow.cols} tile, and 64 x 64 above`, async () => {
    const ctx = await tunedContext(tuning);
    const buffer = ctx.device.createBuffer({ size: 4 * 65 * 64, usage: GPUBufferUsage.STORAGE });
    const t = (...shape: number[]) => ({ shape, buffer, offset: 0 });
    const groups = async (m: number, n: number) => (await prepareKernel(ctx, 'matmul', { a: t(m, 8), b: t(8, n), out: t(m, n), transA: false, transB: false }))[0].workgroups;
    expect(await groups(65, narrow.maxCols)).toEqual([1, Math.ceil(65 / narrow.rows), 1]);
    expect(await groups(65, narrow.maxCols + 1)).toEqual([1, 2, 1]);
    buffer.destroy();
  });
  for (const v of VARIANTS) {
    it(`${v.name} matches the reference for n from 1 to ${narrow.maxCols}, m and k odd`, async () => {
      const rng = new Rng(25);
      for (const [m, k, n] of [[1, 1, 1], [33, 65, 10], [65, 257, 16], [127, 7, 3], [257, 33, 7]]) await compare(operands(rng, v, m, k, n), dotTol(k));
    });
  }
  it('runs the fused epilogues: bias + relu with the pre-activation, relu\'(z), accumulate', async () => {
    const rng = new Rng(26);
    const [m, k, n] = [65, 33, 10];
    const tol = dotTol(k);
    await compare({ ...operands(rng, VARIANTS[0], m, k, n), bias: randomTensor(rng, [n]), activation: { name: 'relu' }, preActivation: emptyTensor([m, n]) }, { atol: 2 * tol.atol, rtol: tol.rtol });
    await compare({ ...operands(rng, VARIANTS[1], m, k, n), gradOf: { activation: { name: 'relu' }, z: randomTensor(rng, [m, n]) } }, tol);
    await compare({ ...operands(rng, VARIANTS[2], m, k, n), out: randomTensor(rng, [m, n]), accumulate: true }, tol);
  });
});

// lavapipe's barrier-free kernel for small products (an invocation per output element).
describe('small-product matmul kernel', () => {
  const VARIANTS_TT: Variant[] = [...VARIANTS, { name: 'X^T.W^T', transA: true, transB: true }];
  const tuning: KernelTuning = { matmul: SIMD_CPU_TUNING.matmul, smallMatmulMaxMacs: 1 << 30 };
  const compare = async (args: OpArgs<CpuTensor>['matmul'], tol: Tolerance) => {
    const result = await compareOp('matmul', args, tol, [], await tunedContext(tuning));
    expect(result.kernels).toEqual(['matmul_small']);
  };
  for (const v of VARIANTS_TT) {
    it(`${v.name} matches the reference over odd shapes`, async () => {
      const rng = new Rng(27);
      for (const [m, k, n] of [[1, 1, 1], [3, 7, 33], [33, 65, 7], [65, 1, 127], [127, 33, 3], [7, 257, 65]]) await compare(operands(rng, v, m, k, n), dotTol(k));
    });
  }
  it('runs the fused epilogues: bias + gelu with the pre-activation, tanh\'(z), accumulate', async () => {
    const rng = new Rng(28);
    const [m, k, n] = [33, 17, 7];
    const tol = dotTol(k);
    await compare({ ...operands(rng, VARIANTS[0], m, k, n), bias: randomTensor(rng, [n]), activation: { name: 'gelu' }, preActivation: emptyTensor([m, n]) }, { atol: 2 * tol.atol, rtol: 2e-5 });
    await compare({ ...operands(rng, VARIANTS[1], m, k, n), gradOf: { activation: { name: 'tanh' }, z: randomTensor(rng, [m, n]) } }, { atol: 2 * tol.atol, rtol: 2e-5 });
    await compare({ ...operands(rng, VARIANTS[2], m, k, n), out: randomTensor(rng, [m, n]), accumulate: true }, tol);
  });
});

describe('texel matmul kernel (lavapipe: operands read through textures)', () => {
  const VARIANTS_TT: Variant[] = [...VARIANTS, { name: 'X^T.W^T', transA: true, transB: true }];
  // minMacs 0 so small shapes take the texel path too; blocks as SIMD_CPU_TUNING has them.
  const texelTuning: KernelTuning = { ...SIMD_CPU_TUNING, smallMatmulMaxMacs: undefined, texelMatmul: { ...SIMD_CPU_TUNING.texelMatmul!, minMacs: 0 } };
  const compare = async (args: OpArgs<CpuTensor>['matmul'], tol: Tolerance, kernel = 'matmul_texel') => {
    const result = await compareOp('matmul', args, tol, [], await tunedContext(texelTuning));
    expect(result.kernels, `kernel for ${args.a.shape}.${args.b.shape} (${args.transA ? 'Aᵀ' : ''}${args.transB ? 'Bᵀ' : ''})`).toEqual([kernel]);
    return result;
  };
  /** Multiples of 4 (whole texels) that are not multiples of the 24 x 64 workgroup block. */
  const TEXEL_SIZES = [4, 12, 36, 68, 132, 260];
  for (const v of VARIANTS_TT) {
    it(`${v.name} matches the reference with each of M, N, K swept over multiples of 4, and at K = 1024`, async () => {
      const rng = new Rng(23);
      for (const [m, k, n] of sweepShapes(TEXEL_SIZES, 36, 12)) await compare(operands(rng, v, m, k, n), dotTol(k));
      await compare(operands(rng, v, 68, 1024, 132), dotTol(1024));
      // More than one texture row (256 texels) per operand, with a partial last row.
      await compare(operands(rng, v, 260, 1028, 36), dotTol(1028));
      // b^T is read along k, so n need not be whole texels.
      if (v.transB) for (const n of [1, 7, 37, 133]) await compare(operands(rng, v, 36, 68, n), dotTol(68));
    });
  }
  // Other blocks the tuning accepts: 8 rows (one share per lane) with 12 columns (3 texels), 32 rows (four shares) with 4.
  for (const tiling of [{ rows: 8, cols: 12 }, { rows: 32, cols: 4 }]) {
    it(`with ${tiling.rows}-row x ${tiling.cols}-column blocks, matches the reference in all four transposes`, async () => {
      const tuning: KernelTuning = { ...texelTuning, texelMatmul: { ...texelTuning.texelMatmul!, tiling } };
      const rng = new Rng(24);
      for (const v of VARIANTS_TT) {
        for (const [m, k, n] of [[4, 4, 4], [36, 68, 132], [132, 12, 36]]) {
          const result = await compareOp('matmul', operands(rng, v, m, k, n), dotTol(k), [], await tunedContext(tuning));
          expect(result.kernels).toEqual(['matmul_texel']);
        }
      }
    });
  }
  it('runs the fused epilogues: bias + relu with the pre-activation, relu\'(z), accumulate', async () => {
    const rng = new Rng(33);
    const [m, k, n] = [68, 36, 132];
    const tol = dotTol(k);
    const forward = { ...operands(rng, VARIANTS[0], m, k, n), bias: randomTensor(rng, [n]), activation: { name: 'relu' } as Activation, preActivation: emptyTensor([m, n]) };
    await compare(forward, { atol: 2 * tol.atol, rtol: tol.rtol });
    const gradOf = { activation: { name: 'relu' } as Activation, z: randomTensor(rng, [m, n]) };
    await compare({ ...operands(rng, VARIANTS[1], m, k, n), gradOf }, tol);
    await compare({ ...operands(rng, VARIANTS[2], m, k, n), out: randomTensor(rng, [m, n]), accumulate: true }, tol);
  });
  it('leaves products it cannot read as whole texels, or too small to pay for the copies, to the buffer kernel', async () => {
    const rng = new Rng(34);
    // k = 33; n = 7 for a.b (b's rows are 7 floats); m = 7 for a^T.b (a's rows are 7 floats).
    await compare(operands(rng, VARIANTS[0], 12, 33, 12), dotTol(33), 'matmul');
    await compare(operands(rng, VARIANTS[0], 12, 12, 7), dotTol(12), 'matmul');
    await compare(operands(rng, VARIANTS[2], 7, 12, 12), dotTol(12), 'matmul');
    const small = await compareOp('matmul', operands(rng, VARIANTS[0], 12, 12, 12), dotTol(12), [], await tunedContext({ ...SIMD_CPU_TUNING, smallMatmulMaxMacs: undefined }));
    expect(small.kernels).toEqual(['matmul']);
    const tiny = await compareOp('matmul', operands(rng, VARIANTS[0], 12, 12, 12), dotTol(12), [], await tunedContext(SIMD_CPU_TUNING));
    expect(tiny.kernels).toEqual(['matmul_small']);
    const big = await compareOp('matmul', operands(rng, VARIANTS[0], 64, 64, 64), dotTol(64), [], await tunedContext(SIMD_CPU_TUNING));
    expect(big.kernels).toEqual(['matmul_texel']);
  });
});

describe('matmul kernel validation', () => {
  it('gives lavapipe the texel kernel only with 8-lane subgroups and read-only storage textures, and rejects tunings a device cannot run, naming the field', async () => {
    const { gpu } = await testGpu();
    const llvmpipe = { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' };
    const readonlyStorageTextures = true;
    expect(tuningFor({ ...llvmpipe, subgroupSize: 8, readonlyStorageTextures })).toBe(SIMD_CPU_TUNING);
    expect(tuningFor({ ...llvmpipe, subgroupSize: 4, readonlyStorageTextures })).toBe(GPU_TUNING);
    expect(tuningFor({ ...llvmpipe, subgroupSize: undefined, readonlyStorageTextures })).toBe(GPU_TUNING);
    expect(tuningFor({ ...llvmpipe, subgroupSize: 8, readonlyStorageTextures: false })).toBe(GPU_TUNING);
    const on = (subgroupSize: number | undefined, tuning: KernelTuning, readonlyStorageTextures = true) => () =>
      new KernelContext({ ...gpu, report: { ...gpu.report, subgroupSize, readonlyStorageTextures } }, { tuning });
    const withTiling = (rows: number, cols: number): KernelTuning => ({ ...SIMD_CPU_TUNING, texelMatmul: { ...SIMD_CPU_TUNING.texelMatmul!, tiling: { rows, cols } } });
    expect(on(4, SIMD_CPU_TUNING)).toThrow("texelMatmul needs subgroups of exactly 8 lanes; this device's subgroup size is 4");
    expect(on(undefined, SIMD_CPU_TUNING)).toThrow("this device's subgroup size is unknown");
    expect(on(8, SIMD_CPU_TUNING, false)).toThrow('texelMatmul needs WGSL\'s readonly_and_readwrite_storage_textures language feature');
    expect(on(8, withTiling(12, 8))).toThrow('texelMatmul.tiling.rows = 12: expected 8, 16, 24 or 32');
    expect(on(8, withTiling(24, 6))).toThrow('texelMatmul.tiling.cols = 6: expected 4, 8, 12 or 16');
    expect(on(8, { ...SIMD_CPU_TUNING, texelMatmul: { ...SIMD_CPU_TUNING.texelMatmul!, minMacs: -1 } })).toThrow('texelMatmul.minMacs = -1');
    expect(on(undefined, GPU_TUNING)).not.toThrow();
    const narrow = (rows: number, cols: number, maxCols: number): KernelTuning => ({ ...GPU_TUNING, narrowTile: { rows, cols, maxCols } });
    expect(on(undefined, narrow(24, 16, 16))).toThrow('narrowTile.rows = 24: expected 16, 32 or 64, a multiple of matmul.rows (8)');
    expect(on(undefined, narrow(32, 8, 8))).toThrow('narrowTile.cols = 8: expected 16, 32 or 64');
    expect(on(undefined, narrow(32, 16, 17))).toThrow('narrowTile.maxCols = 17: expected an integer from 1 to narrowTile.cols (16)');
  });

  it('rejects mismatched shapes and meaningless combinations, naming the kernel and shapes', async () => {
    const { gpu, ctx } = await testGpu();
    const buffer = gpu.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
    const t = (...shape: number[]) => ({ shape, buffer, offset: 0 });
    const base = { transA: false, transB: false };
    const bad = (args: OpArgs<ReturnType<typeof t>>['matmul']) => prepareKernel(ctx, 'matmul', args);
    await expect(bad({ ...base, a: t(3, 4), b: t(5, 2), out: t(3, 2) })).rejects.toThrow(ShapeError);
    await expect(bad({ ...base, a: t(3, 4), b: t(5, 2), out: t(3, 2) })).rejects.toThrow('matmul: a [3, 4] and b [5, 2]: inner dimensions differ (4 vs 5)');
    await expect(bad({ ...base, transA: true, a: t(3, 4), b: t(5, 2), out: t(4, 2) })).rejects.toThrow('matmul: a [3, 4] (transposed) and b [5, 2]: inner dimensions differ (3 vs 5)');
    await expect(bad({ ...base, a: t(3, 4), b: t(4, 2), out: t(2, 3) })).rejects.toThrow('matmul: out has shape [2, 3], expected [3, 2]');
    await expect(bad({ ...base, a: t(3, 4), b: t(4, 2), out: t(3, 2), bias: t(3) })).rejects.toThrow('matmul: bias has shape [3], expected [2]');
    await expect(bad({ ...base, a: t(3, 4), b: t(4, 2), out: t(3, 2), preActivation: t(2, 3) })).rejects.toThrow('matmul: preActivation has shape [2, 3], expected [3, 2]');
    await expect(bad({ ...base, a: t(12), b: t(4, 2), out: t(3, 2) })).rejects.toThrow('matmul: a has shape [12], expected rank 2');
    const gradOf = { activation: { name: 'relu' as const }, z: t(3, 2) };
    await expect(bad({ ...base, a: t(3, 4), b: t(4, 2), out: t(3, 2), gradOf: { ...gradOf, z: t(3, 3) } })).rejects.toThrow('matmul: gradOf.z has shape [3, 3], expected [3, 2]');
    await expect(bad({ ...base, a: t(3, 4), b: t(4, 2), out: t(3, 2), gradOf, bias: t(2) })).rejects.toThrow('matmul: gradOf cannot be combined with bias');
    await expect(bad({ ...base, a: t(3, 4), b: t(4, 2), out: t(3, 2), gradOf, activation: { name: 'tanh' } })).rejects.toThrow('matmul: gradOf cannot be combined with activation');
    await expect(prepareKernel(ctx, 'biasGrad', { dy: t(3, 4), out: t(3) })).rejects.toThrow('biasGrad: out has shape [3], expected [4] (one per column of dy [3, 4])');
    buffer.destroy();
  });
});

describe('biasGrad kernel', () => {
  it('matches the reference over odd and tile-multiple rows and columns', async () => {
    const rng = new Rng(61);
    for (const rows of [...SIZES, 1024]) {
      for (const cols of [1, 10, 33, 257]) {
        await compareOp('biasGrad', { dy: randomTensor(rng, [rows, cols]), out: emptyTensor([cols]) }, sumTol(rows));
      }
    }
  });
  it('accumulates into out and stays finite at |dy| = 1e4', async () => {
    const rng = new Rng(62);
    await compareOp('biasGrad', { dy: randomTensor(rng, [127, 65]), out: randomTensor(rng, [65]), accumulate: true }, sumTol(127));
    const dy = cpuTensor([3, 2], [1e4, -1e4, 1e4, -1e4, -1e4, 1e4]);
    const { gpu } = await compareOp('biasGrad', { dy, out: emptyTensor([2]) }, { atol: 0, rtol: 0 });
    expect([...gpu.out]).toEqual([1e4, -1e4]);
  });
});
