// The tabular data pipeline, browser-safe (no node: imports): read CSV text or records into a
// RawTable, fit a TablePipeline (types, vocabularies, imputation, labels), encode tables with it,
// and validate one read from model.json. Exporters read TablePipeline's fields (types.ts).

export * from './types.js';
export { DEFAULT_MISSING_VALUES } from './cells.js';
export { readCsvTable, tableRows, tableFromRecords } from './read.js';
export { inferColumn, MAX_CATEGORIES, type ColumnInference, type ColumnKind } from './infer.js';
export { inferTask, MAX_INFERRED_CLASSES } from './labels.js';
export { fitPipeline } from './fit.js';
export { encodeTable, encodedFeatureNames, encodedWidth, mergeReports, type EncodeOptions } from './encode.js';
export { validatePipeline, type PipelineExpectation } from './validate.js';
