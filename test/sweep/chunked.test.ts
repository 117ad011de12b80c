// A model batch stepped in chunks (BatchSession.trainSteps, as the playground's Compare mode runs
// it) equals the same batch run to the end in one call: same weights bit for bit, same histories,
// each epoch's progress reported once, and the chunks stop when every epoch has run.

import { describe, expect, it } from 'vitest';
import { blobs } from '../../src/data/synthetic.js';
import type { ModelSpec } from '../../src/model/spec.js';
import { openSweep, sweep, type SweepOptions } from '../../src/train/sweep/sweep.js';
import type { EpochLogs } from '../../src/train/options.js';

const SPEC: ModelSpec = { inputSize: 2, hidden: [{ units: 7, activation: 'tanh' }], outputSize: 3, task: 'multiclass' };
const data = blobs({ n: 53, classes: 3, noise: 1.5, seed: 3 });
const OPTIONS: SweepOptions = { epochs: 4, batchSize: 8, optimizer: { name: 'adam', lr: 0.02 }, backend: 'cpu', validationData: blobs({ n: 17, classes: 3, noise: 1.5, seed: 4 }), grid: { activation: ['relu', 'tanh', 'gelu'], seed: [2] } };
const metrics = (h: EpochLogs[]) => h.map(({ loss, accuracy, valLoss, valAccuracy, lr, step }) => ({ loss, accuracy, valLoss, valAccuracy, lr, step }));

describe('BatchSession.trainSteps (chunked batch)', () => {
  it('equals one uninterrupted run, for chunks that do not divide an epoch', async () => {
    const whole = await sweep(SPEC, data, OPTIONS);
    const open = await openSweep(SPEC, data, OPTIONS);
    try {
      const epochs: number[] = [];
      let chunks = 0;
      while (!open.session.done) {
        // 7 rows per batch -> 7 steps an epoch; chunks of 3 end mid-epoch most of the time.
        for (const p of await open.session.trainSteps(3)) epochs.push(p.epoch);
        await open.session.syncModels();
        expect(open.models.every((m) => m.params.every(Number.isFinite))).toBe(true);
        chunks++;
      }
      expect(epochs).toEqual([1, 2, 3, 4]);
      expect(chunks).toBe(Math.ceil((4 * 7) / 3));
      expect(await open.session.trainSteps(5)).toEqual([]);
      const outcome = await open.session.finish();
      expect(outcome.steps).toBe(28);
      expect(outcome.status).toEqual(['completed', 'completed', 'completed']);
      whole.trials.forEach((t, m) => {
        expect(Buffer.from(open.models[m].params.buffer).equals(Buffer.from(t.model.params.buffer)), `model ${m}`).toBe(true);
        expect(metrics(outcome.history[m])).toEqual(metrics(t.history));
      });
    } finally {
      open.close();
    }
  });
});
