// Model batches of the dense-layer kernels: one matmul / biasGrad dispatch for N models (workgroup
// z = model), each model's slice equal to the reference run on that model alone. Covers the three
// products of a layer with the data shared where the graph shares it (the first layer's X in
// X.W and dW = X^T.dZ), the fused epilogues with one activation or a different one per model
// (read from the per-model table), accumulate, odd shapes, and the texel kernel's hand-over.

import { afterAll, describe, expect, it } from 'vitest';
import { selectMatmul } from '../../../src/kernels/matmul/select.js';
import type { Activation, OpArgs } from '../../../src/ops/args.js';
import type { CpuTensor } from '../../../src/ops/tensor.js';
import { Rng } from '../../../src/util/rng.js';
import { batchContext, compareBatchedOp, type BatchResult } from '../../support/compare-batch.js';
import { emptyTensor, randomTensor, type Tolerance } from '../../support/compare.js';
import { releaseTestGpu, testGpu } from '../../support/gpu.js';
import { dotTol, sumTol } from '../../support/tolerances.js';

afterAll(releaseTestGpu);

const MODELS = [1, 3, 7];
const ODD = [1, 3, 7, 33, 65, 127];
/** [m, k, n]: each odd size in turn at M, K and N (the others 33 and 7), then one bigger product. */
const SHAPES: [number, number, number][] = [...ODD.flatMap((s): [number, number, number][] => [[s, 33, 7], [7, s, 33], [33, 7, s]]), [257, 129, 65]];
/** Different activations in one dispatch; model m of a batch takes MIXED[m]. */
const MIXED: Activation[] = [{ name: 'relu' }, { name: 'tanh' }, { name: 'gelu' }, { name: 'leaky_relu', alpha: 0.2 }, { name: 'elu', alpha: 0.5 }, { name: 'silu' }, { name: 'selu' }];

/** As the single-model epilogue tests: the product's error, magnified by |act'| <= 1.13. */
function epilogueTol(k: number): Tolerance {
  const tol = dotTol(k);
  return { atol: 2 * tol.atol, rtol: tol.rtol };
}

function expectOneDispatchPerBatch(result: BatchResult, models: number): void {
  expect(result.workgroups).toHaveLength(1);
  expect(result.workgroups[0][2]).toBe(models);
}

type MatmulArgs = OpArgs<CpuTensor>['matmul'];

/** `models` models' arguments from make(rng), each with its own random data. */
function batch(rng: Rng, models: number, make: (rng: Rng) => MatmulArgs): MatmulArgs[] {
  return Array.from({ length: models }, () => make(rng));
}

