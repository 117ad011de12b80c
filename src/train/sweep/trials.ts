// What a sweep trains: the trials (one model each) expanded from a grid (every combination) or a
// seeded random search, each as a model spec, an optimizer and a seed. Checked before any GPU work,
// with errors naming the field, the value and what was expected.

import { ACTIVATIONS, type ActivationName } from '../../ops/names.js';
import type { InitName, ModelSpec } from '../../types/model-spec.js';
import type { OptimizerSpec } from '../../types/optimizer-spec.js';
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { rejectUnknownKeys } from '../../util/suggest.js';

/** The values a sweep varies, each a list: every combination is a configuration, each seed a model of it. */
export interface SweepGrid {
  lr?: number[];
  activation?: ActivationName[];
  /** Seeds: each configuration is trained once per seed (initial weights, data order, dropout masks). */
  seed?: number[];
  weightDecay?: number[];
  /** Dropout rate of every hidden layer. */
  dropout?: number[];
  momentum?: number[];
  beta1?: number[];
  beta2?: number[];
  clipNorm?: number[];
  /** Slope of leaky_relu / scale of elu. */
  alpha?: number[];
  init?: InitName[];
}

/** Random search: `trials` configurations drawn with `seed`, each trained once per seed of `seeds`. */
export interface SweepRandom {
  trials: number;
  /** Seed of the draws (default 0). */
  seed?: number;
  /** Log-uniform range of the learning rate. */
  lr?: [number, number];
  /** Log-uniform range of the weight decay. */
  weightDecay?: [number, number];
  /** Uniform range of the dropout rate. */
  dropout?: [number, number];
  /** Activations to choose from. */
  activation?: ActivationName[];
  /** Seeds each configuration is trained with (default [0]). */
  seeds?: number[];
}

export type TrialValue = number | string;

/** One model of the sweep. */
export interface Trial {
  readonly index: number;
  /** The values this trial takes for the varied keys (seed included). */
  readonly config: Readonly<Record<string, TrialValue>>;
  /** The configuration without the seed: trials sharing it are one configuration's seeds. */
  readonly configKey: string;
  readonly seed: number;
  readonly spec: ModelSpec;
  readonly optimizer: OptimizerSpec;
  readonly clipNorm?: number;
}

export const GRID_KEYS = ['lr', 'activation', 'seed', 'weightDecay', 'dropout', 'momentum', 'beta1', 'beta2', 'clipNorm', 'alpha', 'init'] as const;
const RANDOM_KEYS = ['trials', 'seed', 'lr', 'weightDecay', 'dropout', 'activation', 'seeds'];
export const INITS: readonly InitName[] = ['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_normal'];
/** More models than this would not fit one dispatch's z dimension on every device. */
export const MAX_MODELS = 4096;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Per key: whether a value is valid, and what was expected. */
export const GRID_CHECKS: Record<(typeof GRID_KEYS)[number], [(v: unknown) => boolean, string]> = {
  lr: [(v) => isNum(v) && v > 0, 'finite numbers > 0'],
  activation: [(v) => (ACTIVATIONS as readonly unknown[]).includes(v), `names from ${ACTIVATIONS.join(', ')}`],
  seed: [(v) => isNum(v) && Number.isInteger(v) && v >= 0, 'integers >= 0'],
  weightDecay: [(v) => isNum(v) && v >= 0, 'numbers >= 0'],
  dropout: [(v) => isNum(v) && v >= 0 && v < 1, 'numbers in [0, 1)'],
  momentum: [(v) => isNum(v) && v >= 0 && v < 1, 'numbers in [0, 1)'],
  beta1: [(v) => isNum(v) && v >= 0 && v < 1, 'numbers in [0, 1)'],
  beta2: [(v) => isNum(v) && v >= 0 && v < 1, 'numbers in [0, 1)'],
  clipNorm: [(v) => isNum(v) && v > 0, 'numbers > 0'],
  alpha: [(v) => isNum(v) && v > 0, 'numbers > 0'],
  init: [(v) => (INITS as readonly unknown[]).includes(v), `names from ${INITS.join(', ')}`],
};

function checkList(field: string, values: unknown, key: (typeof GRID_KEYS)[number]): void {
  const [ok, expected] = GRID_CHECKS[key];
  if (!Array.isArray(values) || values.length === 0) throw new InputError(field, values, `a non-empty list of ${expected}`);
  const bad = values.find((v) => !ok(v));
  if (bad !== undefined) throw new InputError(field, bad, expected);
}

