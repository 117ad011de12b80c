// The training worker: runs every engine session of the page (EngineRun per run id, CompareRun per
// compare run) and Auto's measurements off the main thread, so the page never stutters while a
// chunk trains or WebGPU compiles its kernels. Requests are {id, op, ...}; each gets {id, ok, value} or {id, ok: false, error}.

import { CompareRun, type CompareInit } from './compare-run.js';
import { EngineRun, measureSteps, type RunInit } from './engine-run.js';
import type { TrainSettings } from './train-options.js';

export type WorkerRequest =
  | { op: 'init'; run: number; init: RunInit }
  | { op: 'chunk'; run: number; steps?: number }
  | { op: 'settings'; run: number; settings: TrainSettings }
  | { op: 'backend'; run: number; kind: 'webgpu' | 'cpu' }
  | { op: 'dispose'; run: number }
  | { op: 'compare-init'; run: number; init: CompareInit }
  | { op: 'compare-chunk'; run: number }
  | { op: 'compare-dispose'; run: number }
  | { op: 'measure'; kind: 'webgpu' | 'cpu'; spec: RunInit['spec']; train: RunInit['train']; settings: TrainSettings; normalize: RunInit['normalize'] };

const runs = new Map<number, EngineRun>();
/** Compare mode's model batches, by the page's compare-run id. */
const compares = new Map<number, CompareRun>();

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
    case 'compare-init': {
      const { run: r, start } = await CompareRun.start(req.init);
      compares.set(req.run, r);
      return start;
    }
    case 'compare-chunk': {
      const r = compares.get(req.run);
      if (!r) throw new Error(`no compare run ${req.run} in the worker`);
      return r.chunk();
    }
    case 'compare-dispose':
      compares.get(req.run)?.dispose();
      compares.delete(req.run);
      return undefined;
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
