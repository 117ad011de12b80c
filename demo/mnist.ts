// Loads the MNIST subset bundled at build time (mnist-subset-plugin.ts): the first rows of the
// training and test sets as small IDX files. The pixel scaling is chosen here, explicitly (x/255,
// one global scale, no per-pixel fit), so the drawing pad's images are scaled exactly like the
// training images whatever the library's default MNIST normalization becomes.

import { urls } from 'virtual:mnist-subset';
import { parseIdxImages, parseIdxLabels, type Dataset } from '../src/index.js';

/** Pixel byte → model input: the global x/255 of the original MNIST papers. */
export const MNIST_SCALE = 1 / 255;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function toDataset(name: string, imageBytes: Uint8Array, labelBytes: Uint8Array): Dataset {
  const images = parseIdxImages(imageBytes, `${name} images`);
  const labels = parseIdxLabels(labelBytes, `${name} labels`);
  if (labels.length !== images.count) throw new Error(`MNIST ${name}: ${labels.length} labels for ${images.count} images`);
  const x = new Float32Array(images.pixels.length);
  for (let i = 0; i < x.length; i++) x[i] = images.pixels[i] * MNIST_SCALE;
  return { name: 'mnist', task: 'multiclass', x, y: Float32Array.from(labels), rows: images.count, features: images.height * images.width, targetWidth: 1, classes: 10 };
}

let cache: Promise<{ train: Dataset; test: Dataset }> | undefined;

export function loadMnistSubset(): Promise<{ train: Dataset; test: Dataset }> {
  cache ??= (async () => {
    const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([urls.trainImages, urls.trainLabels, urls.testImages, urls.testLabels].map(fetchBytes));
    return { train: toDataset('train', trainImages, trainLabels), test: toDataset('test', testImages, testLabels) };
  })();
  // A failed download may be retried by picking MNIST again.
  cache.catch(() => (cache = undefined));
  return cache;
}
