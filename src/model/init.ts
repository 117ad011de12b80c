// Weight initialisation: Glorot/Xavier, He/Kaiming and LeCun, uniform or normal, with zero
// biases and unit layer-norm gains. One seeded stream in layer order, so the same seed gives the
// same initial weights on every backend; values are rounded to f32 before either backend sees them.

import type { ParamLayout } from '../graph/params.js';
import { Rng } from '../util/rng.js';
import type { HiddenLayerSpec, InitName, ModelSpec } from './spec.js';

/** He for the ReLU family, LeCun for SELU, Glorot for the saturating ones and the output layer. */
export function defaultInit(activation: HiddenLayerSpec['activation']): InitName {
  switch (activation) {
    case 'relu':
    case 'leaky_relu':
    case 'elu':
    case 'gelu':
    case 'gelu_tanh':
    case 'silu':
    case 'softplus':
      return 'he_normal';
    case 'selu':
      return 'lecun_normal';
    default:
      return 'glorot_uniform';
  }
}

function fill(rng: Rng, out: Float32Array, fanIn: number, fanOut: number, init: InitName): void {
  switch (init) {
    case 'glorot_uniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
      return;
    }
    case 'glorot_normal': {
      const std = Math.sqrt(2 / (fanIn + fanOut));
      for (let i = 0; i < out.length; i++) out[i] = rng.normal(0, std);
      return;
    }
    case 'he_uniform': {
      const limit = Math.sqrt(6 / fanIn);
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
      return;
    }
    case 'he_normal': {
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < out.length; i++) out[i] = rng.normal(0, std);
      return;
    }
    case 'lecun_normal': {
      const std = Math.sqrt(1 / fanIn);
      for (let i = 0; i < out.length; i++) out[i] = rng.normal(0, std);
      return;
    }
    default:
      return init satisfies never;
  }
}

/** The flat parameter vector for `layout`, initialised from `seed`. */
export function initialParams(spec: ModelSpec, layout: ParamLayout, seed: number): Float32Array {
  const flat = new Float32Array(layout.total);
  const rng = new Rng(seed);
  const region = (name: string) => {
    const e = layout.entry(name);
    return flat.subarray(e.offset, e.offset + e.size);
  };
  let width = spec.inputSize;
  spec.hidden.forEach((layer, i) => {
    fill(rng, region(`W${i}`), width, layer.units, layer.init ?? defaultInit(layer.activation));
    if (layer.layerNorm) region(`gamma${i}`).fill(1);
    width = layer.units;
  });
  fill(rng, region('Wout'), width, spec.outputSize, 'glorot_uniform');
  return flat;
}
