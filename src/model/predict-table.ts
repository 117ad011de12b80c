// Predictions on tables for API users: rows in (CSV text read with readCsvTable, or records), the
// model's own pipeline applied by column name, class names and per-class probabilities out.
// Browser-safe; the CLI's predict writes the same classification (classify) to a CSV.

import { encodeTable } from '../data/table/encode.js';
import { tableFromRecords } from '../data/table/read.js';
import type { EncodeReport, RawTable } from '../data/table/types.js';
import { InputError } from '../util/errors.js';
import type { DataOptions, Model } from './model.js';

export interface Classified {
  /** Class name per row (the pipeline's names, or "0", "1", ... without one). */
  classes: string[];
  /** rows x classes probabilities, each row summing to 1. */
  probabilities: Float32Array;
  classNames: string[];
}

export interface TablePrediction {
  rows: number;
  /** What Model.predict returns for the encoded rows. */
  outputs: Float32Array;
  /** Classification models only. */
  classified?: Classified;
  /** Cells imputed and unseen categories (encoded as all zeros). */
  report: EncodeReport;
}

/** Outputs of a classification model -> class names and per-class probabilities. */
export function classify(model: Model, outputs: Float32Array): Classified {
  const { task, outputSize } = model.spec;
  if (task === 'regression') throw new InputError('task', task, 'a classification model');
  const k = task === 'binary' ? 2 : outputSize;
  const classNames = model.pipeline?.classNames ?? Array.from({ length: k }, (_, c) => String(c));
  const rows = outputs.length / outputSize;
  const probabilities = new Float32Array(rows * k);
  const classes: string[] = [];
  for (let r = 0; r < rows; r++) {
    if (task === 'binary') probabilities.set([1 - outputs[r], outputs[r]], r * 2);
    else probabilities.set(outputs.subarray(r * k, r * k + k), r * k);
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[r * k + c] > probabilities[r * k + best]) best = c;
    classes.push(classNames[best]);
  }
  return { classes, probabilities, classNames };
}

/**
 * Predicts for a table through the model's pipeline: columns matched by name in any order, the
 * label column ignored if present, missing cells imputed (an error with `strict` or a model
 * trained with missing: 'error'), unseen categories encoded as all zeros (an error with `strict`).
 */
export async function predictTable(
  model: Model,
  table: RawTable | readonly Record<string, unknown>[],
  options: { backend?: DataOptions['backend']; strict?: boolean } = {},
): Promise<TablePrediction> {
  const p = model.pipeline;
  if (!p) throw new InputError('model.pipeline', undefined, 'a model trained on table data (parseCsv or fitPipeline + encodeTable)');
  const t = Array.isArray(table) ? tableFromRecords(table) : (table as RawTable);
  const missing = options.strict || p.missing === 'error' ? 'error' : 'impute';
  const { dataset, report } = encodeTable(p, t, { label: 'ignore', missing, strict: options.strict });
  const outputs = await model.predict(dataset.x, { backend: options.backend });
  return { rows: dataset.rows, outputs, ...(p.task !== 'regression' ? { classified: classify(model, outputs) } : {}), report };
}
