// End-to-end check of the browser demo: builds it with `vite build --mode demo`, serves dist/demo
// from a tiny static server, and drives Debian's Chromium (playwright-core, no browser download)
// on WebGPU (SwiftShader) and with WebGPU disabled (CPU fallback). Never skips: no Chromium = fail.

import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist/demo');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

let server: http.Server;
let baseUrl: string;

function serve(): Promise<string> {
  server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(DIST, path === '/' ? 'index.html' : path));
    if (!file.startsWith(DIST)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)));
}

async function openPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(baseUrl);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, errors };
}

/** Trains until the train-accuracy testid reads 100%; returns the seconds it took. */
async function trainToFull(page: Page, limitMs: number): Promise<number> {
  await page.getByTestId('dataset-select').selectOption('xor');
  await page.waitForFunction(() => document.getElementById('data-info')?.textContent?.startsWith('xor'));
  const started = Date.now();
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="train-accuracy"]')?.textContent?.trim() === '100.0%', null, { timeout: limitMs, polling: 100 });
  const seconds = (Date.now() - started) / 1000;
  await page.getByTestId('train-toggle').click();
  return seconds;
}

/** Waits until the boundary canvas shows the current weights; returns its number of distinct colours. */
async function settledBoundary(page: Page): Promise<number> {
  await page.waitForFunction(
    () => {
      const c = document.querySelector('[data-testid="boundary"]') as HTMLElement;
      return c.dataset.want !== undefined && c.dataset.want === c.dataset.drawn;
    },
    null,
    { timeout: 45_000, polling: 50 },
  );
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="boundary"]') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
}

