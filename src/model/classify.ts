// A classification model's outputs as class names (the model's pipeline's) and per-class
// probabilities: used by predictTable (train/predict-table.ts) and by the CLI's predict, which
// writes the same classification to a CSV. Browser-safe.

import { InputError } from '../util/errors.js';
import type { Model } from './model.js';

export interface Classified {
  /** Class name per row (the pipeline's names, or "0", "1", ... without one). */
  classes: string[];
  /** rows x classes probabilities, each row summing to 1. */
  probabilities: Float32Array;
  classNames: string[];
}

/** Outputs of a classification model -> class names and per-class probabilities. */
export function classify(model: Model, outputs: Float32Array): Classified {
  const { task, outputSize } = model.spec;
  if (task === 'regression') throw new InputError('task', task, 'a classification model');
  const k = task === 'binary' ? 2 : outputSize;
  const classNames = model.pipeline?.classNames ?? Array.from({ length: k }, (_, c) => String(c));
  const rows = outputs.length / outputSize;
  const probabilities = new Float32Array(rows * k);
  const classes: string[] = [];
  for (let r = 0; r < rows; r++) {
    if (task === 'binary') probabilities.set([1 - outputs[r], outputs[r]], r * 2);
    else probabilities.set(outputs.subarray(r * k, r * k + k), r * k);
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[r * k + c] > probabilities[r * k + best]) best = c;
    classes.push(classNames[best]);
  }
  return { classes, probabilities, classNames };
}
