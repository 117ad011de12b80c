// Elementwise kernels: activation forward and backward, residual add, and row-wise softmax.
// Uniform params { n (elements, or rows for softmax), cols (softmax row length) }, bindings in0,
// in1, out0 and act (the activation id and alpha: one row, or one per model of a batch), WG and
// SOFTMAX_WG come from the descriptor in src/kernels/pointwise.ts; activations.wgsl is included.
// Every entry starts with enter_model(wid.z): z is the model of a batch, base_* its slices.

// One-input kernels still touch in1 (`_ = in1[0]`) so every entry point has the same auto layout.
@compute @workgroup_size(WG)
fn activation_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  _ = in1[0];
  enter_model(gid.z);
  let i = flat_index(gid, groups, WG);
  if (i >= params.n) { return; }
  out0[base_out0 + i] = activate(bitcast<u32>(act[base_act]), act[base_act + 1u], in0[base_in0 + i]);
}

// in0 = z, in1 = dy.
@compute @workgroup_size(WG)
fn activation_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  enter_model(gid.z);
  let i = flat_index(gid, groups, WG);
  if (i >= params.n) { return; }
  out0[base_out0 + i] = in1[base_in1 + i] * activate_grad(bitcast<u32>(act[base_act]), act[base_act + 1u], in0[base_in0 + i]);
}

@compute @workgroup_size(WG)
fn add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  _ = act[0];
  enter_model(gid.z);
  let i = flat_index(gid, groups, WG);
  if (i >= params.n) { return; }
  out0[base_out0 + i] = in0[base_in0 + i] + in1[base_in1 + i];
}

// One thread per row: softmax rows are short (class counts), so a row loop beats a workgroup reduce.
@compute @workgroup_size(SOFTMAX_WG)
fn softmax_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  _ = in1[0];
  _ = act[0];
  enter_model(gid.z);
  let r = flat_index(gid, groups, SOFTMAX_WG);
  if (r >= params.n) { return; }
  let base = r * params.cols;
  let x = base_in0 + base;
  let y = base_out0 + base;
  var m = in0[x];
  for (var c = 1u; c < params.cols; c++) { m = max(m, in0[x + c]); }
  var s = 0.0;
  for (var c = 0u; c < params.cols; c++) { s += exp(in0[x + c] - m); }
  let inv = 1.0 / s;
  for (var c = 0u; c < params.cols; c++) { out0[y + c] = exp(in0[x + c] - m) * inv; }
}
