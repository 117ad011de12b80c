// Matmul for small products: one invocation per SMALL_COLS consecutive outputs of a row, looping
// over k (each a value read once for all of them), with no workgroup memory and no barriers, and the same fused epilogue (finish() from matmul_epilogue.wgsl) as the
// tiled kernels. On SIMD CPU adapters (lavapipe) a barrier costs more than a small product's
// arithmetic: a model batch of B-sized layers runs one workgroup per model, so this is its kernel.
// The overrides, uniform and bindings are the buffer kernel's (src/kernels/matmul/descriptors.ts);
// WG invocations per workgroup; workgroup z is the model (enter_model).

fn small_a(row: u32, kk: u32) -> f32 {
  if (TRANS_A) { return a[base_a + kk * params.m + row]; }
  return a[base_a + row * params.k + kk];
}

fn small_b(kk: u32, col: u32) -> f32 {
  if (TRANS_B) { return b[base_b + col * params.k + kk]; }
  return b[base_b + kk * params.n + col];
}

@compute @workgroup_size(WG)
fn matmul(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  enter_model(gid.z);
  enter_epilogue();
  let per_row = (params.n + SMALL_COLS - 1u) / SMALL_COLS;
  let item = flat_index(gid, groups, WG);
  if (item >= params.m * per_row) { return; }
  let row = item / per_row;
  let col0 = (item % per_row) * SMALL_COLS;
  let cols = min(SMALL_COLS, params.n - col0);
  var acc: array<f32, SMALL_COLS>;
  for (var kk = 0u; kk < params.k; kk++) {
    let av = small_a(row, kk);
    for (var j = 0u; j < cols; j++) { acc[j] += av * small_b(kk, col0 + j); }
  }
  for (var j = 0u; j < cols; j++) { finish(row * params.n + col0 + j, col0 + j, acc[j]); }
}
