// GPU vs float64 reference for the structural kernels: dropout's mask bit-for-bit (and its rate and
// freshness per step), layer norm forward and backward over odd row lengths and batch sizes, and
// the batch gather with offsets and out-of-range ids. Shape and rate errors come before dispatch.

import { afterAll, describe, expect, it } from 'vitest';
import { prepareKernel } from '../../src/kernels/index.js';
import { SCALAR, SCALARS_LENGTH } from '../../src/ops/args.js';
import type { CpuTensor } from '../../src/ops/tensor.js';
import { cpuTensor } from '../../src/ops/tensor.js';
import { InputError, ShapeError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { compareOp, emptyTensor, ODD_SIZES, randomTensor, TILE_SIZES, type Tolerance } from '../support/compare.js';
import { releaseTestGpu, testGpu } from '../support/gpu.js';

afterAll(releaseTestGpu);

function scalars(values: { rngStep?: number; batchOffset?: number }): CpuTensor {
  const t = emptyTensor([SCALARS_LENGTH]);
  t.data[SCALAR.rngStep] = values.rngStep ?? 0;
  t.data[SCALAR.batchOffset] = values.batchOffset ?? 0;
  return t;
}

const zeroMask = (values: ArrayLike<number>) => Array.from(values, (v) => v === 0);

describe('dropout kernels', () => {
  // The mask is exact (integer compare on the same hash); a kept value is x * f32(1/(1-p)) on the GPU
  // vs x/(1-p) in float64: two roundings, <= 2 ulps. atol 0 so a dropped element must be exactly 0.
  const tol: Tolerance = { atol: 0, rtol: 2.4e-7 };
  const SIZES = [...ODD_SIZES, ...TILE_SIZES, 4099];

  it('draws the reference mask exactly, forward and backward, over sizes, rates, seeds and steps', async () => {
    const rng = new Rng(21);
    for (const n of SIZES) {
      for (const [p, seed, rngStep] of [[0.1, 1, 0], [0.5, 42, 1], [0.9, 7, 1_000_000], [0.5, 0xfffffff, 3]]) {
        // Inputs bounded away from 0 so "dropped" and "exactly zero" mean the same thing.
        const x = randomTensor(rng, [n], 0.5, 1.5);
        const s = scalars({ rngStep });
        const fwd = await compareOp('dropout', { x, y: emptyTensor([n]), p, seed, scalars: s }, tol);
        const bwd = await compareOp('dropoutGrad', { dy: x, dx: emptyTensor([n]), p, seed, scalars: s }, tol);
        expect(zeroMask(fwd.gpu.y)).toEqual(zeroMask(fwd.ref.y));
        expect(zeroMask(bwd.gpu.dx), 'backward uses the forward mask').toEqual(zeroMask(fwd.gpu.y));
      }
    }
  });

  it('works on 2-D tensors (flat element index)', async () => {
    const x = randomTensor(new Rng(2), [65, 33], 0.5, 1.5);
    await compareOp('dropout', { x, y: emptyTensor([65, 33]), p: 0.25, seed: 3, scalars: scalars({ rngStep: 5 }) }, tol);
  });

  it('keeps 1 - p of 100k elements within a binomial 5-sigma band', async () => {
    const n = 100_000;
    const x = cpuTensor([n], new Float64Array(n).fill(1));
    for (const p of [0.1, 0.3, 0.5, 0.9]) {
      const { gpu } = await compareOp('dropout', { x, y: emptyTensor([n]), p, seed: 1234, scalars: scalars({ rngStep: 9 }) }, tol);
      const kept = gpu.y.reduce((k, v) => k + (v !== 0 ? 1 : 0), 0);
      const sigma = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(kept - n * (1 - p)), `p=${p}: kept ${kept}`).toBeLessThan(5 * sigma);
    }
  });

  it('draws a fresh mask for another rngStep or seed, and the same one again for the same pair', async () => {
    const n = 10_000;
    const p = 0.5;
    const x = cpuTensor([n], new Float64Array(n).fill(1));
    const mask = async (seed: number, rngStep: number) =>
      zeroMask((await compareOp('dropout', { x, y: emptyTensor([n]), p, seed, scalars: scalars({ rngStep }) }, tol)).gpu.y);
    const base = await mask(5, 1);
    const differing = (other: boolean[]) => other.reduce((k, v, i) => k + (v !== base[i] ? 1 : 0), 0);
    expect(await mask(5, 1)).toEqual(base);
    // Independent masks disagree on 2p(1-p) = half the elements; 5 sigma = 250.
    expect(Math.abs(differing(await mask(5, 2)) - n / 2)).toBeLessThan(250);
    expect(Math.abs(differing(await mask(6, 1)) - n / 2)).toBeLessThan(250);
  });

  it('is the exact identity at p = 0 and stays finite at |x| = 1e4', async () => {
    const x = cpuTensor([6], [1e4, -1e4, 0, 3.5, -1e-8, 1]);
    const { gpu } = await compareOp('dropout', { x, y: emptyTensor([6]), p: 0, seed: 9, scalars: scalars({ rngStep: 1 }) }, { atol: 0, rtol: 0 });
    expect(Array.from(gpu.y)).toEqual(Array.from(x.data, Math.fround));
    await compareOp('dropout', { x, y: emptyTensor([6]), p: 0.5, seed: 9, scalars: scalars({ rngStep: 1 }) }, tol);
  });

  it('rejects p outside [0, 1) and mismatched shapes before dispatching', async () => {
    const { gpu, ctx } = await testGpu();
    const buffer = gpu.device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
    const t = (shape: number[]) => ({ shape, buffer, offset: 0 });
    for (const p of [1, -0.1, 1.5, NaN]) {
      await expect(prepareKernel(ctx, 'dropout', { x: t([3]), y: t([3]), p, seed: 1, scalars: t([SCALARS_LENGTH]) })).rejects.toThrow(InputError);
    }
    await expect(prepareKernel(ctx, 'dropoutGrad', { dy: t([3]), dx: t([3]), p: 1, seed: 1, scalars: t([SCALARS_LENGTH]) })).rejects.toThrow('dropoutGrad.p: got 1');
    await expect(prepareKernel(ctx, 'dropout', { x: t([3]), y: t([4]), p: 0.5, seed: 1, scalars: t([SCALARS_LENGTH]) })).rejects.toThrow(ShapeError);
    await expect(prepareKernel(ctx, 'dropout', { x: t([3]), y: t([4]), p: 0.5, seed: 1, scalars: t([SCALARS_LENGTH]) })).rejects.toThrow('dropout: x [3] and y [4] must have the same shape');
    buffer.destroy();
  });
});

