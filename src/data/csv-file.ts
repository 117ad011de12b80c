// Node-only helper: reads a CSV file from disk and parses it with parseCsv. Kept apart from
// csv.ts so the browser bundle never pulls in node:fs.

import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InputError } from '../util/errors.js';
import type { Dataset } from './dataset.js';
import { parseCsv, type CsvOptions } from './csv.js';

/** The dataset is named after the file (without extension) unless opts.name is given. */
export function loadCsvFile(path: string, opts: CsvOptions): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError('path', path, `a readable CSV file${code ? ` (${code})` : ''}`);
  }
  return parseCsv(text, { ...opts, name: opts.name ?? basename(path, extname(path)) });
}
