// Dropout forward and backward (one entry point: dx = dy * mask / (1 - p) is the forward applied
// to dy). The mask comes from a counter-based hash of (seed, rngStep, element index), the same u32
// arithmetic as src/reference/random.ts, so the CPU reference draws the identical mask. In a model
// batch (workgroup z = model) each model draws with its own seed and rate, its own rngStep, and the
// element index within its own tensor: the mask it would draw alone.

// Uniform params { n (elements per model) }, bindings scalars, src, dst and rate (the table: one row
// shared by every model, or one per model, of seed (u32 bits), threshold (keep when the 24 random
// bits are >= ceil(p * 2^24): an integer compare, exact) and scale (1 / (1 - p))), WG, the
// columns RATE_SEED, RATE_THRESHOLD, RATE_SCALE and the slot SCALAR_RNG_STEP come from the
// descriptor in src/kernels/structure.ts.

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
  enter_model(gid.z);
  let i = flat_index(gid, groups, WG);
  if (i >= params.n) { return; }
  let step = u32(scalars[base_scalars + SCALAR_RNG_STEP]);
  let seed = bitcast<u32>(rate[base_rate + RATE_SEED]);
  let keep = random24(seed, step, i) >= bitcast<u32>(rate[base_rate + RATE_THRESHOLD]);
  dst[base_dst + i] = select(0.0, src[base_src + i] * rate[base_rate + RATE_SCALE], keep);
}
