// A short real-MNIST run CI can afford: 784-128-10 ReLU + Adam (lr 2e-3, batch 128) on the first
// 20,000 training images for 2 epochs on the WebGPU device (~7 s on lavapipe), evaluated on the
// first 2,000 test images. Measured: 92.85% test accuracy; the bar is 90% to leave a margin.
// (6,000 rows x 2 epochs reaches only ~88% on these 2,000 images, the same as TF.js's reference.)

import { afterAll, describe, expect, it } from 'vitest';
import { releaseSharedGpu } from '../../src/backend/select.js';
import { loadMnist } from '../../src/data/mnist.js';
import { Model } from '../../src/index.js';

afterAll(releaseSharedGpu);

describe('MNIST', () => {
  it('784-128-10 relu adam: >= 90% test accuracy after 2 epochs on 20,000 images', async () => {
    const { train, test } = loadMnist({ trainLimit: 20000, testLimit: 2000 });
    expect(train.rows).toBe(20000);
    expect(test.rows).toBe(2000);
    expect(train.features).toBe(784);
    const model = new Model({ inputSize: 784, hidden: [{ units: 128, activation: 'relu' }], outputSize: 10, task: 'multiclass' }, { seed: 0 });
    const result = await model.fit(train, { epochs: 2, batchSize: 128, optimizer: { name: 'adam', lr: 2e-3 }, seed: 0, normalize: 'minmax' });
    const ev = await model.evaluate(test);
    const last = result.history.at(-1)!;
    console.log(
      `[mnist] train loss ${last.loss.toFixed(4)}, train acc ${(last.accuracy! * 100).toFixed(2)}%, ` +
        `test loss ${ev.loss.toFixed(4)}, test acc ${(ev.accuracy! * 100).toFixed(2)}% (${result.seconds.toFixed(1)} s, ${Math.round(result.samplesPerSec)} samples/s)`,
    );
    expect(result.history.length).toBe(2);
    expect(result.history[1].loss).toBeLessThan(result.history[0].loss);
    expect(ev.rows).toBe(2000);
    expect(ev.accuracy!).toBeGreaterThanOrEqual(0.9);
    expect(ev.loss).toBeLessThan(0.35);
    // predict() returns a probability distribution per row whose argmax agrees with evaluate's accuracy
    const probs = await model.predict(test.x);
    let correct = 0;
    for (let r = 0; r < test.rows; r++) {
      const row = probs.subarray(r * 10, r * 10 + 10);
      const sum = row.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
      if (row.indexOf(Math.max(...row)) === test.y[r]) correct++;
    }
    expect(correct / test.rows).toBeCloseTo(ev.accuracy!, 3);
  });
});
