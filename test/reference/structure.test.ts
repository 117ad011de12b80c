// Float64 checks of the structural reference: central finite differences of every backward
// (layerNormGrad's dx, dgamma, dbeta; dropoutGrad), the RNG's u32 arithmetic against a BigInt
// implementation, and the documented conventions (N = 1, p = 0, out-of-range gather ids).

import { describe, expect, it } from 'vitest';
import { SCALAR, SCALARS_LENGTH } from '../../src/ops/args.js';
import type { CpuTensor } from '../../src/ops/tensor.js';
import { cpuTensor } from '../../src/ops/tensor.js';
import { runReference } from '../../src/reference/index.js';
import { keepThreshold } from '../../src/ops/defaults.js';
import { pcgHash, random24 } from '../../src/reference/random.js';
import { dropout, dropoutGrad, gather, layerNorm, layerNormGrad } from '../../src/reference/structure.js';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose, emptyTensor, randomTensor } from '../support/compare.js';
import { dot, FD_TOL, H, numericGrad } from '../support/finite-diff.js';


function scalars(rngStep: number, batchOffset = 0): CpuTensor {
  const t = emptyTensor([SCALARS_LENGTH]);
  t.data[SCALAR.rngStep] = rngStep;
  t.data[SCALAR.batchOffset] = batchOffset;
  return t;
}

describe('layerNormGrad reference', () => {
  for (const [rows, cols] of [[1, 1], [3, 7], [2, 33], [4, 2]]) {
    it(`matches central differences of sum(w * layerNorm(x)) for [${rows}, ${cols}]`, () => {
      const rng = new Rng(rows * 100 + cols);
      const x = randomTensor(rng, [rows, cols], -2, 2);
      const gamma = randomTensor(rng, [cols], 0.5, 1.5);
      const beta = randomTensor(rng, [cols], -1, 1);
      const w = randomTensor(rng, [rows, cols], -1, 1);
      const mean = emptyTensor([rows]);
      const rstd = emptyTensor([rows]);
      const y = emptyTensor([rows, cols]);
      const loss = () => {
        layerNorm({ x, gamma, beta, y, mean, rstd });
        return dot(w.data, y.data);
      };
      const fd = { dx: numericGrad(x, loss), dgamma: numericGrad(gamma, loss), dbeta: numericGrad(beta, loss) };
      loss(); // mean and rstd of the unperturbed x
      const dx = emptyTensor([rows, cols]);
      const dgamma = emptyTensor([cols]);
      const dbeta = emptyTensor([cols]);
      layerNormGrad({ dy: w, x, gamma, mean, rstd, dx, dgamma, dbeta });
      assertClose('dx', dx.data, fd.dx, FD_TOL);
      assertClose('dgamma', dgamma.data, fd.dgamma, FD_TOL);
      assertClose('dbeta', dbeta.data, fd.dbeta, FD_TOL);
    });
  }

  it('accumulates into dgamma/dbeta when asked', () => {
    const rng = new Rng(3);
    const x = randomTensor(rng, [3, 5]);
    const args = { dy: randomTensor(rng, [3, 5]), x, gamma: randomTensor(rng, [5]), mean: emptyTensor([3]), rstd: emptyTensor([3]) };
    layerNorm({ x, gamma: args.gamma, beta: emptyTensor([5]), y: emptyTensor([3, 5]), mean: args.mean, rstd: args.rstd });
    const fresh = { dx: emptyTensor([3, 5]), dgamma: emptyTensor([5]), dbeta: emptyTensor([5]) };
    layerNormGrad({ ...args, ...fresh });
    const start = cpuTensor([5], [1, 2, 3, 4, 5]);
    const acc = { dx: emptyTensor([3, 5]), dgamma: cpuTensor([5], start.data), dbeta: cpuTensor([5], start.data) };
    layerNormGrad({ ...args, ...acc, accumulate: true });
    assertClose('dgamma', acc.dgamma.data, fresh.dgamma.data.map((v, i) => v + start.data[i]), { atol: 1e-15, rtol: 1e-15 });
    assertClose('dbeta', acc.dbeta.data, fresh.dbeta.data.map((v, i) => v + start.data[i]), { atol: 1e-15, rtol: 1e-15 });
  });

  it('gives y = beta for N = 1', () => {
    const y = emptyTensor([2, 1]);
    layerNorm({ x: cpuTensor([2, 1], [3, -7]), gamma: cpuTensor([1], [2]), beta: cpuTensor([1], [0.5]), y, mean: emptyTensor([2]), rstd: emptyTensor([2]) });
    expect(Array.from(y.data)).toEqual([0.5, 0.5]);
  });
});

