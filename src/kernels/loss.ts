// PLACEHOLDER until the loss family lands.
import type { Dispatch } from './runtime.js';
const todo = async (_ctx: unknown, _args: unknown): Promise<Dispatch[]> => { throw new Error('loss kernels not implemented yet'); };
export const lossKernels = {
  loss: todo,
  sum: todo,
  sumSquares: todo,
  accuracy: todo,
  deadUnits: todo,
};
