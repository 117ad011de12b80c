// The matmul for CPU adapters that run invocations as SIMD lanes (Mesa's lavapipe): the same
// product and fused epilogue as matmul.wgsl, but a and b are read as rgba32float textures holding
// the buffers' floats in order, 4 per texel and TEXELS_PER_ROW texels per texture row. There a
// storage-buffer read inside a loop costs a bounds-checked, branchy load per lane and per float,
// while a texel fetch gathers 4 floats per lane without branches (docs/perf.md change 8), so each
// invocation holds an RM x RN block and reads (RM + RN) texels per 4 steps of k. No workgroup
// memory or barriers: the CPU caches share what invocations re-read. Needs k, and the dimension
// each operand is contiguous along, to be multiples of 4 (src/kernels/linear.ts checks).

@group(0) @binding(1) var a: texture_2d<f32>;
@group(0) @binding(2) var b: texture_2d<f32>;

const TEXELS_PER_ROW: u32 = 256u;     // texture width; src/kernels/texel-operands.ts fills rows of it
const LANES: u32 = 8u;                // invocations per workgroup: one 256-bit SIMD group
const RM: u32 = 16u;                  // rows per invocation (src/kernels/tuning.ts sets RM and RN)
const RN: u32 = 16u;                  // columns per invocation
const CN: u32 = RN / 4u;              // ... as vec4s

// The 4 floats starting at float 4 * f of the operand.
fn texel(t: texture_2d<f32>, f: u32) -> vec4<f32> {
  return textureLoad(t, vec2<u32>(f % TEXELS_PER_ROW, f / TEXELS_PER_ROW), 0);
}

@compute @workgroup_size(LANES)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let m = params.m;
  let n = params.n;
  let k4s = params.k / 4u;
  let row0 = wid.y * RM;
  let col0 = (wid.x * LANES + lid.x) * RN;
  // Texel offsets of this block's rows of opA and columns of opB. Edge blocks clamp them to the
  // last row / column, so every read is in bounds and finite, and drop those outputs at the store.
  var arow: array<u32, RM>;   // plain a: row i starts at texel arow[i]; transposed a: texel arow[r] of k = 0 holds rows 4r..4r+3
  var bcol: array<u32, RN>;   // plain b: texel bcol[c] of k = 0 holds columns 4c..4c+3; transposed b: column j starts at texel bcol[j]
  for (var i = 0u; i < RM; i++) {
    if (TRANS_A) { arow[i] = min(row0 + 4u * i, m - 4u) / 4u; } else { arow[i] = min(row0 + i, m - 1u) * k4s; }
  }
  for (var j = 0u; j < RN; j++) {
    if (TRANS_B) { bcol[j] = min(col0 + j, n - 1u) * k4s; } else { bcol[j] = min(col0 + 4u * j, n - 4u) / 4u; }
  }
  // acc[i * CN + c][q] = out[row0 + i, col0 + 4c + q]
  var acc: array<vec4<f32>, RM * CN>;
  for (var k4 = 0u; k4 < k4s; k4++) {
    // ak[i] = opA[row0 + i, 4 k4 .. 4 k4 + 3]; bk[kk * CN + c] = opB[4 k4 + kk, col0 + 4c .. + 3]
    var ak: array<vec4<f32>, RM>;
    var bk: array<vec4<f32>, 4u * CN>;
    if (TRANS_A) {
      for (var r = 0u; r < RM / 4u; r++) {
        var t: array<vec4<f32>, 4>;
        for (var kk = 0u; kk < 4u; kk++) { t[kk] = texel(a, (4u * k4 + kk) * (m / 4u) + arow[r]); }
        for (var q = 0u; q < 4u; q++) { ak[4u * r + q] = vec4(t[0][q], t[1][q], t[2][q], t[3][q]); }
      }
    } else {
      for (var i = 0u; i < RM; i++) { ak[i] = texel(a, arow[i] + k4); }
    }
    if (TRANS_B) {
      for (var c = 0u; c < CN; c++) {
        var t: array<vec4<f32>, 4>;
        for (var q = 0u; q < 4u; q++) { t[q] = texel(b, bcol[4u * c + q] + k4); }
        for (var kk = 0u; kk < 4u; kk++) { bk[kk * CN + c] = vec4(t[0][kk], t[1][kk], t[2][kk], t[3][kk]); }
      }
    } else {
      for (var kk = 0u; kk < 4u; kk++) {
        for (var c = 0u; c < CN; c++) { bk[kk * CN + c] = texel(b, (4u * k4 + kk) * (n / 4u) + bcol[c]); }
      }
    }
    for (var i = 0u; i < RM; i++) {
      for (var c = 0u; c < CN; c++) {
        acc[i * CN + c] += ak[i].x * bk[c] + ak[i].y * bk[CN + c] + ak[i].z * bk[2u * CN + c] + ak[i].w * bk[3u * CN + c];
      }
    }
  }
  for (var i = 0u; i < RM; i++) {
    let row = row0 + i;
    if (row >= m) { break; }
    for (var j = 0u; j < RN; j++) {
      let col = col0 + j;
      if (col >= n) { break; }
      finish(row * n + col, col, acc[i * CN + j / 4u][j % 4u]);
    }
  }
}
