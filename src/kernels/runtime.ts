// What every GPU kernel is built from: a pipeline cache that compiles WGSL inside validation error
// scopes (compile errors throw with kernel name and line:col), small uniform buffers written once
// at plan time, and the Dispatch record the executor encodes each step without creating anything.

import type { Gpu } from '../device/gpu.js';
import { tuningFor, validateTuning, type KernelTuning } from './tuning.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';

/** A WGSL compile or pipeline-creation failure, with where and what. */
export class WgslCompileError extends Error {
  constructor(
    readonly kernel: string,
    readonly messages: { line: number; column: number; message: string }[],
    source: string,
  ) {
    const lines = source.split('\n');
    const detail = messages
      .map((m) => `  ${kernel}.wgsl:${m.line}:${m.column}: ${m.message}\n    ${lines[m.line - 1]?.trim() ?? ''}`)
      .join('\n');
    super(`WGSL kernel "${kernel}" failed to compile:\n${detail}`);
    this.name = 'WgslCompileError';
  }
}

/** One recorded compute dispatch: everything is created at plan time, nothing per step. */
export interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
  /** Buffer-to-texture copies recorded just before the dispatch (texel matmul operands). */
  readonly copies?: readonly TexelCopy[];
}

/** One copyBufferToTexture, fully described at plan time. */
export interface TexelCopy {
  readonly source: GPUTexelCopyBufferInfo;
  readonly destination: GPUTexelCopyTextureInfo;
  readonly size: readonly [number, number];
}

export type Constants = Record<string, number>;

