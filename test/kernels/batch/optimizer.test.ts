// Model batches of the optimizer step: one dispatch for N models (workgroup z = model), each model
// updating its own slice with its own lr and step (its scalars row), its own gradient norm and
// max norm (Infinity: unclipped), and its own hyperparameters, equal to the reference run alone.

import { afterAll, describe, expect, it } from 'vitest';
import type { OpArgs } from '../../../src/ops/args.js';
import { OPTIMIZERS, type OptimizerName } from '../../../src/ops/names.js';
import type { CpuTensor } from '../../../src/ops/tensor.js';
import { cpuTensor } from '../../../src/ops/tensor.js';
import { Rng } from '../../../src/util/rng.js';
import { compareBatchedOp, type BatchResult } from '../../support/compare-batch.js';
import { randomTensor, type Tolerance } from '../../support/compare.js';
import { releaseTestGpu } from '../../support/gpu.js';
import { scalarsTensor } from '../../support/scalars.js';

afterAll(releaseTestGpu);

type Args = OpArgs<CpuTensor>['optimizer'];
type PerModel = NonNullable<Args['perModel']>;

// As test/kernels/optimizer.test.ts: one or two f32 multiply-adds of operands ~1, a few ulps.
const TOL: Tolerance = { atol: 2 ** -22, rtol: 2 ** -22 };
const KEEP = ['params', 'state1', 'state2'];
const SIZES = [1, 65, 257, 1031];
const MODELS = [1, 3, 7];

// Per-model values, model m taking entry m: lr, step, and every hyperparameter (weight decays are
// powers of two so g + wd·p is one rounding on both sides, as in the single-model test).
const LRS = [0.01, 0.003, 0.02, 0.001, 0.05, 0.0075, 0.01];
const STEPS = [1, 2, 10, 1000, 100_000, 3, 7];
const HYPER: Required<{ [K in keyof PerModel]: number[] }> = {
  weightDecay: [0.125, 0, 0.5, 0.25, 0.0625, 0, 1],
  momentum: [0.9, 0.5, 0.99, 0, 0.75, 0.9, 0.3],
  beta1: [0.9, 0, 0.5, 0.8, 0.95, 0.9, 0.6],
  beta2: [0.999, 0.9, 0.99, 0.9999, 0.95, 0.5, 0.999],
  rho: [0.9, 0.99, 0.5, 0, 0.95, 0.8, 0.9],
  epsilon: [1e-8, 1e-6, 1e-4, 1e-3, 1e-7, 1e-5, 1e-8],
  maxNorm: [],
};

/** Model m's scalars row: its own lr and step. */
const scalars = (m: number): CpuTensor => scalarsTensor({ lr: LRS[m], step: STEPS[m] });

/** Random states (second moments and accumulators >= 0), as the single-model test's. */
function states(name: OptimizerName, n: number, rng: Rng): Pick<Args, 'state1' | 'state2'> {
  if (name === 'sgd') return {};
  const s1 = randomTensor(rng, [n], name === 'rmsprop' || name === 'adagrad' ? 0 : -1, 1);
  return name === 'adam' || name === 'adamw' ? { state1: s1, state2: randomTensor(rng, [n], 0, 1) } : { state1: s1 };
}

/** ‖g‖² of the f32 gradient, as the sumSquares kernel computes it. */
function sumSquares(grads: CpuTensor): number {
  return grads.data.reduce((s, g) => s + Math.fround(g) ** 2, 0);
}

/** A clip-sensitive step (adam, rmsprop, adagrad) amplifies L2 decay's cancellation: see optimizer.test.ts. */
function wellConditioned(name: OptimizerName): boolean {
  return name !== 'adam' && name !== 'rmsprop' && name !== 'adagrad';
}

interface Case {
  /** Per-model hyperparameters (else every model uses the kind's defaults, one table row). */
  hyper: boolean;
  /** Clip each model to this multiple of its own gradient norm (Infinity: that model does not clip). */
  clipAt?: (m: number) => number;
  weightDecay?: number;
}

async function runBatch(name: OptimizerName, models: number, n: number, c: Case, rng: Rng): Promise<BatchResult> {
  const decayCount = Math.ceil(n / 2);
  const perModel: Record<string, number[]> = {};
  if (c.hyper) for (const [key, values] of Object.entries(HYPER)) if (values.length) perModel[key] = values.slice(0, models);
  const args: Args[] = Array.from({ length: models }, (_, m) => {
    const grads = randomTensor(rng, [n]);
    const norm = Math.sqrt(sumSquares(grads));
    return {
      optimizer: name, params: randomTensor(rng, [n]), grads, ...states(name, n, rng), scalars: scalars(m), decayCount,
      ...(c.weightDecay !== undefined ? { weightDecay: c.weightDecay } : {}),
      ...(c.clipAt ? { clip: { sumSquares: cpuTensor([1], [sumSquares(grads)]), maxNorm: c.clipAt(0) * norm } } : {}),
    };
  });
  if (c.clipAt) perModel.maxNorm = args.map((a, m) => c.clipAt!(m) * Math.sqrt(a.clip!.sumSquares.data[0]));
  const result = await compareBatchedOp('optimizer', { models: args, ...(Object.keys(perModel).length ? { perModel } : {}) }, TOL, KEEP);
  expect(result.workgroups.map((w) => w[2])).toEqual([models]);
  return result;
}

// Clipping on models 0, 2, 4, ... (active at 0.5, inactive at 2 alternately); odd models unclipped.
const MIXED_CLIP = (m: number) => (m % 2 === 1 ? Infinity : m % 4 === 0 ? 0.5 : 2);

describe('batched optimizer kernel', () => {
  for (const name of OPTIMIZERS) {
    describe(name, () => {
      it('per-model lr, step and hyperparameters, decay on the first half (N = 1, 3, 7; n = 1, 65, 257, 1031)', async () => {
        const rng = new Rng(31);
        for (const models of MODELS) for (const n of SIZES) await runBatch(name, models, n, { hyper: true }, rng);
      });

      it('clips each model by its own gradient norm, leaving models with an infinite max norm unclipped', async () => {
        const rng = new Rng(32);
        const hyper = wellConditioned(name);
        for (const models of MODELS) for (const n of SIZES) await runBatch(name, models, n, { hyper, clipAt: MIXED_CLIP, ...(hyper ? {} : { weightDecay: 0 }) }, rng);
      });

      it('one shared table row (no perModel) with one max norm, each model reading its own norm, lr and step', async () => {
        const rng = new Rng(33);
        for (const n of [7, 257]) await runBatch(name, 3, n, { hyper: false, clipAt: () => 0.5 }, rng);
      });
    });
  }

  it('an unclipped model is unscaled (factor exactly 1) even when its gradient norm overflowed', async () => {
    // Model 1's stat is Infinity (its sum of squares overflowed f32); with maxNorm = Infinity it
    // takes the plain step, where min(1, ∞/∞) would be NaN. Models 0 and 2 clip to norm 1.
    const rng = new Rng(34);
    const n = 33;
    const models: Args[] = [0, 1, 2].map((m) => ({
      optimizer: 'momentum', params: randomTensor(rng, [n]), grads: randomTensor(rng, [n]), state1: randomTensor(rng, [n]), scalars: scalars(m), decayCount: n,
      clip: { sumSquares: cpuTensor([1], [m === 1 ? Infinity : 4]), maxNorm: 1 },
    }));
    const result = await compareBatchedOp('optimizer', { models, perModel: { maxNorm: [1, Infinity, 1] } }, TOL, KEEP);
    expect(result.gpu.params[1].every(Number.isFinite)).toBe(true);
  });
});
