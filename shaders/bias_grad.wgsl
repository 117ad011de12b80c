// Bias gradient: out[j] (+)= sum_i dy[i, j]. One workgroup per block of COLS columns; LANES
// invocations per column stride down the rows (adjacent invocations read adjacent columns, so rows
// are read contiguously), then a tree reduction in workgroup memory combines the lanes.

override ACCUMULATE: bool = false;

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const COLS: u32 = 16u;
const LANES: u32 = 16u;

var<workgroup> partial: array<f32, COLS * LANES>;

// Column blocks may spill into y when there are more than 65535 of them (groups1d).
@compute @workgroup_size(COLS, LANES)
fn bias_grad(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let col = (wid.x + wid.y * groups.x) * COLS + lid.x;
  var s = 0.0;
  if (col < params.cols) {
    for (var r = lid.y; r < params.rows; r += LANES) { s += dy[r * params.cols + col]; }
  }
  partial[lid.y * COLS + lid.x] = s;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride /= 2u) {
    if (lid.y < stride) { partial[lid.y * COLS + lid.x] += partial[(lid.y + stride) * COLS + lid.x]; }
    workgroupBarrier();
  }
  if (lid.y == 0u && col < params.cols) {
    let total = partial[lid.x];
    out[col] = select(total, out[col] + total, ACCUMULATE);
  }
}
