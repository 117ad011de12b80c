// Tests for model.json validation and the config-vs-weights check: each kind of bad file gets an
// InputError that names the field, and version mismatches say both versions involved.

import { describe, expect, it } from 'vitest';
import { checkTensorsMatch, MODEL_FORMAT_VERSION, validateModelConfig } from '../../src/io/model-config.js';
import { InputError } from '../../src/util/errors.js';
import { randomTensor, sampleConfig, sampleTensors } from './fixtures.js';

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError, nothing was thrown');
}

describe('validateModelConfig', () => {
  it('accepts a valid config and returns a copy of the known fields only', () => {
    const config = sampleConfig();
    const checked = validateModelConfig(JSON.parse(JSON.stringify({ ...config, extra: 1 })));
    expect(checked).toEqual(config);
    expect(checked).not.toHaveProperty('extra');
    expect(checked.tensors).not.toBe(config.tensors);
  });

  it('keeps optional fields when present and leaves them out when absent', () => {
    const { normalization: _n, ...bare } = sampleConfig();
    expect(validateModelConfig(bare)).not.toHaveProperty('normalization');
    const full = validateModelConfig({ ...bare, targetScaler: { kind: 'standard' }, training: { epochs: 3 } });
    expect(full.targetScaler).toEqual({ kind: 'standard' });
    expect(full.training).toEqual({ epochs: 3 });
  });

  it('rejects a file that is not a webgpu-mlp model', () => {
    expect(errorOf(() => validateModelConfig({ ...sampleConfig(), format: 'keras' })).message).toMatch(/^model\.json format: got "keras", expected "webgpu-mlp"/);
    expect(errorOf(() => validateModelConfig([1, 2])).field).toBe('model.json');
    expect(errorOf(() => validateModelConfig(null)).field).toBe('model.json');
  });

  it('names both the file version and the version this build reads', () => {
    const newer = errorOf(() => validateModelConfig({ ...sampleConfig(), formatVersion: MODEL_FORMAT_VERSION + 1 }));
    expect(newer.field).toBe('model.json formatVersion');
    expect(newer.message).toContain(`file has format version ${MODEL_FORMAT_VERSION + 1}`);
    expect(newer.message).toContain(`this build reads format version ${MODEL_FORMAT_VERSION}`);
    expect(newer.message).toContain('newer release');
  });

  it('rejects a missing or malformed formatVersion', () => {
    for (const formatVersion of [undefined, '1', 1.5, 0]) {
      expect(errorOf(() => validateModelConfig({ ...sampleConfig(), formatVersion })).field).toBe('model.json formatVersion');
    }
  });

  it('names each missing or malformed required field', () => {
    const cases: [string, unknown][] = [
      ['spec', undefined],
      ['spec', 'mlp'],
      ['tensors', undefined],
      ['tensors', []],
      ['createdAt', undefined],
      ['createdAt', 'yesterday'],
    ];
    for (const [field, value] of cases) {
      expect(errorOf(() => validateModelConfig({ ...sampleConfig(), [field]: value })).field).toBe(`model.json ${field}`);
    }
    const badShape = errorOf(() => validateModelConfig({ ...sampleConfig(), tensors: { w: [2, -1] } }));
    expect(badShape.message).toMatch(/model\.json tensors "w": got \[2, -1\]/);
  });

  it('uses the given source name in messages', () => {
    expect(errorOf(() => validateModelConfig({}, '/m/model.json')).field).toBe('/m/model.json format');
  });
});

describe('checkTensorsMatch', () => {
  it('passes when names and shapes match exactly', () => {
    const tensors = sampleTensors();
    expect(() => checkTensorsMatch(sampleConfig(tensors), tensors)).not.toThrow();
  });

  it('names the tensor, the shape found and the shape expected on a mismatch', () => {
    const tensors = sampleTensors();
    const config = sampleConfig(tensors);
    tensors['layers.0.weight'] = randomTensor([7, 3], 1);
    expect(errorOf(() => checkTensorsMatch(config, tensors)).message).toBe(
      'weights tensor "layers.0.weight" shape: got [7, 3], expected [3, 7] as model.json lists',
    );
  });

  it('treats a rank difference as a mismatch', () => {
    const tensors = sampleTensors();
    const config = sampleConfig(tensors);
    tensors['layers.1.bias'] = randomTensor([1, 1], 4);
    expect(errorOf(() => checkTensorsMatch(config, tensors)).message).toMatch(/"layers\.1\.bias" shape: got \[1, 1\], expected \[1\]/);
  });

  it('rejects a missing tensor and an extra one', () => {
    const tensors = sampleTensors();
    const config = sampleConfig(tensors);
    const { 'norm.mean': _dropped, ...missing } = tensors;
    expect(errorOf(() => checkTensorsMatch(config, missing)).message).toMatch(/"norm\.mean": got "missing", expected a tensor of shape \[257\]/);
    const extra = { ...tensors, stray: randomTensor([2], 1) };
    expect(errorOf(() => checkTensorsMatch(config, extra)).message).toMatch(/"stray": got \[2\], expected no such tensor/);
  });
});
