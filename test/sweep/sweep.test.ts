// sweep() as a user meets it: grid and random search expansion, the results table (mean ± std over
// seeds, best first), a diverged model frozen on its last finite weights while the others go on,
// early stopping per model, ensembles, and bad input refused before any device work.

import { describe, expect, it } from 'vitest';
import { blobs, sine } from '../../src/data/synthetic.js';
import { Model } from '../../src/train/model-methods.js';
import type { ModelSpec } from '../../src/model/spec.js';
import { Ensemble } from '../../src/train/sweep/ensemble.js';
import { sweep, type SweepOptions } from '../../src/train/sweep/sweep.js';
import { summarize } from '../../src/train/sweep/summary.js';
import { checkBatchFits } from '../../src/train/sweep/batch-size.js';

const SPEC: ModelSpec = { inputSize: 2, hidden: [{ units: 12, activation: 'relu' }], outputSize: 3, task: 'multiclass' };
const data = blobs({ n: 90, classes: 3, noise: 0.8, seed: 1 });
const BASE: SweepOptions = { epochs: 4, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 }, backend: 'cpu', validationSplit: 0.2 };

describe('sweep', () => {
  it('trains every grid combination once per seed and ranks configurations by mean validation accuracy', async () => {
    const result = await sweep(SPEC, data, { ...BASE, grid: { lr: [0.001, 0.03], activation: ['relu', 'tanh'], seed: [0, 1, 2] } });
    expect(result.trials).toHaveLength(12);
    expect(result.models).toBe(12);
    expect(result.metric).toBe('valAccuracy');
    expect(result.table).toHaveLength(4);
    for (const row of result.table) {
      const scores = row.trials.map((i) => result.trials[i].score);
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      expect(row.mean).toBeCloseTo(mean, 12);
      expect(row.std).toBeCloseTo(Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / (scores.length - 1)), 12);
      expect(new Set(row.trials.map((i) => result.trials[i].seed))).toEqual(new Set([0, 1, 2]));
    }
    for (let i = 1; i < result.table.length; i++) expect(result.table[i - 1].mean).toBeGreaterThanOrEqual(result.table[i].mean);
    expect(result.best.score).toBe(Math.max(...result.trials.map((t) => t.score)));
    // The models are ordinary models: their validation accuracy is what they score now.
    expect(result.trials.every((t) => t.status === 'completed' && t.history.length === 4)).toBe(true);
    expect(result.best.model).toBeInstanceOf(Model);
    expect(result.best.model.training?.sweep).toEqual(result.best.config);
  });

  it('orders configurations of equal mean accuracy by their loss on the same rows; diverged seeds rank last', () => {
    const t = (index: number, lr: number, seed: number, score: number, rankLoss: number) => ({ index, config: { lr, seed }, configKey: String(lr), score, rankLoss });
    const table = summarize([t(0, 1, 0, 0.9, 0.5), t(1, 1, 1, 0.9, 0.7), t(2, 2, 0, 0.9, 0.2), t(3, 2, 1, 0.9, 0.3), t(4, 3, 0, 1, 0.1), t(5, 3, 1, NaN, NaN)], 'valAccuracy');
    expect(table.map((r) => r.config.lr)).toEqual([2, 1, 3]);
    expect(table[0].loss).toBeCloseTo(0.25, 12);
    expect(table[2]).toMatchObject({ mean: 1, diverged: 1, loss: 0.1 });
  });

  it('random search draws the asked number of configurations from the ranges, reproducibly', async () => {
    const options: SweepOptions = { ...BASE, epochs: 1, random: { trials: 5, seed: 3, lr: [1e-4, 1e-1], activation: ['relu', 'gelu', 'tanh'], seeds: [0, 1] } };
    const a = await sweep(SPEC, data, options);
    const b = await sweep(SPEC, data, options);
    expect(a.trials).toHaveLength(10);
    expect(a.table).toHaveLength(5);
    for (const t of a.trials) {
      expect(t.config.lr).toBeGreaterThanOrEqual(1e-4);
      expect(t.config.lr).toBeLessThanOrEqual(1e-1);
      expect(['relu', 'gelu', 'tanh']).toContain(t.config.activation);
    }
    expect(a.trials.map((t) => t.config)).toEqual(b.trials.map((t) => t.config));
    expect(a.trials.map((t) => [...t.model.params])).toEqual(b.trials.map((t) => [...t.model.params]));
  });

  it('freezes a diverging model on its last finite weights; the others train on, unaffected', async () => {
    const reg: ModelSpec = { inputSize: 1, hidden: [{ units: 8, activation: 'relu' }], outputSize: 1, task: 'regression' };
    const wave = sine({ n: 64, seed: 2 });
    const options: SweepOptions = { ...BASE, optimizer: { name: 'sgd', lr: 0.01 }, epochs: 5, validationSplit: 0 };
    const result = await sweep(reg, wave, { ...options, grid: { lr: [0.01, 10] } });
    const [calm, wild] = result.trials;
    expect(wild.status).toBe('diverged');
    expect(wild.divergedAt).toBeLessThan(5);
    expect(wild.model.params.every(Number.isFinite)).toBe(true);
    expect(Number.isNaN(wild.score)).toBe(true);
    expect(result.table.at(-1)!.diverged).toBe(1);
    expect(calm.status).toBe('completed');
    expect(result.best.index).toBe(calm.index);
    const alone = await sweep(reg, wave, { ...options, grid: { lr: [0.01] } });
    expect([...calm.model.params]).toEqual([...alone.trials[0].model.params]);
  });

  it('stops each model on its own patience and gives it its best epoch back', async () => {
    // Noisy blobs: at lr 0.3 validation loss turns up after 3 epochs; at 0.003 it falls for 15.
    const wide: ModelSpec = { ...SPEC, hidden: [{ units: 32, activation: 'relu' }] };
    const noisy = blobs({ n: 90, classes: 3, noise: 2, seed: 1 });
    const result = await sweep(wide, noisy, { ...BASE, validationSplit: 0.3, epochs: 30, earlyStopping: { patience: 2, monitor: 'valLoss' }, grid: { lr: [0.3, 0.003] } });
    const [fast, slow] = result.trials;
    for (const t of [fast, slow]) {
      expect(t.status).toBe('stopped early');
      expect(t.history.length).toBe(t.bestEpoch! + 4); // patience 2: the third epoch without a new best stops it
      expect(t.final?.epoch).toBe(t.bestEpoch);
      expect(t.final?.valLoss).toBe(Math.min(...t.history.map((h) => h.valLoss!)));
      // It holds that epoch's weights: scoring it now gives that epoch's validation loss.
    }
    expect(slow.history.length).toBeGreaterThan(fast.history.length + 5);
  });

  it('an ensemble of the seeds averages their probabilities', async () => {
    const result = await sweep(SPEC, data, { ...BASE, grid: { seed: [0, 1, 2] } });
    const members = result.trials.map((t) => t.model);
    const ensemble = new Ensemble(members);
    const x = data.x.subarray(0, 10 * 2);
    const mean = await ensemble.predict(x, { backend: 'cpu' });
    const each = await Promise.all(members.map((m) => m.predict(x, { backend: 'cpu' })));
    for (let i = 0; i < mean.length; i++) expect(mean[i]).toBeCloseTo((each[0][i] + each[1][i] + each[2][i]) / 3, 6);
    const score = await ensemble.evaluate(data, { backend: 'cpu' });
    expect(score.accuracy).toBeGreaterThan(0.5);
  });

  it('refuses a batch larger than one binding of the device can hold, naming how many models fit', () => {
    const model = new Model({ inputSize: 784, hidden: [{ units: 256, activation: 'relu' }, { units: 256, activation: 'relu' }], outputSize: 10, task: 'multiclass' });
    const mib128 = 128 * 2 ** 20;
    // 269,376 floats of weights (1.03 MiB) outweigh 128 rows x 784 inputs: 124 models fit in 128 MiB.
    expect(() => checkBatchFits(model, 124, 128, 900, 100, mib128)).not.toThrow();
    expect(() => checkBatchFits(model, 125, 128, 900, 100, mib128)).toThrow(/^models: got "125 models", expected at most 124 of this size on this device: each needs 1\.0 MiB/);
    // A full evaluation batch (1024 rows x 784) is the largest tensor: 3.06 MiB a model.
    expect(() => checkBatchFits(model, 42, 128, 50000, 10000, mib128)).toThrow(/at most 41 of this size/);
    expect(() => checkBatchFits(model, 4096, 128, 900, 100, Infinity)).not.toThrow();
  });

  it('refuses bad grids and options in one line, before any device work', async () => {
    await expect(sweep(SPEC, data, { ...BASE, grid: { lr: [0.01, -1] } })).rejects.toThrow(/^grid\.lr: got -1, expected finite numbers > 0/);
    await expect(sweep(SPEC, data, { ...BASE, grid: { activation: ['relu', 'rleu' as never] } })).rejects.toThrow(/^grid\.activation: got "rleu"/);
    await expect(sweep(SPEC, data, { ...BASE, grid: { learningRate: [1] } as never })).rejects.toThrow(/grid\.learningRate.*lr/);
    await expect(sweep(SPEC, data, { ...BASE, grid: { seed: [] } })).rejects.toThrow(/^grid\.seed: got \[\], expected a non-empty list/);
    await expect(sweep(SPEC, data, { ...BASE, grid: { lr: [1] }, random: { trials: 2 } })).rejects.toThrow(/one of grid or random/);
    await expect(sweep(SPEC, data, { ...BASE, random: { trials: 0 } })).rejects.toThrow(/^random\.trials: got 0/);
    await expect(sweep(SPEC, data, { ...BASE, dataOrder: 'mine' as never })).rejects.toThrow(/^dataOrder: got "mine"/);
    await expect(sweep({ ...SPEC, inputSize: 3 }, data, { ...BASE, grid: { lr: [1] } })).rejects.toThrow(/features/);
  });
});
