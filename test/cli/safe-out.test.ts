// The CLI's promises about --out and checkpoints, tested as a user meets them (the built bin):
// --out is checked before any work; a diverged run, a non-finite stop, Ctrl-C and a SIGKILL in
// the middle of a save all leave the model already in --out loading and scoring as before;
// Ctrl-C writes a checkpoint and exits 130; --resume and --checkpoint-every continue a run to
// bit-identical weights on the cpu backend.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelDir } from '../../src/io/model-files.js';
import { BIN, cli as runCli, requireBuild, ROOT, runAndSignal, type Run } from '../support/cli.js';

// Runs longer than the other CLI tests: whole trainings, a SIGKILL mid-save, a terminal session.
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env, timeout: 200_000 });

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = fs.mkdtempSync(join(tmpdir(), 'webgpu-mlp-safe-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const XOR = ['train', '--dataset', 'xor', '--layers', '8', '--activation', 'tanh', '--lr', '0.05', '--batch-size', '4', '--samples', '4', '--backend', 'cpu'];
const CIRCLES = ['train', '--dataset', 'circles', '--samples', '400', '--layers', '16,16', '--batch-size', '16', '--backend', 'cpu', '--seed', '3'];

const digest = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
function files(model: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(model).sort().map((f) => [f, digest(join(model, f))]));
}

async function goodModel(name: string): Promise<{ path: string; files: Record<string, string>; loss: string }> {
  const path = join(dir, name);
  const run = await cli([...XOR, '--epochs', '100', '--out', path]);
  expect(run.code, run.stderr).toBe(0);
  return { path, files: files(path), loss: await xorLoss(path) };
}

async function xorLoss(model: string): Promise<string> {
  const ev = await cli(['evaluate', '--model', model, '--dataset', 'xor', '--samples', '4', '--backend', 'cpu']);
  expect(ev.code, ev.stderr).toBe(0);
  return /loss (\S+)\s+accuracy (\S+)/.exec(ev.stdout)![0];
}

function oneLine(run: Run, pattern: RegExp): void {
  expect(run.code, run.stderr).not.toBe(0);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('--out is checked before any work', () => {
  it('a file', async () => {
    const file = join(dir, 'a-file');
    fs.writeFileSync(file, 'mine');
    const run = await cli([...XOR, '--epochs', '100', '--out', file]);
    oneLine(run, /^webgpu-mlp: --out: got ".*a-file", expected a new folder, an empty folder, or the folder of a saved model, not a file$/);
    expect(run.stdout).toBe(''); // nothing was loaded or trained
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');
  });

  it('a path under a file', async () => {
    fs.writeFileSync(join(dir, 'plain'), 'x');
    const run = await cli([...XOR, '--epochs', '100', '--out', join(dir, 'plain', 'model')]);
    oneLine(run, /^webgpu-mlp: --out: got ".*plain\/model", expected .*(ENOTDIR|is a file)/);
    expect(run.stdout).toBe('');
  });

  it('a folder holding other files', async () => {
    const folder = join(dir, 'docs');
    fs.mkdirSync(folder);
    fs.writeFileSync(join(folder, 'notes.txt'), 'keep me');
    const run = await cli([...XOR, '--epochs', '100', '--out', folder]);
    oneLine(run, /^webgpu-mlp: --out: .*it holds other files \(notes\.txt\), which a save would replace$/);
    expect(run.stdout).toBe('');
    expect(fs.readdirSync(folder)).toEqual(['notes.txt']);
  });

  it('a --config with an unknown key, before any work', async () => {
    const config = join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ learningRate: 0.1, layerNorm: false }));
    const run = await cli([...XOR, '--config', config]);
    oneLine(run, /^webgpu-mlp: --config .*config\.json key "learningRate": got "an unknown setting", expected "lr" \(did you mean "lr"\?\)$/);
    expect(run.stdout).toBe('');
  });
});

