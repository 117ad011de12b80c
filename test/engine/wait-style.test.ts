// Which way a GPU backend's waits poll (src/device/quiet-polling.ts): on a CPU adapter a step of
// tiny dispatches waits busily, since there hand-offs between lavapipe's threads bound it, and a
// step with real work per dispatch waits quietly; on a GPU every step waits quietly.

import { afterAll, describe, expect, it } from 'vitest';
import { GpuBackend } from '../../src/backend/gpu-backend.js';
import { isCpuAdapter } from '../../src/device/gpu.js';
import { currentWaitStyle, setWaitStyle, type WaitStyle } from '../../src/device/quiet-polling.js';
import { dataSource, trainStepProgram } from '../../src/graph/programs.js';
import { Model } from '../../src/model/model.js';
import { SCALAR, SCALARS_LENGTH } from '../../src/ops/args.js';
import { Rng } from '../../src/util/rng.js';
import { releaseTestGpu, testGpu } from '../support/gpu.js';

afterAll(releaseTestGpu);

async function styleAfterStep(layers: number[], batch: number, startFrom: WaitStyle): Promise<WaitStyle> {
  const { gpu } = await testGpu();
  const [inputSize, ...rest] = layers;
  const model = new Model({ inputSize, hidden: rest.slice(0, -1).map((units) => ({ units, activation: 'relu' })), outputSize: rest[rest.length - 1], task: 'multiclass' }, { seed: 1 });
  const rows = batch;
  const rng = new Rng(3);
  const source = dataSource('train', rows, inputSize, 1);
  const backend = new GpuBackend(gpu);
  try {
    await backend.load({ train: trainStepProgram(model.programContext(1), batch, source, { optimizer: { name: 'adam', lr: 1e-3 } }) }, model.layout, {
      [source.x.id]: new Float32Array(rows * inputSize).map(() => rng.normal()),
      [source.y.id]: new Float32Array(rows).map(() => rng.int(rest[rest.length - 1])),
      [source.order.id]: new Float32Array(rows).map((_, i) => i),
    });
    backend.writeParams(model.params);
    const scalars = new Float32Array(SCALARS_LENGTH);
    scalars[SCALAR.lr] = 1e-3;
    scalars[SCALAR.step] = 1;
    setWaitStyle(startFrom);
    backend.run(['train'], scalars);
    const style = currentWaitStyle();
    await backend.idle();
    return style;
  } finally {
    backend.destroy();
  }
}

describe('wait style per program', () => {
  it('waits busily after a step of tiny dispatches only on a CPU adapter, and quietly after a step with work per dispatch', async () => {
    const { gpu } = await testGpu();
    expect(await styleAfterStep([2, 16, 16, 2], 32, 'quiet')).toBe(isCpuAdapter(gpu.report) ? 'busy' : 'quiet');
    expect(await styleAfterStep([784, 256, 10], 128, 'busy')).toBe('quiet');
  });
});
