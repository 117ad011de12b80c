// Normalisation: statistics come from training rows only, constant columns stay finite, the target
// scaler round-trips, and loaded normalizers are checked.

import { describe, it, expect } from 'vitest';
import {
  applyNormalizer,
  applyTargetScaler,
  fitNormalizer,
  fitTargetScaler,
  invertTargetScaler,
  validateNormalizer,
  validateTargetScaler,
} from '../../src/data/normalize.js';

describe('fitNormalizer / applyNormalizer', () => {
  // 3 training rows then 1 "validation" row with a huge value that must not affect the fit.
  const x = new Float32Array([0, 5, 2, 5, 4, 5, 1000, -1000]);

  it('minmax uses only the first `rows` rows', () => {
    const n = fitNormalizer(x, 3, 2, 'minmax');
    expect(n.offset).toEqual([0, 5]);
    expect(n.scale).toEqual([0.25, 1]);
    const y = applyNormalizer(n, x);
    expect(Array.from(y.subarray(0, 6))).toEqual([0, 0, 0.5, 0, 1, 0]);
    expect(x[2]).toBe(2); // input untouched
  });

  it('zscore uses only training rows and gives mean 0, std 1 on them', () => {
    const n = fitNormalizer(x, 3, 2, 'zscore');
    expect(n.offset[0]).toBeCloseTo(2, 10);
    expect(n.scale[0]).toBeCloseTo(1 / Math.sqrt(8 / 3), 10);
    const y = applyNormalizer(n, x);
    const col0 = [y[0], y[2], y[4]];
    expect(col0.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    expect(col0.reduce((a, b) => a + b * b, 0) / 3).toBeCloseTo(1, 5);
  });

  it('constant columns get scale 1 and finite outputs', () => {
    for (const kind of ['minmax', 'zscore'] as const) {
      const n = fitNormalizer(x, 3, 2, kind);
      expect(n.scale[1]).toBe(1);
      expect(applyNormalizer(n, x).every(Number.isFinite)).toBe(true);
    }
  });

  it('none is the identity and the result is JSON round-trippable', () => {
    const n = fitNormalizer(x, 4, 2, 'none');
    expect(Array.from(applyNormalizer(n, x))).toEqual(Array.from(x));
    const z = fitNormalizer(x, 3, 2, 'zscore');
    expect(validateNormalizer(JSON.parse(JSON.stringify(z)), 2)).toEqual(z);
  });

  it('validateNormalizer rejects bad files with a clear field', () => {
    expect(() => validateNormalizer({ kind: 'zscore', offset: [0, 1], scale: [1] })).toThrow(/^normalizer\.scale\.length: got 1, expected 2/);
    expect(() => validateNormalizer({ kind: 'zscore', offset: [0, null], scale: [1, 1] })).toThrow(/^normalizer\.offset\[1\]: got null/);
    expect(() => validateNormalizer({ kind: 'weird', offset: [0], scale: [1] })).toThrow(/^normalizer\.kind/);
    expect(() => validateNormalizer({ kind: 'none', offset: [0], scale: [1] }, 3)).toThrow(/^normalizer\.offset\.length: got 1, expected 3/);
  });
});

describe('target scaler', () => {
  it('round-trips and standardises', () => {
    const y = new Float32Array([10, 20, 30, 40]);
    const s = fitTargetScaler(y, 4, 1);
    expect(s.mean).toEqual([25]);
    const t = applyTargetScaler(s, y);
    expect(t.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    const back = invertTargetScaler(s, t);
    back.forEach((v, i) => expect(v).toBeCloseTo(y[i], 4));
  });

  it('constant targets get std 1; bad files are rejected', () => {
    const s = fitTargetScaler(new Float32Array([3, 3, 3]), 3, 1);
    expect(s.std).toEqual([1]);
    expect(validateTargetScaler(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(() => validateTargetScaler({ mean: [0], std: [0] })).toThrow(/^targetScaler\.std\[0\]: got 0/);
  });
});
