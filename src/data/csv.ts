// CSV -> Dataset: a header row, one named label column, every other column a numeric feature.
// Errors name the row, column and offending value so a user can fix the file directly. No Node
// imports (the browser demo parses dropped files with it); csv-file.ts adds reading from disk.

import Papa from 'papaparse';
import type { Task } from '../types/model-spec.js';
import { InputError } from '../util/errors.js';
import { validateDataset, type Dataset } from './dataset.js';

export interface CsvOptions {
  /** Name of the label (target) column. */
  label: string;
  /** Inferred from the label column when omitted (see inferTask). */
  task?: Task;
  /** Dataset name (default "csv"). */
  name?: string;
  /** What messages call the label option, e.g. the CLI's "--label" (default "label"). */
  labelField?: string;
}

/** Integer labels with at most this many distinct values are read as classes when inferring. */
export const MAX_INFERRED_CLASSES = 50;

// Strict decimal syntax: Number() would also accept '', '0x1f', 'Infinity' and whitespace.
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseCsv(text: string, opts: CsvOptions): Dataset {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: false });
  // A one-column file has no delimiter to detect; Papa falls back to comma, which is right.
  const fatal = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (fatal) throw new InputError(`csv row ${(fatal.row ?? 0) + 1}`, fatal.code, `well-formed CSV (${fatal.message})`);

  // Keep each row's 1-based line number for messages; blank lines are skipped but counted.
  const lines = parsed.data
    .map((cells, i) => ({ cells, line: i + 1 }))
    .filter(({ cells }) => !(cells.length === 0 || (cells.length === 1 && cells[0].trim() === '')));
  if (lines.length === 0) throw new InputError('csv', '', 'a header row and at least one data row');

  const header = lines[0].cells.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '') throw new InputError(`header column ${i + 1}`, h, 'a non-empty column name');
    if (seen.has(h)) throw new InputError(`header column ${i + 1}`, h, 'a unique column name');
    seen.add(h);
  });
  const labelIndex = header.indexOf(opts.label);
  if (labelIndex < 0) {
    throw new InputError(opts.labelField ?? 'label', opts.label, `one of the columns: ${header.map((h) => JSON.stringify(h)).join(', ')}`);
  }
  const featureNames = header.filter((_, i) => i !== labelIndex);
  if (featureNames.length === 0) throw new InputError('columns', header.length, 'at least one feature column besides the label');

  const body = lines.slice(1);
  if (body.length === 0) throw new InputError('rows', 0, 'at least one data row after the header');
  const rows = body.length;
  const features = featureNames.length;
  const x = new Float32Array(rows * features);
  const rawLabels: string[] = [];

  body.forEach(({ cells, line }, r) => {
    const where = `row ${r + 1} (line ${line})`;
    if (cells.length !== header.length) {
      throw new InputError(where, `${cells.length} fields`, `${header.length} fields, as in the header`);
    }
    let f = 0;
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c].trim();
      if (c === labelIndex) {
        if (cell === '') throw new InputError(`${where}, column "${header[c]}"`, cell, 'a label');
        rawLabels.push(cell);
        continue;
      }
      if (!NUMBER_RE.test(cell)) throw new InputError(`${where}, column "${header[c]}"`, cell, 'a finite number');
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new InputError(`${where}, column "${header[c]}"`, cell, 'a finite number (within float range)');
      x[r * features + f++] = v;
    }
  });

  const labels = readLabels(rawLabels, opts.task, opts.label);
  const ds: Dataset = {
    name: opts.name ?? 'csv',
    task: labels.task,
    x,
    y: labels.y,
    rows,
    features,
    targetWidth: 1,
    featureNames,
  };
  if (labels.classLabels) {
    ds.classes = labels.classLabels.length;
    ds.classLabels = labels.classLabels;
  }
  // Float32 overflow (e.g. 1e39) only shows up after conversion; validateDataset catches it.
  validateDataset(ds);
  return ds;
}

interface Labels {
  task: Task;
  y: Float32Array;
  classLabels?: string[];
}

/**
 * Inference: integer labels within {0,1} -> binary; integers with <= MAX_INFERRED_CLASSES distinct
 * values -> multiclass; other numbers -> regression; any non-numeric label -> multiclass.
 */
export function inferTask(rawLabels: readonly string[]): Task {
  const numeric = rawLabels.every((s) => NUMBER_RE.test(s));
  if (!numeric) return 'multiclass';
  const values = rawLabels.map(Number);
  if (!values.every(Number.isInteger)) return 'regression';
  const distinct = new Set(values);
  if ([...distinct].every((v) => v === 0 || v === 1)) return 'binary';
  return distinct.size <= MAX_INFERRED_CLASSES ? 'multiclass' : 'regression';
}

function readLabels(raw: string[], task: Task | undefined, column: string): Labels {
  const t = task ?? inferTask(raw);
  const y = new Float32Array(raw.length);
  const field = (r: number) => `row ${r + 1}, column "${column}"`;

  if (t === 'regression' || t === 'binary') {
    raw.forEach((s, r) => {
      const v = NUMBER_RE.test(s) ? Number(s) : NaN;
      if (t === 'binary' && v !== 0 && v !== 1) throw new InputError(field(r), s, '0 or 1 for a binary task');
      if (!Number.isFinite(v)) throw new InputError(field(r), s, 'a finite number for a regression task');
      y[r] = v;
    });
    return { task: t, y };
  }

  // Multiclass: map distinct labels, sorted (numerically when all numeric), to 0..k-1. Numbers
  // are keyed by value so "1" and "1.0" are one class.
  const numeric = raw.every((s) => NUMBER_RE.test(s));
  const keys = raw.map((s) => (numeric ? String(Number(s)) : s));
  const distinct = [...new Set(keys)];
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  if (distinct.length < 2) throw new InputError(`column "${column}"`, `${distinct.length} distinct label`, 'at least 2 classes for a multiclass task');
  const index = new Map(distinct.map((k, i) => [k, i]));
  keys.forEach((k, r) => {
    y[r] = index.get(k)!;
  });
  return { task: t, y, classLabels: distinct };
}
