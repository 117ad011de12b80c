// predict's output CSV: the predicted class name per row (and, with --probabilities, one p_<class>
// column per class), or the predicted value(s) in the target's units for regression.

import Papa from 'papaparse';
import type { Model } from '../model/model.js';

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
  const classes = task === 'binary' ? 2 : width;
  const names = model.pipeline?.classNames ?? Array.from({ length: classes }, (_, k) => String(k));
  const fields = ['class', ...(probabilities ? names.map((n) => `p_${n}`) : [])];
  const data = Array.from({ length: rows }, (_, r) => {
    const p = task === 'binary' ? [1 - y[r], y[r]] : Array.from(y.subarray(r * width, r * width + width));
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
    return [names[best], ...(probabilities ? p.map(num) : [])];
  });
  return Papa.unparse({ fields, data }, { newline: '\n' }) + '\n';
}
