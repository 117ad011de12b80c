// Shared GPU for a test file. There is no skip path: without an adapter the GPU tests fail with
// GpuUnavailableError's instructions (CI=true or not), so a broken install can never pass silently.

import { acquireGpu, type Gpu } from '../../src/device/gpu.js';
import { KernelContext } from '../../src/kernels/runtime.js';

let shared: Promise<{ gpu: Gpu; ctx: KernelContext }> | undefined;

export function testGpu(): Promise<{ gpu: Gpu; ctx: KernelContext }> {
  shared ??= acquireGpu().then((gpu) => ({ gpu, ctx: new KernelContext(gpu) }));
  return shared;
}

export async function releaseTestGpu(): Promise<void> {
  if (!shared) return;
  const { gpu, ctx } = await shared;
  ctx.destroy();
  gpu.destroy();
  shared = undefined;
}
