// Our half of the side-by-side benchmark: the same MLP workload trained through the real
// executor (resident data, one submit per step), plus the per-step split between host encode
// time and wall time, and the FLOPs and bytes a step moves.

import { programSet, type Backend } from '../src/backend/backend.js';
import { CpuBackend } from '../src/backend/cpu-backend.js';
import { GpuBackend } from '../src/backend/gpu-backend.js';
import type { Gpu } from '../src/device/gpu.js';
import { dataSource, trainStepProgram } from '../src/graph/programs.js';
import { Model } from '../src/model/model.js';
import { StepRunner } from '../src/train/step-runner.js';
import { Rng } from '../src/util/rng.js';
import type { Workload } from './peer-tfjs.js';
import { profileProgram, type KernelTime } from './profile.js';

export interface OursResult {
  samplesPerSec: number;
  /** How the GPU backend's waits polled in the timed steps (src/device/waits.ts); TF.js then waits the same way. */
  waitStyle?: 'quiet' | 'busy';
  /** Median wall ms per step over repetitions. */
  stepMs: number;
  /** Median host ms per step spent in backend.run (scalars write + encode + submit). */
  encodeMs: number;
  dispatchesPerStep: number;
  /** GPU ms of each dispatch of the step, timed one kernel at a time (when asked for). */
  kernels?: KernelTime[];
}

/** FLOPs of one training step: forward 2BΣ(in·out), dW 2BΣ, dX 2BΣ (none for the first layer). */
export function flopsPerStep(w: Workload): number {
  let sum = 0;
  for (let i = 0; i + 1 < w.layers.length; i++) sum += w.layers[i] * w.layers[i + 1];
  const first = w.layers[0] * w.layers[1];
  return 2 * w.batch * (3 * sum - first);
}

/**
 * Bytes a step must move at minimum (f32): weights read twice (forward, dX) and the optimizer's
 * 7 passes over P (read p, g, m, v; write p, m, v) plus the gradient write; activations: each
 * layer's output and pre-activation written and read back, and the batch itself.
 */
export function bytesPerStep(w: Workload): number {
  let params = 0;
  let acts = 0;
  for (let i = 0; i + 1 < w.layers.length; i++) {
    params += w.layers[i] * w.layers[i + 1] + w.layers[i + 1];
    acts += w.layers[i + 1];
  }
  return 4 * (params * (2 + 1 + 7) + w.batch * (w.layers[0] + 4 * acts));
}

export function workloadModel(w: Workload, seed = 1): Model {
  const hidden = w.layers.slice(1, -1).map((units) => ({ units, activation: w.activation }));
  return new Model({ inputSize: w.layers[0], hidden, outputSize: w.layers[w.layers.length - 1], task: 'multiclass' }, { seed });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchOurs(w: Workload, opts: { steps: number; reps: number; warmup?: number; gpu?: Gpu; profile?: boolean }): Promise<OursResult> {
  const model = workloadModel(w);
  const rows = w.batch * 4;
  const rng = new Rng(1234);
  const x = new Float32Array(rows * w.layers[0]).map(() => rng.next());
  const classes = w.layers[w.layers.length - 1];
  const y = new Float32Array(rows).map(() => rng.int(classes));
  const source = dataSource('bench', rows, w.layers[0], 1);
  const backend: Backend = opts.gpu ? new GpuBackend(opts.gpu) : new CpuBackend();
  try {
    const program = trainStepProgram(model.programContext(), w.batch, source, { optimizer: { name: w.optimizer, lr: w.lr } });
    await backend.load(programSet([program]), model.layout, { [source.x.id]: x, [source.y.id]: y, [source.order.id]: new Float32Array(rows).map((_, i) => i) });
    backend.writeParams(model.params);
    backend.resetOptimizerState();
    const runner = new StepRunner(backend);
    // One step record, updated in place: the timed loop allocates nothing.
    const next = { program, step: 0, lr: w.lr, batchOffset: 0 };
    const step = () => {
      next.step++;
      next.batchOffset = (next.step % 4) * w.batch;
      runner.train(next);
    };
    for (let i = 0; i < (opts.warmup ?? 10); i++) step();
    await backend.idle();
    const wall: number[] = [];
    const encode: number[] = [];
    for (let r = 0; r < opts.reps; r++) {
      const start = performance.now();
      let hostMs = 0;
      for (let i = 0; i < opts.steps; i++) {
        const h = performance.now();
        step();
        hostMs += performance.now() - h;
      }
      await backend.idle();
      wall.push((performance.now() - start) / opts.steps);
      encode.push(hostMs / opts.steps);
    }
    const stepMs = median(wall);
    const kernels = opts.profile && backend instanceof GpuBackend ? await profileProgram(backend, program.name) : undefined;
    return {
      kernels,
      samplesPerSec: (w.batch * 1000) / stepMs,
      stepMs,
      encodeMs: median(encode),
      dispatchesPerStep: backend instanceof GpuBackend ? backend.dispatchSources.get(program.name)?.length ?? 0 : program.ops.length,
      waitStyle: backend instanceof GpuBackend ? backend.waitStyle : undefined,
    };
  } finally {
    backend.destroy();
  }
}
