// End-to-end training through Model.fit on the shared WebGPU device (lavapipe in CI) and the CPU
// backend: convergence on XOR and sine, batch bookkeeping, early stopping, LR schedules,
// diagnostics (vanishing gradients), GPU/CPU agreement, non-finite losses and save/load.
// Models are kept tiny so the whole file runs in well under a minute on a software adapter.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseSharedGpu } from '../../src/backend/select.js';
import type { Dataset } from '../../src/data/dataset.js';
import { sine, xor } from '../../src/data/synthetic.js';
import { loadModel, saveModel } from '../../src/model/files.js';
import { Model, type TrainOptions } from '../../src/index.js';
import type { ModelSpec } from '../../src/model/spec.js';
import type { EpochLogs, StepLogs, DiagnosticsLogs } from '../../src/train/options.js';
import { InputError, NonFiniteLossError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

afterAll(releaseSharedGpu);

const XOR_SPEC: ModelSpec = { inputSize: 2, hidden: [{ units: 8, activation: 'tanh' }], outputSize: 1, task: 'binary' };
const SINE_SPEC: ModelSpec = {
  inputSize: 1,
  hidden: [
    { units: 32, activation: 'tanh' },
    { units: 32, activation: 'tanh' },
  ],
  outputSize: 1,
  task: 'regression',
};

async function trainXor(backend: 'webgpu' | 'cpu', batchSize: number): Promise<{ model: Model; history: EpochLogs[] }> {
  const data = xor({ n: 4 });
  const model = new Model(XOR_SPEC, { seed: 3 });
  const { history } = await model.fit(data, { backend, epochs: 300, batchSize, optimizer: { name: 'adam', lr: 0.05 }, seed: 1 });
  return { model, history };
}

async function accuracyOf(model: Model, data: Dataset, backend: 'webgpu' | 'cpu'): Promise<number> {
  const ev = await model.evaluate(data, { backend });
  return ev.accuracy!;
}

describe('XOR 2-8-1 tanh', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    for (const batchSize of [4, 1]) {
      it(`reaches 100% training accuracy on ${backend}, batch ${batchSize}${batchSize === 4 ? ' (full batch)' : ''}`, async () => {
        const { model, history } = await trainXor(backend, batchSize);
        const last = history[history.length - 1];
        expect(last.accuracy).toBe(1);
        expect(last.loss).toBeLessThan(0.05);
        expect(await accuracyOf(model, xor({ n: 4 }), backend)).toBe(1);
        // predict() gives P(class 1): near 0 for (0,0),(1,1) and near 1 for (0,1),(1,0).
        const p = await model.predict(new Float32Array([0, 0, 1, 0, 0, 1, 1, 1]), { backend });
        expect(Array.from(p, (v) => Math.round(v))).toEqual([0, 1, 1, 0]);
      });
    }
  }
});

describe('batch bookkeeping', () => {
  for (const [rows, batchSize] of [
    [10, 1],
    [10, 4],
    [37, 8],
  ] as const) {
    it(`${rows} rows in batches of ${batchSize}: every row is seen once per epoch`, async () => {
      const data = sine({ n: rows, seed: 5 });
      const model = new Model({ inputSize: 1, hidden: [{ units: 4, activation: 'tanh' }], outputSize: 1, task: 'regression' }, { seed: 1 });
      const steps: StepLogs[] = [];
      const epochs = 3;
      const result = await model.fit(data, {
        epochs,
        batchSize,
        optimizer: { name: 'sgd', lr: 0.01 },
        logEverySteps: 1,
        callbacks: { onStep: (s) => steps.push(s) },
      });
      const stepsPerEpoch = Math.ceil(rows / batchSize);
      expect(result.steps).toBe(epochs * stepsPerEpoch);
      expect(steps.length).toBe(epochs * stepsPerEpoch);
      for (let e = 0; e < epochs; e++) expect(steps.filter((s) => s.epoch === e).length).toBe(stepsPerEpoch);
      expect(result.history.length).toBe(epochs);
      for (const logs of result.history) {
        // samplesPerSec is defined as rows trained / seconds, so the product recovers the row count.
        expect(logs.samplesPerSec * logs.seconds).toBeCloseTo(rows, 6);
        expect(Number.isFinite(logs.loss)).toBe(true);
      }
      for (const s of steps) expect(Number.isFinite(s.loss)).toBe(true);
      expect(model.params.every(Number.isFinite)).toBe(true);
    });
  }
});

