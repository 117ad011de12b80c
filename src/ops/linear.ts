// Op table entries for the dense-layer ops: matmul (with its fused bias / activation / backward
// epilogues) and biasGrad. Validation names the op and the offending shapes, and rejects argument
// combinations the fused kernel does not define, before anything is created or dispatched.

import { ShapeError, shapeText } from '../util/errors.js';
import type { OpArgs } from './args.js';
import type { OpSpecTable } from './op.js';
import { dims2, expectRank, expectShape } from './op.js';
import type { Shaped } from './tensor.js';

/** [M, K, N] of a matmul after the transposes: out is [M, N], the product runs over K. */
export function matmulDims({ a, b, transA, transB }: Pick<OpArgs<Shaped>['matmul'], 'a' | 'b' | 'transA' | 'transB'>): [number, number, number] {
  const [a0, a1] = dims2(a);
  const [b0, b1] = dims2(b);
  const [m, k] = transA ? [a1, a0] : [a0, a1];
  const n = transB ? b0 : b1;
  return [m, k, n];
}

function validateMatmul(args: OpArgs<Shaped>['matmul']): void {
  const { a, b, out, transA, transB, bias, activation, preActivation, gradOf } = args;
  expectRank('matmul', 'a', a, 2);
  expectRank('matmul', 'b', b, 2);
  const [m, k, n] = matmulDims(args);
  const kb = transB ? b.shape[1] : b.shape[0];
  if (k !== kb) {
    const name = (label: string, t: Shaped, trans: boolean) => `${label} ${shapeText(t.shape)}${trans ? ' (transposed)' : ''}`;
    throw new ShapeError('matmul', `${name('a', a, transA)} and ${name('b', b, transB)}: inner dimensions differ (${k} vs ${kb})`);
  }
  expectShape('matmul', 'out', out, [m, n], 'rows of op(a) by columns of op(b)');
  if (bias) expectShape('matmul', 'bias', bias, [n], 'one per output column');
  if (preActivation) expectShape('matmul', 'preActivation', preActivation, [m, n], 'same as out');
  if (gradOf) {
    expectShape('matmul', 'gradOf.z', gradOf.z, [m, n], 'same as out');
    // The backward epilogue scales the bare product; a bias, a forward activation or a saved
    // pre-activation on top of it has no meaning in dX = (dY . W^T) * act'(z).
    const extra = [bias && 'bias', activation && activation.name !== 'identity' && 'activation', preActivation && 'preActivation'].filter(Boolean);
    if (extra.length > 0) throw new ShapeError('matmul', `gradOf cannot be combined with ${extra.join(', ')} (the backward epilogue only multiplies the product by act'(z))`);
  }
}

export const linearSpecs: OpSpecTable<'matmul' | 'biasGrad'> = {
  matmul: {
    validate: validateMatmul,
    outputs: ['out', 'preActivation'],
  },
  biasGrad: {
    validate: ({ dy, out }) => {
      expectRank('biasGrad', 'dy', dy, 2);
      expectShape('biasGrad', 'out', out, [dy.shape[1]], `one per column of dy ${shapeText(dy.shape)}`);
    },
    outputs: ['out'],
  },
};
