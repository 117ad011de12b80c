// End-to-end check of the browser playground: builds it with `vite build --mode demo`, serves
// dist/demo from a tiny static server, and drives Debian's Chromium (playwright-core, no browser
// download) with WebGPU (SwiftShader) and with WebGPU disabled. Covers Auto's backend choice, the
// network diagram, every lesson preset, URL state, the digit pad on scripted strokes of 0–9, verify,
// save/load and the phone layout. Never skips: no Chromium = fail. Timings are printed for the README.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, BASE_ARGS, CHROMIUM, openDemoPage, serveDemo } from './demo-server.js';
import { DIGIT_STROKES } from './digit-strokes.js';

let server: Awaited<ReturnType<typeof serveDemo>> | undefined;
let baseUrl: string;

const openPage = (browser: Browser, viewport = { width: 1280, height: 800 }, query = '') => openDemoPage(browser, baseUrl + query, viewport);

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
const diagramUrl = (page: Page) => page.getByTestId('network-diagram').locator('canvas').first().evaluate((c) => (c as HTMLCanvasElement).toDataURL());
const steps = async (page: Page) => Number(await page.locator('#stat-steps').textContent());

/** Trains for `ms` after the first step is done; returns steps per second over that window. */
async function stepsPerSecond(page: Page, ms: number): Promise<number> {
  await page.getByTestId('train-toggle').click();
  await page.waitForFunction(() => Number(document.getElementById('stat-steps')?.textContent) > 0, null, { timeout: 120_000, polling: 100 });
  const s0 = await steps(page);
  const t0 = Date.now();
  await page.waitForTimeout(ms);
  const s1 = await steps(page);
  const rate = ((s1 - s0) * 1000) / (Date.now() - t0);
  await page.getByTestId('train-toggle').click();
  await page.waitForSelector('body[data-loop="idle"]');
  return rate;
}

beforeAll(async () => {
  server = await serveDemo();
  baseUrl = server.url;
}, 150_000);

afterAll(() => server?.close());

