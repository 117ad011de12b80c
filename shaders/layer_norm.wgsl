// Layer norm over the rows of x [B, N]: the forward and the row-parallel part of the backward run
// one workgroup per row (tree reduction over N, WG threads striding the row); the backward's
// dgamma/dbeta column sums run one thread per column, looping over rows (no float atomics).

struct Params {
  rows: u32,
  cols: u32,
  epsilon: f32,
  accumulate: u32, // backward: add the column sums into dgamma/dbeta
}

// Forward and backward declare different tensors on the same binding numbers; each entry point
// only touches its own set, so each auto layout sees one variable per binding.
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
// forward
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd_out: array<f32>;
// backward
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read> mean_in: array<f32>;
@group(0) @binding(5) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
@group(0) @binding(7) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(8) var<storage, read_write> dbeta: array<f32>;

// Threads per row workgroup: a power of two picked from N at plan time (short rows, small groups).
override WG: u32 = 256u;
const COLUMN_WG: u32 = 64u;

var<workgroup> partial: array<vec2<f32>, WG>;

// Sums v over the workgroup (two sums at once); every thread gets the total. Must be called from
// workgroup-uniform control flow. The trailing barrier lets the next call reuse `partial`.
fn workgroup_sum(lid: u32, v: vec2<f32>) -> vec2<f32> {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

fn row_index(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return wid.x + wid.y * groups.x;
}

@compute @workgroup_size(WG)
fn layer_norm_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let r = row_index(wid, groups);
  if (r >= params.rows) { return; }
  let base = r * params.cols;
  let n = f32(params.cols);
  var s = 0.0;
  for (var c = lid; c < params.cols; c += WG) { s += x[base + c]; }
  let m = workgroup_sum(lid, vec2<f32>(s, 0.0)).x / n;
  // Two passes (sum of squared deviations), as the reference: no cancellation in E[x^2] - m^2.
  var q = 0.0;
  for (var c = lid; c < params.cols; c += WG) {
    let d = x[base + c] - m;
    q += d * d;
  }
  let rs = 1.0 / sqrt(workgroup_sum(lid, vec2<f32>(q, 0.0)).x / n + params.epsilon);
  for (var c = lid; c < params.cols; c += WG) {
    y[base + c] = (x[base + c] - m) * rs * gamma[c] + beta[c];
  }
  if (lid == 0u) {
    mean_out[r] = m;
    rstd_out[r] = rs;
  }
}

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
  let c = gid.x + gid.y * groups.x * COLUMN_WG;
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
