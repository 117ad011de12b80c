// GPU vs float64 reference for the elementwise kernels: every activation forward and backward,
// row softmax and add, over odd and tile-multiple sizes, plus extreme inputs (|x| = 1e4).

import { afterAll, describe, expect, it } from 'vitest';
import type { Activation } from '../../src/ops/args.js';
import { ACTIVATIONS } from '../../src/ops/names.js';
import { cpuTensor } from '../../src/ops/tensor.js';
import { prepareKernel } from '../../src/kernels/index.js';
import { Rng } from '../../src/util/rng.js';
import { ShapeError } from '../../src/util/errors.js';
import { compareOp, emptyTensor, ODD_SIZES, randomTensor, TILE_SIZES, type Tolerance } from '../support/compare.js';
import { releaseTestGpu, testGpu } from '../support/gpu.js';

afterAll(releaseTestGpu);

// f32 evaluation of exp/erf/tanh: a few ulps relative, plus an absolute floor for results near 0
// (e.g. gelu(-3) ~ -4e-3 computed as a difference). gelu's erf approximation adds 1.5e-7 absolute.
const ACT_TOL: Tolerance = { atol: 2e-6, rtol: 2e-5 };
const SIZES = [...ODD_SIZES, ...TILE_SIZES, 4099];

const ALL: Activation[] = ACTIVATIONS.map((name) => ({ name }));
ALL.push({ name: 'leaky_relu', alpha: 0.2 }, { name: 'elu', alpha: 0.5 });

describe('activation kernels', () => {
  for (const act of ALL) {
    const label = `${act.name}${act.alpha !== undefined ? `(${act.alpha})` : ''}`;
    it(`${label} forward and derivative match the reference over odd sizes`, async () => {
      const rng = new Rng(11);
      for (const n of SIZES) {
        const x = randomTensor(rng, [n], -6, 6);
        await compareOp('activation', { x, y: emptyTensor([n]), activation: act }, ACT_TOL);
        const dy = randomTensor(rng, [n], -2, 2);
        await compareOp('activationGrad', { z: x, dy, dx: emptyTensor([n]), activation: act }, ACT_TOL);
      }
    });
    it(`${label} stays finite and exact at |x| = 1e4 and at 0`, async () => {
      const x = cpuTensor([7], [1e4, -1e4, 0, 88.5, -88.5, 1e-8, -1e-8]);
      await compareOp('activation', { x, y: emptyTensor([7]), activation: act }, ACT_TOL);
      await compareOp('activationGrad', { z: x, dy: cpuTensor([7], [1, 1, 1, 1, 1, 1, 1]), dx: emptyTensor([7]), activation: act }, ACT_TOL);
    });
  }

  it('relu derivative is exactly 0 at 0 (the documented convention)', async () => {
    const { gpu } = await compareOp('activationGrad', { z: cpuTensor([1], [0]), dy: cpuTensor([1], [1]), dx: emptyTensor([1]), activation: { name: 'relu' } }, { atol: 0, rtol: 0 });
    expect(gpu.dx[0]).toBe(0);
  });
});

describe('softmax kernel', () => {
  // exp and one division per element; the sum over C adds ~C ulps.
  const tol: Tolerance = { atol: 1e-7, rtol: 1e-5 };
  it('matches the reference over odd row counts and widths', async () => {
    const rng = new Rng(5);
    for (const rows of [1, 3, 33, 127]) {
      for (const cols of [1, 2, 7, 10, 65]) {
        const x = randomTensor(rng, [rows, cols], -8, 8);
        await compareOp('softmax', { x, y: emptyTensor([rows, cols]) }, tol);
      }
    }
  });
  it('is finite for logits of +-1e4 (max-subtracted)', async () => {
    const x = cpuTensor([2, 3], [1e4, -1e4, 0, -1e4, -1e4, -1e4]);
    const { gpu } = await compareOp('softmax', { x, y: emptyTensor([2, 3]) }, tol);
    expect(gpu.y[0]).toBeCloseTo(1, 6);
    expect(gpu.y[3]).toBeCloseTo(1 / 3, 6);
  });
});

describe('add kernel', () => {
  it('matches the reference exactly (one f32 add)', async () => {
    const rng = new Rng(3);
    for (const n of SIZES) {
      await compareOp('add', { a: randomTensor(rng, [n]), b: randomTensor(rng, [n]), out: emptyTensor([n]) }, { atol: 0, rtol: 6e-8 });
    }
  });
});

describe('pointwise shape checks', () => {
  it('names the kernel and both shapes before dispatching', async () => {
    const { gpu, ctx } = await testGpu();
    const buffer = gpu.device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
    const t = (shape: number[]) => ({ shape, buffer, offset: 0 });
    await expect(prepareKernel(ctx, 'add', { a: t([3]), b: t([4]), out: t([3]) })).rejects.toThrow(ShapeError);
    await expect(prepareKernel(ctx, 'add', { a: t([3]), b: t([4]), out: t([3]) })).rejects.toThrow('add: a [3] and b [4] must have the same shape');
    await expect(prepareKernel(ctx, 'softmax', { x: t([2, 3]), y: t([3, 2]) })).rejects.toThrow('softmax: x [2, 3] and y [3, 2]');
    buffer.destroy();
  });
});
