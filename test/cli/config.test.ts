// Strict configuration: the --config file and the API's option objects reject unknown keys (naming
// the key and the closest valid one) and wrong JSON types ("layerNorm": "false" is an error, never
// true), before any work. Pure functions: no build and no adapter needed.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, CONFIG_KEYS, readConfigFile } from '../../src/cli/config-file.js';
import { resolveSettings, resumeSettings } from '../../src/cli/config.js';
import { Model } from '../../src/index.js';
import { xor } from '../../src/data/synthetic.js';
import { InputError } from '../../src/util/errors.js';
import { closestKey } from '../../src/util/suggest.js';

function error(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('--config keys', () => {
  const unknown: [string, string][] = [
    ['learningRate', 'lr'],
    ['learning_rate', 'lr'],
    ['batch_size', 'batchSize'],
    ['BatchSize', 'batchSize'],
    ['epoch', 'epochs'],
    ['layer_norm', 'layerNorm'],
    ['validation_split', 'validationSplit'],
    ['optimiser', 'optimizer'],
    ['checkpoint_every', 'checkpointEvery'],
    ['missing_values', 'missingValues'],
  ];
  for (const [key, hint] of unknown) {
    it(`rejects ${key}, suggesting ${hint}`, () => {
      const e = error(() => checkConfig({ epochs: 3, [key]: 1 }));
      expect(e.message).toBe(`--config key "${key}": got "an unknown setting", expected "${hint}" (did you mean "${hint}"?)`);
    });
  }

  it('lists the valid keys when nothing is close', () => {
    const e = error(() => checkConfig({ frobnicate: 1 }));
    expect(e.message).toMatch(/^--config key "frobnicate": got "an unknown setting", expected one of: dataset, label, layers, .*checkpointEvery.*strict, probabilities/);
  });

  it('knows the data pipeline keys and its own new ones', () => {
    for (const key of ['categorical', 'numeric', 'exclude', 'missing', 'missingValues', 'task', 'strict', 'probabilities', 'checkpointEvery', 'checkpointDir', 'resume']) expect(CONFIG_KEYS).toContain(key);
    expect(checkConfig({ categorical: ['island', 'sex'], numeric: 'a,b', exclude: [], missing: 'impute', missingValues: ['NA', '?'], task: 'classification', strict: true, probabilities: false, checkpointEvery: 2 })).toMatchObject({ missing: 'impute', checkpointEvery: 2 });
  });
});

describe('--config types', () => {
  const wrong: [Record<string, unknown>, string][] = [
    [{ layerNorm: 'false' }, '--config layerNorm: got "false", expected true or false (a JSON boolean, not a string)'],
    [{ residual: 1 }, '--config residual: got 1, expected true or false (a JSON boolean, not a string)'],
    [{ lr: '0.01' }, '--config lr: got "0.01", expected a number > 0'],
    [{ lr: -1 }, '--config lr: got -1, expected a number > 0'],
    [{ epochs: 2.5 }, '--config epochs: got 2.5, expected an integer >= 1'],
    [{ layers: [256, '128'] }, '--config layers: got [256, "128"], expected an array of integers >= 1 (hidden widths) or "256,128"'],
    [{ backend: 'gpu' }, '--config backend: got "gpu", expected "webgpu" or "cpu"'],
    [{ missing: 'skip' }, '--config missing: got "skip", expected "error", "drop" or "impute"'],
    [{ strict: 'yes' }, '--config strict: got "yes", expected true or false (a JSON boolean, not a string)'],
    [{ validationSplit: 1 }, '--config validationSplit: got 1, expected a fraction in [0, 1)'],
  ];
  for (const [config, message] of wrong) {
    it(JSON.stringify(config), () => {
      expect(error(() => checkConfig(config)).message).toBe(message);
    });
  }

  it('"layerNorm": false stays off and true turns it on', () => {
    expect(resolveSettings(checkConfig({ layerNorm: false })).layerNorm).toBe(false);
    expect(resolveSettings(checkConfig({ layerNorm: true })).layerNorm).toBe(true);
    // Even bypassing the file check, a string is never taken as a boolean.
    expect(error(() => resolveSettings({ layerNorm: 'false' })).message).toBe('--layer-norm: got "false", expected true or false');
  });

  it('reads a file, naming it, and refuses non-objects and bad JSON', () => {
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'webgpu-mlp-config-'));
    try {
      const file = join(dir, 'c.json');
      fs.writeFileSync(file, JSON.stringify({ batch_size: 8 }));
      expect(error(() => readConfigFile(file)).message).toBe(`--config ${file} key "batch_size": got "an unknown setting", expected "batchSize" (did you mean "batchSize"?)`);
      fs.writeFileSync(file, '[1]');
      expect(error(() => readConfigFile(file)).message).toMatch(/expected a JSON object of settings$/);
      fs.writeFileSync(file, '{"lr": ');
      expect(error(() => readConfigFile(file)).field).toBe('--config');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resume settings', () => {
  const saved = resolveSettings({ dataset: 'xor', layers: '8', lr: '0.05', epochs: '4' });
  it('take the checkpoint settings, changing only run length and places', () => {
    const s = resolveSettings(resumeSettings(saved, { resume: 'ck', epochs: '10', out: 'm2' }));
    expect(s).toMatchObject({ dataset: 'xor', layers: [8], lr: 0.05, epochs: 10, out: 'm2', resume: 'ck' });
  });
  it('accept a setting repeated with the same value and refuse a changed one', () => {
    expect(resolveSettings(resumeSettings(saved, { resume: 'ck', lr: '0.05' })).lr).toBe(0.05);
    expect(error(() => resumeSettings(saved, { resume: 'ck', lr: '0.1' })).message).toMatch(/^--lr: got "0\.1", expected 0\.05 as in the checkpoint \(only --epochs, --out/);
    expect(error(() => resumeSettings(saved, { resume: 'ck', batchSize: '64' })).message).toMatch(/^--batch-size: got "64", expected 128 as in the checkpoint/);
  });
});

describe('API options and specs', () => {
  const spec = { inputSize: 2, hidden: [{ units: 4, activation: 'tanh' as const }], outputSize: 1, task: 'binary' as const };

  it('fit() rejects unknown keys before any work, pointing to where a setting lives', async () => {
    const model = new Model(spec);
    const base = { epochs: 1, batchSize: 4, optimizer: { name: 'adam' as const, lr: 0.1 }, backend: 'cpu' as const };
    await expect(model.fit(xor(), { ...base, learningRate: 0.1 } as never)).rejects.toThrow('learningRate: got "an unknown option", expected "optimizer.lr" (did you mean "optimizer.lr"?)');
    await expect(model.fit(xor(), { ...base, batch_size: 4 } as never)).rejects.toThrow('batch_size: got "an unknown option", expected "batchSize" (did you mean "batchSize"?)');
    await expect(model.fit(xor(), { ...base, optimizer: { name: 'adam', lr: 0.1, beta_1: 0.9 } } as never)).rejects.toThrow('optimizer.beta_1: got "an unknown option", expected "beta1"');
    await expect(model.fit(xor(), { ...base, earlyStopping: { patience: 1, restoreBest: true } } as never)).rejects.toThrow('earlyStopping.restoreBest: got "an unknown option", expected "restoreBestWeights"');
    await expect(model.fit(xor(), { ...base, earlyStopping: { patience: 1, restoreBestWeights: 'false' } } as never)).rejects.toThrow('earlyStopping.restoreBestWeights: got "false", expected true or false');
    await expect(model.fit(xor(), { ...base, shuffle: 'no' } as never)).rejects.toThrow('shuffle: got "no", expected true or false');
    await expect(model.fit(xor(), { ...base, callbacks: { onEpochEnd: () => {}, onBatchEnd: () => {} } } as never)).rejects.toThrow('callbacks.onBatchEnd: got "an unknown option", expected "onEpochEnd" (did you mean "onEpochEnd"?)');
    await expect(model.fit(xor(), { ...base, callbacks: { onTrainEnd: () => {} } } as never)).rejects.toThrow(/^callbacks\.onTrainEnd: got "an unknown option", expected one of: onEpochEnd, onStep, onDiagnostics$/);
    expect(model.training).toBeUndefined();
  });

  it('a spec rejects unknown keys and a string where a boolean belongs', () => {
    expect(() => new Model({ ...spec, hidden: [{ units: 4, activation: 'tanh', layerNorm: 'false' }] } as never)).toThrow('hidden[0].layerNorm: got "false", expected true or false (a boolean, not a string)');
    expect(() => new Model({ ...spec, hidden: [{ units: 4, activation: 'tanh', drop_out: 0.1 }] } as never)).toThrow('hidden[0].drop_out: got "an unknown option", expected "dropout" (did you mean "dropout"?)');
    expect(() => new Model({ ...spec, outputs: 1 } as never)).toThrow(/^spec\.outputs: got "an unknown option", expected "outputSize"/);
  });

  it('closestKey stays quiet when nothing is near', () => {
    expect(closestKey('zzzzzzzz', ['lr', 'epochs'])).toBeUndefined();
  });
});
