// The train command's settings: defaults, a --config JSON file, then flags on top; checked into
// a ModelSpec and TrainOptions with errors naming the flag, the value and what was expected.

import type { Dataset } from '../data/dataset.js';
import type { NormalizerKind } from '../data/normalize.js';
import type { HiddenLayerSpec, ModelSpec } from '../model/spec.js';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, type ActivationName, type LossName, type OptimizerName } from '../ops/names.js';
import type { ScheduleSpec } from '../train/options.js';
import { InputError } from '../util/errors.js';

export interface TrainSettings {
  dataset: string;
  label?: string;
  layers: number[];
  activation: ActivationName[];
  loss?: LossName;
  optimizer: OptimizerName;
  lr: number;
  schedule: string;
  batchSize: number;
  epochs: number;
  weightDecay: number;
  dropout: number;
  layerNorm: boolean;
  residual: boolean;
  clipNorm?: number;
  seed: number;
  backend: 'webgpu' | 'cpu';
  out?: string;
  validationSplit: number;
  normalize: NormalizerKind;
  samples?: number;
  noise?: number;
  limit?: number;
  patience?: number;
  /** Epochs between checkpoints (none when unset; Ctrl-C always writes one). */
  checkpointEvery?: number;
  checkpointDir?: string;
  /** The checkpoint folder this run continues. */
  resume?: string;
}

/** `npm start`: the MNIST MLP of the README. */
export const DEFAULT_SETTINGS: TrainSettings = {
  dataset: 'mnist',
  layers: [256, 128],
  activation: ['relu'],
  optimizer: 'adam',
  lr: 0.001,
  schedule: 'constant',
  batchSize: 128,
  epochs: 5,
  weightDecay: 0,
  dropout: 0,
  layerNorm: false,
  residual: false,
  seed: 0,
  backend: 'webgpu',
  validationSplit: 0,
  normalize: 'minmax',
};

export function num(field: string, raw: unknown, check: (n: number) => boolean, expected: string): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || !check(n)) throw new InputError(field, raw, expected);
  return n;
}
export const int = (field: string, raw: unknown, min: number) => num(field, raw, (n) => Number.isInteger(n) && n >= min, `an integer >= ${min}`);

/** Flags give true; a config file was checked to hold a JSON boolean. A string is never truthy here. */
function bool(field: string, raw: unknown): boolean {
  if (typeof raw !== 'boolean') throw new InputError(field, raw, 'true or false');
  return raw;
}

export function list(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  return String(raw).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Settings that may differ from the checkpoint's when resuming: how long, where to, and on what. */
const RESUME_OVERRIDES = ['epochs', 'out', 'checkpointEvery', 'checkpointDir', 'resume', 'backend'];

/**
 * The raw settings of a resumed run: the checkpoint's own (as its run was given them), with
 * `raw` allowed to change only the run length and the output places. Any other setting given
 * must resolve to the checkpoint's value.
 */
export function resumeSettings(saved: unknown, raw: Record<string, unknown>): Record<string, unknown> {
  if (typeof saved !== 'object' || saved === null) throw new InputError('--resume', raw.resume, 'a checkpoint written by the webgpu-mlp CLI (its settings are missing)');
  const before = saved as Record<string, unknown>;
  const base = resolveSettings(before) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw)) {
    if (RESUME_OVERRIDES.includes(key) || value === undefined) continue;
    const asked = resolveSettings({ ...before, [key]: value }) as unknown as Record<string, unknown>;
    const same = key in base || key in asked ? JSON.stringify(asked[key]) === JSON.stringify(base[key]) : JSON.stringify(value) === JSON.stringify(before[key]);
    if (!same) {
      const had = key in base ? base[key] : before[key];
      throw new InputError(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value, `${JSON.stringify(had) ?? 'unset'} as in the checkpoint (only --epochs, --out, --checkpoint-every, --checkpoint-dir and --backend may change on --resume)`);
    }
  }
  const merged: Record<string, unknown> = { ...before };
  for (const key of RESUME_OVERRIDES) if (raw[key] !== undefined) merged[key] = raw[key];
  return merged;
}

