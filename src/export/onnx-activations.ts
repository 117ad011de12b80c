// Each activation as ONNX nodes with our exact semantics (src/reference/activations.ts). Opset 17
// has no Gelu or Swish, so gelu (erf form), gelu_tanh and silu are decomposed into exact
// elementwise ops; opset 20 may use native Gelu. Float parameters go out as FLOAT attributes.

import type { Activation } from '../ops/args.js';
import { defaultAlpha, SELU_ALPHA, SELU_SCALE } from '../ops/defaults.js';
import type { GraphBuilder } from './graph-builder.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Appends `act` applied to `x`; returns the output name (x itself for identity). */
export function activationNodes(g: GraphBuilder, act: Activation, x: string, base: string, opset: number): string {
  const alpha = act.alpha ?? defaultAlpha(act.name);
  switch (act.name) {
    case 'identity':
      return x;
    case 'relu':
      return g.node('Relu', [x], base);
    case 'leaky_relu':
      return g.node('LeakyRelu', [x], base, { alpha });
    case 'elu':
      return g.node('Elu', [x], base, { alpha });
    case 'selu':
      // ONNX's defaults are our constants rounded to f32; written out so no runtime's default is trusted.
      return g.node('Selu', [x], base, { alpha: SELU_ALPHA, gamma: SELU_SCALE });
    case 'gelu': {
      if (opset >= 20) return g.node('Gelu', [x], base, { approximate: 'none' });
      // 0.5 * x * (1 + erf(x / sqrt(2)))
      const e = g.node('Erf', [g.node('Div', [x, g.scalar(Math.SQRT2)], `${base}_scaled`)], `${base}_erf`);
      return halfXTimesOnePlus(g, x, e, base);
    }
    case 'gelu_tanh': {
      if (opset >= 20) return g.node('Gelu', [x], base, { approximate: 'tanh' });
      // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
      const x3 = g.node('Mul', [g.node('Mul', [x, x], `${base}_x2`), x], `${base}_x3`);
      const inner = g.node('Add', [x, g.node('Mul', [x3, g.scalar(0.044715)], `${base}_cubic`)], `${base}_inner`);
      const t = g.node('Tanh', [g.node('Mul', [inner, g.scalar(SQRT_2_OVER_PI)], `${base}_arg`)], `${base}_tanh`);
      return halfXTimesOnePlus(g, x, t, base);
    }
    case 'silu':
      return g.node('Mul', [x, g.node('Sigmoid', [x], `${base}_sigmoid`)], base);
    case 'sigmoid':
      return g.node('Sigmoid', [x], base);
    case 'tanh':
      return g.node('Tanh', [x], base);
    case 'softplus':
      return g.node('Softplus', [x], base);
    default:
      return act.name satisfies never;
  }
}

/** 0.5 * x * (1 + t), the shared tail of both gelu forms. */
function halfXTimesOnePlus(g: GraphBuilder, x: string, t: string, base: string): string {
  const onePlus = g.node('Add', [t, g.scalar(1)], `${base}_one_plus`);
  return g.node('Mul', [g.node('Mul', [x, g.scalar(0.5)], `${base}_half_x`), onePlus], base);
}
