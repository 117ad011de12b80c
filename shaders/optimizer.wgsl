// One optimizer step over the flat parameter buffer, PER_THREAD elements per thread (so the
// per-step values, bias corrections and clip factor, are computed once per thread, not per element),
// updating params and the optimizer states in place. The optimizer kind and clipping are override constants so each
// pipeline folds to one branch; the semantics are those of src/reference/optimizer.ts.

// Optimizer ids: the order of OPTIMIZERS in src/ops/names.ts.
const SGD: u32 = 0u;
const MOMENTUM: u32 = 1u;
const NESTEROV: u32 = 2u;
const ADAM: u32 = 3u;
const ADAMW: u32 = 4u;
const RMSPROP: u32 = 5u;
const ADAGRAD: u32 = 6u;

override KIND: u32 = 0u;
override CLIP: bool = false;
// Slots of lr and step in the scalars tensor (SCALAR in src/ops/args.ts).
override LR_SLOT: u32 = 0u;
override STEP_SLOT: u32 = 1u;

// decay1 is the decay of state1 (μ, β1 or ρ), decay2 that of state2 (β2). The 1 − decay values
// and ln(decay) are computed in float64 on the host: 1 − 0.999 in f32 would keep only ~3 digits.
struct Hyper {
  n: u32,
  decay_count: u32,
  weight_decay: f32,
  decay1: f32,
  one_minus_decay1: f32,
  log_decay1: f32,
  decay2: f32,
  one_minus_decay2: f32,
  log_decay2: f32,
  epsilon: f32,
  max_norm: f32,
}

@group(0) @binding(0) var<uniform> hp: Hyper;
@group(0) @binding(1) var<storage, read> scalars: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read> clip_sum_squares: array<f32>;
@group(0) @binding(4) var<storage, read_write> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> state1: array<f32>;
@group(0) @binding(6) var<storage, read_write> state2: array<f32>;

const WG: u32 = 256u;
const PER_THREAD: u32 = 4u;  // keep equal to OPTIMIZER_PER_THREAD in src/kernels/optimizer.ts
// Added to the gradient norm so a zero gradient gives factor 1, not 0/0 (CLIP_EPSILON).
const CLIP_EPSILON: f32 = 1e-6;

// 1 − β^t = −expm1(t·ln β). Near t·ln β = 0 a Taylor series (Horner, 9 terms: remainder < 1e-8
// relative for |x| <= 0.5) avoids the cancellation of 1 − exp(x); below −0.5, 1 − exp(x) >= 0.39
// loses nothing.
fn one_minus_pow(log_beta: f32, t: f32) -> f32 {
  let x = t * log_beta;
  if (x < -0.5) { return 1.0 - exp(x); }
  var s = 1.0;
  for (var k = 9; k >= 2; k--) { s = 1.0 + x / f32(k) * s; }
  return -x * s;
}

fn clip_factor() -> f32 {
  if (!CLIP) { return 1.0; }
  return min(1.0, hp.max_norm / (sqrt(clip_sum_squares[0]) + CLIP_EPSILON));
}

// lr·x / (sqrt(s) + ε): the step of adam (x = m̂, s = v̂), rmsprop and adagrad (x = g).
fn adaptive_step(lr: f32, x: f32, s: f32) -> f32 {
  return lr * x / (sqrt(s) + hp.epsilon);
}

// What every element of this step shares: computed once per thread.
struct StepValues {
  lr: f32,
  grad_scale: f32,
  // 1 − β1^t and 1 − β2^t (adam, adamw); 1 otherwise.
  correction1: f32,
  correction2: f32,
}

fn step_values() -> StepValues {
  var v = StepValues(scalars[LR_SLOT], clip_factor(), 1.0, 1.0);
  if (KIND == ADAM || KIND == ADAMW) {
    let t = scalars[STEP_SLOT];
    v.correction1 = one_minus_pow(hp.log_decay1, t);
    v.correction2 = one_minus_pow(hp.log_decay2, t);
  }
  return v;
}

fn update(i: u32, sv: StepValues) {
  let lr = sv.lr;
  var p = params[i];
  var g = grads[i] * sv.grad_scale;
  if (i < hp.decay_count) {
    if (KIND == ADAMW) {
      p -= lr * hp.weight_decay * p;
    } else {
      g += hp.weight_decay * p;
    }
  }
  switch KIND {
    case SGD: {
      p -= lr * g;
    }
    case MOMENTUM, NESTEROV: {
      let v = hp.decay1 * state1[i] + g;
      state1[i] = v;
      if (KIND == NESTEROV) {
        p -= lr * (g + hp.decay1 * v);
      } else {
        p -= lr * v;
      }
    }
    case ADAM, ADAMW: {
      let m = hp.decay1 * state1[i] + hp.one_minus_decay1 * g;
      let v = hp.decay2 * state2[i] + hp.one_minus_decay2 * g * g;
      state1[i] = m;
      state2[i] = v;
      p -= adaptive_step(lr, m / sv.correction1, v / sv.correction2);
    }
    case RMSPROP: {
      let s = hp.decay1 * state1[i] + hp.one_minus_decay1 * g * g;
      state1[i] = s;
      p -= adaptive_step(lr, g, s);
    }
    case ADAGRAD: {
      let s = state1[i] + g * g;
      state1[i] = s;
      p -= adaptive_step(lr, g, s);
    }
    default: {}
  }
  params[i] = p;
}

@compute @workgroup_size(WG)
fn optimizer_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  // Unused bindings of this kind still appear in the auto layout (sgd binds placeholders).
  _ = clip_sum_squares[0];
  _ = state1[0];
  _ = state2[0];
  // Thread t updates t, t + T, t + 2T, ... (T threads in all), so neighbouring threads touch
  // neighbouring elements on every pass.
  let threads = groups.x * groups.y * WG;
  let first = gid.x + gid.y * groups.x * WG;
  if (first >= hp.n) { return; }
  let sv = step_values();
  for (var j = 0u; j < PER_THREAD; j++) {
    let i = first + j * threads;
    if (i >= hp.n) { break; }
    update(i, sv);
  }
}