/** Merges raw values (config file, then flags) over the defaults and checks each one. */
export function resolveSettings(raw: Record<string, unknown>): TrainSettings {
  const s: TrainSettings = { ...DEFAULT_SETTINGS };
  const has = (k: string) => raw[k] !== undefined;
  if (has('dataset')) s.dataset = String(raw.dataset);
  if (has('label')) s.label = String(raw.label);
  if (has('layers')) {
    s.layers = list(raw.layers).map((v, i) => int(`--layers[${i}]`, v, 1));
    if (String(raw.layers).trim() === '' || (Array.isArray(raw.layers) && raw.layers.length === 0)) s.layers = [];
  }
  if (has('activation')) {
    s.activation = list(raw.activation).map((a) => {
      if (!ACTIVATIONS.includes(a as ActivationName)) throw new InputError('--activation', a, `one of ${ACTIVATIONS.join(', ')}`);
      return a as ActivationName;
    });
  }
  if (has('loss')) {
    const l = String(raw.loss);
    if (!LOSSES.includes(l as LossName)) throw new InputError('--loss', l, `one of ${LOSSES.join(', ')}`);
    s.loss = l as LossName;
  }
  if (has('optimizer')) {
    const o = String(raw.optimizer);
    if (!OPTIMIZERS.includes(o as OptimizerName)) throw new InputError('--optimizer', o, `one of ${OPTIMIZERS.join(', ')}`);
    s.optimizer = o as OptimizerName;
  }
  if (has('lr')) s.lr = num('--lr', raw.lr, (n) => n > 0, 'a number > 0');
  if (has('schedule')) s.schedule = String(raw.schedule);
  if (has('batchSize')) s.batchSize = int('--batch-size', raw.batchSize, 1);
  if (has('epochs')) s.epochs = int('--epochs', raw.epochs, 1);
  if (has('weightDecay')) s.weightDecay = num('--weight-decay', raw.weightDecay, (n) => n >= 0, 'a number >= 0');
  if (has('dropout')) s.dropout = num('--dropout', raw.dropout, (n) => n >= 0 && n < 1, 'a probability in [0, 1)');
  if (has('layerNorm')) s.layerNorm = bool('--layer-norm', raw.layerNorm);
  if (has('residual')) s.residual = bool('--residual', raw.residual);
  if (has('clipNorm')) s.clipNorm = num('--clip-norm', raw.clipNorm, (n) => n > 0, 'a number > 0');
  if (has('seed')) s.seed = int('--seed', raw.seed, 0);
  if (has('backend')) {
    const b = String(raw.backend);
    if (b !== 'webgpu' && b !== 'cpu') throw new InputError('--backend', b, 'webgpu or cpu');
    s.backend = b;
  }
  if (has('out')) s.out = String(raw.out);
  if (has('validationSplit')) s.validationSplit = num('--validation-split', raw.validationSplit, (n) => n >= 0 && n < 1, 'a fraction in [0, 1)');
  if (has('normalize')) {
    const n = String(raw.normalize);
    if (!['none', 'minmax', 'zscore'].includes(n)) throw new InputError('--normalize', n, 'none, minmax or zscore');
    s.normalize = n as NormalizerKind;
  }
  if (has('samples')) s.samples = int('--samples', raw.samples, 4);
  if (has('noise')) s.noise = num('--noise', raw.noise, (n) => n >= 0, 'a number >= 0');
  if (has('limit')) s.limit = int('--limit', raw.limit, 1);
  if (has('patience')) s.patience = int('--patience', raw.patience, 0);
  if (has('checkpointEvery')) s.checkpointEvery = int('--checkpoint-every', raw.checkpointEvery, 1);
  if (has('checkpointDir')) s.checkpointDir = String(raw.checkpointDir);
  if (has('resume')) s.resume = String(raw.resume);
  if (s.activation.length !== 1 && s.activation.length !== s.layers.length) {
    throw new InputError('--activation', s.activation.join(','), `one activation, or one per hidden layer (${s.layers.length})`);
  }
  parseSchedule(s.schedule);
  return s;
}

/** constant | step:<steps>[:gamma] | exponential:<gamma> | cosine[:warmupSteps] | plateau[:patience[:factor]] */
export function parseSchedule(text: string): ScheduleSpec {
  const [kind, a, b] = text.split(':');
  const field = '--schedule';
  const expected = 'constant, step:<steps>[:gamma], exponential:<gamma>, cosine[:warmupSteps] or plateau[:patience[:factor]]';
  switch (kind) {
    case 'constant':
      return { kind };
    case 'step':
      if (a === undefined) throw new InputError(field, text, expected);
      return { kind, stepSize: int(field, a, 1), gamma: b !== undefined ? num(field, b, (n) => n > 0, expected) : 0.1 };
    case 'exponential':
      return { kind, gamma: num(field, a, (n) => n > 0 && n <= 1, 'exponential:<gamma in (0, 1]>') };
    case 'cosine':
      return { kind, warmupSteps: a !== undefined ? int(field, a, 0) : 0 };
    case 'plateau':
      return { kind, patience: a !== undefined ? int(field, a, 0) : 3, factor: b !== undefined ? num(field, b, (n) => n > 0 && n < 1, expected) : 0.5 };
    default:
      throw new InputError(field, text, expected);
  }
}

export function specFor(s: TrainSettings, data: Dataset): ModelSpec {
  const hidden: HiddenLayerSpec[] = s.layers.map((units, i) => ({
    units,
    activation: s.activation.length === 1 ? s.activation[0] : s.activation[i],
    ...(s.dropout > 0 ? { dropout: s.dropout } : {}),
    ...(s.layerNorm ? { layerNorm: true } : {}),
    ...(s.residual && i > 0 && s.layers[i - 1] === units ? { residual: true } : {}),
  }));
  const outputSize = data.task === 'multiclass' ? data.classes! : data.task === 'binary' ? 1 : data.targetWidth;
  return { inputSize: data.features, hidden, outputSize, task: data.task, ...(s.loss ? { loss: s.loss } : {}) };
}
