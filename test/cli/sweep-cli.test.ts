// `webgpu-mlp sweep` as a user runs it (the vite build in dist/, cpu backend, small generated data):
// the results table has one row per configuration, sorted, with the mean ± std of --json's trials;
// --out saves the best model, which evaluate loads and scores exactly as the sweep did; --save-all
// keeps every model; random search draws the asked configurations in their ranges; bad flags and
// bad --out fail with one line before any work; Ctrl-C prints the partial table and saves nothing.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectOneLineError, requireBuild, runAndSignal, type Run } from '../support/cli.js';

/** One line on stderr, exit != 0, and nothing on stdout (no header printed: nothing was started). */
function expectRefused(run: Run, pattern: RegExp): void {
  expectOneLineError(run, pattern);
  expect(run.stdout).toBe('');
}

/** The single JSON object --json prints: stdout must hold nothing else. */
function onlyJson(run: Run): Record<string, any> {
  expect(run.code, run.stderr).toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines, run.stdout).toHaveLength(1);
  return JSON.parse(lines[0]);
}

const DATA = ['--dataset', 'circles', '--samples', '300', '--layers', '8', '--epochs', '6', '--batch-size', '32', '--backend', 'cpu'];
const GRID = [...DATA, '--lr', '0.001,0.01,0.05', '--activation', 'relu,tanh', '--seeds', '2'];

let dir: string;
beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'webgpu-mlp-sweep-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('webgpu-mlp sweep (grid, cpu backend)', () => {
  let text: Run;
  let json: Record<string, any>;
  const best = () => join(dir, 'best');

  beforeAll(async () => {
    [text, json] = await Promise.all([cli(['sweep', ...GRID, '--out', best()]), cli(['sweep', ...GRID, '--json']).then(onlyJson)]);
  });

  it('--json has every trial (config, status, final, score), the table, the best and the throughput', () => {
    expect(json).toMatchObject({ command: 'sweep', backend: 'cpu', metric: 'valAccuracy', models: 12 });
    expect(json.modelStepsPerSec).toBeGreaterThan(0);
    expect(json.trials).toHaveLength(12);
    const configs = new Set(json.trials.map((t: any) => `${t.config.lr}/${t.config.activation}`));
    expect(configs.size).toBe(6);
    for (const t of json.trials) {
      expect(t.status).toBe('completed');
      expect(t.epochs).toBe(6);
      expect(Number.isFinite(t.score)).toBe(true);
      expect(t.score).toBe(t.final.valAccuracy);
      expect([0, 1]).toContain(t.seed);
    }
    // --out's model: the best seed of the top configuration
    expect(json.table[0].trials).toContain(json.best.index);
    expect(json.best.score).toBe(Math.max(...json.table[0].trials.map((k: number) => json.trials[k].score)));
    expect(json.best.config).toEqual(json.trials[json.best.index].config);
  });

  it('the table: one row per configuration, sorted by validation accuracy, mean ± std of its seeds as in --json', () => {
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^sweep: 12 models = 3 lr x 2 activation x 2 seeds, trained as one batch; ranked by val_acc on 10% of the training rows held out$/m);
    const lines = text.stdout.split('\n');
    const head = lines.findIndex((l) => /^#\s+lr\s+activation\s+val_acc\s+seeds\s+diverged$/.test(l));
    expect(head, text.stdout).toBeGreaterThan(0);
    const rows = lines.slice(head + 1, head + 7).map((l) => l.trim().split(/\s+/));
    expect(lines[head + 7]).toMatch(/^12 models, [\d,]+ model-steps\/s, [\d.]+ s, cpu: /);
    expect(json.table).toHaveLength(6);
    const means = json.table.map((r: any) => r.mean);
    expect(means).toEqual([...means].sort((a: number, b: number) => b - a));
    json.table.forEach((row: any, i: number) => {
      // mean and sample std recomputed from the trials' own scores
      const scores = row.trials.map((k: number) => json.trials[k].score);
      expect(row.trials.map((k: number) => json.trials[k].config.lr)).toEqual([row.config.lr, row.config.lr]);
      const mean = scores.reduce((a: number, b: number) => a + b, 0) / scores.length;
      const std = Math.sqrt(scores.reduce((a: number, b: number) => a + (b - mean) ** 2, 0) / (scores.length - 1));
      expect(row.mean).toBeCloseTo(mean, 12);
      expect(row.std).toBeCloseTo(std, 12);
      // the printed row says the same (the text run is the same deterministic cpu sweep)
      expect(rows[i]).toEqual([String(i + 1), String(row.config.lr), row.config.activation, `${(mean * 100).toFixed(2)}%`, '±', (std * 100).toFixed(2), '2', '0']);
    });
  });

  it('--out saves the best model; evaluate loads it and scores the test split as the sweep did', async () => {
    const line = /^best: trial (\d+) \(lr ([\d.]+), activation (\w+), seed (\d)\), configuration #1's best seed: val_acc ([\d.]+)%; test loss ([\d.]+), accuracy ([\d.]+)% \(60 rows\)$/m.exec(text.stdout);
    expect(line, text.stdout).not.toBeNull();
    expect(Number(line![1])).toBe(json.best.index);
    expect(Number(line![5])).toBeCloseTo(json.best.score * 100, 2);
    expect(Number(line![7])).toBeCloseTo(json.best.test.accuracy * 100, 2);
    expect(text.stdout).toContain(`saved model to ${best()}`);
    const saved = JSON.parse(readFileSync(join(best(), 'model.json'), 'utf8'));
    expect(saved.training.sweep).toEqual(json.best.config);
    expect(saved.spec.hidden[0].activation).toBe(json.best.config.activation);
    const ev = await cli(['evaluate', '--model', best(), '--dataset', 'circles', '--samples', '300', '--backend', 'cpu', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    const scored = JSON.parse(ev.stdout.trim().split('\n').at(-1)!);
    expect(scored.rows).toBe(60);
    expect(scored.accuracy).toBe(json.best.test.accuracy);
    expect(scored.loss).toBeCloseTo(json.best.test.loss, 10);
    expect(scored.accuracy).toBeGreaterThan(0.6); // a working model, not a constant guess
  });
});

