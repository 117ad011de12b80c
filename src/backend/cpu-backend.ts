// The CPU backend: the same programs run through the float64 reference ops. It is the fallback
// where WebGPU is missing and the yardstick the GPU is verified against step by step. In a model
// batch each op runs once per model on that model's slices with its own perModel values, so a
// model of a batch computes exactly what it computes alone.

import type { ParamLayout } from '../graph/params.js';
import type { OpCall, TensorRef } from '../graph/program.js';
import { bindArgs, tensorsOf } from '../graph/program.js';
import type { OpName } from '../ops/args.js';
import { argsForModel, checkPerModel } from '../ops/per-model.js';
import { opSpecs } from '../ops/table.js';
import type { CpuTensor } from '../ops/tensor.js';
import { referenceOps } from '../reference/index.js';
import type { Backend, Collector, FlatName, ParamSlot, ProgramSet, RunOptions } from './backend.js';
import { checkCollect, tensorSizes } from './backend.js';

type BoundCall = () => void;

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly adapter = 'CPU (float64 reference)';
  readonly maxTensorBytes = Number.POSITIVE_INFINITY;
  private readonly storage = new Map<string, Float64Array>();
  private readonly flats = new Map<string, Float64Array>();
  private readonly programs = new Map<string, BoundCall[]>();
  private readonly slots = new Map<ParamSlot, Float64Array>();
  /** Floats between two models' copies of each per-model tensor (absent: shared by the models). */
  private readonly strides = new Map<string, number>();
  private layout!: ParamLayout;

  async load(programs: ProgramSet, layout: ParamLayout, data: Readonly<Record<string, Float32Array>>): Promise<void> {
    this.layout = layout;
    this.strides.clear();
    for (const role of ['param', 'grad', 'state1', 'state2']) this.flats.set(role, new Float64Array(layout.total * layout.models));
    for (const [id, { role, size, shared }] of tensorSizes(programs, tensorsOf)) {
      if (this.flats.has(role)) continue;
      this.storage.set(id, new Float64Array(data[id]?.length ?? size * (shared ? 1 : layout.models)));
      if (!shared) this.strides.set(id, data[id] ? data[id].length / layout.models : size);
    }
    for (const [id, values] of Object.entries(data)) this.writeTensor(id, values);
    for (const [name, ops] of Object.entries(programs)) this.programs.set(name, ops.map((c) => this.bind(c)));
  }

  /** Model m's view of a tensor (a shared tensor is the same for every m). */
  private view(t: TensorRef, m: number): CpuTensor {
    const size = t.shape.reduce((a, b) => a * b, 1);
    const flat = this.flats.get(t.role);
    if (flat) {
      const offset = m * this.layout.total + this.layout.offsetOf(t.id);
      return { shape: t.shape, data: flat.subarray(offset, offset + size) };
    }
    const array = this.storage.get(t.id);
    if (!array) throw new Error(`CPU backend: tensor ${t.id} was not allocated`);
    const offset = m * (this.strides.get(t.id) ?? 0);
    return { shape: t.shape, data: array.subarray(offset, offset + size) };
  }

  private bind(c: OpCall): BoundCall {
    const models = this.layout.models;
    checkPerModel(c.op as OpName, c.args, models);
    // An op touching only shared tensors (gathering one batch for all models) runs once.
    const perModel = tensorsOf(c).some((t) => !t.shared);
    const fn = referenceOps[c.op as OpName] as unknown as (a: unknown) => void;
    const calls = Array.from({ length: perModel ? models : 1 }, (_, m) => {
      const args = argsForModel(c.op as OpName, bindArgs(c, (t) => this.view(t, m)) as never, m);
      (opSpecs[c.op] as unknown as { validate(a: unknown): void }).validate(args);
      return args;
    });
    if (calls.length === 1) return () => fn(calls[0]);
    return () => {
      for (const args of calls) fn(args);
    };
  }

  writeTensor(id: string, values: Float32Array): void {
    const array = this.storage.get(id);
    if (!array) throw new Error(`CPU backend: tensor ${id} was not allocated`);
    array.set(values.subarray(0, array.length));
  }

  run(programs: readonly string[], scalars: Float32Array, options: RunOptions = {}): void {
    this.storage.get('scalars')?.set(scalars);
    for (const id of options.clearStats ?? []) this.storage.get(id)?.fill(0);
    for (const [id, values] of Object.entries(options.hostInputs ?? {})) this.writeTensor(id, values);
    for (const name of programs) {
      const calls = this.programs.get(name);
      if (!calls) throw new Error(`CPU backend: no program named ${name}`);
      for (const run of calls) run();
    }
    if (options.collect) {
      const { tensor, floats, at } = options.collect;
      const source = this.storage.get(tensor) ?? this.flats.get(tensor);
      if (!source) throw new Error(`CPU backend: tensor ${tensor} was not allocated`);
      checkCollect('CPU', options.collect, CpuCollector).values.set(source.subarray(0, floats), at);
    }
  }

  collector(floats: number): Collector {
    return new CpuCollector(floats);
  }

  async readStats(ids: readonly string[]): Promise<number[]> {
    return ids.map((id) => this.storage.get(id)?.[0] ?? 0);
  }

  async readModelStats(ids: readonly string[]): Promise<Float64Array[]> {
    const models = this.layout.models;
    return ids.map((id) => {
      const values = this.storage.get(id);
      return values ? values.slice(0, models) : new Float64Array(models);
    });
  }

  async readTensor(id: string, count: number): Promise<Float32Array> {
    const array = this.storage.get(id);
    if (!array) throw new Error(`CPU backend: tensor ${id} was not allocated`);
    return Float32Array.from(array.subarray(0, count));
  }

  async readParams(): Promise<Float32Array> {
    return Float32Array.from(this.flats.get('param')!);
  }

  writeParams(values: Float32Array): void {
    this.flats.get('param')!.set(values);
  }

  resetOptimizerState(model?: number): void {
    const [start, end] = this.paramRange(model);
    this.flats.get('state1')!.fill(0, start, end);
    this.flats.get('state2')!.fill(0, start, end);
  }

  /** [start, end) of every model's weights, or of one model's. */
  private paramRange(model?: number): [number, number] {
    const total = this.layout.total;
    return model === undefined ? [0, total * this.layout.models] : [model * total, (model + 1) * total];
  }

  saveParams(slot: ParamSlot, model?: number): void {
    const params = this.flats.get('param')!;
    let saved = this.slots.get(slot);
    if (!saved) {
      saved = new Float64Array(params.length);
      this.slots.set(slot, saved);
    }
    const [start, end] = this.paramRange(model);
    saved.set(params.subarray(start, end), start);
  }

  restoreParams(slot: ParamSlot, model?: number): void {
    const saved = this.slots.get(slot);
    if (!saved) return;
    const [start, end] = this.paramRange(model);
    this.flats.get('param')!.set(saved.subarray(start, end), start);
  }

  async readFlat(name: FlatName): Promise<Float64Array | undefined> {
    const flat = this.flats.get(name) ?? this.slots.get(name as ParamSlot);
    return flat ? Float64Array.from(flat) : undefined;
  }

  writeFlat(name: FlatName, values: Float64Array): void {
    const flat = this.flats.get(name);
    if (flat) flat.set(values);
    else this.slots.set(name as ParamSlot, Float64Array.from(values));
  }

  async idle(): Promise<void> {}

  destroy(): void {
    this.storage.clear();
    this.flats.clear();
  }
}

class CpuCollector implements Collector {
  readonly values: Float32Array;
  constructor(readonly floats: number) {
    this.values = new Float32Array(floats);
  }
  async read(): Promise<Float32Array> {
    return this.values;
  }
}
