// A checkpoint folder on Node: the model as it is (model.json + model.safetensors, so loadModel
// reads a checkpoint too), checkpoint.json (the session's loop state, the caller's settings and
// a SHA-256 of the state file) and state.bin (weights, optimizer moments and best weights as
// little-endian float64: exact for both backends). Written as one unit like a model folder;
// loads check every size against the file before allocating.

import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionState } from '../types/session-state.js';
import { SESSION_STATE_FORMAT } from '../types/session-state.js';
import { InputError } from '../util/errors.js';
import { LIBRARY_NAME, LIBRARY_VERSION } from '../util/version.js';
import { encodeModelBundle, MODEL_JSON_FILE, MODEL_WEIGHTS_FILE } from './model-bundle.js';
import type { SavedModelConfig } from './model-config.js';
import { checkDirReplaceable, loadModelDir, replaceDir, type SaveOptions } from './model-files.js';
import type { TensorMap } from './safetensors.js';

export const CHECKPOINT_JSON_FILE = 'checkpoint.json';
export const CHECKPOINT_STATE_FILE = 'state.bin';
const CHECKPOINT_FORMAT = 'webgpu-mlp-checkpoint';
const CHECKPOINT_FILES = [MODEL_JSON_FILE, MODEL_WEIGHTS_FILE, CHECKPOINT_JSON_FILE, CHECKPOINT_STATE_FILE];
const FLAT_NAMES = ['param', 'state1', 'state2', 'best'] as const;
const MAX_JSON_BYTES = 256 * 1024 * 1024;

export interface CheckpointContents {
  config: SavedModelConfig;
  tensors: TensorMap;
  state: SessionState;
  /** The caller's own record (the CLI keeps its resolved settings here). */
  meta: Record<string, unknown>;
}

export async function checkCheckpointDirWritable(dir: string, options: SaveOptions = {}): Promise<void> {
  await checkDirReplaceable(dir, CHECKPOINT_FILES, 'a checkpoint folder', { field: 'checkpoint directory', ...options });
}

export async function saveCheckpointDir(dir: string, c: CheckpointContents, options: SaveOptions = {}): Promise<void> {
  const bundle = encodeModelBundle(c.config, c.tensors);
  const flats = FLAT_NAMES.filter((n) => c.state.flats[n] !== undefined);
  const total = c.state.flats.param.length;
  const bytes = new Uint8Array(flats.length * total * 8);
  const view = new DataView(bytes.buffer);
  flats.forEach((name, k) => {
    const values = c.state.flats[name]!;
    for (let i = 0; i < total; i++) view.setFloat64((k * total + i) * 8, values[i], true);
  });
  const json = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    library: { name: LIBRARY_NAME, version: LIBRARY_VERSION },
    createdAt: new Date().toISOString(),
    state: { file: CHECKPOINT_STATE_FILE, flats, length: total, bytes: bytes.length, sha256: sha256(bytes) },
    loop: c.state.loop,
    meta: c.meta,
  };
  await checkCheckpointDirWritable(dir, options);
  await replaceDir(dir, [
    [MODEL_WEIGHTS_FILE, bundle.weights],
    [MODEL_JSON_FILE, bundle.json],
    [CHECKPOINT_STATE_FILE, bytes],
    [CHECKPOINT_JSON_FILE, JSON.stringify(json, null, 1) + '\n'],
  ], options);
}

export async function loadCheckpointDir(dir: string): Promise<CheckpointContents> {
  const { config, tensors } = await loadModelDir(dir);
  const jsonPath = join(dir, CHECKPOINT_JSON_FILE);
  const statePath = join(dir, CHECKPOINT_STATE_FILE);
  const stat = await fsp.stat(jsonPath).catch(() => null);
  if (!stat) throw new InputError('--resume', dir, `a checkpoint folder holding ${CHECKPOINT_JSON_FILE} (this one has none)`);
  if (stat.size > MAX_JSON_BYTES) throw new InputError(jsonPath, `${stat.size} bytes`, `at most ${MAX_JSON_BYTES} bytes`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await fsp.readFile(jsonPath, 'utf8'));
  } catch (err) {
    throw new InputError(jsonPath, 'unreadable', `valid JSON (${(err as Error).message}; file truncated?)`);
  }
  if (json?.format !== CHECKPOINT_FORMAT) throw new InputError(`${jsonPath} format`, json?.format, `"${CHECKPOINT_FORMAT}"`);
  if (json.version !== 1) throw new InputError(`${jsonPath} version`, json.version, '1 (this release reads checkpoint version 1 only)');
  const s = json.state as { flats: string[]; length: number; bytes: number; sha256: string };
  const names = Array.isArray(s?.flats) ? s.flats : [];
  if (names.length < 3 || names.length > 4 || names.some((n, i) => n !== FLAT_NAMES[i])) throw new InputError(`${jsonPath} state.flats`, s?.flats, '["param", "state1", "state2"] and optionally "best"');
  const fileSize = (await fsp.stat(statePath).catch(() => null))?.size;
  if (fileSize === undefined) throw new InputError(statePath, 'no such file', 'the optimizer state of the checkpoint');
  // The declared sizes must agree with the file before anything is allocated (the session then
  // checks the lengths against the model's parameter buffer).
  if (!Number.isSafeInteger(s.length) || s.length <= 0 || s.bytes !== names.length * s.length * 8 || fileSize !== s.bytes) {
    throw new InputError(statePath, `${fileSize} bytes`, `${names.length} buffers of ${s.length} float64 values as ${CHECKPOINT_JSON_FILE} declares (file truncated?)`);
  }
  const bytes = new Uint8Array(await fsp.readFile(statePath));
  if (sha256(bytes) !== s.sha256) throw new InputError(statePath, 'content that does not match its SHA-256 in checkpoint.json', 'the state file written with this checkpoint');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flats: Record<string, Float64Array> = {};
  names.forEach((name, k) => {
    const values = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) values[i] = view.getFloat64((k * s.length + i) * 8, true);
    flats[name] = values;
  });
  const state = { format: SESSION_STATE_FORMAT, version: 1, loop: json.loop, flats } as SessionState;
  const meta = typeof json.meta === 'object' && json.meta !== null ? (json.meta as Record<string, unknown>) : {};
  return { config, tensors, state, meta };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
