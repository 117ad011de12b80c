// Tests for saving and loading a model directory on disk: round trips, clear errors for missing or
// damaged files, that a save failing at any step leaves the previous model byte-for-byte intact
// with no staging folder behind, that a save interrupted between its two renames is recovered,
// and that the folder is checked (a file, a path under a file, foreign files, not writable)
// before anything is written.

import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkModelDirWritable, loadModelDir, nodeFs, saveModelDir, type SaveFileSystem, type WritableFile } from '../../src/io/model-files.js';
import { InputError } from '../../src/util/errors.js';
import { randomTensor, sampleConfig, sampleTensors } from './fixtures.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(join(os.tmpdir(), 'webgpu-mlp-io-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) out[name] = fs.readFileSync(join(dir, name)).toString('base64');
  return out;
}

describe('save and load', () => {
  it('round-trips into a directory it creates, leaving exactly the two files and nothing beside it', async () => {
    const dir = join(root, 'nested', 'model');
    const tensors = sampleTensors();
    const config = sampleConfig(tensors);
    await saveModelDir(dir, config, tensors);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'model.safetensors']);
    expect(JSON.parse(fs.readFileSync(join(dir, 'model.json'), 'utf8'))).toEqual(config);

    const back = await loadModelDir(dir);
    expect(back.config).toEqual(config);
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name].shape).toEqual(t.shape);
      expect(Array.from(back.tensors[name].data)).toEqual(Array.from(t.data));
    }
  });

  it('replaces an existing model', async () => {
    const first = sampleTensors();
    await saveModelDir(root, sampleConfig(first), first);
    const second = { w: randomTensor([4, 2], 42) };
    await saveModelDir(root, sampleConfig(second), second);
    const back = await loadModelDir(root);
    expect(Object.keys(back.tensors)).toEqual(['w']);
    expect(Array.from(back.tensors.w.data)).toEqual(Array.from(second.w.data));
    expect(fs.readdirSync(root).sort()).toEqual(['model.json', 'model.safetensors']);
  });

  it('rejects invalid input before touching the disk', async () => {
    const dir = join(root, 'never');
    const tensors = sampleTensors();
    tensors['layers.1.bias'] = { shape: [1], data: new Float32Array([NaN]) };
    const err = await rejection(saveModelDir(dir, sampleConfig(tensors), tensors));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/"layers\.1\.bias"\[0\]: got NaN/);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('load errors name the path', () => {
  it('reports a missing directory', async () => {
    const dir = join(root, 'absent');
    const err = await rejection(loadModelDir(dir));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(dir);
  });

  it('reports a file given instead of a directory', async () => {
    const file = join(root, 'file');
    fs.writeFileSync(file, 'x');
    const err = await rejection(loadModelDir(file));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/not a file/);
  });

  it('reports each missing file by path', async () => {
    const tensors = sampleTensors();
    for (const missing of ['model.json', 'model.safetensors']) {
      const dir = join(root, missing);
      await saveModelDir(dir, sampleConfig(tensors), tensors);
      fs.rmSync(join(dir, missing));
      const err = await rejection(loadModelDir(dir));
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).field).toBe(join(dir, missing));
      expect(err.message).toContain('no such file');
    }
  });

  it('reports truncated weights and model.json files', async () => {
    const tensors = sampleTensors();
    await saveModelDir(root, sampleConfig(tensors), tensors);
    const weightsPath = join(root, 'model.safetensors');
    const good = fs.readFileSync(weightsPath);
    for (const cut of [0, 5, 40, good.length - 4]) {
      fs.writeFileSync(weightsPath, good.subarray(0, cut));
      const err = await rejection(loadModelDir(root));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toContain(weightsPath);
      expect(err.message).toMatch(/truncated/);
    }
    fs.writeFileSync(weightsPath, good);
    const jsonPath = join(root, 'model.json');
    fs.writeFileSync(jsonPath, fs.readFileSync(jsonPath, 'utf8').slice(0, 30));
    const err = await rejection(loadModelDir(root));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe(jsonPath);
  });

  it('reports a version mismatch and a config/weights shape mismatch with the path', async () => {
    const tensors = sampleTensors();
    const config = sampleConfig(tensors);
    await saveModelDir(root, config, tensors);
    const jsonPath = join(root, 'model.json');

    fs.writeFileSync(jsonPath, JSON.stringify({ ...config, formatVersion: 7 }));
    const version = await rejection(loadModelDir(root));
    expect(version.message).toContain(`${jsonPath} formatVersion`);
    expect(version.message).toMatch(/file has format version 7.*this build reads format version 1/);

    fs.writeFileSync(jsonPath, JSON.stringify({ ...config, tensors: { ...config.tensors, 'norm.mean': [256] } }));
    const shape = await rejection(loadModelDir(root));
    expect(shape).toBeInstanceOf(InputError);
    expect(shape.message).toContain(join(root, 'model.safetensors'));
    expect(shape.message).toMatch(/"norm\.mean" shape: got \[257\], expected \[256\]/);
  });
});

