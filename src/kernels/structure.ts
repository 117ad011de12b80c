// PLACEHOLDER until the structure family lands.
import type { Dispatch } from './runtime.js';
const todo = async (_ctx: unknown, _args: unknown): Promise<Dispatch[]> => { throw new Error('structure kernels not implemented yet'); };
export const structureKernels = {
  dropout: todo,
  dropoutGrad: todo,
  layerNorm: todo,
  layerNormGrad: todo,
  gather: todo,
};
