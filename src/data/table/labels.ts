// The label column: which task it implies, its class names, and each row's target value.
// Missing labels are never a class (their rows are dropped), one distinct value is an error,
// and fractional labels cannot be classes.

import type { Task } from '../../types/model-spec.js';
import { InputError } from '../../util/errors.js';
import { cellNumber, cellText, quoteList } from './cells.js';
import type { Cell, TaskChoice } from './types.js';

/** Integer labels with at most this many distinct values are read as classes when inferring. */
export const MAX_INFERRED_CLASSES = 50;

/**
 * Inference: integer labels within {0,1} -> binary; integers with <= MAX_INFERRED_CLASSES distinct
 * values -> multiclass; other numbers -> regression; any non-numeric label -> multiclass.
 */
export function inferTask(labels: readonly Cell[]): Task {
  const values = labels.map(cellNumber);
  if (values.some((v) => v === undefined)) return 'multiclass';
  if (!values.every((v) => Number.isInteger(v))) return 'regression';
  const distinct = new Set(values);
  if ([...distinct].every((v) => v === 0 || v === 1)) return 'binary';
  return distinct.size <= MAX_INFERRED_CLASSES ? 'multiclass' : 'regression';
}

export interface FittedLabels {
  task: Task;
  classNames?: string[];
}

/** Task and class names from the non-missing labels; `where(i)` names label i's row. */
export function fitLabels(labels: readonly Cell[], choice: TaskChoice | undefined, column: string, where: (i: number) => string): FittedLabels {
  if (labels.length === 0) throw new InputError(`column "${column}"`, 'no labels', 'at least one row with a label');
  const field = `column "${column}"`;
  let task: Task = choice === undefined ? inferTask(labels) : choice === 'classification' ? (inferTask(labels) === 'binary' ? 'binary' : 'multiclass') : choice;
  const numbers = labels.map(cellNumber);
  if (task === 'regression') {
    const bad = numbers.findIndex((v) => v === undefined);
    if (bad >= 0) throw new InputError(`${where(bad)}, ${field}`, labels[bad], 'a number for a regression task (or --task classification)');
    if (new Set(numbers).size < 2) throw new InputError(field, `1 distinct value (${numbers[0]})`, 'at least 2 distinct target values');
    return { task };
  }
  const numeric = numbers.every((v) => v !== undefined);
  if (numeric) {
    const frac = numbers.findIndex((v) => !Number.isInteger(v));
    if (frac >= 0) throw new InputError(`${where(frac)}, ${field}`, labels[frac], `an integer or text class label for a ${task} task (or --task regression)`);
  }
  // Numbers are keyed by value so "1" and "1.0" are one class, and sorted numerically.
  const keys = labels.map((c, i) => (numeric ? String(numbers[i]) : cellText(c)));
  const classNames = [...new Set(keys)].sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  if (classNames.length < 2) throw new InputError(field, `1 distinct label (${quoteList(classNames)})`, 'at least 2 classes to learn from');
  if (task === 'binary' && !(classNames.length === 2 && classNames[0] === '0' && classNames[1] === '1')) {
    if (choice === 'binary') throw new InputError(field, quoteList(classNames.slice(0, 5)), 'labels 0 and 1 for a binary task');
    task = 'multiclass';
  }
  return { task, classNames };
}

/** One row's target: its class index, or its value for regression. Throws on a label the pipeline does not know. */
export function labelValue(cell: Cell, task: Task, classNames: readonly string[] | undefined, field: string): number {
  if (task === 'regression') {
    const v = cellNumber(cell);
    if (v === undefined) throw new InputError(field, cell, 'a finite number (the model does regression)');
    return v;
  }
  const n = cellNumber(cell);
  const key = n !== undefined && classNames!.every((c) => cellNumber(c) !== undefined) ? String(n) : cellText(cell);
  const k = classNames!.indexOf(key);
  if (k < 0) throw new InputError(field, cell, `one of the model's classes: ${quoteList(classNames!.slice(0, 20))}${classNames!.length > 20 ? ', ...' : ''}`);
  return k;
}
