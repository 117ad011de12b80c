// The interface both backends implement: bind a set of programs to storage once, then replay
// them by name. The trainer drives a Backend and never knows whether it is the GPU or the CPU.

import type { ParamLayout } from '../graph/params.js';
import type { OpCall, Program } from '../graph/program.js';

export type ProgramSet = Record<string, OpCall[]>;

/** The set a backend loads, from program handles (each under its own name). */
export function programSet(programs: Iterable<Program>): ProgramSet {
  const set: ProgramSet = {};
  for (const p of programs) {
    if (p.name in set) throw new Error(`internal: two programs named ${p.name}`);
    set[p.name] = p.ops;
  }
  return set;
}
export type ParamSlot = 'best' | 'lastGood' | 'verify';
/** The flat parameter-sized buffers a checkpoint holds: weights, optimizer moments, saved weights. */
export type FlatName = 'param' | 'state1' | 'state2' | ParamSlot;

export interface RunOptions {
  /** Stat tensors zeroed before the programs run (accumulators at the start of an epoch). */
  clearStats?: readonly string[];
  /** Tensors the host writes before the programs run (host-fed batches). */
  hostInputs?: Readonly<Record<string, Float32Array>>;
  /** After the programs, copy the first `floats` values of `tensor` into `into` at float offset `at`. */
  collect?: { into: Collector; tensor: string; floats: number; at: number };
}

/**
 * Gathers tensor values from several runs into one host array, read back once: a predict over many
 * batches waits for the device and maps memory one time, not once per batch.
 */
export interface Collector {
  readonly floats: number;
  /** Resolves with everything collected once the runs that wrote it have finished; then frees it. */
  read(): Promise<Float32Array>;
}

export interface Backend {
  readonly kind: 'webgpu' | 'cpu';
  /** Adapter description ("CPU (float64 reference)" for the CPU backend). */
  readonly adapter: string;
  /** Largest tensor one binding may hold; bigger datasets are fed from the host per step. */
  readonly maxTensorBytes: number;
  /** Allocates every tensor the programs use (at its largest shape, one copy per model of `layout.models`) and prepares them. Once. */
  load(programs: ProgramSet, layout: ParamLayout, data: Readonly<Record<string, Float32Array>>): Promise<void>;
  /** Overwrites a data or activation tensor (e.g. a new epoch's row order). */
  writeTensor(id: string, values: Float32Array): void;
  /** Runs the named programs in order as one submission, with `scalars` as this step's scalars. */
  run(programs: readonly string[], scalars: Float32Array, options?: RunOptions): void;
  /** Each stat's value (model 0's in a model batch). */
  readStats(ids: readonly string[]): Promise<number[]>;
  /** Each stat's value for every model of the batch: [stat][model]. */
  readModelStats(ids: readonly string[]): Promise<Float64Array[]>;
  /** A collector for up to `floats` values, filled by run's `collect` option. */
  collector(floats: number): Collector;
  /** Reads the first `count` values of a tensor. */
  readTensor(id: string, count: number): Promise<Float32Array>;
  readParams(): Promise<Float32Array>;
  writeParams(values: Float32Array): void;
  /** Zeroes optimizer state (moments, accumulators): every model's, or model `model`'s only. */
  resetOptimizerState(model?: number): void;
  /** Copies the weights (of every model, or of model `model` only) into a slot. */
  saveParams(slot: ParamSlot, model?: number): void;
  /** Puts a slot's weights back (every model's, or model `model`'s only). */
  restoreParams(slot: ParamSlot, model?: number): void;
  /** A flat buffer in the backend's own precision (float64 on the CPU); undefined for a slot never saved. */
  readFlat(name: FlatName): Promise<Float64Array | undefined>;
  /** Overwrites a flat buffer (checkpoint restore); exact for values the backend's precision holds. */
  writeFlat(name: FlatName, values: Float64Array): void;
  /** Resolves when all submitted work has finished. */
  idle(): Promise<void>;
  destroy(): void;
}

/** Throws unless run's `collect` targets a collector of this backend (`kind`) and fits inside it. */
export function checkCollect<C extends Collector>(backend: string, collect: NonNullable<RunOptions['collect']>, kind: abstract new (...args: never[]) => C): C {
  const { into, floats, at } = collect;
  if (!(into instanceof kind) || at < 0 || at + floats > into.floats) throw new RangeError(`${backend} backend: collect of ${floats} values at ${at} does not fit a collector of ${into.floats}`);
  return into;
}

/** Largest element count (of one model's copy) each tensor id is used with across the programs, and whether the models share it. */
export function tensorSizes(programs: ProgramSet, tensorsOf: (c: OpCall) => { id: string; role: string; shape: readonly number[]; shared?: boolean }[]): Map<string, { role: string; size: number; shared: boolean }> {
  const sizes = new Map<string, { role: string; size: number; shared: boolean }>();
  for (const ops of Object.values(programs)) {
    for (const c of ops) {
      for (const t of tensorsOf(c)) {
        const size = t.shape.reduce((a, b) => a * b, 1);
        const shared = Boolean(t.shared);
        const prev = sizes.get(t.id);
        if (prev && prev.shared !== shared) throw new Error(`internal: tensor ${t.id} is shared by the models in one program and per model in another`);
        if (!prev || prev.size < size) sizes.set(t.id, { role: t.role, size, shared });
      }
    }
  }
  return sizes;
}
