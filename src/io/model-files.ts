// Saves and loads a model directory (model.json + model.safetensors) on Node. Node-only, so it
// is not re-exported from io/index.ts (src/node.ts exports it). A save is one atomic unit: both
// files are written and fsynced in a fresh hidden sibling folder, which is then renamed into
// place; the previous model is moved aside first and deleted only after the swap, and a save
// interrupted between those two renames is recovered by the next load or save. So no crash can
// leave new weights beside an old config, and the previous model survives any failed save.

import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
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
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  lstat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean }>;
  readdir(path: string): Promise<string[]>;
  open(path: string, flags: string): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { recursive?: boolean; force: true }): Promise<void>;
}

export interface SaveOptions {
  fs?: SaveFileSystem;
  /** Names the directory in error messages ("--out" in the CLI). */
  field?: string;
}

export const nodeFs: SaveFileSystem = {
  mkdir: (path, options) => fsp.mkdir(path, options),
  lstat: (path) => fsp.lstat(path),
  readdir: (path) => fsp.readdir(path),
  open: (path, flags) => fsp.open(path, flags),
  rename: (from, to) => fsp.rename(from, to),
  rm: (path, options) => fsp.rm(path, options),
};

/** The per-file temps older releases left in a model directory: a save may replace them too. */
const OLD_TEMP = /^\.model\.(json|safetensors)\.tmp-/;
const MODEL_FILES = [MODEL_JSON_FILE, MODEL_WEIGHTS_FILE];

/** model.json beyond this is not one of ours (a 784-256-128-10 model's is ~30 kB). */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** The hidden siblings of `dir` a save uses: the staging folder and the previous model's place. */
export function siblings(dir: string): { parent: string; staging: () => string; stagingPrefix: string; previous: string } {
  const abs = resolve(dir);
  const parent = dirname(abs);
  const name = basename(abs);
  const stagingPrefix = `.${name}.saving-`;
  return {
    parent,
    stagingPrefix,
    staging: () => join(parent, `${stagingPrefix}${process.pid}-${randomBytes(6).toString('hex')}`),
    previous: join(parent, `.${name}.previous`),
  };
}

async function exists(fs: SaveFileSystem, path: string): Promise<{ isFile(): boolean; isDirectory(): boolean } | null> {
  return fs.lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
}

/**
 * Checks, before any training, that `dir` can receive a model: it is a folder (or nothing yet)
 * holding nothing but a saved model, and the folder it sits in can be written (probed by
 * creating and removing a hidden folder there, so a read-only mount fails even for root).
 */
export async function checkModelDirWritable(dir: string, options: SaveOptions = {}): Promise<void> {
  await checkDirReplaceable(dir, MODEL_FILES, 'the folder of a saved model', options);
}

