// Bias gradient: out[j] (+)= sum_i dy[i, j]. One workgroup per block of COLS columns; LANES
// invocations per column stride down the rows (adjacent invocations read adjacent columns, so rows
// are read contiguously), then a tree reduction in workgroup memory combines the lanes. In a model
// batch workgroup z is the model: enter_model points base_dy and base_out at its slices.

// The overrides ACCUMULATE and LANES (invocations per column: up to 16, fewer for short columns),
// uniform params { rows, cols }, bindings dy and out, and COLS (columns per workgroup) come from
// the descriptor in src/kernels/linear.ts.

var<workgroup> partial: array<f32, COLS * LANES>;

// Column blocks may spill into y when there are more than 65535 of them (groups1d).
@compute @workgroup_size(COLS, LANES)
fn bias_grad(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  enter_model(wid.z);
  let col = (wid.x + wid.y * groups.x) * COLS + lid.x;
  var s = 0.0;
  if (col < params.cols) {
    for (var r = lid.y; r < params.rows; r += LANES) { s += dy[base_dy + r * params.cols + col]; }
  }
  partial[lid.y * COLS + lid.x] = s;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride /= 2u) {
    if (lid.y < stride) { partial[lid.y * COLS + lid.x] += partial[(lid.y + stride) * COLS + lid.x]; }
    workgroupBarrier();
  }
  if (lid.y == 0u && col < params.cols) {
    let total = partial[lid.x];
    out[base_out + col] = select(total, out[base_out + col] + total, ACCUMULATE);
  }
}