describe('layer norm kernels', () => {
  // Forward: the tree-reduced f32 mean and variance differ from float64 by ~log2(N) ulps relative;
  // y = x̂ * gamma + beta with |x̂| up to ~sqrt(N) inherits that. The f32 x - mean is off by ~1 ulp of
  // max|x| absolute, times rstd: the atol, scaled by max|x| per test (rows here are not near-constant).
  const fwdTol: Tolerance = { atol: 2e-6, rtol: 2e-5 };
  // Backward: dx subtracts two row means from g (cancellation: absolute error ~ rstd * |g| * N ulps
  // worst case); dgamma/dbeta sum 65 rows sequentially (~65 ulps of the largest term).
  const bwdTol: Tolerance = { atol: 2e-5, rtol: 5e-5 };
  const COLS = [1, 3, 7, 33, 65, 127, 257, 1024];
  const ROWS = [1, 3, 65];

  /** Forward on the GPU (compared), then the backward from the reference's saved mean/rstd. */
  async function checkBoth(rng: Rng, x: CpuTensor, epsilon?: number, accumulate = false): Promise<void> {
    const [rows, cols] = x.shape;
    const scale = x.data.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    const gamma = randomTensor(rng, [cols], 0.5, 1.5);
    const beta = randomTensor(rng, [cols], -1, 1);
    const fwd = await compareOp(
      'layerNorm',
      { x, gamma, beta, y: emptyTensor([rows, cols]), mean: emptyTensor([rows]), rstd: emptyTensor([rows]), epsilon },
      { atol: fwdTol.atol * scale, rtol: fwdTol.rtol },
    );
    const dy = randomTensor(rng, [rows, cols], -1, 1);
    const start = (n: number) => (accumulate ? randomTensor(rng, [n], -1, 1) : emptyTensor([n]));
    await compareOp(
      'layerNormGrad',
      {
        dy, x, gamma,
        mean: cpuTensor([rows], fwd.ref.mean),
        rstd: cpuTensor([rows], fwd.ref.rstd),
        dx: emptyTensor([rows, cols]),
        dgamma: start(cols),
        dbeta: start(cols),
        accumulate,
      },
      bwdTol,
    );
  }

  it('matches the reference over row lengths N and batch sizes B', async () => {
    const rng = new Rng(8);
    for (const rows of ROWS) for (const cols of COLS) await checkBoth(rng, randomTensor(rng, [rows, cols], -2, 2));
  });

  it('accumulates dgamma/dbeta into their given values, and honours a custom epsilon', async () => {
    const rng = new Rng(9);
    for (const cols of [1, 65, 257]) await checkBoth(rng, randomTensor(rng, [33, cols], -2, 2), 1e-3, true);
  });

  it('gives y = beta and dx = 0 for N = 1 (x - mean is exactly 0)', async () => {
    const x = cpuTensor([3, 1], [5, -1e4, 0.25]);
    const beta = cpuTensor([1], [0.75]);
    const gamma = cpuTensor([1], [2]);
    const { gpu, ref } = await compareOp('layerNorm', { x, gamma, beta, y: emptyTensor([3, 1]), mean: emptyTensor([3]), rstd: emptyTensor([3]) }, fwdTol);
    expect(Array.from(gpu.y)).toEqual([0.75, 0.75, 0.75]);
    const dy = cpuTensor([3, 1], [1, -2, 3]);
    const grads = { dx: emptyTensor([3, 1]), dgamma: emptyTensor([1]), dbeta: emptyTensor([1]) };
    const bwd = await compareOp('layerNormGrad', { dy, x, gamma, mean: cpuTensor([3], ref.mean), rstd: cpuTensor([3], ref.rstd), ...grads }, bwdTol);
    expect(Array.from(bwd.gpu.dx)).toEqual([0, 0, 0]);
    expect(Array.from(bwd.gpu.dgamma)).toEqual([0]);
  });

  it('stays finite for |x| = 1e4 and for constant rows (var = 0, rstd = 1/sqrt(eps))', async () => {
    const rng = new Rng(10);
    await checkBoth(rng, randomTensor(rng, [3, 65], -1e4, 1e4));
    const x = cpuTensor([2, 4], [1e4, 1e4, 1e4, 1e4, -1e4, 1e4, -1e4, 1e4]);
    const gamma = cpuTensor([4], [1, 1, 1, 1]);
    await compareOp('layerNorm', { x, gamma, beta: emptyTensor([4]), y: emptyTensor([2, 4]), mean: emptyTensor([2]), rstd: emptyTensor([2]) }, fwdTol);
  });

  it('rebuilds the row index when rows spill into the y dimension (> 65535 workgroups)', async () => {
    // Rows [a, a + 1]: well-conditioned (var = 1/4), so any mismatch is a wrong row, not rounding.
    const rows = 65_600;
    const rng = new Rng(12);
    const x = emptyTensor([rows, 2]);
    for (let r = 0; r < rows; r++) {
      x.data[2 * r] = rng.uniform(-1, 1);
      x.data[2 * r + 1] = x.data[2 * r] + 1;
    }
    await checkBoth(rng, x);
  });

  it('names the kernel and both shapes on a mismatch, and rejects a bad epsilon', async () => {
    const { gpu, ctx } = await testGpu();
    const buffer = gpu.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
    const t = (shape: number[]) => ({ shape, buffer, offset: 0 });
    const fwd = { x: t([3, 4]), gamma: t([4]), beta: t([4]), y: t([3, 4]), mean: t([3]), rstd: t([3]) };
    await expect(prepareKernel(ctx, 'layerNorm', { ...fwd, gamma: t([5]) })).rejects.toThrow(ShapeError);
    await expect(prepareKernel(ctx, 'layerNorm', { ...fwd, gamma: t([5]) })).rejects.toThrow('layerNorm: gamma has shape [5], expected [4]');
    await expect(prepareKernel(ctx, 'layerNorm', { ...fwd, y: t([4, 3]) })).rejects.toThrow('layerNorm: x [3, 4] and y [4, 3] must have the same shape');
    await expect(prepareKernel(ctx, 'layerNorm', { ...fwd, epsilon: 0 })).rejects.toThrow(InputError);
    const bwd = { dy: t([3, 4]), x: t([3, 4]), gamma: t([4]), mean: t([3]), rstd: t([3]), dx: t([3, 4]), dgamma: t([4]), dbeta: t([4]) };
    await expect(prepareKernel(ctx, 'layerNormGrad', { ...bwd, dy: t([3, 5]) })).rejects.toThrow('layerNormGrad: x [3, 4] and dy [3, 5] must have the same shape');
    await expect(prepareKernel(ctx, 'layerNormGrad', { ...bwd, rstd: t([4]) })).rejects.toThrow('layerNormGrad: rstd has shape [4], expected [3]');
    buffer.destroy();
  });
});

