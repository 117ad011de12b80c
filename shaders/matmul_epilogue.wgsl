// What both matmul kernels share: finish(), which applies the fused bias/activation (forward) or
// activation derivative (backward) to one output element. Included by shaders/matmul.wgsl and
// shaders/matmul_texel.wgsl. The variant switches (overrides TRANS_A: a is [K, M]; TRANS_B: b is
// [N, K]; HAS_BIAS; ACT, the forward activation or the one differentiated when GRAD_OF; GRAD_OF:
// epilogue = product * activate_grad(ACT, z); WRITE_PRE: store z = product + bias into pre;
// ACCUMULATE), the uniform params { m, n, k, alpha, rows_a, rows_b (texel kernel only) } and the bindings a, b, bias, z, out, pre, act
// come from the descriptors in src/kernels/matmul/descriptors.ts. In a model batch every binding is
// read at its model's base_<binding> (enter_model); when the models' activations differ, ACT is
// ACT_PER_MODEL and each model's id and alpha come from its row of the table `act` instead.

var<private> model_act: u32;
var<private> model_alpha: f32;

// Reads this model's activation row once per invocation (only in the per-model variant).
fn enter_epilogue() {
  if (ACT == ACT_PER_MODEL) {
    model_act = bitcast<u32>(act[base_act]);
    model_alpha = act[base_act + 1u];
  }
}

// The activation (or its derivative) of this model: the override constant, so the compiler folds
// the switch away, unless the models of the batch differ.
fn epilogue_activate(v: f32) -> f32 {
  if (ACT == ACT_PER_MODEL) { return activate(model_act, model_alpha, v); }
  return activate(ACT, params.alpha, v);
}
fn epilogue_activate_grad(v: f32) -> f32 {
  if (ACT == ACT_PER_MODEL) { return activate_grad(model_act, model_alpha, v); }
  return activate_grad(ACT, params.alpha, v);
}

// The fused epilogue for one output element (idx = row * n + col).
fn finish(idx: u32, col: u32, product: f32) {
  var v = product;
  if (GRAD_OF) {
    v *= epilogue_activate_grad(z[base_z + idx]);
  } else {
    if (HAS_BIAS) { v += bias[base_bias + col]; }
    if (WRITE_PRE) { pre[base_pre + idx] = v; }
    v = epilogue_activate(v);
  }
  if (ACCUMULATE) { v += out[base_out + idx]; }
  out[base_out + idx] = v;
}
