// The training session (Model.trainer): training in chunks equals training in one go (Adam's
// moments, the step count, the schedule, the shuffle and dropout streams all carry over), a fit of
// N steps is the same session, predict/evaluate on a bound session match Model's own without
// rebinding, multi-batch predictions come back in order, and bad chunk arguments are rejected.

import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { CpuBackend } from '../../src/backend/cpu-backend.js';
import { createBackend, releaseSharedGpu } from '../../src/backend/select.js';
import type { Dataset } from '../../src/data/dataset.js';
import { blobs, sine } from '../../src/data/synthetic.js';
import { Model, type TrainerOptions } from '../../src/index.js';
import type { EpochLogs } from '../../src/train/options.js';
import { InputError, NonFiniteLossError } from '../../src/util/errors.js';
import { SESSION_SPEC } from '../support/session-spec.js';

afterAll(releaseSharedGpu);

const SPEC = SESSION_SPEC;
// 37 rows in batches of 8: 5 steps per epoch, the last one a 5-row tail.
const DATA = blobs({ n: 37, classes: 3, seed: 4 });
const STEPS_PER_EPOCH = 5;
const N = 13;
const OPTIONS: TrainerOptions = {
  batchSize: 8,
  optimizer: { name: 'adam', lr: 0.01 },
  schedule: { kind: 'cosine', warmupSteps: 3, minLr: 1e-3 },
  scheduleSteps: N,
  seed: 9,
};

type Chunk = { epochs?: number; steps?: number };

