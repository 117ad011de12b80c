// Op table entries for the structural ops: dropout forward/backward, layer norm forward/backward,
// and the row gather that assembles a batch from the epoch's permutation. Bad hyperparameters
// (dropout p, layer-norm epsilon) are InputErrors; disagreeing shapes are ShapeErrors.

import { InputError, ShapeError, shapeText } from '../util/errors.js';
import { SCALARS_LENGTH } from './args.js';
import type { OpSpecTable } from './op.js';
import { dims2, expectRank, expectSameShape, expectShape } from './op.js';
import type { Shaped } from './tensor.js';

function expectScalars(op: string, scalars: Shaped): void {
  expectShape(op, 'scalars', scalars, [SCALARS_LENGTH], 'the per-step scalars tensor');
}

/** p = 0 is the identity; p = 1 would drop everything and divide by zero. Each model's rate of a batch too. */
function expectDropoutRate(op: string, p: number, perModel: readonly number[] = []): void {
  for (const rate of [p, ...perModel]) if (!(rate >= 0 && rate < 1)) throw new InputError(`${op}.p`, rate, 'a dropout rate in [0, 1)');
}

/** x [B, N] with gamma [N], mean [B], rstd [B]; returns [B, N]. */
function expectNormShapes(op: string, x: Shaped, gamma: Shaped, mean: Shaped, rstd: Shaped): [number, number] {
  expectRank(op, 'x', x, 2);
  const [rows, cols] = dims2(x);
  expectShape(op, 'gamma', gamma, [cols], `one gain per column of x ${shapeText(x.shape)}`);
  expectShape(op, 'mean', mean, [rows], 'one value per row of x');
  expectShape(op, 'rstd', rstd, [rows], 'one value per row of x');
  return [rows, cols];
}

export const structureSpecs: OpSpecTable<'dropout' | 'dropoutGrad' | 'layerNorm' | 'layerNormGrad' | 'gather'> = {
  dropout: {
    validate: ({ x, y, p, scalars, perModel }) => {
      expectDropoutRate('dropout', p, perModel?.p);
      expectSameShape('dropout', 'x', x, 'y', y);
      expectScalars('dropout', scalars);
    },
    outputs: ['y'],
  },
  dropoutGrad: {
    validate: ({ dy, dx, p, scalars, perModel }) => {
      expectDropoutRate('dropoutGrad', p, perModel?.p);
      expectSameShape('dropoutGrad', 'dy', dy, 'dx', dx);
      expectScalars('dropoutGrad', scalars);
    },
    outputs: ['dx'],
  },
  layerNorm: {
    validate: ({ x, gamma, beta, y, mean, rstd, epsilon }) => {
      if (epsilon !== undefined && !(epsilon > 0 && Number.isFinite(epsilon))) {
        throw new InputError('layerNorm.epsilon', epsilon, 'a finite number > 0');
      }
      const [, cols] = expectNormShapes('layerNorm', x, gamma, mean, rstd);
      expectShape('layerNorm', 'beta', beta, [cols], 'one offset per column of x');
      expectSameShape('layerNorm', 'x', x, 'y', y);
    },
    outputs: ['y', 'mean', 'rstd'],
  },
  layerNormGrad: {
    validate: ({ dy, x, gamma, mean, rstd, dx, dgamma, dbeta }) => {
      expectNormShapes('layerNormGrad', x, gamma, mean, rstd);
      expectSameShape('layerNormGrad', 'x', x, 'dy', dy);
      expectSameShape('layerNormGrad', 'x', x, 'dx', dx);
      expectSameShape('layerNormGrad', 'gamma', gamma, 'dgamma', dgamma);
      expectSameShape('layerNormGrad', 'gamma', gamma, 'dbeta', dbeta);
    },
    outputs: ['dx', 'dgamma', 'dbeta'],
  },
  gather: {
    validate: ({ src, indices, dst, scalars }) => {
      expectRank('gather', 'src', src, 2);
      expectRank('gather', 'dst', dst, 2);
      expectRank('gather', 'indices', indices, 1);
      expectScalars('gather', scalars);
      if (src.shape[1] !== dst.shape[1]) {
        throw new ShapeError('gather', `src ${shapeText(src.shape)} and dst ${shapeText(dst.shape)} must have the same row width`);
      }
      if (dst.shape[0] > indices.shape[0]) {
        throw new ShapeError('gather', `dst ${shapeText(dst.shape)} has more rows than indices ${shapeText(indices.shape)} holds`);
      }
    },
    outputs: ['dst'],
  },
};