function checkRange(field: string, range: unknown, min: number, max: number): void {
  if (!Array.isArray(range) || range.length !== 2 || !range.every(isNum) || !(range[0] >= min && range[0] <= range[1] && range[1] <= max)) {
    throw new InputError(field, range, `[low, high] with ${min} <= low <= high <= ${max}`);
  }
}

/** The configurations (values per varied key) a grid or random search asks for. */
function configurations(grid: SweepGrid | undefined, random: SweepRandom | undefined): { configs: Record<string, TrialValue>[]; seeds: number[] } {
  if (grid && random) throw new InputError('grid', 'both grid and random', 'one of grid or random');
  if (random) {
    if (typeof random !== 'object') throw new InputError('random', random, 'an object with trials and ranges');
    rejectUnknownKeys(random, RANDOM_KEYS, 'random');
    if (!(Number.isInteger(random.trials) && random.trials >= 1)) throw new InputError('random.trials', random.trials, 'an integer >= 1');
    if (random.lr) checkRange('random.lr', random.lr, Number.MIN_VALUE, Infinity);
    if (random.weightDecay) checkRange('random.weightDecay', random.weightDecay, Number.MIN_VALUE, Infinity);
    if (random.dropout) checkRange('random.dropout', random.dropout, 0, 0.99);
    if (random.activation) checkList('random.activation', random.activation, 'activation');
    const seeds = random.seeds ?? [0];
    checkList('random.seeds', seeds, 'seed');
    const rng = new Rng(random.seed ?? 0);
    const logUniform = ([lo, hi]: [number, number]) => Math.exp(Math.log(lo) + rng.uniform(0, 1) * (Math.log(hi) - Math.log(lo)));
    const configs = Array.from({ length: random.trials }, () => {
      const c: Record<string, TrialValue> = {};
      if (random.lr) c.lr = logUniform(random.lr);
      if (random.weightDecay) c.weightDecay = logUniform(random.weightDecay);
      if (random.dropout) c.dropout = rng.uniform(random.dropout[0], random.dropout[1]);
      if (random.activation) c.activation = random.activation[Math.min(random.activation.length - 1, Math.floor(rng.uniform(0, random.activation.length)))];
      return c;
    });
    return { configs, seeds };
  }
  const g = grid ?? {};
  if (typeof g !== 'object') throw new InputError('grid', g, 'an object of value lists');
  rejectUnknownKeys(g, [...GRID_KEYS], 'grid');
  let configs: Record<string, TrialValue>[] = [{}];
  for (const key of GRID_KEYS) {
    const values = g[key];
    if (values === undefined || key === 'seed') continue;
    checkList(`grid.${key}`, values, key);
    configs = configs.flatMap((c) => (values as TrialValue[]).map((v) => ({ ...c, [key]: v })));
  }
  const seeds = g.seed ?? [0];
  checkList('grid.seed', seeds, 'seed');
  return { configs, seeds };
}

/** Every trial of the sweep, configuration-major (a configuration's seeds are adjacent). */
export function expandTrials(spec: ModelSpec, optimizer: OptimizerSpec, clipNorm: number | undefined, grid: SweepGrid | undefined, random: SweepRandom | undefined): Trial[] {
  const { configs, seeds } = configurations(grid, random);
  const count = configs.length * seeds.length;
  if (count > MAX_MODELS) throw new InputError(grid ? 'grid' : 'random', `${count} models`, `at most ${MAX_MODELS} models in one sweep`);
  const trials: Trial[] = [];
  for (const config of configs) {
    const configKey = JSON.stringify(config);
    for (const seed of seeds) {
      const c = config as Record<string, never>;
      const hidden = spec.hidden.map((layer) => ({
        ...layer,
        ...(c.activation !== undefined ? { activation: c.activation } : {}),
        ...(c.alpha !== undefined ? { alpha: c.alpha } : {}),
        ...(c.dropout !== undefined ? { dropout: c.dropout } : {}),
        ...(c.init !== undefined ? { init: c.init } : {}),
      }));
      const opt: OptimizerSpec = { ...optimizer };
      for (const key of ['lr', 'weightDecay', 'momentum', 'beta1', 'beta2'] as const) if (c[key] !== undefined) opt[key] = c[key];
      trials.push({
        index: trials.length,
        config: { ...config, seed },
        configKey,
        seed,
        spec: { ...spec, hidden },
        optimizer: opt,
        clipNorm: c.clipNorm ?? clipNorm,
      });
    }
  }
  return trials;
}
