// The loss of the best constant prediction (class frequencies, the mean target), computed with
// the reference loss. A trained model scoring worse than this learned less than nothing: the CLI
// calls such a run diverged and will not let it replace a saved model.

import type { Dataset } from '../data/dataset.js';
import type { Model } from '../model/model.js';
import { DEFAULT_HUBER_DELTA } from '../ops/defaults.js';
import { rowLossAndGrad } from '../reference/loss.js';

/** Mean loss on `scoreOn` of the constant prediction fitted on `fitOn` (both raw datasets). */
export function constantBaselineLoss(model: Model, fitOn: Dataset, scoreOn: Dataset): number {
  const loss = model.spec.loss;
  const out = model.spec.outputSize;
  const fit = { rows: fitOn.rows, y: model.prepareTargets(fitOn) };
  const score = { rows: scoreOn.rows, y: model.prepareTargets(scoreOn) };
  const t = model.targetWidth;
  // Mean target per column (a class histogram for sparse softmax_ce).
  const mean = new Float64Array(out);
  for (let r = 0; r < fit.rows; r++) {
    if (loss === 'softmax_ce') mean[fit.y[r]] += 1 / fit.rows;
    else for (let j = 0; j < t; j++) mean[j] += fit.y[r * t + j] / fit.rows;
  }
  const eps = 1e-7;
  const p = Array.from(mean, (m) => {
    if (loss === 'softmax_ce' || loss === 'softmax_ce_dense') return Math.log(m + eps);
    if (loss === 'bce_logits') return Math.log((m + eps) / (1 - m + eps));
    return m;
  });
  const grad = new Float64Array(out);
  let total = 0;
  for (let r = 0; r < score.rows; r++) total += rowLossAndGrad(loss, p, score.y.subarray(r * t, r * t + t), model.spec.huberDelta ?? DEFAULT_HUBER_DELTA, grad);
  return total / score.rows;
}