describe('gather kernel', () => {
  // A pure copy: bit-exact.
  const exact: Tolerance = { atol: 0, rtol: 0 };

  it('copies rows in a shuffled permutation order, at offset 0 and beyond', async () => {
    const rng = new Rng(4);
    for (const cols of [1, 2, 784]) {
      const srcRows = 257;
      const src = randomTensor(rng, [srcRows, cols]);
      const indices = cpuTensor([srcRows], rng.permutation(srcRows));
      for (const [rows, batchOffset] of [[1, 0], [64, 0], [65, 64], [127, 130], [257, 0], [7, 250]]) {
        await compareOp('gather', { src, indices, dst: emptyTensor([rows, cols]), scalars: scalars({ batchOffset }) }, exact);
      }
    }
  });

  it('writes zero rows for positions past the end of indices and for out-of-range ids', async () => {
    const rng = new Rng(6);
    const src = randomTensor(rng, [5, 3], 1, 2);
    const indices = cpuTensor([6], [4, -1, 5, 1e9, 0.5, 2]);
    const { gpu } = await compareOp('gather', { src, indices, dst: emptyTensor([6, 3]), scalars: scalars({ batchOffset: 0 }) }, exact);
    expect(Array.from(gpu.dst.subarray(3, 9))).toEqual([0, 0, 0, 0, 0, 0]); // ids -1 and 5 (= rows)
    // offset 4 with 6 rows runs 4 positions past the end of indices: those rows are zero.
    const past = await compareOp('gather', { src, indices, dst: emptyTensor([6, 3]), scalars: scalars({ batchOffset: 4 }) }, exact);
    expect(Array.from(past.gpu.dst.subarray(6))).toEqual(new Array(12).fill(0));
    await compareOp('gather', { src, indices, dst: emptyTensor([2, 3]), scalars: scalars({ batchOffset: 1e9 }) }, exact);
  });

  it('names the kernel and both shapes on a mismatch', async () => {
    const { gpu, ctx } = await testGpu();
    const buffer = gpu.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
    const t = (shape: number[]) => ({ shape, buffer, offset: 0 });
    await expect(prepareKernel(ctx, 'gather', { src: t([5, 3]), indices: t([5]), dst: t([2, 4]), scalars: t([SCALARS_LENGTH]) })).rejects.toThrow(ShapeError);
    await expect(prepareKernel(ctx, 'gather', { src: t([5, 3]), indices: t([5]), dst: t([2, 4]), scalars: t([SCALARS_LENGTH]) })).rejects.toThrow('gather: src [5, 3] and dst [2, 4] must have the same row width');
    await expect(prepareKernel(ctx, 'gather', { src: t([5, 3]), indices: t([5]), dst: t([6, 3]), scalars: t([SCALARS_LENGTH]) })).rejects.toThrow('gather: dst [6, 3] has more rows than indices [5] holds');
    buffer.destroy();
  });
});
