// A program is what the executor hands a backend: tensor declarations and lists of op calls over
// symbolic tensor references. Backends bind each reference to storage (a GPU buffer region or a
// float64 array) once, then replay the lists every step without rebuilding anything.

import type { OpArgs, OpName } from '../ops/args.js';
import type { Shaped } from '../ops/tensor.js';

/**
 * Where a tensor lives. Params, their grads and optimizer state are regions of one flat buffer
 * each (so the optimizer is one dispatch); data tensors are uploaded datasets; everything else is
 * a per-tensor buffer sized for the largest batch.
 */
export type TensorRole = 'param' | 'grad' | 'state1' | 'state2' | 'data' | 'activation' | 'stat' | 'scalars';

/**
 * A symbolic tensor: an id the backend binds, and the shape this program uses it with (one
 * model's). In a model batch each model has its own copy, unless `shared` (data every model reads).
 */
export interface TensorRef extends Shaped {
  readonly id: string;
  readonly role: TensorRole;
  readonly shared?: boolean;
}

export interface OpCall<K extends OpName = OpName> {
  readonly op: K;
  readonly args: OpArgs<TensorRef>[K];
}

/** What a program does, so a step cannot be handed an eval pass (train/step-runner.ts). */
export type ProgramKind = 'train' | 'diagnostics' | 'eval' | 'predict';

/**
 * A built program, typed by its kind: the op list, the rows it runs on, and the name a backend
 * binds it under (unique within one load). Runners hold these handles, never bare names.
 */
export interface Program<K extends ProgramKind = ProgramKind> {
  readonly kind: K;
  readonly name: string;
  readonly batch: number;
  readonly ops: OpCall[];
}

export function call<K extends OpName>(op: K, args: OpArgs<TensorRef>[K]): OpCall {
  return { op, args } as OpCall;
}

export function ref(id: string, role: TensorRole, shape: readonly number[], shared = false): TensorRef {
  return { id, role, shape: [...shape], ...(shared ? { shared } : {}) };
}

/** Same tensor seen with a different shape (e.g. a batch of fewer rows). */
export function reshape(t: TensorRef, shape: readonly number[]): TensorRef {
  return { ...t, shape: [...shape] };
}

/** Every TensorRef inside an op call's args (nested ones included), for allocation and binding. */
export function tensorsOf(c: OpCall): TensorRef[] {
  const found: TensorRef[] = [];
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    if ('id' in value && 'role' in value && 'shape' in value) {
      found.push(value as TensorRef);
      return;
    }
    for (const v of Object.values(value)) visit(v);
  };
  visit(c.args);
  return found;
}

/** Replaces every TensorRef in an op call's args with the backend's view of it. */
export function bindArgs<T>(c: OpCall, bind: (t: TensorRef) => T): unknown {
  const visit = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    if ('id' in value && 'role' in value && 'shape' in value) return bind(value as TensorRef);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = visit(v);
    return out;
  };
  return visit(c.args);
}
