// The matmul for CPU adapters that run invocations as SIMD lanes (Mesa's lavapipe): the same
// product and fused epilogue as matmul.wgsl, but a and b are read as rgba32float storage textures
// (read access) holding the buffers' floats in order, 4 per texel and TEXELS_PER_ROW texels per
// texture row. There a storage-buffer read inside a loop costs a bounds-checked, branchy load per
// lane and per float, while a texel load gathers 4 floats per lane without branches; llvmpipe's
// storage-image load is cheaper than its sampled-texture one (docs/perf.md changes 8, 10 and 12).
// A workgroup is one subgroup: its LANES lanes compute the same RM rows, each for its own RN
// columns. Each lane fetches its own columns of opB; the block's rows of opA are fetched once, a
// share per lane, and passed round by subgroupShuffle. No workgroup memory or barriers. Needs k,
// and the dimension each operand is contiguous along, to be multiples of 4, and a subgroup of
// exactly LANES invocations (src/kernels/matmul/select.ts and tuning.ts check). Generated from the
// descriptor in src/kernels/matmul/descriptors.ts: `enable subgroups`, the texture bindings a and b,
// TEXELS_PER_ROW (the texture width src/kernels/matmul/texel-operands.ts fills rows of), LANES
// (invocations per workgroup = lanes per subgroup), RM (rows per workgroup, a multiple of LANES)
// and RN (columns per lane, a multiple of 4). In a model batch workgroup z is the model: each
// per-model operand's texture holds the models' copies one below the other, params.rows_a (rows_b)
// texture rows apart (0: one copy every model shares, such as the data batch).

const CN: u32 = RN / 4u;              // ... as vec4s
const AT: u32 = RM / LANES;           // opA texels each lane fetches per 4 steps of k

// The 4 floats starting at float 4 * f of the operand's copy that starts at texture row `row0`.
fn texel(t: texture_storage_2d<rgba32float, read>, row0: u32, f: u32) -> vec4<f32> {
  return textureLoad(t, vec2<u32>(f % TEXELS_PER_ROW, row0 + f / TEXELS_PER_ROW));
}

@compute @workgroup_size(LANES)
fn matmul(@builtin(subgroup_invocation_id) lane: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  enter_model(wid.z);
  enter_epilogue();
  let arow = wid.z * params.rows_a;
  let brow = wid.z * params.rows_b;
  let m = params.m;
  let n = params.n;
  let k4s = params.k / 4u;
  let row0 = wid.y * RM;
  // This lane's columns: vec4 group c is columns 4 (cg0 + LANES c) .. + 3, so the lanes' groups
  // sit side by side and a fetch of plain b reads LANES neighbouring texels.
  let cg0 = wid.x * LANES * CN + lane;
  // Texels (at k = 0) this lane fetches. Rows and columns past the edge are clamped to the last
  // one, so every fetch is in bounds and finite; the store drops their outputs.
  // Plain a, share g: row row0 + LANES g + lane. Transposed a, share g: k = lane % 4 (+ 4 k4),
  // rows row0 + LANES g + 4 (lane / 4) .. + 3 (whole texels: m is a multiple of 4).
  var ashare: array<u32, AT>;
  for (var g = 0u; g < AT; g++) {
    if (TRANS_A) {
      ashare[g] = (lane % 4u) * (m / 4u) + min(row0 + LANES * g + 4u * (lane / 4u), m - 4u) / 4u;
    } else {
      ashare[g] = min(row0 + LANES * g + lane, m - 1u) * k4s;
    }
  }
  // Plain b: texel bcol[c] holds group c. Transposed b: column 4 (cg0 + LANES c) + q starts at texel bcol[4c + q].
  var bcol: array<u32, RN>;
  for (var j = 0u; j < RN; j++) {
    if (TRANS_B) { bcol[j] = min(4u * (cg0 + LANES * (j / 4u)) + j % 4u, n - 1u) * k4s; } else if (j < CN) { bcol[j] = min(cg0 + LANES * j, n / 4u - 1u); }
  }
  // acc[i * CN + c][q] = out[row0 + i, 4 (cg0 + LANES c) + q]
  var acc: array<vec4<f32>, RM * CN>;
  for (var k4 = 0u; k4 < k4s; k4++) {
    // ak[i] = opA[row0 + i, 4 k4 .. + 3], gathered from the lanes that fetched it.
    var ak: array<vec4<f32>, RM>;
    var at: array<vec4<f32>, AT>;
    for (var g = 0u; g < AT; g++) {
      if (TRANS_A) { at[g] = texel(a, arow, 4u * k4 * (m / 4u) + ashare[g]); } else { at[g] = texel(a, arow, ashare[g] + k4); }
    }
    for (var i = 0u; i < RM; i++) {
      let r = i % LANES;
      if (TRANS_A) {
        let v = at[i / LANES][r % 4u];
        let src = 4u * (r / 4u);
        ak[i] = vec4(subgroupShuffle(v, src), subgroupShuffle(v, src + 1u), subgroupShuffle(v, src + 2u), subgroupShuffle(v, src + 3u));
      } else {
        ak[i] = subgroupShuffle(at[i / LANES], r);
      }
    }
    // bk[kk * CN + c] = opB[4 k4 + kk, this lane's group c]
    var bk: array<vec4<f32>, 4u * CN>;
    if (TRANS_B) {
      for (var c = 0u; c < CN; c++) {
        var t: array<vec4<f32>, 4>;
        for (var q = 0u; q < 4u; q++) { t[q] = texel(b, brow, bcol[4u * c + q] + k4); }
        for (var kk = 0u; kk < 4u; kk++) { bk[kk * CN + c] = vec4(t[0][kk], t[1][kk], t[2][kk], t[3][kk]); }
      }
    } else {
      for (var kk = 0u; kk < 4u; kk++) {
        for (var c = 0u; c < CN; c++) { bk[kk * CN + c] = texel(b, brow, (4u * k4 + kk) * (n / 4u) + bcol[c]); }
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
      let col = 4u * (cg0 + LANES * (j / 4u)) + j % 4u;
      if (col < n) { finish(row * n + col, col, acc[i * CN + j / 4u][j % 4u]); }
    }
  }
}
