// Layer norm backward: dx per row, and dgamma or dbeta (added into when params.accumulate != 0),
// one per dispatch of the columns entry (override BETA), into the binding dparam. Includes
// layer_norm.wgsl (workgroup_sum, row_index); bindings x, gamma, dy, mean_in, rstd_in, dx, dparam
// and COLUMN_WG come from the descriptor in src/kernels/structure.ts. Both entry points have the
// same bindings, so each touches the ones it does not use. In a model batch workgroup z is the
// model: each binding is read and written at that model's slice.

// dx = rstd * (g - mean(g) - x̂ * mean(g * x̂)) with g = dy * gamma, x̂ = (x - mean) * rstd.
@compute @workgroup_size(WG)
fn layer_norm_backward_rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  _ = dparam[0];
  enter_model(wid.z);
  let r = row_index(wid, groups);
  if (r >= params.rows) { return; }
  let xb = base_x + r * params.cols;
  let dyb = base_dy + r * params.cols;
  let dxb = base_dx + r * params.cols;
  let m = mean_in[base_mean_in + r];
  let rs = rstd_in[base_rstd_in + r];
  var acc = vec2<f32>(0.0);
  for (var c = lid; c < params.cols; c += WG) {
    let g = dy[dyb + c] * gamma[base_gamma + c];
    acc += vec2<f32>(g, g * (x[xb + c] - m) * rs);
  }
  let means = workgroup_sum(lid, acc) / f32(params.cols);
  for (var c = lid; c < params.cols; c += WG) {
    let g = dy[dyb + c] * gamma[base_gamma + c];
    let xhat = (x[xb + c] - m) * rs;
    dx[dxb + c] = rs * (g - means.x - xhat * means.y);
  }
}

// dgamma[c] (+)= Σ_r dy[r, c] * x̂[r, c] or, with BETA, dbeta[c] (+)= Σ_r dy[r, c]; neighbouring
// threads read neighbouring columns, so each row step is one coalesced read.
@compute @workgroup_size(COLUMN_WG)
fn layer_norm_backward_columns(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  _ = gamma[0];
  _ = dx[0];
  enter_model(gid.z);
  let c = flat_index(gid, groups, COLUMN_WG);
  if (c >= params.cols) { return; }
  var sum = 0.0;
  for (var r = 0u; r < params.rows; r++) {
    let d = dy[base_dy + r * params.cols + c];
    if (BETA) {
      sum += d;
    } else {
      sum += d * (x[base_x + r * params.cols + c] - mean_in[base_mean_in + r]) * rstd_in[base_rstd_in + r];
    }
  }
  let i = base_dparam + c;
  if (params.accumulate != 0u) { sum += dparam[i]; }
  dparam[i] = sum;
}
