// What the playground's e2e tests share: building the demo with `vite build --mode demo`, serving
// dist/demo from a tiny static server, the Chromium launch flags, and opening the page with its
// console errors collected. Never skips: no Chromium = fail.

import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist/demo');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Builds the demo and serves it; returns its address and how to stop the server. */
export async function serveDemo(): Promise<{ url: string; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH); the demo e2e tests never skip`);
  await build({ root: join(ROOT, 'demo'), configFile: join(ROOT, 'vite.config.ts'), mode: 'demo', logLevel: 'warn' });
  await stat(join(DIST, 'index.html'));
  await mkdir(ARTIFACTS, { recursive: true });
  const server = http.createServer(async (req, res) => {
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
  const url = await new Promise<string>((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)));
  return { url, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/**
 * For a test file: serves the demo and launches Chromium with WebGPU once (beforeAll), closing
 * both after (afterAll). Read `url` and `browser` inside the tests.
 */
export function demoWithWebGpu(): { readonly url: string; readonly browser: Browser } {
  let server: Awaited<ReturnType<typeof serveDemo>> | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await serveDemo();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, '--enable-unsafe-webgpu'] });
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get url() {
      return server!.url;
    },
    get browser() {
      return browser!;
    },
  };
}

/** Opens `url` and waits until the page is ready; console errors and page errors are collected. */
export async function openDemoPage(browser: Browser, url: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, errors };
}
