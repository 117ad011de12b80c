// `webgpu-mlp export` and `import` as a user runs them (node bin/webgpu-mlp.js over the vite build):
// an ONNX file ORT runs like predict, a PyTorch directory whose model.py CLI prints predict's
// numbers, import back from that directory (metadata) or with --layers flags, and one-line errors
// that never touch a saved model.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../src/model/files.js';
import type { Model } from '../../src/model/model.js';
import { BIN, requireBuild, run as runIn } from '../support/cli.js';
import { PYTHON, skipTorch } from './python.js';
import { maxRelDiff, randomInputs, randomModel, runOnnx } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'webgpu-mlp-export-cli-'));
const saved = join(dir, 'model');
let model: Model;

const run = (file: string, args: string[]) => runIn(file, args, { cwd: dir });
const cli = (...args: string[]) => run(process.execPath, [BIN, ...args]);

beforeAll(async () => {
  requireBuild();
  model = randomModel({ inputSize: 3, hidden: [{ units: 8, activation: 'gelu', layerNorm: true }, { units: 8, activation: 'relu', residual: true }], outputSize: 3, task: 'multiclass' }, 5);
  await saveModel(model, saved);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('webgpu-mlp export / import', () => {
  it('export --format onnx writes a file ONNX Runtime runs like predict', async () => {
    const r = await cli('export', '--model', saved, '--format', 'onnx', '--out', 'm.onnx', '--feature-names', 'a,b,c');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/exported .* to m.onnx \(ONNX opset 17/);
    const x = randomInputs(11, 3, 9);
    const out = await runOnnx(readFileSync(join(dir, 'm.onnx')), x, 3);
    expect(maxRelDiff(out.data, await model.predict(x, { backend: 'cpu' }))).toBeLessThanOrEqual(1e-5);
  });

  it('refuses bad options and a saved model directory as the PyTorch target, in one line', async () => {
    for (const [args, message] of [
      [['--format', 'onnx', '--out', 'x.onnx', '--opset', '18'], /--opset: got "18", expected 17 \(default\) or 20/],
      [['--format', 'keras', '--out', 'x'], /--format: got "keras", expected onnx or pytorch/],
      [['--format', 'onnx', '--out', 'x.onnx', '--class-names', 'a,b'], /classNames.length: got 2, expected 3/],
      [['--format', 'pytorch', '--out', saved], /--out: got ".*", expected a directory without a saved webgpu-mlp model/],
    ] as const) {
      const r = await cli('export', '--model', saved, ...args);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect((await loadModel(saved)).params).toEqual(model.params);
  });

  it.skipIf(skipTorch)('export --format pytorch: model.py rows.csv prints predict; import reads it back', async () => {
    expect((await cli('export', '--model', saved, '--format', 'pytorch', '--out', 'torch')).code).toBe(0);
    const x = randomInputs(6, 3, 4);
    const rows = Array.from({ length: 6 }, (_, r) => Array.from(x.subarray(r * 3, r * 3 + 3)).join(','));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ hidden: model.spec.hidden, task: 'multiclass' }));
    writeFileSync(join(dir, 'rows.csv'), `a,b,c\n${rows.join('\n')}\n`);
    const py = await run(PYTHON, [join(dir, 'torch', 'model.py'), 'rows.csv']);
    expect(py.stderr).toBe('');
    const lines = py.stdout.trim().split('\n');
    expect(lines[0]).toBe('y0,y1,y2');
    const theirs = lines.slice(1).flatMap((l) => l.split(',').map(Number));
    expect(maxRelDiff(theirs, await model.predict(x, { backend: 'cpu' }))).toBeLessThanOrEqual(1e-5);

    const back = await cli('import', '--torch', 'torch/model.safetensors', '--out', 'imported');
    expect(back.stdout).toMatch(/imported torch\/model.safetensors: 3-8-8-3 multiclass with its normalization/);
    const imported = await loadModel(join(dir, 'imported'));
    expect(imported.params).toEqual(model.params);
    expect(imported.normalizer).toEqual(model.normalizer);

    const flags = await cli('import', '--torch', 'torch/model.safetensors', '--layers', '8,8', '--activation', 'gelu,relu', '--layer-norm', '--task', 'multiclass', '--out', 'flags');
    // Without --residual the output Linear would sit at index 6: the file's layout says otherwise.
    expect(flags.code).toBe(1);
    expect(flags.stderr).toMatch(/torch\/model.safetensors tensor "6.weight": got "missing", expected the weight of the output Linear layer/);
    const ok = await cli('import', '--torch', 'torch/model.safetensors', '--spec', 'spec.json', '--out', 'spec');
    expect(ok.stderr).toBe('');
    expect((await loadModel(join(dir, 'spec'))).params).toEqual(model.params);
  });

  it('import without --torch, or with layers but no task, says what is missing', async () => {
    expect((await cli('import', '--out', 'x')).stderr).toMatch(/--torch: got undefined, expected a .safetensors file/);
    expect((await cli('import', '--torch', 'nope.safetensors', '--out', 'x')).stderr).toMatch(/--torch: got "nope.safetensors", expected a readable .safetensors file \(ENOENT\)/);
    const r = await cli('import', '--torch', 'm.onnx', '--layers', '8', '--out', 'x');
    expect(r.stderr).toMatch(/--task: got undefined/);
  });
});
