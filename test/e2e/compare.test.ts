// End-to-end check of the playground's Compare mode in headless Chromium (the built demo, CPU
// backend: WebGPU batches are checked by the kernel tests): the "which activation?" lesson trains
// 8 activations as one model batch; every variant gets its own thumbnail (all different), its own
// loss curve and a final accuracy; the variant set menu and the address follow. Prints the time to
// the first thumbnails and the batch's model-steps/s against one model alone, for the README.

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, demoWithWebGpu, openDemoPage } from './demo-server.js';

const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'gelu', 'leaky_relu', 'elu', 'silu', 'selu'];

const demo = demoWithWebGpu();

/** Waits until every thumbnail shows the latest weights; returns a fingerprint and colour count per thumbnail. */
async function settledThumbnails(page: Page): Promise<{ hash: string; colours: number }[]> {
  await page.waitForFunction(
    () => {
      const host = document.getElementById('compare-cards')!;
      const canvases = [...host.querySelectorAll('canvas')];
      return canvases.length > 0 && host.dataset.want !== undefined && canvases.every((c) => c.dataset.drawn === host.dataset.want);
    },
    null,
    { timeout: 60_000, polling: 100 },
  );
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('#compare-cards canvas')].map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      let h = 0;
      for (let i = 0; i < d.length; i += 4) {
        const rgb = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        seen.add(rgb);
        h = (Math.imul(h, 31) + rgb) | 0;
      }
      return { hash: String(h), colours: seen.size };
    }),
  );
}

