// PLACEHOLDER until the linear family lands: validation for matmul,biasGrad.
import type { OpSpecTable } from './op.js';
const todo = (): never => { throw new Error('linear ops not implemented yet'); };
export const linearSpecs: OpSpecTable<'matmul' | 'biasGrad'> = {
  matmul: { validate: todo, outputs: [] },
  biasGrad: { validate: todo, outputs: [] },
};
