// Tiled matmul with fused epilogues: out (+)= act(opA(a) . opB(b) + bias), or the backward form
// out (+)= (opA(a) . opB(b)) * act'(z). Includes activations.wgsl and matmul_epilogue.wgsl.
// Each workgroup computes a TM x TN tile of out; each invocation an RM x RN block held in registers;
// A and B are staged through workgroup memory TK deep at a time. The variant is chosen by override
// constants, so the compiler folds the transposes and the epilogue branches away. TM x TN (64 x 64,
// or a narrower tile for products with few columns) and RM x RN (outputs per invocation, multiples
// of 4 dividing the tile; 8 x 4 within any GPU's registers) are consts generated per tiling from
// the descriptor in src/kernels/matmul/descriptors.ts (they size arrays, which WGSL only allows
// from a const); so are the bindings a and b, storage buffers here. In a model batch workgroup z
// is the model: enter_model(wid.z) points base_a, base_b and the epilogue's bases at its slices
// (a shared operand, such as the data batch, has stride 0, so every model reads the same copy).

const TK: u32 = 16u;                  // depth staged per barrier pair
const THREADS_X: u32 = TN / RN;
const THREADS_Y: u32 = TM / RM;
const THREADS: u32 = THREADS_X * THREADS_Y;

// Stored k-major as vec4s so the inner loop reads one vec4 of 4 rows (A) / 4 columns (B) per k.
// 2 x 16 x 64 x 4 bytes = 8 KiB of the 16 KiB workgroup limit.
var<workgroup> tileA: array<vec4<f32>, TK * TM / 4u>;
var<workgroup> tileB: array<vec4<f32>, TK * TN / 4u>;

// opA(a)[row, kk] with zero outside the matrix, so partial tiles need no other special case.
fn load_a(row: u32, kk: u32) -> f32 {
  if (row >= params.m || kk >= params.k) { return 0.0; }
  if (TRANS_A) { return a[base_a + kk * params.m + row]; }
  return a[base_a + row * params.k + kk];
}

// opB(b)[kk, col] with zero outside the matrix.
fn load_b(kk: u32, col: u32) -> f32 {
  if (kk >= params.k || col >= params.n) { return 0.0; }
  if (TRANS_B) { return b[base_b + col * params.k + kk]; }
  return b[base_b + kk * params.n + col];
}

// Four consecutive rows of opA(a) (resp. columns of opB(b)) at depth kk, zero-padded.
fn load_a4(row: u32, kk: u32) -> vec4<f32> {
  return vec4(load_a(row, kk), load_a(row + 1u, kk), load_a(row + 2u, kk), load_a(row + 3u, kk));
}
fn load_b4(kk: u32, col: u32) -> vec4<f32> {
  return vec4(load_b(kk, col), load_b(kk, col + 1u), load_b(kk, col + 2u), load_b(kk, col + 3u));
}

// Stages the K-slice [k0, k0 + TK) of both tiles, one whole vec4 store per element. Consecutive
// invocations step along the dimension that is contiguous in memory (k for a plain A, m for a
// transposed one; likewise for B), so each of the four global reads coalesces.
fn stage_tiles(tid: u32, row0: u32, col0: u32, k0: u32) {
  for (var i = 0u; i < TK * TM / 4u / THREADS; i++) {
    let e = tid + i * THREADS;
    let m4 = select(e / TK, e % (TM / 4u), TRANS_A);
    let kk = select(e % TK, e / (TM / 4u), TRANS_A);
    tileA[kk * (TM / 4u) + m4] = load_a4(row0 + 4u * m4, k0 + kk);
  }
  for (var i = 0u; i < TK * TN / 4u / THREADS; i++) {
    let e = tid + i * THREADS;
    let n4 = select(e % (TN / 4u), e / TK, TRANS_B);
    let kk = select(e / (TN / 4u), e % TK, TRANS_B);
    tileB[kk * (TN / 4u) + n4] = load_b4(k0 + kk, col0 + 4u * n4);
  }
}

@compute @workgroup_size(THREADS_X, THREADS_Y)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  enter_model(wid.z);
  enter_epilogue();
  let tid = lid.y * THREADS_X + lid.x;
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  // acc[i * RN / 4 + j / 4][j % 4] = out[row0 + RM lid.y + i, col0 + RN lid.x + j]
  var acc: array<vec4<f32>, RM * RN / 4u>;
  for (var k0 = 0u; k0 < params.k; k0 += TK) {
    stage_tiles(tid, row0, col0, k0);
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var bv: array<vec4<f32>, RN / 4u>;
      for (var c4 = 0u; c4 < RN / 4u; c4++) {
        bv[c4] = tileB[kk * (TN / 4u) + lid.x * (RN / 4u) + c4];
      }
      for (var r4 = 0u; r4 < RM / 4u; r4++) {
        let av = tileA[kk * (TM / 4u) + lid.y * (RM / 4u) + r4];
        for (var c4 = 0u; c4 < RN / 4u; c4++) {
          acc[(4u * r4) * (RN / 4u) + c4] += av.x * bv[c4];
          acc[(4u * r4 + 1u) * (RN / 4u) + c4] += av.y * bv[c4];
          acc[(4u * r4 + 2u) * (RN / 4u) + c4] += av.z * bv[c4];
          acc[(4u * r4 + 3u) * (RN / 4u) + c4] += av.w * bv[c4];
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < RM; i++) {
    let row = row0 + lid.y * RM + i;
    if (row >= params.m) { break; }
    for (var j = 0u; j < RN; j++) {
      let col = col0 + lid.x * RN + j;
      if (col >= params.n) { break; }
      finish(row * params.n + col, col, acc[i * (RN / 4u) + j / 4u][j % 4u]);
    }
  }
}
