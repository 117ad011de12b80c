// Elementwise kernels: activation forward and backward, residual add, and row-wise softmax.
// Prepended with activations.wgsl. 1-D dispatches may spill into y when x exceeds 65535 groups,
// so the flat index is rebuilt from both.

struct Params {
  n: u32,        // elements (activation, add) or rows (softmax)
  cols: u32,     // softmax row length
  act: u32,      // activation id
  alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> in0: array<f32>;
@group(0) @binding(2) var<storage, read> in1: array<f32>;
@group(0) @binding(3) var<storage, read_write> out0: array<f32>;

const WG: u32 = 256u;

fn flat(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

// One-input kernels still touch in1 (`_ = in1[0]`) so every entry point has the same auto layout.
@compute @workgroup_size(WG)
fn activation_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  _ = in1[0];
  let i = flat(gid, groups);
  if (i >= params.n) { return; }
  out0[i] = activate(params.act, params.alpha, in0[i]);
}

// in0 = z, in1 = dy.
@compute @workgroup_size(WG)
fn activation_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= params.n) { return; }
  out0[i] = in1[i] * activate_grad(params.act, params.alpha, in0[i]);
}

@compute @workgroup_size(WG)
fn add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= params.n) { return; }
  out0[i] = in0[i] + in1[i];
}

// One thread per row: softmax rows are short (class counts), so a row loop beats a workgroup reduce.
@compute @workgroup_size(64)
fn softmax_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  _ = in1[0];
  let r = gid.x + gid.y * groups.x * 64u;
  if (r >= params.n) { return; }
  let base = r * params.cols;
  var m = in0[base];
  for (var c = 1u; c < params.cols; c++) { m = max(m, in0[base + c]); }
  var s = 0.0;
  for (var c = 0u; c < params.cols; c++) { s += exp(in0[base + c] - m); }
  let inv = 1.0 / s;
  for (var c = 0u; c < params.cols; c++) { out0[base + c] = exp(in0[base + c] - m) * inv; }
}