/** Compiles each (kernel, entry point, override constants) once and reuses it. */
export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private readonly modules = new Map<string, GPUShaderModule>();

  constructor(private readonly device: GPUDevice) {}

  get(kernel: string, source: string, entryPoint: string, constants: Constants = {}): Promise<GPUComputePipeline> {
    const key = `${kernel}:${entryPoint}:${JSON.stringify(constants)}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.create(kernel, source, entryPoint, constants);
      this.pipelines.set(key, pipeline);
      pipeline.catch(() => this.pipelines.delete(key));
    }
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }

  private async module(kernel: string, source: string): Promise<GPUShaderModule> {
    let module = this.modules.get(kernel);
    if (module) return module;
    this.device.pushErrorScope('validation');
    module = this.device.createShaderModule({ label: kernel, code: source });
    const info = await module.getCompilationInfo();
    const scopeError = await this.device.popErrorScope();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      throw new WgslCompileError(kernel, errors.map((m) => ({ line: m.lineNum, column: m.linePos, message: m.message })), source);
    }
    if (scopeError) throw new WgslCompileError(kernel, [{ line: 0, column: 0, message: scopeError.message }], source);
    this.modules.set(kernel, module);
    return module;
  }

  private async create(kernel: string, source: string, entryPoint: string, constants: Constants): Promise<GPUComputePipeline> {
    const module = await this.module(kernel, source);
    this.device.pushErrorScope('validation');
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.device.createComputePipelineAsync({
        label: `${kernel}.${entryPoint}`,
        layout: 'auto',
        compute: { module, entryPoint, constants },
      });
    } catch (err) {
      await this.device.popErrorScope();
      throw new WgslCompileError(kernel, [{ line: 0, column: 0, message: `${entryPoint}: ${(err as Error).message}` }], source);
    }
    const scopeError = await this.device.popErrorScope();
    if (scopeError) throw new WgslCompileError(kernel, [{ line: 0, column: 0, message: `${entryPoint}: ${scopeError.message}` }], source);
    return pipeline;
  }
}

const sharedCaches = new WeakMap<GPUDevice, PipelineCache>();

/** What a kernel's prepare() gets: the device, the shared pipeline cache, and an owner for buffers. */
export class KernelContext {
  readonly device: GPUDevice;
  readonly pipelines: PipelineCache;
  private readonly owned: (GPUBuffer | GPUTexture)[] = [];

  /** Adapter-specific kernel choices; tests pass one explicitly to cover every variant on one adapter. */
  readonly tuning: KernelTuning;

  constructor(readonly gpu: Gpu, options: { tuning?: KernelTuning } = {}) {
    this.device = gpu.device;
    this.tuning = options.tuning ?? tuningFor(gpu.report);
    validateTuning(this.tuning, gpu.report);
    // Pipelines outlive any one plan: every context on the same device shares one cache.
    let cache = sharedCaches.get(gpu.device);
    if (!cache) {
      cache = new PipelineCache(gpu.device);
      sharedCaches.set(gpu.device, cache);
    }
    this.pipelines = cache;
  }

  /**
   * A uniform buffer holding `fields` as 32-bit words, written once now. Each field is tagged so
   * integers and floats land with the right bit pattern; WGSL structs must declare them in order.
   */
  uniform(label: string, fields: readonly UniformField[]): GPUBuffer {
    const words = Math.max(4, Math.ceil(fields.length / 4) * 4); // 16-byte multiple for uniform layout
    const data = new ArrayBuffer(words * 4);
    const u32 = new Uint32Array(data);
    const i32 = new Int32Array(data);
    const f32 = new Float32Array(data);
    fields.forEach(([type, value], i) => {
      if (type === 'u32') u32[i] = value >>> 0;
      else if (type === 'i32') i32[i] = value | 0;
      else f32[i] = value;
    });
    const buffer = this.device.createBuffer({ label, size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buffer, 0, data);
    this.owned.push(buffer);
    return buffer;
  }

  /** A scratch storage buffer owned by the context (e.g. reduction partials). */
  scratch(label: string, floats: number): GPUBuffer {
    const buffer = this.device.createBuffer({
      label,
      size: Math.max(16, Math.ceil((floats * 4) / 16) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.owned.push(buffer);
    return buffer;
  }

  /** A texture owned by the context (texel matmul operands). */
  texture(descriptor: GPUTextureDescriptor): GPUTexture {
    const texture = this.device.createTexture(descriptor);
    this.owned.push(texture);
    return texture;
  }

  /** Bind group for a pipeline from an ordered list of bindings (binding i = entries[i]). */
  bindGroup(label: string, pipeline: GPUComputePipeline, entries: readonly Binding[]): GPUBindGroup {
    return this.device.createBindGroup({
      label,
      layout: pipeline.getBindGroupLayout(0),
      entries: entries.map((entry, binding) => ({ binding, resource: toResource(entry) })),
    });
  }

  destroy(): void {
    for (const resource of this.owned) resource.destroy();
    this.owned.length = 0;
  }
}

export type UniformField = readonly ['u32' | 'i32' | 'f32', number];
export type Binding = GpuTensor | GPUBuffer | GPUTextureView;

function toResource(entry: Binding): GPUBindingResource {
  if ('shape' in entry) {
    const bytes = Math.max(4, sizeOf(entry.shape) * 4);
    return { buffer: entry.buffer, offset: entry.offset, size: bytes };
  }
  if ('usage' in entry) return { buffer: entry };
  return entry;
}

/** Workgroup count for `n` items at `perGroup` per workgroup, split over y when x would exceed 65535. */
export function groups1d(n: number, perGroup: number): [number, number, number] {
  const total = Math.max(1, Math.ceil(n / perGroup));
  if (total <= 65535) return [total, 1, 1];
  const y = Math.ceil(total / 65535);
  return [Math.ceil(total / y), y, 1];
}

/**
 * Records dispatches into `encoder`: one compute pass, split only where a dispatch needs its
 * texel copies first (copies cannot be recorded inside a pass).
 */
export function encodeDispatches(encoder: GPUCommandEncoder, dispatches: readonly Dispatch[]): void {
  let pass: GPUComputePassEncoder | undefined;
  for (const d of dispatches) {
    if (d.copies?.length) {
      pass?.end();
      pass = undefined;
      for (const c of d.copies) encoder.copyBufferToTexture(c.source, c.destination, c.size);
    }
    pass ??= encoder.beginComputePass();
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
  pass?.end();
}
