// The playground's Compare mode on WebGPU in the browser (Chromium's SwiftShader adapter): the
// "which activation?" batch of 8 models trains 5 epochs on the GPU and on the CPU backend, and
// every variant ends with the same held-out accuracy either way (one held-out row of slack for
// f32 against float64), so the browser's batched kernels compute what the reference does.

import { describe, expect, it } from 'vitest';
import { demoWithWebGpu, openDemoPage } from './demo-server.js';

const demo = demoWithWebGpu();

interface Card {
  label: string;
  status: string;
  value: number;
}

async function compareRun(backend: 'webgpu' | 'cpu'): Promise<{ cards: Card[]; progress: string; errors: string[] }> {
  const { page, errors } = await openDemoPage(demo.browser, `${demo.url}?lesson=which-activation&backend=${backend}`, { width: 1440, height: 1000 });
  await page.fill('#compare-epochs', '5');
  await page.dispatchEvent('#compare-epochs', 'change');
  await page.getByTestId('compare-toggle').click();
  await page.waitForSelector('body[data-compare="done"]', { timeout: 240_000 });
  const cards = await page.getByTestId('compare-card').evaluateAll((els) =>
    els.map((e) => ({ label: e.querySelector('strong')!.textContent!, status: (e as HTMLElement).dataset.status!, value: Number(e.querySelector<HTMLElement>('[data-testid="compare-metric"]')!.dataset.value) })),
  );
  const progress = (await page.getByTestId('compare-progress').textContent()) ?? '';
  await page.close();
  return { cards, progress, errors };
}

describe('playground Compare mode on WebGPU', () => {
  it('trains the 8-activation batch on the GPU to the same held-out accuracies as the CPU backend', async () => {
    const gpu = await compareRun('webgpu');
    const cpu = await compareRun('cpu');
    console.log(`[compare webgpu] ${gpu.progress} | ${gpu.cards.map((c) => `${c.label} ${c.value.toFixed(3)}`).join(', ')}`);
    expect(gpu.progress).toMatch(/8 models on the GPU/);
    expect(cpu.progress).toMatch(/8 models on the CPU/);
    expect(gpu.cards.map((c) => c.label)).toEqual(cpu.cards.map((c) => c.label));
    expect(gpu.cards).toHaveLength(8);
    gpu.cards.forEach((c, i) => {
      expect(c.status, c.label).toBe(cpu.cards[i].status);
      expect(Number.isFinite(c.value), c.label).toBe(true);
      // 60 held-out rows: one row of difference is 1/60.
      expect(Math.abs(c.value - cpu.cards[i].value), c.label).toBeLessThanOrEqual(1 / 60 + 1e-9);
    });
    expect(gpu.errors).toEqual([]);
    expect(cpu.errors).toEqual([]);
  }, 300_000);
});