describe('webgpu-mlp sweep: random search, --save-all, Ctrl-C', () => {
  it('--random 5 draws five configurations in the ranges, each trained once per seed', async () => {
    const all = join(dir, 'all');
    const run = onlyJson(await cli(['sweep', ...DATA, '--epochs', '2', '--random', '5', '--random-seed', '3', '--lr', '1e-4:1e-1', '--dropout', '0:0.3', '--activation', 'relu,tanh,gelu', '--seed-list', '4,9', '--save-all', all, '--json']));
    expect(run.trials).toHaveLength(10);
    expect(run.table).toHaveLength(5);
    for (const row of run.table) {
      expect(row.config.lr).toBeGreaterThanOrEqual(1e-4);
      expect(row.config.lr).toBeLessThanOrEqual(1e-1);
      expect(row.config.dropout).toBeGreaterThanOrEqual(0);
      expect(row.config.dropout).toBeLessThanOrEqual(0.3);
      expect(['relu', 'tanh', 'gelu']).toContain(row.config.activation);
      expect(row.trials.map((k: number) => run.trials[k].seed)).toEqual([4, 9]);
    }
    expect(new Set(run.table.map((r: any) => r.config.lr)).size).toBe(5);
    expect(readdirSync(all).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `trial-${i}`).sort());
    const third = JSON.parse(readFileSync(join(all, 'trial-3', 'model.json'), 'utf8'));
    expect(third.training.sweep).toEqual(run.trials[3].config);
    // The same seed draws the same configurations.
    const again = onlyJson(await cli(['sweep', ...DATA, '--epochs', '1', '--random', '5', '--random-seed', '3', '--lr', '1e-4:1e-1', '--dropout', '0:0.3', '--activation', 'relu,tanh,gelu', '--json']));
    const drawn = (t: any) => ({ ...t.config, seed: undefined });
    expect(again.trials.map(drawn)).toEqual(run.trials.filter((_: unknown, i: number) => i % 2 === 0).map(drawn));
  });

  it('Ctrl-C stops after the current step, prints the table so far, saves nothing, exits 130', async () => {
    const out = join(dir, 'interrupted');
    const run = await runAndSignal(['sweep', '--dataset', 'circles', '--samples', '4000', '--layers', '16', '--epochs', '300', '--batch-size', '16', '--backend', 'cpu', '--lr', '0.01,0.02', '--seeds', '4', '--out', out], /epoch 2\/300/, 'SIGINT');
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('stopping the sweep after this step');
    expect(run.stdout).toMatch(/^#\s+lr\s+val_acc/m);
    expect(run.stdout).toMatch(/^interrupted in epoch \d+ of 300: .*nothing saved$/m);
    expect(existsSync(out)).toBe(false);
  });
});

describe('webgpu-mlp sweep: the other grid flags', () => {
  it('--beta1, --weight-decay, --dropout, --clip-norm lists make the grid; single --beta2 and --init reach every model', async () => {
    const out = join(dir, 'many-flags');
    const run = await cli(['sweep', ...DATA, '--epochs', '1', '--beta1', '0.8,0.9', '--beta2', '0.99', '--weight-decay', '0,1e-4', '--dropout', '0,0.2', '--clip-norm', '1,10', '--init', 'he_normal', '--out', out, '--json']);
    const json = onlyJson(run);
    expect(json.models).toBe(16);
    expect(json.table).toHaveLength(16);
    expect(Object.keys(json.table[0].config).sort()).toEqual(['beta1', 'clipNorm', 'dropout', 'weightDecay']);
    expect(run.stderr).toMatch(/^model: 2-8-1 relu, bce_logits, adam, batch 32, 1 epochs, minmax inputs, beta2 0\.99, init he_normal$/m);
    const saved = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const c = json.best.config;
    expect(saved.training.optimizer).toMatchObject({ name: 'adam', beta1: c.beta1, beta2: 0.99, weightDecay: c.weightDecay });
    expect(saved.training.clipNorm).toBe(c.clipNorm);
    expect(saved.spec.hidden[0]).toMatchObject({ init: 'he_normal', ...(c.dropout > 0 ? { dropout: c.dropout } : {}) });
  });
});

