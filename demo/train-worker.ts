// The training worker: runs every engine session of the page (EngineRun per run id) and Auto's
// measurements off the main thread, so the page never stutters while a chunk trains or WebGPU
// compiles its kernels. Requests are {id, op, ...}; each gets {id, ok, value} or {id, ok: false, error}.

import { EngineRun, measureSteps, type RunInit } from './engine-run.js';
import type { TrainSettings } from './train-options.js';

export type WorkerRequest =
  | { op: 'init'; run: number; init: RunInit }
  | { op: 'chunk'; run: number; steps?: number }
  | { op: 'settings'; run: number; settings: TrainSettings }
  | { op: 'backend'; run: number; kind: 'webgpu' | 'cpu' }
  | { op: 'dispose'; run: number }
  | { op: 'measure'; kind: 'webgpu' | 'cpu'; spec: RunInit['spec']; train: RunInit['train']; settings: TrainSettings; normalize: RunInit['normalize'] };

const runs = new Map<number, EngineRun>();

function run(id: number): EngineRun {
  const r = runs.get(id);
  if (!r) throw new Error(`no training run ${id} in the worker`);
  return r;
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'init':
      runs.set(req.run, new EngineRun(req.init));
      return undefined;
    case 'chunk':
      return run(req.run).chunk(req.steps);
    case 'settings':
      return run(req.run).applySettings(req.settings);
    case 'backend':
      return run(req.run).setBackend(req.kind);
    case 'dispose': {
      const r = runs.get(req.run);
      runs.delete(req.run);
      return r?.dispose();
    }
    case 'measure':
      return measureSteps(req.kind, req.spec, req.train, req.settings, req.normalize);
    default:
      return req satisfies never;
  }
}

self.onmessage = (e: MessageEvent<{ id: number } & WorkerRequest>) => {
  const { id } = e.data;
  handle(e.data).then(
    (value) => postMessage({ id, ok: true, value }),
    (err: Error) => postMessage({ id, ok: false, error: err?.message ?? String(err), name: err?.name }),
  );
};
