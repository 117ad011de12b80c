// Float64 definitions of every activation and its derivative: the specification the WGSL in
// shaders/activations.wgsl implements in f32. Derivatives take the pre-activation z; ReLU's
// derivative at exactly 0 is 0, leaky ReLU's is alpha.

import type { Activation } from '../ops/args.js';

export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function defaultAlpha(name: Activation['name']): number {
  return name === 'leaky_relu' ? 0.01 : name === 'elu' ? 1 : 0;
}

function alphaOf(a: Activation): number {
  return a.alpha ?? defaultAlpha(a.name);
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** erf in float64: Maclaurin series for |x| < 3, continued fraction for erfc beyond (both < 1e-13). */
export function erf(x: number): number {
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 100; n++) {
      term *= (-a * a) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))), evaluated bottom-up.
    let f = a;
    for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

export function activate(act: Activation, z: number): number {
  const alpha = alphaOf(act);
  switch (act.name) {
    case 'identity':
      return z;
    case 'relu':
      return Math.max(z, 0);
    case 'leaky_relu':
      return z > 0 ? z : alpha * z;
    case 'elu':
      return z > 0 ? z : alpha * Math.expm1(z);
    case 'selu':
      return SELU_SCALE * (z > 0 ? z : SELU_ALPHA * Math.expm1(z));
    case 'gelu':
      return 0.5 * z * (1 + erf(z / Math.SQRT2));
    case 'gelu_tanh':
      return 0.5 * z * (1 + Math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z * z * z)));
    case 'silu':
      return z * sigmoid(z);
    case 'sigmoid':
      return sigmoid(z);
    case 'tanh':
      return Math.tanh(z);
    case 'softplus':
      return softplus(z);
    default:
      return act.name satisfies never;
  }
}

export function activateGrad(act: Activation, z: number): number {
  const alpha = alphaOf(act);
  switch (act.name) {
    case 'identity':
      return 1;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leaky_relu':
      return z > 0 ? 1 : alpha;
    case 'elu':
      return z > 0 ? 1 : alpha * Math.exp(z);
    case 'selu':
      return SELU_SCALE * (z > 0 ? 1 : SELU_ALPHA * Math.exp(z));
    case 'gelu':
      return 0.5 * (1 + erf(z / Math.SQRT2)) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    case 'gelu_tanh': {
      const t = Math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z * z * z));
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * z * z);
    }
    case 'silu': {
      const s = sigmoid(z);
      return s * (1 + z * (1 - s));
    }
    case 'sigmoid': {
      const s = sigmoid(z);
      return s * (1 - s);
    }
    case 'tanh': {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case 'softplus':
      return sigmoid(z);
    default:
      return act.name satisfies never;
  }
}
