// Checks a ModelSpec (from code, the CLI or a model file) before anything is built, with errors
// that name the field, the value and what was expected; fills in the task's default loss.

import { ACTIVATIONS, LOSSES } from '../ops/names.js';
import { InputError } from '../util/errors.js';
import { rejectUnknownKeys } from '../util/suggest.js';

const SPEC_KEYS = ['inputSize', 'hidden', 'outputSize', 'task', 'loss', 'huberDelta'];
const LAYER_KEYS = ['units', 'activation', 'alpha', 'dropout', 'layerNorm', 'residual', 'init'];
import type { InitName, ModelSpec } from './spec.js';

const INITS: readonly InitName[] = ['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_normal'];
const TASKS = ['regression', 'binary', 'multiclass'] as const;
const LOSSES_BY_TASK = {
  regression: ['mse', 'mae', 'huber'],
  binary: ['bce_logits'],
  multiclass: ['softmax_ce', 'softmax_ce_dense'],
} as const;

export function defaultLoss(task: ModelSpec['task']): NonNullable<ModelSpec['loss']> {
  return task === 'regression' ? 'mse' : task === 'binary' ? 'bce_logits' : 'softmax_ce';
}

function positiveInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new InputError(field, value, 'an integer >= 1');
  return value;
}

export function validateSpec(input: unknown): Required<Pick<ModelSpec, 'loss'>> & ModelSpec {
  if (typeof input !== 'object' || input === null) throw new InputError('spec', input, 'an object');
  const spec = input as ModelSpec;
  rejectUnknownKeys(spec, SPEC_KEYS, 'spec');
  positiveInt('inputSize', spec.inputSize);
  positiveInt('outputSize', spec.outputSize);
  if (!TASKS.includes(spec.task)) throw new InputError('task', spec.task, `one of ${TASKS.join(', ')}`);
  if (!Array.isArray(spec.hidden)) throw new InputError('hidden', spec.hidden, 'an array of layers');
  let width = spec.inputSize;
  spec.hidden.forEach((layer, i) => {
    const f = `hidden[${i}]`;
    if (typeof layer !== 'object' || layer === null) throw new InputError(f, layer, 'a layer object with units and activation');
    rejectUnknownKeys(layer, LAYER_KEYS, f);
    positiveInt(`${f}.units`, layer.units);
    for (const flag of ['layerNorm', 'residual'] as const) {
      if (layer[flag] !== undefined && typeof layer[flag] !== 'boolean') throw new InputError(`${f}.${flag}`, layer[flag], 'true or false (a boolean, not a string)');
    }
    if (!ACTIVATIONS.includes(layer.activation)) throw new InputError(`${f}.activation`, layer.activation, `one of ${ACTIVATIONS.join(', ')}`);
    if (layer.alpha !== undefined && !(Number.isFinite(layer.alpha) && layer.alpha >= 0)) throw new InputError(`${f}.alpha`, layer.alpha, 'a finite number >= 0');
    if (layer.dropout !== undefined && !(layer.dropout >= 0 && layer.dropout < 1)) throw new InputError(`${f}.dropout`, layer.dropout, 'a probability in [0, 1)');
    if (layer.init !== undefined && !INITS.includes(layer.init)) throw new InputError(`${f}.init`, layer.init, `one of ${INITS.join(', ')}`);
    if (layer.residual && layer.units !== width) {
      throw new InputError(`${f}.residual`, true, `a layer whose input width (${width}) equals its units (${layer.units})`);
    }
    width = layer.units;
  });
  const loss = spec.loss ?? defaultLoss(spec.task);
  if (!LOSSES.includes(loss)) throw new InputError('loss', loss, `one of ${LOSSES.join(', ')}`);
  const allowed = LOSSES_BY_TASK[spec.task] as readonly string[];
  if (!allowed.includes(loss)) throw new InputError('loss', loss, `a ${spec.task} loss: ${allowed.join(', ')}`);
  if (spec.task === 'binary' && spec.outputSize !== 1) throw new InputError('outputSize', spec.outputSize, '1 for a binary task (one logit)');
  if (spec.task === 'multiclass' && spec.outputSize < 2) throw new InputError('outputSize', spec.outputSize, '>= 2 classes for a multiclass task');
  if (spec.huberDelta !== undefined && !(spec.huberDelta > 0)) throw new InputError('huberDelta', spec.huberDelta, 'a number > 0');
  return { ...spec, loss };
}
