// The sweep half of the benchmark: N models of one workload trained as one model batch (one
// dispatch per op for all of them, one submit per step) against one model alone, on the same
// adapter in one run. Model-steps/s over N = 1 is what a sweep gains over training its models
// one after another (a lower bound: sequential runs also pay each run's setup, left out here).

import { programSet, type Backend } from '../src/backend/backend.js';
import { CpuBackend } from '../src/backend/cpu-backend.js';
import { GpuBackend } from '../src/backend/gpu-backend.js';
import type { Gpu } from '../src/device/gpu.js';
import type { ModelBatch } from '../src/graph/model-batch.js';
import { dataSource, trainStepProgram } from '../src/graph/programs.js';
import { StepRunner } from '../src/train/step-runner.js';
import { Rng } from '../src/util/rng.js';
import { workloadModel } from './ours.js';
import type { Workload } from './peer-tfjs.js';

export interface BatchBenchResult {
  models: number;
  /** Median wall ms per step of the whole batch. */
  stepMs: number;
  modelStepsPerSec: number;
  dispatchesPerStep: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Trains `models` copies of workload `w` (seeds 1.., learning rates spread around w.lr) as one batch. */
export async function benchModelBatch(w: Workload, models: number, opts: { steps: number; reps: number; warmup: number; gpu?: Gpu }): Promise<BatchBenchResult> {
  const members = Array.from({ length: models }, (_, m) => workloadModel(w, m + 1));
  const rows = w.batch * 4;
  const rng = new Rng(1234);
  const x = new Float32Array(rows * w.layers[0]).map(() => rng.next());
  const classes = w.layers[w.layers.length - 1];
  const y = new Float32Array(rows).map(() => rng.int(classes));
  const lrs = Float64Array.from(members, (_, m) => w.lr * 2 ** ((m % 5) - 2));
  const batch: ModelBatch = {
    specs: members.map((m) => m.spec),
    optimizers: members.map((_, m) => ({ name: w.optimizer, lr: lrs[m] })),
    clipNorms: members.map(() => undefined),
    dropoutSeeds: members.map((_, m) => m + 1),
    perModelOrder: false,
  };
  const first = members[0];
  const ctx = { ...first.programContext(1), layout: first.layout.forModels(models), models: batch };
  const source = dataSource('bench', rows, w.layers[0], 1);
  const backend: Backend = opts.gpu ? new GpuBackend(opts.gpu) : new CpuBackend();
  try {
    const program = trainStepProgram(ctx, w.batch, source, { optimizer: { name: w.optimizer, lr: w.lr } });
    await backend.load(programSet([program]), ctx.layout, { [source.x.id]: x, [source.y.id]: y, [source.order.id]: new Float32Array(rows).map((_, i) => i) });
    const params = new Float32Array(ctx.layout.total * models);
    members.forEach((m, i) => params.set(m.params, i * ctx.layout.total));
    backend.writeParams(params);
    backend.resetOptimizerState();
    const runner = new StepRunner(backend, models);
    const next = { program, step: 0, lr: w.lr, lrs, batchOffset: 0 };
    const step = () => {
      next.step++;
      next.batchOffset = (next.step % 4) * w.batch;
      runner.train(next);
    };
    for (let i = 0; i < opts.warmup; i++) step();
    await backend.idle();
    const wall: number[] = [];
    for (let r = 0; r < opts.reps; r++) {
      const start = performance.now();
      for (let i = 0; i < opts.steps; i++) step();
      await backend.idle();
      wall.push((performance.now() - start) / opts.steps);
    }
    const stepMs = median(wall);
    const loss = await backend.readModelStats(['stat:lossSum']);
    if (!loss[0].every(Number.isFinite)) throw new Error(`bench: a model of the ${models}-model batch has a non-finite loss`);
    return {
      models,
      stepMs,
      modelStepsPerSec: (models * 1000) / stepMs,
      dispatchesPerStep: backend instanceof GpuBackend ? backend.dispatchSources.get(program.name)?.length ?? 0 : program.ops.length,
    };
  } finally {
    backend.destroy();
  }
}
