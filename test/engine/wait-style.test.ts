// Which way a GPU backend's waits poll (src/device/waits.ts): on a CPU adapter a step of tiny
// dispatches waits busily, since there hand-offs between lavapipe's threads bound it, and a step
// with real work per dispatch waits quietly; on a GPU every step waits quietly. The decision is
// checked for both adapter kinds on any machine (waitStyleFor with each kind's report), and each
// run is checked to set the backend's style from its own programs, flipping it where it differs.

import { afterAll, describe, expect, it } from 'vitest';
import { programSet } from '../../src/backend/backend.js';
import { GpuBackend } from '../../src/backend/gpu-backend.js';
import { isCpuAdapter, type AdapterReport } from '../../src/device/gpu.js';
import { waitStyleFor, type WaitStyle } from '../../src/device/waits.js';
import { dataSource, trainStepProgram } from '../../src/graph/programs.js';
import { Model } from '../../src/model/model.js';
import { SCALARS_LENGTH } from '../../src/ops/args.js';
import { StepRunner } from '../../src/train/step-runner.js';
import { Rng } from '../../src/util/rng.js';
import { releaseTestGpu, testGpu } from '../support/gpu.js';

afterAll(releaseTestGpu);

const LAVAPIPE: AdapterReport = { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 19.1.7, 256 bits)', isFallbackAdapter: false, subgroupSize: 8, readonlyStorageTextures: true, runtime: 'node' };
const DISCRETE: AdapterReport = { vendor: 'nvidia', architecture: 'ada-lovelace', device: '', description: 'NVIDIA GeForce RTX 4070', isFallbackAdapter: false, subgroupSize: 32, readonlyStorageTextures: true, runtime: 'node' };

/** A backend with one model's train step at each of `batches` (programs "b<batch>"), ready to run. */
async function trainSteps(layers: number[], batches: number[]) {
  const { gpu } = await testGpu();
  const [inputSize, ...rest] = layers;
  const classes = rest[rest.length - 1];
  const model = new Model({ inputSize, hidden: rest.slice(0, -1).map((units) => ({ units, activation: 'relu' })), outputSize: classes, task: 'multiclass' }, { seed: 1 });
  const rows = Math.max(...batches);
  const rng = new Rng(3);
  const source = dataSource('train', rows, inputSize, 1);
  const backend = new GpuBackend(gpu);
  const programs = new Map(batches.map((b) => [`b${b}`, trainStepProgram(model.programContext(1), b, source, { optimizer: { name: 'adam', lr: 1e-3 } }, `b${b}`)]));
  await backend.load(programSet(programs.values()), model.layout, {
    [source.x.id]: new Float32Array(rows * inputSize).map(() => rng.normal()),
    [source.y.id]: new Float32Array(rows).map(() => rng.int(classes)),
    [source.order.id]: new Float32Array(rows).map((_, i) => i),
  });
  backend.writeParams(model.params);
  const workgroups = (name: string) => backend.dispatchSources.get(name)!.map((s) => s.dispatch.workgroups);
  const runner = new StepRunner(backend);
  /** The backend's wait style after running `name` once (and waiting for it in that style). */
  const styleAfter = async (name: string): Promise<WaitStyle> => {
    runner.train({ program: programs.get(name)!, step: 1, lr: 1e-3, batchOffset: 0 });
    const style = backend.waitStyle;
    await backend.idle();
    return style;
  };
  return { gpu, backend, workgroups, styleAfter };
}

describe('wait style per program', () => {
  it('is busy for a step of tiny dispatches only on a CPU adapter, and quiet for a step with work per dispatch on either', async () => {
    const tiny = await trainSteps([2, 16, 16, 2], [32]);
    const big = await trainSteps([784, 256, 10], [128]);
    try {
      expect(waitStyleFor(LAVAPIPE, tiny.workgroups('b32'))).toBe('busy');
      expect(waitStyleFor(DISCRETE, tiny.workgroups('b32'))).toBe('quiet');
      expect(waitStyleFor(LAVAPIPE, big.workgroups('b128'))).toBe('quiet');
      expect(waitStyleFor(DISCRETE, big.workgroups('b128'))).toBe('quiet');
      expect(waitStyleFor({ ...DISCRETE, isFallbackAdapter: true }, tiny.workgroups('b32'))).toBe('busy');
    } finally {
      tiny.backend.destroy();
      big.backend.destroy();
    }
  });

  it("sets the backend's style on every run from that run's programs", async () => {
    // The same net at batch 32 (tiny dispatches) and 8192 (tens of workgroups each): on a CPU
    // adapter the style must flip at each run, so a run that left the previous style fails here.
    const { gpu, backend, workgroups, styleAfter } = await trainSteps([2, 16, 16, 2], [32, 8192]);
    try {
      const cpu = isCpuAdapter(gpu.report);
      expect(waitStyleFor(gpu.report, workgroups('b8192'))).toBe('quiet');
      expect(waitStyleFor(gpu.report, workgroups('b32'))).toBe(cpu ? 'busy' : 'quiet');
      expect(await styleAfter('b8192')).toBe('quiet');
      expect(await styleAfter('b32')).toBe(cpu ? 'busy' : 'quiet');
      expect(await styleAfter('b8192')).toBe('quiet');
      // Several programs in one run: busy if any of them is.
      backend.run(['b8192', 'b32'], new Float32Array(SCALARS_LENGTH));
      expect(backend.waitStyle).toBe(cpu ? 'busy' : 'quiet');
      await backend.idle();
    } finally {
      backend.destroy();
    }
  });
});
