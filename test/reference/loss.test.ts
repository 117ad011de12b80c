// Checks of the float64 loss reference itself: every loss's gradient against central finite
// differences of the batch-mean loss, hand-computed values, extreme logits, invalid class
// indices, and small worked cases of the reductions (ties, -0, accumulate).

import { describe, expect, it } from 'vitest';
import type { OpArgs } from '../../src/ops/args.js';
import type { LossName } from '../../src/ops/names.js';
import type { CpuTensor } from '../../src/ops/tensor.js';
import { cpuTensor } from '../../src/ops/tensor.js';
import { runReference } from '../../src/reference/index.js';
import { Rng } from '../../src/util/rng.js';

type LossArgs = OpArgs<CpuTensor>['loss'];

function runLoss(name: LossName, pred: CpuTensor, target: CpuTensor, huberDelta?: number): { rowLoss: Float64Array; grad: Float64Array } {
  const [rows, cols] = pred.shape;
  const args: LossArgs = { loss: name, pred, target, huberDelta, grad: cpuTensor([rows, cols]), rowLoss: cpuTensor([rows]) };
  runReference('loss', args);
  return { rowLoss: args.rowLoss.data, grad: args.grad.data };
}

function batchLoss(name: LossName, pred: CpuTensor, target: CpuTensor, huberDelta?: number): number {
  const { rowLoss } = runLoss(name, pred, target, huberDelta);
  return rowLoss.reduce((a, b) => a + b, 0) / rowLoss.length;
}

function uniform(rng: Rng, shape: number[], low: number, high: number): CpuTensor {
  return cpuTensor(shape, Array.from({ length: shape[0] * shape[1] }, () => rng.uniform(low, high)));
}

describe('loss reference gradients vs central differences', () => {
  // h = 1e-6: truncation error ~h^2 |L'''| ~ 1e-12 and cancellation ~eps |L| / h ~ 1e-10, both far
  // below 1e-6 relative of gradients that are ~1/(B C) ~ 0.05, so a 1e-8 floor plus 1e-6 relative.
  const H = 1e-6;
  const B = 4;
  const C = 5;
  const rng = new Rng(17);

  // Inputs keep away from the kinks (mae at d = 0, huber at |d| = delta), where the derivative
  // is one-sided and a central difference would average the two sides.
  const awayFromKinks = (name: LossName, delta: number) => (p: number, t: number) => {
    const d = Math.abs(p - t);
    return name === 'mae' ? d > 1e-3 : name === 'huber' ? Math.abs(d - delta) > 1e-3 : true;
  };

  const targets: Record<LossName, () => CpuTensor> = {
    mse: () => uniform(rng, [B, C], -2, 2),
    mae: () => uniform(rng, [B, C], -2, 2),
    huber: () => uniform(rng, [B, C], -2, 2),
    bce_logits: () => uniform(rng, [B, C], 0, 1),
    softmax_ce: () => cpuTensor([B, 1], [0, 4, 2, 1]),
    // Unnormalized on purpose: the softmax * sum(t) term must be right for any target mass.
    softmax_ce_dense: () => uniform(rng, [B, C], 0, 1),
  };

  const cases: { name: LossName; delta?: number }[] = [
    { name: 'mse' },
    { name: 'mae' },
    { name: 'huber' },
    { name: 'huber', delta: 0.4 },
    { name: 'bce_logits' },
    { name: 'softmax_ce' },
    { name: 'softmax_ce_dense' },
  ];

  for (const { name, delta } of cases) {
    it(`${name}${delta ? `(delta ${delta})` : ''}`, () => {
      const target = targets[name]();
      const pred = uniform(rng, [B, C], -3, 3);
      const ok = awayFromKinks(name, delta ?? 1);
      for (let i = 0; i < pred.data.length; i++) {
        while (target.shape[1] === C && !ok(pred.data[i], target.data[i])) pred.data[i] += 0.01;
      }
      const { grad } = runLoss(name, pred, target, delta);
      for (let i = 0; i < pred.data.length; i++) {
        const at = (v: number) => {
          const shifted = cpuTensor(pred.shape, pred.data);
          shifted.data[i] = v;
          return batchLoss(name, shifted, target, delta);
        };
        const numeric = (at(pred.data[i] + H) - at(pred.data[i] - H)) / (2 * H);
        expect(Math.abs(grad[i] - numeric), `${name} d/dpred[${i}]: analytic ${grad[i]}, numeric ${numeric}`).toBeLessThan(1e-8 + 1e-6 * Math.abs(numeric));
      }
    });
  }
});

