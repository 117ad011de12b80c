// Op constants and defaults: the numbers an op means when its caller leaves them out, and the
// constants its definition fixes. The GPU kernels, the float64 reference and validation all read
// them here, so a kernel never takes a number from the reference it is checked against.

import type { OpArgs } from './args.js';
import type { ActivationName, OptimizerName } from './names.js';

/** SELU's fixed alpha and scale (Klambauer et al. 2017). */
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;

/** An activation's alpha when none is given: leaky_relu's slope 0.01, elu's scale 1; 0 (unused) otherwise. */
export function defaultAlpha(name: ActivationName): number {
  return name === 'leaky_relu' ? 0.01 : name === 'elu' ? 1 : 0;
}

/** Huber's delta when none is given: quadratic for |p - t| <= 1, linear beyond. */
export const DEFAULT_HUBER_DELTA = 1;

/** Binary accuracy's cut on the single logit: pred > 0 (probability > 0.5) means class 1. */
export const DEFAULT_ACCURACY_THRESHOLD = 0;

/** Layer norm's variance epsilon when none is given (PyTorch's default). */
export const LAYER_NORM_EPSILON = 1e-5;

/**
 * Added to the gradient norm before dividing, so an all-zero gradient gives a finite factor
 * (min(1, maxNorm / 1e-6) = 1) instead of 0/0. It makes the clipped norm maxNorm·‖g‖/(‖g‖+1e-6),
 * i.e. maxNorm to within 1e-6 absolute, as torch.nn.utils.clip_grad_norm_ does.
 */
export const CLIP_EPSILON = 1e-6;

/** Every hyperparameter an optimizer step can read (lr and step come from the scalars tensor). */
export interface OptimizerHyperparameters {
  weightDecay: number;
  momentum: number;
  beta1: number;
  beta2: number;
  rho: number;
  epsilon: number;
}

/**
 * Defaults per optimizer, listing only what each one uses. Adam's are PyTorch's; rmsprop's
 * rho = 0.9 and epsilon = 1e-7 (rmsprop, adagrad) are Keras' defaults (PyTorch uses 0.99 / 1e-8 /
 * 1e-10), chosen because they are the friendlier defaults in f32.
 */
export const OPTIMIZER_DEFAULTS = {
  sgd: { weightDecay: 0 },
  momentum: { weightDecay: 0, momentum: 0.9 },
  nesterov: { weightDecay: 0, momentum: 0.9 },
  adam: { weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  adamw: { weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  rmsprop: { weightDecay: 0, rho: 0.9, epsilon: 1e-7 },
  adagrad: { weightDecay: 0, epsilon: 1e-7 },
} as const satisfies Record<OptimizerName, Partial<OptimizerHyperparameters>>;

/** The args' hyperparameters with defaults filled in; 0 where the optimizer does not use one. */
export function optimizerHyperparameters(args: Pick<OpArgs<unknown>['optimizer'], 'optimizer' | keyof OptimizerHyperparameters>): OptimizerHyperparameters {
  const d: Partial<OptimizerHyperparameters> = OPTIMIZER_DEFAULTS[args.optimizer];
  return {
    weightDecay: args.weightDecay ?? d.weightDecay ?? 0,
    momentum: args.momentum ?? d.momentum ?? 0,
    beta1: args.beta1 ?? d.beta1 ?? 0,
    beta2: args.beta2 ?? d.beta2 ?? 0,
    rho: args.rho ?? d.rho ?? 0,
    epsilon: args.epsilon ?? d.epsilon ?? 0,
  };
}

/**
 * Dropout's integer threshold t with (random24 >= t) <=> (random24 / 2^24 >= p): u = random24 / 2^24
 * is uniform on the 24-bit grid in [0, 1), and comparing integers keeps the GPU, which only has p
 * in f32, bit-identical to the reference. p * 2^24 is exact in float64.
 */
export function keepThreshold(p: number): number {
  return Math.ceil(p * 16777216);
}
