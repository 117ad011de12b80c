// Builds the current dataset from the data controls (synthetic generator, MNIST subset or user
// CSV) and splits it into train and test parts with the chosen ratio (MNIST has its own test
// rows). The test part is what the trainer reports as validation.

import { splitDataset, SYNTHETIC_DATASETS, isSyntheticName, type Dataset, type NormalizerKind } from '../src/index.js';
import { csvDataset } from './csv-input.js';
import { num } from './dom.js';
import { loadMnistSubset } from './mnist.js';

export const DATASET_NAMES = ['xor', 'circles', 'spirals', 'blobs', 'moons', 'sine', 'sawtooth', 'mnist', 'csv'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

const DEFAULT_NOISE: Partial<Record<DatasetName, number>> = { xor: 0.2 };

export interface DataBundle {
  name: DatasetName;
  all: Dataset;
  train: Dataset;
  test?: Dataset;
  /** Input normalization for the model (default: z-score fitted on the training rows). */
  normalize?: NormalizerKind;
}

export async function buildDataset(name: DatasetName, seed: number): Promise<DataBundle> {
  let all: Dataset;
  if (isSyntheticName(name)) {
    const n = Math.max(4, Math.round(num('rows', 200)));
    const noiseText = (document.getElementById('noise') as HTMLInputElement).value.trim();
    // Blank noise means the page's default: XOR as four noisy clouds (so held-out rows are new
    // points, not copies of training rows), the generator's own default elsewhere.
    const noise = noiseText === '' ? DEFAULT_NOISE[name] : Math.max(0, num('noise', 0));
    all = SYNTHETIC_DATASETS[name].generate({ n, noise, seed });
  } else if (name === 'mnist') {
    // MNIST comes with its own test set: the bundled subset's test rows, not a split.
    const { train, test } = await loadMnistSubset();
    // Pixels are already x/255 (mnist.ts); a per-pixel fit would blow up rarely inked pixels.
    return { name, all: train, train, test, normalize: 'none' };
  } else {
    all = csvDataset();
  }
  const testFraction = Math.min(0.9, Math.max(0, num('test-ratio', 0)));
  if (testFraction <= 0 || all.rows < 4) return { name, all, train: all };
  const parts = splitDataset(all, { validation: testFraction }, seed);
  return { name, all, train: parts.train, test: parts.validation };
}
