// Node-only: an image set in MNIST's layout from any folder (Fashion-MNIST, KMNIST, EMNIST ship
// that way): train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each optionally gzipped. Pixels become x/255 like MNIST's.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../util/errors.js';
import type { Dataset } from './dataset.js';
import { parseIdxLabels } from './idx.js';
import { mnistDataset } from './mnist-convert.js';

export const IDX_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

export function isIdxDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Reads the four files of `dir`; classes = the largest label + 1 (10 for MNIST and Fashion-MNIST). */
export function loadIdxDir(dir: string, opts: { trainLimit?: number } = {}): { train: Dataset; test: Dataset } {
  const files = IDX_FILES.map((base) => {
    const found = [base, `${base}.gz`].map((f) => join(dir, f)).find((p) => existsSync(p));
    if (!found) {
      const held = readdirSync(dir).slice(0, 8).join(', ') || 'nothing';
      throw new InputError('--dataset', dir, `a folder holding ${IDX_FILES.map((f) => `${f}[.gz]`).join(', ')} (MNIST layout); no ${base}[.gz] there (it holds: ${held})`);
    }
    const bytes = readFileSync(found);
    try {
      return { path: found, bytes: found.endsWith('.gz') ? new Uint8Array(gunzipSync(bytes)) : new Uint8Array(bytes) };
    } catch (err) {
      throw new InputError(found, 'a file gunzip cannot read', `a gzip file (${(err as Error).message})`);
    }
  });
  const [trainImages, trainLabels, testImages, testLabels] = files;
  let top = 0;
  for (const f of [trainLabels, testLabels]) for (const l of parseIdxLabels(f.bytes, f.path)) if (l > top) top = l;
  const classes = Math.max(2, top + 1);
  const train = mnistDataset(trainImages.path, trainImages.bytes, trainLabels.bytes, opts.trainLimit, classes);
  const test = mnistDataset(testImages.path, testImages.bytes, testLabels.bytes, undefined, classes);
  const name = dir.replace(/\/+$/, '').split('/').pop() || dir;
  return { train: { ...train, name: `${name}-train` }, test: { ...test, name: `${name}-test` } };
}
