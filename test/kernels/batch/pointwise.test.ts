// Model batches of the elementwise kernels: one dispatch for N models (workgroup z = model), each
// model's slice equal to the reference run on that model alone, with the activation per model
// where the models differ (relu vs tanh vs gelu in one dispatch) and shared inputs read by all.

import { afterAll, describe, expect, it } from 'vitest';
import type { Activation } from '../../../src/ops/args.js';
import { Rng } from '../../../src/util/rng.js';
import { compareBatchedOp } from '../../support/compare-batch.js';
import { emptyTensor, randomTensor, type Tolerance } from '../../support/compare.js';
import { releaseTestGpu } from '../../support/gpu.js';

afterAll(releaseTestGpu);

// As the single-model activation tests: f32 exp/erf/tanh, a few ulps plus an absolute floor.
const ACT_TOL: Tolerance = { atol: 2e-6, rtol: 2e-5 };
const MIXED: Activation[] = [{ name: 'relu' }, { name: 'tanh' }, { name: 'gelu' }, { name: 'leaky_relu', alpha: 0.2 }, { name: 'elu', alpha: 0.5 }, { name: 'sigmoid' }, { name: 'selu' }];

describe('batched elementwise kernels', () => {
  for (const n of [1, 7, 65, 257]) {
    it(`activation forward and backward with a different activation per model (${MIXED.length} models, ${n} elements)`, async () => {
      const rng = new Rng(n);
      const models = MIXED.map((activation) => ({ x: randomTensor(rng, [n], -4, 4), y: emptyTensor([n]), activation }));
      const result = await compareBatchedOp('activation', { models, perModel: { activation: MIXED } }, ACT_TOL);
      expect(result.workgroups.every((w) => w[2] === MIXED.length)).toBe(true);
      const grads = MIXED.map((activation) => ({ z: randomTensor(rng, [n], -4, 4), dy: randomTensor(rng, [n]), dx: emptyTensor([n]), activation }));
      await compareBatchedOp('activationGrad', { models: grads, perModel: { activation: MIXED } }, ACT_TOL);
    });
  }

  it('one activation for all models needs no per-model list; a shared input is read by every model', async () => {
    const rng = new Rng(3);
    const x = randomTensor(rng, [33], -3, 3);
    const models = [0, 1, 2].map(() => ({ x, y: emptyTensor([33]), activation: { name: 'silu' } as Activation }));
    const result = await compareBatchedOp('activation', { models, shared: ['x'] }, ACT_TOL);
    expect(result.gpu.y[0]).toEqual(result.gpu.y[2]);
  });

  it('add and softmax run per model', async () => {
    const rng = new Rng(4);
    const adds = [0, 1, 2, 3].map(() => ({ a: randomTensor(rng, [127]), b: randomTensor(rng, [127]), out: emptyTensor([127]) }));
    await compareBatchedOp('add', { models: adds }, { atol: 0, rtol: 6e-8 });
    const softmaxes = [0, 1, 2].map(() => ({ x: randomTensor(rng, [33, 7], -8, 8), y: emptyTensor([33, 7]) }));
    await compareBatchedOp('softmax', { models: softmaxes }, { atol: 1e-7, rtol: 1e-5 });
  });
});
