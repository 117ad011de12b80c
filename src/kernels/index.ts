// The GPU kernel of every op, keyed like the op table. prepareKernel() validates shapes (before
// anything is created or dispatched) and returns the dispatches the executor records each step.

import type { OpArgs, OpName } from '../ops/args.js';
import type { GpuTensor } from '../ops/tensor.js';
import { checkPerModel } from '../ops/per-model.js';
import { opSpecs } from '../ops/table.js';
import type { KernelContext } from './context.js';
import type { Dispatch } from './dispatch.js';
import { pointwiseKernels } from './pointwise.js';
import { linearKernels } from './linear.js';
import { lossKernels } from './loss.js';
import { optimizerKernels } from './optimizer.js';
import { structureKernels } from './structure.js';

export type GpuKernel<K extends OpName> = (ctx: KernelContext, args: OpArgs<GpuTensor>[K]) => Promise<Dispatch[]>;

export const gpuKernels = {
  ...pointwiseKernels,
  ...linearKernels,
  ...lossKernels,
  ...optimizerKernels,
  ...structureKernels,
} satisfies { [K in OpName]: GpuKernel<K> };

export async function prepareKernel<K extends OpName>(ctx: KernelContext, op: K, args: OpArgs<GpuTensor>[K]): Promise<Dispatch[]> {
  (opSpecs[op] as unknown as { validate(a: unknown): void }).validate(args);
  checkPerModel(op, args, ctx.models);
  return (gpuKernels[op] as unknown as GpuKernel<K>)(ctx, args);
}