describe('loss reference values', () => {
  it('match hand computation', () => {
    const pred = cpuTensor([1, 2], [1, -2]);
    const target = cpuTensor([1, 2], [0, 0]);
    expect(runLoss('mse', pred, target).rowLoss[0]).toBe(2.5); // (1 + 4) / 2
    expect(runLoss('mae', pred, target).rowLoss[0]).toBe(1.5);
    expect(runLoss('huber', pred, target).rowLoss[0]).toBe(1); // (0.5 + (2 - 0.5)) / 2
    expect(runLoss('huber', pred, target, 3).rowLoss[0]).toBe(1.25); // both quadratic
    expect(runLoss('mae', cpuTensor([1, 1], [2]), cpuTensor([1, 1], [2])).grad[0]).toBe(0);
    expect(runLoss('bce_logits', cpuTensor([1, 1], [0]), cpuTensor([1, 1], [1])).rowLoss[0]).toBeCloseTo(Math.LN2, 15);
    expect(runLoss('softmax_ce', cpuTensor([1, 2], [0, 0]), cpuTensor([1, 1], [1])).rowLoss[0]).toBeCloseTo(Math.LN2, 15);
    expect(runLoss('softmax_ce_dense', cpuTensor([1, 2], [0, 0]), cpuTensor([1, 2], [0.5, 0.5])).rowLoss[0]).toBeCloseTo(Math.LN2, 15);
  });

  it('divide the gradient by the batch size (the batch loss is a mean over rows)', () => {
    const one = runLoss('mse', cpuTensor([1, 1], [3]), cpuTensor([1, 1], [1])).grad[0];
    const two = runLoss('mse', cpuTensor([2, 1], [3, 3]), cpuTensor([2, 1], [1, 1])).grad[0];
    expect(one).toBe(4);
    expect(two).toBe(2);
  });

  it('stay finite at |logit| = 1e4', () => {
    const pred = cpuTensor([2, 3], [1e4, -1e4, 0, -1e4, -1e4, -1e4]);
    const ce = runLoss('softmax_ce', pred, cpuTensor([2, 1], [1, 0]));
    expect([...ce.rowLoss]).toEqual([2e4, Math.log(3)]);
    expect(ce.grad.every(Number.isFinite)).toBe(true);
    const dense = runLoss('softmax_ce_dense', pred, cpuTensor([2, 3], [0, 1, 0, 1, 0, 0]));
    expect([...dense.rowLoss]).toEqual([...ce.rowLoss]);
    const bce = runLoss('bce_logits', cpuTensor([2, 1], [1e4, -1e4]), cpuTensor([2, 1], [0, 0]));
    expect([...bce.rowLoss]).toEqual([1e4, 0]);
    expect([...bce.grad]).toEqual([0.5, 0]);
  });

  it('reject a softmax_ce class that is not an integer in [0, C)', () => {
    const pred = cpuTensor([1, 3], [0, 1, 2]);
    for (const bad of [3, -1, 1.5, NaN]) {
      expect(() => runLoss('softmax_ce', pred, cpuTensor([1, 1], [bad]))).toThrow(`softmax_ce: target class ${bad} is not an integer in [0, 2]`);
    }
  });
});

describe('reduction references', () => {
  const scalar = (op: 'sum' | 'sumSquares', x: number[], start?: number): number => {
    const out = cpuTensor([1], [start ?? Number.NaN]);
    runReference(op, { x: cpuTensor([x.length], x), out, accumulate: start !== undefined });
    return out.data[0];
  };

  it('sum and sumSquares write or accumulate into out[0]', () => {
    expect(scalar('sum', [1, -2, 3.5])).toBe(2.5);
    expect(scalar('sumSquares', [1, -2, 3])).toBe(14);
    expect(scalar('sum', [1, 2], 10)).toBe(13);
    expect(scalar('sumSquares', [1, 2], 10)).toBe(15);
  });

  it('accuracy: first maximum wins ties; [B, 1] indices, [B, C] targets and binary rows', () => {
    const count = (pred: CpuTensor, target: CpuTensor, threshold?: number) => {
      const out = cpuTensor([1]);
      runReference('accuracy', { pred, target, out, threshold });
      return out.data[0];
    };
    const pred = cpuTensor([3, 3], [1, 1, 0, 0, 2, 2, 0, 0, 0]);
    expect(count(pred, cpuTensor([3, 1], [0, 1, 0]))).toBe(3);
    expect(count(pred, cpuTensor([3, 1], [1, 2, 2]))).toBe(0);
    expect(count(pred, cpuTensor([3, 3], [0.2, 0.2, 0.6, 0, 1, 0, 5, 5, 5]))).toBe(2);
    const logits = cpuTensor([4, 1], [0, 0.2, -0.1, 3]);
    const labels = cpuTensor([4, 1], [0, 1, 1, 0.7]);
    expect(count(logits, labels)).toBe(3); // 0 is not > 0, so row 0 predicts 0 (right)
    expect(count(logits, labels, 0.5)).toBe(2);
  });

  it('deadUnits counts columns that are 0 (or -0) in every row', () => {
    const out = cpuTensor([1], [1]);
    runReference('deadUnits', { y: cpuTensor([2, 4], [0, 1, -0, NaN, 0, 0, 0, 0]), out, accumulate: true });
    expect(out.data[0]).toBe(3);
  });
});
