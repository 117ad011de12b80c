// Float64 checks of the optimizer reference against the conventions it documents: sgd descends a
// quadratic, Adam's bias-corrected first step is lr·sign(g), AdamW decays only i < decayCount,
// clipping scales the gradient to maxNorm, and L2 decay is the gradient of (wd/2)·‖p‖².

import { describe, expect, it } from 'vitest';
import type { OpArgs } from '../../src/ops/args.js';
import { SCALAR, SCALARS_LENGTH } from '../../src/ops/args.js';
import type { OptimizerName } from '../../src/ops/names.js';
import type { CpuTensor } from '../../src/ops/tensor.js';
import { cpuTensor } from '../../src/ops/tensor.js';
import { runReference } from '../../src/reference/index.js';
import { CLIP_EPSILON, OPTIMIZER_DEFAULTS, optimizerHyperparameters } from '../../src/ops/defaults.js';

type Args = OpArgs<CpuTensor>['optimizer'];

function scalars(lr: number, t: number): CpuTensor {
  const s = cpuTensor([SCALARS_LENGTH]);
  s.data[SCALAR.lr] = lr;
  s.data[SCALAR.step] = t;
  return s;
}

/** Args with fresh (zero) states for the optimizer and decay on every element. */
function argsFor(optimizer: OptimizerName, params: number[], grads: number[], lr: number, t = 1, extra: Partial<Args> = {}): Args {
  const n = params.length;
  return {
    optimizer,
    params: cpuTensor([n], params),
    grads: cpuTensor([n], grads),
    state1: optimizer === 'sgd' ? undefined : cpuTensor([n]),
    state2: optimizer === 'adam' || optimizer === 'adamw' ? cpuTensor([n]) : undefined,
    scalars: scalars(lr, t),
    decayCount: n,
    ...extra,
  };
}

function step(args: Args): number[] {
  runReference('optimizer', args);
  return [...args.params.data];
}

