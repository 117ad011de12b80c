// PLACEHOLDER until the optimizer family lands: validation for optimizer.
import type { OpSpecTable } from './op.js';
const todo = (): never => { throw new Error('optimizer ops not implemented yet'); };
export const optimizerSpecs: OpSpecTable<'optimizer'> = {
  optimizer: { validate: todo, outputs: [] },
};
