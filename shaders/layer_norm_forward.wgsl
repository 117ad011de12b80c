// Layer norm forward: y = (x - mean) * rstd * gamma + beta per row, saving mean and rstd for the
// backward. Includes layer_norm.wgsl (workgroup_sum, row_index); bindings x, gamma, beta, y,
// mean_out, rstd_out come from the descriptor in src/kernels/structure.ts. In a model batch
// workgroup z is the model: every binding (x, gamma, beta, y, mean, rstd) is read at its slice.

@compute @workgroup_size(WG)
fn layer_norm_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  enter_model(wid.z);
  let r = row_index(wid, groups);
  if (r >= params.rows) { return; }
  let xb = base_x + r * params.cols;
  let yb = base_y + r * params.cols;
  let n = f32(params.cols);
  var s = 0.0;
  for (var c = lid; c < params.cols; c += WG) { s += x[xb + c]; }
  let m = workgroup_sum(lid, vec2<f32>(s, 0.0)).x / n;
  // Two passes (sum of squared deviations), as the reference: no cancellation in E[x^2] - m^2.
  var q = 0.0;
  for (var c = lid; c < params.cols; c += WG) {
    let d = x[xb + c] - m;
    q += d * d;
  }
  let rs = 1.0 / sqrt(workgroup_sum(lid, vec2<f32>(q, 0.0)).x / n + params.epsilon);
  for (var c = lid; c < params.cols; c += WG) {
    y[yb + c] = (x[xb + c] - m) * rs * gamma[base_gamma + c] + beta[base_beta + c];
  }
  if (lid == 0u) {
    mean_out[base_mean_out + r] = m;
    rstd_out[base_rstd_out + r] = rs;
  }
}
