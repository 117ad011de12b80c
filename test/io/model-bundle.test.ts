// Tests for the in-memory model bundle the browser demo saves and loads: a round trip, and that
// decoding checks the JSON, the weights, and that the two describe the same tensors.

import { describe, expect, it } from 'vitest';
import { decodeModelBundle, encodeModelBundle } from '../../src/io/model-bundle.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { InputError } from '../../src/util/errors.js';
import { randomTensor, sampleConfig, sampleTensors } from './fixtures.js';

describe('model bundle', () => {
  it('round-trips config and tensors', () => {
    const tensors = sampleTensors();
    const config = sampleConfig(tensors);
    const { json, weights } = encodeModelBundle(config, tensors);
    expect(JSON.parse(json)).toEqual(config);
    const back = decodeModelBundle(json, weights);
    expect(back.config).toEqual(config);
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name].shape).toEqual(t.shape);
      expect(Array.from(back.tensors[name].data)).toEqual(Array.from(t.data));
    }
  });

  it('tags the weights with the format so other tools can tell what wrote them', () => {
    const tensors = sampleTensors();
    const { weights } = encodeModelBundle(sampleConfig(tensors), tensors);
    expect(decodeSafetensors(weights).metadata).toEqual({ format: 'webgpu-mlp', formatVersion: '1' });
  });

  it('refuses to encode a config that does not describe the tensors', () => {
    const tensors = sampleTensors();
    const config = sampleConfig({ ...tensors, 'layers.1.bias': randomTensor([2], 1) });
    expect(() => encodeModelBundle(config, tensors)).toThrow(/"layers\.1\.bias" shape: got \[1\], expected \[2\]/);
  });

  it('rejects weights whose shapes disagree with model.json', () => {
    const tensors = sampleTensors();
    const config = sampleConfig(tensors);
    const { json } = encodeModelBundle(config, tensors);
    const other = encodeSafetensors({ ...tensors, 'layers.0.weight': randomTensor([3, 8], 1) });
    expect(() => decodeModelBundle(json, other)).toThrow(InputError);
    expect(() => decodeModelBundle(json, other)).toThrow(/model\.safetensors tensor "layers\.0\.weight" shape: got \[3, 8\], expected \[3, 7\]/);
  });

  it('rejects invalid or truncated model.json text', () => {
    const tensors = sampleTensors();
    const { json, weights } = encodeModelBundle(sampleConfig(tensors), tensors);
    expect(() => decodeModelBundle(json.slice(0, json.length / 2), weights)).toThrow(/^model\.json: got .*valid JSON.*truncated/);
  });

  it('rejects truncated weights', () => {
    const tensors = sampleTensors();
    const { json, weights } = encodeModelBundle(sampleConfig(tensors), tensors);
    expect(() => decodeModelBundle(json, weights.subarray(0, weights.length - 1))).toThrow(/model\.safetensors.*truncated/);
  });

  it('rejects a model.json from another format version, naming both versions', () => {
    const tensors = sampleTensors();
    const { json, weights } = encodeModelBundle(sampleConfig(tensors), tensors);
    const v2 = JSON.stringify({ ...JSON.parse(json), formatVersion: 2 });
    expect(() => decodeModelBundle(v2, weights)).toThrow(/file has format version 2.*this build reads format version 1/);
  });

  it('uses the given file names in messages', () => {
    const tensors = sampleTensors();
    const { json } = encodeModelBundle(sampleConfig(tensors), tensors);
    expect(() => decodeModelBundle(json, new Uint8Array(2), { weights: 'upload.safetensors' })).toThrow(/^upload\.safetensors header length/);
  });
});
