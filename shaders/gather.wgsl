// Batch assembly: dst[r, :] = src[indices[offset + r], :], offset = scalars[batchOffset], with the
// indices stored as f32 row ids. One thread per dst element. A position past the end of indices or
// an id outside [0, src rows) writes zeros, so a bad index can never read out of bounds.

struct Params {
  n: u32,         // dst elements (rows * cols)
  cols: u32,      // row width F
  src_rows: u32,
  count: u32,     // M, the length of indices
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scalars: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read> indices: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

const WG: u32 = 256u;
const SCALAR_BATCH_OFFSET: u32 = 3u; // SCALAR.batchOffset in src/ops/args.ts

@compute @workgroup_size(WG)
fn gather_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.n) { return; }
  let r = i / params.cols;
  let c = i % params.cols;
  let offset = u32(scalars[SCALAR_BATCH_OFFSET]);
  // Compared as offset < count and r < count - offset so a huge offset cannot wrap around.
  var value = 0.0;
  if (offset < params.count && r < params.count - offset) {
    let id = indices[offset + r];
    // u32() truncates and saturates; NaN and negative ids fail the first test.
    if (id >= 0.0 && u32(id) < params.src_rows) {
      value = src[u32(id) * params.cols + c];
    }
  }
  dst[i] = value;
}
