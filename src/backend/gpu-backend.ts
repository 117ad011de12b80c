// The WebGPU backend: allocates every buffer once, prepares every program's dispatches once
// (pipelines, uniforms, bind groups, texel-operand textures), and then runs a step as one command
// encoder and one submit. Nothing is created per step; reads are explicit and asynchronous, and
// every wait goes through the device's gpuWait() with the style waitStyleFor() chose per program.

import type { Gpu } from '../device/gpu.js';
import { describeAdapter } from '../device/gpu.js';
import { gpuWait, waitStyleFor, type WaitStyle } from '../device/waits.js';
import type { ParamLayout } from '../graph/params.js';
import type { OpCall, TensorRef } from '../graph/program.js';
import { bindArgs, tensorsOf } from '../graph/program.js';
import { prepareKernel } from '../kernels/index.js';
import { KernelContext } from '../kernels/context.js';
import { encodeDispatches, type Dispatch } from '../kernels/dispatch.js';
import type { OpName } from '../ops/args.js';
import type { GpuTensor } from '../ops/tensor.js';
import type { Backend, Collector, FlatName, ParamSlot, ProgramSet, RunOptions } from './backend.js';
import { checkCollect, tensorSizes } from './backend.js';

const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const FLAT_ROLES = ['param', 'grad', 'state1', 'state2'] as const;

