// Checks a TablePipeline read from model.json before it is trusted: every field's type, unique
// names, and that its encoded width and classes agree with the model it came with.

import type { Task } from '../../types/model-spec.js';
import { InputError } from '../../util/errors.js';
import { encodedWidth } from './encode.js';
import type { FeatureColumn, TablePipeline } from './types.js';

export interface PipelineExpectation {
  inputSize: number;
  outputSize: number;
  task: Task;
}

const F = 'pipeline';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (field: string, v: unknown, min = 0): string[] => {
  if (!Array.isArray(v) || v.length < min || !v.every((s) => typeof s === 'string')) throw new InputError(field, v, `an array of ${min > 0 ? `at least ${min} ` : ''}strings`);
  return [...v];
};
const unique = (field: string, v: string[]) => {
  const dup = v.find((s, i) => v.indexOf(s) !== i);
  if (dup !== undefined) throw new InputError(field, dup, 'names that appear once');
};

export function validatePipeline(json: unknown, expect: PipelineExpectation): TablePipeline {
  if (!isObj(json)) throw new InputError(F, json, 'an object describing the table pipeline');
  if (json.kind !== 'table') throw new InputError(`${F}.kind`, json.kind, '"table"');
  if (json.version !== 1) throw new InputError(`${F}.version`, json.version, '1 (this build reads pipeline version 1)');
  if (typeof json.label !== 'string' || json.label === '') throw new InputError(`${F}.label`, json.label, 'the label column name');
  if (json.task !== expect.task) throw new InputError(`${F}.task`, json.task, `"${expect.task}" (the model's task)`);
  if (!['impute', 'drop', 'error'].includes(json.missing as string)) throw new InputError(`${F}.missing`, json.missing, 'impute, drop or error');
  const missingValues = strings(`${F}.missingValues`, json.missingValues);
  if (!Array.isArray(json.features) || json.features.length === 0) throw new InputError(`${F}.features`, json.features, 'a non-empty array of feature columns');
  const features = json.features.map((f, i) => feature(f, `${F}.features[${i}]`));
  unique(`${F}.features name`, [...features.map((f) => f.name), json.label]);
  const width = features.reduce((s, f) => s + encodedWidth(f), 0);
  if (width !== expect.inputSize) throw new InputError(`${F}.features`, `${width} encoded inputs`, `${expect.inputSize} (the model's inputSize)`);
  if (!Array.isArray(json.ignored) || !json.ignored.every((g) => isObj(g) && typeof g.name === 'string' && typeof g.reason === 'string')) {
    throw new InputError(`${F}.ignored`, json.ignored, 'an array of {name, reason} strings');
  }
  const p: TablePipeline = {
    kind: 'table',
    version: 1,
    label: json.label,
    task: expect.task,
    features,
    ignored: (json.ignored as { name: string; reason: string }[]).map((g) => ({ name: g.name, reason: g.reason })),
    missingValues,
    missing: json.missing as TablePipeline['missing'],
  };
  if (expect.task !== 'regression') {
    const names = strings(`${F}.classNames`, json.classNames, 2);
    unique(`${F}.classNames`, names);
    const classes = expect.task === 'binary' ? 2 : expect.outputSize;
    if (names.length !== classes) throw new InputError(`${F}.classNames.length`, names.length, `${classes} (the model's classes)`);
    p.classNames = names;
  } else if (json.classNames !== undefined) throw new InputError(`${F}.classNames`, json.classNames, 'no class names for a regression model');
  return p;
}

function feature(f: unknown, field: string): FeatureColumn {
  if (!isObj(f) || typeof f.name !== 'string' || f.name === '') throw new InputError(field, f, 'an object with a column name');
  if (f.kind === 'numeric') {
    if (typeof f.impute !== 'number' || !Number.isFinite(f.impute)) throw new InputError(`${field}.impute`, f.impute, 'a finite number');
    return { name: f.name, kind: 'numeric', impute: f.impute };
  }
  if (f.kind === 'categorical') {
    const vocabulary = strings(`${field}.vocabulary`, f.vocabulary, 1);
    unique(`${field}.vocabulary`, vocabulary);
    if (typeof f.impute !== 'string') throw new InputError(`${field}.impute`, f.impute, 'a category string');
    return { name: f.name, kind: 'categorical', vocabulary, impute: f.impute };
  }
  throw new InputError(`${field}.kind`, f.kind, '"numeric" or "categorical"');
}