describe('playground Compare mode', () => {
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ({ page, errors } = await openDemoPage(demo.browser, `${demo.url}?lesson=which-activation&backend=cpu`, { width: 1440, height: 1000 }));
  }, 90_000);

  it('trains 8 activations as one batch: 8 distinct thumbnails, 8 curves, a status and a final accuracy per variant', async () => {
    expect(await page.evaluate(() => document.body.dataset.mode)).toBe('compare');
    expect(await page.getByTestId('compare-set').inputValue()).toBe('activations');
    // The untrained variants are drawn before anything trains.
    const untrained = await settledThumbnails(page);
    expect(untrained).toHaveLength(8);
    const thumbsMs = Number(await page.evaluate(() => document.body.dataset.compareThumbsMs));
    const drawMs = Number(await page.evaluate(() => document.getElementById('compare-cards')!.dataset.drawMs));
    await page.screenshot({ path: join(ARTIFACTS, 'compare-untrained.png') });

    const t0 = Date.now();
    await page.getByTestId('compare-toggle').click();
    await page.waitForSelector('body[data-compare="done"]', { timeout: 110_000 });
    const trainedS = (Date.now() - t0) / 1000;
    const thumbs = await settledThumbnails(page);
    await page.screenshot({ path: join(ARTIFACTS, 'compare-activations.png') });
    await page.locator('#compare-view').screenshot({ path: join(ARTIFACTS, 'compare-activations-view.png') });

    expect(thumbs).toHaveLength(8);
    // Every thumbnail is a real picture (heatmap shades and dots), and no two variants drew the same boundary.
    for (const t of thumbs) expect(t.colours).toBeGreaterThan(50);
    expect(new Set(thumbs.map((t) => t.hash)).size).toBe(8);
    // ... and training changed every one of them.
    thumbs.forEach((t, i) => expect(t.hash).not.toBe(untrained[i].hash));

    const cards = await page.getByTestId('compare-card').evaluateAll((els) =>
      els.map((e) => ({
        label: e.querySelector('strong')!.textContent,
        status: (e as HTMLElement).dataset.status,
        points: Number((e as HTMLElement).dataset.points),
        metric: e.querySelector<HTMLElement>('[data-testid="compare-metric"]')!.textContent,
        value: Number(e.querySelector<HTMLElement>('[data-testid="compare-metric"]')!.dataset.value),
        best: e.classList.contains('best'),
      })),
    );
    console.log(`[compare e2e] ${cards.map((c) => `${c.label} ${c.metric} (${c.status})`).join('; ')}`);
    expect(cards.map((c) => c.label)).toEqual(ACTIVATIONS);
    for (const c of cards) {
      expect(['completed', 'stopped early', 'diverged']).toContain(c.status);
      if (c.status === 'diverged') continue;
      expect(c.points).toBe(150);
      expect(c.metric).toMatch(/^held-out acc\. \d+\.\d%$/);
      expect(c.value).toBeGreaterThanOrEqual(0);
      expect(c.value).toBeLessThanOrEqual(1);
    }
    expect(cards.filter((c) => c.best)).toHaveLength(1);
    // The activations really differ in what they learned on the spirals.
    const values = cards.filter((c) => c.status !== 'diverged').map((c) => c.value);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.05);

    // One loss curve per variant, named by its label.
    const legend = await page.locator('#compare-chart .u-legend .u-series .u-label').allTextContents();
    expect(legend).toEqual(ACTIVATIONS);
    const curves = await page.locator('#compare-chart canvas').count();
    expect(curves).toBeGreaterThan(0);

    const modelStepsPerSec = Number(await page.getByTestId('compare-progress').getAttribute('data-model-steps-per-sec'));
    const trainingRate = Number(await page.getByTestId('compare-progress').getAttribute('data-training-model-steps-per-sec'));
    expect(modelStepsPerSec).toBeGreaterThan(0);
    expect(trainingRate).toBeGreaterThanOrEqual(modelStepsPerSec);

    // One model of the same shapes alone, on the same backend, in the single-network mode.
    await page.getByTestId('mode-select').selectOption('single');
    await page.getByTestId('train-toggle').click();
    await page.waitForFunction(() => Number(document.getElementById('stat-steps')?.textContent) > 0, null, { timeout: 60_000 });
    const s0 = Number(await page.locator('#stat-steps').textContent());
    const w0 = Date.now();
    await page.waitForTimeout(4000);
    const s1 = Number(await page.locator('#stat-steps').textContent());
    const single = ((s1 - s0) * 1000) / (Date.now() - w0);
    await page.getByTestId('train-toggle').click();
    await page.waitForSelector('body[data-loop="idle"]');
    console.log(
      `[compare e2e] first thumbnails ${thumbsMs} ms after the page asked for the batch (a redraw of all 8: ${drawMs} ms); 8 variants × 150 epochs in ${trainedS.toFixed(1)} s; ` +
        `batch ${modelStepsPerSec} model-steps/s wall (${Math.round(modelStepsPerSec / 8)} batch steps/s; ${trainingRate} model-steps/s in the worker's training time alone) ` +
        `vs one model alone ${Math.round(single)} steps/s wall: ${(modelStepsPerSec / single).toFixed(2)}× (CPU backend)`,
    );
    expect(errors).toEqual([]);
  });

  it('switching the variant set prepares its variants and puts it in the address', async () => {
    await page.getByTestId('mode-select').selectOption('compare');
    await page.getByTestId('compare-set').selectOption('lr');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-card"]').length === 5, null, { timeout: 30_000 });
    const thumbs = await settledThumbnails(page);
    expect(thumbs).toHaveLength(5);
    const labels = await page.locator('[data-testid="compare-card"] strong').allTextContents();
    expect(labels).toEqual(['lr 0.0001', 'lr 0.001', 'lr 0.01', 'lr 0.1', 'lr 1']);
    const url = new URL(page.url());
    expect(url.searchParams.get('mode')).toBe('compare');
    expect(url.searchParams.get('vary')).toBe('lr');
    expect(errors).toEqual([]);
  });

  it('the learning-rate lesson: five rates a decade apart, the too-small and too-large ones ranked below the middle', async () => {
    await page.goto(`${demo.url}?lesson=which-lr&backend=cpu`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await settledThumbnails(page);
    await page.getByTestId('compare-toggle').click();
    await page.waitForSelector('body[data-compare="done"]', { timeout: 110_000 });
    await settledThumbnails(page);
    await page.locator('#compare-view').screenshot({ path: join(ARTIFACTS, 'compare-lr-view.png') });
    const cards = await page.getByTestId('compare-card').evaluateAll((els) => els.map((e) => ({ label: e.querySelector('strong')!.textContent, best: e.classList.contains('best'), value: Number(e.querySelector<HTMLElement>('[data-testid="compare-metric"]')!.dataset.value) })));
    console.log(`[compare e2e] lr lesson: ${cards.map((c) => `${c.label} ${(c.value * 100).toFixed(1)}%`).join('; ')}`);
    expect(cards.map((c) => c.label)).toEqual(['lr 0.003', 'lr 0.03', 'lr 0.3', 'lr 3', 'lr 30']);
    const best = cards.find((c) => c.best)!;
    expect(['lr 0.3', 'lr 3']).toContain(best.label);
    expect(cards[0].value).toBeLessThan(best.value);
    expect(cards[4].value).toBeLessThan(best.value);
    expect(errors).toEqual([]);
  });
});
