// What a saved model says about itself and what a load trusts: model.json records what actually
// happened (epochs completed, best epoch, final metrics, outcome, library version) including
// after a non-finite stop, and a hostile model.json cannot make a load allocate more than its
// files imply.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobs, sine } from '../../src/data/synthetic.js';
import { loadModel, saveModel } from '../../src/model/files.js';
import { Model } from '../../src/index.js';
import { InputError, NonFiniteLossError } from '../../src/util/errors.js';
import { LIBRARY_VERSION } from '../../src/util/version.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(join(os.tmpdir(), 'webgpu-mlp-record-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const readJson = (dir: string) => JSON.parse(fs.readFileSync(join(dir, 'model.json'), 'utf8'));

describe('model.json records the run', () => {
  it('has the package version', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(LIBRARY_VERSION).toBe(pkg.version);
  });

  it('after early stopping: epochs completed, the best epoch whose weights were kept, and its metrics', async () => {
    const model = new Model({ inputSize: 2, hidden: [{ units: 8, activation: 'tanh' }], outputSize: 3, task: 'multiclass' }, { seed: 1 });
    const result = await model.fit(blobs({ n: 60, classes: 3, seed: 2 }), {
      backend: 'cpu', epochs: 40, batchSize: 8, optimizer: { name: 'adam', lr: 0.05 }, validationSplit: 0.25, seed: 1,
      earlyStopping: { patience: 2, minDelta: 0.01, restoreBestWeights: true },
    });
    const dir = join(root, 'm');
    await saveModel(model, dir);
    const t = readJson(dir).training;
    expect(result.stoppedEarly).toBe(true);
    expect(t.epochs).toBe(40);
    expect(t.epochsCompleted).toBe(result.history.length);
    expect(t.epochsCompleted).toBeLessThan(40);
    expect(t.outcome).toBe('stopped early');
    expect(t.bestEpoch).toBe(result.bestEpoch);
    expect(t.weightsFromBestEpoch).toBe(true);
    const best = result.history[result.bestEpoch!];
    expect(t.final).toEqual({ loss: best.loss, accuracy: best.accuracy, valLoss: best.valLoss, valAccuracy: best.valAccuracy });
    expect(t.stepsCompleted).toBe(result.steps);
    expect(readJson(dir).library).toEqual({ name: 'webgpu-mlp', version: LIBRARY_VERSION });
  });

  it('after a non-finite loss: the epochs that finished, not the epochs asked for, and finite weights from the last check', async () => {
    const model = new Model({ inputSize: 1, hidden: [{ units: 8, activation: 'tanh' }], outputSize: 1, task: 'regression' }, { seed: 1 });
    const data = sine({ n: 64, seed: 1 });
    const trainer = await model.trainer(data, { backend: 'cpu', batchSize: 16, optimizer: { name: 'sgd', lr: 0.01 }, epochs: 10 });
    await trainer.train({ epochs: 2 });
    trainer.setLearningRate(1e30);
    await expect(trainer.train({ epochs: 8 })).rejects.toBeInstanceOf(NonFiniteLossError);
    const finished = trainer.history.length;
    await trainer.dispose();
    expect(model.training?.outcome).toBe('non-finite loss');
    expect(finished).toBeGreaterThanOrEqual(2);
    expect(finished).toBeLessThan(10);
    expect(model.training?.epochsCompleted).toBe(finished);
    expect(model.training?.stepsCompleted).toBe(finished * 4);
    expect(model.training?.epochs).toBe(10);
    expect(model.params.every(Number.isFinite)).toBe(true);
  });
});

describe('loads bound every size before allocating', () => {
  async function savedSmall(): Promise<string> {
    const model = new Model({ inputSize: 3, hidden: [{ units: 4, activation: 'relu' }], outputSize: 2, task: 'multiclass' }, { seed: 1 });
    const dir = join(root, 'small');
    await saveModel(model, dir);
    return dir;
  }

  it('refuses a model.json claiming 1e8 units at once, without allocating for them', async () => {
    const dir = await savedSmall();
    const json = readJson(dir);
    json.spec.hidden[0].units = 100_000_000;
    fs.writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const err = await loadModel(dir).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^weights\.W0: got "\[3, 4\]", expected \[3, 100000000\]$/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a model.json larger than any model of ours before reading it', async () => {
    const dir = await savedSmall();
    const fd = fs.openSync(join(dir, 'model.json'), 'r+');
    fs.ftruncateSync(fd, 65 * 1024 * 1024); // sparse: no disk used
    fs.closeSync(fd);
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: got "68157440 bytes", expected at most 67108864 bytes/);
  });

  it('refuses a spec whose tensors disagree with the weights file, naming the tensor', async () => {
    const dir = await savedSmall();
    const json = readJson(dir);
    json.spec.outputSize = 3;
    fs.writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/^weights\.Wout: got "\[4, 2\]", expected \[4, 3\]$/);
  });
});
