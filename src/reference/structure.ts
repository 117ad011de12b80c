// PLACEHOLDER until the structure family lands.
const todo = (_args: unknown): void => { throw new Error('structure reference not implemented yet'); };
export const dropout = todo;
export const dropoutGrad = todo;
export const layerNorm = todo;
export const layerNormGrad = todo;
export const gather = todo;
