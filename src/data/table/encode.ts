// Applies a fitted TablePipeline to a table: columns found by name in any order, missing cells
// imputed (or rows dropped, or an error), categories one-hot encoded, labels mapped to class
// indices. The one apply used by training, evaluate, predict, the API and the browser.

import { InputError } from '../../util/errors.js';
import type { Dataset } from '../dataset.js';
import { cellNumber, cellText, isMissing, quoteList, rowName } from './cells.js';
import { labelValue } from './labels.js';
import type { EncodeReport, FeatureColumn, MissingPolicy, RawTable, TablePipeline } from './types.js';

export interface EncodeOptions {
  /** 'require': the label column must be there (training, evaluate); 'ignore': predict, label column skipped if present. */
  label: 'require' | 'ignore';
  /** Missing features: default the pipeline's policy. Predicting cannot drop rows, so pass 'impute' or 'error' there. */
  missing?: MissingPolicy;
  /** An unseen category is an error instead of an all-zero encoding. */
  strict?: boolean;
  name?: string;
}

/** Model inputs produced by one feature column. */
export const encodedWidth = (f: FeatureColumn) => (f.kind === 'numeric' ? 1 : f.vocabulary.length);

/** Names of the model's inputs in order: `col` for numbers, `col=value` for each category. */
export function encodedFeatureNames(p: TablePipeline): string[] {
  return p.features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : f.vocabulary.map((v) => `${f.name}=${v}`)));
}

export function encodeTable(p: TablePipeline, table: RawTable, opts: EncodeOptions): { dataset: Dataset; report: EncodeReport } {
  const col = new Map(table.columns.map((c, i) => [c, i]));
  const absent = p.features.filter((f) => !col.has(f.name)).map((f) => f.name);
  if (opts.label === 'require' && !col.has(p.label)) absent.push(p.label);
  if (absent.length) {
    throw new InputError('columns', `no ${quoteList(absent)}`, `the model's columns: ${quoteList([...p.features.map((f) => f.name), ...(opts.label === 'require' ? [p.label] : [])])} (in any order)`);
  }
  const tokens = new Set(p.missingValues);
  const policy = opts.missing ?? p.missing;
  const width = p.features.reduce((s, f) => s + encodedWidth(f), 0);
  const featureIdx = p.features.map((f) => col.get(f.name)!);
  const labelIdx = opts.label === 'require' ? col.get(p.label)! : -1;
  const slots = p.features.map((f) => (f.kind === 'categorical' ? new Map(f.vocabulary.map((v, k) => [v, k])) : undefined));
  const report: EncodeReport = { rowsIn: table.rows.length, rowsOut: 0, droppedMissingLabel: 0, droppedMissingFeature: 0, imputed: {}, imputedRows: 0, unseen: {} };

  const x = new Float32Array(table.rows.length * width);
  const y = new Float32Array(table.rows.length);
  let out = 0;
  rows: for (let r = 0; r < table.rows.length; r++) {
    const cells = table.rows[r];
    if (labelIdx >= 0 && isMissing(cells[labelIdx], tokens)) {
      if (policy === 'error') throw new InputError(`${rowName(table, r)}, column "${p.label}"`, cells[labelIdx], 'a label (--missing error)');
      report.droppedMissingLabel++;
      continue;
    }
    const gaps = p.features.filter((f, i) => isMissing(cells[featureIdx[i]], tokens));
    if (gaps.length > 0) {
      if (policy === 'error') throw new InputError(`${rowName(table, r)}, column "${gaps[0].name}"`, cells[featureIdx[p.features.indexOf(gaps[0])]], 'a value (--missing error)');
      if (policy === 'drop') {
        report.droppedMissingFeature++;
        continue rows;
      }
      report.imputedRows++;
      for (const g of gaps) report.imputed[g.name] = (report.imputed[g.name] ?? 0) + 1;
    }
    if (labelIdx >= 0) y[out] = labelValue(cells[labelIdx], p.task, p.classNames, `${rowName(table, r)}, column "${p.label}"`);
    let o = out * width;
    p.features.forEach((f, i) => {
      const cell = cells[featureIdx[i]];
      const gap = isMissing(cell, tokens);
      if (f.kind === 'numeric') {
        const v = gap ? f.impute : cellNumber(cell);
        if (v === undefined) throw new InputError(`${rowName(table, r)}, column "${f.name}"`, cell, `a number, or a missing-value marker (${quoteList(p.missingValues)})`);
        x[o++] = v;
        return;
      }
      const text = gap ? f.impute : cellText(cell);
      const k = slots[i]!.get(text);
      if (k !== undefined) x[o + k] = 1;
      else {
        if (opts.strict) throw new InputError(`${rowName(table, r)}, column "${f.name}"`, text, `one of the categories seen in training: ${quoteList(f.vocabulary.slice(0, 20))}`);
        const u = (report.unseen[f.name] ??= { count: 0, examples: [] });
        u.count++;
        if (u.examples.length < 3 && !u.examples.includes(text)) u.examples.push(text);
      }
      o += f.vocabulary.length;
    });
    out++;
  }
  report.rowsOut = out;
  if (out === 0) throw new InputError('rows', 0, `at least one row left after dropping rows with missing values (${report.droppedMissingLabel} without a label, ${report.droppedMissingFeature} with a missing feature)`);

  const dataset: Dataset = {
    name: opts.name ?? 'table',
    task: p.task,
    x: x.subarray(0, out * width),
    y: y.subarray(0, out),
    rows: out,
    features: width,
    targetWidth: 1,
    featureNames: encodedFeatureNames(p),
    pipeline: p,
  };
  if (p.task === 'multiclass') dataset.classes = p.classNames!.length;
  if (p.classNames) dataset.classLabels = p.classNames;
  return { dataset, report };
}

/** Sums the reports of the parts of one table (e.g. its train and test splits). */
export function mergeReports(a: EncodeReport, b: EncodeReport): EncodeReport {
  const imputed = { ...a.imputed };
  for (const [k, v] of Object.entries(b.imputed)) imputed[k] = (imputed[k] ?? 0) + v;
  const unseen = structuredClone(a.unseen);
  for (const [k, v] of Object.entries(b.unseen)) {
    const u = (unseen[k] ??= { count: 0, examples: [] });
    u.count += v.count;
    for (const e of v.examples) if (u.examples.length < 3 && !u.examples.includes(e)) u.examples.push(e);
  }
  return {
    rowsIn: a.rowsIn + b.rowsIn,
    rowsOut: a.rowsOut + b.rowsOut,
    droppedMissingLabel: a.droppedMissingLabel + b.droppedMissingLabel,
    droppedMissingFeature: a.droppedMissingFeature + b.droppedMissingFeature,
    imputed,
    imputedRows: a.imputedRows + b.imputedRows,
    unseen,
  };
}
