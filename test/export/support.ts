// Shared by the export tests: seeded models whose every parameter is random (so biases, layer-norm
// gains/offsets and normalization all matter), ONNX Runtime (wasm, single-threaded) on exported
// bytes, and the relative difference the exports are held to.

import * as ort from 'onnxruntime-web';
import { fitNormalizer, fitTargetScaler, type NormalizerKind } from '../../src/data/normalize.js';
import { Model } from '../../src/index.js';
import type { HiddenLayerSpec, ModelSpec } from '../../src/model/spec.js';
import { Rng } from '../../src/util/rng.js';

ort.env.wasm.numThreads = 1;

/** A model with random weights, biases and layer-norm affine parameters, and fitted preprocessing. */
export function randomModel(spec: ModelSpec, seed: number, normalize: NormalizerKind = 'zscore'): Model {
  const model = new Model(spec, { seed });
  const rng = new Rng(seed + 1000);
  for (const e of model.layout.entries) {
    const region = model.params.subarray(e.offset, e.offset + e.size);
    const gain = e.name.startsWith('gamma');
    const fanIn = e.shape.length === 2 ? e.shape[0] : 1;
    for (let i = 0; i < region.length; i++) region[i] = gain ? rng.uniform(0.5, 1.5) : rng.normal(0, e.shape.length === 2 ? 1.2 / Math.sqrt(fanIn) : 0.3);
  }
  // Fit the preprocessing on shifted, scaled data so offsets and scales are far from 0 and 1.
  const fitRows = 64;
  const x = randomInputs(fitRows, spec.inputSize, seed + 2000);
  model.normalizer = fitNormalizer(x, fitRows, spec.inputSize, normalize);
  if (spec.task === 'regression') {
    const y = new Float32Array(fitRows * spec.outputSize).map(() => rng.normal(50, 20));
    model.targetScaler = fitTargetScaler(y, fitRows, spec.outputSize);
  }
  return model;
}

/** Raw feature rows: column c is centred on 3c - 2 with spread 1 + c, like unnormalized real data. */
export function randomInputs(rows: number, features: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * features);
  for (let i = 0; i < x.length; i++) {
    const c = i % features;
    x[i] = 3 * c - 2 + (1 + c) * rng.normal();
  }
  return x;
}

export async function runOnnx(bytes: Uint8Array, x: Float32Array, features: number): Promise<{ name: string; data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [x.length / features, features]) });
    const name = session.outputNames[0];
    return { name, data: out[name].data as Float32Array, dims: out[name].dims };
  } finally {
    await session.release();
  }
}

/**
 * max |a - b| / max(|b|, floor) over all elements, NaN and length mismatch as Infinity. The floor
 * (1% of the largest |b|) keeps outputs that are small only through cancellation in an f32 sum
 * (their error scales with the summands, not the sum) from dividing by almost nothing.
 */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return Infinity;
  let peak = 0;
  for (let i = 0; i < b.length; i++) peak = Math.max(peak, Math.abs(b[i]));
  const floor = Math.max(peak * 1e-2, 1e-30);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

export const spec = (hidden: HiddenLayerSpec[], task: ModelSpec['task'] = 'regression', outputSize = 2, inputSize = 5): ModelSpec => ({ inputSize, hidden, outputSize, task });

/** Layer norm with and without residuals, residual without layer norm, dropout to be left out. */
export const DEEP: ModelSpec = spec([
  { units: 8, activation: 'relu', layerNorm: true },
  { units: 8, activation: 'gelu', layerNorm: true, residual: true, dropout: 0.3 },
  { units: 8, activation: 'tanh', residual: true },
  { units: 6, activation: 'elu', layerNorm: true, dropout: 0.1 },
], 'multiclass', 3);

/** A table pipeline as data-pipeline fits it: numeric a, categorical c (x, y, z: one-hot), numeric b -> 5 inputs. */
export const TABLE_PIPELINE = {
  kind: 'table',
  version: 1,
  label: 'species',
  task: 'multiclass',
  classNames: ['adelie', 'gentoo', 'chinstrap'],
  features: [
    { name: 'a', kind: 'numeric', impute: 1.5 },
    { name: 'c', kind: 'categorical', vocabulary: ['x', 'y', 'z'], impute: 'y' },
    { name: 'b', kind: 'numeric', impute: -2.25 },
  ],
  ignored: [],
  missingValues: ['NA'],
  missing: 'impute',
};

/** Encoded rows with missing cells as NaN (a in row 0, c in row 1, b in row 2), and the same rows imputed. */
export function rowsWithGaps(rows: number, seed: number): { gaps: Float32Array; imputed: Float32Array } {
  const gaps = randomInputs(rows, 5, seed);
  for (let r = 0; r < rows; r++) {
    const k = r % 3; // one-hot c
    gaps.set([k === 0 ? 1 : 0, k === 1 ? 1 : 0, k === 2 ? 1 : 0], r * 5 + 1);
  }
  gaps[0] = NaN;
  gaps.fill(NaN, 5 + 1, 5 + 4);
  gaps[2 * 5 + 4] = NaN;
  const imputed = gaps.slice();
  imputed[0] = 1.5;
  imputed.set([0, 1, 0], 5 + 1);
  imputed[2 * 5 + 4] = -2.25;
  return { gaps, imputed };
}
