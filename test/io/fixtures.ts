// Shared sample tensors and configs for the io tests, built from a seeded RNG so every run sees
// the same values, with shapes chosen to hit odd sizes ([1], [3, 7], [257]) and 8-byte padding.

import { Rng } from '../../src/util/rng.js';
import { MODEL_FORMAT_VERSION, type SavedModelConfig } from '../../src/io/model-config.js';
import type { TensorMap } from '../../src/io/safetensors.js';

export function randomTensor(shape: number[], seed: number): { shape: number[]; data: Float32Array } {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(-3, 3);
  return { shape, data };
}

export function sampleTensors(): TensorMap {
  return {
    'layers.0.weight': randomTensor([3, 7], 1),
    'layers.0.bias': randomTensor([7], 2),
    'layers.1.weight': randomTensor([7, 1], 3),
    'layers.1.bias': randomTensor([1], 4),
    'norm.mean': randomTensor([257], 5),
  };
}

export function sampleConfig(tensors: TensorMap = sampleTensors()): SavedModelConfig {
  const shapes: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(tensors)) shapes[name] = [...t.shape];
  return {
    format: 'webgpu-mlp',
    formatVersion: MODEL_FORMAT_VERSION,
    spec: { inputSize: 3, hidden: [{ units: 7, activation: 'relu' }], outputSize: 1, task: 'regression' },
    normalization: { mean: [0, 1, 2], std: [1, 1, 1] },
    tensors: shapes,
    createdAt: '2024-01-02T03:04:05.000Z',
  };
}

/** Builds a safetensors file from a literal header string and data bytes, for hand-made bad files. */
export function rawSafetensors(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

export function f32Bytes(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}
