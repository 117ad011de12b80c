// The model specification's types, defined in src/types/model-spec.ts (below data/ and graph/,
// which read them too) and re-exported here for the model layer's callers.

export type { HiddenLayerSpec, InitName, ModelSpec, Task } from '../types/model-spec.js';
