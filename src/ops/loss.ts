// PLACEHOLDER until the loss family lands: validation for loss,sum,sumSquares,accuracy,deadUnits.
import type { OpSpecTable } from './op.js';
const todo = (): never => { throw new Error('loss ops not implemented yet'); };
export const lossSpecs: OpSpecTable<'loss' | 'sum' | 'sumSquares' | 'accuracy' | 'deadUnits'> = {
  loss: { validate: todo, outputs: [] },
  sum: { validate: todo, outputs: [] },
  sumSquares: { validate: todo, outputs: [] },
  accuracy: { validate: todo, outputs: [] },
  deadUnits: { validate: todo, outputs: [] },
};
