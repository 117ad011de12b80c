// predict's output CSV: the predicted class name per row (and, with --probabilities, one p_<class>
// column per class), or the predicted value(s) in the target's units for regression.

import Papa from 'papaparse';
import type { Model } from '../model/model.js';
import { classify } from '../model/classify.js';

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));

export function predictionsCsv(model: Model, y: Float32Array, probabilities: boolean): string {
  const { task, outputSize: width } = model.spec;
  const rows = y.length / width;
  if (task === 'regression') {
    const label = model.pipeline?.label;
    const fields = width === 1 && label ? [label] : Array.from({ length: width }, (_, c) => `y${c}`);
    const data = Array.from({ length: rows }, (_, r) => Array.from(y.subarray(r * width, r * width + width), num));
    return Papa.unparse({ fields, data }, { newline: '\n' }) + '\n';
  }
  const { classes, probabilities: p, classNames } = classify(model, y);
  const k = classNames.length;
  const fields = ['class', ...(probabilities ? classNames.map((n) => `p_${n}`) : [])];
  const data = classes.map((c, r) => [c, ...(probabilities ? Array.from(p.subarray(r * k, r * k + k), num) : [])]);
  return Papa.unparse({ fields, data }, { newline: '\n' }) + '\n';
}
