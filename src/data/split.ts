// Seeded train/validation/test split. Rows are shuffled with Rng(seed) before cutting so the split
// is random but reproducible: the same seed gives the same rows in each part on every machine.

import { Rng } from '../util/rng.js';
import { InputError } from '../util/errors.js';
import { sliceRows, type Dataset } from './dataset.js';

export interface SplitFractions {
  validation?: number;
  test?: number;
}

export interface SplitResult {
  train: Dataset;
  validation?: Dataset;
  test?: Dataset;
}

/**
 * A fraction > 0 always yields at least one row (so a tiny dataset still gets a validation
 * set when asked), and the training part must keep at least one row.
 */
export function splitDataset(ds: Dataset, fractions: SplitFractions, seed: number): SplitResult {
  const v = checkFraction('validation', fractions.validation);
  const t = checkFraction('test', fractions.test);
  if (v + t >= 1) throw new InputError('validation + test', v + t, 'a total fraction below 1');

  const nVal = partSize(ds.rows, v);
  const nTest = partSize(ds.rows, t);
  const nTrain = ds.rows - nVal - nTest;
  if (nTrain < 1) {
    throw new InputError('rows', ds.rows, `enough rows to leave a training set after taking ${nVal} validation and ${nTest} test rows`);
  }

  const order = new Rng(seed).permutation(ds.rows);
  const result: SplitResult = { train: sliceRows(ds, order.subarray(0, nTrain)) };
  if (nVal > 0) result.validation = sliceRows(ds, order.subarray(nTrain, nTrain + nVal));
  if (nTest > 0) result.test = sliceRows(ds, order.subarray(nTrain + nVal));
  return result;
}

function checkFraction(field: string, f: number | undefined): number {
  if (f === undefined) return 0;
  if (!Number.isFinite(f) || f < 0 || f >= 1) throw new InputError(field, f, 'a fraction in [0, 1)');
  return f;
}

function partSize(rows: number, f: number): number {
  return f > 0 ? Math.max(1, Math.round(rows * f)) : 0;
}