type Step = 'open' | 'write' | 'sync' | 'close' | 'rename';

/** Real file system calls, except that the `nth` call of `step` fails (a write fails half-way through). */
function failingFs(step: Step, nth: number): SaveFileSystem {
  const counts: Record<Step, number> = { open: 0, write: 0, sync: 0, close: 0, rename: 0 };
  const hit = (s: Step): boolean => ++counts[s] === nth && s === step;
  const boom = (s: Step): Error => Object.assign(new Error(`injected ${s} failure`), { code: 'EIO' });
  return {
    mkdir: (path, options) => fsp.mkdir(path, options),
    lstat: (path) => fsp.lstat(path),
    readdir: (path) => fsp.readdir(path),
    rm: (path, options) => fsp.rm(path, options),
    rename: async (from, to) => {
      if (hit('rename')) throw boom('rename');
      await fsp.rename(from, to);
    },
    open: async (path, flags): Promise<WritableFile> => {
      if (hit('open')) throw boom('open');
      const handle = await fsp.open(path, flags);
      return {
        writeFile: async (data) => {
          if (hit('write')) {
            // Leave a genuinely half-written temp file behind before failing.
            const bytes = typeof data === 'string' ? Buffer.from(data) : data;
            await handle.writeFile(bytes.subarray(0, Math.floor(bytes.length / 2)));
            throw boom('write');
          }
          await handle.writeFile(data);
        },
        sync: async () => {
          if (hit('sync')) throw boom('sync');
          await handle.sync();
        },
        close: async () => {
          await handle.close();
          if (hit('close')) throw boom('close');
        },
      };
    },
  };
}

/** Everything in the folder that holds `dir` (the model folder and its hidden siblings). */
function around(dir: string): string[] {
  return fs.readdirSync(join(dir, '..')).sort();
}

