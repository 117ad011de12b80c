// Picks the page's backend once: WebGPU when the browser offers an adapter, else the CPU backend
// with the reason shown (`?backend=cpu` forces it). Training sessions bind their own instance of
// that kind; this instance serves the verify check, whose fits rebind it, hence `exclusive`.

import { createBackend, describeAdapter, GpuUnavailableError, sharedGpu, type Backend } from '../src/index.js';

export interface PageBackend {
  backend: Backend;
  /** Text for the adapter badge: "WebGPU: <adapter>" or "CPU ...". */
  label: string;
  /** Why the CPU backend is used, when it is. */
  notice?: string;
}

export async function initBackend(): Promise<PageBackend> {
  if (new URLSearchParams(location.search).get('backend') === 'cpu') {
    return { backend: await createBackend('cpu'), label: 'CPU backend (float64 reference)', notice: 'CPU backend forced by ?backend=cpu.' };
  }
  try {
    const gpu = await sharedGpu();
    const backend = await createBackend('webgpu', gpu);
    return { backend, label: `WebGPU: ${describeAdapter(gpu.report)}` };
  } catch (err) {
    const why = err instanceof GpuUnavailableError ? err.message : `WebGPU failed to start: ${(err as Error).message}`;
    return { backend: await createBackend('cpu'), label: 'CPU backend (float64 reference) — WebGPU unavailable', notice: why };
  }
}

let cpuSingleton: Promise<Backend> | undefined;
/** A second, CPU-only backend for the cross-backend check. */
export function cpuBackend(): Promise<Backend> {
  cpuSingleton ??= createBackend('cpu');
  return cpuSingleton;
}

let tail: Promise<unknown> = Promise.resolve();
/** Runs `fn` after every earlier exclusive call has settled (one program set bound at a time). */
export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = tail.then(fn, fn);
  tail = run.catch(() => undefined);
  return run;
}
