// Runs one op on a model batch on the GPU (one dispatch for all models, workgroup z = model) and
// on the float64 reference once per model (ops/per-model.ts's argsForModel), then compares every
// model's slice of every output. Per-model tensors sit back to back with a NaN-filled gap of GAP
// floats between models (and 256 bytes around), so a wrong model stride or a stray write fails.

import { expect } from 'vitest';
import { KernelContext } from '../../src/kernels/context.js';
import { encodeDispatches } from '../../src/kernels/dispatch.js';
import { prepareKernel } from '../../src/kernels/index.js';
import type { OpArgs, OpName } from '../../src/ops/args.js';
import { argsForModel } from '../../src/ops/per-model.js';
import { opSpecs } from '../../src/ops/table.js';
import type { CpuTensor, GpuTensor } from '../../src/ops/tensor.js';
import { runReference } from '../../src/reference/index.js';
import { assertClose, type Tolerance } from './compare.js';
import { testGpu } from './gpu.js';

const PAD = 64;
/** Floats left between two models' copies (poisoned, checked untouched). */
const GAP = 5;

const contexts = new Map<number, KernelContext>();
/** A context planning for `models` models on the shared test GPU (destroyed with it). */
export async function batchContext(models: number): Promise<KernelContext> {
  const { gpu } = await testGpu();
  let ctx = contexts.get(models);
  if (!ctx || ctx.device !== gpu.device) {
    ctx = new KernelContext(gpu, { models });
    contexts.set(models, ctx);
  }
  return ctx;
}

function isTensor(value: unknown): value is CpuTensor {
  return typeof value === 'object' && value !== null && 'data' in value && 'shape' in value;
}

/** Every tensor path of an args object ("gradOf.z" for nested ones). */
function tensorPaths(args: unknown, path = ''): string[] {
  if (isTensor(args)) return [path];
  if (Array.isArray(args) || typeof args !== 'object' || args === null) return [];
  return Object.entries(args).flatMap(([k, v]) => (k === 'perModel' ? [] : tensorPaths(v, path ? `${path}.${k}` : k)));
}

function at(args: unknown, path: string): CpuTensor {
  return path.split('.').reduce((o: any, k) => o[k], args) as CpuTensor;
}

/** A copy of args with the tensor at each path replaced by fn(path, tensor). */
function mapPaths(args: unknown, fn: (path: string, t: CpuTensor) => unknown, path = ''): unknown {
  if (isTensor(args)) return fn(path, args);
  if (Array.isArray(args) || typeof args !== 'object' || args === null) return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[k] = k === 'perModel' ? v : mapPaths(v, fn, path ? `${path}.${k}` : k);
  return out;
}

export interface BatchCase<K extends OpName> {
  /** Each model's arguments (the same shapes); a shared tensor is taken from model 0's. */
  models: OpArgs<CpuTensor>[K][];
  /** Tensor paths every model shares (the data). */
  shared?: readonly string[];
  /** The op's perModel values (lists of models.length). */
  perModel?: unknown;
  /** Floats between two models' copies (default GAP); a multiple of 4 keeps each copy 16-byte aligned, as the texel matmul needs. */
  gap?: number;
}

export interface BatchResult {
  /** [output path][model] values as the GPU wrote them. */
  gpu: Record<string, Float32Array[]>;
  ref: Record<string, Float64Array[]>;
  /** Workgroup counts of the dispatches (z is the model count where they ran per model). */
  workgroups: (readonly [number, number, number])[];
}

