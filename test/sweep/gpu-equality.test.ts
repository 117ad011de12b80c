// On WebGPU, each model of a batch equals the same model trained alone to within f32 rounding:
// the batch runs the same kernels with each model at its own slices (workgroup z), but a lone
// model may get another kernel variant (lavapipe's texel matmul), so sums round in another order.
// Different seeds, learning rates, activations and dropout rates share one batch.

import { afterAll, describe, expect, it } from 'vitest';
import { releaseSharedGpu } from '../../src/backend/select.js';
import { blobs } from '../../src/data/synthetic.js';
import type { ModelSpec } from '../../src/model/spec.js';
import type { TrainOptions } from '../../src/train/fit.js';
import { Model } from '../../src/train/model-methods.js';
import { sweep } from '../../src/train/sweep/sweep.js';

afterAll(releaseSharedGpu);

const SPEC: ModelSpec = { inputSize: 2, hidden: [{ units: 33, activation: 'tanh', dropout: 0.1 }, { units: 17, activation: 'relu' }], outputSize: 3, task: 'multiclass' };
const data = blobs({ n: 127, classes: 3, noise: 1.2, seed: 5 });
const validationData = blobs({ n: 41, classes: 3, noise: 1.2, seed: 6 });
const BASE: TrainOptions = { epochs: 3, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 }, backend: 'webgpu', validationData };

/**
 * After 24 Adam steps, f32 rounding differences between two kernel variants stay below 1e-4 of
 * the largest weight (measured: see the closing note of issue 16); a wrong model slice, mask or
 * rate differs by orders of magnitude more.
 */
const WEIGHT_TOL = 1e-4;

function maxDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('model batch equals each model alone (webgpu, f32 rounding)', () => {
  it('seeds, learning rates, activations and dropout rates in one batch', async () => {
    const result = await sweep(SPEC, data, { ...BASE, grid: { lr: [0.003, 0.03], activation: ['relu', 'gelu'], dropout: [0, 0.3], seed: [1, 2] } });
    expect(result.backend).toBe('webgpu');
    expect(result.trials).toHaveLength(16);
    let worst = 0;
    for (const t of result.trials) {
      const c = t.config as { lr: number; activation: 'relu'; dropout: number };
      const own: ModelSpec = { ...SPEC, hidden: SPEC.hidden.map((h) => ({ ...h, activation: c.activation, dropout: c.dropout })) };
      const model = new Model(own, { seed: t.seed });
      const { history } = await model.fit(data, { ...BASE, seed: t.seed, optimizer: { name: 'adam', lr: c.lr } });
      const scale = Math.max(...model.params.map(Math.abs));
      const diff = maxDiff(t.model.params, model.params) / scale;
      worst = Math.max(worst, diff);
      expect(diff, `trial ${t.index} ${JSON.stringify(t.config)}`).toBeLessThan(WEIGHT_TOL);
      expect(t.history.map((h) => h.valAccuracy)).toEqual(history.map((h) => h.valAccuracy));
      for (let e = 0; e < history.length; e++) expect(t.history[e].loss).toBeCloseTo(history[e].loss, 4);
    }
    console.log(`[gpu-equality] worst weight difference / largest weight over 16 models: ${worst.toExponential(2)}`);
  });

  // Layer norm's two parameter gradients live in one flat buffer: a batch must bind them apart.
  it('layer norm and residual layers, with mixed activations and clip norms', async () => {
    const spec: ModelSpec = { inputSize: 2, hidden: [{ units: 16, activation: 'tanh', layerNorm: true }, { units: 16, activation: 'relu', layerNorm: true, residual: true }], outputSize: 3, task: 'multiclass' };
    const result = await sweep(spec, data, { ...BASE, grid: { activation: ['relu', 'silu'], clipNorm: [0.5, 10], seed: [3] } });
    expect(result.trials).toHaveLength(4);
    for (const t of result.trials) {
      const c = t.config as { activation: 'relu'; clipNorm: number };
      const own: ModelSpec = { ...spec, hidden: spec.hidden.map((h) => ({ ...h, activation: c.activation })) };
      const model = new Model(own, { seed: t.seed });
      await model.fit(data, { ...BASE, seed: t.seed, clipNorm: c.clipNorm });
      const scale = Math.max(...model.params.map(Math.abs));
      expect(maxDiff(t.model.params, model.params) / scale, `trial ${t.index} ${JSON.stringify(t.config)}`).toBeLessThan(WEIGHT_TOL);
    }
  });
});
