// The --config JSON file, checked strictly before any work: every key must be a known setting
// (an unknown one is named, with the closest valid key suggested) and every value must have its
// JSON type ("layerNorm": "false" is an error, not true). Flags on the command line are strings
// and go through resolveSettings' own parsing instead.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../util/errors.js';
import { unknownKeyExpected } from '../util/suggest.js';

const int = (min: number) => z.number().int().min(min);
const num = z.number().refine(Number.isFinite);
const strings = z.union([z.array(z.string()), z.string()]);

/** Each known key: its schema and, for messages, what it expects in words. */
const KEYS = {
  dataset: [z.string(), 'a dataset name or a file path'],
  label: [z.string(), 'the name of the label column'],
  layers: [z.union([z.array(int(1)), z.string()]), 'an array of integers >= 1 (hidden widths) or "256,128"'],
  activation: [strings, 'an activation name, or one per layer'],
  loss: [z.string(), 'a loss name'],
  optimizer: [z.string(), 'an optimizer name'],
  lr: [num.refine((n) => n > 0), 'a number > 0'],
  schedule: [z.string(), 'a schedule such as "cosine:100"'],
  batchSize: [int(1), 'an integer >= 1'],
  epochs: [int(1), 'an integer >= 1'],
  weightDecay: [num.refine((n) => n >= 0), 'a number >= 0'],
  dropout: [num.refine((n) => n >= 0 && n < 1), 'a probability in [0, 1)'],
  clipNorm: [num.refine((n) => n > 0), 'a number > 0'],
  seed: [int(0), 'an integer >= 0'],
  backend: [z.enum(['webgpu', 'cpu']), '"webgpu" or "cpu"'],
  out: [z.string(), 'a folder path'],
  layerNorm: [z.boolean(), 'true or false (a JSON boolean, not a string)'],
  residual: [z.boolean(), 'true or false (a JSON boolean, not a string)'],
  validationSplit: [num.refine((n) => n >= 0 && n < 1), 'a fraction in [0, 1)'],
  normalize: [z.enum(['none', 'minmax', 'zscore']), '"none", "minmax" or "zscore"'],
  samples: [int(4), 'an integer >= 4'],
  noise: [num.refine((n) => n >= 0), 'a number >= 0'],
  limit: [int(1), 'an integer >= 1'],
  patience: [int(0), 'an integer >= 0'],
  checkpointEvery: [int(1), 'an integer >= 1 (epochs between checkpoints)'],
  checkpointDir: [z.string(), 'a folder path'],
  resume: [z.string(), 'the folder of a checkpoint'],
  // The tabular data pipeline's settings (issue 12 section 1).
  categorical: [strings, 'a list of column names'],
  numeric: [strings, 'a list of column names'],
  exclude: [strings, 'a list of column names'],
  missing: [z.enum(['error', 'drop', 'impute']), '"error", "drop" or "impute"'],
  missingValues: [strings, 'a list of strings that mean "missing"'],
  task: [z.enum(['classification', 'regression']), '"classification" or "regression"'],
  strict: [z.boolean(), 'true or false (a JSON boolean, not a string)'],
  probabilities: [z.boolean(), 'true or false (a JSON boolean, not a string)'],
  // evaluate / predict
  model: [z.string(), 'the folder of a saved model'],
  input: [z.string(), 'a CSV file'],
  output: [z.string(), 'a file path'],
} satisfies Record<string, [z.ZodType, string]>;

export const CONFIG_KEYS = Object.keys(KEYS) as (keyof typeof KEYS)[];

/** A value, a list of them ([0.001, 0.01]: a grid) or a string ("1e-4:1e-1": a --random range). */
const values = z.union([num, z.array(num).min(1), z.string()]);
const VALUES = 'a number, a list of numbers (a grid) or a "low:high" range';
/** The sweep command's file: train's keys, the hyperparameters as lists, and the sweep's own keys (sweep-flags.ts checks the values). */
const SWEEP_KEYS = {
  ...KEYS,
  lr: [values, VALUES],
  weightDecay: [values, VALUES],
  dropout: [values, VALUES],
  clipNorm: [values, VALUES],
  momentum: [values, VALUES],
  beta1: [values, VALUES],
  beta2: [values, VALUES],
  alpha: [values, VALUES],
  init: [strings, 'an initializer name, or a list of them'],
  activation: [strings, 'an activation name, or a list of them (a grid)'],
  seeds: [int(1), 'an integer >= 1 (seeds 0..n-1)'],
  seedList: [z.union([z.array(int(0)).min(1), z.string()]), 'a list of integers >= 0'],
  random: [int(1), 'an integer >= 1 (random configurations)'],
  randomSeed: [int(0), 'an integer >= 0'],
  dataOrder: [z.enum(['per-model', 'shared']), '"per-model" or "shared"'],
  saveAll: [z.string(), 'a folder path'],
} satisfies Record<string, [z.ZodType, string]>;

const schemaOf = (keys: Record<string, [z.ZodType, string]>) => z.strictObject(Object.fromEntries(Object.entries(keys).map(([k, [type]]) => [k, type.optional()])));
const SCHEMAS = { train: { keys: KEYS as Record<string, [z.ZodType, string]>, schema: schemaOf(KEYS) }, sweep: { keys: SWEEP_KEYS as Record<string, [z.ZodType, string]>, schema: schemaOf(SWEEP_KEYS) } };

/** Checks a parsed config object; throws one InputError naming the first bad key. */
export function checkConfig(raw: unknown, source = '--config', command: 'train' | 'sweep' = 'train'): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(source, raw, 'a JSON object of settings');
  const { keys, schema } = SCHEMAS[command];
  const result = schema.safeParse(raw);
  if (result.success) return result.data as Record<string, unknown>;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    throw new InputError(`${source} key "${key}"`, 'an unknown setting', unknownKeyExpected(key, Object.keys(keys), 'one of'));
  }
  const key = String(issue.path[0]);
  throw new InputError(`${source} ${key}`, (raw as Record<string, unknown>)[key], keys[key]?.[1] ?? issue.message);
}

/** Reads and checks a --config file (a sweep's file may hold lists and the sweep's keys). */
export function readConfigFile(path: string, command: 'train' | 'sweep' = 'train'): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError('--config', path, `a readable JSON file (${(err as Error).message})`);
  }
  return checkConfig(parsed, `--config ${path}`, command);
}
