// PLACEHOLDER until the linear family lands.
const todo = (_args: unknown): void => { throw new Error('linear reference not implemented yet'); };
export const matmul = todo;
export const biasGrad = todo;