describe('regression: sine 1-32-32-1 tanh', () => {
  it('reaches a low test MSE and predicts in the target units', async () => {
    const train = sine({ n: 256, seed: 1 });
    const test = sine({ n: 200, seed: 2 });
    const model = new Model(SINE_SPEC, { seed: 0 });
    const result = await model.fit(train, { epochs: 150, batchSize: 32, optimizer: { name: 'adam', lr: 0.01 }, seed: 0 });
    const ev = await model.evaluate(test);
    console.log(`[train] sine: final train loss ${result.history.at(-1)!.loss.toExponential(3)}, test MSE ${ev.mse!.toExponential(3)}, MAE ${ev.mae!.toExponential(3)} (${result.seconds.toFixed(1)} s)`);
    // Var(sin x) on [-pi, pi] is 0.5; a working fit is three orders of magnitude below that.
    expect(ev.mse!).toBeLessThan(2e-3);
    expect(ev.mae!).toBeLessThan(0.05);
    const xs = new Float32Array([-3, -1.5, -0.5, 0, 0.7, 1.5707964, 2.5]);
    const ys = await model.predict(xs);
    for (let i = 0; i < xs.length; i++) expect(Math.abs(ys[i] - Math.sin(xs[i])), `x = ${xs[i]}`).toBeLessThan(0.08);
    // evaluate's MSE is in the target's units: recompute it from predict().
    const preds = await model.predict(test.x);
    let mse = 0;
    for (let i = 0; i < test.rows; i++) mse += (preds[i] - test.y[i]) ** 2;
    expect(mse / test.rows).toBeCloseTo(ev.mse!, 5);
  });
});

describe('early stopping', () => {
  it('stops once validation loss stops improving and restores the best epoch weights', async () => {
    // 12 noisy training points, a wide network and a clean validation curve: it overfits.
    const train = sine({ n: 12, noise: 0.4, seed: 3 });
    const validation = sine({ n: 100, seed: 4 });
    const model = new Model({ inputSize: 1, hidden: [{ units: 64, activation: 'tanh' }, { units: 64, activation: 'tanh' }], outputSize: 1, task: 'regression' }, { seed: 2 });
    const epochs = 1000;
    const result = await model.fit(train, {
      epochs,
      batchSize: 12,
      optimizer: { name: 'adam', lr: 0.01 },
      validationData: validation,
      earlyStopping: { patience: 10, restoreBestWeights: true },
    });
    const { history, bestEpoch } = result;
    expect(result.stoppedEarly).toBe(true);
    expect(history.length).toBeLessThan(epochs);
    expect(bestEpoch).toBeDefined();
    // Stopped exactly patience + 1 epochs after the best one.
    expect(history.length - 1 - bestEpoch!).toBe(11);
    const valLosses = history.map((h) => h.valLoss!);
    const best = Math.min(...valLosses);
    expect(valLosses[bestEpoch!]).toBe(best);
    expect(valLosses.at(-1)!).toBeGreaterThan(best);
    const ev = await model.evaluate(validation);
    console.log(`[train] early stopping: ${history.length} epochs, best epoch ${bestEpoch} val loss ${best.toExponential(4)}, last ${valLosses.at(-1)!.toExponential(4)}, evaluate after fit ${ev.loss.toExponential(4)}`);
    expect(Math.abs(ev.loss - best)).toBeLessThan(1e-5 + 1e-4 * best);
    // and it is not the last epoch's weights
    expect(Math.abs(ev.loss - valLosses.at(-1)!)).toBeGreaterThan(1e-4 * best);
  });
});

