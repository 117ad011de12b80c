// Reads and writes the safetensors format (https://github.com/huggingface/safetensors) for float32
// tensors, so saved weights open in any safetensors tool. Browser-safe: plain typed arrays only.
// Decoding trusts nothing in the file: every length, offset and value is checked before use.

import { InputError } from '../util/errors.js';

/** One row-major float32 tensor; `data.length` equals the product of `shape`. */
export interface F32Tensor {
  shape: number[];
  data: Float32Array;
}

export type TensorMap = Record<string, F32Tensor>;

export interface DecodedSafetensors {
  tensors: TensorMap;
  metadata: Record<string, string>;
}

/** The reference implementation refuses larger headers; matching it keeps files interchangeable. */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';
const F32_BYTES = 4;

// Float32Array views use the platform's byte order; the format is little-endian. Every current
// browser and Node platform is little-endian, but a big-endian host takes the slow DataView path
// rather than silently writing swapped bytes.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const utf8 = new TextEncoder();

/**
 * Serialises tensors to safetensors bytes. Tensors are laid out contiguously in name order
 * (UTF-8 byte order, as the reference implementation sorts). Empty metadata is omitted.
 */
export function encodeSafetensors(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort(compareUtf8);
  const headerParts: string[] = [];

  if (metadata !== undefined) {
    checkMetadata(metadata, 'metadata');
    if (Object.keys(metadata).length > 0) headerParts.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  }

  let offset = 0;
  for (const name of names) {
    const tensor = tensors[name];
    checkTensorForEncode(name, tensor);
    const end = offset + tensor.data.length * F32_BYTES;
    // Written by hand rather than JSON.stringify(object): integer-like keys would be reordered.
    const info = JSON.stringify({ dtype: 'F32', shape: tensor.shape, data_offsets: [offset, end] });
    headerParts.push(`${JSON.stringify(name)}:${info}`);
    offset = end;
  }

  const headerText = `{${headerParts.join(',')}}`;
  const headerRaw = utf8.encode(headerText);
  // Padding to 8 bytes puts the data section on an 8-byte boundary, so readers can map it directly.
  const headerLength = Math.ceil(headerRaw.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new InputError('safetensors header', `${headerLength} bytes`, `at most ${MAX_HEADER_BYTES} bytes`);
  }

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(headerRaw, 8);
  out.fill(0x20, 8 + headerRaw.length, 8 + headerLength);

  let cursor = 8 + headerLength;
  for (const name of names) {
    const data = tensors[name].data;
    writeF32LittleEndian(out, cursor, data);
    cursor += data.length * F32_BYTES;
  }
  return out;
}

