// The page's end of the training worker: one module worker for the page, and a promise per request.

import type { WorkerRequest } from './train-worker.js';

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();

function get(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'webgpu-mlp training' });
    worker.onmessage = (e: MessageEvent<{ id: number; ok: boolean; value?: unknown; error?: string; name?: string }>) => {
      const w = waiting.get(e.data.id);
      if (!w) return;
      waiting.delete(e.data.id);
      if (e.data.ok) w.ok(e.data.value);
      else {
        const err = new Error(e.data.error);
        if (e.data.name) err.name = e.data.name;
        w.fail(err);
      }
    };
    worker.onerror = (e) => {
      // A worker that failed to load fails every request still waiting.
      for (const w of waiting.values()) w.fail(new Error(`training worker failed: ${e.message}`));
      waiting.clear();
    };
  }
  return worker;
}

export function request<T>(req: WorkerRequest): Promise<T> {
  const id = ++nextId;
  return new Promise<T>((ok, fail) => {
    waiting.set(id, { ok: ok as (v: unknown) => void, fail });
    get().postMessage({ id, ...req });
  });
}
