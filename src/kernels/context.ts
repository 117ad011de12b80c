// What a kernel's prepare() gets: the device, the pipeline cache every context on that device
// shares, the adapter's tuning, and ownership of the resources it creates at plan time (uniforms,
// scratch, textures), which destroy() frees. Uniforms and bind groups are built from the kernel's
// descriptor by name, in its declared order. A context plans for a batch of `models` models:
// a dispatch that writes any per-model tensor runs once per model as workgroup z.

import type { Gpu } from '../device/gpu.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import type { BindingName, KernelDescriptor, ModelStrides, OverrideValues, UniformValues } from './descriptor.js';
import { orderedBindings, overrideConstants, packUniform, wgslSource } from './descriptor.js';
import type { Dispatch } from './dispatch.js';
import { PipelineCache } from './pipeline-cache.js';
import { tuningFor, validateTuning, type KernelTuning } from './tuning.js';

export type Binding = GpuTensor | GPUBuffer | GPUTextureView;

/** One dispatch of a descriptor's entry point, as prepare() describes it. */
export interface DispatchSpec<D extends KernelDescriptor> {
  label: string;
  entry: string;
  overrides?: OverrideValues<D>;
  /** The uniform's values, or a uniform buffer already made for this descriptor (shared by several dispatches). */
  uniform: UniformValues<D> | GPUBuffer;
  bindings: Readonly<Record<BindingName<D>, Binding>>;
  /** Model strides of bindings that are plain buffers (scratch); a GpuTensor brings its own. */
  modelStrides?: ModelStrides<D>;
  /** Workgroups of one model: z must be 1, the context sets it to the model count where the dispatch writes per-model data. */
  workgroups: readonly [number, number, number];
  before?: Dispatch['before'];
}

const sharedCaches = new WeakMap<GPUDevice, PipelineCache>();

export class KernelContext {
  readonly device: GPUDevice;
  readonly pipelines: PipelineCache;
  private readonly owned: { destroy(): void }[] = [];

  /** Adapter-specific kernel choices; tests pass one explicitly to cover every variant on one adapter. */
  readonly tuning: KernelTuning;
  /** Models in the batch this context plans for (1: a single model). */
  readonly models: number;