describe('dropoutGrad reference', () => {
  it('matches central differences of sum(w * dropout(x)) with the same seed and step', () => {
    const rng = new Rng(5);
    const x = randomTensor(rng, [40]);
    const w = randomTensor(rng, [40]);
    const common = { p: 0.4, seed: 17, scalars: scalars(3) };
    const y = emptyTensor([40]);
    const fd = numericGrad(x, () => {
      dropout({ x, y, ...common });
      return dot(w.data, y.data);
    });
    const dx = emptyTensor([40]);
    dropoutGrad({ dy: w, dx, ...common });
    assertClose('dx', dx.data, fd, FD_TOL);
    expect(dx.data.some((v) => v === 0) && dx.data.some((v) => v !== 0)).toBe(true);
  });

  it('is the identity at p = 0 and rejects p outside [0, 1)', () => {
    const x = cpuTensor([3], [1, -2, 3]);
    const y = emptyTensor([3]);
    runReference('dropout', { x, y, p: 0, seed: 1, scalars: scalars(1) });
    expect(Array.from(y.data)).toEqual([1, -2, 3]);
    expect(() => runReference('dropout', { x, y, p: 1, seed: 1, scalars: scalars(1) })).toThrow(InputError);
    expect(() => runReference('dropout', { x, y, p: -0.5, seed: 1, scalars: scalars(1) })).toThrow('dropout.p: got -0.5');
  });
});

describe('dropout RNG', () => {
  // The same formula in BigInt: proves Math.imul / >>> 0 compute exact u32 arithmetic, as WGSL does.
  const M = 0xffffffffn;
  function pcgBig(v: bigint): bigint {
    const state = (v * 747796405n + 2891336453n) & M;
    const word = (((state >> ((state >> 28n) + 4n)) ^ state) * 277803737n) & M;
    return (word >> 22n) ^ word;
  }

  it('pcgHash equals a BigInt u32 implementation', () => {
    const rng = new Rng(1);
    const inputs = [0, 1, 0xffffffff, 0x80000000, 12345];
    for (let i = 0; i < 1000; i++) inputs.push(Math.floor(rng.next() * 4294967296));
    for (const v of inputs) expect(pcgHash(v)).toBe(Number(pcgBig(BigInt(v))));
  });

  it('random24 gives 24-bit values, uniform enough for a 5-sigma mean check', () => {
    const n = 100_000;
    let sum = 0;
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const r = random24(99, 4, i);
      if (!(r >= 0 && r < 2 ** 24 && Number.isInteger(r))) outOfRange++;
      sum += r / 2 ** 24;
    }
    expect(outOfRange).toBe(0);
    // mean of n uniforms: sd = sqrt(1/12 / n)
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
  });

  it('keepThreshold makes the integer compare equal to u >= p', () => {
    expect(keepThreshold(0)).toBe(0);
    expect(keepThreshold(0.5)).toBe(2 ** 23);
    for (const p of [0.1, 0.3, 0.9, 1 - 2 ** -24]) {
      const t = keepThreshold(p);
      expect(t / 2 ** 24 >= p && (t - 1) / 2 ** 24 < p).toBe(true);
    }
  });
});

describe('gather reference', () => {
  it('copies the rows the permutation names from the batch offset on, zeros past the end or out of range', () => {
    const src = cpuTensor([4, 2], [0, 1, 10, 11, 20, 21, 30, 31]);
    const indices = cpuTensor([5], [3, 1, -1, 4, 2]);
    const dst = emptyTensor([4, 2]);
    gather({ src, indices, dst, scalars: scalars(0, 1) });
    expect(Array.from(dst.data)).toEqual([10, 11, 0, 0, 0, 0, 20, 21]);
    gather({ src, indices, dst, scalars: scalars(0, 3) });
    expect(Array.from(dst.data)).toEqual([0, 0, 20, 21, 0, 0, 0, 0]);
  });
});
