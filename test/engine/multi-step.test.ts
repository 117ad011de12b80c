// Several training steps in one submit (resident data, nothing read back in between): the weights,
// the epoch logs and the onStep losses equal those of one submit per step, bit for bit on WebGPU
// (the same f32 kernels in the same order), across tail batches, epoch ends and chunk ends.

import { afterAll, expect, it, vi } from 'vitest';
import { MAX_STEPS_PER_SUBMIT, type Backend } from '../../src/backend/backend.js';
import { releaseSharedGpu } from '../../src/backend/select.js';
import { blobs } from '../../src/data/synthetic.js';
import { Model, type TrainerOptions } from '../../src/index.js';
import type { EpochLogs } from '../../src/train/options.js';
import { SESSION_SPEC } from '../support/session-spec.js';

afterAll(releaseSharedGpu);

// 150 rows in batches of 8: 19 steps per epoch (the last a 6-row tail), more than one submit holds.
const DATA = blobs({ n: 150, classes: 3, seed: 4 });
const BASE: TrainerOptions = { batchSize: 8, optimizer: { name: 'adam', lr: 0.01 }, schedule: { kind: 'cosine', warmupSteps: 3, minLr: 1e-3 }, scheduleSteps: 60, seed: 9, backend: 'webgpu' };
const CHUNKS = [{ steps: 23 }, { epochs: 1 }, { steps: 18 }];

async function train(options: TrainerOptions) {
  const model = new Model(SESSION_SPEC, { seed: 2 });
  const trainer = await model.trainer(DATA, options);
  try {
    const backend = trainer.backend as Required<Pick<Backend, 'runSteps'>>;
    expect(backend.runSteps, 'the GPU backend records several steps per submit').toBeTypeOf('function');
    const runSteps = vi.spyOn(backend, 'runSteps');
    for (const c of CHUNKS) await trainer.train(c);
    const counts = runSteps.mock.calls.map((c) => c[3]);
    const history = trainer.history.map(({ seconds: _s, samplesPerSec: _r, ...rest }: EpochLogs) => rest);
    return { params: Array.from(model.params), history, counts, steps: trainer.step };
  } finally {
    await trainer.dispose();
  }
}

it('K steps per submit equal one step per submit on WebGPU (weights, logs, onStep losses)', async () => {
  const every: number[] = [];
  const fifth: { step: number; loss: number }[] = [];
  const single = await train({ ...BASE, logEverySteps: 1, callbacks: { onStep: (s) => void every.push(s.loss) } });
  const batched = await train(BASE);
  const reading = await train({ ...BASE, logEverySteps: 5, callbacks: { onStep: (s) => void fifth.push({ step: s.step, loss: s.loss }) } });

  expect(single.counts, 'a read-back after every step leaves nothing to batch').toEqual([]);
  expect(Math.max(...batched.counts)).toBe(MAX_STEPS_PER_SUBMIT);
  expect(batched.counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(batched.steps / 2);
  // Submits end at a read-back step (every 5th) and never cross an epoch end (19 steps) or a chunk end.
  expect(Math.max(...reading.counts)).toBeLessThanOrEqual(5);

  // 23 steps, the rest of that epoch (15), then 18.
  expect(single.steps).toBe(23 + 15 + 18);
  expect(single.params.every(Number.isFinite)).toBe(true);
  expect(single.params).not.toEqual(Array.from(new Model(SESSION_SPEC, { seed: 2 }).params));
  expect(batched.params).toEqual(single.params);
  expect(reading.params).toEqual(single.params);
  expect(batched.history).toEqual(single.history);
  expect(reading.history).toEqual(single.history);
  // onStep still fires at every 5th step, after the submit that ends there.
  expect(every.length).toBe(single.steps);
  expect(fifth.map((f) => f.step)).toEqual(Array.from({ length: 11 }, (_, i) => 5 * (i + 1)));
  expect(fifth.every((f) => Number.isFinite(f.loss) && f.loss > 0)).toBe(true);
}, 120_000);
