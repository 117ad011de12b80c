// The model specification: what a user writes to describe a network, and what a saved model's
// config stores. Plain JSON-able data only, kept below every layer that reads it (data/, graph/,
// model/); validation lives in model/validate-spec.ts and the graph is built from it in graph/.

import type { ActivationName, LossName } from '../ops/names.js';

export type Task = 'regression' | 'binary' | 'multiclass';

export type InitName = 'glorot_uniform' | 'glorot_normal' | 'he_uniform' | 'he_normal' | 'lecun_normal';

export interface HiddenLayerSpec {
  /** Width of the dense layer. */
  units: number;
  activation: ActivationName;
  /** Slope / scale for leaky_relu and elu (defaults 0.01 and 1). */
  alpha?: number;
  /** Dropout probability applied after the activation, training only. */
  dropout?: number;
  /** Layer norm on the pre-activation (after bias, before the activation). */
  layerNorm?: boolean;
  /** Add this layer's input to its output; needs input width == units. */
  residual?: boolean;
  /** Weight initialiser; default chosen by activation (He for ReLU family, Glorot tanh/sigmoid, LeCun SELU). */
  init?: InitName;
}

export interface ModelSpec {
  inputSize: number;
  hidden: HiddenLayerSpec[];
  outputSize: number;
  task: Task;
  /** Default by task: mse (regression), bce_logits (binary), softmax_ce (multiclass). */
  loss?: LossName;
  /** Huber's delta when loss is huber. */
  huberDelta?: number;
}
