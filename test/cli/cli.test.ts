// The `webgpu-mlp` command as a user runs it: `node bin/webgpu-mlp.js` over the vite build in
// dist/ (the suite builds it first). train --json prints a parseable summary last; --out saves a
// model that evaluate and predict load; bad flags exit non-zero with one stderr line naming the
// flag and the value, and no stack trace unless --verbose.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, lastJson, requireBuild, type Run } from '../support/cli.js';

const XOR_TRAIN = ['train', '--dataset', 'xor', '--layers', '8', '--activation', 'tanh', '--optimizer', 'adam', '--lr', '0.05', '--epochs', '100', '--batch-size', '4', '--samples', '4', '--validation-split', '0'];

let dir: string;
beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'webgpu-mlp-cli-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function expectOneLineError(run: Run, pattern: RegExp): void {
  expect(run.code, `exit code; stderr: ${run.stderr}`).not.toBe(0);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines.length, run.stderr).toBe(1);
  expect(lines[0]).toMatch(/^webgpu-mlp: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/^ {4}at /m);
}

describe('webgpu-mlp train', () => {
  it('trains XOR to 100% and prints a JSON summary last; the saved model evaluates and predicts', async () => {
    const modelDir = join(dir, 'xor-model');
    const run = await cli([...XOR_TRAIN, '--json', '--out', modelDir]);
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJson(run.stdout);
    for (const key of ['backend', 'adapter', 'epochs', 'trainLoss', 'trainAccuracy', 'testAccuracy', 'samplesPerSec', 'seconds']) expect(summary, key).toHaveProperty(key);
    expect(summary.backend).toBe('webgpu');
    expect(typeof summary.adapter).toBe('string');
    expect(summary.epochs).toBe(100);
    expect(summary.testAccuracy).toBe(1);
    expect(summary.trainAccuracy).toBe(1);
    expect(summary.trainLoss as number).toBeLessThan(0.1);
    expect(summary.samplesPerSec as number).toBeGreaterThan(0);
    expect(summary.seconds as number).toBeGreaterThan(0);
    expect(existsSync(join(modelDir, 'model.json'))).toBe(true);
    expect(existsSync(join(modelDir, 'model.safetensors'))).toBe(true);

    const ev = await cli(['evaluate', '--model', modelDir, '--dataset', 'xor', '--samples', '4', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stdout).toMatch(/accuracy 100\.00%/);
    const evJson = lastJson(ev.stdout);
    expect(evJson.accuracy).toBe(1);
    expect(evJson.rows).toBe(4);

    const input = join(dir, 'points.csv');
    await writeFile(input, 'x1,x2\n0,0\n1,0\n0,1\n1,1\n');
    const pr = await cli(['predict', '--model', modelDir, '--input', input]);
    expect(pr.code, pr.stderr).toBe(0);
    const lines = pr.stdout.trim().split('\n');
    expect(lines).toEqual(['class', '0', '1', '1', '0']);
    const withP = (await cli(['predict', '--model', modelDir, '--input', input, '--probabilities'])).stdout.trim().split('\n');
    expect(withP[0]).toBe('class,p_0,p_1');
    for (const l of withP.slice(1)) {
      const [cls, p0, p1] = l.split(',').map(Number);
      expect(p0 + p1).toBeCloseTo(1, 6);
      expect(cls).toBe(p1 > 0.5 ? 1 : 0);
    }
    // --output writes the same CSV to a file
    const output = join(dir, 'pred.csv');
    const pr2 = await cli(['predict', '--model', modelDir, '--input', input, '--output', output]);
    expect(pr2.code, pr2.stderr).toBe(0);
    expect(await readFile(output, 'utf8')).toBe(pr.stdout);
  });

  it('--backend cpu trains and reports the CPU backend', async () => {
    const run = await cli([...XOR_TRAIN, '--json', '--backend', 'cpu']);
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJson(run.stdout);
    expect(summary.backend).toBe('cpu');
    expect(summary.testAccuracy).toBe(1);
  });

  it('regression on sine reports a test MSE', async () => {
    const run = await cli(['train', '--dataset', 'sine', '--samples', '200', '--layers', '16,16', '--activation', 'tanh', '--lr', '0.01', '--epochs', '30', '--batch-size', '16', '--backend', 'cpu', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJson(run.stdout);
    expect(summary.testMse as number).toBeLessThan(0.05);
    expect(summary).not.toHaveProperty('testAccuracy');
  });
});

describe('bad flags', () => {
  const cases: [string, string[], RegExp][] = [
    ['--optimizer foo', ['--optimizer', 'foo'], /--optimizer: got "foo", expected one of sgd, .*adam/],
    ['--layers 0', ['--layers', '0'], /--layers\[0\]: got "0", expected an integer >= 1/],
    ['--dataset nope', ['--dataset', 'nope'], /--dataset: got "nope", expected one of xor, .*mnist/],
    ['--batch-size 0', ['--batch-size', '0'], /--batch-size: got "0", expected an integer >= 1/],
    ['--activation swish', ['--activation', 'swish'], /--activation: got "swish", expected one of identity, relu/],
    ['--lr -1', ['--lr=-1'], /--lr: got "-1", expected a number > 0/],
    ['--schedule bogus', ['--schedule', 'bogus'], /--schedule: got "bogus", expected constant, step/],
  ];
  for (const [name, flags, pattern] of cases) {
    it(name, async () => {
      expectOneLineError(await cli([...XOR_TRAIN, ...flags]), pattern);
    });
  }

  it('a CSV dataset with a --label column it does not have', async () => {
    const csv = join(dir, 'table.csv');
    await writeFile(csv, 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,1,0\n');
    expectOneLineError(await cli(['train', '--dataset', csv, '--label', 'missing', '--layers', '4', '--epochs', '1']), /^webgpu-mlp: --label: got "missing", expected one of the columns: "a", "b", "y"/);
  });

  it('evaluate with a missing model directory', async () => {
    expectOneLineError(await cli(['evaluate', '--model', join(dir, 'no-such-model'), '--dataset', 'xor']), /model directory: got ".*no-such-model", expected an existing directory/);
  });

  it('evaluate with too few --samples', async () => {
    expectOneLineError(await cli(['evaluate', '--model', join(dir, 'no-such-model'), '--dataset', 'xor', '--samples', '2']), /--samples: got "2", expected an integer >= 4/);
  });

  it('an unknown flag prints usage and exits 2', async () => {
    const run = await cli(['train', '--frobnicate', '3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--frobnicate/);
    expect(run.stderr).toMatch(/^usage: webgpu-mlp/m);
    expect(run.stderr).not.toMatch(/^ {4}at /m);
  });

  it('--verbose adds the stack trace', async () => {
    const run = await cli([...XOR_TRAIN, '--optimizer', 'foo', '--verbose']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--optimizer: got "foo"/);
    expect(run.stderr).toMatch(/^ {4}at /m);
  });
});
