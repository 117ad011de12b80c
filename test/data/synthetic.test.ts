// Synthetic generators: reproducible per seed, right shapes/tasks/labels, and the sawtooth target
// really is the composed tent map.

import { describe, it, expect } from 'vitest';
import { SYNTHETIC_DATASETS, blobs, sawtooth, sawtoothFn, sine, xor, type SyntheticName } from '../../src/data/synthetic.js';
import { validateDataset } from '../../src/data/dataset.js';

const names = Object.keys(SYNTHETIC_DATASETS) as SyntheticName[];

describe('synthetic generators', () => {
  it.each(names)('%s is deterministic for a seed and differs for another', (name) => {
    const gen = SYNTHETIC_DATASETS[name].generate;
    const a = gen({ n: 50, seed: 7, noise: 0.1 });
    const b = gen({ n: 50, seed: 7, noise: 0.1 });
    const c = gen({ n: 50, seed: 8, noise: 0.1 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
  });

  it.each(names)('%s has consistent shape, task and valid labels', (name) => {
    const entry = SYNTHETIC_DATASETS[name];
    const ds = entry.generate({ n: 60 });
    expect(ds.task).toBe(entry.task);
    expect(ds.rows).toBe(60);
    expect(ds.x.length).toBe(60 * ds.features);
    expect(ds.y.length).toBe(60 * ds.targetWidth);
    expect(ds.features).toBe(entry.task === 'regression' ? 1 : 2);
    expect(() => validateDataset(ds)).not.toThrow();
    if (entry.task === 'binary') {
      expect(new Set(ds.y)).toEqual(new Set([0, 1]));
    }
  });

  it('xor with no noise is exactly the 4 classic points repeated', () => {
    const ds = xor({ n: 8 });
    expect(Array.from(ds.x)).toEqual([0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1]);
    expect(Array.from(ds.y)).toEqual([0, 1, 1, 0, 0, 1, 1, 0]);
  });

  it('blobs honours classes and uses every label in [0, classes)', () => {
    const ds = blobs({ n: 100, classes: 5, seed: 3 });
    expect(ds.classes).toBe(5);
    expect(new Set(ds.y)).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(blobs({}).classes).toBe(3);
  });

  it('sine: x in [-pi, pi] and y = sin x without noise', () => {
    const ds = sine({ n: 100, seed: 2 });
    for (let i = 0; i < ds.rows; i++) {
      expect(Math.abs(ds.x[i])).toBeLessThanOrEqual(Math.PI);
      expect(ds.y[i]).toBeCloseTo(Math.sin(ds.x[i]), 6);
    }
  });

  it('sawtooth matches the tent-map formula for k = 1 and composed', () => {
    expect([0, 0.25, 0.5, 0.75, 1].map((x) => sawtoothFn(x, 1))).toEqual([0, 0.5, 1, 0.5, 0]);
    // k = 2: f(f(x)); f(0.25) = 0.5 -> 1; f(0.125) = 0.25 -> 0.5; f(0.5) = 1 -> 0.
    expect(sawtoothFn(0.25, 2)).toBe(1);
    expect(sawtoothFn(0.125, 2)).toBe(0.5);
    expect(sawtoothFn(0.5, 2)).toBe(0);
    // k = 3 peaks at odd multiples of 1/8.
    expect(sawtoothFn(0.375, 3)).toBe(1);
    expect(sawtoothFn(0.25, 3)).toBe(0);

    const ds = sawtooth({ n: 64, k: 3, seed: 4 });
    const relu = (v: number) => Math.max(0, v);
    const f = (x: number) => relu(2 * x) - relu(4 * x - 2) + relu(2 * x - 2);
    for (let i = 0; i < ds.rows; i++) {
      expect(ds.x[i]).toBeGreaterThanOrEqual(0);
      expect(ds.x[i]).toBeLessThanOrEqual(1);
      expect(ds.y[i]).toBeCloseTo(f(f(f(ds.x[i]))), 6);
    }
  });

  it('rejects bad options with the field named', () => {
    expect(() => xor({ n: 0 })).toThrow(/^n: got 0/);
    expect(() => sine({ noise: -1 })).toThrow(/^noise: got -1/);
    expect(() => blobs({ classes: 1 })).toThrow(/^classes: got 1/);
    expect(() => sawtooth({ k: 0 })).toThrow(/^k: got 0/);
  });
});
