// Dropout forward and backward (one entry point: dx = dy * mask / (1 - p) is the forward applied
// to dy). The mask comes from a counter-based hash of (seed, rngStep, element index), the same u32
// arithmetic as src/reference/random.ts, so the CPU reference draws the identical mask.

// Uniform params { n (elements), seed, threshold (keep when the 24 random bits are >= ceil(p * 2^24):
// an integer compare, exact), scale (1 / (1 - p)) }, bindings scalars, src, dst, WG and the slot
// SCALAR_RNG_STEP come from the descriptor in src/kernels/structure.ts.

// PCG-RXS-M-XS output permutation as a stateless hash (u32 ops wrap, as Math.imul >>> 0 does).
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn random24(seed: u32, step: u32, index: u32) -> u32 {
  let key = pcg_hash(pcg_hash(seed) + step);
  return pcg_hash(pcg_hash(index) + key) >> 8u;
}

@compute @workgroup_size(WG)
fn dropout_apply(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat_index(gid, groups, WG);
  if (i >= params.n) { return; }
  let step = u32(scalars[SCALAR_RNG_STEP]);
  let keep = random24(params.seed, step, i) >= params.threshold;
  dst[i] = select(0.0, src[i] * params.scale, keep);
}
