// Model batches of the loss family: one dispatch (per pass) for N models, workgroup z = model, each
// model's row losses, gradient and scalar stats equal to the reference run on that model alone.
// The data batch's targets are shared by every model (stride 0) or per model (own row order).
// Tolerances are those of test/kernels/loss.test.ts.

import { afterAll, describe, expect, it } from 'vitest';
import { encodeDispatches } from '../../../src/kernels/dispatch.js';
import { prepareKernel } from '../../../src/kernels/index.js';
import type { OpArgs } from '../../../src/ops/args.js';
import { LOSSES, type LossName } from '../../../src/ops/names.js';
import type { CpuTensor } from '../../../src/ops/tensor.js';
import { cpuTensor } from '../../../src/ops/tensor.js';
import { Rng } from '../../../src/util/rng.js';
import { batchContext, compareBatchedOp, type BatchResult } from '../../support/compare-batch.js';
import { emptyTensor, randomTensor, type Tolerance } from '../../support/compare.js';
import { releaseTestGpu, testGpu } from '../../support/gpu.js';
import { sumTolerance, targetFor } from '../../support/loss-cases.js';

afterAll(releaseTestGpu);

const MODELS = [1, 3, 7];
const exact: Tolerance = { atol: 0, rtol: 0 };

/** Every dispatch ran once per model (z == N). */
function expectPerModel(result: BatchResult, n: number): void {
  expect(result.workgroups.map((w) => w[2])).toEqual(result.workgroups.map(() => n));
}

/** The loosest of the models' tolerances (one tolerance serves the whole batch). */
function loosest(tols: Tolerance[]): Tolerance {
  return { atol: Math.max(...tols.map((t) => t.atol)), rtol: Math.max(...tols.map((t) => t.rtol)) };
}