describe('a bad run never replaces a good model', () => {
  it('a diverged run exits 1 and keeps the model, which scores the same', async () => {
    const good = await goodModel('diverged');
    const run = await cli([...XOR, '--optimizer', 'sgd', '--lr', '1e9', '--epochs', '100', '--out', good.path, '--json']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/training diverged: the model's test loss \S+ is no better than predicting a constant \(0\.6931\); the model already in .*diverged was kept, not replaced/);
    expect(run.stdout).not.toMatch(/saved model/);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ outcome: 'diverged', saved: false, epochs: 100 });
    expect(summary.testLoss).toBeGreaterThan(0.6931);
    expect(files(good.path)).toEqual(good.files);
    expect(await xorLoss(good.path)).toBe(good.loss);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.diverged'))).toEqual([]);
  });

  it('a non-finite loss (WebGPU, f32) exits 1 and keeps the model', async () => {
    const good = await goodModel('nan');
    const run = await cli(['train', '--dataset', 'circles', '--layers', '16,16', '--optimizer', 'sgd', '--lr', '1e30', '--epochs', '3', '--out', good.path]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/the model already in .*nan was kept, not replaced/);
    expect(run.stderr).toMatch(/loss became (NaN|Infinity|-Infinity) by step/);
    expect(run.stderr).not.toMatch(/artificially reduced/);
    expect(files(good.path)).toEqual(good.files);
    expect(await xorLoss(good.path)).toBe(good.loss);
  });

  it('a non-finite loss in the first epoch saves nothing into an empty --out', async () => {
    const path = join(dir, 'nan-new');
    const run = await cli(['train', '--dataset', 'circles', '--layers', '16,16', '--optimizer', 'sgd', '--lr', '1e30', '--epochs', '3', '--out', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nothing saved to .*nan-new: the loss was not finite within the first epoch/);
    expect(fs.existsSync(path)).toBe(false);
  });
});

/** Starts a CLI run, sends `signal` once `ready` matches its stderr, resolves when it exits. */
describe('Ctrl-C and resume', () => {
  it('SIGINT finishes the step, writes a checkpoint, says how to resume, exits 130, keeps --out; the resumed run equals an uninterrupted one bit for bit', async () => {
    const good = await goodModel('interrupted');
    const checkpoint = join(dir, 'ck-int');
    const run = await runAndSignal([...CIRCLES, '--samples', '4000', '--epochs', '400', '--out', good.path, '--checkpoint-dir', checkpoint], /epoch 2\/400/, 'SIGINT');
    expect(run.code, run.stderr).toBe(130);
    const saved = /interrupted at step (\d+) \(epoch (\d+), step (\d+) of 200\); checkpoint saved to (.*)\n/.exec(run.stderr);
    expect(saved, run.stderr).not.toBeNull();
    expect(saved![4]).toBe(checkpoint);
    expect(run.stderr).toContain(`resume with: webgpu-mlp train --resume ${checkpoint} --epochs 400 --out ${good.path}`);
    expect(run.stderr).toMatch(/the model in .*interrupted was not replaced/);
    expect(files(good.path)).toEqual(good.files);

    // Resume to two epochs past the one interrupted, and compare with one run of that length.
    const epochs = Number(saved![2]) + 2;
    const resumed = join(dir, 'resumed');
    const cont = await cli(['train', '--resume', checkpoint, '--epochs', String(epochs), '--out', resumed]);
    expect(cont.code, cont.stderr).toBe(0);
    expect(cont.stdout).toMatch(new RegExp(`resuming .* at epoch ${Number(saved![2]) - 1} \\(\\+${saved![3]} steps\\), step ${saved![1]}, to ${epochs} epochs`));
    const whole = join(dir, 'whole');
    const one = await cli([...CIRCLES, '--samples', '4000', '--epochs', String(epochs), '--out', whole]);
    expect(one.code, one.stderr).toBe(0);
    expect(digest(join(resumed, 'model.safetensors'))).toBe(digest(join(whole, 'model.safetensors')));
    const record = JSON.parse(fs.readFileSync(join(resumed, 'model.json'), 'utf8')).training;
    expect(record).toMatchObject({ epochsCompleted: epochs, outcome: 'completed', stepsCompleted: epochs * 200 });
  });

  it('on a terminal (util-linux `script` gives one), Ctrl-C gives back the cursor the progress bar hid and exits 130', async () => {
    const checkpoint = join(dir, 'ck-tty');
    const command = [process.execPath, BIN, ...CIRCLES, '--samples', '4000', '--epochs', '400', '--checkpoint-dir', checkpoint].map((a) => `'${a}'`).join(' ');
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: ROOT });
      let text = '';
      let sent = false;
      child.stdout.on('data', (d) => {
        text += d;
        if (!sent && text.includes('epoch 2/400')) {
          sent = true;
          child.stdin.write('\x03'); // the terminal turns it into SIGINT for the foreground processes
        }
      });
      child.on('close', (c) => resolve({ code: c, out: text }));
    });
    expect(code, out.slice(-500)).toBe(130);
    const hidden = out.lastIndexOf('\x1b[?25l');
    expect(hidden).toBeGreaterThan(0); // the bar did hide it
    expect(out.lastIndexOf('\x1b[?25h')).toBeGreaterThan(hidden);
    expect(out).toMatch(/checkpoint saved to .*ck-tty/);
    expect(fs.existsSync(join(checkpoint, 'state.bin'))).toBe(true);
  });

  it('--checkpoint-every writes checkpoints a later --resume continues exactly', async () => {
    const checkpoint = join(dir, 'ck-every');
    const first = await cli([...CIRCLES, '--epochs', '4', '--checkpoint-every', '2', '--checkpoint-dir', checkpoint]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`checkpoint: epoch 2 saved to ${checkpoint}`);
    expect(first.stderr).toContain(`checkpoint: epoch 4 saved to ${checkpoint}`);
    expect(fs.readdirSync(checkpoint).sort()).toEqual(['checkpoint.json', 'model.json', 'model.safetensors', 'state.bin']);
    const a = join(dir, 'every-resumed');
    const b = join(dir, 'every-whole');
    const cont = await cli(['train', '--resume', checkpoint, '--epochs', '7', '--out', a]);
    expect(cont.code, cont.stderr).toBe(0);
    const whole = await cli([...CIRCLES, '--epochs', '7', '--out', b]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(digest(join(a, 'model.safetensors'))).toBe(digest(join(b, 'model.safetensors')));

    const changed = await cli(['train', '--resume', checkpoint, '--epochs', '7', '--lr', '0.5']);
    expect(changed.code).toBe(1);
    expect(changed.stderr.trim()).toMatch(/^webgpu-mlp: --lr: got "0\.5", expected 0\.001 as in the checkpoint/);
    const done = await cli(['train', '--resume', checkpoint, '--epochs', '4']);
    // The resumed run kept checkpointing every 2 epochs into the folder it resumed from.
    expect(cont.stderr).toContain(`checkpoint: epoch 6 saved to ${checkpoint}`);
    expect(done.stderr.trim()).toMatch(/--epochs: got 4, expected more than the 6 epochs the checkpoint has already trained/);
  });
});

