// Predictions on tables for API users: rows in (CSV text read with readCsvTable, or records), the
// model's own pipeline applied by column name, class names and per-class probabilities out.
// Browser-safe.

import { encodeTable } from '../data/table/encode.js';
import { tableFromRecords } from '../data/table/read.js';
import type { EncodeReport, RawTable } from '../data/table/types.js';
import type { Model } from '../model/model.js';
import { classify, type Classified } from '../model/classify.js';
import { InputError } from '../util/errors.js';
import type { DataOptions } from './fit.js';
import { predict } from './inference.js';

export interface TablePrediction {
  rows: number;
  /** What Model.predict returns for the encoded rows. */
  outputs: Float32Array;
  /** Classification models only. */
  classified?: Classified;
  /** Cells imputed and unseen categories (encoded as all zeros). */
  report: EncodeReport;
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
  const outputs = await predict(model, dataset.x, { backend: options.backend });
  return { rows: dataset.rows, outputs, ...(p.task !== 'regression' ? { classified: classify(model, outputs) } : {}), report };
}
