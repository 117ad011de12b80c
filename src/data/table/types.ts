// The tabular pipeline's data types: a raw table of cells, the options a user sets, and the fitted
// TablePipeline that is saved with a model (model.json key `pipeline`). Plain JSON data, read by
// predict, evaluate, the browser and the exporters: encodeTable (encode.ts) is its one apply.

import type { Task } from '../../types/model-spec.js';

/** One cell as a file or an in-memory table holds it. null, undefined and NaN count as missing. */
export type Cell = string | number | boolean | null | undefined;

/** Rows of cells under named columns. */
export interface RawTable {
  columns: string[];
  rows: Cell[][];
  /** 1-based source line of each row, so messages can point into the file. */
  lines?: number[];
  /** Things the reader did that a user should know (e.g. a scikit-learn count row it read). */
  notes?: string[];
}

/** What to do with a missing cell when training: impute features (labels are never imputed), drop the row, or stop. */
export type MissingPolicy = 'impute' | 'drop' | 'error';

/** 'classification' resolves to binary (labels exactly 0/1) or multiclass. */
export type TaskChoice = Task | 'classification';

export interface TableOptions {
  /** The label (target) column. */
  label: string;
  /** What messages call the label option, e.g. the CLI's "--label" (default "label"). */
  labelField?: string;
  task?: TaskChoice;
  /** Columns forced categorical / numeric, or left out. */
  categorical?: string[];
  numeric?: string[];
  exclude?: string[];
  /** Cell texts read as missing (trimmed, exact match). The empty cell is always missing. */
  missingValues?: string[];
  missing?: MissingPolicy;
  /** Feature statistics are fitted on these rows only (the training split); default every row. */
  trainRows?: ArrayLike<number>;
}

export interface NumericColumn {
  name: string;
  kind: 'numeric';
  /** Median of the training values; replaces a missing cell. */
  impute: number;
}

export interface CategoricalColumn {
  name: string;
  kind: 'categorical';
  /** One input per entry, in this order (one-hot). A value not listed encodes as all zeros. */
  vocabulary: string[];
  /** Most frequent training value; replaces a missing cell. */
  impute: string;
}

export type FeatureColumn = NumericColumn | CategoricalColumn;

/**
 * Everything fitted from a table. Model inputs are the encoded `features` in order (a numeric
 * column is one input, a categorical column `vocabulary.length` one-hot inputs), then the
 * model's `normalization` ((x - offset) * scale per input, model.json key `normalization`).
 */
export interface TablePipeline {
  kind: 'table';
  version: 1;
  label: string;
  task: Task;
  /** Class index -> label text (binary and multiclass). */
  classNames?: string[];
  features: FeatureColumn[];
  /** Training columns not used, and why (identifier-like, constant, excluded, empty). */
  ignored: { name: string; reason: string }[];
  missingValues: string[];
  missing: MissingPolicy;
}

/** What encoding a table did to it, for the counts a user is shown. */
export interface EncodeReport {
  rowsIn: number;
  rowsOut: number;
  droppedMissingLabel: number;
  droppedMissingFeature: number;
  /** Column -> imputed cells. */
  imputed: Record<string, number>;
  imputedRows: number;
  /** Column -> count and a few examples of categories the vocabulary does not hold. */
  unseen: Record<string, { count: number; examples: string[] }>;
}
