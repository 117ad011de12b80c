// The op table: every primitive op's validation and outputs, gathered from the family files.
// `satisfies` makes a missing op a compile error; the GPU kernels (kernels/index.ts) and the
// float64 reference (reference/index.ts) are typed over the same OpName set.

import type { OpName } from './args.js';
import type { OpSpec } from './op.js';
import { pointwiseSpecs } from './pointwise.js';
import { linearSpecs } from './linear.js';
import { lossSpecs } from './loss.js';
import { optimizerSpecs } from './optimizer.js';
import { structureSpecs } from './structure.js';

export const opSpecs = {
  ...pointwiseSpecs,
  ...linearSpecs,
  ...lossSpecs,
  ...optimizerSpecs,
  ...structureSpecs,
} satisfies { [K in OpName]: OpSpec<K> };
