// The arguments of every primitive op, generic in the tensor view T. This is the contract between
// the graph executor, the GPU kernels (T = GpuTensor) and the float64 reference (T = CpuTensor):
// one definition, so a kernel and its reference cannot drift apart in what they take.

import type { ActivationName, LossName, OptimizerName } from './names.js';

/** An activation with its parameter (alpha for leaky_relu / elu; ignored otherwise). */
export interface Activation {
  name: ActivationName;
  alpha?: number;
}

/**
 * Where the models of a batch differ, an op carries one value per model (index = model) under
 * `perModel`; the scalar beside it is then model 0's. ops/per-model.ts resolves them per model.
 */
export type PerModel<Fields> = { readonly [K in keyof Fields]?: readonly NonNullable<Fields[K]>[] };

/**
 * Per-step scalars live in a small tensor (shape [SCALARS_LENGTH], one copy per model of a batch)
 * so a step's kernels read them from GPU memory: the executor writes it once per step, never
 * rebuilding anything.
 */
export const SCALAR = {
  /** Learning rate for this step. */
  lr: 0,
  /** 1-based optimizer step count (Adam bias correction). */
  step: 1,
  /** Counter fed to the dropout RNG so each step draws a fresh mask. */
  rngStep: 2,
  /** First row of this batch inside the epoch's index permutation (gather). */
  batchOffset: 3,
} as const;
export const SCALARS_LENGTH = 8;

export interface OpArgs<T> {
  /**
   * out = act(opA(a) · opB(b) + bias) where opX transposes when transX is set.
   * With `preActivation`, also writes the pre-activation z (needed by the backward).
   * With `gradOf`, multiplies the product by act'(gradOf.z) instead (fused backward of the
   * previous layer's activation). With `accumulate`, adds into out.
   */
  matmul: {
    a: T;
    b: T;
    out: T;
    transA: boolean;
    transB: boolean;
    bias?: T;
    activation?: Activation;
    preActivation?: T;
    gradOf?: { activation: Activation; z: T };
    accumulate?: boolean;
    /** The activation (of the epilogue, or gradOf's) per model. */
    perModel?: PerModel<{ activation: Activation }>;
  };
  /** out[j] = sum_i dy[i, j] (the bias gradient); accumulate adds into out. */
  biasGrad: { dy: T; out: T; accumulate?: boolean };
  /** y = act(x), elementwise. */
  activation: { x: T; y: T; activation: Activation; perModel?: PerModel<{ activation: Activation }> };
  /** dx = dy * act'(z), elementwise. */
  activationGrad: { z: T; dy: T; dx: T; activation: Activation; perModel?: PerModel<{ activation: Activation }> };
  /** Row-wise softmax, max-subtracted. */
  softmax: { x: T; y: T };
  /**
   * Per-row loss into rowLoss [B] and the gradient of the batch-mean loss w.r.t. pred into grad.
   * pred is [B, C] logits/outputs; target is [B, C] (regression, soft/one-hot targets, binary)
   * or [B, 1] class indices (softmax_ce).
   */
  loss: { loss: LossName; pred: T; target: T; grad: T; rowLoss: T; huberDelta?: number };
  /** out[0] (+)= sum(x). */
  sum: { x: T; out: T; accumulate?: boolean };
  /** out[0] (+)= sum(x^2). */
  sumSquares: { x: T; out: T; accumulate?: boolean };
  /**
   * out[0] (+)= number of correct rows. pred [B, C]: C>1 compares argmax to target index [B,1]
   * (or argmax of a [B,C] target); C==1 compares (pred > threshold) to target (binary logits: 0).
   */
  accuracy: { pred: T; target: T; out: T; threshold?: number; accumulate?: boolean };
  /** out[0] (+)= number of columns of y [B, N] that are exactly 0 in every row (dead ReLU units). */
  deadUnits: { y: T; out: T; accumulate?: boolean };
  /**
   * One optimizer step over the flat parameter buffer. Elements with index < decayCount get
   * weight decay (weights yes, biases and norm gains no): L2 adds weightDecay*p to the gradient,
   * adamw decays decoupled. With `clip`, the gradient is scaled by min(1, maxNorm/||g||) where
   * ||g||^2 is clip.sumSquares[0], computed on the GPU. lr and step come from scalars.
   */
  optimizer: {
    optimizer: OptimizerName;
    params: T;
    grads: T;
    /** momentum / first moment / accumulator; required except for sgd. */
    state1?: T;
    /** second moment (adam, adamw). rmsprop uses state1 only. */
    state2?: T;
    scalars: T;
    decayCount: number;
    weightDecay?: number;
    momentum?: number;
    beta1?: number;
    beta2?: number;
    rho?: number;
    epsilon?: number;
    clip?: { sumSquares: T; maxNorm: number };
    /** Hyperparameters per model (maxNorm: clip's; Infinity leaves that model unclipped). */
    perModel?: PerModel<{ weightDecay: number; momentum: number; beta1: number; beta2: number; rho: number; epsilon: number; maxNorm: number }>;
  };
  /** y = x * keep / (1 - p), keep = rng(seed, scalars[rngStep], index) >= p. */
  dropout: { x: T; y: T; p: number; seed: number; scalars: T; perModel?: PerModel<{ p: number; seed: number }> };
  /** dx = dy * keep / (1 - p) with the same mask as the forward of this step. */
  dropoutGrad: { dy: T; dx: T; p: number; seed: number; scalars: T; perModel?: PerModel<{ p: number; seed: number }> };
  /** Row-wise layer norm: y = (x - mean) * rstd * gamma + beta; saves mean and rstd [B]. */
  layerNorm: { x: T; gamma: T; beta: T; y: T; mean: T; rstd: T; epsilon?: number };
  /** Backward of layerNorm: dx, and dgamma/dbeta (accumulated into when accumulate is set). */
  layerNormGrad: { dy: T; x: T; gamma: T; mean: T; rstd: T; dx: T; dgamma: T; dbeta: T; accumulate?: boolean };
  /** out = a + b (residual connections, gradient accumulation into a third buffer). */
  add: { a: T; b: T; out: T };
  /** dst[r, :] = src[indices[scalars[batchOffset] + r], :] for r < dst rows (indices as f32). */
  gather: { src: T; indices: T; dst: T; scalars: T };
}

export type OpName = keyof OpArgs<unknown>;
