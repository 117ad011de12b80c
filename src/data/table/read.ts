// CSV text -> RawTable: a header row of unique names, then rows of as many fields. Also reads the
// two first-row forms scikit-learn's bundled CSVs use (a "rows,columns,target names" row instead
// of a header; a "rows,columns" row above the header) and says so in `notes`. Browser-safe.

import Papa from 'papaparse';
import { InputError } from '../../util/errors.js';
import { NUMBER_RE } from './cells.js';
import type { RawTable } from './types.js';

const isCount = (s: string | undefined) => s !== undefined && /^\d+$/.test(s.trim());

export function readCsvTable(text: string): RawTable {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: false });
  // A one-column file has no delimiter to detect; Papa falls back to comma, which is right.
  const fatal = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (fatal) throw new InputError(`csv row ${(fatal.row ?? 0) + 1}`, fatal.code, `well-formed CSV (${fatal.message})`);

  // Keep each row's 1-based line number for messages; blank lines are skipped but counted.
  let lines = parsed.data
    .map((cells, i) => ({ cells, line: i + 1 }))
    .filter(({ cells }) => !(cells.length === 0 || (cells.length === 1 && cells[0].trim() === '')));
  if (lines.length === 0) throw new InputError('csv', '', 'a header row and at least one data row');

  const notes: string[] = [];
  const first = lines[0].cells.map((c) => c.trim());
  let header = first;
  let targetNames: string[] | undefined;
  const body = () => lines.slice(1);
  if (isCount(first[0]) && isCount(first[1]) && first.slice(2).every((c) => c === '') && lines.length > 1) {
    // scikit-learn (boston): "506,13,,," above the real header.
    notes.push(`line ${lines[0].line} ("${first.filter((c) => c !== '').join(',')}") read as a row/column count, not a header`);
    lines = lines.slice(1);
    header = lines[0].cells.map((c) => c.trim());
  } else if (isCount(first[0]) && isCount(first[1]) && first.length > 2 && body().length === Number(first[0]) && body()[0].cells.length === Number(first[1]) + 1) {
    // scikit-learn (iris, wine, breast_cancer): "150,4,setosa,versicolor,virginica": count,
    // features, then the names of target values 0, 1, ...; the rows have no header.
    const features = Number(first[1]);
    targetNames = first.slice(2);
    header = [...Array.from({ length: features }, (_, i) => `feature_${i}`), 'target'];
    notes.push(
      `line ${lines[0].line} read as scikit-learn's "rows,features,class names" row: columns named ${header[0]}..${header[features - 1]} and "target" (${targetNames.join(', ')})`,
    );
  }

  if (!targetNames && header.length > 1 && header.every((h) => NUMBER_RE.test(h))) {
    throw new InputError(`header (line ${lines[0].line})`, lines[0].cells.join(','), 'a header row of column names first (this row looks like data)');
  }
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '') throw new InputError(`header column ${i + 1}`, h, 'a non-empty column name');
    if (seen.has(h)) throw new InputError(`header column ${i + 1}`, h, 'a unique column name');
    seen.add(h);
  });
  const rows = lines.slice(1);
  if (rows.length === 0) throw new InputError('rows', 0, 'at least one data row after the header');
  rows.forEach(({ cells, line }, r) => {
    if (cells.length !== header.length) {
      throw new InputError(`row ${r + 1} (line ${line})`, `${cells.length} fields`, `${header.length} fields, as in the header`);
    }
  });
  if (targetNames) {
    const names = targetNames;
    const t = header.length - 1;
    rows.forEach(({ cells, line }) => {
      const k = cells[t].trim();
      if (!isCount(k) || Number(k) >= names.length) {
        throw new InputError(`line ${line}, column "target"`, cells[t], `a class index in [0, ${names.length}) (the first row names ${names.length} classes)`);
      }
      cells[t] = names[Number(k)];
    });
  }
  const table: RawTable = { columns: header, rows: rows.map((l) => l.cells), lines: rows.map((l) => l.line) };
  if (notes.length) table.notes = notes;
  return table;
}

/** The given rows of a table (its line numbers kept). */
export function tableRows(table: RawTable, indices: ArrayLike<number>): RawTable {
  const rows: RawTable['rows'] = [];
  const lines: number[] = [];
  for (let i = 0; i < indices.length; i++) {
    rows.push(table.rows[indices[i]]);
    lines.push(table.lines?.[indices[i]] ?? indices[i] + 2);
  }
  return { ...table, rows, lines };
}

/** An in-memory table from records ({column: value}); columns in first-seen order. */
export function tableFromRecords(records: readonly Record<string, unknown>[]): RawTable {
  const columns: string[] = [];
  const known = new Set<string>();
  for (const rec of records) for (const k of Object.keys(rec)) if (!known.has(k)) known.add(k), columns.push(k);
  const rows = records.map((rec) => columns.map((c) => rec[c] as RawTable['rows'][number][number]));
  return { columns, rows };
}
