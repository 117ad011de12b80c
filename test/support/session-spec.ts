// The small network the session tests train (trainer.test.ts, resume.test.ts): dropout and layer
// norm make the dropout RNG stream and every layer's state matter, so "same weights" means the
// whole session state carried over.

import type { ModelSpec } from '../../src/model/spec.js';

export const SESSION_SPEC: ModelSpec = {
  inputSize: 2,
  hidden: [
    { units: 12, activation: 'tanh', layerNorm: true },
    { units: 12, activation: 'relu', dropout: 0.2 },
  ],
  outputSize: 3,
  task: 'multiclass',
};
