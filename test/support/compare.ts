// Runs one op on the GPU and on the float64 reference from the same (f32-rounded) inputs and
// compares every output element: |gpu - ref| <= atol + rtol * |ref|, and NaN/Inf never pass.
// Outputs are poisoned with NaN first on both sides, and each GPU tensor sits at a 256-byte
// offset inside a NaN-filled buffer whose padding is checked afterwards (no stray writes).

import { expect } from 'vitest';
import { prepareKernel } from '../../src/kernels/index.js';
import type { KernelContext } from '../../src/kernels/context.js';
import { encodeDispatches } from '../../src/kernels/dispatch.js';
import type { OpArgs, OpName } from '../../src/ops/args.js';
import { opSpecs } from '../../src/ops/table.js';
import type { CpuTensor, GpuTensor } from '../../src/ops/tensor.js';
import { runReference } from '../../src/reference/index.js';
import { Rng } from '../../src/util/rng.js';
import { testGpu } from './gpu.js';

export interface Tolerance {
  atol: number;
  rtol: number;
}

const PAD_BYTES = 256;

function isTensor(value: unknown): value is CpuTensor {
  return typeof value === 'object' && value !== null && 'data' in value && 'shape' in value;
}

/** Deep-maps every CpuTensor inside an args object (nested ones such as gradOf.z included). */
function mapTensors<T>(args: unknown, fn: (t: CpuTensor, path: string) => T, path = ''): unknown {
  if (isTensor(args)) return fn(args, path);
  if (Array.isArray(args) || typeof args !== 'object' || args === null) return args;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) out[key] = mapTensors(value, fn, path ? `${path}.${key}` : key);
  return out;
}

export interface CompareResult {
  gpu: Record<string, Float32Array>;
  ref: Record<string, Float64Array>;
  /** Labels of the dispatches that ran, e.g. ['matmul_texel']: which kernel variant was exercised. */
  kernels: string[];
}

/**
 * Runs `op` both ways and asserts every output matches. Outputs are poisoned unless the op
 * accumulates (`accumulate: true`), in which case their given values are the starting point.
 * `keep` lists inputs the op updates in place (optimizer params/state) to compare as outputs too.
 */
export async function compareOp<K extends OpName>(
  op: K,
  args: OpArgs<CpuTensor>[K],
  tol: Tolerance,
  keep: readonly string[] = [],
  /** The kernel context to run on (default: the shared one, with the adapter's own tuning). */
  context?: KernelContext,
): Promise<CompareResult> {
  const { gpu, ctx: shared } = await testGpu();
  const ctx = context ?? shared;
  const device = gpu.device;
  const outputs = new Set<string>([...(opSpecs[op].outputs as readonly string[]), ...keep]);
  const accumulate = Boolean((args as { accumulate?: boolean }).accumulate);
  const poisonOutputs = (name: string) => outputs.has(name) && !accumulate && !keep.includes(name);

  // Both sides start from identical f32 values: the reference sees the GPU's rounding of its inputs.
  const refArgs = mapTensors(args, (t, name) => {
    const data = Float64Array.from(t.data, Math.fround);
    if (poisonOutputs(name)) data.fill(NaN);
    return { shape: t.shape, data };
  }) as OpArgs<CpuTensor>[K];

  const buffers = new Map<string, { buffer: GPUBuffer; bytes: number; t: CpuTensor }>();
  const gpuArgs = mapTensors(args, (t, name) => {
    const bytes = Math.max(4, t.data.length * 4);
    const buffer = device.createBuffer({
      label: `test.${name}`,
      size: PAD_BYTES * 2 + Math.ceil(bytes / 4) * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const init = new Float32Array((PAD_BYTES * 2 + bytes) / 4).fill(NaN);
    if (!poisonOutputs(name)) init.set(t.data, PAD_BYTES / 4);
    device.queue.writeBuffer(buffer, 0, init);
    buffers.set(name, { buffer, bytes, t });
    return { shape: t.shape, buffer, offset: PAD_BYTES } satisfies GpuTensor;
  }) as OpArgs<GpuTensor>[K];

  const dispatches = await prepareKernel(ctx, op, gpuArgs);
  const encoder = device.createCommandEncoder();
  encodeDispatches(encoder, dispatches);
  const reads = new Map<string, GPUBuffer>();
  for (const [name, { buffer }] of buffers) {
    const read = device.createBuffer({ size: buffer.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(buffer, 0, read, 0, buffer.size);
    reads.set(name, read);
  }
  device.queue.submit([encoder.finish()]);
  runReference(op, refArgs);

  const result: CompareResult = { gpu: {}, ref: {}, kernels: dispatches.map((d) => d.label) };
  for (const [name, read] of reads) {
    await read.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    read.destroy();
    const { buffer, t } = buffers.get(name)!;
    buffer.destroy();
    const pad = PAD_BYTES / 4;
    const padding = [...all.subarray(0, pad), ...all.subarray(pad + t.data.length)];
    expect(padding.every((v) => Number.isNaN(v)), `${op}: wrote outside ${name}'s bounds`).toBe(true);
    const gpuValues = all.slice(pad, pad + t.data.length);
    if (!outputs.has(name)) continue;
    const ref = (name.split('.').reduce((o: any, k) => o[k], refArgs) as CpuTensor).data;
    result.gpu[name] = gpuValues;
    result.ref[name] = ref;
    assertClose(`${op}.${name}`, gpuValues, ref, tol);
  }
  gpu.checkHealthy();
  return result;
}

/** Element-wise closeness with a message naming the worst element; non-finite values fail. */
export function assertClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!Number.isFinite(e)) throw new Error(`${label}[${i}]: reference value ${e} is not finite (test inputs are wrong)`);
    if (!Number.isFinite(a)) {
      worst = i;
      worstExcess = Infinity;
      break;
    }
    const excess = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    const a = actual[worst];
    const e = expected[worst];
    throw new Error(`${label}[${worst}]: got ${a}, reference ${e} (|diff| ${Math.abs(a - e)} > atol ${tol.atol} + rtol ${tol.rtol} * |ref|)`);
  }
}

/** A seeded random tensor with values uniform in [low, high). */
export function randomTensor(rng: Rng, shape: readonly number[], low = -1, high = 1): CpuTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(low, high);
  return { shape: [...shape], data };
}

/** An output placeholder (poisoned by compareOp). */
export function emptyTensor(shape: readonly number[]): CpuTensor {
  return { shape: [...shape], data: new Float64Array(shape.reduce((a, b) => a * b, 1)) };
}

/** Shapes every GPU test sweeps: small primes and tile multiples, per the project's standard. */
export const ODD_SIZES = [1, 3, 7, 33, 65, 127, 257] as const;
export const TILE_SIZES = [16, 64, 128] as const;
