// The CPU backend: the same programs run through the float64 reference ops. It is the fallback
// where WebGPU is missing and the yardstick the GPU is verified against step by step.

import type { ParamLayout } from '../graph/params.js';
import type { OpCall, TensorRef } from '../graph/program.js';
import { bindArgs, tensorsOf } from '../graph/program.js';
import type { OpName } from '../ops/args.js';
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
  private layout!: ParamLayout;

  async load(programs: ProgramSet, layout: ParamLayout, data: Readonly<Record<string, Float32Array>>): Promise<void> {
    this.layout = layout;
    for (const role of ['param', 'grad', 'state1', 'state2']) this.flats.set(role, new Float64Array(layout.total));
    for (const [id, { role, size }] of tensorSizes(programs, tensorsOf)) {
      if (this.flats.has(role)) continue;
      this.storage.set(id, new Float64Array(data[id]?.length ?? size));
    }
    for (const [id, values] of Object.entries(data)) this.writeTensor(id, values);
    for (const [name, ops] of Object.entries(programs)) this.programs.set(name, ops.map((c) => this.bind(c)));
  }

  private view(t: TensorRef): CpuTensor {
    const size = t.shape.reduce((a, b) => a * b, 1);
    const flat = this.flats.get(t.role);
    if (flat) {
      const offset = this.layout.offsetOf(t.id);
      return { shape: t.shape, data: flat.subarray(offset, offset + size) };
    }
    const array = this.storage.get(t.id);
    if (!array) throw new Error(`CPU backend: tensor ${t.id} was not allocated`);
    return { shape: t.shape, data: array.subarray(0, size) };
  }

  private bind(c: OpCall): BoundCall {
    const args = bindArgs(c, (t) => this.view(t));
    (opSpecs[c.op] as unknown as { validate(a: unknown): void }).validate(args);
    const fn = referenceOps[c.op as OpName] as unknown as (a: unknown) => void;
    return () => fn(args);
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

  resetOptimizerState(): void {
    this.flats.get('state1')!.fill(0);
    this.flats.get('state2')!.fill(0);
  }

  saveParams(slot: ParamSlot): void {
    this.slots.set(slot, Float64Array.from(this.flats.get('param')!));
  }

  restoreParams(slot: ParamSlot): void {
    const saved = this.slots.get(slot);
    if (saved) this.flats.get('param')!.set(saved);
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
