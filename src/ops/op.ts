// The shape of one entry in the op table: how an op validates its arguments and which arguments
// it writes. The GPU kernel and the CPU reference of the op are registered beside it (kernels/ and
// reference/), each as a typed record over every OpName so a missing implementation fails to compile.

import { ShapeError, shapeText } from '../util/errors.js';
import type { OpArgs, OpName } from './args.js';
import type { Shaped } from './tensor.js';
import { sizeOf } from './tensor.js';

export interface OpSpec<K extends OpName> {
  /** Throws ShapeError naming the op and the offending shapes; runs before any dispatch. */
  validate(args: OpArgs<Shaped>[K]): void;
  /** Argument names the op writes (tests poison these first and compare them afterwards). */
  outputs: readonly (keyof OpArgs<Shaped>[K])[];
}

export type OpSpecTable<Ks extends OpName> = { [K in Ks]: OpSpec<K> };

/** Shape helpers shared by the op validators. */
export function expectRank(op: string, name: string, t: Shaped, rank: number): void {
  if (t.shape.length !== rank) throw new ShapeError(op, `${name} has shape ${shapeText(t.shape)}, expected rank ${rank}`);
  if (t.shape.some((d) => !Number.isInteger(d) || d < 1)) throw new ShapeError(op, `${name} has shape ${shapeText(t.shape)}: every dimension must be an integer >= 1`);
}

export function expectSameShape(op: string, nameA: string, a: Shaped, nameB: string, b: Shaped): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(op, `${nameA} ${shapeText(a.shape)} and ${nameB} ${shapeText(b.shape)} must have the same shape`);
  }
}

export function expectShape(op: string, name: string, t: Shaped, shape: readonly number[], why = ''): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(op, `${name} has shape ${shapeText(t.shape)}, expected ${shapeText(shape)}${why ? ` (${why})` : ''}`);
  }
}

export function expectSize(op: string, name: string, t: Shaped, size: number, why = ''): void {
  if (sizeOf(t.shape) !== size) throw new ShapeError(op, `${name} has shape ${shapeText(t.shape)} (${sizeOf(t.shape)} values), expected ${size} values${why ? ` (${why})` : ''}`);
}

/** [rows, cols] of a rank-2 tensor after validation. */
export function dims2(t: Shaped): [number, number] {
  return [t.shape[0], t.shape[1]];
}
