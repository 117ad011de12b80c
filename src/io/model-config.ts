// The model.json half of a saved model: its type, its validation, and the check that the weights
// file holds exactly the tensors the config promises. Browser-safe. The spec itself is validated
// by the model code; here we only make sure the file is ours, from a release we can read, and whole.

import { InputError } from '../util/errors.js';
import type { TensorMap } from './safetensors.js';

export const MODEL_FORMAT_NAME = 'webgpu-mlp';

/** Bump when a saved model's meaning changes; files from other versions are refused, not guessed at. */
export const MODEL_FORMAT_VERSION = 1;

export interface SavedModelConfig {
  format: 'webgpu-mlp';
  formatVersion: number;
  /** ModelSpec JSON (see src/model/spec.ts). */
  spec: unknown;
  normalization?: unknown;
  targetScaler?: unknown;
  /** The tabular pipeline (src/data/table), validated by the model code. */
  pipeline?: unknown;
  training?: unknown;
  /** Every tensor in the weights file, name -> shape. */
  tensors: Record<string, number[]>;
  /** ISO-8601 time of the save. */
  createdAt: string;
  /** The release that wrote the file: { name, version }. */
  library?: unknown;
}

const FILE = 'model.json';
const OPTIONAL_FIELDS = ['normalization', 'targetScaler', 'pipeline', 'training', 'library'] as const;

/**
 * Checks parsed model.json and returns a copy holding only the known fields.
 * `source` names the file in messages (a path, when loading from disk).
 */
export function validateModelConfig(json: unknown, source = FILE): SavedModelConfig {
  if (!isObject(json)) throw new InputError(source, json, 'a JSON object describing a saved webgpu-mlp model');

  // Format and version first: a file from elsewhere should say so, not complain about some field.
  if (json.format !== MODEL_FORMAT_NAME) {
    throw new InputError(`${source} format`, json.format, `"${MODEL_FORMAT_NAME}" (not a webgpu-mlp model file)`);
  }
  const version = json.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new InputError(`${source} formatVersion`, version, 'a positive integer');
  }
  if (version !== MODEL_FORMAT_VERSION) {
    const which = version > MODEL_FORMAT_VERSION ? 'a newer' : 'an older';
    throw new InputError(
      `${source} formatVersion`,
      version,
      `${MODEL_FORMAT_VERSION}: the file has format version ${version} (written by ${which} release) ` +
        `but this build reads format version ${MODEL_FORMAT_VERSION} only`,
    );
  }

  if (!isObject(json.spec)) throw new InputError(`${source} spec`, json.spec, 'the model spec object');

  const tensors = json.tensors;
  if (!isObject(tensors)) throw new InputError(`${source} tensors`, tensors, 'an object mapping tensor name to shape');
  const shapes: Record<string, number[]> = {};
  for (const name of Object.keys(tensors)) {
    const shape = tensors[name];
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw new InputError(`${source} tensors ${JSON.stringify(name)}`, shape, 'a shape: an array of non-negative integers');
    }
    Object.defineProperty(shapes, name, { value: [...shape], enumerable: true, writable: true, configurable: true });
  }

  const createdAt = json.createdAt;
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) {
    throw new InputError(`${source} createdAt`, createdAt, 'an ISO-8601 date string');
  }

  const config: SavedModelConfig = {
    format: MODEL_FORMAT_NAME,
    formatVersion: version,
    spec: json.spec,
    tensors: shapes,
    createdAt,
  };
  for (const key of OPTIONAL_FIELDS) if (json[key] !== undefined) config[key] = json[key];
  return config;
}

/**
 * Throws unless `tensors` holds exactly the tensors `config.tensors` lists, each with that shape.
 * `source` names the weights file in messages.
 */
export function checkTensorsMatch(config: SavedModelConfig, tensors: TensorMap, source = 'weights'): void {
  const expected = config.tensors;
  for (const name of Object.keys(expected)) {
    const field = `${source} tensor ${JSON.stringify(name)}`;
    if (!Object.prototype.hasOwnProperty.call(tensors, name)) {
      throw new InputError(field, 'missing', `a tensor of shape [${expected[name].join(', ')}] as ${FILE} lists`);
    }
    const found = tensors[name].shape;
    if (!sameShape(found, expected[name])) {
      throw new InputError(`${field} shape`, found, `[${expected[name].join(', ')}] as ${FILE} lists`);
    }
  }
  for (const name of Object.keys(tensors)) {
    if (!Object.prototype.hasOwnProperty.call(expected, name)) {
      throw new InputError(
        `${source} tensor ${JSON.stringify(name)}`,
        tensors[name].shape,
        `no such tensor: ${FILE} does not list it (files from different saves?)`,
      );
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
