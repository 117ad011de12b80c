// Shared GPU for a test file. There is no skip path: without an adapter the GPU tests fail with
// GpuUnavailableError's instructions (CI=true or not), so a broken install can never pass silently.

import { acquireGpu, type Gpu } from '../../src/device/gpu.js';
import { KernelContext } from '../../src/kernels/context.js';
import type { KernelTuning } from '../../src/kernels/tuning.js';

let shared: Promise<{ gpu: Gpu; ctx: KernelContext }> | undefined;

export function testGpu(): Promise<{ gpu: Gpu; ctx: KernelContext }> {
  shared ??= acquireGpu().then((gpu) => ({ gpu, ctx: new KernelContext(gpu) }));
  return shared;
}

const tuned = new Map<KernelTuning, KernelContext>();

/** A context on the shared GPU with an explicit tuning, so every kernel variant runs on one adapter. */
export async function tunedContext(tuning: KernelTuning): Promise<KernelContext> {
  const { gpu } = await testGpu();
  let ctx = tuned.get(tuning);
  if (!ctx) {
    ctx = new KernelContext(gpu, { tuning });
    tuned.set(tuning, ctx);
  }
  return ctx;
}

export async function releaseTestGpu(): Promise<void> {
  if (!shared) return;
  const { gpu, ctx } = await shared;
  for (const c of tuned.values()) c.destroy();
  tuned.clear();
  ctx.destroy();
  gpu.destroy();
  shared = undefined;
}
