// What both matmul kernels share: the variant switches (override constants), the shape uniform,
// the epilogue's bindings and finish(), which applies the fused bias/activation (forward) or
// activation derivative (backward) to one output element. Prepended to shaders/matmul.wgsl and
// shaders/matmul_texel.wgsl, which add their own bindings 1 and 2 for the operands a and b.

override TRANS_A: bool = false;   // a is [K, M]: read a[k, m] instead of a[m, k]
override TRANS_B: bool = false;   // b is [N, K]: read b[n, k] instead of b[k, n]
override HAS_BIAS: bool = false;
override ACT: u32 = 0u;           // forward activation, or the one differentiated when GRAD_OF
override GRAD_OF: bool = false;   // epilogue = product * activate_grad(ACT, z)
override WRITE_PRE: bool = false; // store z = product + bias into pre
override ACCUMULATE: bool = false;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  alpha: f32,  // activation parameter (leaky_relu / elu)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> z: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read_write> pre: array<f32>;

// The fused epilogue for one output element (idx = row * n + col).
fn finish(idx: u32, col: u32, product: f32) {
  var v = product;
  if (GRAD_OF) {
    v *= activate_grad(ACT, params.alpha, z[idx]);
  } else {
    if (HAS_BIAS) { v += bias[col]; }
    if (WRITE_PRE) { pre[idx] = v; }
    v = activate(ACT, params.alpha, v);
  }
  if (ACCUMULATE) { v += out[idx]; }
  out[idx] = v;
}