describe('atomic save', () => {
  // open/write/sync #1 is the weights, #2 model.json; rename #1 moves the old model aside, #2 swaps the new one in.
  const steps: [Step, number][] = [
    ['open', 1],
    ['open', 2],
    ['write', 1],
    ['write', 2],
    ['sync', 1],
    ['sync', 2],
    ['close', 2],
    ['rename', 1],
    ['rename', 2],
  ];
  for (const [step, nth] of steps) {
    it(`keeps the previous model intact and removes the staging folder when ${step} #${nth} fails`, async () => {
      const dir = join(root, 'model');
      const old = sampleTensors();
      await saveModelDir(dir, sampleConfig(old), old);
      const before = snapshot(dir);
      const siblings = around(dir);

      const next = { w: randomTensor([64, 3], 7) };
      const err = await rejection(saveModelDir(dir, sampleConfig(next), next, { fs: failingFs(step, nth) }));
      expect(err.message).toBe(`injected ${step} failure`);

      expect(snapshot(dir)).toEqual(before);
      expect(around(dir)).toEqual(siblings);
      const back = await loadModelDir(dir);
      expect(Array.from(back.tensors['norm.mean'].data)).toEqual(Array.from(old['norm.mean'].data));
    });
  }

  it('writes both files into a hidden sibling folder and renames it into place', async () => {
    const dir = join(root, 'model');
    const seen: string[] = [];
    const real = failingFs('open', 0);
    const spy: SaveFileSystem = { ...real, open: (path, flags) => (seen.push(path), real.open(path, flags)) };
    const tensors = sampleTensors();
    await saveModelDir(dir, sampleConfig(tensors), tensors, { fs: spy });
    await saveModelDir(dir, sampleConfig(tensors), tensors, { fs: spy });
    expect(seen).toHaveLength(4);
    const staging = new RegExp(`^${escape(root)}/\\.model\\.saving-${process.pid}-[0-9a-f]+/model\\.(safetensors|json)$`);
    for (const path of seen) expect(path).toMatch(staging);
    expect(seen[0].endsWith('model.safetensors') && seen[1].endsWith('model.json')).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'model.safetensors']);
    expect(around(dir)).toEqual(['model']);
  });

  it('recovers a save killed between moving the old model aside and renaming the new one in', async () => {
    const dir = join(root, 'model');
    const old = sampleTensors();
    await saveModelDir(dir, sampleConfig(old), old);
    // The state such a kill leaves: the old model aside, a finished staging folder of a dead process.
    fs.renameSync(dir, join(root, '.model.previous'));
    fs.mkdirSync(join(root, '.model.saving-999999999-abcdef'));
    fs.writeFileSync(join(root, '.model.saving-999999999-abcdef', 'model.json'), '{');
    const back = await loadModelDir(dir);
    expect(Array.from(back.tensors['norm.mean'].data)).toEqual(Array.from(old['norm.mean'].data));

    const next = { w: randomTensor([4, 2], 42) };
    await saveModelDir(dir, sampleConfig(next), next);
    expect(around(dir)).toEqual(['model']);
    expect(Object.keys((await loadModelDir(dir)).tensors)).toEqual(['w']);
  });

  it('deletes a stale previous copy left by a save killed after its swap', async () => {
    const dir = join(root, 'model');
    const tensors = sampleTensors();
    await saveModelDir(dir, sampleConfig(tensors), tensors);
    fs.cpSync(dir, join(root, '.model.previous'), { recursive: true });
    await saveModelDir(dir, sampleConfig(tensors), tensors);
    expect(around(dir)).toEqual(['model']);
  });

  it('refuses a folder holding other files, changing nothing', async () => {
    fs.writeFileSync(join(root, 'notes.txt'), 'mine');
    fs.mkdirSync(join(root, 'model.json'));
    const tensors = sampleTensors();
    const err = await rejection(saveModelDir(root, sampleConfig(tensors), tensors));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/it holds other files \(notes\.txt\), which a save would replace/);
    expect(fs.readdirSync(root).sort()).toEqual(['model.json', 'notes.txt']);
  });
});

describe('the model folder is checked before any work', () => {
  it('names a file given as the folder', async () => {
    const file = join(root, 'file');
    fs.writeFileSync(file, 'x');
    const err = await rejection(checkModelDirWritable(file, { field: '--out' }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^--out: got ".*file", expected a new folder, an empty folder, or the folder of a saved model, not a file$/);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  it('names a path under a file', async () => {
    fs.writeFileSync(join(root, 'file'), 'x');
    const err = await rejection(checkModelDirWritable(join(root, 'file', 'sub', 'model'), { field: '--out' }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^--out: .*(is a file|ENOTDIR)/);
  });

  // Root ignores permission bits, so a read-only folder is simulated where it is decided: the
  // file system refusing to create an entry there (as a read-only mount does, even for root).
  for (const code of ['EACCES', 'EROFS']) {
    it(`names a folder the process cannot write (${code}) and leaves nothing behind`, async () => {
      const readOnly: SaveFileSystem = {
        ...nodeFs,
        mkdir: async (path, options) => {
          if (path.startsWith(root)) throw Object.assign(new Error(`${code}: refused`), { code });
          return nodeFs.mkdir(path, options);
        },
      };
      const dir = join(root, 'new', 'model');
      const err = await rejection(checkModelDirWritable(dir, { field: '--out', fs: readOnly }));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toBe(`--out: got ${JSON.stringify(dir)}, expected a folder this process can write, but ${root} is not writable (${code})`);
      const tensors = sampleTensors();
      const save = await rejection(saveModelDir(dir, sampleConfig(tensors), tensors, { fs: readOnly, field: '--out' }));
      expect(save.message).toBe(err.message);
      expect(fs.readdirSync(root)).toEqual([]);
    });
  }

  it('accepts a new nested path, an empty folder and a model folder, leaving no probe behind', async () => {
    await checkModelDirWritable(join(root, 'a', 'b'));
    fs.mkdirSync(join(root, 'empty'));
    await checkModelDirWritable(join(root, 'empty'));
    const tensors = sampleTensors();
    await saveModelDir(join(root, 'm'), sampleConfig(tensors), tensors);
    await checkModelDirWritable(join(root, 'm'));
    expect(fs.readdirSync(root).sort()).toEqual(['empty', 'm']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
