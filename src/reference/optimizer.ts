// PLACEHOLDER until the optimizer family lands.
const todo = (_args: unknown): void => { throw new Error('optimizer reference not implemented yet'); };
export const optimizer = todo;
