// Exact resume: a session exported at any point (mid-epoch, on an epoch boundary, with early
// stopping's best weights, with a plateau schedule that has lowered its rate) and resumed in a
// fresh session, through JSON and the checkpoint folder, ends with the very same float64 weights
// and history on the cpu backend as one uninterrupted run, and within f32 rounding on WebGPU.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend, releaseSharedGpu } from '../../src/backend/select.js';
import { blobs } from '../../src/data/synthetic.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/files.js';
import { Model, type TrainOptions } from '../../src/index.js';
import type { SessionState } from '../../src/train/session-state.js';
import { InputError } from '../../src/util/errors.js';
import { assertClose } from '../support/compare.js';
import { SESSION_SPEC } from '../support/session-spec.js';

afterAll(releaseSharedGpu);

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(join(os.tmpdir(), 'webgpu-mlp-resume-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

// SESSION_SPEC has dropout and layer norm, the variants a validation split: every stream and piece of state matters.
const SPEC = SESSION_SPEC;
// 47 rows, 20% validation -> 38 training rows in batches of 8: 5 steps per epoch, the last a 6-row tail.
const DATA = blobs({ n: 47, classes: 3, seed: 4, noise: 2.5 });
const EPOCHS = 7;

const VARIANTS: Record<string, Omit<TrainOptions, 'backend'>> = {
  'adam, cosine, early stopping with best weights': {
    epochs: EPOCHS,
    batchSize: 8,
    optimizer: { name: 'adam', lr: 0.02 },
    schedule: { kind: 'cosine', warmupSteps: 3, minLr: 1e-3 },
    validationSplit: 0.2,
    earlyStopping: { patience: 50, restoreBestWeights: true },
    seed: 9,
  },
  'momentum, plateau schedule': {
    epochs: EPOCHS,
    batchSize: 8,
    optimizer: { name: 'momentum', lr: 0.5, momentum: 0.9 },
    schedule: { kind: 'plateau', patience: 0, factor: 0.5, monitor: 'loss' },
    seed: 3,
  },
};

async function uninterrupted(options: TrainOptions): Promise<{ model: Model; history: unknown[] }> {
  const model = new Model(SPEC, { seed: 1 });
  const result = await model.fit(DATA, options);
  return { model, history: result.history.map(stripTimes) };
}

const stripTimes = (h: object) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'seconds' && k !== 'samplesPerSec'));

/** Trains `steps` steps, exports (through a checkpoint folder when asked), resumes in a new session to the full run. */
async function interrupted(options: TrainOptions, steps: number, viaFolder: boolean): Promise<{ model: Model; history: unknown[]; state: SessionState }> {
  const first = new Model(SPEC, { seed: 1 });
  const trainer = await first.trainer(DATA, options);
  await trainer.train({ steps });
  let model: Model;
  let state: SessionState;
  if (viaFolder) {
    await saveCheckpoint(trainer, join(root, 'ckpt'), { note: 'test' });
    await trainer.dispose();
    const loaded = await loadCheckpoint(join(root, 'ckpt'));
    expect(loaded.meta).toEqual({ note: 'test' });
    model = loaded.model;
    state = loaded.state;
  } else {
    state = await trainer.exportState();
    await trainer.dispose();
    // Through JSON, as a checkpoint stores the loop; the flats stay typed.
    state = { ...state, loop: JSON.parse(JSON.stringify(state.loop)) };
    model = first;
  }
  const result = await model.fit(DATA, { ...options, resume: state });
  return { model, history: result.history.map(stripTimes), state };
}

