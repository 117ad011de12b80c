// Every hidden unit's pre-activation and activation for a set of input rows, computed with the
// float64 reference ops (src/reference) from the model's current host weights, in inference mode
// (no dropout). The network diagram draws these as per-unit heatmaps and reads dead units from them.

import { applyNormalizer, runReference, type Model } from '../src/index.js';
import type { CpuTensor } from '../src/ops/tensor.js';

export interface LayerValues {
  /** Pre-activation z, rows x units (after layer norm when the layer has it). */
  z: Float64Array;
  /** The layer's output (activation, then residual), rows x units. */
  a: Float64Array;
  units: number;
}

export interface ForwardValues {
  layers: LayerValues[];
  /** Output probabilities (binary / multiclass) or values (regression, in the model's scaled units). */
  out: Float64Array;
  outputs: number;
}

const t = (shape: number[], data?: ArrayLike<number>): CpuTensor => ({ shape, data: data ? Float64Array.from(data) : new Float64Array(shape.reduce((a, b) => a * b, 1)) });

function param(model: Model, name: string): CpuTensor {
  const e = model.layout.entry(name);
  return t([...e.shape], model.params.subarray(e.offset, e.offset + e.size));
}

/** Runs `rows` rows of raw (un-normalized) model inputs through the network. */
export function forwardAll(model: Model, x: Float32Array, rows: number): ForwardValues {
  const spec = model.spec;
  const input = model.normalizer ? applyNormalizer(model.normalizer, x) : x;
  let h = t([rows, spec.inputSize], input);
  const layers: LayerValues[] = [];
  spec.hidden.forEach((layer, i) => {
    const u = layer.units;
    let z = t([rows, u]);
    runReference('matmul', { a: h, b: param(model, `W${i}`), out: z, transA: false, transB: false, bias: param(model, `b${i}`) });
    if (layer.layerNorm) {
      const n = t([rows, u]);
      runReference('layerNorm', { x: z, gamma: param(model, `gamma${i}`), beta: param(model, `beta${i}`), y: n, mean: t([rows]), rstd: t([rows]) });
      z = n;
    }
    let a = t([rows, u]);
    runReference('activation', { x: z, y: a, activation: { name: layer.activation, alpha: layer.alpha } });
    if (layer.residual) {
      const r = t([rows, u]);
      runReference('add', { a, b: h, out: r });
      a = r;
    }
    layers.push({ z: z.data, a: a.data, units: u });
    h = a;
  });
  const logits = t([rows, spec.outputSize]);
  runReference('matmul', { a: h, b: param(model, 'Wout'), out: logits, transA: false, transB: false, bias: param(model, 'bout') });
  const out = logits.data;
  const k = spec.outputSize;
  if (spec.task === 'binary') for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
  else if (spec.task === 'multiclass') {
    for (let r = 0; r < rows; r++) {
      let m = -Infinity;
      for (let c = 0; c < k; c++) m = Math.max(m, out[r * k + c]);
      let s = 0;
      for (let c = 0; c < k; c++) s += out[r * k + c] = Math.exp(out[r * k + c] - m);
      for (let c = 0; c < k; c++) out[r * k + c] /= s;
    }
  }
  return { layers, out, outputs: k };
}