describe('batched loss kernel', () => {
  // As the single-model loss tests: 2e-6 absolute plus 2e-5 relative.
  const tol: Tolerance = { atol: 2e-6, rtol: 2e-5 };
  const cases: { name: LossName; delta?: number }[] = [...LOSSES.map((name) => ({ name })), { name: 'huber', delta: 0.5 }];

  for (const { name, delta } of cases) {
    it(`${name}${delta ? `(delta ${delta})` : ''}: every model's row losses and gradient, targets shared and per model`, async () => {
      const rng = new Rng(31);
      for (const n of MODELS) {
        for (const rows of [1, 3, 7, 33, 127]) {
          for (const cols of [1, 2, 7, 10]) {
            const models = Array.from({ length: n }, (): OpArgs<CpuTensor>['loss'] => {
              const pred = randomTensor(rng, [rows, cols], -8, 8);
              return { loss: name, pred, target: targetFor(rng, name, pred), grad: emptyTensor([rows, cols]), rowLoss: emptyTensor([rows]), huberDelta: delta };
            });
            expectPerModel(await compareBatchedOp('loss', { models }, tol), n);
            expectPerModel(await compareBatchedOp('loss', { models, shared: ['target'] }, tol), n);
          }
        }
      }
    });
  }

  it('a softmax_ce class out of range poisons only its own model\'s row (rows and stats packed back to back)', async () => {
    // The reference throws on a bad class, so this runs the GPU alone: model 1's row 2 reads NaN,
    // every other row of every model is finite and the three models differ. rowLoss is packed at
    // stride B and the stat tensor at stride 1, as the engine lays out per-model stats.
    const { gpu } = await testGpu();
    const device = gpu.device;
    const ctx = await batchContext(3);
    const [rows, cols] = [4, 3];
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const make = (data: number[]) => {
      const buffer = device.createBuffer({ size: data.length * 4, usage });
      device.queue.writeBuffer(buffer, 0, Float32Array.from(data));
      return buffer;
    };
    const rng = new Rng(5);
    const pred = make(Array.from({ length: 3 * rows * cols }, () => rng.uniform(-2, 2)));
    const target = make([0, 1, 2, 2, 0, 1, 7, 2, 2, 1, 0, 0]);
    const grad = make(Array(3 * rows * cols).fill(0));
    const rowLoss = make(Array(3 * rows).fill(0));
    const out = make([0, 0, 0]);
    const t = (buffer: GPUBuffer, shape: number[], modelStride: number) => ({ shape, buffer, offset: 0, modelStride });
    const dispatches = [
      ...(await prepareKernel(ctx, 'loss', { loss: 'softmax_ce', pred: t(pred, [rows, cols], rows * cols), target: t(target, [rows, 1], rows), grad: t(grad, [rows, cols], rows * cols), rowLoss: t(rowLoss, [rows], rows) })),
      ...(await prepareKernel(ctx, 'sum', { x: t(rowLoss, [rows], rows), out: t(out, [1], 1) })),
    ];
    expect(dispatches.map((d) => d.workgroups[2])).toEqual([3, 3]);
    const encoder = device.createCommandEncoder();
    encodeDispatches(encoder, dispatches);
    const read = (buffer: GPUBuffer) => {
      const copy = device.createBuffer({ size: buffer.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.copyBufferToBuffer(buffer, 0, copy, 0, buffer.size);
      return copy;
    };
    const reads = [read(rowLoss), read(out)];
    device.queue.submit([encoder.finish()]);
    const [losses, totals] = await Promise.all(reads.map(async (r) => {
      await r.mapAsync(GPUMapMode.READ);
      const values = [...new Float32Array(r.getMappedRange().slice(0))];
      r.destroy();
      return values;
    }));
    for (const b of [pred, target, grad, rowLoss, out]) b.destroy();
    expect(losses.map(Number.isNaN)).toEqual(losses.map((_, i) => i === rows + 2));
    expect(losses.every((v, i) => i === rows + 2 || v > 0)).toBe(true);
    expect(totals.map(Number.isNaN)).toEqual([false, true, false]);
    expect(totals[0]).toBeCloseTo(losses.slice(0, rows).reduce((a, v) => a + v, 0), 5);
    expect(totals[2]).toBeCloseTo(losses.slice(2 * rows).reduce((a, v) => a + v, 0), 5);
    expect(totals[0]).not.toBe(totals[2]);
  });
});

describe('batched sum and sumSquares', () => {
  // 1024 is the largest one-pass size and 1025 the smallest two-pass one (src/kernels/loss.ts:
  // WG 256 x MIN_PER_THREAD 4); 70001 takes 69 partials per model, 300007 the full 256 groups.
  const SIZES = [1, 7, 127, 1023, 1024, 1025, 1031, 4099, 70001, 300007];

  for (const op of ['sum', 'sumSquares'] as const) {
    it(`${op}: one float per model within the summation bound, with and without accumulate`, async () => {
      const rng = new Rng(op === 'sum' ? 41 : 42);
      for (const size of SIZES) {
        for (const n of size > 70001 ? [3] : MODELS) {
          for (const accumulate of [false, true]) {
            const xs = Array.from({ length: n }, () => randomTensor(rng, [size], -1, 1));
            const starts = xs.map((_, m) => (accumulate ? 2.5 - m : 0));
            const terms = (x: CpuTensor) => Float64Array.from(x.data, (v) => (op === 'sum' ? Math.fround(v) : Math.fround(v) ** 2));
            const models = xs.map((x, m) => ({ x, out: cpuTensor([1], [starts[m]]), accumulate }));
            const result = await compareBatchedOp(op, { models }, loosest(xs.map((x, m) => sumTolerance(terms(x), starts[m]))));
            expect(result.workgroups.length).toBe(size > 1024 ? 2 : 1);
            expectPerModel(result, n);
          }
        }
      }
    });
  }

  it('are exact per model on dyadic data, so a model reading another\'s partials cannot hide in the tolerance', async () => {
    // As in loss.test.ts: multiples of 1/64 (sum) and squares of multiples of 1/8 (sumSquares)
    // with totals below 2^18 sum exactly in any order, and each model's values differ, so a
    // swapped or shared partials row changes its total.
    const rng = new Rng(43);
    const dyadic = (size: number, steps: number) => cpuTensor([size], Array.from({ length: size }, () => Math.round(rng.uniform(-steps, steps)) / steps));
    for (const size of [1024, 1025, 4099, 70001]) {
      const sums = Array.from({ length: 5 }, (_, m) => ({ x: dyadic(size, 64), out: cpuTensor([1], [m / 4]), accumulate: true }));
      const squares = Array.from({ length: 5 }, () => ({ x: dyadic(size, 8), out: emptyTensor([1]) }));
      for (const { x } of [...sums, ...squares]) expect(x.data.reduce((a, v) => a + Math.abs(v) + v * v, 0)).toBeLessThan(2 ** 18);
      const result = await compareBatchedOp('sum', { models: sums }, exact);
      expect(new Set(result.gpu.out.map((o) => o[0])).size).toBe(5);
      await compareBatchedOp('sumSquares', { models: squares }, exact);
    }
  });

  it('a shared x is reduced once and its total written to every model', async () => {
    // One partials row serves all models: the first pass runs once (z = 1), the total per model.
    const rng = new Rng(44);
    for (const size of [33, 4099]) {
      const x = randomTensor(rng, [size], -1, 1);
      const models = [0, 1, 2].map((m) => ({ x, out: cpuTensor([1], [m]), accumulate: true }));
      const result = await compareBatchedOp('sum', { models, shared: ['x'] }, sumTolerance(Float64Array.from(x.data, Math.fround), 2));
      expect(result.workgroups.map((w) => w[2])).toEqual(size > 1024 ? [1, 3] : [3]);
    }
  });
});

describe('batched accuracy', () => {
  // Values from {0, 1, 2} make ties common, as in the single-model test.
  const tied = (rng: Rng, shape: number[]) => cpuTensor(shape, Array.from({ length: shape[0] * shape[1] }, () => Math.floor(rng.next() * 3)));
  const ROWS = [1, 3, 33, 127, 1000];

  it('C > 1: argmax against class indices and against [B, C] targets, shared and per model, accumulate', async () => {
    const rng = new Rng(51);
    for (const n of MODELS) {
      for (const rows of ROWS) {
        for (const cols of [2, 7, 10]) {
          const index = () => cpuTensor([rows, 1], Array.from({ length: rows }, () => Math.floor(rng.next() * cols)));
          const byIndex = Array.from({ length: n }, () => ({ pred: tied(rng, [rows, cols]), target: index(), out: emptyTensor([1]) }));
          for (const shared of [[], ['target']]) expectPerModel(await compareBatchedOp('accuracy', { models: byIndex, shared }, exact), n);
          const dense = Array.from({ length: n }, (_, m) => ({ pred: tied(rng, [rows, cols]), target: tied(rng, [rows, cols]), out: cpuTensor([1], [7 + m]), accumulate: true }));
          for (const shared of [[], ['target']]) expectPerModel(await compareBatchedOp('accuracy', { models: dense, shared }, exact), n);
        }
      }
    }
  });

  it('C == 1: pred > threshold against target > 0.5, default and custom threshold, shared and per model', async () => {
    const rng = new Rng(52);
    for (const n of MODELS) {
      for (const rows of ROWS) {
        const target = () => cpuTensor([rows, 1], Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 0.5 : Math.round(rng.next()))));
        for (const threshold of [undefined, 0.3]) {
          const models = Array.from({ length: n }, () => {
            const pred = randomTensor(rng, [rows, 1], -1, 1);
            pred.data[0] = 0; // exactly at the default threshold: predicts 0
            return { pred, target: target(), out: emptyTensor([1]), threshold };
          });
          for (const shared of [[], ['target']]) {
            const result = await compareBatchedOp('accuracy', { models, shared }, exact);
            expectPerModel(result, n);
          }
        }
      }
    }
  });
});