describe('playground with WebGPU (SwiftShader in headless Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let loadedAt = 0;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, '--enable-unsafe-webgpu'] });
    loadedAt = Date.now();
    ({ page, errors } = await openPage(browser, { width: 1440, height: 900 }));
  }, 90_000);
  afterAll(async () => browser?.close());

  it('names the adapter, draws the data and the untrained boundary at once, and Auto picks a backend and says why', async () => {
    const adapter = (await page.getByTestId('adapter').textContent()) ?? '';
    expect(adapter).toContain('WebGPU');
    const firstBoundaryMs = Number(await page.evaluate(() => document.body.dataset.firstBoundaryMs));
    console.log(`[demo e2e] adapter: ${adapter}; first boundary ${firstBoundaryMs} ms after navigation start (page ready ${Date.now() - loadedAt} ms after launch)`);
    expect(firstBoundaryMs).toBeGreaterThan(0);
    expect(await settledBoundary(page)).toBeGreaterThan(10);
    await page.waitForSelector('body[data-backend-decided="true"]', { timeout: 30_000 });
    const active = await page.getByTestId('backend-active').textContent();
    const why = (await page.locator('#backend-why').textContent()) ?? '';
    console.log(`[demo e2e] Auto: ${active} — ${why}`);
    expect(['WebGPU', 'CPU']).toContain(active);
    expect(why).toMatch(/^Auto: (CPU|WebGPU) — .*steps\/s/);
    // SwiftShader runs kernels on the CPU: the page's own CPU backend is faster for this tiny net.
    expect(active).toBe('CPU');
    expect(await page.getByTestId('backend-select').inputValue()).toBe('auto');
    expect(errors).toEqual([]);
  }, 60_000);

  it('trains noisy XOR on the chosen backend; the diagram redraws while training', async () => {
    const diagramBefore = await diagramUrl(page);
    const drawnBefore = await page.getByTestId('network-diagram').getAttribute('data-drawn');
    const rate = await stepsPerSecond(page, 2500);
    console.log(`[demo e2e] XOR on Auto (CPU): ${rate.toFixed(0)} steps/s; train accuracy ${await page.getByTestId('train-accuracy').textContent()}; samples/s shown ${await page.locator('#stat-speed').textContent()}`);
    expect(rate).toBeGreaterThan(0);
    expect(parseFloat((await page.getByTestId('train-accuracy').textContent()) ?? '')).toBeGreaterThanOrEqual(90);
    expect(await page.getByTestId('network-diagram').getAttribute('data-drawn')).not.toBe(drawnBefore);
    expect(await diagramUrl(page)).not.toBe(diagramBefore);
    expect(Number(await page.getByTestId('network-diagram').getAttribute('data-units'))).toBe(2 + 8 + 8 + 1);
    expect(await settledBoundary(page)).toBeGreaterThan(10);
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png') });
    expect(errors).toEqual([]);
  }, 60_000);

  it('Auto re-decides when the network changes size (diagram +)', async () => {
    await page.getByTestId('network-diagram').locator('.units-plus').first().click();
    await page.waitForFunction(() => document.getElementById('backend-why')?.textContent?.includes('2-9-8-1'), null, { timeout: 30_000 });
    expect(await page.getByTestId('network-diagram').getAttribute('data-units')).toBe(String(2 + 9 + 8 + 1));
    // Hovering a hidden unit (column 2 of 4) shows its pre-activation range and whether it is dead.
    const canvas = page.getByTestId('network-diagram').locator('canvas').first();
    const box = (await canvas.boundingBox())!;
    const tip = page.getByTestId('network-diagram').locator('.diagram-tip');
    for (let y = 4; y < box.height && !(await tip.isVisible()); y += 6) await page.mouse.move(box.x + box.width * (1.5 / 4), box.y + y);
    expect(await tip.textContent()).toMatch(/^Hidden 1, unit \d+ \(tanh\): pre-activation -?[\d.e+-]+ … -?[\d.e+-]+ on \d+ training rows/);
    expect(errors).toEqual([]);
  }, 40_000);

  it('XOR on WebGPU when chosen: steps/s on SwiftShader', async () => {
    await page.getByTestId('backend-select').selectOption('webgpu');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-active"]')?.textContent === 'WebGPU');
    const rate = await stepsPerSecond(page, 3000);
    console.log(`[demo e2e] XOR on WebGPU (SwiftShader): ${rate.toFixed(1)} steps/s`);
    expect(rate).toBeGreaterThan(0);
    await page.getByTestId('backend-select').selectOption('auto');
    expect(errors).toEqual([]);
  }, 150_000);

  it('verify: one step on WebGPU and on the CPU, with a pass/fail verdict against the documented tolerance', async () => {
    await page.getByTestId('verify').click();
    await page.waitForFunction(() => (document.querySelector('[data-testid="verify-result"]') as HTMLElement).dataset.pass !== undefined, null, { timeout: 90_000 });
    const badge = await page.getByTestId('verify-badge').textContent();
    console.log(`[demo e2e] verify: ${badge} — ${await page.getByTestId('verify-result').textContent()}`);
    expect(['PASS', 'FAIL']).toContain(badge);
    expect(badge).toBe('PASS');
  }, 100_000);

  it('every lesson preset loads, trains a few steps and shows its explanation', async () => {
    // (Compare-mode lessons train a model batch: compare.test.ts runs them.)
    const lessons = await page.getByTestId('preset-select').locator('option').evaluateAll((o) => (o as HTMLOptionElement[]).filter((x) => x.value && x.dataset.mode !== 'compare').map((x) => x.value));
    expect(lessons.length).toBeGreaterThanOrEqual(9);
    await page.getByTestId('backend-select').selectOption('cpu');
    const grads: Record<string, number[]> = {};
    const dead: Record<string, number[]> = {};
    for (const lesson of lessons) {
      await page.getByTestId('preset-select').selectOption(lesson);
      await page.waitForFunction(() => document.querySelector('[data-testid="backend-active"]')?.textContent === 'CPU', null, { timeout: 20_000 });
      expect(await page.locator('#lesson').isVisible()).toBe(true);
      expect(((await page.locator('#lesson-text').textContent()) ?? '').split('. ').length).toBeGreaterThanOrEqual(2);
      await page.getByTestId('train-toggle').click();
      await page.waitForFunction(() => Number(document.getElementById('stat-steps')?.textContent) >= 20 || document.body.dataset.loop === 'idle', null, { timeout: 30_000, polling: 100 });
      if ((await page.getByTestId('train-toggle').getAttribute('aria-pressed')) === 'true') await page.getByTestId('train-toggle').click();
      await page.waitForSelector('body[data-loop="idle"]');
      const n = await steps(page);
      const said = (await page.locator('#status').textContent()) ?? '';
      console.log(`[demo e2e] lesson ${lesson}: ${n} steps, loss ${await page.locator('#stat-loss').textContent()}${said ? `, status: ${said}` : ''}`);
      expect(n).toBeGreaterThan(0);
      await settledBoundary(page);
      grads[lesson] = ((await page.locator('#grad-chart').getAttribute('data-last')) ?? '').split(',').map(Number);
      dead[lesson] = ((await page.getByTestId('network-diagram').getAttribute('data-dead')) ?? '').split(',').map(Number);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(ARTIFACTS, `lesson-${lesson}.png`) });
      await page.locator('.lesson-view').screenshot({ path: join(ARTIFACTS, `lesson-${lesson}-view.png`) });
    }
    // What the lessons are about shows in their views: gradient norms decades apart, dead units.
    const ratio = (g: number[]) => g[0] / g[g.length - 1];
    console.log(`[demo e2e] first/last layer gradient-norm ratio: sigmoid x8 ${ratio(grads['vanishing-sigmoid']).toExponential(2)}, ReLU x8 ${ratio(grads['vanishing-relu']).toExponential(2)}; dead units after the large-LR lesson ${dead['dying-relu'].join('/')}`);
    expect(ratio(grads['vanishing-sigmoid'])).toBeLessThan(1e-3);
    expect(ratio(grads['vanishing-relu'])).toBeGreaterThan(1e-2);
    expect(dead['dying-relu'].reduce((a, b) => a + b, 0)).toBeGreaterThan(8);
    // The sawtooth lessons count the fitted function's linear pieces.
    await page.getByTestId('preset-select').selectOption('depth-deep');
    await settledBoundary(page);
    expect(await page.locator('#plot-note').textContent()).toMatch(/\d+ linear pieces/);
    await page.getByTestId('backend-select').selectOption('auto');
    expect(errors).toEqual([]);
  }, 300_000);

  it('the URL carries the whole experiment: a copied link opens the same settings', async () => {
    await page.getByTestId('preset-select').selectOption('overfitting');
    await page.locator('#features input[value="x1sq"]').check();
    await page.locator('#lr').fill('0.0123');
    await page.locator('#lr').dispatchEvent('change');
    await page.waitForFunction(() => location.search.includes('lr=0.0123') && location.search.includes('x1sq'));
    const url = page.url();
    const read = (p: Page) =>
      p.evaluate(() => ({
        dataset: (document.getElementById('dataset') as HTMLSelectElement).value,
        rows: (document.getElementById('rows') as HTMLInputElement).value,
        noise: (document.getElementById('noise') as HTMLInputElement).value,
        lr: (document.getElementById('lr') as HTMLInputElement).value,
        optimizer: (document.getElementById('optimizer') as HTMLSelectElement).value,
        features: [...document.querySelectorAll<HTMLInputElement>('#features input:checked')].map((b) => b.value),
        layers: [...document.querySelectorAll<HTMLInputElement>('.layer-units')].map((i) => i.value),
        lesson: (document.getElementById('preset') as HTMLSelectElement).value,
        inputs: document.querySelector('[data-testid="network-diagram"] .diagram-col span')?.textContent,
      }));
    const want = await read(page);
    console.log(`[demo e2e] shared URL: ${url.slice(url.indexOf('?'))}`);
    const other = await openPage(browser, { width: 1280, height: 800 }, url.slice(url.indexOf('?')));
    expect(await read(other.page)).toEqual(want);
    expect(want.inputs).toBe('3 features');
    expect(other.errors).toEqual([]);
    await other.page.close();
  }, 60_000);

  it('saves ONE file and loads it back with the same predictions (features included), and the same through Export ONNX', async () => {
    await page.getByTestId('preset-select').selectOption('overfitting');
    await page.locator('#features input[value="x1sq"]').check();
    await page.waitForFunction(() => document.querySelector('[data-testid="network-diagram"] .diagram-col span')?.textContent === '3 features');
    await page.locator('#step').click();
    await page.waitForFunction(() => Number(document.getElementById('stat-steps')?.textContent) > 0);
    await settledBoundary(page);
    const trained = await boundaryUrl(page);
    const downloads: string[] = [];
    page.on('download', async (d) => {
      const path = join(ARTIFACTS, `saved-${d.suggestedFilename()}`);
      await d.saveAs(path);
      downloads.push(path);
    });
    await page.getByTestId('save').click();
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(1);
    await page.waitForTimeout(500);
    expect(downloads.length).toBe(1);
    const saved = JSON.parse(await readFile(downloads[0], 'utf8'));
    expect(saved.playground.features).toEqual(['x1', 'x2', 'x1sq']);
    expect(saved.model.spec.inputSize).toBe(3);
    await page.locator('#reset').click();
    await settledBoundary(page);
    expect((await boundaryUrl(page)) === trained).toBe(false);
    await page.getByTestId('load').setInputFiles(downloads);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Loaded'));
    await settledBoundary(page);
    expect((await boundaryUrl(page)) === trained).toBe(true);

    // The same model as ONNX: exported, the page reset, and loaded back with its features φ.
    await page.getByTestId('export-onnx').click();
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
    expect(downloads[1].endsWith('.onnx')).toBe(true);
    await page.locator('#features input[value="x1sq"]').uncheck();
    await page.locator('#reset').click();
    await settledBoundary(page);
    expect((await boundaryUrl(page)) === trained).toBe(false);
    await page.evaluate(() => (document.getElementById('status')!.textContent = ''));
    await page.getByTestId('load').setInputFiles(downloads[1]);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Loaded'));
    expect(await page.locator('#features input[value="x1sq"]').isChecked()).toBe(true);
    await settledBoundary(page);
    expect((await boundaryUrl(page)) === trained).toBe(true);
    expect(errors).toEqual([]);
  }, 90_000);

  it('CSV with no file clears the previous run’s views and says what to do', async () => {
    await page.getByTestId('dataset-select').selectOption('csv');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Choose a CSV file'));
    expect(await page.locator('#stat-loss').textContent()).toBe('–');
    expect(await page.locator('#loss-chart').innerHTML()).toBe('');
    await page.getByTestId('train-toggle').click();
    expect(await page.locator('#status').textContent()).toContain('Nothing to train yet');
    expect(errors).toEqual([]);
  }, 30_000);

  // A user's CSV through the file input: the label is not the last column, so it must be picked.
  it('CSV: loads a file, trains on the chosen label column, and single steps continue the run', async () => {
    const lines = ['label,a,b'];
    for (let i = 0; i < 120; i++) {
      const a = Math.sin(i * 1.7) * 2;
      const b = Math.cos(i * 2.3) * 2;
      lines.push(`${a + 0.5 * b > 0.2 ? 'yes' : 'no'},${a.toFixed(4)},${b.toFixed(4)}`);
    }
    await page.locator('#csv-file').setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await page.locator('#csv-label').selectOption('label');
    await page.waitForFunction(() => document.getElementById('data-info')?.textContent?.startsWith('points: 120 rows × 2 features, multiclass (2 classes)'), null, { timeout: 20_000 });
    await page.getByTestId('train-toggle').click();
    await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid="train-accuracy"]')?.textContent ?? '') >= 90, null, { timeout: 60_000, polling: 100 });
    await page.getByTestId('train-toggle').click();
    await page.waitForSelector('body[data-loop="idle"]');
    expect(await settledBoundary(page)).toBeGreaterThan(10);
    const n = await steps(page);
    for (const want of [n + 1, n + 2]) {
      await page.locator('#step').click();
      await page.waitForFunction((k) => document.getElementById('stat-steps')?.textContent === String(k), want, { timeout: 10_000 });
    }
    expect(errors).toEqual([]);
  }, 90_000);

  it('lays out on a 390x844 phone: Train and the plot above the fold, no horizontal overflow', async () => {
    const phone = await openPage(browser, { width: 390, height: 844 });
    await settledBoundary(phone.page);
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const train = (await phone.page.getByTestId('train-toggle').boundingBox())!;
    const plot = (await phone.page.getByTestId('boundary').boundingBox())!;
    console.log(`[demo e2e] phone: Train at y=${train.y.toFixed(0)}, plot ${plot.y.toFixed(0)}–${(plot.y + plot.height).toFixed(0)} of 844`);
    await phone.page.screenshot({ path: join(ARTIFACTS, 'demo-390x844.png') });
    await phone.page.screenshot({ path: join(ARTIFACTS, 'demo-390x844-full.png'), fullPage: true });
    expect(overflow).toBeLessThanOrEqual(0);
    expect(train.y + train.height).toBeLessThanOrEqual(844);
    expect(plot.y + plot.height).toBeLessThanOrEqual(844);
    // The run bar stays on screen when the page is scrolled.
    await phone.page.mouse.wheel(0, 1500);
    await phone.page.waitForTimeout(200);
    const after = (await phone.page.getByTestId('train-toggle').boundingBox())!;
    expect(after.y).toBeGreaterThanOrEqual(0);
    expect(after.y).toBeLessThan(120);
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  }, 60_000);

  // After training on the bundled subset, hand-drawn digits (scripted pen strokes) are read as a
  // person would read them: at least 8 of 0–9.
  it('MNIST: the pad reads scripted strokes of 0–9 (at least 8 right) after training on the subset', async () => {
    const mn = await openPage(browser, { width: 1280, height: 900 }, '?data=mnist&backend=cpu');
    await mn.page.waitForFunction(() => document.getElementById('data-info')?.textContent?.includes('train 2000, held-out 500'), null, { timeout: 30_000 });
    expect(await mn.page.locator('.weight-images canvas').count()).toBe(64);
    const pad = mn.page.getByTestId('digit-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    const draw = async (strokes: [number, number][][]) => {
      await mn.page.locator('#digit-clear').click();
      for (const stroke of strokes) {
        await mn.page.mouse.move(box.x + stroke[0][0] * box.width, box.y + stroke[0][1] * box.height);
        await mn.page.mouse.down();
        for (const [x, y] of stroke.slice(1)) await mn.page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 3 });
        await mn.page.mouse.up();
      }
    };
    // An untrained network is not asked.
    await draw(DIGIT_STROKES[7]);
    await expect.poll(() => mn.page.getByTestId('digit-probs').textContent()).toContain('Train first');
    const started = Date.now();
    await mn.page.getByTestId('train-toggle').click();
    await mn.page.waitForFunction(() => Number(document.getElementById('stat-epochs')?.textContent) >= 6, null, { timeout: 120_000, polling: 200 });
    await mn.page.getByTestId('train-toggle').click();
    await mn.page.waitForSelector('body[data-loop="idle"]');
    const acc = await mn.page.locator('#stat-val-acc').textContent();
    console.log(`[demo e2e] MNIST subset: 6 epochs in ${((Date.now() - started) / 1000).toFixed(1)} s on ${await mn.page.getByTestId('backend-active').textContent()}, held-out accuracy ${acc}`);
    const read: string[] = [];
    for (let d = 0; d < 10; d++) {
      await draw(DIGIT_STROKES[d]);
      await expect.poll(() => mn.page.getByTestId('digit-prediction').textContent(), { timeout: 10_000 }).not.toBe('–');
      read.push((await mn.page.getByTestId('digit-prediction').textContent()) ?? '');
      if (d === 7) await mn.page.locator('#digit-view').screenshot({ path: join(ARTIFACTS, 'digit-7.png') });
    }
    const right = read.filter((r, d) => r === String(d)).length;
    console.log(`[demo e2e] MNIST pad read 0–9 as ${read.join(' ')} (${right}/10 right)`);
    await mn.page.screenshot({ path: join(ARTIFACTS, 'mnist.png'), fullPage: true });
    expect(right).toBeGreaterThanOrEqual(8);
    expect(mn.errors).toEqual([]);
    await mn.page.close();
  }, 200_000);
});

describe('playground with WebGPU disabled', () => {
  it('says so in browser terms, trains XOR on the CPU, and reports steps/s', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, '--disable-webgpu'] });
    try {
      const { page, errors } = await openPage(browser);
      expect(await page.getByTestId('adapter').textContent()).toContain('CPU');
      const notice = (await page.locator('#backend-notice').textContent()) ?? '';
      expect(await page.locator('#backend-notice').isVisible()).toBe(true);
      expect(notice).not.toMatch(/apt-get|VK_DRIVER_FILES/);
      await page.waitForFunction(() => document.querySelector('[data-testid="backend-active"]')?.textContent === 'CPU');
      const rate = await stepsPerSecond(page, 2000);
      console.log(`[demo e2e] no WebGPU: XOR on the CPU ${rate.toFixed(0)} steps/s; notice: ${notice}`);
      expect(rate).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
