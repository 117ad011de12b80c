// What travels with an exported model besides its weights: the library version, the spec, the
// names of features and classes, and the preprocessing a caller still owes the model. Shared by the
// ONNX and PyTorch exporters so both files say the same thing. Browser-safe.

import type { Model } from '../model/model.js';
import { InputError } from '../util/errors.js';
import { encodedFeatureNames } from '../data/table/encode.js';

export interface ExportNames {
  /** One name per input column, in order (default: the model's own, when it has them). */
  featureNames?: string[];
  /** One name per class for classification (default: the model's own, when it has them). */
  classNames?: string[];
}

/** Checks caller-given names against the model's widths; returns what the export will record. */
export function exportNames(model: Model, names: ExportNames): { featureNames?: string[]; classNames?: string[] } {
  const pipeline = model.pipeline;
  const featureNames = names.featureNames ?? (pipeline && encodedFeatureNames(pipeline));
  const classNames = names.classNames ?? pipeline?.classNames;
  checkNames('featureNames', featureNames, model.spec.inputSize, "the model's inputSize");
  if (classNames !== undefined && model.spec.task === 'regression') throw new InputError('classNames', classNames, 'none for a regression model');
  const classes = model.spec.task === 'binary' ? 2 : model.spec.outputSize;
  checkNames('classNames', classNames, classes, model.spec.task === 'binary' ? 'two names (class 0, class 1)' : "the model's outputSize");
  return { featureNames, classNames };
}

function checkNames(field: string, names: unknown, count: number, what: string): void {
  if (names === undefined) return;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new InputError(field, names, 'an array of strings');
  if (names.length !== count) throw new InputError(`${field}.length`, names.length, `${count} (${what})`);
}
