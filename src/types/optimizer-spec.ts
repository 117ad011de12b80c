// The optimizer a training run uses, as plain data: what fit() and the CLI's config accept and the
// graph's optimizer step is built from. Kept below graph/ and train/, which both read it.

import type { OptimizerName } from '../ops/names.js';

export interface OptimizerSpec {
  name: OptimizerName;
  lr: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  rho?: number;
  epsilon?: number;
  /** L2 penalty (added to the gradient) for all optimizers except adamw, where it is decoupled. */
  weightDecay?: number;
}