describe('optimizer reference', () => {
  it('sgd moves against the gradient of a quadratic and converges to its minimum', () => {
    // f(p) = ½ Σ a_i (p_i − c_i)², ∇f = a (p − c); lr < 2/max(a) converges.
    const a = [1, 3, 0.5];
    const c = [2, -1, 0.25];
    const f = (p: number[]) => p.reduce((s, x, i) => s + 0.5 * a[i] * (x - c[i]) ** 2, 0);
    const grad = (p: number[]) => p.map((x, i) => a[i] * (x - c[i]));
    let p = [0, 0, 0];
    for (let t = 1; t <= 500; t++) {
      const g = grad(p);
      const next = step(argsFor('sgd', p, g, 0.1, t));
      next.forEach((x, i) => expect(x).toBe(p[i] - 0.1 * g[i]));
      expect(f(next)).toBeLessThan(f(p));
      p = next;
    }
    p.forEach((x, i) => expect(x).toBeCloseTo(c[i], 9)); // slowest mode contracts by 0.95 a step
  });

  it("adam's first step is lr·sign(g) whatever β1, β2 (bias correction)", () => {
    const g = [0.5, -2, 1e-2, -3e-3];
    for (const [beta1, beta2] of [[0.9, 0.999], [0.5, 0.9], [0, 0.99]]) {
      const p = step(argsFor('adam', [0, 0, 0, 0], g, 0.1, 1, { beta1, beta2 }));
      // |g|/(|g| + ε) = 1 − ε/|g| to first order: within 1e-8/3e-3 relative of lr.
      p.forEach((x, i) => expect(Math.abs(x + 0.1 * Math.sign(g[i]))).toBeLessThan(0.1 * (1e-8 / Math.abs(g[i])) * 1.01));
    }
  });

  it('adam under a constant gradient keeps stepping lr·sign(g): m̂ and v̂ are unbiased at every t', () => {
    const args = argsFor('adam', [1, 1], [0.3, -0.7], 0.01);
    for (let t = 1; t <= 50; t++) {
      args.scalars.data[SCALAR.step] = t;
      const before = [...args.params.data];
      runReference('optimizer', args);
      expect(args.params.data[0] - before[0]).toBeCloseTo(-0.01, 9);
      expect(args.params.data[1] - before[1]).toBeCloseTo(0.01, 9);
    }
  });

  it('adamw decays only i < decayCount, decoupled from the gradient', () => {
    // Zero gradient: adam's part is 0/(0+ε) = 0, so only the decay p·(1 − lr·wd) remains.
    const p0 = [1, -2, 3, -4, 5];
    const args = argsFor('adamw', p0, [0, 0, 0, 0, 0], 0.1, 1, { weightDecay: 0.5, decayCount: 2 });
    expect(step(args)).toEqual([1 * 0.95, -2 * 0.95, 3, -4, 5]);
    expect([...args.state1!.data, ...args.state2!.data].every((v) => v === 0)).toBe(true);
    // Adam's L2 instead feeds wd·p through the adaptive step: lr·sign(p) for i < decayCount.
    const l2 = step(argsFor('adam', p0, [0, 0, 0, 0, 0], 0.1, 1, { weightDecay: 0.5, decayCount: 2 }));
    // (within lr·ε/(wd·|p|) = 2e-9 of it)
    expect(l2[0]).toBeCloseTo(0.9, 8);
    expect(l2[1]).toBeCloseTo(-1.9, 8);
    expect(l2.slice(2)).toEqual([3, -4, 5]);
  });

  it('clipping scales the gradient to maxNorm (up to the 1e-6 in the denominator) and keeps its direction', () => {
    const g = [3, -4, 12, 0]; // norm 13
    const sumSquares = cpuTensor([1], [169]);
    const clipped = step(argsFor('sgd', [0, 0, 0, 0], g, 1, 1, { clip: { sumSquares, maxNorm: 2 } }));
    const norm = Math.hypot(...clipped);
    expect(norm).toBeCloseTo((2 * 13) / (13 + CLIP_EPSILON), 14);
    expect(Math.abs(norm - 2)).toBeLessThan(2e-7);
    clipped.forEach((x, i) => expect(x).toBeCloseTo((-g[i] * 2) / (13 + CLIP_EPSILON), 14));
    // Inactive (norm below maxNorm): the gradient passes unchanged.
    expect(step(argsFor('sgd', [0, 0, 0, 0], g, 1, 1, { clip: { sumSquares, maxNorm: 20 } }))).toEqual(g.map((x) => 0 - x));
    // A zero gradient stays zero rather than 0/0.
    expect(step(argsFor('sgd', [0, 0], [0, 0], 1, 1, { clip: { sumSquares: cpuTensor([1]), maxNorm: 1 } }))).toEqual([0, 0]);
  });

  it('L2 decay adds the gradient of (wd/2)·‖p‖² (central differences)', () => {
    const wd = 0.3;
    const p0 = [0.7, -1.3, 2.1];
    const penalty = (p: number[]) => (wd / 2) * p.reduce((s, x) => s + x * x, 0);
    // sgd with lr = 1 and a zero gradient moves by exactly −(L2 term).
    const moved = step(argsFor('sgd', p0, [0, 0, 0], 1, 1, { weightDecay: wd }));
    const h = 1e-6;
    p0.forEach((x, i) => {
      const plus = [...p0];
      const minus = [...p0];
      plus[i] = x + h;
      minus[i] = x - h;
      const numeric = (penalty(plus) - penalty(minus)) / (2 * h);
      expect(Math.abs(p0[i] - moved[i] - numeric)).toBeLessThan(1e-6 * Math.abs(numeric));
    });
  });

  it('momentum and nesterov follow PyTorch: v = μv + g; nesterov steps by g + μv', () => {
    const mu = 0.9;
    const m = argsFor('momentum', [0], [1], 1);
    const n = argsFor('nesterov', [0], [1], 1);
    let v = 0;
    let pm = 0;
    let pn = 0;
    for (let t = 1; t <= 5; t++) {
      v = mu * v + 1;
      pm -= v;
      pn -= 1 + mu * v;
      expect(step(m)[0]).toBeCloseTo(pm, 12);
      expect(step(n)[0]).toBeCloseTo(pn, 12);
      expect(m.state1!.data[0]).toBeCloseTo(v, 12);
    }
  });

  it('rmsprop and adagrad divide by the root of their accumulators, ε outside the root', () => {
    const rms = argsFor('rmsprop', [0], [2], 0.1);
    expect(step(rms)[0]).toBeCloseTo(-(0.1 * 2) / (Math.sqrt(0.1 * 4) + 1e-7), 14);
    expect(rms.state1!.data[0]).toBeCloseTo(0.4, 14);
    const ada = argsFor('adagrad', [0], [2], 0.1);
    step(ada);
    expect(ada.params.data[0]).toBeCloseTo(-(0.1 * 2) / (2 + 1e-7), 14);
    ada.grads.data[0] = 2;
    step(ada);
    expect(ada.state1!.data[0]).toBe(8);
    expect(ada.params.data[0]).toBeCloseTo(-(0.1 * 2) / (2 + 1e-7) - (0.1 * 2) / (Math.sqrt(8) + 1e-7), 14);
  });

  it('fills defaults per optimizer and lets explicit values win', () => {
    expect(OPTIMIZER_DEFAULTS.adam).toEqual({ weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    expect(OPTIMIZER_DEFAULTS.rmsprop).toEqual({ weightDecay: 0, rho: 0.9, epsilon: 1e-7 });
    expect(optimizerHyperparameters({ optimizer: 'momentum' }).momentum).toBe(0.9);
    expect(optimizerHyperparameters({ optimizer: 'adagrad', epsilon: 1e-3 })).toEqual({ weightDecay: 0, momentum: 0, beta1: 0, beta2: 0, rho: 0, epsilon: 1e-3 });
  });
});
