// Parser for the IDX binary format MNIST ships in (big-endian header, unsigned-byte payload).
// A pure function on bytes, with no Node imports, so the browser demo can parse a fetched file
// the same way the CLI parses one read from disk.

import { InputError } from '../util/errors.js';

export const IDX_LABELS_MAGIC = 0x00000801;
export const IDX_IMAGES_MAGIC = 0x00000803;

export interface IdxArray {
  /** Sizes of each dimension, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The payload, a view into the input bytes (not a copy). */
  data: Uint8Array;
}

/**
 * Parses an unsigned-byte IDX file with the given magic number. `source` names the file in
 * error messages. Checks the magic, that no dimension is 0, and that the length matches exactly
 * (so a truncated download is caught here, not as garbage pixels later).
 */
export function parseIdx(bytes: Uint8Array, expectedMagic: number, source = 'idx'): IdxArray {
  const ndims = expectedMagic & 0xff;
  const headerLength = 4 + 4 * ndims;
  // Magic first: a wrong kind of file is a clearer message than "header too short".
  if (bytes.length < 4) {
    throw new InputError(`${source}: length`, bytes.length, `at least ${headerLength} bytes for the IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new InputError(`${source}: magic number`, hex(magic), `${hex(expectedMagic)} (unsigned bytes, ${ndims} dimension${ndims === 1 ? '' : 's'})`);
  }
  if (bytes.length < headerLength) {
    throw new InputError(`${source}: length`, bytes.length, `at least ${headerLength} bytes for the IDX header`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    if (size === 0) throw new InputError(`${source}: dimension ${d}`, size, 'a size >= 1');
    dims.push(size);
    count *= size;
  }
  if (bytes.length !== headerLength + count) {
    throw new InputError(
      `${source}: length`,
      bytes.length,
      `${headerLength + count} bytes (header ${headerLength} + ${dims.join(' x ')} values)${bytes.length < headerLength + count ? '; the file looks truncated' : ''}`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** A labels file: returns one byte per item. */
export function parseIdxLabels(bytes: Uint8Array, source = 'labels'): Uint8Array {
  return parseIdx(bytes, IDX_LABELS_MAGIC, source).data;
}

/** An images file: returns the pixels (count * rows * cols bytes) and the image geometry. */
export function parseIdxImages(bytes: Uint8Array, source = 'images'): { count: number; height: number; width: number; pixels: Uint8Array } {
  const { dims, data } = parseIdx(bytes, IDX_IMAGES_MAGIC, source);
  return { count: dims[0], height: dims[1], width: dims[2], pixels: data };
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
