// Each model of a batch equals the same model trained alone: on the CPU backend bit for bit (the
// batch runs the reference per model on its own slices), for different seeds, learning rates,
// activations, dropout rates and weight decays in one batch, with a row order per model.

import { describe, expect, it } from 'vitest';
import { blobs } from '../../src/data/synthetic.js';
import { Model } from '../../src/train/model-methods.js';
import type { ModelSpec } from '../../src/model/spec.js';
import { sweep } from '../../src/train/sweep/sweep.js';
import type { TrainOptions } from '../../src/train/fit.js';
import type { EpochLogs } from '../../src/train/options.js';

const SPEC: ModelSpec = { inputSize: 2, hidden: [{ units: 9, activation: 'tanh' }, { units: 7, activation: 'relu' }], outputSize: 3, task: 'multiclass' };
const data = blobs({ n: 61, classes: 3, noise: 1.5, seed: 5 });
const validationData = blobs({ n: 23, classes: 3, noise: 1.5, seed: 6 });
const BASE: TrainOptions = { epochs: 3, batchSize: 8, optimizer: { name: 'adam', lr: 0.01 }, backend: 'cpu', validationData };

/** The trial's model trained alone with fit, as a user would: same spec, optimizer and seed. */
async function alone(spec: ModelSpec, lr: number, seed: number, extra: Partial<TrainOptions> = {}, weightDecay?: number): Promise<{ model: Model; history: EpochLogs[] }> {
  const model = new Model(spec, { seed });
  const { history } = await model.fit(data, { ...BASE, ...extra, seed, optimizer: { ...BASE.optimizer, lr, ...(weightDecay !== undefined ? { weightDecay } : {}) } });
  return { model, history };
}

/** The metrics both record, epoch by epoch (timings aside). */
const metrics = (h: EpochLogs[]) => h.map(({ loss, accuracy, valLoss, valAccuracy, lr }) => ({ loss, accuracy, valLoss, valAccuracy, lr }));

describe('model batch equals each model alone (cpu backend, bit-identical)', () => {
  it('different seeds and learning rates', async () => {
    const result = await sweep(SPEC, data, { ...BASE, grid: { lr: [0.003, 0.03], seed: [0, 1, 2] } });
    expect(result.trials).toHaveLength(6);
    for (const t of result.trials) {
      const { model, history } = await alone(SPEC, t.config.lr as number, t.seed);
      expect(Buffer.from(t.model.params.buffer).equals(Buffer.from(model.params.buffer)), `trial ${t.index} ${JSON.stringify(t.config)}`).toBe(true);
      expect(metrics(t.history)).toEqual(metrics(history));
    }
  });

  it('different activations (one per model, in one dispatch) with dropout rates and weight decays', async () => {
    const spec: ModelSpec = { ...SPEC, hidden: SPEC.hidden.map((h) => ({ ...h, dropout: 0.2 })) };
    const result = await sweep(spec, data, { ...BASE, grid: { activation: ['relu', 'gelu', 'leaky_relu'], dropout: [0, 0.3], weightDecay: [0, 1e-3], seed: [4] } });
    expect(result.trials).toHaveLength(12);
    for (const t of result.trials) {
      const c = t.config as { activation: 'relu'; dropout: number; weightDecay: number };
      const own: ModelSpec = { ...spec, hidden: spec.hidden.map((h) => ({ ...h, activation: c.activation, dropout: c.dropout })) };
      const { model } = await alone(own, 0.01, t.seed, {}, c.weightDecay);
      expect(Buffer.from(t.model.params.buffer).equals(Buffer.from(model.params.buffer)), `trial ${t.index} ${JSON.stringify(t.config)}`).toBe(true);
    }
  });

  it('validation metrics per model equal the lone model evaluated on the validation rows', async () => {
    const result = await sweep(SPEC, data, { ...BASE, grid: { lr: [0.001, 0.05], seed: [7] } });
    for (const t of result.trials) {
      const own = await t.model.evaluate(validationData, { backend: 'cpu' });
      expect(t.final?.valLoss).toBeCloseTo(own.loss, 6);
      expect(t.final?.valAccuracy).toBe(own.accuracy);
    }
    expect(result.table).toHaveLength(2);
    expect(result.best.score).toBe(Math.max(...result.trials.map((t) => t.score)));
  });
});
