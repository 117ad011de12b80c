// Turns parsed MNIST IDX bytes into a Dataset (pixels scaled to [0, 1], 10 classes). Browser-safe
// so the demo can build the same dataset from fetched files that the Node loader builds from disk.

import { InputError } from '../util/errors.js';
import type { Dataset } from './dataset.js';
import { parseIdxImages, parseIdxLabels } from './idx.js';

export const MNIST_CLASSES = 10;

/** `limit` keeps only the first `limit` images (whole set when undefined). Other IDX sets (Fashion-MNIST, EMNIST) pass their class count. */
export function mnistDataset(name: string, imageBytes: Uint8Array, labelBytes: Uint8Array, limit?: number, classes = MNIST_CLASSES): Dataset {
  const images = parseIdxImages(imageBytes, `${name} images`);
  const labels = parseIdxLabels(labelBytes, `${name} labels`);
  if (labels.length !== images.count) {
    throw new InputError(`${name} labels: count`, labels.length, `${images.count} (one per image)`);
  }
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new InputError(`${name}Limit`, limit, 'a positive integer');
  }
  const rows = Math.min(images.count, limit ?? images.count);
  const features = images.height * images.width;
  const x = new Float32Array(rows * features);
  for (let i = 0; i < x.length; i++) x[i] = images.pixels[i] / 255;
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const label = labels[r];
    if (label >= classes) throw new InputError(`${name} label[row ${r}]`, label, classes === MNIST_CLASSES ? 'a digit 0..9' : `a class index below ${classes}`);
    y[r] = label;
  }
  return { name: `mnist-${name}`, task: 'multiclass', x, y, rows, features, targetWidth: 1, classes };
}
