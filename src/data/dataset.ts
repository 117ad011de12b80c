// The in-memory dataset every loader and generator produces and the trainer consumes, plus the
// checks that keep bad data (NaN, wrong widths, out-of-range labels) from ever reaching the GPU,
// and small row/label helpers shared by splitting and training.

import type { Task } from '../types/model-spec.js';
import type { TablePipeline } from './table/types.js';
import { InputError } from '../util/errors.js';

export interface Dataset {
  name: string;
  task: Task;
  /** rows * features, row-major. */
  x: Float32Array;
  /** rows * targetWidth: class index (multiclass), 0/1 (binary), values (regression). */
  y: Float32Array;
  rows: number;
  features: number;
  targetWidth: number;
  /** Number of classes; multiclass only. */
  classes?: number;
  featureNames?: string[];
  /** Original label text for each class index, when labels were remapped (e.g. from a CSV). */
  classLabels?: string[];
  /** The tabular pipeline that encoded this data (CSV, tables); a model trained on it keeps it. */
  pipeline?: TablePipeline;
}

export interface DatasetExpectation {
  features?: number;
  classes?: number;
}

/**
 * Throws InputError on the first problem found. `expect` lets a caller check the data fits an
 * existing model (e.g. predicting with a saved model of known input width). With `field` (e.g.
 * "validationData"), every message names it: "validationData.features: got 3, ...".
 */
export function validateDataset(ds: Dataset, expect: DatasetExpectation = {}, field?: string): void {
  try {
    checkDataset(ds, expect);
  } catch (err) {
    if (field && err instanceof InputError) throw new InputError(`${field}.${err.field}`, err.value, err.expected);
    throw err;
  }
}

function checkDataset(ds: Dataset, expect: DatasetExpectation): void {
  if (!Number.isInteger(ds.rows) || ds.rows <= 0) {
    throw new InputError('rows', ds.rows, 'a dataset with at least one row');
  }
  if (!Number.isInteger(ds.features) || ds.features <= 0) {
    throw new InputError('features', ds.features, 'a positive integer');
  }
  if (expect.features !== undefined && ds.features !== expect.features) {
    throw new InputError('features', ds.features, `${expect.features} features (the model's input size)`);
  }
  if (!Number.isInteger(ds.targetWidth) || ds.targetWidth <= 0) {
    throw new InputError('targetWidth', ds.targetWidth, 'a positive integer');
  }
  if (ds.task !== 'regression' && ds.targetWidth !== 1) {
    throw new InputError('targetWidth', ds.targetWidth, `1 for a ${ds.task} task (one label per row)`);
  }
  if (ds.x.length !== ds.rows * ds.features) {
    throw new InputError('x.length', ds.x.length, `rows * features = ${ds.rows * ds.features}`);
  }
  if (ds.y.length !== ds.rows * ds.targetWidth) {
    throw new InputError('y.length', ds.y.length, `rows * targetWidth = ${ds.rows * ds.targetWidth}`);
  }

  for (let r = 0; r < ds.rows; r++) {
    for (let c = 0; c < ds.features; c++) {
      const v = ds.x[r * ds.features + c];
      if (!Number.isFinite(v)) {
        const col = ds.featureNames?.[c] !== undefined ? `"${ds.featureNames[c]}"` : `column ${c}`;
        throw new InputError(`x[row ${r}, ${col}]`, v, 'a finite number');
      }
    }
  }

  if (ds.task === 'multiclass') validateClassLabels(ds, expect.classes);
  else if (ds.task === 'binary') {
    for (let r = 0; r < ds.rows; r++) {
      const v = ds.y[r];
      if (v !== 0 && v !== 1) throw new InputError(`label[row ${r}]`, v, '0 or 1 for a binary task');
    }
  } else {
    for (let i = 0; i < ds.y.length; i++) {
      const v = ds.y[i];
      if (!Number.isFinite(v)) {
        const r = Math.floor(i / ds.targetWidth);
        const field = ds.targetWidth === 1 ? `y[row ${r}]` : `y[row ${r}, column ${i % ds.targetWidth}]`;
        throw new InputError(field, v, 'a finite number');
      }
    }
  }
}

function validateClassLabels(ds: Dataset, expectedClasses: number | undefined): void {
  const classes = ds.classes;
  if (classes === undefined || !Number.isInteger(classes) || classes < 2) {
    throw new InputError('classes', classes, 'an integer >= 2 for a multiclass task');
  }
  if (expectedClasses !== undefined && classes !== expectedClasses) {
    throw new InputError('classes', classes, `${expectedClasses} classes (the model's output size)`);
  }
  for (let r = 0; r < ds.rows; r++) {
    const v = ds.y[r];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new InputError(`label[row ${r}]`, v, `an integer class index in [0, ${classes})`);
    }
  }
}

/** A new dataset holding the given rows, in the given order (copies; the source is untouched). */
export function sliceRows(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const n = indices.length;
  const x = new Float32Array(n * ds.features);
  const y = new Float32Array(n * ds.targetWidth);
  for (let i = 0; i < n; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= ds.rows) {
      throw new InputError(`indices[${i}]`, r, `a row index in [0, ${ds.rows})`);
    }
    x.set(ds.x.subarray(r * ds.features, (r + 1) * ds.features), i * ds.features);
    y.set(ds.y.subarray(r * ds.targetWidth, (r + 1) * ds.targetWidth), i * ds.targetWidth);
  }
  return { ...ds, x, y, rows: n };
}

/** Class indices -> rows * classes one-hot matrix (the layout softmax cross-entropy wants). */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i];
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new InputError(`label[row ${i}]`, k, `an integer class index in [0, ${classes})`);
    }
    out[i * classes + k] = 1;
  }
  return out;
}
