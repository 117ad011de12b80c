// Scalar reductions: sum and sum of squares (in one or two passes, see src/kernels/loss.ts), the
// accuracy count and the dead-unit count. Each workgroup of WG threads (an override: 256, or as few
// as 32 for a single workgroup reducing few items) strides over its share, a shared-memory tree
// adds the WG per-thread values, and thread 0 writes one output word.
// Uniform params (declared in src/kernels/loss.ts): n = items reduced (elements for sum, rows for
// accuracy, columns for deadUnits); width = accuracy's classes C of pred, deadUnits' rows B of y;
// aux = reduce_sum: 1 squares each value, accuracy: target columns (1 or C); accumulate = 1:
// out0[slot] += result, 0: out0[slot] = result; threshold = accuracy with C == 1: pred > threshold
// means class 1. Bindings in0, in1, out0. A model batch runs as workgroup z: every entry point
// calls enter_model(wid.z) and reads model z's slices (base_in0, base_in1: 0 where shared), and
// writes model z's scalar (or its partials) at base_out0.

var<workgroup> partial: array<f32, WG>;

// Sum of `value` over the workgroup, returned to every thread. Called by all threads (barriers).
fn workgroup_sum(lid: u32, value: f32) -> f32 {
  partial[lid] = value;
  workgroupBarrier();
  for (var span = WG / 2u; span > 0u; span >>= 1u) {
    if (lid < span) { partial[lid] += partial[lid + span]; }
    workgroupBarrier();
  }
  return partial[0];
}

fn write_result(slot: u32, value: f32) {
  if (params.accumulate != 0u) {
    out0[base_out0 + slot] += value;
  } else {
    out0[base_out0 + slot] = value;
  }
}

// Workgroup g adds elements g*WG + lid, stepping by all threads of the model's dispatch (coalesced),
// into out0[g]. A pass with one workgroup reduces everything into out0[0].
@compute @workgroup_size(WG)
fn reduce_sum(@builtin(local_invocation_id) lid3: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  _ = in1[0];
  enter_model(wid.z);
  let lid = lid3.x;
  let stride = groups.x * WG;
  var acc = 0.0;
  for (var i = wid.x * WG + lid; i < params.n; i += stride) {
    let v = in0[base_in0 + i];
    acc += select(v, v * v, params.aux != 0u);
  }
  let total = workgroup_sum(lid, acc);
  if (lid == 0u) { write_result(wid.x, total); }
}

// in0 (pred) or in1 (target) at an absolute index (the model's base already added): lets one
// argmax serve both.
fn value_at(which: u32, i: u32) -> f32 {
  if (which == 0u) { return in0[i]; }
  return in1[i];
}

// First index of the row's maximum (ties go to the lowest index; NaN never wins).
fn argmax(which: u32, base: u32, len: u32) -> u32 {
  var best = 0u;
  var best_value = value_at(which, base);
  for (var j = 1u; j < len; j++) {
    let v = value_at(which, base + j);
    if (v > best_value) {
      best = j;
      best_value = v;
    }
  }
  return best;
}

fn row_correct(r: u32) -> bool {
  let c = params.width;
  if (c == 1u) { return (in0[base_in0 + r] > params.threshold) == (in1[base_in1 + r] > 0.5); }
  let guess = argmax(0u, base_in0 + r * c, c);
  if (params.aux == 1u) { return f32(guess) == in1[base_in1 + r]; }
  return guess == argmax(1u, base_in1 + r * c, c);
}

// One workgroup per model; counts are integers, exact in f32 up to 2^24.
@compute @workgroup_size(WG)
fn accuracy_count(@builtin(local_invocation_id) lid3: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  enter_model(wid.z);
  let lid = lid3.x;
  var correct = 0.0;
  for (var r = lid; r < params.n; r += WG) {
    correct += select(0.0, 1.0, row_correct(r));
  }
  let total = workgroup_sum(lid, correct);
  if (lid == 0u) { write_result(0u, total); }
}

// One workgroup per model; thread lid walks columns lid, lid + WG, ... down their rows (adjacent threads
// read adjacent words) and stops at the first nonzero. -0 == 0, and NaN != 0.
@compute @workgroup_size(WG)
fn dead_units(@builtin(local_invocation_id) lid3: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  _ = in1[0];
  enter_model(wid.z);
  let lid = lid3.x;
  var dead = 0.0;
  for (var j = lid; j < params.n; j += WG) {
    var all_zero = true;
    for (var r = 0u; r < params.width && all_zero; r++) {
      all_zero = in0[base_in0 + r * params.n + j] == 0.0;
    }
    dead += select(0.0, 1.0, all_zero);
  }
  let total = workgroup_sum(lid, dead);
  if (lid == 0u) { write_result(0u, total); }
}
