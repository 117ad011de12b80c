// An ensemble of trained models of one architecture and data pipeline (e.g. a sweep's seeds):
// predict averages the members' outputs — class probabilities, P(class 1), or regression values
// in the target's units — and evaluate scores that average on a labelled dataset.

import type { DataOptions } from '../fit.js';
import type { Dataset } from '../../data/dataset.js';
import type { Model } from '../../model/model.js';
import { InputError } from '../../util/errors.js';
import { predict } from '../inference.js';

export interface EnsembleScore {
  rows: number;
  /** Classification: the share of rows whose averaged prediction picks the label. */
  accuracy?: number;
  /** Regression: mean squared and absolute error of the averaged prediction, in the target's units. */
  mse?: number;
  mae?: number;
}

export class Ensemble {
  constructor(readonly members: readonly Model[]) {
    if (members.length === 0) throw new InputError('members', '[]', 'at least one model');
    const key = JSON.stringify([members[0].spec.inputSize, members[0].spec.outputSize, members[0].spec.task]);
    const bad = members.findIndex((m) => JSON.stringify([m.spec.inputSize, m.spec.outputSize, m.spec.task]) !== key);
    if (bad >= 0) throw new InputError(`members[${bad}]`, 'a different input size, output size or task', 'models of one task and shape');
  }

  /** The members' averaged outputs for `rows` rows of raw features (each member predicts once). */
  async predict(x: Float32Array, options?: { backend?: DataOptions['backend'] }): Promise<Float32Array> {
    let sum: Float64Array | undefined;
    for (const member of this.members) {
      const out = await predict(member, x, options);
      sum ??= new Float64Array(out.length);
      for (let i = 0; i < out.length; i++) sum[i] += out[i];
    }
    return Float32Array.from(sum!, (v) => v / this.members.length);
  }

  /** Accuracy (or MSE/MAE) of the averaged prediction on a labelled dataset. */
  async evaluate(data: Dataset, options?: { backend?: DataOptions['backend'] }): Promise<EnsembleScore> {
    const spec = this.members[0].spec;
    const out = await this.predict(data.x, options);
    const c = spec.outputSize;
    if (spec.task === 'regression') {
      let se = 0;
      let ae = 0;
      for (let i = 0; i < out.length; i++) {
        se += (out[i] - data.y[i]) ** 2;
        ae += Math.abs(out[i] - data.y[i]);
      }
      return { rows: data.rows, mse: se / out.length, mae: ae / out.length };
    }
    let correct = 0;
    for (let r = 0; r < data.rows; r++) {
      const label = spec.task === 'binary' ? data.y[r] : data.y.length === data.rows ? data.y[r] : argmax(data.y, r * c, c);
      const guess = spec.task === 'binary' ? Number(out[r] > 0.5) : argmax(out, r * c, c);
      if (guess === label) correct++;
    }
    return { rows: data.rows, accuracy: correct / data.rows };
  }
}

function argmax(values: ArrayLike<number>, base: number, len: number): number {
  let best = 0;
  for (let j = 1; j < len; j++) if (values[base + j] > values[base + best]) best = j;
  return best;
}