const boundaryUrl = (page: Page) => page.getByTestId('boundary').evaluate((c) => (c as HTMLCanvasElement).toDataURL());

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH); the demo e2e tests never skip`);
  await build({ root: join(ROOT, 'demo'), configFile: join(ROOT, 'vite.config.ts'), mode: 'demo', logLevel: 'warn' });
  await stat(join(DIST, 'index.html'));
  await mkdir(ARTIFACTS, { recursive: true });
  baseUrl = await serve();
}, 150_000);

afterAll(() => new Promise<void>((ok) => (server ? server.close(() => ok()) : ok())));

describe('demo on WebGPU', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, '--enable-unsafe-webgpu'] });
    ({ page, errors } = await openPage(browser));
  }, 90_000);
  afterAll(async () => browser?.close());

  it('loads without console errors and names the WebGPU adapter', async () => {
    const adapter = (await page.getByTestId('adapter').textContent()) ?? '';
    console.log(`[demo e2e] adapter: ${adapter}`);
    expect(adapter).toContain('WebGPU');
    expect(adapter.replace('WebGPU:', '').trim().length).toBeGreaterThan(0);
    const options = await page.getByTestId('dataset-select').locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(options).toContain('xor');
    expect(errors).toEqual([]);
  }, 30_000);

  it('trains XOR to 100% train accuracy and draws a non-uniform boundary', async () => {
    const seconds = await trainToFull(page, 150_000);
    console.log(`[demo e2e] WebGPU: XOR reached 100% train accuracy in ${seconds.toFixed(1)} s`);
    expect(await settledBoundary(page)).toBeGreaterThan(10);
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: false });
    expect(errors).toEqual([]);
  }, 180_000);

  // The page's own GPU-vs-CPU check runs and reports a number. Whether the backends agree is the
  // engine's parity suite's job (test/engine); a large difference is printed here as a warning.
  it('verify: runs one step on WebGPU and on the CPU reference and reports the difference', async () => {
    await page.getByTestId('verify').click();
    const result = page.getByTestId('verify-result');
    await page.waitForFunction(() => (document.querySelector('[data-testid="verify-result"]') as HTMLElement).dataset.sgdUpdateDiff !== undefined, null, { timeout: 60_000 });
    const diff = Number(await result.getAttribute('data-sgd-update-diff'));
    console.log(`[demo e2e] verify: ${await result.textContent()}`);
    if (!(diff < 1e-3)) console.warn(`[demo e2e] WARNING: one SGD step differs by ${(diff * 100).toPrecision(3)}% of the update between WebGPU and CPU`);
    expect(Number.isFinite(diff)).toBe(true);
    expect(await result.textContent()).toContain('sgd: largest relative param difference');
  }, 25_000);

  it('saves the model and loads it back with the same predictions', async () => {
    await settledBoundary(page);
    const trained = await boundaryUrl(page);
    const downloads: string[] = [];
    const names: string[] = [];
    const collected = new Promise<void>((ok) => {
      page.on('download', async (d) => {
        const path = join(ARTIFACTS, `saved-${d.suggestedFilename()}`);
        await d.saveAs(path);
        names.push(d.suggestedFilename());
        downloads.push(path);
        if (downloads.length === 2) ok();
      });
    });
    await page.getByTestId('save').click();
    await collected;
    expect(names.sort()).toEqual(['model.json', 'model.safetensors']);
    expect(JSON.parse(await readFile(downloads.find((p) => p.endsWith('.json'))!, 'utf8')).spec.inputSize).toBe(2);

    // Reset to fresh random weights (a different picture), then load the saved files.
    await page.locator('#reset').click();
    await settledBoundary(page);
    expect((await boundaryUrl(page)) === trained).toBe(false);
    await page.getByTestId('load').setInputFiles(downloads);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('Loaded 2 files'));
    await settledBoundary(page);
    expect((await boundaryUrl(page)) === trained).toBe(true);
    expect(errors).toEqual([]);
  }, 90_000);

  // The bundled MNIST subset loads, trains a little, and the digit pad classifies a drawn stroke
  // with the session's predict: ten probabilities that sum to 1.
  it('MNIST: trains on the bundled subset and classifies a digit drawn on the pad', async () => {
    await page.getByTestId('dataset-select').selectOption('mnist');
    await page.waitForFunction(() => document.getElementById('data-info')?.textContent?.includes('train 2000, test 500'), null, { timeout: 30_000 });
    const started = Date.now();
    await page.getByTestId('train-toggle').click();
    // One epoch (63 steps of 32 rows) ends with a test-set evaluation.
    await page.waitForFunction(() => /%$/.test(document.getElementById('stat-val-acc')?.textContent ?? ''), null, { timeout: 60_000, polling: 100 });
    await page.getByTestId('train-toggle').click();
    const testAccuracy = parseFloat((await page.locator('#stat-val-acc').textContent()) ?? '');
    console.log(`[demo e2e] MNIST subset: first epoch done in ${((Date.now() - started) / 1000).toFixed(1)} s (incl. pipeline compilation), test accuracy ${testAccuracy}%`);
    // Chance is 10%; one epoch of 2,000 images gets far above it unless images and labels disagree.
    expect(testAccuracy).toBeGreaterThan(50);

    const box = (await page.getByTestId('digit-pad').boundingBox())!;
    // A "1": one vertical stroke down the middle of the pad.
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.2 + 0.06 * i));
    await page.mouse.up();
    const meters = page.getByTestId('digit-probs').locator('meter');
    await expect.poll(() => meters.count(), { timeout: 20_000 }).toBe(10);
    const probs = await meters.evaluateAll((ms) => ms.map((m) => (m as HTMLMeterElement).value));
    console.log(`[demo e2e] MNIST pad: ${probs.map((p) => p.toFixed(3)).join(' ')}`);
    for (const p of probs) expect(p).toBeGreaterThanOrEqual(0);
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-4);
    expect(errors).toEqual([]);
  }, 90_000);

  // A user's CSV through the file input: the label is not the last column, so it must be picked.
  it('CSV: loads a file, trains on the chosen label column and reports accuracy', async () => {
    await page.getByTestId('dataset-select').selectOption('csv');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Choose a CSV file'));
    const lines = ['label,a,b'];
    for (let i = 0; i < 120; i++) {
      const a = Math.sin(i * 1.7) * 2;
      const b = Math.cos(i * 2.3) * 2;
      lines.push(`${a + 0.5 * b > 0.2 ? 'yes' : 'no'},${a.toFixed(4)},${b.toFixed(4)}`);
    }
    await page.locator('#csv-file').setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await page.locator('#csv-label').selectOption('label');
    await page.waitForFunction(() => document.getElementById('data-info')?.textContent?.startsWith('points: 120 rows × 2 features, multiclass (2 classes)'), null, { timeout: 20_000 });
    const started = Date.now();
    await page.getByTestId('train-toggle').click();
    await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid="train-accuracy"]')?.textContent ?? '') >= 90, null, { timeout: 60_000, polling: 100 });
    await page.getByTestId('train-toggle').click();
    const accuracy = await page.getByTestId('train-accuracy').textContent();
    console.log(`[demo e2e] CSV: ${accuracy} train accuracy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(accuracy).toMatch(/^\d+(\.\d)?%$/);
    expect(await settledBoundary(page)).toBeGreaterThan(10);
    // Single steps continue the paused run (one engine session): the step count goes on from there.
    await page.waitForSelector('body[data-loop="idle"]');
    const steps = Number(await page.locator('#stat-steps').textContent());
    expect(steps).toBeGreaterThan(0);
    for (const want of [steps + 1, steps + 2]) {
      await page.locator('#step').click();
      await page.waitForFunction((n) => document.getElementById('stat-steps')?.textContent === String(n), want, { timeout: 10_000 });
    }
    expect(errors).toEqual([]);
  }, 90_000);

  it('lays out on a 390x844 phone screen without horizontal overflow', async () => {
    const phone = await openPage(browser, { width: 390, height: 844 });
    await settledBoundary(phone.page);
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await phone.page.screenshot({ path: join(ARTIFACTS, 'demo-390x844.png'), fullPage: true });
    expect(overflow).toBeLessThanOrEqual(0);
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  }, 90_000);
});

describe('demo with WebGPU disabled', () => {
  it('falls back to the CPU backend, says so, and still trains XOR', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, '--disable-webgpu'] });
    try {
      const { page, errors } = await openPage(browser);
      const adapter = (await page.getByTestId('adapter').textContent()) ?? '';
      expect(adapter).toContain('CPU');
      expect(await page.locator('#backend-notice').isVisible()).toBe(true);
      const seconds = await trainToFull(page, 90_000);
      console.log(`[demo e2e] CPU fallback: XOR reached 100% train accuracy in ${seconds.toFixed(1)} s`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 45_000);
});
