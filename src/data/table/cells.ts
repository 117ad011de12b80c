// Reading one cell: is it missing, and what number is it. Strict decimal syntax, because Number()
// would also accept '', '0x1f', 'Infinity' and whitespace and turn typos into data.

import type { Cell } from './types.js';

/** Read as missing unless configured otherwise (the empty cell always is). */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'NaN', 'nan', '?'];

export const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isMissing(cell: Cell, missing: ReadonlySet<string>): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'number') return Number.isNaN(cell);
  const text = String(cell).trim();
  return text === '' || missing.has(text);
}

/** The cell's text as a category (trimmed). */
export function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell.trim() : String(cell);
}

/** A finite number, or undefined when the cell is not one (text, Infinity, beyond float32). */
export function cellNumber(cell: Cell): number | undefined {
  let v: number;
  if (typeof cell === 'number') v = cell;
  else if (typeof cell === 'string' && NUMBER_RE.test(cell.trim())) v = Number(cell.trim());
  else return undefined;
  return Number.isFinite(v) && Number.isFinite(Math.fround(v)) ? v : undefined;
}

export function missingSet(values: readonly string[] | undefined): Set<string> {
  return new Set((values ?? DEFAULT_MISSING_VALUES).map((s) => s.trim()));
}

export function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** Where row r of a table is, for messages: its file line when known (split tables keep them). */
export function rowName(table: { lines?: number[] }, r: number): string {
  const line = table.lines?.[r];
  return line !== undefined ? `line ${line}` : `row ${r + 1}`;
}
