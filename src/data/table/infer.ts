// Per-column type inference: numeric, categorical, constant or identifier-like (the last two are
// left out of the model), with the user's overrides applied first. A column of numbers with a
// few stray words is an error, not a silent switch to categories: the word is usually a typo or
// a missing-value marker the user has to name.

import { InputError } from '../../util/errors.js';
import { cellNumber, cellText, quoteList, rowName } from './cells.js';
import type { Cell, RawTable } from './types.js';

export type ColumnKind = 'numeric' | 'categorical' | 'ignored';

export interface ColumnInference {
  name: string;
  kind: ColumnKind;
  /** Why a column is ignored, or how a type was chosen when it was forced. */
  reason?: string;
}

export interface InferOverrides {
  categorical?: readonly string[];
  numeric?: readonly string[];
  exclude?: readonly string[];
}

/** Text columns with more distinct values than this (and than half their rows) look like names or keys. */
export const MAX_CATEGORIES = 50;
const ID_NAME = /^(id|index|row_?id|row_?num(ber)?|uuid|key)$|[_ .-]id$|[a-z]Id$/i;

/**
 * Infers one column from its non-missing cells `values` (rows `at`, for messages).
 * Overrides win; a forced-numeric column must hold numbers.
 */
export function inferColumn(table: RawTable, name: string, values: Cell[], at: number[], o: InferOverrides): ColumnInference {
  if (o.exclude?.includes(name)) return { name, kind: 'ignored', reason: 'excluded (--exclude)' };
  const numbers = values.map(cellNumber);
  if (o.numeric?.includes(name)) {
    const bad = numbers.findIndex((v) => v === undefined);
    if (bad >= 0) throw new InputError(`${rowName(table, at[bad])}, column "${name}"`, values[bad], 'a number (the column is --numeric)');
    return { name, kind: 'numeric', reason: 'forced (--numeric)' };
  }
  if (o.categorical?.includes(name)) return { name, kind: 'categorical', reason: 'forced (--categorical)' };
  if (values.length === 0) return { name, kind: 'ignored', reason: 'empty (every value missing)' };

  const distinct = new Set(values.map((v, i) => (numbers[i] !== undefined ? numbers[i] : cellText(v))));
  if (distinct.size === 1) return { name, kind: 'ignored', reason: `constant (${quoteList([cellText(values[0])])})` };
  const texts = numbers.map((v, i) => (v === undefined ? i : -1)).filter((i) => i >= 0);
  if (texts.length === 0) {
    if (isSequentialId(name, numbers as number[])) return { name, kind: 'ignored', reason: 'identifier-like (unique integers: an ID name or a row counter; --numeric to keep it)' };
    return { name, kind: 'numeric' };
  }
  const numericDistinct = [...distinct].filter((d) => typeof d === 'number').length;
  if (numericDistinct > distinct.size / 2) {
    const i = texts[0];
    throw new InputError(
      `${rowName(table, at[i])}, column "${name}"`,
      values[i],
      `a number like the column's other values, or a missing-value marker (add it with --missing-values), or mark the column --categorical or --exclude`,
    );
  }
  if (distinct.size === values.length && values.length >= 10) return { name, kind: 'ignored', reason: 'identifier-like (a different value in every row)' };
  if (distinct.size > Math.max(MAX_CATEGORIES, values.length / 2)) {
    return { name, kind: 'ignored', reason: `identifier-like (${distinct.size} distinct values in ${values.length} rows; --categorical to keep it)` };
  }
  return { name, kind: 'categorical' };
}

/**
 * All-distinct integers named like an ID, or a row counter (0 or 1, 2, 3, ... in file order; a
 * year per row starts elsewhere and stays a feature). 10+ rows: tiny tables match too easily.
 */
function isSequentialId(name: string, v: number[]): boolean {
  if (v.length < 10 || !v.every(Number.isInteger) || new Set(v).size !== v.length) return false;
  if (ID_NAME.test(name)) return true;
  if (v[0] !== 0 && v[0] !== 1) return false;
  for (let i = 1; i < v.length; i++) if (v[i] - v[i - 1] !== 1) return false;
  return true;
}

/** Checks that every override names a column of the table (not the label) and none is given twice. */
export function checkOverrides(columns: readonly string[], label: string, o: InferOverrides): void {
  const seen = new Map<string, string>();
  for (const [flag, names] of [['--categorical', o.categorical], ['--numeric', o.numeric], ['--exclude', o.exclude]] as const) {
    for (const n of names ?? []) {
      if (!columns.includes(n)) throw new InputError(flag, n, `one of the columns: ${quoteList(columns)}`);
      if (n === label) throw new InputError(flag, n, 'a feature column (it is the --label column)');
      const other = seen.get(n);
      if (other) throw new InputError(flag, n, `a column not already listed in ${other}`);
      seen.set(n, flag);
    }
  }
}
