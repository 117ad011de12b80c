// Loads the MNIST subset bundled at build time (mnist-subset-plugin.ts): the first rows of the
// training and test sets as small IDX files, parsed by src/data's mnistDataset exactly as the CLI
// parses the full files.

import { urls } from 'virtual:mnist-subset';
import { mnistDataset, type Dataset } from '../src/index.js';

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

let cache: Promise<{ train: Dataset; test: Dataset }> | undefined;

export function loadMnistSubset(): Promise<{ train: Dataset; test: Dataset }> {
  cache ??= (async () => {
    const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([urls.trainImages, urls.trainLabels, urls.testImages, urls.testLabels].map(fetchBytes));
    return { train: mnistDataset('train', trainImages, trainLabels), test: mnistDataset('test', testImages, testLabels) };
  })();
  // A failed download may be retried by picking MNIST again.
  cache.catch(() => (cache = undefined));
  return cache;
}
