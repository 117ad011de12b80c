// The closed sets of names the engine understands: activations, losses, optimizers. One list each,
// used by validation, the CLI, the demo's menus and the kernels' constant tables (the numeric id of
// a name is its index here, and shaders switch on that id).

export const ACTIVATIONS = [
  'identity',
  'relu',
  'leaky_relu',
  'elu',
  'selu',
  'gelu',
  'gelu_tanh',
  'silu',
  'sigmoid',
  'tanh',
  'softplus',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const LOSSES = ['mse', 'mae', 'huber', 'bce_logits', 'softmax_ce', 'softmax_ce_dense'] as const;
export type LossName = (typeof LOSSES)[number];

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export function activationId(name: ActivationName): number {
  return ACTIVATIONS.indexOf(name);
}
export function lossId(name: LossName): number {
  return LOSSES.indexOf(name);
}
export function optimizerId(name: OptimizerName): number {
  return OPTIMIZERS.indexOf(name);
}
