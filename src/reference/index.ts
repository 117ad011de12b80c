// The float64 CPU reference of every op, keyed like the op table. It is the specification each WGSL
// kernel is tested against, and the CPU backend runs the same graph through it.

import type { OpArgs, OpName } from '../ops/args.js';
import type { CpuTensor } from '../ops/tensor.js';
import { opSpecs } from '../ops/table.js';
import * as pointwise from './pointwise.js';
import * as linear from './linear.js';
import * as loss from './loss.js';
import * as optimizer from './optimizer.js';
import * as structure from './structure.js';

export type ReferenceOp<K extends OpName> = (args: OpArgs<CpuTensor>[K]) => void;

export const referenceOps = {
  activation: pointwise.activation,
  activationGrad: pointwise.activationGrad,
  softmax: pointwise.softmax,
  add: pointwise.add,
  matmul: linear.matmul,
  biasGrad: linear.biasGrad,
  loss: loss.loss,
  sum: loss.sum,
  sumSquares: loss.sumSquares,
  accuracy: loss.accuracy,
  deadUnits: loss.deadUnits,
  optimizer: optimizer.optimizer,
  dropout: structure.dropout,
  dropoutGrad: structure.dropoutGrad,
  layerNorm: structure.layerNorm,
  layerNormGrad: structure.layerNormGrad,
  gather: structure.gather,
} satisfies { [K in OpName]: ReferenceOp<K> };

/** Validates then runs one op on the reference. */
export function runReference<K extends OpName>(op: K, args: OpArgs<CpuTensor>[K]): void {
  (opSpecs[op] as unknown as { validate(a: unknown): void }).validate(args);
  (referenceOps[op] as unknown as ReferenceOp<K>)(args);
}
