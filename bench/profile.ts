// Where a training step's GPU time goes: each dispatch of a bound program is re-run on its own
// (`repeats` times in one submit, after a warm-up) and timed, so the per-kernel times add up to
// roughly the step's GPU time. Used for workload A's breakdown in `npm run bench`.

import type { GpuBackend } from '../src/backend/gpu-backend.js';
import type { OpCall } from '../src/graph/program.js';
import { gpuWait } from '../src/device/waits.js';
import { encodeDispatches, type Dispatch } from '../src/kernels/dispatch.js';

export interface KernelTime {
  /** The op and its shapes, e.g. "matmul [128, 784]·[784, 256] -> [128, 256]". */
  what: string;
  ms: number;
}

function describe(call: OpCall): string {
  const args = call.args as unknown as Record<string, unknown>;
  const shape = (name: string) => {
    const t = args[name] as { shape?: number[] } | undefined;
    return t?.shape ? `[${t.shape.join(', ')}]` : undefined;
  };
  if (call.op === 'matmul') {
    const flags = [args.transA && 'Aᵀ', args.transB && 'Bᵀ', args.gradOf && "·act'", args.activation && 'act', args.accumulate && '+='].filter(Boolean).join(' ');
    return `matmul ${shape('a')}·${shape('b')} -> ${shape('out')}${flags ? ` (${flags})` : ''}`;
  }
  const out = shape('out') ?? shape('dx') ?? shape('params') ?? '';
  return `${call.op} ${out}`.trim();
}

const MIN_RUN_MS = 25;

/** Median of 7 timed submits of at least `repeats` back-to-back dispatches (more if needed to last MIN_RUN_MS), after a warm-up; ms per dispatch. */
export async function timeDispatch(device: GPUDevice, dispatch: Dispatch, repeats: number): Promise<number> {
  const run = async (count: number) => {
    const encoder = device.createCommandEncoder();
    for (let i = 0; i < count; i++) encodeDispatches(encoder, [dispatch]);
    device.queue.submit([encoder.finish()]);
    // Kernels are timed with quiet waits whatever the last training program chose (WaitStyle).
    await gpuWait('quiet', () => device.queue.onSubmittedWorkDone());
  };
  // A dispatch that fails validation does no work and would time as impossibly fast: refuse it.
  device.pushErrorScope('validation');
  await run(2);
  const error = await device.popErrorScope();
  if (error) throw new Error(`profile: ${dispatch.label} failed validation: ${error.message}`);
  // Each timed run lasts at least MIN_RUN_MS, so the up to 1 ms a wait can add (src/device/
  // waits.ts) stays within a few percent even for the smallest dispatches.
  const once = performance.now();
  await run(repeats);
  const count = Math.max(repeats, Math.ceil((repeats * MIN_RUN_MS) / Math.max(performance.now() - once, 1e-3)));
  // 7 runs, as bench/blas.py times the sgemm it is compared with.
  const times: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = performance.now();
    await run(count);
    times.push((performance.now() - start) / count);
  }
  return times.sort((a, b) => a - b)[3];
}

/** Per-dispatch GPU times of `program`; run it once normally first so every input holds real values. */
export async function profileProgram(backend: GpuBackend, program: string, repeats = 10): Promise<KernelTime[]> {
  const sources = backend.dispatchSources.get(program);
  if (!sources) throw new Error(`profile: no program named ${program}`);
  const result: KernelTime[] = [];
  for (const { dispatch, call } of sources) result.push({ what: describe(call), ms: await timeDispatch(backend.gpu.device, dispatch, repeats) });
  return result;
}
