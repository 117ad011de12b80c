// GPU vs float64 reference for the loss family: every loss's row losses and gradient over odd and
// tile-multiple shapes and at |logit| = 1e4, the sum / sumSquares reductions (one- and two-pass,
// exact on dyadic inputs), accuracy with ties, dead-unit counts, and the shape checks.

import { afterAll, describe, expect, it } from 'vitest';
import { prepareKernel } from '../../src/kernels/index.js';
import { encodeDispatches } from '../../src/kernels/dispatch.js';
import type { OpArgs } from '../../src/ops/args.js';
import { LOSSES, type LossName } from '../../src/ops/names.js';
import type { CpuTensor, GpuTensor } from '../../src/ops/tensor.js';
import { cpuTensor } from '../../src/ops/tensor.js';
import { ShapeError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { compareOp, emptyTensor, ODD_SIZES, randomTensor, TILE_SIZES, type Tolerance } from '../support/compare.js';
import { releaseTestGpu, testGpu } from '../support/gpu.js';
import { sumTolerance, targetFor } from '../support/loss-cases.js';

afterAll(releaseTestGpu);

const ROWS = [...ODD_SIZES, ...TILE_SIZES];

function lossArgs(name: LossName, pred: CpuTensor, target: CpuTensor, huberDelta?: number): OpArgs<CpuTensor>['loss'] {
  const [rows, cols] = pred.shape;
  return { loss: name, pred, target, grad: emptyTensor([rows, cols]), rowLoss: emptyTensor([rows]), huberDelta };
}

describe('loss kernel', () => {
  // Each row is a serial f32 sum over C <= 257 terms: at most C roundings, 1.5e-5 relative.
  // WGSL allows exp 3 + 2|x| ulps (35 ulps = 2.1e-6 for the |x| <= 16 differences of logits in
  // [-8, 8]) and log 2^-21 absolute near 1; bce's softplus(p) - p t cancels down to ~1e-4 with an
  // error of ulp(8) ~ 1e-6. Hence 2e-6 absolute plus 2e-5 relative.
  const tol: Tolerance = { atol: 2e-6, rtol: 2e-5 };
  const COLS = [1, 3, 10, 65, 257];
  const cases: { name: LossName; delta?: number }[] = [...LOSSES.map((name) => ({ name })), { name: 'huber', delta: 0.5 }];

  for (const { name, delta } of cases) {
    it(`${name}${delta ? `(delta ${delta})` : ''} row losses and gradient match the reference`, async () => {
      const rng = new Rng(21);
      for (const rows of ROWS) {
        for (const cols of COLS) {
          if (rows * cols > 20000 && rows !== cols) continue; // keeps the sweep quick; 257x257 stays
          const pred = randomTensor(rng, [rows, cols], -8, 8);
          await compareOp('loss', lossArgs(name, pred, targetFor(rng, name, pred), delta), tol);
        }
      }
    });
  }

  it('mae gradient is exactly 0 where pred equals target', async () => {
    const pred = cpuTensor([2, 2], [0.5, -1, 3, 2]);
    const target = cpuTensor([2, 2], [0.5, 0, 3, 0]);
    const { gpu } = await compareOp('loss', lossArgs('mae', pred, target), tol);
    expect([gpu.grad[0], gpu.grad[2]]).toEqual([0, 0]);
  });

  describe('|logit| = 1e4 stays finite (max-subtracted softmax, stable softplus)', () => {
    // Losses near 2e4 are exact to f32's ulp (0.002), far inside 2e-5 relative.
    const big = cpuTensor([4, 3], [1e4, -1e4, 0, -1e4, 1e4, -1e4, -1e4, -1e4, -1e4, 1e4, 1e4, 0]);

    it('softmax_ce: a target class at -1e4 against a max of 1e4 costs 2e4', async () => {
      const target = cpuTensor([4, 1], [1, 0, 2, 2]);
      const { gpu } = await compareOp('loss', lossArgs('softmax_ce', big, target), tol);
      expect(gpu.rowLoss[0]).toBeCloseTo(2e4, 1);
      expect(gpu.rowLoss[1]).toBe(2e4);
      expect(gpu.rowLoss[2]).toBeCloseTo(Math.log(3), 6);
      expect(gpu.rowLoss[3]).toBeCloseTo(1e4 + Math.log(2), 1);
    });

    it('softmax_ce_dense: one-hot and soft targets', async () => {
      const target = cpuTensor([4, 3], [0, 1, 0, 0.5, 0, 0.5, 0, 0, 1, 0.25, 0.25, 0.5]);
      const { gpu } = await compareOp('loss', lossArgs('softmax_ce_dense', big, target), tol);
      expect(gpu.rowLoss[0]).toBeCloseTo(2e4, 1);
    });

    it('bce_logits: confident right and wrong logits', async () => {
      const pred = cpuTensor([6, 1], [1e4, -1e4, 1e4, -1e4, 0, 1e4]);
      const target = cpuTensor([6, 1], [1, 0, 0, 1, 1, 0.5]);
      const { gpu } = await compareOp('loss', lossArgs('bce_logits', pred, target), tol);
      expect([...gpu.rowLoss.subarray(0, 4), gpu.rowLoss[5]]).toEqual([0, 0, 1e4, 1e4, 5e3]);
      expect(gpu.rowLoss[4]).toBeCloseTo(Math.LN2, 6);
    });
  });

  it('writes NaN into a softmax_ce row whose class is not an integer in [0, C) (the reference throws)', async () => {
    const pred = randomTensor(new Rng(2), [5, 3], -1, 1);
    const target = cpuTensor([5, 1], [0, 3, 1.5, -1, 2]);
    const { rowLoss, grad } = await runOnGpu('loss', lossArgs('softmax_ce', pred, target), ['rowLoss', 'grad']);
    expect([...rowLoss].map(Number.isNaN)).toEqual([false, true, true, true, false]);
    expect([...grad].map(Number.isNaN)).toEqual([0, 1, 2, 3, 4].flatMap((r) => Array(3).fill(r >= 1 && r <= 3)));
  });
});

describe('sum and sumSquares kernels', () => {
  // 1024 is the largest one-pass size, 1025 the smallest two-pass one, 262144 fills 256 groups at
  // 4 per thread, 300007 makes each thread loop 5 times.
  const SIZES = [...ODD_SIZES, ...TILE_SIZES, 1024, 1025, 4099, 262144, 300007];

  it('match the reference within the summation bound on random data, with and without accumulate', async () => {
    const rng = new Rng(8);
    for (const n of SIZES) {
      const x = randomTensor(rng, [n], -1, 1);
      const xf = Float64Array.from(x.data, Math.fround);
      await compareOp('sum', { x, out: emptyTensor([1]) }, sumTolerance(xf));
      await compareOp('sumSquares', { x, out: emptyTensor([1]) }, sumTolerance(xf.map((v) => v * v)));
      await compareOp('sum', { x, out: cpuTensor([1], [2.5]), accumulate: true }, sumTolerance(xf, 2.5));
      await compareOp('sumSquares', { x, out: cpuTensor([1], [2.5]), accumulate: true }, sumTolerance(xf.map((v) => v * v), 2.5));
    }
  });

  it('are exact on dyadic data, so a dropped or doubled element cannot hide in the tolerance', async () => {
    // Multiples of 1/64 (sum) and squares of multiples of 1/8 (sumSquares) whose totals stay below
    // 2^18: every partial sum is representable in f32, so every summation order is exact.
    const rng = new Rng(9);
    const dyadic = (n: number, steps: number) => cpuTensor([n], Array.from({ length: n }, () => Math.round(rng.uniform(-steps, steps)) / steps));
    for (const n of SIZES) {
      const x = dyadic(n, 64);
      expect(x.data.reduce((a, v) => a + Math.abs(v), 0)).toBeLessThan(2 ** 18);
      await compareOp('sum', { x, out: cpuTensor([1], [0.25]), accumulate: true }, { atol: 0, rtol: 0 });
      const y = dyadic(n, 8);
      expect(y.data.reduce((a, v) => a + v * v, 0)).toBeLessThan(2 ** 18);
      await compareOp('sumSquares', { x: y, out: emptyTensor([1]) }, { atol: 0, rtol: 0 });
    }
  });

  it('take any rank (a [rows, cols] weight matrix is summed flat)', async () => {
    const x = cpuTensor([3, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const { gpu } = await compareOp('sumSquares', { x, out: emptyTensor([1]) }, { atol: 0, rtol: 0 });
    expect(gpu.out[0]).toBe(650);
  });
});

describe('accuracy kernel', () => {
  // Counts are small integers, exact in f32: no tolerance.
  const exact: Tolerance = { atol: 0, rtol: 0 };
  // Values from {0, 1, 2} make ties common, so "first maximum wins" is exercised on both sides.
  const tied = (rng: Rng, shape: number[]) => cpuTensor(shape, Array.from({ length: shape[0] * shape[1] }, () => Math.floor(rng.next() * 3)));

  it('counts argmax matches against class indices and against [B, C] targets, ties included', async () => {
    const rng = new Rng(4);
    for (const rows of [...ROWS, 1000]) {
      for (const cols of [2, 3, 10]) {
        const pred = tied(rng, [rows, cols]);
        const index = cpuTensor([rows, 1], Array.from({ length: rows }, () => Math.floor(rng.next() * cols)));
        await compareOp('accuracy', { pred, target: index, out: emptyTensor([1]) }, exact);
        await compareOp('accuracy', { pred, target: tied(rng, [rows, cols]), out: cpuTensor([1], [7]), accumulate: true }, exact);
      }
    }
  });

  it('counts binary (C == 1) rows against target > 0.5, at the default and a custom threshold', async () => {
    const rng = new Rng(6);
    for (const rows of [...ROWS, 1000]) {
      const pred = randomTensor(rng, [rows, 1], -1, 1);
      pred.data[0] = 0; // exactly at the default threshold: predicts 0
      const target = cpuTensor([rows, 1], Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 0.5 : Math.round(rng.next()))));
      await compareOp('accuracy', { pred, target, out: emptyTensor([1]) }, exact);
      await compareOp('accuracy', { pred, target, out: emptyTensor([1]), threshold: 0.3 }, exact);
    }
  });

  it('first maximum wins a tie, and an out-of-range index never matches', async () => {
    const pred = cpuTensor([4, 3], [1, 1, 0, 0, 2, 2, 5, 5, 5, 0, 0, 1]);
    const target = cpuTensor([4, 1], [0, 2, 0, 17]);
    const { gpu } = await compareOp('accuracy', { pred, target, out: emptyTensor([1]) }, exact);
    expect(gpu.out[0]).toBe(2);
  });
});

describe('deadUnits kernel', () => {
  it('counts all-zero columns (-0 counts, NaN does not), with and without accumulate', async () => {
    const rng = new Rng(12);
    for (const rows of [1, 3, 33, 257]) {
      for (const cols of [1, 7, 65, 300, 1025]) {
        // About a third of the columns dead, the rest ReLU-like (still dead by chance at small B).
        const dead = Array.from({ length: cols }, () => rng.next() < 0.3);
        const y = cpuTensor([rows, cols], Array.from({ length: rows * cols }, (_, i) => (dead[i % cols] ? (i % 2 ? -0 : 0) : Math.max(0, rng.uniform(-1, 1)))));
        if (cols > 1) y.data[cols - 1] = NaN; // last column is never dead
        await compareOp('deadUnits', { y, out: emptyTensor([1]) }, { atol: 0, rtol: 0 });
        await compareOp('deadUnits', { y, out: cpuTensor([1], [3]), accumulate: true }, { atol: 0, rtol: 0 });
      }
    }
  });
});

describe('loss family shape checks', () => {
  it('name the kernel and the shapes before dispatching', async () => {
    const { gpu, ctx } = await testGpu();
    const buffer = gpu.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
    const t = (...shape: number[]) => ({ shape, buffer, offset: 0 });
    const loss = (name: LossName, target: GpuTensor) => prepareKernel(ctx, 'loss', { loss: name, pred: t(4, 3), target, grad: t(4, 3), rowLoss: t(4) });
    await expect(loss('mse', t(4, 2))).rejects.toThrow(ShapeError);
    await expect(loss('mse', t(4, 2))).rejects.toThrow('loss: pred [4, 3] and target [4, 2] must have the same shape');
    await expect(loss('softmax_ce', t(4, 3))).rejects.toThrow('loss: target has shape [4, 3], expected [4, 1] (softmax_ce takes one class index per row of pred [4, 3])');
    await expect(prepareKernel(ctx, 'loss', { loss: 'mse', pred: t(4, 3), target: t(4, 3), grad: t(4, 3), rowLoss: t(3) })).rejects.toThrow('loss: rowLoss has shape [3], expected [4]');
    await expect(prepareKernel(ctx, 'loss', { loss: 'mse', pred: t(4, 3), target: t(4, 3), grad: t(3, 4), rowLoss: t(4) })).rejects.toThrow('loss: pred [4, 3] and grad [3, 4] must have the same shape');
    await expect(prepareKernel(ctx, 'loss', { loss: 'huber', pred: t(4, 3), target: t(4, 3), grad: t(4, 3), rowLoss: t(4), huberDelta: 0 })).rejects.toThrow('loss.huberDelta: got 0');
    await expect(prepareKernel(ctx, 'sum', { x: t(5), out: t(2) })).rejects.toThrow('sum: out has shape [2], expected [1]');
    await expect(prepareKernel(ctx, 'accuracy', { pred: t(4, 3), target: t(4, 2), out: t(1) })).rejects.toThrow('accuracy: target [4, 2] must be [4, 1] (class indices or binary labels) or [4, 3] like pred [4, 3]');
    await expect(prepareKernel(ctx, 'deadUnits', { y: t(12), out: t(1) })).rejects.toThrow('deadUnits: y has shape [12], expected rank 2');
    buffer.destroy();
  });
});

/** Runs one op on the GPU alone and reads back the named outputs (for cases the reference rejects). */
async function runOnGpu(op: 'loss', args: OpArgs<CpuTensor>['loss'], outputs: string[]): Promise<Record<string, Float32Array>> {
  const { gpu, ctx } = await testGpu();
  const device = gpu.device;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const buffers: Record<string, GPUBuffer> = {};
  const gpuArgs: Record<string, unknown> = { ...args };
  for (const [name, value] of Object.entries(args)) {
    if (typeof value !== 'object' || value === null || !('data' in value)) continue;
    const t = value as CpuTensor;
    buffers[name] = device.createBuffer({ size: Math.max(4, t.data.length * 4), usage });
    device.queue.writeBuffer(buffers[name], 0, Float32Array.from(t.data));
    gpuArgs[name] = { shape: t.shape, buffer: buffers[name], offset: 0 } satisfies GpuTensor;
  }
  const encoder = device.createCommandEncoder();
  encodeDispatches(encoder, await prepareKernel(ctx, op, gpuArgs as OpArgs<GpuTensor>['loss']));
  const reads: Record<string, GPUBuffer> = {};
  for (const name of outputs) {
    reads[name] = device.createBuffer({ size: buffers[name].size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(buffers[name], 0, reads[name], 0, buffers[name].size);
  }
  device.queue.submit([encoder.finish()]);
  const result: Record<string, Float32Array> = {};
  for (const name of outputs) {
    await reads[name].mapAsync(GPUMapMode.READ);
    result[name] = new Float32Array(reads[name].getMappedRange().slice(0));
    reads[name].destroy();
  }
  for (const buffer of Object.values(buffers)) buffer.destroy();
  return result;
}
