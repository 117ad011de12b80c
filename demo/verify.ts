// The cross-backend check: two copies of the current model with identical weights take one
// training step (same batch, no shuffle) on WebGPU and on the CPU reference; the page shows the
// largest relative difference of the resulting params and of the updates. Runs once with plain
// SGD (the update is lr x gradient, so it compares gradients) and once with the session's optimizer.

import type { Backend, Model, OptimizerSpec, TrainOptions } from '../src/index.js';
import { cpuBackend, exclusive } from './backend.js';
import type { Session } from './session.js';
import { cloneModel } from './session.js';

export interface VerifyResult {
  optimizer: string;
  paramRelDiff: number;
  updateRelDiff: number;
  maxAbsDiff: number;
  /** Worst |gpu − cpu| / (2e-4·max|p| + 1e-4·|cpu|): the README's GPU-vs-CPU training tolerance; ≤ 1 passes. */
  toleranceUse: number;
  pass: boolean;
}

/** The documented GPU vs CPU training tolerance (README, "Kernel tolerances"): atol 2e-4·max|p|, rtol 1e-4. */
export const VERIFY_TOLERANCE = { atolOfMax: 2e-4, rtol: 1e-4 } as const;

export async function verifyStep(session: Session, gpu: Backend): Promise<VerifyResult[]> {
  const own = session.settings.optimizer;
  const optimizers: OptimizerSpec[] = own.name === 'sgd' ? [own] : [{ name: 'sgd', lr: own.lr }, own];
  const out: VerifyResult[] = [];
  for (const optimizer of optimizers) out.push({ ...(await verifyWith(session, gpu, optimizer)), optimizer: optimizer.name });
  return out;
}

async function verifyWith(session: Session, gpu: Backend, optimizer: OptimizerSpec): Promise<Omit<VerifyResult, 'optimizer'>> {
  const before = session.model.params.slice();
  const a = cloneModel(session.model);
  const b = cloneModel(session.model);
  const options = (backend: Backend): TrainOptions => ({
    backend,
    epochs: 1,
    maxSteps: 1,
    batchSize: session.settings.batchSize,
    optimizer,
    clipNorm: session.settings.clipNorm,
    shuffle: false,
    seed: session.settings.seed,
  });
  const cpu = await cpuBackend();
  await exclusive(() => a.fit(session.train, options(gpu)));
  await exclusive(() => b.fit(session.train, options(cpu)));
  return compare(before, a, b);
}

function compare(before: Float32Array, gpuModel: Model, cpuModel: Model): Omit<VerifyResult, 'optimizer'> {
  let paramRelDiff = 0;
  let maxAbsDiff = 0;
  let updateDiff = 0;
  let updateScale = 0;
  let maxP = 0;
  for (const c of cpuModel.params) maxP = Math.max(maxP, Math.abs(c));
  let toleranceUse = 0;
  for (let i = 0; i < before.length; i++) {
    const g = gpuModel.params[i];
    const c = cpuModel.params[i];
    const d = Math.abs(g - c);
    maxAbsDiff = Math.max(maxAbsDiff, d);
    // Floor the denominator so padding zeros and tiny weights do not blow the ratio up.
    paramRelDiff = Math.max(paramRelDiff, d / Math.max(Math.abs(c), 1e-3));
    updateDiff = Math.max(updateDiff, d);
    updateScale = Math.max(updateScale, Math.abs(c - before[i]));
    const allowed = VERIFY_TOLERANCE.atolOfMax * maxP + VERIFY_TOLERANCE.rtol * Math.abs(c);
    // NaN never passes: a NaN difference makes the use NaN, which fails `<= 1`.
    toleranceUse = Math.max(toleranceUse, Number.isNaN(d) ? NaN : d / (allowed || 1e-30));
  }
  return { paramRelDiff, updateRelDiff: updateScale > 0 ? updateDiff / updateScale : 0, maxAbsDiff, toleranceUse, pass: toleranceUse <= 1 };
}
