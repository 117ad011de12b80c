// Node-only helpers: read a CSV file from disk, as text (for the table pipeline) or parsed into a
// Dataset with parseCsv. Kept apart from csv.ts so the browser bundle never pulls in node:fs.

import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InputError } from '../util/errors.js';
import type { Dataset } from './dataset.js';
import { parseCsv, type CsvOptions } from './csv.js';

/** The file's text; `field` names the option that gave the path in the error (e.g. "--dataset"). */
export function readCsvText(path: string, field = 'path'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(field, path, `a readable CSV file${code ? ` (${code})` : ''}`);
  }
}

/** The dataset is named after the file (without extension) unless opts.name is given. */
export function loadCsvFile(path: string, opts: CsvOptions): Dataset {
  return parseCsv(readCsvText(path), { ...opts, name: opts.name ?? basename(path, extname(path)) });
}