/** Runs `op` for a batch both ways and asserts every model's outputs match its own reference run. */
export async function compareBatchedOp<K extends OpName>(op: K, c: BatchCase<K>, tol: Tolerance, keep: readonly string[] = []): Promise<BatchResult> {
  const n = c.models.length;
  const { gpu } = await testGpu();
  const ctx = await batchContext(n);
  const device = gpu.device;
  const shared = new Set(c.shared ?? []);
  const outputs = new Set<string>([...(opSpecs[op].outputs as readonly string[]), ...keep]);
  const accumulate = Boolean((c.models[0] as { accumulate?: boolean }).accumulate);
  const poisoned = (path: string) => outputs.has(path.split('.')[0]) && !accumulate && !keep.includes(path);
  const paths = tensorPaths(c.models[0]);

  // Each model's reference arguments: f32-rounded inputs (shared ones from model 0), poisoned outputs.
  const refArgs = c.models.map((args, m) => {
    const own = mapPaths(args, (path, t) => {
      const source = shared.has(path) ? at(c.models[0], path) : t;
      const data = Float64Array.from(source.data, Math.fround);
      if (poisoned(path)) data.fill(NaN);
      return { shape: source.shape, data };
    });
    return argsForModel(op, { ...(own as object), ...(c.perModel ? { perModel: c.perModel } : {}) } as OpArgs<CpuTensor>[K], m);
  });

  const buffers = new Map<string, { buffer: GPUBuffer; size: number; stride: number }>();
  const gpuArgs = mapPaths(c.models[0], (path, t) => {
    const size = Math.max(1, t.data.length);
    const copies = shared.has(path) ? 1 : n;
    const gap = c.gap ?? GAP;
    const stride = shared.has(path) ? 0 : size + gap;
    const floats = PAD * 2 + Math.max(1, copies * (size + gap) - gap);
    const buffer = device.createBuffer({ label: `batch.${path}`, size: floats * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const init = new Float32Array(floats).fill(NaN);
    for (let m = 0; m < copies; m++) {
      if (!poisoned(path)) init.set(at(c.models[m], path).data, PAD + m * stride);
    }
    device.queue.writeBuffer(buffer, 0, init);
    buffers.set(path, { buffer, size: t.data.length, stride });
    return { shape: t.shape, buffer, offset: PAD * 4, ...(stride ? { modelStride: stride } : {}) } satisfies GpuTensor;
  });
  const dispatches = await prepareKernel(ctx, op, { ...(gpuArgs as object), ...(c.perModel ? { perModel: c.perModel } : {}) } as OpArgs<GpuTensor>[K]);
  const encoder = device.createCommandEncoder();
  encodeDispatches(encoder, dispatches);
  const reads = new Map<string, GPUBuffer>();
  for (const [path, { buffer }] of buffers) {
    const read = device.createBuffer({ size: buffer.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(buffer, 0, read, 0, buffer.size);
    reads.set(path, read);
  }
  device.queue.submit([encoder.finish()]);
  for (const args of refArgs) runReference(op, args);

  const result: BatchResult = { gpu: {}, ref: {}, workgroups: dispatches.map((d) => d.workgroups) };
  for (const path of paths) {
    const read = reads.get(path)!;
    await read.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    read.destroy();
    const { buffer, size, stride } = buffers.get(path)!;
    buffer.destroy();
    const copies = stride ? n : 1;
    // Padding around and gaps between the models' copies stay NaN.
    const inside = new Set<number>();
    for (let m = 0; m < copies; m++) for (let i = 0; i < size; i++) inside.add(PAD + m * stride + i);
    const stray = [...all.keys()].find((i) => !inside.has(i) && !Number.isNaN(all[i]));
    expect(stray, `${op}: wrote outside ${path}'s models (float ${stray})`).toBeUndefined();
    if (!outputs.has(path.split('.')[0]) && !keep.includes(path)) continue;
    result.gpu[path] = [];
    result.ref[path] = [];
    for (let m = 0; m < copies; m++) {
      const values = all.slice(PAD + m * stride, PAD + m * stride + size);
      const ref = at(refArgs[m], path).data;
      result.gpu[path].push(values);
      result.ref[path].push(ref);
      assertClose(`${op}.${path} (model ${m} of ${n})`, values, ref, tol);
    }
  }
  gpu.checkHealthy();
  return result;
}