/** Trains a fresh model (seed 2) in the given chunks; returns its weights and epoch logs. */
async function trainInChunks(backend: 'cpu' | 'webgpu', chunks: Chunk[], options: TrainerOptions = OPTIONS): Promise<{ params: Float32Array; history: EpochLogs[]; step: number }> {
  const model = new Model(SPEC, { seed: 2 });
  const trainer = await model.trainer(DATA, { ...options, backend });
  try {
    for (const c of chunks) await trainer.train(c);
    expect(Array.from(model.params), 'the model holds the session weights after each chunk').toEqual(Array.from(await trainer.backend.readParams()));
    return { params: model.params, history: [...trainer.history], step: trainer.step };
  } finally {
    await trainer.dispose();
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Strip the timing fields, which differ run to run. */
const numbers = (h: EpochLogs[]) => h.map(({ seconds: _s, samplesPerSec: _r, ...rest }) => rest);

describe('chunks equal one run (CPU backend, float64: exact)', () => {
  it(`${N} steps in one chunk = 7 + 6 steps = 1 epoch + 8 steps, crossing epoch boundaries mid-chunk`, async () => {
    const one = await trainInChunks('cpu', [{ steps: N }]);
    const split = await trainInChunks('cpu', [{ steps: 7 }, { steps: N - 7 }]);
    const byEpoch = await trainInChunks('cpu', [{ epochs: 1 }, { steps: N - STEPS_PER_EPOCH }]);
    expect(one.step).toBe(N);
    expect(split.step).toBe(N);
    expect(byEpoch.step).toBe(N);
    expect(Array.from(split.params)).toEqual(Array.from(one.params));
    expect(Array.from(byEpoch.params)).toEqual(Array.from(one.params));
    // The two epochs that ended are logged identically, whatever the chunking.
    expect(one.history.length).toBe(2);
    expect(numbers(split.history)).toEqual(numbers(one.history));
    expect(numbers(byEpoch.history)).toEqual(numbers(one.history));
  });

  it('a fit of N steps is the same session; two fits (Adam restarted, schedule reset) are not', async () => {
    const session = await trainInChunks('cpu', [{ steps: 4 }, { steps: N - 4 }]);
    const fitted = new Model(SPEC, { seed: 2 });
    const { seed, batchSize, optimizer, schedule } = OPTIONS;
    const fit = await fitted.fit(DATA, { backend: 'cpu', epochs: 100, maxSteps: N, seed, batchSize, optimizer, schedule });
    expect(fit.steps).toBe(N);
    expect(Array.from(fitted.params)).toEqual(Array.from(session.params));
    // fit logs the epoch that maxSteps cut short (3 of its 5 steps).
    expect(fit.history.length).toBe(3);
    expect(numbers(fit.history.slice(0, 2))).toEqual(numbers(session.history));

    // What the demo used to do: two fits. Adam's moments and the step count restart, so the
    // weights end somewhere else (by far more than rounding).
    const twice = new Model(SPEC, { seed: 2 });
    const constant = { seed, batchSize, optimizer };
    await twice.fit(DATA, { ...constant, backend: 'cpu', epochs: 100, maxSteps: 4 });
    await twice.fit(DATA, { ...constant, backend: 'cpu', epochs: 100, maxSteps: N - 4 });
    const once = new Model(SPEC, { seed: 2 });
    await once.fit(DATA, { ...constant, backend: 'cpu', epochs: 100, maxSteps: N });
    console.log(`[trainer] 4 + ${N - 4} steps as two fits vs one: max |Δparam| ${maxDiff(twice.params, once.params).toExponential(2)}`);
    expect(maxDiff(twice.params, once.params)).toBeGreaterThan(1e-3);
  });

  it('the schedule runs on the global step across chunks', async () => {
    const model = new Model(SPEC, { seed: 2 });
    const base = 0.1;
    const trainer = await model.trainer(DATA, { ...OPTIONS, backend: 'cpu', optimizer: { name: 'sgd', lr: base }, schedule: { kind: 'step', stepSize: 3, gamma: 0.5 } });
    try {
      for (const steps of [1, 2, 4, 3, 6]) {
        await trainer.train({ steps });
        expect(trainer.learningRate).toBeCloseTo(base * 0.5 ** Math.floor(trainer.step / 3), 15);
      }
      expect(trainer.step).toBe(16);
      // Each epoch logs the rate of its last step: global steps 4, 9 and 14.
      expect(trainer.history.map((h) => h.lr)).toEqual([4, 9, 14].map((s) => base * 0.5 ** Math.floor(s / 3)));
      expect(trainer.history.map((h) => h.step)).toEqual([5, 10, 15]);
      expect(trainer.stepInEpoch).toBe(1);
    } finally {
      await trainer.dispose();
    }
  });
});

describe('chunks on WebGPU', () => {
  it('7 + 6 steps on the GPU match 13 steps on the CPU reference', async () => {
    const gpu = await trainInChunks('webgpu', [{ steps: 7 }, { steps: N - 7 }]);
    const gpuOne = await trainInChunks('webgpu', [{ steps: N }]);
    const cpu = await trainInChunks('cpu', [{ steps: N }]);
    const scale = Math.max(...Array.from(cpu.params, Math.abs));
    // Tolerance as in parity.test.ts: f32 on the GPU vs float64 on the CPU, compounding over the
    // updates: 2e-4 of the parameters' scale plus 1e-4 relative per element. A restarted Adam
    // differs by > 1e-3 absolute (see above), an order of magnitude more.
    for (let i = 0; i < cpu.params.length; i++) {
      expect(Math.abs(gpu.params[i] - cpu.params[i]), `param ${i}: GPU ${gpu.params[i]} vs CPU ${cpu.params[i]}`).toBeLessThanOrEqual(2e-4 * scale + 1e-4 * Math.abs(cpu.params[i]));
    }
    // Chunking on the GPU changes nothing but where the host waits: the same dispatches run.
    console.log(`[trainer] GPU 7+6 vs 13 steps: max |Δ| ${maxDiff(gpu.params, gpuOne.params).toExponential(2)}; GPU vs CPU ${maxDiff(gpu.params, cpu.params).toExponential(2)}`);
    expect(maxDiff(gpu.params, gpuOne.params)).toBeLessThanOrEqual(1e-6 * scale);
    expect(gpu.history.map((h) => h.loss)).toEqual(gpuOne.history.map((h) => h.loss));
  });
});

/** A backend instance whose load() calls are counted. */
async function countedBackend(kind: 'cpu' | 'webgpu'): Promise<{ backend: Backend; loads: () => number }> {
  const backend = kind === 'cpu' ? new CpuBackend() : await createBackend('webgpu');
  const spy = vi.spyOn(backend, 'load');
  return { backend, loads: () => spy.mock.calls.length };
}

describe('predict and evaluate on a bound session', () => {
  for (const kind of ['cpu', 'webgpu'] as const) {
    it(`equal Model.predict / Model.evaluate and never rebind (${kind})`, async () => {
      const model = new Model(SPEC, { seed: 2 });
      const { backend, loads } = await countedBackend(kind);
      const trainer = await model.trainer(DATA, { ...OPTIONS, backend, validationData: blobs({ n: 20, classes: 3, seed: 5 }) });
      try {
        await trainer.train({ epochs: 2 });
        const grid = blobs({ n: 1111, classes: 3, seed: 6 }); // 1024 + 64 + 16 + 4 + 3 x 1 rows
        const one = new Float32Array([0.3, -0.2]);
        const fromSession = await trainer.predict(grid.x);
        const single = await trainer.predict(one);
        const ev = await trainer.evaluate(grid);
        expect(loads()).toBe(1);

        const reference = await model.predict(grid.x, { backend: kind });
        const refEval = await model.evaluate(grid, { backend: kind });
        // Same kernels on the same rows; only the batch split differs, which no row depends on. The
        // CPU backend keeps its weights in float64 while Model holds their f32 copy: that rounding
        // (~6e-8 here) is all that may differ.
        const tol = kind === 'cpu' ? 1e-6 : 0;
        console.log(`[trainer] session predict vs Model.predict (${kind}): max |Δ| ${maxDiff(fromSession, reference).toExponential(2)}`);
        expect(maxDiff(fromSession, reference)).toBeLessThanOrEqual(tol);
        expect(maxDiff(single, await model.predict(one, { backend: kind }))).toBeLessThanOrEqual(tol);
        expect(Math.abs(ev.loss - refEval.loss)).toBeLessThanOrEqual(1e-6 * refEval.loss);
        expect(ev.accuracy).toBe(refEval.accuracy);
        expect(ev.rows).toBe(1111);
        for (let r = 0; r < grid.rows; r++) {
          const sum = fromSession[3 * r] + fromSession[3 * r + 1] + fromSession[3 * r + 2];
          expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
        }
        // The session keeps training after predicting: the bound programs are intact.
        await trainer.train({ steps: 3 });
        expect(trainer.step).toBe(2 * STEPS_PER_EPOCH + 3);
        expect(loads()).toBe(1);
      } finally {
        await trainer.dispose();
        backend.destroy();
      }
    });
  }

  it('Model.predict over many batches returns every row in order, read back once through one collector', async () => {
    const model = new Model({ inputSize: 1, hidden: [{ units: 8, activation: 'tanh' }], outputSize: 1, task: 'regression' }, { seed: 3 });
    await model.fit(sine({ n: 64, seed: 1 }), { backend: 'cpu', epochs: 3, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 } });
    const rows = 2 * 1024 + 500;
    const xs = new Float32Array(rows).map((_, i) => -3 + (6 * i) / rows);
    const backend = await createBackend('webgpu');
    const collector = vi.spyOn(backend, 'collector');
    const readTensor = vi.spyOn(backend, 'readTensor');
    const all = await model.predict(xs, { backend });
    expect(collector).toHaveBeenCalledTimes(1);
    expect(collector).toHaveBeenCalledWith(rows);
    expect(readTensor).not.toHaveBeenCalled();
    backend.destroy();
    // Each row on its own (three single-batch calls over slices) must give the same values.
    for (const [a, b] of [
      [0, 700],
      [1000, 2100],
      [2400, rows],
    ]) {
      const part = await model.predict(xs.slice(a, b));
      expect(maxDiff(all.subarray(a, b), part), `rows ${a}-${b}`).toBeLessThanOrEqual(1e-6);
    }
  });
});

describe('bad session use', () => {
  it('rejects bad chunk arguments, a cosine schedule without a horizon, and use after dispose', async () => {
    const model = new Model(SPEC, { seed: 2 });
    await expect(model.trainer(DATA, { ...OPTIONS, backend: 'cpu', scheduleSteps: undefined })).rejects.toThrow(/^scheduleSteps: got undefined, expected the steps a cosine schedule decays over/);
    await expect(model.trainer(DATA, { ...OPTIONS, backend: 'cpu', scheduleSteps: 0 })).rejects.toThrow(/^scheduleSteps: got 0, expected an integer >= 1/);
    const trainer = await model.trainer(DATA, { ...OPTIONS, backend: 'cpu' });
    const before = model.params.slice();
    await expect(trainer.train({})).rejects.toThrow(/^train\(\): got \{\}, expected \{ epochs \} or \{ steps \}/);
    await expect(trainer.train(undefined as never)).rejects.toThrow(InputError);
    await expect(trainer.train({ steps: 0 })).rejects.toThrow(/^steps: got 0, expected an integer >= 1 \(optimizer steps this chunk trains\)/);
    await expect(trainer.train({ epochs: 1.5 })).rejects.toThrow(/^epochs: got 1\.5, expected an integer >= 1/);
    await expect(trainer.train({ steps: -2, epochs: 1 })).rejects.toThrow(/^steps: got -2/);
    expect(() => trainer.setLearningRate(0)).toThrow(/^lr: got 0, expected a finite number > 0/);
    await expect(trainer.predict(new Float32Array(3))).rejects.toThrow(/^x: got "3 values", expected a non-empty multiple of 2/);
    await expect(trainer.evaluate({ ...DATA, features: 3, x: new Float32Array(DATA.rows * 3) })).rejects.toThrow(/^features: got 3, expected 2 features/);
    expect(trainer.step).toBe(0);
    expect(Array.from(model.params)).toEqual(Array.from(before));
    await trainer.dispose();
    await expect(trainer.train({ steps: 1 })).rejects.toThrow(/^Trainer\.train: got "a disposed trainer", expected a live session/);
    await expect(trainer.predict(new Float32Array(2))).rejects.toThrow(/^Trainer\.predict: got "a disposed trainer"/);
  });

  it('after a non-finite loss keeps the last good weights and refuses to train on', async () => {
    const model = new Model({ inputSize: 1, hidden: [{ units: 8, activation: 'tanh' }], outputSize: 1, task: 'regression' }, { seed: 1 });
    const trainer = await model.trainer(sine({ n: 64, seed: 1 }), { backend: 'cpu', batchSize: 16, optimizer: { name: 'sgd', lr: 1e30 } });
    try {
      const error = await trainer.train({ steps: 12 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonFiniteLossError);
      expect(model.params.every(Number.isFinite)).toBe(true);
      await expect(trainer.train({ steps: 1 })).rejects.toThrow(/^Trainer: training stopped after an error \(loss became .*\); start a new session with model\.trainer\(\)/);
    } finally {
      await trainer.dispose();
    }
  });

  it('names validationData in its messages', async () => {
    const data: Dataset = blobs({ n: 12, classes: 3, seed: 1 });
    const bad = { ...data, y: data.y.map((v, i) => (i === 4 ? 7 : v)) };
    await expect(new Model(SPEC).trainer(data, { ...OPTIONS, backend: 'cpu', validationData: bad })).rejects.toThrow(/^validationData\.label\[row 4\]: got 7, expected an integer class index in \[0, 3\)/);
  });
});
