// The same program on both backends: a model with layer norm, dropout and a residual trains for
// 25 steps from the same seed on the GPU (f32) and the CPU reference (float64), and the flat
// parameter vectors are compared after every step.

import { afterAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu-backend.js';
import { GpuBackend } from '../../src/backend/gpu-backend.js';
import { programSet, type Backend } from '../../src/backend/backend.js';
import { dataSource, trainStepProgram, STAT } from '../../src/graph/programs.js';
import { Model } from '../../src/model/model.js';
import type { ModelSpec } from '../../src/model/spec.js';
import type { OptimizerSpec } from '../../src/train/options.js';
import { StepRunner } from '../../src/train/step-runner.js';
import { Rng } from '../../src/util/rng.js';
import { releaseTestGpu, testGpu } from '../support/gpu.js';

afterAll(releaseTestGpu);

const SPEC: ModelSpec = {
  inputSize: 7,
  hidden: [
    { units: 16, activation: 'tanh', layerNorm: true },
    { units: 16, activation: 'relu', dropout: 0.25, residual: true },
    { units: 9, activation: 'gelu' },
  ],
  outputSize: 3,
  task: 'multiclass',
};

function randomData(rows: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * SPEC.inputSize).map(() => rng.normal());
  const y = new Float32Array(rows).map(() => rng.int(3));
  return { x, y };
}

async function run(backend: Backend, model: Model, optimizer: OptimizerSpec, steps: number, batch: number): Promise<Float32Array[]> {
  const rows = 65;
  const { x, y } = randomData(rows, 42);
  const ctx = model.programContext(1234);
  const source = dataSource('train', rows, SPEC.inputSize, 1);
  const order = new Float32Array(rows).map((_, i) => (i * 17) % rows);
  const program = trainStepProgram(ctx, batch, source, { optimizer, clipNorm: 5 });
  await backend.load(programSet([program]), model.layout, {
    [source.x.id]: x,
    [source.y.id]: y,
    [source.order.id]: order,
  });
  backend.writeParams(model.params);
  backend.resetOptimizerState();
  const runner = new StepRunner(backend);
  const history: Float32Array[] = [];
  for (let s = 0; s < steps; s++) {
    runner.train({ program, step: s + 1, lr: optimizer.lr, batchOffset: (s * batch) % (rows - batch), clearStats: s === 0 ? [STAT.lossSum.id] : undefined });
    history.push(await backend.readParams());
  }
  const [loss] = await backend.readStats([STAT.lossSum.id]);
  expect(Number.isFinite(loss)).toBe(true);
  return history;
}

/**
 * Tolerance: the GPU computes in f32, the reference in float64. Per step the difference is
 * ~1e-6 relative (sums over <= 33 rows and 16 units); it compounds through the updates, so after
 * 25 steps we allow 2e-4 of the parameters' scale (max |p| ~ 1) plus 1e-4 relative per element.
 */
function assertParamsAgree(step: number, gpu: Float32Array, cpu: Float32Array): void {
  const scale = Math.max(...Array.from(cpu, Math.abs));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < cpu.length; i++) {
    expect(Number.isFinite(gpu[i]), `step ${step}: GPU parameter ${i} is ${gpu[i]}`).toBe(true);
    const excess = Math.abs(gpu[i] - cpu[i]) - (2e-4 * scale + 1e-4 * Math.abs(cpu[i]));
    if (excess > worst) {
      worst = excess;
      at = i;
    }
  }
  expect(at, `step ${step}: parameter ${at} differs: GPU ${gpu[at]} vs CPU ${cpu[at]}`).toBe(-1);
}

describe('GPU and CPU backends train identically', () => {
  for (const optimizer of [
    { name: 'momentum', lr: 0.05, weightDecay: 1e-3 },
    { name: 'adam', lr: 0.003 },
  ] satisfies OptimizerSpec[]) {
    it(`${optimizer.name}: 25 steps with layer norm, dropout and a residual agree at every step`, async () => {
      const { gpu } = await testGpu();
      const model = new Model(SPEC, { seed: 7 });
      const gpuBackend = new GpuBackend(gpu);
      const cpuBackend = new CpuBackend();
      try {
        const steps = 25;
        const onGpu = await run(gpuBackend, model, optimizer, steps, 32);
        const onCpu = await run(cpuBackend, model, optimizer, steps, 32);
        for (let s = 0; s < steps; s++) assertParamsAgree(s + 1, onGpu[s], onCpu[s]);
        // The model really moved: parity of frozen weights would prove nothing.
        const moved = Math.max(...Array.from(onCpu[steps - 1], (v, i) => Math.abs(v - model.params[i])));
        expect(moved).toBeGreaterThan(1e-2);
      } finally {
        gpuBackend.destroy();
        cpuBackend.destroy();
      }
    });
  }
});
