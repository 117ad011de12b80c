// PLACEHOLDER until the linear family lands.
import type { Dispatch } from './runtime.js';
const todo = async (_ctx: unknown, _args: unknown): Promise<Dispatch[]> => { throw new Error('linear kernels not implemented yet'); };
export const linearKernels = {
  matmul: todo,
  biasGrad: todo,
};