/** checkModelDirWritable for a folder whose own files are `own` (a checkpoint has more). */
export async function checkDirReplaceable(dir: string, own: readonly string[], what: string, options: SaveOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const field = options.field ?? 'model directory';
  const expected = `a new folder, an empty folder, or ${what}`;
  await recoverInterruptedSave(dir, fs);
  const stats = await exists(fs, dir).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(field, dir, `${expected} (${err.code ?? err.message})`);
  });
  if (stats && !stats.isDirectory()) throw new InputError(field, dir, `${expected}, not a file`);
  if (stats) {
    const foreign = (await fs.readdir(dir)).filter((e) => !own.includes(e) && !OLD_TEMP.test(e));
    if (foreign.length > 0) {
      const list = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', ...' : '');
      throw new InputError(field, dir, `${expected}; it holds other files (${list}), which a save would replace`);
    }
  }
  // The nearest folder that exists must be a writable folder: the save creates the rest.
  let ancestor = dirname(resolve(dir));
  for (;;) {
    const s = await exists(fs, ancestor).catch(() => null);
    if (s && !s.isDirectory()) throw new InputError(field, dir, `a folder path, but ${ancestor} is a file`);
    if (s) break;
    const up = dirname(ancestor);
    if (up === ancestor) break;
    ancestor = up;
  }
  const probe = join(ancestor, `.webgpu-mlp-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await fs.mkdir(probe, { recursive: false });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InputError(field, dir, `a folder this process can write, but ${ancestor} is not writable (${code})`);
  }
  await fs.rm(probe, { recursive: true, force: true });
}

/**
 * A save killed between moving the previous model aside and renaming the new one into place
 * leaves `dir` missing and the previous model in its hidden sibling: put it back. A save that
 * finished but was killed before deleting the previous copy leaves a stale sibling: delete it.
 * Stale staging folders of dead processes are removed too.
 */
async function recoverInterruptedSave(dir: string, fs: SaveFileSystem): Promise<void> {
  const { parent, previous, stagingPrefix } = siblings(dir);
  const [here, prev] = await Promise.all([exists(fs, dir).catch(() => null), exists(fs, previous).catch(() => null)]);
  if (prev && !here) await fs.rename(previous, resolve(dir));
  else if (prev) await fs.rm(previous, { recursive: true, force: true });
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  for (const e of entries) {
    if (!e.startsWith(stagingPrefix)) continue;
    const pid = Number(e.slice(stagingPrefix.length).split('-')[0]);
    if (pid !== process.pid && !alive(pid)) await fs.rm(join(parent, e), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes `config` and `tensors` as the model in `dir` (created if missing), replacing any model
 * there as one unit. `dir` must hold nothing but a saved model (checked before anything is written).
 */
export async function saveModelDir(dir: string, config: SavedModelConfig, tensors: TensorMap, options: SaveOptions = {}): Promise<void> {
  // Encoding validates everything, so bad input fails before the disk is touched.
  const bundle = encodeModelBundle(config, tensors);
  await checkModelDirWritable(dir, options);
  // Weights first: model.json is what marks a directory as a model.
  await replaceDir(dir, [
    [MODEL_WEIGHTS_FILE, bundle.weights],
    [MODEL_JSON_FILE, bundle.json],
  ], options);
}

/**
 * Makes `dir` hold exactly `files` (name, content), as one unit: written and fsynced in a
 * staging sibling, then swapped in. The caller has checked the folder (checkDirReplaceable).
 */
export async function replaceDir(dir: string, files: [string, Uint8Array | string][], options: SaveOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const { parent, staging: nextStaging, previous } = siblings(dir);
  const target = resolve(dir);
  await fs.mkdir(parent, { recursive: true });

  const staging = nextStaging();
  await fs.mkdir(staging, { recursive: false });
  let movedAside = false;
  try {
    for (const [name, data] of files) await writeDurably(fs, join(staging, name), data);
    await syncDirectory(staging);
    if (await exists(fs, target)) {
      await fs.rename(target, previous);
      movedAside = true;
    }
    await fs.rename(staging, target);
  } catch (err) {
    if (movedAside) await fs.rename(previous, target).catch(() => undefined);
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  await syncDirectory(parent);
  if (movedAside) await fs.rm(previous, { recursive: true, force: true }).catch(() => undefined);
}

/** True when `dir` holds a model.json (a model a save would replace). */
export async function hasSavedModel(dir: string): Promise<boolean> {
  const stats = await fsp.stat(join(dir, MODEL_JSON_FILE)).catch(() => null);
  return Boolean(stats?.isFile());
}

/** Reads and validates a model directory written by saveModelDir. */
export async function loadModelDir(dir: string): Promise<DecodedModelBundle> {
  let stats = await fsp.stat(dir).catch(() => null);
  // A save interrupted between its two renames: the previous model is intact beside it.
  const { previous } = siblings(dir);
  if (!stats && (await fsp.stat(previous).catch(() => null))?.isDirectory()) {
    dir = previous;
    stats = await fsp.stat(dir);
  }
  if (!stats) throw new InputError('model directory', dir, `an existing directory holding ${MODEL_JSON_FILE} and ${MODEL_WEIGHTS_FILE}`);
  if (!stats.isDirectory()) throw new InputError('model directory', dir, `a directory holding ${MODEL_JSON_FILE} and ${MODEL_WEIGHTS_FILE}, not a file`);

  const jsonPath = join(dir, MODEL_JSON_FILE);
  const weightsPath = join(dir, MODEL_WEIGHTS_FILE);
  const jsonBytes = await readModelFile(jsonPath, MAX_JSON_BYTES);
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(jsonBytes);
  } catch {
    throw new InputError(jsonPath, 'bytes that are not UTF-8', 'a UTF-8 JSON file');
  }
  const weights = await readModelFile(weightsPath);
  return decodeModelBundle(json, weights, { json: jsonPath, weights: weightsPath });
}

async function readModelFile(path: string, maxBytes = Infinity): Promise<Uint8Array> {
  try {
    const size = (await fsp.stat(path)).size;
    if (size > maxBytes) throw new InputError(path, `${size} bytes`, `at most ${maxBytes} bytes for the ${basename(path)} of a saved model`);
    return await fsp.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(path, 'no such file', `the ${basename(path)} of a model saved by webgpu-mlp`);
    if (code === 'EISDIR') throw new InputError(path, 'a directory', `the ${basename(path)} file of a saved model`);
    throw err;
  }
}

/** Writes `data` to a new file (never clobbering one) and fsyncs it before closing. */
export async function writeDurably(fs: SaveFileSystem, path: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    // Report the write failure, not a close failure it may cause.
    await handle.close().catch(() => undefined);
    throw err;
  }
  await handle.close();
}

/** Makes renames and new entries durable. Not every platform can fsync a directory; skip there. */
export async function syncDirectory(dir: string): Promise<void> {
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
