// Model batches of the structural kernels: one dispatch for N models (workgroup z = model). Dropout
// draws each model's own mask (its rate, seed and rngStep, its own element index: the mask it draws
// alone), layer norm runs forward and backward on each model's slices, and the gather reads the
// shared dataset per model (own order and offset) or once into a batch every model shares.

import { afterAll, describe, expect, it } from 'vitest';
import { prepareKernel } from '../../../src/kernels/index.js';
import type { OpArgs } from '../../../src/ops/args.js';
import { SCALARS_LENGTH } from '../../../src/ops/args.js';
import type { CpuTensor, GpuTensor } from '../../../src/ops/tensor.js';
import { cpuTensor } from '../../../src/ops/tensor.js';
import { InputError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/rng.js';
import { batchContext, compareBatchedOp } from '../../support/compare-batch.js';
import { emptyTensor, randomTensor, type Tolerance } from '../../support/compare.js';
import { releaseTestGpu, testGpu } from '../../support/gpu.js';
import { scalarsTensor } from '../../support/scalars.js';

afterAll(releaseTestGpu);

const MODELS = [1, 3, 7];

const zeroMask = (values: ArrayLike<number>) => Array.from(values, (v) => v === 0);

describe('batched dropout', () => {
  // As the single-model dropout test: the mask is exact, a kept value is two roundings off.
  const tol: Tolerance = { atol: 0, rtol: 2.4e-7 };
  const RATES = [0.5, 0, 0.1, 0.9, 0.25, 0.75, 0.3];
  const SEEDS = [1, 42, 7, 0xfffffff, 3, 1234, 99];
  const STEPS = [0, 1, 1_000_000, 3, 5, 2, 17];

  for (const models of MODELS) {
    it(`each model draws its own mask with its own rate (incl. p = 0), seed and step, forward and backward (N = ${models})`, async () => {
      const rng = new Rng(40 + models);
      const perModel = { p: RATES.slice(0, models), seed: SEEDS.slice(0, models) };
      for (const n of [1, 7, 65, 257, 4099]) {
        const s = STEPS.slice(0, models).map((rngStep) => scalarsTensor({ rngStep }));
        // Inputs bounded away from 0 so "dropped" and "exactly zero" mean the same thing.
        const xs = s.map(() => randomTensor(rng, [n], 0.5, 1.5));
        const fwd = await compareBatchedOp('dropout', { models: xs.map((x, m) => ({ x, y: emptyTensor([n]), p: RATES[0], seed: SEEDS[0], scalars: s[m] })), perModel }, tol);
        const bwd = await compareBatchedOp('dropoutGrad', { models: xs.map((dy, m) => ({ dy, dx: emptyTensor([n]), p: RATES[0], seed: SEEDS[0], scalars: s[m] })), perModel }, tol);
        expect([...fwd.workgroups, ...bwd.workgroups].map((w) => w[2])).toEqual([models, models]);
        for (let m = 0; m < models; m++) {
          expect(zeroMask(fwd.gpu.y[m]), `model ${m}: the reference mask`).toEqual(zeroMask(fwd.ref.y[m]));
          expect(zeroMask(bwd.gpu.dx[m]), `model ${m}: backward uses the forward mask`).toEqual(zeroMask(fwd.gpu.y[m]));
        }
        // Model 1 (p = 0) is the exact identity.
        if (models > 1) expect(Array.from(fwd.gpu.y[1])).toEqual(Array.from(xs[1].data, Math.fround));
      }
    });
  }

  it('one rate for all models (one table row) with per-model seeds, on 2-D tensors', async () => {
    const rng = new Rng(47);
    const s = [1, 2, 3].map((rngStep) => scalarsTensor({ rngStep }));
    const models = s.map((sc) => ({ x: randomTensor(rng, [65, 33], 0.5, 1.5), y: emptyTensor([65, 33]), p: 0.25, seed: 0, scalars: sc }));
    const result = await compareBatchedOp('dropout', { models, perModel: { seed: [5, 6, 7] } }, tol);
    const masks = result.gpu.y.map(zeroMask);
    expect(masks[0]).not.toEqual(masks[1]);
  });

  it('one seed, rate and step for all models (shared scalars): every model draws the same mask', async () => {
    const rng = new Rng(48);
    const sc = scalarsTensor({ rngStep: 9 });
    const models = [0, 1, 2].map(() => ({ x: randomTensor(rng, [127], 0.5, 1.5), y: emptyTensor([127]), p: 0.5, seed: 11, scalars: sc }));
    const result = await compareBatchedOp('dropout', { models, shared: ['scalars'] }, tol);
    expect(zeroMask(result.gpu.y[2])).toEqual(zeroMask(result.gpu.y[0]));
  });

  it('rejects a model rate outside [0, 1) with an InputError before dispatching', async () => {
    const { gpu } = await testGpu();
    const ctx = await batchContext(3);
    const buffer = gpu.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
    const t = (shape: number[]): GpuTensor => ({ shape, buffer, offset: 0 });
    const args = { x: t([3]), y: t([3]), p: 0.5, seed: 1, scalars: t([SCALARS_LENGTH]), perModel: { p: [0.5, 1, 0.1] } };
    await expect(prepareKernel(ctx, 'dropout', args)).rejects.toThrow(InputError);
    await expect(prepareKernel(ctx, 'dropoutGrad', { dy: t([3]), dx: t([3]), p: 0.5, seed: 1, scalars: t([SCALARS_LENGTH]), perModel: { p: [0.5, 0.2, -0.1] } })).rejects.toThrow('dropoutGrad.p: got -0.1');
    buffer.destroy();
  });
});

describe('batched layer norm', () => {
  // As the single-model layer norm tests (atol scaled by max|x| = 2 here).
  const fwdTol: Tolerance = { atol: 2e-6 * 2, rtol: 2e-5 };
  const bwdTol: Tolerance = { atol: 2e-5, rtol: 5e-5 };

  /** Forward per model, then the backward from each model's reference mean/rstd. */
  async function checkBoth(rng: Rng, models: number, rows: number, cols: number, accumulate: boolean, epsilon?: number): Promise<void> {
    const fwdArgs: OpArgs<CpuTensor>['layerNorm'][] = Array.from({ length: models }, () => ({
      x: randomTensor(rng, [rows, cols], -2, 2),
      gamma: randomTensor(rng, [cols], 0.5, 1.5),
      beta: randomTensor(rng, [cols], -1, 1),
      y: emptyTensor([rows, cols]), mean: emptyTensor([rows]), rstd: emptyTensor([rows]),
      ...(epsilon !== undefined ? { epsilon } : {}),
    }));
    const fwd = await compareBatchedOp('layerNorm', { models: fwdArgs }, fwdTol);
    const start = (n: number) => (accumulate ? randomTensor(rng, [n], -1, 1) : emptyTensor([n]));
    const bwdArgs = fwdArgs.map(({ x, gamma }, m) => ({
      dy: randomTensor(rng, [rows, cols], -1, 1), x, gamma,
      mean: cpuTensor([rows], fwd.ref.mean[m]), rstd: cpuTensor([rows], fwd.ref.rstd[m]),
      dx: emptyTensor([rows, cols]), dgamma: start(cols), dbeta: start(cols), accumulate,
    }));
    const bwd = await compareBatchedOp('layerNormGrad', { models: bwdArgs }, bwdTol);
    // Forward, then the backward's rows, dgamma and dbeta passes (one parameter gradient per dispatch), every one per model.
    expect([...fwd.workgroups, ...bwd.workgroups].map((w) => w[2])).toEqual([models, models, models, models]);
  }

  for (const models of MODELS) {
    it(`forward and backward per model over odd rows and columns (N = ${models})`, async () => {
      const rng = new Rng(50 + models);
      for (const rows of [1, 3, 65]) for (const cols of [1, 7, 33, 65, 127, 257]) await checkBoth(rng, models, rows, cols, false);
    });

    it(`accumulates each model's dgamma/dbeta into its own given values, custom epsilon (N = ${models})`, async () => {
      const rng = new Rng(60 + models);
      for (const cols of [1, 65, 257]) await checkBoth(rng, models, 33, cols, true, 1e-3);
    });
  }
});

describe('batched gather', () => {
  // A pure copy: bit-exact.
  const exact: Tolerance = { atol: 0, rtol: 0 };
  const SRC_ROWS = 257;
  const OFFSETS = [0, 64, 130, 250, 7, 200, 1];

  function cases(rng: Rng, models: number, rows: number, cols: number) {
    const src = randomTensor(rng, [SRC_ROWS, cols]);
    return Array.from({ length: models }, (_, m) => ({
      src,
      indices: cpuTensor([SRC_ROWS], rng.permutation(SRC_ROWS)),
      dst: emptyTensor([rows, cols]),
      scalars: scalarsTensor({ batchOffset: OFFSETS[m] }),
    }));
  }

  for (const models of MODELS) {
    it(`per-model row orders and offsets into per-model batches (N = ${models})`, async () => {
      const rng = new Rng(70 + models);
      for (const cols of [1, 3, 33]) {
        for (const rows of [1, 7, 65]) {
          const result = await compareBatchedOp('gather', { models: cases(rng, models, rows, cols), shared: ['src'] }, exact);
          expect(result.workgroups.map((w) => w[2])).toEqual([models]);
        }
      }
    });

    it(`one shared row order, each model's own offset, per-model batches (N = ${models})`, async () => {
      const rng = new Rng(80 + models);
      const result = await compareBatchedOp('gather', { models: cases(rng, models, 65, 7), shared: ['src', 'indices'] }, exact);
      expect(result.workgroups.map((w) => w[2])).toEqual([models]);
    });

    it(`a shared batch is gathered once for every model, at model 0's offset (N = ${models})`, async () => {
      const rng = new Rng(90 + models);
      for (const [rows, cols] of [[65, 7], [1, 1], [127, 33]]) {
        const result = await compareBatchedOp('gather', { models: cases(rng, models, rows, cols), shared: ['src', 'indices', 'dst'] }, exact);
        expect(result.workgroups.map((w) => w[2])).toEqual([1]);
      }
    });
  }

  it('writes zero rows past the end of a model order and for out-of-range ids, per model', async () => {
    const rng = new Rng(95);
    const src = randomTensor(rng, [5, 3], 1, 2);
    const models = [
      { src, indices: cpuTensor([6], [4, -1, 5, 1e9, 0.5, 2]), dst: emptyTensor([6, 3]), scalars: scalarsTensor({ batchOffset: 0 }) },
      { src, indices: cpuTensor([6], [0, 1, 2, 3, 4, 0]), dst: emptyTensor([6, 3]), scalars: scalarsTensor({ batchOffset: 4 }) },
      { src, indices: cpuTensor([6], [3, 3, 3, 3, 3, 3]), dst: emptyTensor([6, 3]), scalars: scalarsTensor({ batchOffset: 1e9 }) },
    ];
    const result = await compareBatchedOp('gather', { models, shared: ['src'] }, exact);
    expect(Array.from(result.gpu.dst[0].subarray(3, 9))).toEqual(new Array(6).fill(0));
    expect(Array.from(result.gpu.dst[1].subarray(6))).toEqual(new Array(12).fill(0));
    expect(Array.from(result.gpu.dst[2])).toEqual(new Array(18).fill(0));
  });

  it('refuses per-model row orders into a shared batch', async () => {
    const { gpu } = await testGpu();
    const ctx = await batchContext(3);
    const buffer = gpu.device.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
    const t = (shape: number[], modelStride = 0): GpuTensor => ({ shape, buffer, offset: 0, modelStride });
    await expect(prepareKernel(ctx, 'gather', { src: t([5, 3]), indices: t([5], 8), dst: t([2, 3]), scalars: t([SCALARS_LENGTH], 8) })).rejects.toThrow('gather: per-model indices');
    buffer.destroy();
  });
});
