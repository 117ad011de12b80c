// Fits a TablePipeline: the label's task and class names and each column's type from the whole
// table (rows with a label), then vocabularies and imputation values from the training rows only,
// so nothing about held-out rows leaks into what the model sees.

import { InputError } from '../../util/errors.js';
import { cellNumber, cellText, isMissing, missingSet, quoteList, rowName } from './cells.js';
import { checkOverrides, inferColumn } from './infer.js';
import { fitLabels } from './labels.js';
import type { Cell, FeatureColumn, MissingPolicy, RawTable, TableOptions, TablePipeline } from './types.js';

const POLICIES: readonly MissingPolicy[] = ['impute', 'drop', 'error'];

export function fitPipeline(table: RawTable, options: TableOptions): TablePipeline {
  const { label } = options;
  const missing = options.missing ?? 'impute';
  if (!POLICIES.includes(missing)) throw new InputError('--missing', missing, 'impute, drop or error');
  const labelIndex = table.columns.indexOf(label);
  if (labelIndex < 0) throw new InputError(options.labelField ?? 'label', label, `one of the columns: ${quoteList(table.columns)}`);
  checkOverrides(table.columns, label, options);
  const tokens = missingSet(options.missingValues);
  const gone = (c: Cell) => isMissing(c, tokens);

  const labeled: number[] = [];
  table.rows.forEach((cells, r) => {
    if (!gone(cells[labelIndex])) labeled.push(r);
    else if (missing === 'error') throw new InputError(`${rowName(table, r)}, column "${label}"`, cells[labelIndex], 'a label (--missing error)');
  });
  const fitted = fitLabels(
    labeled.map((r) => table.rows[r][labelIndex]),
    options.task,
    label,
    (i) => rowName(table, labeled[i]),
  );

  const trainSet = options.trainRows ? new Set(Array.from(options.trainRows)) : undefined;
  const trainRows = trainSet ? labeled.filter((r) => trainSet.has(r)) : labeled;
  if (trainRows.length === 0) throw new InputError('rows', 0, 'at least one training row with a label');

  const features: FeatureColumn[] = [];
  const ignored: TablePipeline['ignored'] = [];
  table.columns.forEach((name, c) => {
    if (c === labelIndex) return;
    const at = labeled.filter((r) => !gone(table.rows[r][c]));
    const kind = inferColumn(table, name, at.map((r) => table.rows[r][c]), at, options);
    if (kind.kind === 'ignored') {
      ignored.push({ name, reason: kind.reason! });
      return;
    }
    const values = trainRows.map((r) => table.rows[r][c]).filter((v) => !gone(v));
    if (values.length === 0) {
      ignored.push({ name, reason: 'empty in the training rows (every value missing)' });
      return;
    }
    if (kind.kind === 'numeric') features.push({ name, kind: 'numeric', impute: median(values.map((v) => cellNumber(v)!)) });
    else features.push({ name, kind: 'categorical', ...vocabulary(values) });
  });
  if (features.length === 0) {
    throw new InputError('feature columns', ignored.map((i) => `${i.name}: ${i.reason}`).join('; ') || 'none', 'at least one usable feature column besides the label');
  }
  return {
    kind: 'table',
    version: 1,
    label,
    task: fitted.task,
    ...(fitted.classNames ? { classNames: fitted.classNames } : {}),
    features,
    ignored,
    missingValues: [...tokens],
    missing,
  };
}

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Sorted distinct values, and the most frequent one (ties: the first in sorted order). */
function vocabulary(values: Cell[]): { vocabulary: string[]; impute: string } {
  const counts = new Map<string, number>();
  for (const v of values) {
    const t = cellText(v);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const vocab = [...counts.keys()].sort();
  let impute = vocab[0];
  for (const k of vocab) if (counts.get(k)! > counts.get(impute)!) impute = k;
  return { vocabulary: vocab, impute };
}
