// What both matmul kernels share: finish(), which applies the fused bias/activation (forward) or
// activation derivative (backward) to one output element. Included by shaders/matmul.wgsl and
// shaders/matmul_texel.wgsl. The variant switches (overrides TRANS_A: a is [K, M]; TRANS_B: b is
// [N, K]; HAS_BIAS; ACT, the forward activation or the one differentiated when GRAD_OF; GRAD_OF:
// epilogue = product * activate_grad(ACT, z); WRITE_PRE: store z = product + bias into pre;
// ACCUMULATE), the uniform params { m, n, k, alpha } and the bindings a, b, bias, z, out, pre come
// from the descriptors in src/kernels/matmul/descriptors.ts.

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