/**
 * Parses safetensors bytes holding only F32 tensors. `source` names the file in error messages.
 * Returned arrays are fresh copies (aligned, independent of `bytes`).
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): DecodedSafetensors {
  if (bytes.length < 8) {
    throw new InputError(`${source} header length`, `a ${bytes.length}-byte file`, 'at least 8 bytes (file truncated?)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw new InputError(
      `${source} header length`,
      `${declared} bytes declared but ${bytes.length - 8} present`,
      'a header that fits in the file (file truncated?)',
    );
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES) {
    throw new InputError(`${source} header length`, `${headerLength} bytes`, `at most ${MAX_HEADER_BYTES} bytes`);
  }

  const header = parseHeader(bytes.subarray(8, 8 + headerLength), source);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  let metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number; shape: number[] }[] = [];
  for (const name of Object.keys(header)) {
    const entry = header[name];
    if (name === METADATA_KEY) {
      checkMetadata(entry, `${source} ${METADATA_KEY}`);
      metadata = copyRecord(entry as Record<string, string>);
      continue;
    }
    spans.push({ name, ...checkHeaderEntry(name, entry, dataLength, source) });
  }

  checkContiguous(spans, dataLength, source);

  const tensors: TensorMap = {};
  for (const span of [...spans].sort((a, b) => compareUtf8(a.name, b.name))) {
    const data = readF32LittleEndian(bytes, dataStart + span.begin, (span.end - span.begin) / F32_BYTES);
    const bad = firstNonFinite(data);
    if (bad >= 0) {
      throw new InputError(`${source} tensor ${JSON.stringify(span.name)}[${bad}]`, data[bad], 'a finite number');
    }
    // defineProperty so a tensor literally named "__proto__" stays an ordinary own property.
    Object.defineProperty(tensors, span.name, {
      value: { shape: span.shape, data },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { tensors, metadata };
}

function parseHeader(raw: Uint8Array, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new InputError(`${source} header`, 'bytes that are not UTF-8', 'a UTF-8 JSON header');
  }
  // The standard requires the header to start with '{'; padding may only trail.
  if (!text.startsWith('{')) throw new InputError(`${source} header`, text, 'a JSON object starting with "{"');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${source} header`, text.trim(), `valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(parsed)) throw new InputError(`${source} header`, parsed, 'a JSON object');
  return parsed;
}

function checkHeaderEntry(
  name: string,
  entry: unknown,
  dataLength: number,
  source: string,
): { begin: number; end: number; shape: number[] } {
  const field = `${source} tensor ${JSON.stringify(name)}`;
  if (!isPlainObject(entry)) throw new InputError(field, entry, 'an object with dtype, shape and data_offsets');
  if (entry.dtype !== 'F32') {
    throw new InputError(`${field} dtype`, entry.dtype, '"F32" (this build stores and reads float32 weights only)');
  }
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new InputError(`${field} shape`, shape, 'an array of non-negative integers');
  }
  const offsets = entry.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw new InputError(`${field} data_offsets`, offsets, '[begin, end] with 0 <= begin <= end');
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    throw new InputError(
      `${field} data_offsets`,
      offsets,
      `offsets within the ${dataLength}-byte data section (file truncated?)`,
    );
  }
  const elements = product(shape as number[]);
  if (elements * F32_BYTES !== end - begin) {
    throw new InputError(
      `${field} data_offsets`,
      offsets,
      `a span of ${elements * F32_BYTES} bytes for shape [${shape.join(', ')}] of F32`,
    );
  }
  return { begin, end, shape: [...(shape as number[])] };
}

/** The data section must be exactly the tensors back to back: no gaps, overlaps or trailing bytes. */
function checkContiguous(spans: { name: string; begin: number; end: number }[], dataLength: number, source: string): void {
  const ordered = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const span of ordered) {
    if (span.begin !== expected) {
      throw new InputError(
        `${source} tensor ${JSON.stringify(span.name)} data_offsets`,
        [span.begin, span.end],
        `begin at byte ${expected}, right after the previous tensor (${span.begin < expected ? 'overlap' : 'gap'} in data section)`,
      );
    }
    expected = span.end;
  }
  if (expected !== dataLength) {
    throw new InputError(`${source} data section`, `${dataLength} bytes`, `${expected} bytes, exactly the tensors' spans`);
  }
}

function checkTensorForEncode(name: string, tensor: F32Tensor | undefined): void {
  const field = `tensor ${JSON.stringify(name)}`;
  if (name === '' || name === METADATA_KEY) throw new InputError('tensor name', name, `a non-empty name other than "${METADATA_KEY}"`);
  if (!tensor || !(tensor.data instanceof Float32Array)) throw new InputError(`${field} data`, tensor?.data, 'a Float32Array');
  if (!Array.isArray(tensor.shape) || !tensor.shape.every(isCount)) {
    throw new InputError(`${field} shape`, tensor.shape, 'an array of non-negative integers');
  }
  const elements = product(tensor.shape);
  if (elements !== tensor.data.length) {
    throw new InputError(`${field} data length`, tensor.data.length, `${elements}, the product of shape [${tensor.shape.join(', ')}]`);
  }
  // Refuse to write what decode would refuse to read.
  const bad = firstNonFinite(tensor.data);
  if (bad >= 0) throw new InputError(`${field}[${bad}]`, tensor.data[bad], 'a finite number');
}

function checkMetadata(value: unknown, field: string): void {
  if (!isPlainObject(value)) throw new InputError(field, value, 'an object of string values');
  for (const key of Object.keys(value)) {
    if (typeof value[key] !== 'string') throw new InputError(`${field} ${JSON.stringify(key)}`, value[key], 'a string');
  }
}

function writeF32LittleEndian(out: Uint8Array, byteOffset: number, data: Float32Array): void {
  if (HOST_IS_LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), byteOffset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + byteOffset, data.byteLength);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * F32_BYTES, data[i], true);
}

function readF32LittleEndian(bytes: Uint8Array, byteOffset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (HOST_IS_LITTLE_ENDIAN) {
    // Copying bytes (not viewing them) gives an aligned array that outlives the input buffer.
    new Uint8Array(out.buffer).set(bytes.subarray(byteOffset, byteOffset + count * F32_BYTES));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * F32_BYTES);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * F32_BYTES, true);
  return out;
}

function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function copyRecord(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record)) {
    Object.defineProperty(out, key, { value: record[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** UTF-8 byte order equals code-point order, which is how the reference implementation sorts names. */
function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