describe('learning-rate schedules', () => {
  const data = sine({ n: 40, seed: 9 });
  const spec: ModelSpec = { inputSize: 1, hidden: [{ units: 4, activation: 'tanh' }], outputSize: 1, task: 'regression' };
  const stepsPerEpoch = 5; // 40 rows / batch 8
  const base = 0.1;
  async function lrs(schedule: TrainOptions['schedule'], epochs = 6): Promise<number[]> {
    const model = new Model(spec, { seed: 0 });
    const { history } = await model.fit(data, { backend: 'cpu', epochs, batchSize: 8, optimizer: { name: 'sgd', lr: base }, schedule });
    return history.map((h) => h.lr);
  }
  // An epoch's logged lr is the rate of its last step (global step (e + 1) * stepsPerEpoch - 1).
  const lastStep = (e: number) => (e + 1) * stepsPerEpoch - 1;

  it('constant keeps the base rate', async () => {
    expect(await lrs(undefined)).toEqual(Array(6).fill(base));
  });
  it('step halves the rate every stepSize steps', async () => {
    const got = await lrs({ kind: 'step', stepSize: stepsPerEpoch, gamma: 0.5 });
    got.forEach((lr, e) => expect(lr).toBeCloseTo(base * 0.5 ** e, 12));
  });
  it('exponential decays by gamma per step', async () => {
    const got = await lrs({ kind: 'exponential', gamma: 0.9 });
    got.forEach((lr, e) => expect(lr).toBeCloseTo(base * 0.9 ** lastStep(e), 12));
  });
  it('cosine decays from the base rate to minLr over the run', async () => {
    const epochs = 6;
    const total = epochs * stepsPerEpoch;
    const got = await lrs({ kind: 'cosine', minLr: 0.01 }, epochs);
    for (let e = 1; e < epochs; e++) expect(got[e]).toBeLessThan(got[e - 1]);
    got.forEach((lr, e) => expect(lr).toBeCloseTo(0.01 + 0.5 * (base - 0.01) * (1 + Math.cos((Math.PI * lastStep(e)) / total)), 12));
    expect(got.at(-1)!).toBeLessThan(0.011);
    expect(got.at(-1)!).toBeGreaterThanOrEqual(0.01);
  });
  it('reduce-on-plateau lowers the rate after `patience` epochs without improvement', async () => {
    // XOR reaches accuracy 1 within a few epochs and cannot improve on it: the plateau.
    const model = new Model(XOR_SPEC, { seed: 3 });
    const patience = 2;
    const { history } = await model.fit(xor({ n: 4 }), {
      backend: 'cpu',
      epochs: 80,
      batchSize: 4,
      optimizer: { name: 'adam', lr: 0.05 },
      schedule: { kind: 'plateau', monitor: 'accuracy', patience, factor: 0.5 },
    });
    const acc = history.map((h) => h.accuracy!);
    const lr = history.map((h) => h.lr);
    expect(lr[0]).toBe(0.05);
    expect(Math.min(...lr)).toBeLessThan(0.05);
    // Replay: the rate in epoch e+1's log drops exactly when the last patience+1 epochs up to e
    // brought no new best accuracy.
    let best = -Infinity;
    let wait = 0;
    let expected = 0.05;
    for (let e = 0; e < history.length; e++) {
      expect(lr[e]).toBeCloseTo(expected, 12);
      if (acc[e] > best) {
        best = acc[e];
        wait = 0;
      } else if (++wait > patience) {
        expected *= 0.5;
        wait = 0;
      }
    }
    // By the end it has been on the plateau for many epochs: several reductions.
    expect(lr.at(-1)!).toBeLessThan(0.05 * 0.5 ** 3);
  });
});

