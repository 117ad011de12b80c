// Model batches of the dense-layer kernels: one matmul / biasGrad dispatch for N models (workgroup
// z = model), each model's slice equal to the reference run on that model alone. Covers the three
// products of a layer with the data shared where the graph shares it (the first layer's X in
// X.W and dW = X^T.dZ), the fused epilogues with one activation or a different one per model
// (read from the per-model table), accumulate, odd shapes, and lavapipe's texel kernel on a batch.

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

// The first test of each kind JITs its pipelines (a per-model activation compiles the whole
// activation switch: ~30 s alone on lavapipe, a few times that on a shared machine).
describe('batched matmul', { timeout: 300_000 }, () => {
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

  // lavapipe's texel kernel: each per-model operand's texture holds every model's copy, a row range
  // apart. Products of whole texels, big enough for it (>= 2^18 multiply-adds), with model copies
  // 16-byte aligned (a gap of 8 floats), in all four transposes; other adapters run the buffer kernel.
  const TEXEL_GAP = 8;
  const TEXEL_VARIANTS = [[false, false], [false, true], [true, false], [true, true]] as const;
  it('the texel kernel runs a batch in all four transposes: shared and per-model operands, per-model activations, accumulate', async () => {
    const { gpu } = await testGpu();
    const ctx = await batchContext(3);
    const rng = new Rng(600);
    // The second shape spans several texture rows per model copy, with a partial last row.
    for (const [m, k, n] of [[68, 36, 132], [260, 1028, 36]] as const) {
      for (const [transA, transB] of TEXEL_VARIANTS) {
        const aShape = transA ? [k, m] : [m, k];
        const bShape = transB ? [n, k] : [k, n];
        // The kernel a product of these strides gets on this adapter.
        const buffer = gpu.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
        const t = (shape: number[], shared = false) => ({ shape, buffer, offset: 256, ...(shared ? {} : { modelStride: shape[0] * shape[1] + TEXEL_GAP }) });
        const choice = selectMatmul(ctx, { a: t(aShape, transA), b: t(bShape), out: t([m, n]), transA, transB }, m, k, n);
        buffer.destroy();
        expect(choice.kind).toBe(ctx.tuning.texelMatmul ? 'texel' : 'buffer');
        // dW = X^T.dZ shares X; the others read per-model a. Forward: per-model activations;
        // B^T: gradOf per model; A^T: accumulate.
        const x = randomTensor(rng, aShape);
        const make = (r: Rng): MatmulArgs => ({
          a: transA ? x : randomTensor(r, aShape), b: randomTensor(r, bShape), transA, transB,
          ...(transA ? { out: randomTensor(r, [m, n]), accumulate: true } : { out: emptyTensor([m, n]) }),
          ...(transB ? { gradOf: { activation: MIXED[0], z: randomTensor(r, [m, n], -4, 4) } } : { bias: randomTensor(r, [n]), activation: MIXED[0], preActivation: emptyTensor([m, n]) }),
        });
        const perModel = transA ? undefined : { activation: MIXED.slice(0, 3) };
        const result = await compareBatchedOp('matmul', { models: batch(rng, 3, make), ...(transA ? { shared: ['a'] } : {}), perModel, gap: TEXEL_GAP }, epilogueTol(k));
        expectOneDispatchPerBatch(result, 3);
      }
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
