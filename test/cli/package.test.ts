// The package as a user installs it: `npm pack`, unpacked into a temp folder's node_modules (its
// dependencies linked from ours, no registry), then the README's `webgpu-mlp/node` example run
// verbatim with plain node, importing both entry points. Also the CLI's noise promises: no Dawn
// limit warnings, a note while kernels compile, usage with no command.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, run } from '../support/cli.js';

const pkg = JSON.parse(fs.readFileSync(join(ROOT, 'package.json'), 'utf8'));

let dir: string;
let packed: string[] = [];
beforeAll(() => {
  if (!fs.existsSync(join(ROOT, 'dist', 'lib', 'node.js'))) throw new Error('dist/lib is missing: run `npx vite build` before the CLI tests');
  if (!fs.existsSync(join(ROOT, 'dist', 'types', 'node.d.ts'))) execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
  dir = fs.mkdtempSync(join(tmpdir(), 'webgpu-mlp-pack-'));
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }));
  packed = info.files.map((f: { path: string }) => f.path);
  const target = join(dir, 'node_modules', 'webgpu-mlp');
  fs.mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, info.filename), '-C', target, '--strip-components=1']);
  for (const dep of Object.keys(pkg.dependencies)) {
    const link = join(dir, 'node_modules', dep);
    fs.mkdirSync(join(link, '..'), { recursive: true });
    fs.symlinkSync(join(ROOT, 'node_modules', dep), link, 'dir');
  }
  fs.writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-app', type: 'module', private: true }));
}, 120_000);
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships both entry points with their types, and no tests', () => {
    for (const file of ['dist/lib/index.js', 'dist/lib/node.js', 'dist/lib/cli.js', 'dist/types/index.d.ts', 'dist/types/node.d.ts', 'bin/webgpu-mlp.js', 'package.json']) expect(packed).toContain(file);
    expect(packed.some((f) => f.startsWith('test/'))).toBe(false);
    expect(pkg.exports['./node']).toEqual({ types: './dist/types/node.d.ts', import: './dist/lib/node.js' });
  });

  it("runs the README's webgpu-mlp/node example as written", async () => {
    const readme = fs.readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes("from 'webgpu-mlp/node'"));
    expect(blocks).toHaveLength(1);
    fs.writeFileSync(join(dir, 'example.mjs'), blocks[0]);
    const r = await run(process.execPath, ['example.mjs'], { cwd: dir, timeout: 200_000 });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // predict prints the P(class 1) of (0,1) and (1,1), e.g. "Float32Array(2) [ 0.99, 0.01 ]": XOR says high, then low.
    const printed = /^Float32Array\(2\) \[ (\S+), (\S+) \]$/.exec(lines[0]);
    expect(printed, lines[0]).not.toBeNull();
    expect(Number(printed![1])).toBeGreaterThan(0.9);
    expect(Number(printed![2])).toBeLessThan(0.1);
    expect(lines[1]).toBe('100');
    expect(fs.readdirSync(join(dir, 'xor-model')).sort()).toEqual(['model.json', 'model.safetensors']);
    expect(fs.readdirSync(join(dir, 'xor.checkpoint')).sort()).toEqual(['checkpoint.json', 'model.json', 'model.safetensors', 'state.bin']);
  });

  it('the installed bin runs from the user folder', async () => {
    const r = await run(process.execPath, [join(dir, 'node_modules', 'webgpu-mlp', 'bin', 'webgpu-mlp.js'), 'train', '--dataset', 'xor', '--samples', '4', '--layers', '4', '--epochs', '2', '--batch-size', '4', '--backend', 'cpu', '--json'], { cwd: dir, timeout: 200_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).epochs).toBe(2);
  });
});

describe('CLI output', () => {
  it('with no command prints the usage', async () => {
    const r = await run(process.execPath, [BIN], { cwd: ROOT, timeout: 200_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^usage: webgpu-mlp <train\|sweep\|evaluate\|predict\|export\|import> \[flags\]/);
    expect(r.stdout).toMatch(/--resume <checkpoint dir>/);
    expect(r.stdout).toMatch(/^export: +--model <dir> --format onnx\|pytorch/m);
    expect(r.stdout).toMatch(/^import: +--torch <weights.safetensors>/m);
  });

  it("a WebGPU run shows no Dawn limit warnings, says kernels are compiling, and keeps other stderr lines", async () => {
    const r = await run(process.execPath, [BIN, 'train', '--dataset', 'xor', '--samples', '4', '--layers', '4', '--epochs', '2', '--batch-size', '4'], { cwd: ROOT, timeout: 200_000 });
    expect(r.stderr).not.toMatch(/artificially reduced/);
    expect(r.stderr).toMatch(/^compiling kernels \(the first run on a machine can take a minute/m);
    expect(r.stderr).toMatch(/^kernels compiled and first epoch done in \d+\.\d s$/m);
    expect(r.stderr).toMatch(/^epoch 2\/2 /m);
    // Unfiltered, the same run does print them: the filter is what removes them.
    const raw = (await run(process.execPath, [BIN, 'train', '--dataset', 'xor', '--samples', '4', '--layers', '4', '--epochs', '1', '--batch-size', '4'], { env: { WEBGPU_MLP_RAW_STDERR: '1' } })).stderr;
    expect(raw).toMatch(/^Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced/m);
  });
});
