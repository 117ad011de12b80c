// The sweep command's flags: train's flags, where the hyperparameters may be comma lists (a grid:
// every combination) or low:high ranges (drawn by --random <trials>), plus the seeds (--seeds N or
// --seed-list a,b), --data-order and --save-all. All checked here, before any data or device work,
// with errors naming the flag and the bad value.

import { OPTIMIZERS } from '../ops/names.js';
import { OPTIMIZER_DEFAULTS } from '../ops/defaults.js';
import type { InitName } from '../types/model-spec.js';
import { GRID_CHECKS, MAX_MODELS, type SweepGrid, type SweepRandom, type TrialValue } from '../train/sweep/trials.js';
import { InputError } from '../util/errors.js';
import { int, list, resolveSettings, type TrainSettings } from './config.js';

type SweptKey = 'lr' | 'activation' | 'weightDecay' | 'dropout' | 'momentum' | 'beta1' | 'beta2' | 'clipNorm' | 'alpha' | 'init';

/** Each setting a sweep can vary: its flag, whether its values are names, and how --random draws a range. */
const SWEPT: Record<SweptKey, { flag: string; names?: true; range?: 'log' | 'uniform' }> = {
  lr: { flag: '--lr', range: 'log' },
  activation: { flag: '--activation', names: true },
  weightDecay: { flag: '--weight-decay', range: 'log' },
  dropout: { flag: '--dropout', range: 'uniform' },
  momentum: { flag: '--momentum' },
  beta1: { flag: '--beta1' },
  beta2: { flag: '--beta2' },
  clipNorm: { flag: '--clip-norm' },
  alpha: { flag: '--alpha' },
  init: { flag: '--init', names: true },
};
/** Swept settings train also has: a single value (or a list's first) goes through train's own checks. */
const TRAIN_KEYS: readonly SweptKey[] = ['lr', 'activation', 'weightDecay', 'dropout', 'clipNorm'];
const RANGE_FLAGS = Object.values(SWEPT).filter((s) => s.range).map((s) => s.flag).join(', ');
/** Train flags a sweep has no use for: refused rather than silently ignored. */
const TRAIN_ONLY = { resume: '--resume', checkpointEvery: '--checkpoint-every', checkpointDir: '--checkpoint-dir' };

/** Values every model shares, for the settings train has no flag for: the optimizer's and each hidden layer's. */
export interface FixedSettings {
  optimizer: { momentum?: number; beta1?: number; beta2?: number };
  layer: { alpha?: number; init?: InitName };
}

export interface SweepSettings {
  /** Train's settings, each swept flag at its first value: the batch's shared spec and optimizer. */
  base: TrainSettings;
  fixed: FixedSettings;
  grid?: SweepGrid;
  random?: SweepRandom;
  seeds: number[];
  /** Models in the batch: configurations x seeds. */
  models: number;
  /** How the batch is made, for the header line: "3 lr x 2 activation x 2 seeds". */
  shape: string;
  dataOrder?: 'per-model' | 'shared';
  saveAll?: string;
}

interface Parsed {
  values?: TrialValue[];
  range?: [number, number];
}

function value(key: SweptKey, text: string): TrialValue {
  const { flag, names } = SWEPT[key];
  const v = names ? text : text.trim() === '' ? NaN : Number(text);
  const [ok, expected] = GRID_CHECKS[key];
  if (!ok(v)) throw new InputError(flag, text, `${expected}${names ? '' : ', separated by commas'}`);
  return v;
}

/** One swept flag: a value, a comma list, or (for --random) a low:high range. */
function parseSwept(key: SweptKey, raw: unknown, random: boolean): Parsed {
  const { flag, range } = SWEPT[key];
  if (typeof raw === 'string' && raw.includes(':')) {
    if (!range) throw new InputError(flag, raw, `values separated by commas (low:high ranges are for ${RANGE_FLAGS})`);
    if (!random) throw new InputError(flag, raw, 'values separated by commas (a low:high range needs --random <trials>)');
    const ends = raw.split(':');
    const [lo, hi] = ends.map((e) => value(key, e) as number);
    if (ends.length !== 2 || !(lo <= hi)) throw new InputError(flag, raw, 'a range low:high with low <= high');
    if (range === 'log' && !(lo > 0)) throw new InputError(flag, raw, 'a range low:high with low > 0 (drawn log-uniformly)');
    return { range: [lo, hi] };
  }
  const items = list(raw);
  if (items.length === 0) throw new InputError(flag, raw, 'a value or a comma list of values');
  const values = items.map((t) => value(key, t));
  const twice = values.find((v, i) => values.indexOf(v) !== i);
  if (twice !== undefined) throw new InputError(flag, twice, 'each value once (a repeated value would be one configuration counted twice)');
  return { values };
}

function seedList(raw: Record<string, unknown>, fallback: number): number[] {
  if (raw.seeds !== undefined && raw.seedList !== undefined) throw new InputError('--seed-list', raw.seedList, 'either --seeds <count> or --seed-list <a,b,...>, not both');
  if (raw.seeds !== undefined) return Array.from({ length: int('--seeds', raw.seeds, 1) }, (_, i) => i);
  if (raw.seedList === undefined) return [fallback];
  const seeds = list(raw.seedList).map((t) => int('--seed-list', t, 0));
  if (seeds.length === 0) throw new InputError('--seed-list', raw.seedList, 'seeds separated by commas, e.g. 3,7,11');
  if (new Set(seeds).size !== seeds.length) throw new InputError('--seed-list', raw.seedList, 'distinct seeds');
  return seeds;
}

