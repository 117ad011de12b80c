// What an export does with a model's fitted table pipeline (model.pipeline, from the data-pipeline
// work: one-hot categorical columns, imputation of missing cells, class names). Read structurally
// here so this file is the only one that knows its shape. The exported graph takes the *encoded*
// inputs (one per number, one per category) and imputes inside: a caller feeds NaN for a missing
// cell (for a categorical column, NaN in each of its one-hot inputs). Matching column names to
// inputs and one-hot encoding strings are left to the caller, and the metadata says so.

interface NumericColumn { name: string; kind: 'numeric'; impute: number }
interface CategoricalColumn { name: string; kind: 'categorical'; vocabulary: string[]; impute: string }

/** The parts of data-pipeline's TablePipeline an export reads. */
export interface TablePipelineView {
  kind: 'table';
  label: string;
  classNames?: string[];
  features: (NumericColumn | CategoricalColumn)[];
}

/** The model's table pipeline, when it has one whose encoded width is the model's input size. */
export function tablePipelineOf(model: { pipeline?: unknown; spec: { inputSize: number } }): TablePipelineView | undefined {
  const p = model.pipeline as TablePipelineView | undefined;
  if (!p || p.kind !== 'table' || !Array.isArray(p.features)) return undefined;
  return imputeValues(p).length === model.spec.inputSize ? p : undefined;
}

/** Input names in order: `col` for a number, `col=value` per category (as the pipeline encodes). */
export function encodedNames(p: TablePipelineView): string[] {
  return p.features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : f.vocabulary.map((v) => `${f.name}=${v}`)));
}

/** Per encoded input, what a NaN there becomes: the column's median, or its mode's one-hot. */
export function imputeValues(p: TablePipelineView): number[] {
  return p.features.flatMap((f) => (f.kind === 'numeric' ? [f.impute] : f.vocabulary.map((v) => (v === f.impute ? 1 : 0))));
}

/** The caller's share, in words, for metadata_props and model.py. */
export function pipelineStatement(p: TablePipelineView): string {
  const cats = p.features.filter((f) => f.kind === 'categorical').map((f) => f.name);
  return [
    'input "features" holds the encoded table columns in feature_names order: a numeric column as its number',
    cats.length ? `; each categorical column (${cats.join(', ')}) one-hot over its vocabulary (inputs "column=value"; an unseen category is all zeros)` : '',
    '. Missing cells: feed NaN (all of a categorical column\'s inputs) and the graph imputes the training median / most frequent category.',
    ' Input normalization is inside the graph: feed raw values. The label column "', p.label, '" is not an input.',
  ].join('');
}
