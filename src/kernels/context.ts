// What a kernel's prepare() gets: the device, the pipeline cache every context on that device
// shares, the adapter's tuning, and ownership of the resources it creates at plan time (uniforms,
// scratch, textures), which destroy() frees. Uniforms and bind groups are built from the kernel's
// descriptor by name, in its declared order.

import type { Gpu } from '../device/gpu.js';
import type { GpuTensor } from '../ops/tensor.js';
import { sizeOf } from '../ops/tensor.js';
import type { BindingName, KernelDescriptor, OverrideValues, UniformValues } from './descriptor.js';
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

  /** The compute pipeline of one of the descriptor's entry points with these override values. */
  pipeline<D extends KernelDescriptor>(d: D, entry: string, overrides?: OverrideValues<D>): Promise<GPUComputePipeline> {
    return this.pipelines.get(d.name, wgslSource(d), entry, overrideConstants(d, overrides));
  }

  /** The descriptor's uniform buffer holding `values`, written once now. */
  uniform<D extends KernelDescriptor>(d: D, label: string, values: UniformValues<D>): GPUBuffer {
    const data = packUniform(d, values);
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
      entries: entries.map((entry, binding) => ({ binding, resource: toResource(entry) })),
    });
  }

  /** Pipeline, uniform and bind group of one dispatch, all made now. */
  async dispatch<D extends KernelDescriptor>(d: D, spec: DispatchSpec<D>): Promise<Dispatch> {
    const pipeline = await this.pipeline(d, spec.entry, spec.overrides);
    const uniform = isBuffer(spec.uniform) ? spec.uniform : this.uniform(d, spec.label, spec.uniform);
    const bindGroup = this.bindGroup(d, spec.label, pipeline, uniform, spec.bindings);
    return { label: spec.label, pipeline, bindGroup, workgroups: spec.workgroups, ...(spec.before ? { before: spec.before } : {}) };
  }

  destroy(): void {
    for (const resource of this.owned) resource.destroy();
    this.owned.length = 0;
  }
}

function isBuffer(value: unknown): value is GPUBuffer {
  return typeof value === 'object' && value !== null && 'usage' in value && 'mapAsync' in value;
}

function toResource(entry: Binding): GPUBindingResource {
  if ('shape' in entry) {
    const bytes = Math.max(4, sizeOf(entry.shape) * 4);
    return { buffer: entry.buffer, offset: entry.offset, size: bytes };
  }
  if ('usage' in entry) return { buffer: entry };
  return entry;
}