describe('batched deadUnits', () => {
  it('counts each model\'s own all-zero columns (-0 counts, NaN does not), with and without accumulate', async () => {
    const rng = new Rng(61);
    for (const n of MODELS) {
      for (const rows of [1, 3, 33, 127]) {
        for (const cols of [1, 7, 65, 300]) {
          // Each model has its own dead columns (about a third), so a model reading another's slice miscounts.
          const models = Array.from({ length: n }, () => {
            const dead = Array.from({ length: cols }, () => rng.next() < 0.3);
            const y = cpuTensor([rows, cols], Array.from({ length: rows * cols }, (_, i) => (dead[i % cols] ? (i % 2 ? -0 : 0) : Math.max(0, rng.uniform(-1, 1)))));
            if (cols > 1) y.data[cols - 1] = NaN; // last column is never dead
            return y;
          });
          const fresh = await compareBatchedOp('deadUnits', { models: models.map((y) => ({ y, out: emptyTensor([1]) })) }, exact);
          expectPerModel(fresh, n);
          const accumulated = await compareBatchedOp('deadUnits', { models: models.map((y, m) => ({ y, out: cpuTensor([1], [3 + m]), accumulate: true })) }, exact);
          expectPerModel(accumulated, n);
        }
      }
    }
  });
});
