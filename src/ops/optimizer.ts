// Op table entry for the optimizer step: every state tensor matches the flat parameter buffer,
// the states an optimizer reads are present, and hyperparameters are finite and in range (lr and
// step are runtime values in scalars, checked by whoever writes them).

import { InputError, ShapeError, shapeText } from '../util/errors.js';
import type { OptimizerHyperparameters } from './defaults.js';
import { SCALARS_LENGTH } from './args.js';
import { OPTIMIZERS } from './names.js';
import type { OpSpecTable } from './op.js';
import { expectRank, expectSameShape, expectShape } from './op.js';

const OP = 'optimizer';

/** Range checks for the optional hyperparameters, with the text an InputError shows. */
const UNIT = { ok: (v: number) => v >= 0 && v < 1, expected: 'a number in [0, 1)' };
const RANGES: Record<keyof OptimizerHyperparameters, { ok: (v: number) => boolean; expected: string }> = {
  weightDecay: { ok: (v) => v >= 0, expected: 'a finite number >= 0' },
  momentum: UNIT,
  beta1: UNIT,
  beta2: UNIT,
  rho: UNIT,
  // > 0 so a zero gradient on a zero accumulator gives 0/ε = 0, not 0/0.
  epsilon: { ok: (v) => v > 0, expected: 'a finite number > 0' },
};

function needsState1(name: string): boolean {
  return name !== 'sgd';
}

function needsState2(name: string): boolean {
  return name === 'adam' || name === 'adamw';
}

export const optimizerSpecs: OpSpecTable<'optimizer'> = {
  optimizer: {
    validate: (args) => {
      const { optimizer, params, grads, state1, state2, scalars, decayCount, clip } = args;
      if (!(OPTIMIZERS as readonly string[]).includes(optimizer)) throw new InputError(`${OP}.optimizer`, optimizer, `one of ${OPTIMIZERS.join(', ')}`);
      expectRank(OP, 'params', params, 1);
      expectSameShape(OP, 'params', params, 'grads', grads);
      if (needsState1(optimizer) && !state1) throw new ShapeError(OP, `${optimizer} needs state1 ${shapeText(params.shape)}, got none`);
      if (needsState2(optimizer) && !state2) throw new ShapeError(OP, `${optimizer} needs state2 ${shapeText(params.shape)}, got none`);
      if (state1) expectSameShape(OP, 'params', params, 'state1', state1);
      if (state2) expectSameShape(OP, 'params', params, 'state2', state2);
      expectShape(OP, 'scalars', scalars, [SCALARS_LENGTH]);
      const n = params.shape[0];
      if (!Number.isInteger(decayCount) || decayCount < 0 || decayCount > n) {
        throw new ShapeError(OP, `decayCount ${decayCount} must be an integer in [0, ${n}] for params ${shapeText(params.shape)}`);
      }
      for (const key of Object.keys(RANGES) as (keyof OptimizerHyperparameters)[]) {
        const values = [args[key], ...(args.perModel?.[key] ?? [])];
        for (const value of values) {
          if (value !== undefined && !(Number.isFinite(value) && RANGES[key].ok(value))) throw new InputError(`${OP}.${key}`, value, RANGES[key].expected);
        }
      }
      if (clip) {
        expectShape(OP, 'clip.sumSquares', clip.sumSquares, [1]);
        // Infinity leaves a model of a batch unclipped (factor min(1, inf) = 1).
        for (const maxNorm of [clip.maxNorm, ...(args.perModel?.maxNorm ?? [])]) {
          if (!(maxNorm > 0)) throw new InputError(`${OP}.clip.maxNorm`, maxNorm, 'a number > 0 (Infinity: no clipping)');
        }
      }
    },
    outputs: ['params', 'state1', 'state2'],
  },
};
