// Float64 checks of the dense-layer reference: central finite differences of a two-layer network
// through every backward the family provides (dX via gradOf, dW via transA, db via biasGrad) for
// every activation, and the conventions (transposes, accumulate, default identity, rejections).

import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/ops/args.js';
import { ACTIVATIONS } from '../../src/ops/names.js';
import type { CpuTensor } from '../../src/ops/tensor.js';
import { cpuTensor } from '../../src/ops/tensor.js';
import { runReference } from '../../src/reference/index.js';
import { biasGrad, matmul } from '../../src/reference/linear.js';
import { ShapeError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose, emptyTensor, randomTensor } from '../support/compare.js';
import { dot, FD_TOL, H, numericGrad } from '../support/finite-diff.js';


/** t^T as a new tensor (only the tests materialize transposes). */
function transpose(t: CpuTensor): CpuTensor {
  const [r, c] = t.shape;
  const out = emptyTensor([c, r]);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out.data[j * r + i] = t.data[i * c + j];
  return out;
}

describe('matmul / biasGrad reference gradients', () => {
  const acts: Activation[] = [...ACTIVATIONS.map((name) => ({ name })), { name: 'leaky_relu', alpha: 0.2 }, { name: 'elu', alpha: 0.5 }];
  for (const act of acts) {
    const label = `${act.name}${act.alpha !== undefined ? `(${act.alpha})` : ''}`;
    it(`backprop through act(X.W1 + b1).W2 with ${label} matches central differences`, () => {
      // L = sum(G * (act(X.W1 + b1) . W2)) with a random G, so dL/dY = G.
      const [batch, nIn, nHidden, nOut] = [4, 3, 5, 2];
      const rng = new Rng(7);
      const x = randomTensor(rng, [batch, nIn], -2, 2);
      const w1 = randomTensor(rng, [nIn, nHidden], -1, 1);
      const b1 = randomTensor(rng, [nHidden], -1, 1);
      const w2 = randomTensor(rng, [nHidden, nOut], -1, 1);
      const g = randomTensor(rng, [batch, nOut], -1, 1);
      const hidden = emptyTensor([batch, nHidden]);
      const z1 = emptyTensor([batch, nHidden]);
      const y = emptyTensor([batch, nOut]);
      const forward = () => {
        matmul({ a: x, b: w1, out: hidden, transA: false, transB: false, bias: b1, activation: act, preActivation: z1 });
        matmul({ a: hidden, b: w2, out: y, transA: false, transB: false });
        return dot(g.data, y.data);
      };
      forward();
      // The backward as the trainer runs it: dZ1 = (G . W2^T) * act'(z1), then the three products.
      const dz1 = emptyTensor([batch, nHidden]);
      matmul({ a: g, b: w2, out: dz1, transA: false, transB: true, gradOf: { activation: act, z: z1 } });
      const dw2 = emptyTensor([nHidden, nOut]);
      matmul({ a: hidden, b: g, out: dw2, transA: true, transB: false });
      const dw1 = emptyTensor([nIn, nHidden]);
      matmul({ a: x, b: dz1, out: dw1, transA: true, transB: false });
      const db1 = emptyTensor([nHidden]);
      biasGrad({ dy: dz1, out: db1 });
      const dx = emptyTensor([batch, nIn]);
      matmul({ a: dz1, b: w1, out: dx, transA: false, transB: true });

      assertClose('dW2', dw2.data, numericGrad(w2, forward), FD_TOL);
      assertClose('dW1', dw1.data, numericGrad(w1, forward), FD_TOL);
      assertClose('db1', db1.data, numericGrad(b1, forward), FD_TOL);
      assertClose('dX', dx.data, numericGrad(x, forward), FD_TOL);
    });
  }
});

describe('matmul / biasGrad reference conventions', () => {
  const rng = new Rng(3);
  const a = randomTensor(rng, [3, 4]);
  const b = randomTensor(rng, [4, 2]);
  const plain = emptyTensor([3, 2]);
  matmul({ a, b, out: plain, transA: false, transB: false });

  it('computes the textbook product, and the transposed flags read a stored transpose', () => {
    const ab = cpuTensor([2, 2], [1, 2, 3, 4]);
    const out = emptyTensor([2, 2]);
    matmul({ a: ab, b: ab, out, transA: false, transB: false });
    expect([...out.data]).toEqual([7, 10, 15, 22]);
    for (const [transA, transB] of [
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const out = emptyTensor([3, 2]);
      matmul({ a: transA ? transpose(a) : a, b: transB ? transpose(b) : b, out, transA, transB });
      expect([...out.data]).toEqual([...plain.data]);
    }
  });

  it('writes z = product + bias to preActivation and defaults to the identity', () => {
    const bias = cpuTensor([2], [0.5, -2]);
    const out = emptyTensor([3, 2]);
    const pre = emptyTensor([3, 2]);
    matmul({ a, b, out, transA: false, transB: false, bias, preActivation: pre });
    expect([...pre.data]).toEqual([...plain.data.map((v, i) => v + bias.data[i % 2])]);
    expect([...out.data]).toEqual([...pre.data]);
  });

  it('accumulate adds into out (matmul and biasGrad)', () => {
    const out = cpuTensor([3, 2], [1, 2, 3, 4, 5, 6]);
    matmul({ a, b, out, transA: false, transB: false, accumulate: true });
    expect([...out.data]).toEqual([...plain.data.map((v, i) => v + i + 1)]);
    const sums = cpuTensor([2], [10, 20]);
    biasGrad({ dy: cpuTensor([3, 2], [1, 2, 3, 4, 5, 6]), out: sums, accumulate: true });
    expect([...sums.data]).toEqual([19, 32]);
  });

  it('validation rejects mismatched shapes and gradOf with a forward epilogue', () => {
    const bad = () => runReference('matmul', { a, b: randomTensor(rng, [5, 2]), out: emptyTensor([3, 2]), transA: false, transB: false });
    expect(bad).toThrow(ShapeError);
    expect(bad).toThrow('matmul: a [3, 4] and b [5, 2]: inner dimensions differ (4 vs 5)');
    const gradOf = { activation: { name: 'relu' as const }, z: emptyTensor([3, 2]) };
    expect(() => runReference('matmul', { a, b, out: emptyTensor([3, 2]), transA: false, transB: false, gradOf, preActivation: emptyTensor([3, 2]) })).toThrow(
      'matmul: gradOf cannot be combined with preActivation',
    );
  });
});
