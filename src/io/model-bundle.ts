// A saved model as the two file contents (model.json text + model.safetensors bytes), without
// touching a file system, so the browser demo and the Node loader share one encode/decode path.
// Both directions validate both halves and check they describe the same tensors.

import { InputError } from '../util/errors.js';
import { checkTensorsMatch, MODEL_FORMAT_NAME, MODEL_FORMAT_VERSION, validateModelConfig, type SavedModelConfig } from './model-config.js';
import { decodeSafetensors, encodeSafetensors, type TensorMap } from './safetensors.js';

export const MODEL_JSON_FILE = 'model.json';
export const MODEL_WEIGHTS_FILE = 'model.safetensors';

export interface EncodedModelBundle {
  json: string;
  weights: Uint8Array;
}

export interface DecodedModelBundle {
  config: SavedModelConfig;
  tensors: TensorMap;
}

/** Names used in error messages; the Node loader passes full paths. */
export interface BundleSourceNames {
  json?: string;
  weights?: string;
}

export function encodeModelBundle(config: SavedModelConfig, tensors: TensorMap): EncodedModelBundle {
  // Validate what we are about to write so a bad save fails now, not on the next load.
  const checked = validateModelConfig(config);
  checkTensorsMatch(checked, tensors);
  // The metadata lets other safetensors tools see what produced the file; loading does not need it.
  const weights = encodeSafetensors(tensors, { format: MODEL_FORMAT_NAME, formatVersion: String(MODEL_FORMAT_VERSION) });
  return { json: JSON.stringify(checked, null, 2) + '\n', weights };
}

export function decodeModelBundle(json: string, weights: Uint8Array, names: BundleSourceNames = {}): DecodedModelBundle {
  const jsonName = names.json ?? MODEL_JSON_FILE;
  const weightsName = names.weights ?? MODEL_WEIGHTS_FILE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new InputError(jsonName, json.trim(), `valid JSON (${(err as Error).message}; file truncated?)`);
  }
  const config = validateModelConfig(parsed, jsonName);
  const { tensors } = decodeSafetensors(weights, weightsName);
  checkTensorsMatch(config, tensors, weightsName);
  return { config, tensors };
}

