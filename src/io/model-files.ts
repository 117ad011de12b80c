// Saves and loads a model directory (model.json + model.safetensors) on Node. Node-only, so it
// is not re-exported from index.ts. Saves are crash-safe: each file is written to a temp name in
// the same directory, fsynced, then renamed over the target, so a reader sees the old file or the
// new one, never half of one, and a failed save leaves the previous model untouched.

import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../util/errors.js';
import { decodeModelBundle, encodeModelBundle, MODEL_JSON_FILE, MODEL_WEIGHTS_FILE, type DecodedModelBundle } from './model-bundle.js';
import type { SavedModelConfig } from './model-config.js';
import type { TensorMap } from './safetensors.js';

/** The slice of a file handle a save uses; node's FileHandle fits. */
export interface WritableFile {
  writeFile(data: Uint8Array | string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file-system calls a save makes. Injectable so tests can fail a save at any step. */
export interface SaveFileSystem {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  lstat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean }>;
  open(path: string, flags: string): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: true }): Promise<void>;
}

export interface SaveOptions {
  fs?: SaveFileSystem;
}

const nodeFs: SaveFileSystem = {
  mkdir: (path, options) => fsp.mkdir(path, options),
  lstat: (path) => fsp.lstat(path),
  open: (path, flags) => fsp.open(path, flags),
  rename: (from, to) => fsp.rename(from, to),
  rm: (path, options) => fsp.rm(path, options),
};

/**
 * Writes `config` and `tensors` into `dir` (created if missing), replacing any model there.
 * Both files are fully written and fsynced under temp names before either target is replaced,
 * so any write failure leaves the previous model intact. The one remaining window is the
 * second rename failing after the first succeeded (rare: same directory, targets pre-checked).
 */
export async function saveModelDir(dir: string, config: SavedModelConfig, tensors: TensorMap, options: SaveOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  // Encoding validates everything, so bad input fails before the disk is touched.
  const bundle = encodeModelBundle(config, tensors);
  await fs.mkdir(dir, { recursive: true });

  // Weights first: model.json is what marks a directory as a model, so it lands last.
  const files = [
    { target: join(dir, MODEL_WEIGHTS_FILE), data: bundle.weights },
    { target: join(dir, MODEL_JSON_FILE), data: bundle.json },
  ];
  for (const file of files) await checkReplaceable(fs, file.target);

  const pending: string[] = [];
  try {
    const temps: string[] = [];
    for (const file of files) temps.push(await writeTemp(fs, file.target, file.data, pending));
    for (let i = 0; i < files.length; i++) {
      await fs.rename(temps[i], files[i].target);
      pending.splice(pending.indexOf(temps[i]), 1);
    }
  } catch (err) {
    await Promise.all(pending.map((temp) => fs.rm(temp, { force: true }).catch(() => undefined)));
    throw err;
  }
  await syncDirectory(dir);
}

/** Reads and validates a model directory written by saveModelDir. */
export async function loadModelDir(dir: string): Promise<DecodedModelBundle> {
  const stats = await fsp.stat(dir).catch(() => null);
  if (!stats) throw new InputError('model directory', dir, `an existing directory holding ${MODEL_JSON_FILE} and ${MODEL_WEIGHTS_FILE}`);
  if (!stats.isDirectory()) throw new InputError('model directory', dir, `a directory holding ${MODEL_JSON_FILE} and ${MODEL_WEIGHTS_FILE}, not a file`);

  const jsonPath = join(dir, MODEL_JSON_FILE);
  const weightsPath = join(dir, MODEL_WEIGHTS_FILE);
  const jsonBytes = await readModelFile(jsonPath);
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(jsonBytes);
  } catch {
    throw new InputError(jsonPath, 'bytes that are not UTF-8', 'a UTF-8 JSON file');
  }
  const weights = await readModelFile(weightsPath);
  return decodeModelBundle(json, weights, { json: jsonPath, weights: weightsPath });
}

async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return await fsp.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(path, 'no such file', `the ${basename(path)} of a model saved by webgpu-mlp`);
    if (code === 'EISDIR') throw new InputError(path, 'a directory', `the ${basename(path)} file of a saved model`);
    throw err;
  }
}

/** A directory (or other non-file) at a target would make the rename fail half-way through a save. */
async function checkReplaceable(fs: SaveFileSystem, target: string): Promise<void> {
  const stats = await fs.lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (stats && !stats.isFile()) {
    throw new InputError(target, stats.isDirectory() ? 'a directory' : 'not a regular file', 'a regular file or nothing, so the save can replace it');
  }
}

/** Writes `data` durably to a fresh temp file beside `target`; records it in `pending` once it exists. */
async function writeTemp(fs: SaveFileSystem, target: string, data: Uint8Array | string, pending: string[]): Promise<string> {
  const temp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  // 'wx': never clobber an existing file, so cleanup can only ever remove what we created.
  const handle = await fs.open(temp, 'wx');
  pending.push(temp);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    // Report the write failure, not a close failure it may cause.
    await handle.close().catch(() => undefined);
    throw err;
  }
  await handle.close();
  return temp;
}

/** Makes the renames themselves durable. Not every platform can fsync a directory; skip there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows refuses to open or sync directories; the data files themselves were synced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
