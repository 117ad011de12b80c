// Layer norm backward: dx per row, and dgamma / dbeta (added into when params.accumulate != 0).
// Includes layer_norm.wgsl (workgroup_sum, row_index); bindings x, gamma, dy, mean_in, rstd_in, dx,
// dgamma, dbeta and COLUMN_WG come from the descriptor in src/kernels/structure.ts. Both entry
// points share one bind group, so each touches the bindings it does not use.

// dx = rstd * (g - mean(g) - x̂ * mean(g * x̂)) with g = dy * gamma, x̂ = (x - mean) * rstd.
@compute @workgroup_size(WG)
fn layer_norm_backward_rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  _ = dgamma[0];
  _ = dbeta[0];
  let r = row_index(wid, groups);
  if (r >= params.rows) { return; }
  let base = r * params.cols;
  let m = mean_in[r];
  let rs = rstd_in[r];
  var acc = vec2<f32>(0.0);
  for (var c = lid; c < params.cols; c += WG) {
    let g = dy[base + c] * gamma[c];
    acc += vec2<f32>(g, g * (x[base + c] - m) * rs);
  }
  let means = workgroup_sum(lid, acc) / f32(params.cols);
  for (var c = lid; c < params.cols; c += WG) {
    let g = dy[base + c] * gamma[c];
    let xhat = (x[base + c] - m) * rs;
    dx[base + c] = rs * (g - means.x - xhat * means.y);
  }
}

// dgamma[c] (+)= Σ_r dy[r, c] * x̂[r, c], dbeta[c] (+)= Σ_r dy[r, c]; neighbouring threads read
// neighbouring columns, so each row step is one coalesced read.
@compute @workgroup_size(COLUMN_WG)
fn layer_norm_backward_columns(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  _ = gamma[0];
  _ = dx[0];
  let c = flat_index(gid, groups, COLUMN_WG);
  if (c >= params.cols) { return; }
  var sum_g = 0.0;
  var sum_b = 0.0;
  for (var r = 0u; r < params.rows; r++) {
    let d = dy[r * params.cols + c];
    sum_g += d * (x[r * params.cols + c] - mean_in[r]) * rstd_in[r];
    sum_b += d;
  }
  if (params.accumulate != 0u) {
    sum_g += dgamma[c];
    sum_b += dbeta[c];
  }
  dgamma[c] = sum_g;
  dbeta[c] = sum_b;
}
