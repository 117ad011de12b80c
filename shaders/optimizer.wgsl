// One optimizer step over the flat parameter buffer, PER_THREAD elements per thread (so the
// per-step values, bias corrections and clip factor, are computed once per thread, not per element),
// updating params and the optimizer states in place. The optimizer kind and clipping are override constants so each
// pipeline folds to one branch; the semantics are those of src/reference/optimizer.ts. In a model
// batch, workgroup z is the model: its own slices of the flat buffers, its own scalars row (lr,
// step), its own gradient norm and its own row of hyperparameters.

// Generated from the descriptor in src/kernels/optimizer.ts: the uniform sizes (n, decay_count);
// bindings scalars, grads, clip_sum_squares, params, state1, state2 and hyper (the hyperparameter
// table: one row shared by every model, or one per model, columns HP_<NAME>: weight_decay, then
// decay1 (the decay of state1: μ, β1 or ρ) and decay2 (state2's: β2) each with 1 − decay and
// ln(decay), computed in float64 on the host since 1 − 0.999 in f32 would keep only ~3 digits,
// then epsilon, max_norm and clips (1: this model clips; 0: factor exactly 1)); the overrides KIND
// (an OPT_<NAME> id) and CLIP; WG, PER_THREAD, the scalar slots LR_SLOT and STEP_SLOT, and
// CLIP_EPSILON (added to the gradient norm so a zero gradient gives factor 1).

// This thread's model's hyperparameters, read once per thread from its table row.
struct Hyper {
  weight_decay: f32,
  decay1: f32,
  one_minus_decay1: f32,
  log_decay1: f32,
  decay2: f32,
  one_minus_decay2: f32,
  log_decay2: f32,
  epsilon: f32,
  max_norm: f32,
  clips: bool,
}
var<private> hp: Hyper;

fn load_hyper() -> Hyper {
  let b = base_hyper;
  return Hyper(
    hyper[b + HP_WEIGHT_DECAY],
    hyper[b + HP_DECAY1],
    hyper[b + HP_ONE_MINUS_DECAY1],
    hyper[b + HP_LOG_DECAY1],
    hyper[b + HP_DECAY2],
    hyper[b + HP_ONE_MINUS_DECAY2],
    hyper[b + HP_LOG_DECAY2],
    hyper[b + HP_EPSILON],
    hyper[b + HP_MAX_NORM],
    hyper[b + HP_CLIPS] != 0.0,
  );
}

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
  if (!CLIP || !hp.clips) { return 1.0; }
  return min(1.0, hp.max_norm / (sqrt(clip_sum_squares[base_clip_sum_squares]) + CLIP_EPSILON));
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
  var v = StepValues(scalars[base_scalars + LR_SLOT], clip_factor(), 1.0, 1.0);
  if (KIND == OPT_ADAM || KIND == OPT_ADAMW) {
    let t = scalars[base_scalars + STEP_SLOT];
    v.correction1 = one_minus_pow(hp.log_decay1, t);
    v.correction2 = one_minus_pow(hp.log_decay2, t);
  }
  return v;
}

// i is the element's index within its model (decay_count counts within a model too).
fn update(i: u32, sv: StepValues) {
  let lr = sv.lr;
  let ip = base_params + i;
  let i1 = base_state1 + i;
  let i2 = base_state2 + i;
  var p = params[ip];
  var g = grads[base_grads + i] * sv.grad_scale;
  if (i < sizes.decay_count) {
    if (KIND == OPT_ADAMW) {
      p -= lr * hp.weight_decay * p;
    } else {
      g += hp.weight_decay * p;
    }
  }
  switch KIND {
    case OPT_SGD: {
      p -= lr * g;
    }
    case OPT_MOMENTUM, OPT_NESTEROV: {
      let v = hp.decay1 * state1[i1] + g;
      state1[i1] = v;
      if (KIND == OPT_NESTEROV) {
        p -= lr * (g + hp.decay1 * v);
      } else {
        p -= lr * v;
      }
    }
    case OPT_ADAM, OPT_ADAMW: {
      let m = hp.decay1 * state1[i1] + hp.one_minus_decay1 * g;
      let v = hp.decay2 * state2[i2] + hp.one_minus_decay2 * g * g;
      state1[i1] = m;
      state2[i2] = v;
      p -= adaptive_step(lr, m / sv.correction1, v / sv.correction2);
    }
    case OPT_RMSPROP: {
      let s = hp.decay1 * state1[i1] + hp.one_minus_decay1 * g * g;
      state1[i1] = s;
      p -= adaptive_step(lr, g, s);
    }
    case OPT_ADAGRAD: {
      let s = state1[i1] + g * g;
      state1[i1] = s;
      p -= adaptive_step(lr, g, s);
    }
    default: {}
  }
  params[ip] = p;
}

@compute @workgroup_size(WG)
fn optimizer_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  // Unused bindings of this kind still appear in the auto layout (sgd binds placeholders).
  _ = clip_sum_squares[0];
  _ = state1[0];
  _ = state2[0];
  enter_model(gid.z);
  // Thread t updates t, t + T, t + 2T, ... (T threads in all), so neighbouring threads touch
  // neighbouring elements on every pass.
  let threads = groups.x * groups.y * WG;
  let first = flat_index(gid, groups, WG);
  if (first >= sizes.n) { return; }
  hp = load_hyper();
  let sv = step_values();
  for (var j = 0u; j < PER_THREAD; j++) {
    let i = first + j * threads;
    if (i >= sizes.n) { break; }
    update(i, sv);
  }
}
