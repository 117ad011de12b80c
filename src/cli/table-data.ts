// CSV files on the CLI: train reads the table, splits it (seeded, 20% test), fits the pipeline on
// the training rows and encodes both parts; evaluate and predict encode a whole file with a saved
// model's pipeline. Also the inference summary and missing-value counts a user is shown.

import { basename, extname } from 'node:path';
import { readCsvText } from '../data/csv-file.js';
import type { Dataset } from '../data/dataset.js';
import { encodeTable, mergeReports } from '../data/table/encode.js';
import { fitPipeline } from '../data/table/fit.js';
import { readCsvTable, tableRows } from '../data/table/read.js';
import type { EncodeReport, RawTable, TablePipeline } from '../data/table/types.js';
import type { Model } from '../model/model.js';
import { InputError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { tableOptions, type DataFlags } from './data-flags.js';

export interface DataInfo {
  /** Printed before training. */
  lines: string[];
  /** The `data` key of the --json summary. */
  json: Record<string, unknown>;
}

export const TEST_FRACTION = 0.2;

export function readCsvFile(path: string, field: string): RawTable {
  return readCsvTable(readCsvText(path, field));
}

export function loadCsvSplits(path: string, label: string | undefined, seed: number, flags: DataFlags): { train: Dataset; test: Dataset; info: DataInfo } {
  if (!label) throw new InputError('--label', undefined, 'the name of the label column for a CSV dataset');
  const table = readCsvFile(path, '--dataset');
  const n = table.rows.length;
  if (n < 2) throw new InputError('rows', n, 'at least 2 data rows (one to train on, one to test)');
  const nTest = Math.max(1, Math.round(n * TEST_FRACTION));
  const order = new Rng(seed).permutation(n);
  const trainRows = order.subarray(0, n - nTest);
  const pipeline = fitPipeline(table, { ...tableOptions(flags, label), trainRows });
  const name = basename(path, extname(path));
  const train = encodeTable(pipeline, tableRows(table, trainRows), { label: 'require', name });
  const test = encodeTable(pipeline, tableRows(table, order.subarray(n - nTest)), { label: 'require', name: `${name}-test` });
  const report = mergeReports(train.report, test.report);
  return { train: train.dataset, test: test.dataset, info: describeData(pipeline, report, table.notes ?? [], { file: basename(path), trainRows: train.report.rowsOut, testRows: test.report.rowsOut }) };
}

const fmt = (v: number) => String(Number(v.toPrecision(4)));
/** Up to this many columns get a line each; wider tables are summarised by kind. */
const COLUMN_LINES = 12;
const few = (v: string[], k = 4) => v.slice(0, k).map((s) => JSON.stringify(s)).join(', ') + (v.length > k ? `, ... (${v.length})` : '');

export function describeData(p: TablePipeline, report: EncodeReport, notes: string[], where: { file: string; trainRows: number; testRows: number }): DataInfo {
  const lines = notes.map((n) => `note: ${n}`);
  const target = p.classNames ? `${p.task}, ${p.classNames.length} classes: ${few(p.classNames, 6)}` : p.task;
  lines.push(`data: ${where.file}, ${report.rowsIn} rows -> ${where.trainRows} train + ${where.testRows} test; label "${p.label}" (${target})`);
  const width = Math.max(...[...p.features, ...p.ignored].map((c) => c.name.length), 6);
  const numeric = p.features.filter((f) => f.kind === 'numeric');
  for (const f of p.features) {
    if (f.kind === 'numeric' && p.features.length + p.ignored.length > COLUMN_LINES) continue;
    const what = f.kind === 'numeric' ? `numeric (missing -> median ${fmt(f.impute)})` : `categorical, ${f.vocabulary.length} value${f.vocabulary.length === 1 ? '' : 's'} ${few(f.vocabulary)} (missing -> ${JSON.stringify(f.impute)})`;
    lines.push(`  ${f.name.padEnd(width)}  ${what}`);
  }
  if (numeric.length && p.features.length + p.ignored.length > COLUMN_LINES) {
    lines.push(`  ${numeric.length} numeric columns: ${numeric.map((f) => f.name).join(', ')} (missing -> training median)`);
  }
  for (const g of p.ignored) lines.push(`  ${g.name.padEnd(width)}  ignored: ${g.reason}`);
  lines.push(`missing values: ${missingText(report)} (--missing ${p.missing})`);
  const json = {
    file: where.file,
    rows: report.rowsIn,
    trainRows: where.trainRows,
    testRows: where.testRows,
    label: p.label,
    task: p.task,
    ...(p.classNames ? { classNames: p.classNames } : {}),
    columns: [
      ...p.features.map((f) => (f.kind === 'numeric' ? { name: f.name, type: 'numeric', impute: f.impute } : { name: f.name, type: 'categorical', values: f.vocabulary.length, impute: f.impute })),
      ...p.ignored.map((g) => ({ name: g.name, type: 'ignored', reason: g.reason })),
    ],
    missingValues: p.missingValues,
    droppedMissingLabel: report.droppedMissingLabel,
    droppedMissingFeature: report.droppedMissingFeature,
    imputedCells: Object.values(report.imputed).reduce((s, v) => s + v, 0),
    imputedRows: report.imputedRows,
    imputed: report.imputed,
    ...(notes.length ? { notes } : {}),
  };
  return { lines, json };
}

/** "dropped 2 rows without a label; imputed 19 cells in 11 rows (sex 9, ...)" */
export function missingText(report: EncodeReport): string {
  const parts: string[] = [];
  if (report.droppedMissingLabel) parts.push(`dropped ${report.droppedMissingLabel} rows without a label`);
  if (report.droppedMissingFeature) parts.push(`dropped ${report.droppedMissingFeature} rows with a missing feature`);
  const cells = Object.entries(report.imputed);
  if (cells.length) parts.push(`imputed ${cells.reduce((s, [, v]) => s + v, 0)} cells in ${report.imputedRows} rows (${cells.map(([k, v]) => `${k} ${v}`).join(', ')})`);
  return parts.length ? parts.join('; ') : 'none';
}

/** The one warning for categories a model never saw (encoded as all zeros), or undefined. */
export function unseenWarning(report: EncodeReport): string | undefined {
  const cols = Object.entries(report.unseen);
  if (cols.length === 0) return undefined;
  const total = cols.reduce((s, [, u]) => s + u.count, 0);
  return `warning: ${total} cells hold categories not seen in training, encoded as all zeros: ${cols.map(([k, u]) => `${k} (${few(u.examples, 3)})`).join(', ')}; --strict makes this an error`;
}

/**
 * The pipeline a saved model applies to a file: its own, or, for a model trained without one
 * (generated data, older files), every column but the label read as a number in file order.
 */
export function pipelineFor(model: Model, table: RawTable, label: string | undefined): TablePipeline {
  if (model.pipeline) return model.pipeline;
  const { task, outputSize, inputSize } = model.spec;
  const columns = table.columns.filter((c) => c !== label);
  if (columns.length !== inputSize) throw new InputError('columns', `${columns.length} feature columns (${few(columns)})`, `${inputSize} numeric columns in the model's input order${label ? '' : ' (pass --label if the file has a label column)'}`);
  const classes = task === 'regression' ? 0 : task === 'binary' ? 2 : outputSize;
  return {
    kind: 'table',
    version: 1,
    label: label ?? '',
    task,
    ...(classes ? { classNames: Array.from({ length: classes }, (_, k) => String(k)) } : {}),
    features: columns.map((name) => ({ name, kind: 'numeric', impute: 0 })),
    ignored: [],
    missingValues: [],
    missing: 'error',
  };
}

/** A CSV file encoded for a saved model: every row, columns matched by name; warnings on stderr. */
export function encodeFileForModel(model: Model, path: string, opts: { label?: string; withLabel: boolean; flags: DataFlags; warn: (line: string) => void }): Dataset {
  // evaluate reads --dataset, predict --input
  const table = readCsvFile(path, opts.withLabel ? '--dataset' : '--input');
  const pipeline = pipelineFor(model, table, opts.withLabel ? (opts.label ?? model.pipeline?.label) : opts.label);
  if (opts.withLabel && !pipeline.label) throw new InputError('--label', undefined, 'the label column of the file (the model does not record one)');
  const missing = opts.flags.strict || pipeline.missing === 'error' ? 'error' : opts.withLabel ? undefined : 'impute';
  const { dataset, report } = encodeTable(pipeline, table, { label: opts.withLabel ? 'require' : 'ignore', missing, strict: opts.flags.strict, name: basename(path, extname(path)) });
  const gaps = missingText(report);
  if (gaps !== 'none') opts.warn(`missing values: ${gaps}`);
  const unseen = unseenWarning(report);
  if (unseen) opts.warn(unseen);
  return dataset;
}