describe('resume on the cpu backend is bit-identical', () => {
  for (const [name, options] of Object.entries(VARIANTS)) {
    for (const [steps, viaFolder] of [[12, true], [10, false], [1, false], [33, true]] as const) {
      it(`${name}: stopped after ${steps} steps${viaFolder ? ', through a checkpoint folder' : ''}`, async () => {
        const a = await uninterrupted({ ...options, backend: 'cpu' });
        const b = await interrupted({ ...options, backend: 'cpu' }, steps, viaFolder);
        expect(b.state.loop.step).toBe(steps);
        expect(Array.from(b.model.params)).toEqual(Array.from(a.model.params));
        expect(b.model.params.every(Number.isFinite)).toBe(true);
        // Weights, losses and metrics of every epoch; a mid-epoch stop's epoch loss may differ in its last bits (its running sum went through f32).
        expect(b.history.length).toBe(a.history.length);
        b.history.forEach((h, i) => {
          const ah = a.history[i] as Record<string, number>;
          for (const [k, v] of Object.entries(h as Record<string, number>)) {
            if (k === 'loss' || k === 'accuracy') expect(v, `${k} of epoch ${i}`).toBeCloseTo(ah[k], 6);
            else expect(v, `${k} of epoch ${i}`).toBe(ah[k]);
          }
        });
        expect(b.model.training?.epochsCompleted).toBe(EPOCHS);
      });
    }
  }

  it('ends with the same float64 weights and optimizer moments as one session (compared as exported state)', async () => {
    const options = { ...VARIANTS['adam, cosine, early stopping with best weights'], backend: 'cpu' as const };
    const one = await new Model(SPEC, { seed: 1 }).trainer(DATA, options);
    await one.train({ epochs: EPOCHS });
    const whole = await one.exportState();
    await one.dispose();
    const part = await new Model(SPEC, { seed: 1 }).trainer(DATA, options);
    await part.train({ steps: 17 });
    const state = await part.exportState();
    await part.dispose();
    const resumed = await new Model(SPEC, { seed: 1 }).trainer(DATA, { ...options, resume: state });
    await resumed.train({ epochs: EPOCHS - resumed.epoch });
    const end = await resumed.exportState();
    await resumed.dispose();
    for (const name of ['param', 'state1', 'state2', 'best'] as const) {
      expect(end.flats[name], name).toBeInstanceOf(Float64Array);
      expect(Array.from(end.flats[name]!), name).toEqual(Array.from(whole.flats[name]!));
    }
    expect(end.loop.step).toBe(whole.loop.step);
    expect(end.loop.rng).toBe(whole.loop.rng);
    expect(end.loop.stopping).toEqual(whole.loop.stopping);
  });

  it('requestStop() ends the running chunk after the current step; the session then goes on as if never stopped', async () => {
    const options = { ...VARIANTS['momentum, plateau schedule'], backend: 'cpu' as const };
    const a = await uninterrupted(options);
    const model = new Model(SPEC, { seed: 1 });
    let trainer: Awaited<ReturnType<Model['trainer']>> | undefined;
    trainer = await model.trainer(DATA, { ...options, callbacks: { onEpochEnd: (logs) => void (logs.epoch === 2 && trainer!.requestStop()) } });
    const chunk = await trainer.train({ epochs: EPOCHS });
    expect(chunk.history).toHaveLength(3);
    expect(trainer.epoch).toBe(3);
    await trainer.train({ epochs: EPOCHS - 3 });
    await trainer.dispose();
    expect(Array.from(model.params)).toEqual(Array.from(a.model.params));
  });

  it('continues a finished run to more epochs exactly like a longer run with the same plan', async () => {
    const options = { ...VARIANTS['momentum, plateau schedule'], backend: 'cpu' as const };
    const a = await uninterrupted({ ...options, epochs: 9 });
    const first = new Model(SPEC, { seed: 1 });
    const trainer = await first.trainer(DATA, { ...options, epochs: 9 });
    await trainer.train({ epochs: 4 });
    const state = await trainer.exportState();
    await trainer.dispose();
    await first.fit(DATA, { ...options, epochs: 9, resume: state });
    expect(Array.from(first.params)).toEqual(Array.from(a.model.params));
  });

  it('refuses a state from another model or other data, naming what differs', async () => {
    const options = { ...VARIANTS['momentum, plateau schedule'], backend: 'cpu' as const };
    const trainer = await new Model(SPEC, { seed: 1 }).trainer(DATA, options);
    await trainer.train({ steps: 13 }); // two epochs of 6 steps and one step into the third
    const state = await trainer.exportState();
    await trainer.dispose();
    const wider = new Model({ ...SPEC, hidden: [{ units: 13, activation: 'tanh' }] }, { seed: 1 });
    await expect(wider.fit(DATA, { ...options, resume: state })).rejects.toThrow(/^resume\.flats\.param: got "\d+ values", expected a Float64Array of \d+ values/);
    const fewer = blobs({ n: 30, classes: 3, seed: 4 });
    await expect(new Model(SPEC, { seed: 1 }).fit(fewer, { ...options, resume: state })).rejects.toThrow(/^resume\.loop\.rows: got "47 training rows in 6 steps per epoch", expected 30 rows in 4 steps/);
    await expect(new Model(SPEC, { seed: 1 }).fit(DATA, { ...options, epochs: 2, resume: state })).rejects.toThrow(/^epochs: got 2, expected more than the 2 epochs the resumed session has already trained$/);
    await expect(new Model(SPEC, { seed: 1 }).fit(DATA, { ...options, resume: { ...state, version: 2 as 1 } })).rejects.toThrow(InputError);
  });
});

describe('resume on WebGPU', () => {
  it('matches an uninterrupted run within f32 rounding', async () => {
    const backend = await createBackend('webgpu');
    try {
      const options = { ...VARIANTS['adam, cosine, early stopping with best weights'], backend };
      const a = await uninterrupted(options);
      const b = await interrupted(options, 12, true);
      const scale = Math.max(...Array.from(a.model.params, Math.abs));
      // Same bound as the GPU-vs-CPU parity test (README's tolerance table): f32 rounding compounds through the updates.
      assertClose('resumed vs uninterrupted weights', b.model.params, a.model.params, { atol: 2e-4 * scale, rtol: 1e-4 });
    } finally {
      backend.destroy();
    }
  });
});
