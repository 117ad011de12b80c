// Op table entries for the loss family: the per-row loss with its gradient, and the scalar
// reductions into out[0] (sum, sum of squares, accuracy count, dead-unit count).

import { InputError, ShapeError, shapeText } from '../util/errors.js';
import type { OpSpecTable } from './op.js';
import { dims2, expectRank, expectSameShape, expectShape } from './op.js';
import type { Shaped } from './tensor.js';

/** A scalar reduction writes out [1]. */
function expectScalarOut(op: string, out: Shaped): void {
  expectShape(op, 'out', out, [1], 'a scalar reduction writes out[0]');
}

/** sum / sumSquares take any rank >= 1 (they see a flat array); each dimension must be >= 1. */
function expectFlat(op: string, x: Shaped): void {
  expectRank(op, 'x', x, Math.max(1, x.shape.length));
}

export const lossSpecs: OpSpecTable<'loss' | 'sum' | 'sumSquares' | 'accuracy' | 'deadUnits'> = {
  loss: {
    validate: ({ loss, pred, target, grad, rowLoss, huberDelta }) => {
      expectRank('loss', 'pred', pred, 2);
      const [rows] = dims2(pred);
      if (loss === 'softmax_ce') expectShape('loss', 'target', target, [rows, 1], `softmax_ce takes one class index per row of pred ${shapeText(pred.shape)}`);
      else expectSameShape('loss', 'pred', pred, 'target', target);
      expectShape('loss', 'rowLoss', rowLoss, [rows], `one loss per row of pred ${shapeText(pred.shape)}`);
      expectSameShape('loss', 'pred', pred, 'grad', grad);
      if (huberDelta !== undefined && !(Number.isFinite(huberDelta) && huberDelta > 0)) {
        throw new InputError('loss.huberDelta', huberDelta, 'a finite number > 0');
      }
    },
    outputs: ['rowLoss', 'grad'],
  },
  sum: {
    validate: ({ x, out }) => {
      expectFlat('sum', x);
      expectScalarOut('sum', out);
    },
    outputs: ['out'],
  },
  sumSquares: {
    validate: ({ x, out }) => {
      expectFlat('sumSquares', x);
      expectScalarOut('sumSquares', out);
    },
    outputs: ['out'],
  },
  accuracy: {
    validate: ({ pred, target, out }) => {
      expectRank('accuracy', 'pred', pred, 2);
      expectRank('accuracy', 'target', target, 2);
      const [rows, cols] = dims2(pred);
      const [tRows, tCols] = dims2(target);
      if (tRows !== rows || (tCols !== 1 && tCols !== cols)) {
        throw new ShapeError('accuracy', `target ${shapeText(target.shape)} must be [${rows}, 1] (class indices or binary labels) or [${rows}, ${cols}] like pred ${shapeText(pred.shape)}`);
      }
      expectScalarOut('accuracy', out);
    },
    outputs: ['out'],
  },
  deadUnits: {
    validate: ({ y, out }) => {
      expectRank('deadUnits', 'y', y, 2);
      expectScalarOut('deadUnits', out);
    },
    outputs: ['out'],
  },
};
