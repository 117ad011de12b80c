// IDX parser on small hand-built buffers: good files, wrong magic, truncated and over-long files.

import { describe, it, expect } from 'vitest';
import { parseIdx, parseIdxImages, parseIdxLabels, IDX_IMAGES_MAGIC } from '../../src/data/idx.js';
import { mnistDataset } from '../../src/data/mnist-convert.js';

function idx(magic: number, dims: number[], payload: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

describe('IDX parser', () => {
  it('reads labels and images with big-endian dims', () => {
    expect(Array.from(parseIdxLabels(idx(0x801, [3], [7, 0, 9])))).toEqual([7, 0, 9]);
    const img = parseIdxImages(idx(0x803, [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]));
    expect([img.count, img.height, img.width]).toEqual([2, 2, 3]);
    expect(img.pixels[11]).toBe(255);
    // A dimension above 255 checks the byte order really is big-endian.
    expect(parseIdx(idx(0x801, [300], new Array(300).fill(1)), 0x801).dims).toEqual([300]);
  });

  it('works on a view with a non-zero byteOffset', () => {
    const file = idx(0x801, [2], [4, 5]);
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    expect(Array.from(parseIdxLabels(padded.subarray(3)))).toEqual([4, 5]);
  });

  it('rejects a wrong magic number (e.g. labels passed as images)', () => {
    expect(() => parseIdxImages(idx(0x801, [3], [1, 2, 3]), 'train images')).toThrow(
      /^train images: magic number: got "0x00000801", expected 0x00000803/,
    );
  });

  it('rejects truncated and over-long files and short headers', () => {
    const good = idx(IDX_IMAGES_MAGIC, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => parseIdxImages(good.subarray(0, good.length - 1))).toThrow(/length: got 23, expected 24 bytes.*truncated/);
    const long = new Uint8Array(good.length + 1);
    long.set(good);
    expect(() => parseIdxImages(long)).toThrow(/length: got 25, expected 24 bytes/);
    expect(() => parseIdxLabels(new Uint8Array([0, 0, 8]))).toThrow(/length: got 3, expected at least 8 bytes/);
    expect(() => parseIdxImages(new Uint8Array([0, 0, 8, 3, 0, 0]))).toThrow(/length: got 6, expected at least 16 bytes/);
    expect(() => parseIdxLabels(idx(0x801, [0], []))).toThrow(/dimension 0: got 0/);
  });

  it('mnistDataset scales pixels and checks label count', () => {
    const images = idx(0x803, [2, 1, 2], [0, 255, 51, 102]);
    const ds = mnistDataset('t', images, idx(0x801, [2], [3, 9]));
    expect(Array.from(ds.x)).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(Array.from(ds.y)).toEqual([3, 9]);
    expect(ds.features).toBe(2);
    expect(() => mnistDataset('t', images, idx(0x801, [1], [3]))).toThrow(/t labels: count: got 1, expected 2/);
    expect(() => mnistDataset('t', images, idx(0x801, [2], [3, 10]))).toThrow(/label\[row 1\]: got 10/);
  });
});
