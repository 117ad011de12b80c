// PLACEHOLDER until the structure family lands: validation for dropout,dropoutGrad,layerNorm,layerNormGrad,gather.
import type { OpSpecTable } from './op.js';
const todo = (): never => { throw new Error('structure ops not implemented yet'); };
export const structureSpecs: OpSpecTable<'dropout' | 'dropoutGrad' | 'layerNorm' | 'layerNormGrad' | 'gather'> = {
  dropout: { validate: todo, outputs: [] },
  dropoutGrad: { validate: todo, outputs: [] },
  layerNorm: { validate: todo, outputs: [] },
  layerNormGrad: { validate: todo, outputs: [] },
  gather: { validate: todo, outputs: [] },
};
