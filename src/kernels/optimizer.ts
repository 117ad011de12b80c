// PLACEHOLDER until the optimizer family lands.
import type { Dispatch } from './runtime.js';
const todo = async (_ctx: unknown, _args: unknown): Promise<Dispatch[]> => { throw new Error('optimizer kernels not implemented yet'); };
export const optimizerKernels = {
  optimizer: todo,
};