/** Checks every sweep flag and builds the grid (or random search), the seeds and the base settings. */
export function resolveSweep(raw: Record<string, unknown>): SweepSettings {
  for (const [key, flag] of Object.entries(TRAIN_ONLY)) if (raw[key] !== undefined) throw new InputError(flag, raw[key], `nothing: ${flag} is a train flag (a sweep keeps no checkpoints)`);
  const random = raw.random !== undefined;
  const trials = random ? int('--random', raw.random, 1) : 0;
  if (raw.randomSeed !== undefined && !random) throw new InputError('--random-seed', raw.randomSeed, 'no value without --random <trials>');
  const parsed: Partial<Record<SweptKey, Parsed>> = {};
  for (const key of Object.keys(SWEPT) as SweptKey[]) if (raw[key] !== undefined) parsed[key] = parseSwept(key, raw[key], random);

  // Train's checks (and defaults) for everything else; a swept flag enters at its first value.
  const baseRaw: Record<string, unknown> = { ...raw };
  for (const key of TRAIN_KEYS) {
    const p = parsed[key];
    if (p) baseRaw[key] = p.values ? p.values[0] : p.range![0];
  }
  const base = resolveSettings(baseRaw);
  // A sweep ranks by a validation metric, so it holds some rows out unless told otherwise.
  if (raw.validationSplit === undefined) base.validationSplit = 0.1;

  const fixed: FixedSettings = { optimizer: {}, layer: {} };
  const grid: SweepGrid = {};
  const draws: Omit<SweepRandom, 'trials'> = {};
  for (const [key, p] of Object.entries(parsed) as [SweptKey, Parsed][]) {
    const { flag } = SWEPT[key];
    if (p.range) (draws as Record<string, unknown>)[key] = p.range;
    else if (p.values!.length === 1) {
      if (!TRAIN_KEYS.includes(key)) Object.assign(key === 'alpha' || key === 'init' ? fixed.layer : fixed.optimizer, { [key]: p.values![0] });
    } else if (!random) (grid as Record<string, unknown>)[key] = p.values;
    else if (key === 'activation') draws.activation = p.values as SweepRandom['activation'];
    else throw new InputError(flag, raw[key], `one value or a low:high range with --random (comma lists make a grid; ranges are for ${RANGE_FLAGS})`);
  }
  // A value the model would never read is a mistake, not a no-op: say so.
  for (const key of ['momentum', 'beta1', 'beta2'] as const) {
    if (!parsed[key] || key in OPTIMIZER_DEFAULTS[base.optimizer]) continue;
    const users = OPTIMIZERS.filter((o) => key in OPTIMIZER_DEFAULTS[o]).join(', ');
    throw new InputError(SWEPT[key].flag, raw[key], `no value with --optimizer ${base.optimizer}, which has no ${key} (${users} do)`);
  }
  const activations: readonly string[] = grid.activation ?? draws.activation ?? base.activation;
  if (parsed.alpha && !activations.some((a) => a === 'leaky_relu' || a === 'elu')) throw new InputError('--alpha', raw.alpha, `no value unless an activation uses it (leaky_relu, elu), not ${activations.join(', ')}`);
  const perLayer = ['activation', 'alpha', 'dropout', 'init'].filter((k) => k in grid || k in draws);
  if (base.layers.length === 0 && perLayer.length > 0) throw new InputError(SWEPT[perLayer[0] as SweptKey].flag, raw[perLayer[0]], 'hidden layers to vary (--layers is empty)');

  const seeds = seedList(raw, base.seed);
  const varied = Object.entries(grid) as [string, TrialValue[]][];
  const configs = random ? trials : varied.reduce((n, [, v]) => n * v.length, 1);
  const models = configs * seeds.length;
  const seedText = `${seeds.length} seed${seeds.length === 1 ? '' : 's'}`;
  const shape = random ? `${trials} random draw${trials === 1 ? '' : 's'} x ${seedText}` : [...varied.map(([k, v]) => `${v.length} ${k}`), seedText].join(' x ');
  if (models > MAX_MODELS) throw new InputError('sweep size', `${models} models (${shape})`, `at most ${MAX_MODELS} models in one batch: fewer values or seeds`);
  if (random && Object.keys(draws).length === 0) throw new InputError('--random', raw.random, `something to draw: a low:high range for ${RANGE_FLAGS} (e.g. --lr 1e-4:1e-1), or --activation relu,tanh to pick from`);

  const dataOrder = raw.dataOrder;
  if (dataOrder !== undefined && dataOrder !== 'per-model' && dataOrder !== 'shared') throw new InputError('--data-order', dataOrder, 'per-model or shared');
  const saveAll = raw.saveAll !== undefined ? String(raw.saveAll) : undefined;
  if (saveAll !== undefined && base.out !== undefined && saveAll.replace(/[/\\]+$/, '') === base.out.replace(/[/\\]+$/, '')) throw new InputError('--save-all', saveAll, 'a folder other than --out (it gets one trial-<i> folder per model)');
  return {
    base,
    fixed,
    ...(random ? { random: { trials, seed: raw.randomSeed !== undefined ? int('--random-seed', raw.randomSeed, 0) : 0, seeds, ...draws } } : { grid: { ...grid, seed: seeds } }),
    seeds,
    models,
    shape,
    ...(dataOrder !== undefined ? { dataOrder } : {}),
    ...(saveAll !== undefined ? { saveAll } : {}),
  };
}
