// Picks a backend by name. The WebGPU device is acquired once per process and shared by every
// backend built on it; releaseSharedGpu() destroys it so Node can exit cleanly.

import { acquireGpu, type Gpu } from '../device/gpu.js';
import type { Backend } from './backend.js';
import { CpuBackend } from './cpu-backend.js';
import { GpuBackend } from './gpu-backend.js';

export type BackendName = 'webgpu' | 'cpu';

let shared: Promise<Gpu> | undefined;

export function sharedGpu(): Promise<Gpu> {
  shared ??= acquireGpu().catch((err) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

export async function releaseSharedGpu(): Promise<void> {
  if (!shared) return;
  const gpu = await shared.catch(() => undefined);
  shared = undefined;
  gpu?.destroy();
}

export async function createBackend(name: BackendName = 'webgpu', gpu?: Gpu): Promise<Backend> {
  if (name === 'cpu') return new CpuBackend();
  return new GpuBackend(gpu ?? (await sharedGpu()));
}

/** The backend a call runs on: the caller's own instance (theirs to destroy), or a new one by name (owned by the call). */
export async function resolveBackend(choice: BackendName | Backend | undefined): Promise<{ backend: Backend; owned: boolean }> {
  if (choice && typeof choice === 'object') return { backend: choice, owned: false };
  return { backend: await createBackend(choice ?? 'webgpu'), owned: true };
}
