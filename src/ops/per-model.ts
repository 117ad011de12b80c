// The values one model of a batch sees: an op's `perModel` lists (one value per model, where the
// models differ) resolved for model m into the op's ordinary arguments. The CPU backend runs the
// reference on these, so each model of a batch computes exactly what it would alone.

import type { OpArgs, OpName } from './args.js';

type PerModelLists = Readonly<Record<string, readonly unknown[] | undefined>>;

function listsOf(args: unknown): PerModelLists | undefined {
  return (args as { perModel?: PerModelLists }).perModel;
}

/** Throws unless every per-model list of the op has exactly `models` values. */
export function checkPerModel(op: OpName, args: unknown, models: number): void {
  for (const [name, values] of Object.entries(listsOf(args) ?? {})) {
    if (values && values.length !== models) throw new RangeError(`${op}: perModel.${name} has ${values.length} values for a batch of ${models} models`);
  }
}

/** The op's arguments as model m sees them, with no `perModel` left. */
export function argsForModel<K extends OpName, T>(op: K, args: OpArgs<T>[K], m: number): OpArgs<T>[K] {
  const lists = listsOf(args);
  if (!lists) return args;
  const out: Record<string, unknown> = { ...(args as Record<string, unknown>) };
  delete out.perModel;
  for (const [name, values] of Object.entries(lists)) {
    if (!values) continue;
    const value = values[m];
    if (op === 'matmul' && name === 'activation' && out.gradOf) out.gradOf = { ...(out.gradOf as object), activation: value };
    else if (op === 'optimizer' && name === 'maxNorm') {
      if (out.clip) out.clip = { ...(out.clip as object), maxNorm: value };
    } else out[name] = value;
  }
  return out as OpArgs<T>[K];
}

/** A per-model value: model m's from the list when there is one, else the op's own. */
export function valueFor<V>(list: readonly V[] | undefined, own: V, m: number): V {
  return list ? list[m] : own;
}
