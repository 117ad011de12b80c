// Tests for saving and loading a model directory on disk: round trips, clear errors for missing or
// damaged files, and that a save failing at any step leaves the previous model byte-for-byte intact
// with no temp files behind.

import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModelDir, saveModelDir, type SaveFileSystem, type WritableFile } from '../../src/io/model-files.js';
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
  it('round-trips into a directory it creates, leaving exactly the two files', async () => {
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

describe('atomic save', () => {
  const steps: [Step, number][] = [
    ['open', 1],
    ['open', 2],
    ['write', 1],
    ['write', 2],
    ['sync', 1],
    ['sync', 2],
    ['close', 2],
    ['rename', 1],
  ];
  for (const [step, nth] of steps) {
    it(`keeps the previous model intact and removes temps when ${step} #${nth} fails`, async () => {
      const old = sampleTensors();
      await saveModelDir(root, sampleConfig(old), old);
      const before = snapshot(root);

      const next = { w: randomTensor([64, 3], 7) };
      const err = await rejection(saveModelDir(root, sampleConfig(next), next, { fs: failingFs(step, nth) }));
      expect(err.message).toBe(`injected ${step} failure`);

      expect(snapshot(root)).toEqual(before);
      const back = await loadModelDir(root);
      expect(Array.from(back.tensors['norm.mean'].data)).toEqual(Array.from(old['norm.mean'].data));
    });
  }

  it('refuses to save over a directory in the way, changing nothing', async () => {
    fs.mkdirSync(join(root, 'model.json'));
    const tensors = sampleTensors();
    const err = await rejection(saveModelDir(root, sampleConfig(tensors), tensors));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(join(root, 'model.json'));
    expect(fs.readdirSync(root)).toEqual(['model.json']);
    expect(fs.statSync(join(root, 'model.json')).isDirectory()).toBe(true);
  });

  it('writes through temp files in the same directory with the documented names', async () => {
    const seen: string[] = [];
    const real = failingFs('open', 0);
    const spy: SaveFileSystem = { ...real, open: (path, flags) => (seen.push(path), real.open(path, flags)) };
    const tensors = sampleTensors();
    await saveModelDir(root, sampleConfig(tensors), tensors, { fs: spy });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(new RegExp(`^${escape(root)}/\\.model\\.safetensors\\.tmp-${process.pid}-[0-9a-f]+$`));
    expect(seen[1]).toMatch(new RegExp(`^${escape(root)}/\\.model\\.json\\.tmp-${process.pid}-[0-9a-f]+$`));
    expect(fs.readdirSync(root).sort()).toEqual(['model.json', 'model.safetensors']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
