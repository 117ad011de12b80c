// Splitting: sizes add up, parts are disjoint and cover every row, and the same seed gives the
// same split.

import { describe, it, expect } from 'vitest';
import { splitDataset } from '../../src/data/split.js';
import type { Dataset } from '../../src/data/dataset.js';

/** Row i has x = [i, -i], y = i, so rows can be identified after shuffling. */
function indexed(rows: number): Dataset {
  const x = new Float32Array(rows * 2);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    x[2 * i] = i;
    x[2 * i + 1] = -i;
    y[i] = i;
  }
  return { name: 't', task: 'regression', x, y, rows, features: 2, targetWidth: 1 };
}

describe('splitDataset', () => {
  it('gives the requested sizes, disjoint parts covering every row, rows kept intact', () => {
    const parts = splitDataset(indexed(100), { validation: 0.2, test: 0.1 }, 1);
    expect(parts.train.rows).toBe(70);
    expect(parts.validation!.rows).toBe(20);
    expect(parts.test!.rows).toBe(10);
    const ids = [parts.train, parts.validation!, parts.test!].flatMap((p) => Array.from(p.y));
    expect(new Set(ids).size).toBe(100);
    for (const p of [parts.train, parts.validation!, parts.test!]) {
      for (let r = 0; r < p.rows; r++) {
        expect(p.x[2 * r]).toBe(p.y[r]);
        expect(p.x[2 * r + 1]).toBe(-p.y[r]);
      }
    }
  });

  it('is deterministic for a seed, shuffles, and changes with the seed', () => {
    const a = splitDataset(indexed(50), { validation: 0.2 }, 9);
    const b = splitDataset(indexed(50), { validation: 0.2 }, 9);
    const c = splitDataset(indexed(50), { validation: 0.2 }, 10);
    expect(Array.from(a.train.y)).toEqual(Array.from(b.train.y));
    expect(Array.from(a.validation!.y)).toEqual(Array.from(b.validation!.y));
    expect(Array.from(a.train.y)).not.toEqual(Array.from(c.train.y));
    expect(Array.from(a.train.y)).not.toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('omits parts not asked for and rejects bad fractions', () => {
    const parts = splitDataset(indexed(10), {}, 1);
    expect(parts.train.rows).toBe(10);
    expect(parts.validation).toBeUndefined();
    expect(parts.test).toBeUndefined();
    expect(splitDataset(indexed(10), { validation: 0.01 }, 1).validation!.rows).toBe(1);
    expect(() => splitDataset(indexed(10), { validation: 1.5 }, 1)).toThrow(/^validation: got 1.5/);
    expect(() => splitDataset(indexed(10), { validation: 0.6, test: 0.5 }, 1)).toThrow(/validation \+ test/);
    expect(() => splitDataset(indexed(2), { validation: 0.4, test: 0.4 }, 1)).toThrow(/^rows: got 2/);
  });
});