describe('diagnostics', () => {
  function deepSpec(activation: 'sigmoid' | 'relu'): ModelSpec {
    return { inputSize: 8, hidden: Array.from({ length: 8 }, () => ({ units: 16, activation })), outputSize: 1, task: 'regression' };
  }
  function randomRegression(rows: number): Dataset {
    const rng = new Rng(11);
    const x = new Float32Array(rows * 8).map(() => rng.normal());
    const y = new Float32Array(rows).map(() => rng.normal());
    return { name: 'random', task: 'regression', x, y, rows, features: 8, targetWidth: 1 };
  }
  async function diagnose(activation: 'sigmoid' | 'relu'): Promise<DiagnosticsLogs[]> {
    const logs: DiagnosticsLogs[] = [];
    const model = new Model(deepSpec(activation), { seed: 4 });
    await model.fit(randomRegression(64), {
      epochs: 1,
      batchSize: 32,
      optimizer: { name: 'sgd', lr: 1e-3 },
      diagnosticsEverySteps: 1,
      callbacks: { onDiagnostics: (d) => logs.push(d) },
    });
    return logs;
  }

  it('reports finite per-layer gradient norms and dead fractions in [0, 1]; sigmoid gradients vanish, ReLU ones do not', async () => {
    const sig = await diagnose('sigmoid');
    const relu = await diagnose('relu');
    for (const logs of [sig, relu]) {
      expect(logs.map((d) => d.step)).toEqual([1, 2]);
      for (const d of logs) {
        expect(d.gradNorms.length).toBe(9); // 8 hidden + output layer
        for (const g of d.gradNorms) {
          expect(Number.isFinite(g)).toBe(true);
          expect(g).toBeGreaterThan(0);
        }
        expect(d.deadFraction.length).toBe(8);
        for (const f of d.deadFraction) {
          expect(f).toBeGreaterThanOrEqual(0);
          expect(f).toBeLessThanOrEqual(1);
        }
      }
    }
    // Sigmoid units never output exactly 0.
    for (const d of sig) expect(d.deadFraction.every((f) => f === 0)).toBe(true);
    const ratio = (d: DiagnosticsLogs) => d.gradNorms[0] / d.gradNorms[d.gradNorms.length - 1];
    const sigRatio = ratio(sig[0]);
    const reluRatio = ratio(relu[0]);
    console.log(`[train] first/last layer grad-norm ratio: sigmoid x8 ${sigRatio.toExponential(3)}, relu x8 ${reluRatio.toExponential(3)} (${(reluRatio / sigRatio).toExponential(2)}x)`);
    expect(sigRatio * 10).toBeLessThan(reluRatio);
  });
});

describe('GPU and CPU backends agree', () => {
  it('fit() of the same model and seed ends at nearly the same loss', async () => {
    const data = sine({ n: 64, seed: 21 });
    const spec: ModelSpec = { inputSize: 1, hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], outputSize: 1, task: 'regression' };
    const options: TrainOptions = { epochs: 10, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 }, seed: 7 };
    const gpu = new Model(spec, { seed: 5 });
    const cpu = new Model(spec, { seed: 5 });
    const g = await gpu.fit(data, { ...options, backend: 'webgpu' });
    const c = await cpu.fit(data, { ...options, backend: 'cpu' });
    const gl = g.history.map((h) => h.loss);
    const cl = c.history.map((h) => h.loss);
    console.log(`[train] GPU vs CPU loss per epoch: ${gl.map((v) => v.toPrecision(6)).join(' ')} vs ${cl.map((v) => v.toPrecision(6)).join(' ')}`);
    // Tolerance: f32 on the GPU vs float64 on the CPU over 40 adam steps. Measured: the epoch
    // losses agree to ~1e-6 relative; we allow 1e-4 relative (and 1e-3 absolute on parameters),
    // while a real divergence (a different batch order, a wrong update) is orders larger.
    expect(gl.length).toBe(cl.length);
    for (let e = 0; e < gl.length; e++) expect(Math.abs(gl[e] - cl[e])).toBeLessThan(1e-4 * cl[e]);
    let worst = 0;
    for (let i = 0; i < gpu.params.length; i++) worst = Math.max(worst, Math.abs(gpu.params[i] - cpu.params[i]));
    expect(worst).toBeLessThan(1e-3);
    // and training did move the loss
    expect(cl.at(-1)!).toBeLessThan(0.7 * cl[0]);
  });
});

