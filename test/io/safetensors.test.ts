// Tests for the safetensors codec: exact round trips, a header that any standard reader accepts
// (parsed by hand here, not with our decoder), and refusal of every kind of damaged file with a
// clear InputError instead of a crash or garbage tensors.

import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { InputError } from '../../src/util/errors.js';
import { f32Bytes, randomTensor, rawSafetensors, sampleTensors } from './fixtures.js';

function expectInputError(fn: () => unknown, pattern: RegExp): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as Error).message).toMatch(pattern);
  return caught as InputError;
}

function entry(shape: number[], begin: number, end: number, dtype = 'F32'): unknown {
  return { dtype, shape, data_offsets: [begin, end] };
}

describe('round trip', () => {
  it('returns every tensor bit-for-bit with its shape, and the metadata', () => {
    const tensors = sampleTensors();
    const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors, { author: 'test', 'ü': 'ñ' }));
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name].shape).toEqual(t.shape);
      expect(back[name].data).toBeInstanceOf(Float32Array);
      expect(Array.from(back[name].data)).toEqual(Array.from(t.data));
    }
    expect(metadata).toEqual({ author: 'test', 'ü': 'ñ' });
  });

  it('handles odd shapes, scalars and empty tensors', () => {
    const tensors = {
      one: randomTensor([1], 1),
      odd: randomTensor([3, 7], 2),
      prime: randomTensor([257], 3),
      scalar: randomTensor([], 4),
      empty: { shape: [0], data: new Float32Array(0) },
      emptyRows: { shape: [2, 0], data: new Float32Array(0) },
    };
    const back = decodeSafetensors(encodeSafetensors(tensors)).tensors;
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name].shape).toEqual(t.shape);
      expect(Array.from(back[name].data)).toEqual(Array.from(t.data));
    }
  });

  it('omits __metadata__ when there is none and decodes it as {}', () => {
    for (const metadata of [undefined, {}]) {
      const bytes = encodeSafetensors({ w: randomTensor([2], 1) }, metadata);
      expect(new TextDecoder().decode(bytes)).not.toContain('__metadata__');
      expect(decodeSafetensors(bytes).metadata).toEqual({});
    }
  });

  it('keeps extreme finite float32 values exact', () => {
    const values = [0, -0, 1.401298464324817e-45, -3.4028234663852886e38, 3.4028234663852886e38, 1e-30];
    const data = new Float32Array(values);
    const back = decodeSafetensors(encodeSafetensors({ x: { shape: [values.length], data } }));
    expect(Array.from(back.tensors.x.data)).toEqual(Array.from(data));
    expect(Object.is(back.tensors.x.data[1], -0)).toBe(true);
  });

  it('returns aligned copies even from an unaligned input view', () => {
    const file = encodeSafetensors({ w: randomTensor([5], 9) });
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3);
    const view = shifted.subarray(3);
    const { tensors } = decodeSafetensors(view);
    expect(tensors.w.data.byteOffset).toBe(0);
    expect(tensors.w.data.buffer).not.toBe(shifted.buffer);
    const before = Array.from(tensors.w.data);
    shifted.fill(0);
    expect(Array.from(tensors.w.data)).toEqual(before);
  });
});

