// CSV text -> Dataset in one call: reads the table, fits the tabular pipeline on every row
// (column types, one-hot vocabularies, imputation, class names) and encodes it. The Dataset
// carries the pipeline, so a model trained on it saves it. No Node imports (the browser demo
// parses dropped files with it); csv-file.ts adds reading from disk.

import { encodeTable } from './table/encode.js';
import { fitPipeline } from './table/fit.js';
import { readCsvTable } from './table/read.js';
import type { TableOptions } from './table/types.js';
import type { Dataset } from './dataset.js';
import { validateDataset } from './dataset.js';

export interface CsvOptions extends TableOptions {
  /** Dataset name (default "csv"). */
  name?: string;
}

export function parseCsv(text: string, opts: CsvOptions): Dataset {
  const table = readCsvTable(text);
  const pipeline = fitPipeline(table, opts);
  const { dataset } = encodeTable(pipeline, table, { label: 'require', name: opts.name ?? 'csv' });
  validateDataset(dataset);
  return dataset;
}