describe('non-finite loss', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`throws NonFiniteLossError naming the step and keeps finite weights (${backend})`, async () => {
      const model = new Model(SINE_SPEC, { seed: 1 });
      const before = model.params.slice();
      let error: unknown;
      try {
        await model.fit(sine({ n: 64, seed: 1 }), { backend, epochs: 5, batchSize: 16, optimizer: { name: 'sgd', lr: 1e30 } });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(NonFiniteLossError);
      const e = error as NonFiniteLossError;
      expect(Number.isInteger(e.step) && e.step >= 1).toBe(true);
      // The loss is checked per epoch, so the message names the window: "by step 4 (in steps 1-4)".
      expect(e.fromStep).toBe(e.step - 3);
      expect(e.message).toMatch(new RegExp(`^loss became (NaN|-?Infinity) by step ${e.step} \\(in steps ${e.fromStep}-${e.step}\\)`));
      expect(Number.isFinite(e.loss)).toBe(false);
      expect(model.params.every(Number.isFinite)).toBe(true);
      // The check runs at epoch ends (4 steps of 16 rows): the step named is an epoch's last, and
      // the weights kept are those from the end of the last finite epoch. In f32 (GPU) the first
      // epoch already overflows, so those are the initial weights; float64 (CPU) lasts one more.
      expect(e.step % 4).toBe(0);
      if (backend === 'webgpu') {
        expect(e.step).toBe(4);
        expect(Array.from(model.params)).toEqual(Array.from(before));
      }
    });
  }
});

describe('save and load', () => {
  it('round-trips predictions, normalizer and target scaler; rejects truncated weights and future formats', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'webgpu-mlp-train-'));
    try {
      const train = sine({ n: 64, seed: 8 });
      const model = new Model({ inputSize: 1, hidden: [{ units: 8, activation: 'tanh' }], outputSize: 1, task: 'regression' }, { seed: 2 });
      await model.fit(train, { epochs: 5, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 }, normalize: 'minmax' });
      await saveModel(model, dir);
      const loaded = await loadModel(dir);
      expect(loaded.spec).toEqual(model.spec);
      expect(Array.from(loaded.params)).toEqual(Array.from(model.params));
      expect(loaded.normalizer).toEqual(model.normalizer);
      expect(loaded.normalizer!.kind).toBe('minmax');
      expect(loaded.targetScaler).toEqual(model.targetScaler);
      const xs = new Float32Array([-3, -1, 0, 0.5, 2.9]);
      expect(Array.from(await loaded.predict(xs))).toEqual(Array.from(await model.predict(xs)));

      const weightsPath = join(dir, 'model.safetensors');
      const jsonPath = join(dir, 'model.json');
      const weights = await readFile(weightsPath);
      const json = await readFile(jsonPath, 'utf8');

      await writeFile(weightsPath, weights.subarray(0, weights.length - 10));
      await expect(loadModel(dir)).rejects.toThrow(InputError);
      await expect(loadModel(dir)).rejects.toThrow(/model\.safetensors tensor "\w+" data_offsets: got \[\d+, \d+\], expected offsets within the \d+-byte data section \(file truncated\?\)/);
      await writeFile(weightsPath, weights.subarray(0, 5));
      await expect(loadModel(dir)).rejects.toThrow(/model\.safetensors header length: got "a 5-byte file".*truncated/);
      await writeFile(weightsPath, weights);

      await writeFile(jsonPath, JSON.stringify({ ...JSON.parse(json), formatVersion: 99 }));
      await expect(loadModel(dir)).rejects.toThrow(InputError);
      await expect(loadModel(dir)).rejects.toThrow(/model\.json formatVersion: got 99, expected 1: .*newer release/);
      await writeFile(jsonPath, json.slice(0, json.length >> 1));
      await expect(loadModel(dir)).rejects.toThrow(/model\.json: .*valid JSON.*truncated/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