describe('header conforms to the safetensors standard', () => {
  it('parses by hand: u64 length, padded JSON, sorted contiguous offsets, little-endian data', () => {
    const tensors = sampleTensors();
    const bytes = encodeSafetensors(tensors, { note: 'x' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(headerText.startsWith('{')).toBe(true);
    expect(headerText.trimEnd().endsWith('}')).toBe(true);
    expect(headerText.slice(headerText.trimEnd().length)).toMatch(/^ *$/);
    const header = JSON.parse(headerText) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    expect(header.__metadata__).toEqual({ note: 'x' });

    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    expect(names).toEqual(Object.keys(tensors).sort());
    const dataStart = 8 + n;
    let expectedBegin = 0;
    for (const name of names) {
      const { dtype, shape, data_offsets: [begin, end] } = header[name];
      expect(dtype).toBe('F32');
      expect(shape).toEqual(tensors[name].shape);
      expect(begin).toBe(expectedBegin);
      expect(end - begin).toBe(tensors[name].data.length * 4);
      for (let i = 0; i < tensors[name].data.length; i++) {
        expect(view.getFloat32(dataStart + begin + i * 4, true)).toBe(tensors[name].data[i]);
      }
      expectedBegin = end;
    }
    expect(dataStart + expectedBegin).toBe(bytes.length);
  });

  it('is byte-identical to the reference layout for a small file', () => {
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const padded = header.padEnd(Math.ceil(header.length / 8) * 8, ' ');
    const expected = rawSafetensors(padded, f32Bytes([1, -2.5]));
    expect(Array.from(encodeSafetensors({ a: { shape: [2], data: new Float32Array([1, -2.5]) } }))).toEqual(Array.from(expected));
  });

  it('accepts files from other writers: other key order, whitespace, offsets not in name order', () => {
    const header = JSON.stringify(
      {
        b: { data_offsets: [0, 4], shape: [1], dtype: 'F32' },
        __metadata__: { format: 'pt' },
        a: { shape: [2], dtype: 'F32', data_offsets: [4, 12] },
      },
      null,
      2,
    );
    const { tensors, metadata } = decodeSafetensors(rawSafetensors(header + '   ', f32Bytes([7, 1, 2])));
    expect(Array.from(tensors.a.data)).toEqual([1, 2]);
    expect(Array.from(tensors.b.data)).toEqual([7]);
    expect(metadata).toEqual({ format: 'pt' });
  });

  it('sorts integer-like names as strings, not as JavaScript would order keys', () => {
    const bytes = encodeSafetensors({ '10': randomTensor([1], 1), '9': randomTensor([1], 2), a: randomTensor([1], 3) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.indexOf('"10"')).toBeLessThan(text.indexOf('"9"'));
    expect(text.indexOf('"9"')).toBeLessThan(text.indexOf('"a"'));
  });
});

describe('damaged files are refused with InputError', () => {
  it('reports truncation at every cut point', () => {
    const bytes = encodeSafetensors(sampleTensors(), { k: 'v' });
    for (let cut = 0; cut < bytes.length; cut++) {
      expectInputError(() => decodeSafetensors(bytes.subarray(0, cut)), /truncated/);
    }
  });

  it('reports a header length beyond any file as truncation', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 63n, true);
    expectInputError(() => decodeSafetensors(bytes), /header length.*truncated/);
  });

  it('rejects bad JSON, non-object headers and non-UTF-8 headers', () => {
    expectInputError(() => decodeSafetensors(rawSafetensors('{"a": {')), /header.*valid JSON/);
    expectInputError(() => decodeSafetensors(rawSafetensors('[1, 2]   ')), /header.*JSON object/);
    const latin1 = rawSafetensors('{"x":1}');
    latin1[9] = 0xff;
    expectInputError(() => decodeSafetensors(latin1), /not UTF-8/);
  });

  it('rejects dtypes other than F32, naming the tensor and dtype', () => {
    const err = expectInputError(
      () => decodeSafetensors(rawSafetensors(JSON.stringify({ w: entry([2], 0, 4, 'F16') }), new Uint8Array(4))),
      /"w" dtype: got "F16", expected "F32"/,
    );
    expect(err.field).toContain('dtype');
  });

  it('rejects a byte span that does not match the shape', () => {
    expectInputError(
      () => decodeSafetensors(rawSafetensors(JSON.stringify({ w: entry([3], 0, 8) }), new Uint8Array(8))),
      /"w" data_offsets.*12 bytes for shape \[3\]/,
    );
  });

  it('rejects overlapping spans, gaps, and trailing bytes', () => {
    const overlap = { a: entry([2], 0, 8), b: entry([2], 4, 12) };
    expectInputError(() => decodeSafetensors(rawSafetensors(JSON.stringify(overlap), new Uint8Array(12))), /"b" data_offsets.*overlap/);
    const gap = { a: entry([1], 0, 4), b: entry([1], 8, 12) };
    expectInputError(() => decodeSafetensors(rawSafetensors(JSON.stringify(gap), new Uint8Array(12))), /"b" data_offsets.*gap/);
    const notAtZero = { a: entry([1], 4, 8) };
    expectInputError(() => decodeSafetensors(rawSafetensors(JSON.stringify(notAtZero), new Uint8Array(8))), /"a" data_offsets.*gap/);
    const trailing = { a: entry([1], 0, 4) };
    expectInputError(() => decodeSafetensors(rawSafetensors(JSON.stringify(trailing), new Uint8Array(9))), /data section: got "9 bytes", expected 4 bytes/);
  });

  it('rejects malformed entries, shapes, offsets and metadata', () => {
    expectInputError(() => decodeSafetensors(rawSafetensors('{"w": 3}')), /"w": got 3/);
    expectInputError(() => decodeSafetensors(rawSafetensors(JSON.stringify({ w: entry([-1], 0, 0) }))), /"w" shape/);
    expectInputError(() => decodeSafetensors(rawSafetensors(JSON.stringify({ w: entry([1.5], 0, 0) }))), /"w" shape/);
    expectInputError(
      () => decodeSafetensors(rawSafetensors(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }), new Uint8Array(4))),
      /"w" data_offsets/,
    );
    expectInputError(() => decodeSafetensors(rawSafetensors('{"__metadata__": {"k": 1}}')), /__metadata__ "k": got 1, expected a string/);
  });

  it('rejects NaN and infinities, naming the tensor and index', () => {
    const header = JSON.stringify({ a: entry([1], 0, 4), w: entry([2, 2], 4, 20) });
    expectInputError(() => decodeSafetensors(rawSafetensors(header, f32Bytes([0, 1, 2, NaN, 4]))), /tensor "w"\[2\]: got NaN/);
    expectInputError(() => decodeSafetensors(rawSafetensors(header, f32Bytes([-Infinity, 1, 2, 3, 4]))), /tensor "a"\[0\]: got -Infinity/);
  });

  it('names the file when a source is given', () => {
    expectInputError(() => decodeSafetensors(new Uint8Array(3), '/tmp/m/model.safetensors'), /^\/tmp\/m\/model\.safetensors header length/);
  });
});

describe('encode refuses what decode would refuse', () => {
  it('rejects non-finite values', () => {
    expectInputError(() => encodeSafetensors({ w: { shape: [3], data: new Float32Array([1, NaN, 2]) } }), /tensor "w"\[1\]: got NaN/);
  });

  it('rejects a data length that does not match the shape', () => {
    expectInputError(() => encodeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } }), /"w" data length: got 3, expected 4/);
  });

  it('rejects reserved or empty names and non-string metadata', () => {
    expectInputError(() => encodeSafetensors({ __metadata__: randomTensor([1], 1) }), /tensor name/);
    expectInputError(() => encodeSafetensors({ '': randomTensor([1], 1) }), /tensor name/);
    expectInputError(() => encodeSafetensors({}, { n: 1 as unknown as string }), /metadata "n"/);
  });
});