  constructor(readonly gpu: Gpu, options: { tuning?: KernelTuning; models?: number } = {}) {
    this.device = gpu.device;
    this.models = options.models ?? 1;
    if (!Number.isInteger(this.models) || this.models < 1 || this.models > gpu.device.limits.maxComputeWorkgroupsPerDimension) {
      throw new RangeError(`KernelContext: models must be an integer from 1 to ${gpu.device.limits.maxComputeWorkgroupsPerDimension}, got ${this.models}`);
    }
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

  /** The compute pipeline of one of the descriptor's entry points with these override values. */
  pipeline<D extends KernelDescriptor>(d: D, entry: string, overrides?: OverrideValues<D>): Promise<GPUComputePipeline> {
    return this.pipelines.get(d.name, wgslSource(d), entry, overrideConstants(d, overrides));
  }

  /** The descriptor's uniform buffer holding `values`, written once now. */
  uniform<D extends KernelDescriptor>(d: D, label: string, values: UniformValues<D>, strides: ModelStrides<D> = {} as ModelStrides<D>): GPUBuffer {
    const data = packUniform(d, values, strides);
    const buffer = this.own(this.device.createBuffer({ label, size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }));
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  /** A scratch storage buffer owned by the context (e.g. reduction partials). */
  scratch(label: string, floats: number): GPUBuffer {
    return this.own(
      this.device.createBuffer({
        label,
        size: Math.max(16, Math.ceil((floats * 4) / 16) * 16),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      }),
    );
  }

  /**
   * A table of per-model values written once now: `rows` rows of `width` words, row m filled by
   * write(m, f32, u32, base) through f32 or u32 views (u32 keeps seeds' exact bits). One row is
   * shared by every model (stride 0); otherwise a row per model (stride `width`).
   */
  table(label: string, rows: number, width: number, write: (m: number, f32: Float32Array, u32: Uint32Array, base: number) => void): { buffer: GPUBuffer; stride: number } {
    const data = new ArrayBuffer(Math.max(16, rows * width * 4));
    const f32 = new Float32Array(data);
    const u32 = new Uint32Array(data);
    for (let m = 0; m < rows; m++) write(m, f32, u32, m * width);
    const buffer = this.own(this.device.createBuffer({ label, size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }));
    this.device.queue.writeBuffer(buffer, 0, data);
    return { buffer, stride: rows > 1 ? width : 0 };
  }

  /** Takes ownership of a resource a kernel created: destroyed with the context. */
  own<T extends { destroy(): void }>(resource: T): T {
    this.owned.push(resource);
    return resource;
  }

  /** Bind group 0 of `pipeline`: the uniform at binding 0, then the descriptor's bindings by name. */
  bindGroup<D extends KernelDescriptor>(d: D, label: string, pipeline: GPUComputePipeline, uniform: GPUBuffer, bindings: Readonly<Record<BindingName<D>, Binding>>): GPUBindGroup {
    const entries = [uniform, ...orderedBindings(d, bindings)];
    return this.device.createBindGroup({
      label,
      layout: pipeline.getBindGroupLayout(0),
      entries: entries.map((entry, binding) => ({ binding, resource: toResource(entry, this.models) })),
    });
  }

  /** Each binding's model stride: a tensor's own, a plain buffer's from `modelStrides`, else 0 (shared). */
  strides<D extends KernelDescriptor>(d: D, bindings: Readonly<Record<BindingName<D>, Binding>>, modelStrides: ModelStrides<D> = {} as ModelStrides<D>): ModelStrides<D> {
    const out: Record<string, number> = {};
    for (const [name, binding] of Object.entries(bindings) as [string, Binding][]) {
      const stride = 'shape' in binding ? binding.modelStride : (modelStrides as Record<string, number | undefined>)[name];
      if (stride) out[name] = stride;
    }
    return out as ModelStrides<D>;
  }

  /** Pipeline, uniform and bind group of one dispatch, all made now. */
  async dispatch<D extends KernelDescriptor>(d: D, spec: DispatchSpec<D>): Promise<Dispatch> {
    const pipeline = await this.pipeline(d, spec.entry, spec.overrides);
    const strides = this.strides(d, spec.bindings, spec.modelStrides);
    const uniform = isBuffer(spec.uniform) ? spec.uniform : this.uniform(d, spec.label, spec.uniform, strides);
    const bindGroup = this.bindGroup(d, spec.label, pipeline, uniform, spec.bindings);
    const [x, y, z] = spec.workgroups;
    if (z !== 1) throw new Error(`kernel ${d.name}: workgroups z is the model index, got ${z}`);
    // Only a dispatch writing per-model data runs per model: one whose outputs are all shared
    // (a batch gathered once for every model) runs once.
    const perModel = Object.entries(d.bindings).some(([name, access]) => access === 'read_write' && ((strides as Record<string, number | undefined>)[name] ?? 0) > 0);
    const workgroups: [number, number, number] = [x, y, perModel ? this.models : 1];
    return { label: spec.label, pipeline, bindGroup, workgroups, ...(spec.before ? { before: spec.before } : {}) };
  }

  destroy(): void {
    for (const resource of this.owned) resource.destroy();
    this.owned.length = 0;
  }
}

function isBuffer(value: unknown): value is GPUBuffer {
  return typeof value === 'object' && value !== null && 'usage' in value && 'mapAsync' in value;
}

/** A tensor's binding covers every model's copy: the last one starts (models − 1) strides in. */
function toResource(entry: Binding, models: number): GPUBindingResource {
  if ('shape' in entry) {
    const bytes = Math.max(4, ((models - 1) * (entry.modelStride ?? 0) + sizeOf(entry.shape)) * 4);
    return { buffer: entry.buffer, offset: entry.offset, size: bytes };
  }
  if ('usage' in entry) return { buffer: entry };
  return entry;
}