describe('SIGKILL during a save', () => {
  // The save the CLI makes, of a 16M-parameter model (64 MB), in a process killed at several
  // points after its staging folder appears: while writing, syncing, renaming or after.
  const saver = `
    import { Model } from ${JSON.stringify(new URL('../../dist/lib/index.js', import.meta.url).href)};
    import { saveModel } from ${JSON.stringify(new URL('../../dist/lib/node.js', import.meta.url).href)};
    const model = new Model({ inputSize: 2, hidden: [{ units: 4000, activation: 'tanh' }, { units: 4000, activation: 'tanh' }], outputSize: 1, task: 'binary' });
    await saveModel(model, process.argv[1]);
  `;

  it('leaves the old model loading and scoring the same, or the whole new one, never a mix', async () => {
    const { loadModel, saveModel } = await import('../../src/model/files.js');
    const { xor } = await import('../../src/data/synthetic.js');
    const { Model } = await import('../../src/index.js');
    const path = join(dir, 'killed');
    const old = new Model({ inputSize: 2, hidden: [{ units: 8, activation: 'tanh' }], outputSize: 1, task: 'binary' }, { seed: 5 });
    const oldScore = (await old.evaluate(xor(), { backend: 'cpu' })).loss;
    const outcomes: string[] = [];
    for (const delayMs of [0, 40, 150, 400, 2000]) {
      fs.rmSync(path, { recursive: true, force: true });
      await saveModel(old, path);
      const before = files(path);
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', saver, path], { cwd: ROOT });
        const poll = setInterval(() => {
          if (!fs.readdirSync(dir).some((f) => f.startsWith('.killed.saving-'))) return;
          clearInterval(poll);
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }, 1);
        child.on('close', (c, sig) => {
          clearInterval(poll);
          resolve(c ?? (sig === 'SIGKILL' ? 137 : -1));
        });
      });
      const loaded = await loadModel(path); // throws if model.json and the weights disagree
      const isOld = JSON.stringify(files(path)) === JSON.stringify(before);
      if (isOld) expect((await loaded.evaluate(xor(), { backend: 'cpu' })).loss).toBe(oldScore);
      else expect(loaded.spec.hidden.map((h) => h.units)).toEqual([4000, 4000]);
      outcomes.push(`${code === 137 ? 'killed' : `exit ${code}`}: ${isOld ? 'old' : 'new'}`);
    }
    // The early kills land inside the save (the old model survives); a late one after it (the new one is whole).
    expect(outcomes.slice(0, 2)).toEqual(['killed: old', 'killed: old']);
    expect(outcomes.at(-1)).toMatch(/: new$/);
    // The next save cleans what the killed ones left beside the folder.
    await saveModel(old, path);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.killed'))).toEqual([]);
  });
});