describe('webgpu-mlp sweep: regression', () => {
  it('ranks by validation MSE in the target units, lowest first', async () => {
    const run = await cli(['sweep', '--dataset', 'sine', '--samples', '200', '--layers', '16', '--activation', 'tanh', '--epochs', '3', '--backend', 'cpu', '--lr', '0.001,0.03', '--seeds', '2', '--json']);
    const json = onlyJson(run);
    expect(json.metric).toBe('valMse');
    expect(json.table).toHaveLength(2);
    expect(json.table[0].mean).toBeLessThanOrEqual(json.table[1].mean);
    for (const t of json.trials) expect(t.score).toBe(t.final.valMse);
    expect(run.stderr).toMatch(/ranked by val_mse on 10% of the training rows held out/);
  });
});

describe('webgpu-mlp sweep --config', () => {
  it('takes lists for the grid and the sweep keys in camelCase; flags override the file', async () => {
    const file = join(dir, 'sweep.json');
    await writeFile(file, JSON.stringify({ dataset: 'circles', samples: 200, layers: [8], epochs: 1, backend: 'cpu', lr: [0.001, 0.01], activation: ['relu', 'gelu'], seedList: [5, 6], dataOrder: 'shared' }));
    const run = onlyJson(await cli(['sweep', '--config', file, '--weight-decay', '0,0.001', '--json']));
    expect(run.models).toBe(16);
    expect(run.table).toHaveLength(8);
    expect(new Set(run.trials.map((t: any) => t.seed))).toEqual(new Set([5, 6]));
    expect(new Set(run.trials.map((t: any) => t.config.weightDecay))).toEqual(new Set([0, 0.001]));
    await writeFile(file, JSON.stringify({ lr: [0.001, 'fast'] }));
    expectRefused(await cli(['sweep', '--config', file]), /^webgpu-mlp: --config .*sweep\.json lr: got \[0\.001, "fast"\], expected a number, a list of numbers \(a grid\) or a "low:high" range$/);
    await writeFile(file, JSON.stringify({ seeds: 3, randomSeeed: 1 }));
    expectRefused(await cli(['sweep', '--config', file]), /key "randomSeeed": got "an unknown setting", expected "randomSeed"/);
  });
});

describe('webgpu-mlp sweep: bad input fails with one line, before any work', () => {
  const cases: [string[], RegExp][] = [
    [['--lr', '1e-3,fast'], /^webgpu-mlp: --lr: got "fast", expected finite numbers > 0/],
    [['--activation', 'relu,tanhh'], /^webgpu-mlp: --activation: got "tanhh", expected names from .*tanh/],
    [['--seeds', '0'], /^webgpu-mlp: --seeds: got "0", expected an integer >= 1$/],
    [['--seed-list', '1,x'], /^webgpu-mlp: --seed-list: got "x", expected an integer >= 0$/],
    [['--lr', '1e-4:1e-1'], /^webgpu-mlp: --lr: got "1e-4:1e-1", expected .*needs --random <trials>\)$/],
    [['--random', '3', '--lr', '1e-3,1e-2'], /^webgpu-mlp: --lr: got "1e-3,1e-2", expected one value or a low:high range with --random/],
    [['--lr', '0.1,0.2,0.3,0.4', '--seeds', '2000'], /^webgpu-mlp: sweep size: got "8000 models \(4 lr x 2000 seeds\)", expected at most 4096 models/],
    [['--data-order', 'mine'], /^webgpu-mlp: --data-order: got "mine", expected per-model or shared$/],
    [['--resume', 'ck'], /^webgpu-mlp: --resume: got "ck", expected nothing: --resume is a train flag/],
    [['--momentum', '0.5,0.9'], /^webgpu-mlp: --momentum: got "0.5,0.9", expected no value with --optimizer adam, which has no momentum \(momentum, nesterov do\)$/],
    [['--alpha', '0.1,0.3'], /^webgpu-mlp: --alpha: got "0.1,0.3", expected no value unless an activation uses it \(leaky_relu, elu\), not relu$/],
    [['--save-all', '/etc/passwd'], /^webgpu-mlp: --save-all: got "\/etc\/passwd", expected a folder \(it gets one trial-<i> folder per model\), not a file$/],
  ];
  it.each(cases)('%j', async (args, pattern) => {
    expectRefused(await cli(['sweep', ...DATA, ...args]), pattern);
  });

  it('--out holding other files is refused before training, and the files stay', async () => {
    const out = join(dir, 'busy');
    await rm(out, { recursive: true, force: true });
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'mine');
    expectRefused(await cli(['sweep', ...GRID, '--out', out]), /^webgpu-mlp: --out: got ".*busy", expected .*it holds other files \(notes\.txt\)/);
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });
});