export class GpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly adapter: string;
  readonly maxTensorBytes: number;
  /** Owns this plan's uniforms and scratch; replaced (never reused) when the backend is re-bound. */
  ctx: KernelContext;
  private readonly device: GPUDevice;
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly flats = new Map<string, GPUBuffer>();
  private readonly slots = new Map<ParamSlot, GPUBuffer>();
  /** Floats between two models' copies of each per-model tensor (absent: shared by the models). */
  private readonly strides = new Map<string, number>();
  private readonly programs = new Map<string, Dispatch[]>();
  /** Programs whose waits should poll busily (waitStyleFor: tiny dispatches on a CPU adapter). */
  private readonly busyWaitPrograms = new Set<string>();
  /** How waits poll until the next run: the style of the last run's programs (busy if any is). */
  private style: WaitStyle = 'quiet';
  private layout!: ParamLayout;
  /** Each program's dispatches with the op call they came from, for the benchmark's counts and per-kernel profile. */
  readonly dispatchSources = new Map<string, readonly { dispatch: Dispatch; call: OpCall }[]>();

  constructor(readonly gpu: Gpu) {
    this.device = gpu.device;
    this.ctx = new KernelContext(gpu);
    this.adapter = describeAdapter(gpu.report);
    this.maxTensorBytes = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
  }

  async load(programs: ProgramSet, layout: ParamLayout, data: Readonly<Record<string, Float32Array>>): Promise<void> {
    // A backend may be re-bound (the demo keeps one across fits): free the previous plan's buffers.
    this.releaseBuffers(layout.models);
    this.layout = layout;
    const flatBytes = Math.max(16, layout.total * layout.models * 4);
    for (const role of FLAT_ROLES) {
      this.flats.set(role, this.device.createBuffer({ label: `flat:${role}`, size: flatBytes, usage: STORAGE() }));
    }
    for (const [id, { role, size, shared }] of tensorSizes(programs, tensorsOf)) {
      if ((FLAT_ROLES as readonly string[]).includes(role)) continue;
      // Per-model data (a row order each) is uploaded for every model at once.
      const floats = data[id]?.length ?? size * (shared ? 1 : layout.models);
      const buffer = this.device.createBuffer({ label: id, size: Math.max(16, Math.ceil((floats * 4) / 16) * 16), usage: STORAGE() });
      this.buffers.set(id, buffer);
      if (!shared) this.strides.set(id, data[id] ? data[id].length / layout.models : size);
    }
    for (const [id, values] of Object.entries(data)) this.writeTensor(id, values);
    for (const [name, ops] of Object.entries(programs)) {
      const sources: { dispatch: Dispatch; call: OpCall }[] = [];
      for (const c of ops) {
        const args = bindArgs(c, (t) => this.view(t)) as never;
        for (const dispatch of await prepareKernel(this.ctx, c.op as OpName, args)) sources.push({ dispatch, call: c });
      }
      this.programs.set(name, sources.map((s) => s.dispatch));
      this.dispatchSources.set(name, sources);
      if (waitStyleFor(this.gpu.report, sources.map((s) => s.dispatch.workgroups)) === 'busy') this.busyWaitPrograms.add(name);
    }
    this.gpu.checkHealthy();
  }

  private view(t: TensorRef): GpuTensor {
    const flat = this.flats.get(t.role);
    if (flat) return { shape: t.shape, buffer: flat, offset: this.layout.offsetOf(t.id) * 4, modelStride: this.layout.total };
    const buffer = this.buffers.get(t.id);
    if (!buffer) throw new Error(`GPU backend: tensor ${t.id} was not allocated`);
    const modelStride = this.strides.get(t.id);
    return { shape: t.shape, buffer, offset: 0, ...(modelStride ? { modelStride } : {}) };
  }

  writeTensor(id: string, values: Float32Array): void {
    const buffer = this.buffers.get(id);
    if (!buffer) throw new Error(`GPU backend: tensor ${id} was not allocated`);
    this.device.queue.writeBuffer(buffer, 0, values.buffer, values.byteOffset, Math.min(values.byteLength, buffer.size));
  }

  run(programs: readonly string[], scalars: Float32Array, options: RunOptions = {}): void {
    const scalarBuffer = this.buffers.get('scalars');
    if (scalarBuffer) this.device.queue.writeBuffer(scalarBuffer, 0, scalars.buffer, scalars.byteOffset, scalars.byteLength);
    for (const [id, values] of Object.entries(options.hostInputs ?? {})) this.writeTensor(id, values);
    const encoder = this.device.createCommandEncoder();
    for (const id of options.clearStats ?? []) {
      const buffer = this.buffers.get(id);
      if (buffer) encoder.clearBuffer(buffer);
    }
    this.style = programs.some((name) => this.busyWaitPrograms.has(name)) ? 'busy' : 'quiet';
    for (const name of programs) {
      const dispatches = this.programs.get(name);
      if (!dispatches) throw new Error(`GPU backend: no program named ${name}`);
      encodeDispatches(encoder, dispatches);
    }
    if (options.collect) {
      const { tensor, floats, at } = options.collect;
      const source = this.buffers.get(tensor) ?? this.flats.get(tensor);
      if (!source) throw new Error(`GPU backend: tensor ${tensor} was not allocated`);
      encoder.copyBufferToBuffer(source, 0, checkCollect('GPU', options.collect, GpuCollector).staging, at * 4, floats * 4);
    }
    this.device.queue.submit([encoder.finish()]);
  }

  collector(floats: number): Collector {
    return new GpuCollector(this.gpu, floats, () => this.style);
  }

  /** Copies regions to one mappable buffer in a single submit and maps it. */
  private async readRegions(regions: { buffer: GPUBuffer; offset: number; bytes: number }[]): Promise<Float32Array[]> {
    const total = regions.reduce((sum, r) => sum + Math.ceil(r.bytes / 4) * 4, 0);
    const staging = this.device.createBuffer({ label: 'readback', size: Math.max(16, total), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    let at = 0;
    for (const r of regions) {
      encoder.copyBufferToBuffer(r.buffer, r.offset, staging, at, r.bytes);
      at += Math.ceil(r.bytes / 4) * 4;
    }
    this.device.queue.submit([encoder.finish()]);
    await gpuWait(this.style, () => staging.mapAsync(GPUMapMode.READ));
    const all = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    this.gpu.checkHealthy();
    const out: Float32Array[] = [];
    at = 0;
    for (const r of regions) {
      out.push(all.subarray(at / 4, at / 4 + r.bytes / 4));
      at += Math.ceil(r.bytes / 4) * 4;
    }
    return out;
  }

  async readStats(ids: readonly string[]): Promise<number[]> {
    return (await this.readModelStats(ids)).map((values) => values[0]);
  }

  async readModelStats(ids: readonly string[]): Promise<Float64Array[]> {
    const models = this.layout.models;
    const present = ids.map((id) => this.buffers.get(id));
    const regions = present.filter((b): b is GPUBuffer => !!b).map((buffer) => ({ buffer, offset: 0, bytes: 4 * models }));
    const values = await this.readRegions(regions);
    let k = 0;
    return present.map((b) => (b ? Float64Array.from(values[k++]) : new Float64Array(models)));
  }

  async readTensor(id: string, count: number): Promise<Float32Array> {
    const buffer = this.buffers.get(id) ?? this.flats.get(id);
    if (!buffer) throw new Error(`GPU backend: tensor ${id} was not allocated`);
    const [values] = await this.readRegions([{ buffer, offset: 0, bytes: count * 4 }]);
    return values;
  }

  async readParams(): Promise<Float32Array> {
    return this.readTensor('param', this.layout.total * this.layout.models);
  }

  writeParams(values: Float32Array): void {
    this.device.queue.writeBuffer(this.flats.get('param')!, 0, values.buffer, values.byteOffset, values.byteLength);
  }

  resetOptimizerState(model?: number): void {
    const encoder = this.device.createCommandEncoder();
    for (const name of ['state1', 'state2']) {
      const buffer = this.flats.get(name)!;
      encoder.clearBuffer(buffer, ...this.paramRange(buffer, model));
    }
    this.device.queue.submit([encoder.finish()]);
  }

  /** The byte range of every model's weights, or of one model's. */
  private paramRange(buffer: GPUBuffer, model?: number): [number, number] {
    if (model === undefined) return [0, buffer.size];
    const bytes = this.layout.total * 4;
    return [model * bytes, bytes];
  }

  saveParams(slot: ParamSlot, model?: number): void {
    const params = this.flats.get('param')!;
    let copy = this.slots.get(slot);
    if (!copy) {
      copy = this.device.createBuffer({ label: `params.${slot}`, size: params.size, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      this.slots.set(slot, copy);
    }
    const [at, bytes] = this.paramRange(params, model);
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(params, at, copy, at, bytes);
    this.device.queue.submit([encoder.finish()]);
  }

  restoreParams(slot: ParamSlot, model?: number): void {
    const copy = this.slots.get(slot);
    if (!copy) return;
    const params = this.flats.get('param')!;
    const [at, bytes] = this.paramRange(params, model);
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(copy, at, params, at, bytes);
    this.device.queue.submit([encoder.finish()]);
  }

  async readFlat(name: FlatName): Promise<Float64Array | undefined> {
    const buffer = this.flats.get(name) ?? this.slots.get(name as ParamSlot);
    if (!buffer) return undefined;
    const [values] = await this.readRegions([{ buffer, offset: 0, bytes: this.layout.total * this.layout.models * 4 }]);
    return Float64Array.from(values);
  }

  writeFlat(name: FlatName, values: Float64Array): void {
    if (!this.flats.has(name) && !this.slots.has(name as ParamSlot)) this.saveParams(name as ParamSlot);
    const buffer = this.flats.get(name) ?? this.slots.get(name as ParamSlot)!;
    this.device.queue.writeBuffer(buffer, 0, Float32Array.from(values));
  }

  async idle(): Promise<void> {
    await gpuWait(this.style, () => this.device.queue.onSubmittedWorkDone());
    this.gpu.checkHealthy();
  }

  private releaseBuffers(models = 1): void {
    for (const b of [...this.buffers.values(), ...this.flats.values(), ...this.slots.values()]) b.destroy();
    this.buffers.clear();
    this.strides.clear();
    this.flats.clear();
    this.slots.clear();
    this.programs.clear();
    this.busyWaitPrograms.clear();
    this.dispatchSources.clear();
    // Kernels may cache per-context helpers (placeholders): a fresh context keeps none destroyed.
    this.ctx.destroy();
    this.ctx = new KernelContext(this.gpu, { models });
  }

  destroy(): void {
    this.releaseBuffers();
  }

  /** How this backend's waits poll now (set by each run from its programs). */
  get waitStyle(): WaitStyle {
    return this.style;
  }
}

/** A mappable staging buffer the runs copy into; mapped once by read(). */
class GpuCollector implements Collector {
  readonly staging: GPUBuffer;

  constructor(
    private readonly gpu: Gpu,
    readonly floats: number,
    private readonly style: () => WaitStyle,
  ) {
    this.staging = gpu.device.createBuffer({ label: 'collect', size: Math.max(16, floats * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  async read(): Promise<Float32Array> {
    try {
      await gpuWait(this.style(), () => this.staging.mapAsync(GPUMapMode.READ));
      const values = new Float32Array(this.staging.getMappedRange().slice(0, this.floats * 4));
      this.staging.unmap();
      this.gpu.checkHealthy();
      return values;
    } finally {
      this.staging.destroy();
    }
  }
}
