// The per-step scalars tensor a test hands an op (one model's row of SCALARS_LENGTH): the named
// slots set (lr, step, rngStep, batchOffset), every other slot 0.

import { SCALAR, SCALARS_LENGTH } from '../../src/ops/args.js';
import type { CpuTensor } from '../../src/ops/tensor.js';
import { cpuTensor } from '../../src/ops/tensor.js';

export function scalarsTensor(values: Partial<Record<keyof typeof SCALAR, number>>): CpuTensor {
  const t = cpuTensor([SCALARS_LENGTH]);
  for (const [slot, value] of Object.entries(values) as [keyof typeof SCALAR, number][]) t.data[SCALAR[slot]] = value;
  return t;
}
