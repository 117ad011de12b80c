// Per-row losses and the gradient of the batch-mean loss; src/reference/loss.ts is the spec.
// Includes activations.wgsl (sigmoid_f, softplus_f). One thread per row: rows are short (class
// counts, output widths), so a serial loop per row beats a workgroup reduction. Uniform params
// { rows, cols, loss (LOSS_<NAME> id), delta (huber) }, bindings pred, targets, row_loss, grad and
// the LOSS_* ids come from the descriptor in src/kernels/loss.ts. A model batch runs as workgroup
// z: pred, grad and row_loss are model z's (base_*), targets are shared (stride 0) or per model.

// (loss, d loss / d p) of one element of the elementwise losses; the default is bce_logits.
fn element_loss(id: u32, delta: f32, p: f32, t: f32) -> vec2<f32> {
  let d = p - t;
  switch id {
    case LOSS_MSE: { return vec2(d * d, 2.0 * d); }
    case LOSS_MAE: { return vec2(abs(d), sign(d)); }
    case LOSS_HUBER: {
      if (abs(d) <= delta) { return vec2(0.5 * d * d, d); }
      return vec2(delta * (abs(d) - 0.5 * delta), delta * sign(d));
    }
    // softplus(p) - p t == max(p, 0) - p t + log1p(exp(-|p|)), finite for any p.
    default: { return vec2(softplus_f(p) - p * t, sigmoid_f(p) - t); }
  }
}

// Elementwise losses average over the row, so both the loss and the gradient carry 1/C.
fn elementwise_row(r: u32) {
  let c = params.cols;
  let base = r * c;
  let p0 = base_pred + base;
  let t0 = base_targets + base;
  let g0 = base_grad + base;
  let scale = 1.0 / (f32(params.rows) * f32(c));
  var total = 0.0;
  for (var j = 0u; j < c; j++) {
    let e = element_loss(params.loss, params.delta, pred[p0 + j], targets[t0 + j]);
    total += e.x;
    grad[g0 + j] = e.y * scale;
  }
  row_loss[base_row_loss + r] = total / f32(c);
}

// softmax_ce's class for row r, or -1 when the target is not an integer in [0, C) (NaN included).
fn class_index(r: u32) -> i32 {
  let t = targets[base_targets + r];
  let ok = t >= 0.0 && t < f32(params.cols) && fract(t) == 0.0;
  return select(-1, i32(t), ok);
}

// Target weight of column j: one-hot of class k (sparse form), or the dense target row.
fn target_weight(r: u32, j: u32, k: i32) -> f32 {
  if (params.loss == LOSS_SOFTMAX_CE) { return select(0.0, 1.0, i32(j) == k); }
  return targets[base_targets + r * params.cols + j];
}

// loss = sum_j t_j (logsumexp(p) - p_j) with logsumexp(p) - p_j = (m - p_j) + log(s): nothing
// huge is subtracted from anything huge, so logits of +-1e4 give a finite ~2e4.
// grad = (softmax(p) sum(t) - t) / B.
fn softmax_row(r: u32) {
  let c = params.cols;
  let base = r * c;
  let p0 = base_pred + base;
  let g0 = base_grad + base;
  var k = 0;
  if (params.loss == LOSS_SOFTMAX_CE) {
    k = class_index(r);
    // The GPU cannot throw like the reference does: poison the row so the loss reads NaN.
    // (A constant NaN is a WGSL compile error, so the bit pattern takes a runtime operand.)
    if (k < 0) {
      let nan = bitcast<f32>(0x7fc00000u | (params.rows & 0u));
      row_loss[base_row_loss + r] = nan;
      for (var j = 0u; j < c; j++) { grad[g0 + j] = nan; }
      return;
    }
  }
  var m = pred[p0];
  for (var j = 1u; j < c; j++) { m = max(m, pred[p0 + j]); }
  var s = 0.0;
  for (var j = 0u; j < c; j++) { s += exp(pred[p0 + j] - m); }
  let log_s = log(s);
  var total = 0.0;
  var mass = 0.0;
  for (var j = 0u; j < c; j++) {
    let t = target_weight(r, j, k);
    total += t * ((m - pred[p0 + j]) + log_s);
    mass += t;
  }
  let inv_s = 1.0 / s;
  let inv_rows = 1.0 / f32(params.rows);
  for (var j = 0u; j < c; j++) {
    grad[g0 + j] = (exp(pred[p0 + j] - m) * inv_s * mass - target_weight(r, j, k)) * inv_rows;
  }
  row_loss[base_row_loss + r] = total;
}

@compute @workgroup_size(WG)
fn loss_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  enter_model(gid.z);
  let r = flat_index(gid, groups, WG);
  if (r >= params.rows) { return; }
  if (params.loss >= LOSS_SOFTMAX_CE) {
    softmax_row(r);
  } else {
    elementwise_row(r);
  }
}
