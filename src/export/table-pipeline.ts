// What an export does with a model's fitted table pipeline (model.pipeline: one-hot categorical
// columns, imputation of missing cells, class names). The exported graph takes the *encoded* inputs
// (one per number, one per category) and imputes inside: a caller feeds NaN for a missing cell
// (for a categorical column, NaN in each of its one-hot inputs). Matching column names to inputs
// and one-hot encoding strings are left to the caller, and the metadata says so.

import type { TablePipeline } from '../data/table/types.js';

/** Per encoded input, what a NaN there becomes: the column's median, or its mode's one-hot. */
export function imputeValues(p: TablePipeline): number[] {
  return p.features.flatMap((f) => (f.kind === 'numeric' ? [f.impute] : f.vocabulary.map((v) => (v === f.impute ? 1 : 0))));
}

/** The caller's share, in words, for metadata_props and model.py. */
export function pipelineStatement(p: TablePipeline): string {
  const cats = p.features.filter((f) => f.kind === 'categorical').map((f) => f.name);
  return [
    'input "features" holds the encoded table columns in feature_names order: a numeric column as its number',
    cats.length ? `; each categorical column (${cats.join(', ')}) one-hot over its vocabulary (inputs "column=value"; an unseen category is all zeros)` : '',
    '. Missing cells: feed NaN (all of a categorical column\'s inputs) and the graph imputes the training median / most frequent category.',
    ' Input normalization is inside the graph: feed raw values. The label column "', p.label, '" is not an input.',
  ].join('');
}
