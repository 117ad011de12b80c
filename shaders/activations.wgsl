// Activation functions and their derivatives, shared by the pointwise kernels and the matmul
// epilogues (included by their descriptors). The ids ACT_<NAME> (the index in src/ops/names.ts
// ACTIVATIONS) and SELU_ALPHA / SELU_SCALE (src/ops/defaults.ts) are generated into each kernel's
// header (src/kernels/activations.ts); derivatives take the pre-activation z. Numerically stable
// for |z| up to 1e4.

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const INV_SQRT_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;

// 1 / (1 + e^-z) without overflow: exp only ever sees a non-positive argument.
fn sigmoid_f(z: f32) -> f32 {
  let e = exp(-abs(z));
  let d = 1.0 / (1.0 + e);
  return select(e * d, d, z >= 0.0);
}

// WGSL's tanh is undefined-ish for huge |z| on some drivers (inf/inf); clamp where it is already +-1.
fn tanh_f(z: f32) -> f32 {
  return tanh(clamp(z, -15.0, 15.0));
}

// log(1 + e^z) = max(z, 0) + log1p(e^-|z|); log1p by series when its argument is tiny.
fn softplus_f(z: f32) -> f32 {
  let e = exp(-abs(z));
  let l = select(log(1.0 + e), e * (1.0 - 0.5 * e), e < 1e-4);
  return max(z, 0.0) + l;
}

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below f32 resolution near 1).
fn erf_f(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  let r = 1.0 - poly * exp(-a * a);
  return select(-r, r, x >= 0.0);
}

// expm1 for the ELU family: exp(z) - 1 loses all digits near 0, so use a short series there.
fn expm1_f(z: f32) -> f32 {
  return select(exp(z) - 1.0, z * (1.0 + z * (0.5 + z * (1.0 / 6.0))), abs(z) < 1e-3);
}

fn activate(id: u32, alpha: f32, z: f32) -> f32 {
  switch id {
    case ACT_RELU: { return max(z, 0.0); }
    case ACT_LEAKY_RELU: { return select(alpha * z, z, z > 0.0); }
    case ACT_ELU: { return select(alpha * expm1_f(min(z, 0.0)), z, z > 0.0); }
    case ACT_SELU: { return SELU_SCALE * select(SELU_ALPHA * expm1_f(min(z, 0.0)), z, z > 0.0); }
    case ACT_GELU: { return 0.5 * z * (1.0 + erf_f(z * INV_SQRT_2)); }
    case ACT_GELU_TANH: {
      // 0.5 * (1 + tanh(u)) == sigmoid(2u), which keeps its digits where tanh(u) is near -1.
      let u = SQRT_2_OVER_PI * (z + 0.044715 * z * z * z);
      return z * sigmoid_f(2.0 * u);
    }
    case ACT_SILU: { return z * sigmoid_f(z); }
    case ACT_SIGMOID: { return sigmoid_f(z); }
    case ACT_TANH: { return tanh_f(z); }
    case ACT_SOFTPLUS: { return softplus_f(z); }
    default: { return z; }
  }
}

// d act / d z at z. ReLU's derivative at exactly 0 is 0 (the convention the reference documents).
fn activate_grad(id: u32, alpha: f32, z: f32) -> f32 {
  switch id {
    case ACT_RELU: { return select(0.0, 1.0, z > 0.0); }
    case ACT_LEAKY_RELU: { return select(alpha, 1.0, z > 0.0); }
    case ACT_ELU: { return select(alpha * exp(min(z, 0.0)), 1.0, z > 0.0); }
    case ACT_SELU: { return SELU_SCALE * select(SELU_ALPHA * exp(min(z, 0.0)), 1.0, z > 0.0); }
    case ACT_GELU: { return 0.5 * (1.0 + erf_f(z * INV_SQRT_2)) + z * INV_SQRT_2PI * exp(-0.5 * min(z * z, 1e4)); }
    case ACT_GELU_TANH: {
      // With s = sigmoid(2u): 0.5(1 + tanh u) = s and 1 - tanh^2 u = 4 s (1 - s), free of cancellation.
      let u = SQRT_2_OVER_PI * (z + 0.044715 * z * z * z);
      let s = sigmoid_f(2.0 * u);
      return s + 2.0 * z * s * (1.0 - s) * SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * z * z);
    }
    case ACT_SILU: {
      let s = sigmoid_f(z);
      return s * (1.0 + z * (1.0 - s));
    }
    case ACT_SIGMOID: {
      let s = sigmoid_f(z);
      return s * (1.0 - s);
    }
    case ACT_TANH: {
      let t = tanh_f(z);
      return 1.0 - t * t;
    }
    case ACT_SOFTPLUS: { return sigmoid_f(z); }
    default: { return 1.0; }
  }
}
