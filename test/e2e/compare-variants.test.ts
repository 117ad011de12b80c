// Compare mode's variant sets, checked in Node without a browser: each set expands (through the
// sweep's own trial expansion) to one model per label, in the labels' order, varying only what the
// set names around the page's learning rate and seed.

import { describe, expect, it } from 'vitest';
import { expandTrials } from '../../src/train/sweep/trials.js';
import type { ModelSpec } from '../../src/index.js';
import { VARIANT_SETS, variantSet } from '../../demo/variants.js';

const SPEC: ModelSpec = { inputSize: 2, hidden: [{ units: 5, activation: 'relu' }, { units: 3, activation: 'tanh', dropout: 0.1 }], outputSize: 1, task: 'binary' };
const OPT = { name: 'adam' as const, lr: 0.03 };

describe('Compare variant sets', () => {
  it('every set gives 4-16 models, one per label, in order', () => {
    for (const name of VARIANT_SETS) {
      const { grid, labels } = variantSet(name, { lr: 0.03, seed: 4 });
      const trials = expandTrials(SPEC, OPT, undefined, grid, undefined);
      expect(trials.length, name).toBe(labels.length);
      expect(trials.length).toBeGreaterThanOrEqual(4);
      expect(trials.length).toBeLessThanOrEqual(16);
      expect(new Set(labels).size).toBe(labels.length);
    }
  });

  it('learning rates: two decades either side of the page rate, rounded, same seed and spec', () => {
    const { grid, labels } = variantSet('lr', { lr: 0.03, seed: 4 });
    expect(labels).toEqual(['lr 0.0003', 'lr 0.003', 'lr 0.03', 'lr 0.3', 'lr 3']);
    const trials = expandTrials(SPEC, OPT, undefined, grid, undefined);
    expect(trials.map((t) => t.optimizer.lr)).toEqual([0.0003, 0.003, 0.03, 0.3, 3]);
    for (const t of trials) {
      expect(t.seed).toBe(4);
      expect(t.spec.hidden).toEqual(SPEC.hidden);
    }
  });

  it('activations, initializers and dropout change every hidden layer and nothing else; seeds count up from the page seed (never below 0)', () => {
    const acts = expandTrials(SPEC, OPT, undefined, variantSet('activations', { lr: 0.03, seed: 2 }).grid, undefined);
    expect(acts.map((t) => t.spec.hidden.map((h) => h.activation))).toEqual(['relu', 'tanh', 'sigmoid', 'gelu', 'leaky_relu', 'elu', 'silu', 'selu'].map((a) => [a, a]));
    expect(acts.every((t) => t.optimizer.lr === 0.03 && t.seed === 2 && t.spec.hidden[1].dropout === 0.1)).toBe(true);
    const drop = expandTrials(SPEC, OPT, undefined, variantSet('dropout', { lr: 0.03, seed: 2 }).grid, undefined);
    expect(drop.map((t) => t.spec.hidden.map((h) => h.dropout ?? 0))).toEqual([0, 0.1, 0.2, 0.3, 0.5].map((d) => [d, d]));
    const init = expandTrials(SPEC, OPT, undefined, variantSet('init', { lr: 0.03, seed: 2 }).grid, undefined);
    expect(new Set(init.map((t) => t.spec.hidden[0].init)).size).toBe(5);
    expect(variantSet('seeds', { lr: 0.03, seed: 3 }).labels).toEqual(['seed 3', 'seed 4', 'seed 5', 'seed 6', 'seed 7', 'seed 8', 'seed 9', 'seed 10']);
    const negative = expandTrials(SPEC, OPT, undefined, variantSet('seeds', { lr: 0.03, seed: -5 }).grid, undefined);
    expect(negative.map((t) => t.seed)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
