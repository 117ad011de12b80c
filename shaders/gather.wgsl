// Batch assembly: dst[r, :] = src[indices[offset + r], :], offset = scalars[batchOffset], with the
// indices stored as f32 row ids. One thread per dst element. A position past the end of indices or
// an id outside [0, src rows) writes zeros, so a bad index can never read out of bounds. In a
// model batch src is the shared dataset; indices (a row order) may be per model, and dst is either
// per model (workgroup z = model, its own offset and order) or shared (gathered once, z = 1, with
// model 0's offset).

// Uniform params { n (dst elements, rows * cols), cols (row width F), src_rows, count (M, the
// length of indices) }, bindings scalars, src, indices, dst, WG and the slot SCALAR_BATCH_OFFSET
// come from the descriptor in src/kernels/structure.ts.

@compute @workgroup_size(WG)
fn gather_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  enter_model(gid.z);
  let i = flat_index(gid, groups, WG);
  if (i >= params.n) { return; }
  let r = i / params.cols;
  let c = i % params.cols;
  let offset = u32(scalars[base_scalars + SCALAR_BATCH_OFFSET]);
  // Compared as offset < count and r < count - offset so a huge offset cannot wrap around.
  var value = 0.0;
  if (offset < params.count && r < params.count - offset) {
    let id = indices[base_indices + offset + r];
    // u32() truncates and saturates; NaN and negative ids fail the first test.
    if (id >= 0.0 && u32(id) < params.src_rows) {
      value = src[base_src + u32(id) * params.cols + c];
    }
  }
  dst[base_dst + i] = value;
}