describe('batched matmul', () => {
  for (const models of MODELS) {
    it(`X.W + bias, relu, saving the pre-activation, with X shared (${models} models, odd shapes)`, async () => {
      const rng = new Rng(100 + models);
      for (const [m, k, n] of SHAPES) {
        const x = randomTensor(rng, [m, k]);
        const args = batch(rng, models, (r) => ({ a: x, b: randomTensor(r, [k, n]), out: emptyTensor([m, n]), transA: false, transB: false, bias: randomTensor(r, [n]), activation: { name: 'relu' }, preActivation: emptyTensor([m, n]) }));
        expectOneDispatchPerBatch(await compareBatchedOp('matmul', { models: args, shared: ['a'] }, epilogueTol(k)), models);
      }
    });

    it(`X.W + bias with a different activation per model (${models} models, odd shapes)`, async () => {
      const rng = new Rng(200 + models);
      const perModel = { activation: MIXED.slice(0, models) };
      for (const [m, k, n] of SHAPES) {
        const args = batch(rng, models, (r) => ({ a: randomTensor(r, [m, k]), b: randomTensor(r, [k, n]), out: emptyTensor([m, n]), transA: false, transB: false, bias: randomTensor(r, [n]), activation: MIXED[0], preActivation: emptyTensor([m, n]) }));
        expectOneDispatchPerBatch(await compareBatchedOp('matmul', { models: args, perModel }, epilogueTol(k)), models);
      }
    });

    it(`dW = X^T.dZ with X shared, and dW += X^T.dZ (${models} models, odd shapes)`, async () => {
      const rng = new Rng(300 + models);
      for (const [m, k, n] of SHAPES) {
        // dW is [m, n] = [in, out]; X is [k, m] (batch rows x features), dZ [k, n].
        const x = randomTensor(rng, [k, m]);
        const plain = batch(rng, models, (r) => ({ a: x, b: randomTensor(r, [k, n]), out: emptyTensor([m, n]), transA: true, transB: false }));
        expectOneDispatchPerBatch(await compareBatchedOp('matmul', { models: plain, shared: ['a'] }, dotTol(k)), models);
        const accumulate = batch(rng, models, (r) => ({ a: x, b: randomTensor(r, [k, n]), out: randomTensor(r, [m, n]), transA: true, transB: false, accumulate: true }));
        expectOneDispatchPerBatch(await compareBatchedOp('matmul', { models: accumulate, shared: ['a'] }, dotTol(k)), models);
      }
    });

    it(`dX = (dZ.W^T) * act'(z) with the activation per model, and accumulated (${models} models, odd shapes)`, async () => {
      const rng = new Rng(400 + models);
      const perModel = { activation: MIXED.slice(0, models) };
      for (const [m, k, n] of SHAPES) {
        const make = (accumulate: boolean) => (r: Rng): MatmulArgs => ({
          a: randomTensor(r, [m, k]), b: randomTensor(r, [n, k]), out: accumulate ? randomTensor(r, [m, n]) : emptyTensor([m, n]), transA: false, transB: true,
          gradOf: { activation: MIXED[0], z: randomTensor(r, [m, n], -4, 4) }, accumulate,
        });
        expectOneDispatchPerBatch(await compareBatchedOp('matmul', { models: batch(rng, models, make(false)), perModel }, epilogueTol(k)), models);
        expectOneDispatchPerBatch(await compareBatchedOp('matmul', { models: batch(rng, models, make(true)), perModel }, epilogueTol(k)), models);
      }
    });
  }

  it('dX with one activation for all models keeps it a constant (no table), X.W + bias accumulates', async () => {
    const rng = new Rng(500);
    const [m, k, n] = [65, 33, 127];
    const gradOf = (r: Rng): MatmulArgs => ({ a: randomTensor(r, [m, k]), b: randomTensor(r, [n, k]), out: emptyTensor([m, n]), transA: false, transB: true, gradOf: { activation: { name: 'gelu' }, z: randomTensor(r, [m, n], -4, 4) } });
    expectOneDispatchPerBatch(await compareBatchedOp('matmul', { models: batch(rng, 3, gradOf) }, epilogueTol(k)), 3);
    const forward = (r: Rng): MatmulArgs => ({ a: randomTensor(r, [m, k]), b: randomTensor(r, [k, n]), out: randomTensor(r, [m, n]), transA: false, transB: false, bias: randomTensor(r, [n]), accumulate: true });
    expectOneDispatchPerBatch(await compareBatchedOp('matmul', { models: batch(rng, 7, forward) }, dotTol(k)), 7);
  });

  it('a batch takes the buffer kernel where one model would take the texel kernel, with the same results', async () => {
    const { gpu } = await testGpu();
    const [m, k, n] = [68, 36, 132];
    const buffer = gpu.device.createBuffer({ size: 4 * m * n, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const t = (...shape: number[]) => ({ shape, buffer, offset: 0 });
    const args = { a: t(m, k), b: t(k, n), out: t(m, n), transA: false, transB: false };
    const single = await batchContext(1);
    // lavapipe's tuning has a texel path (the product is big enough and whole texels); other adapters do not.
    expect(selectMatmul(single, args, m, k, n).kind).toBe(single.tuning.texelMatmul ? 'texel' : 'buffer');
    expect(selectMatmul(await batchContext(3), args, m, k, n).kind).toBe('buffer');
    buffer.destroy();
    const rng = new Rng(600);
    for (const models of [1, 3]) {
      const perModel = { activation: MIXED.slice(0, models) };
      const make = (r: Rng): MatmulArgs => ({ a: randomTensor(r, [m, k]), b: randomTensor(r, [k, n]), out: emptyTensor([m, n]), transA: false, transB: false, bias: randomTensor(r, [n]), activation: MIXED[0], preActivation: emptyTensor([m, n]) });
      expectOneDispatchPerBatch(await compareBatchedOp('matmul', { models: batch(rng, models, make), perModel }, epilogueTol(k)), models);
    }
  });
});

describe('batched biasGrad', () => {
  for (const models of MODELS) {
    it(`sums each model's columns, and accumulates (${models} models, odd rows and columns)`, async () => {
      const rng = new Rng(700 + models);
      for (const rows of [...ODD, 257]) {
        for (const cols of [1, 10, 33, 257]) {
          const plain = Array.from({ length: models }, () => ({ dy: randomTensor(rng, [rows, cols]), out: emptyTensor([cols]) }));
          expectOneDispatchPerBatch(await compareBatchedOp('biasGrad', { models: plain }, sumTol(rows)), models);
        }
        const accumulate = Array.from({ length: models }, () => ({ dy: randomTensor(rng, [rows, 65]), out: randomTensor(rng, [65]), accumulate: true }));
        expectOneDispatchPerBatch(await compareBatchedOp('biasGrad', { models: accumulate }, sumTol(rows)), models);
      }
    });
  }
});
