// Layer norm over the rows of x [B, N]: the forward (layer_norm_forward.wgsl) and the row-parallel
// part of the backward (layer_norm_backward.wgsl) run one workgroup per row (tree reduction over N,
// WG threads striding the row); the backward's dgamma/dbeta column sums run one thread per column,
// looping over rows (no float atomics). This file is what both share; WG is an override (a power
// of two picked from N at plan time: short rows, small groups), uniform params { rows, cols,
// epsilon, accumulate } and the bindings come from the descriptors in src/kernels/structure.ts.

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
