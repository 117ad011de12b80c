// Op table entries for the elementwise ops: activation forward/backward, row softmax, add.

import type { OpSpecTable } from './op.js';
import { expectRank, expectSameShape } from './op.js';

export const pointwiseSpecs: OpSpecTable<'activation' | 'activationGrad' | 'softmax' | 'add'> = {
  activation: {
    validate: ({ x, y }) => expectSameShape('activation', 'x', x, 'y', y),
    outputs: ['y'],
  },
  activationGrad: {
    validate: ({ z, dy, dx }) => {
      expectSameShape('activationGrad', 'z', z, 'dy', dy);
      expectSameShape('activationGrad', 'dy', dy, 'dx', dx);
    },
    outputs: ['dx'],
  },
  softmax: {
    validate: ({ x, y }) => {
      expectRank('softmax', 'x', x, 2);
      expectSameShape('softmax', 'x', x, 'y', y);
    },
    outputs: ['y'],
  },
  add: {
    validate: ({ a, b, out }) => {
      expectSameShape('add', 'a', a, 'b', b);
      expectSameShape('add', 'a', a, 'out', out);
    },
    outputs: ['out'],
  },
};
