// Real-looking data through the `webgpu-mlp` command (the vite build in dist/): a penguins-shaped
// CSV with string columns, NA cells and string labels trains, shows what it inferred and what it
// imputed, and predicts the same class names from shuffled columns without the label; evaluate
// scores every row; regression metrics are in the target's units; IDX folders train; bad data
// flags get one-line errors.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { cli, expectOneLineError, lastJson, ours, requireBuild } from '../support/cli.js';
import { PENGUIN_COLUMNS, penguinRows, penguinsCsv } from '../support/penguins.js';

let dir: string;
let penguins: string;
let model: string;
const TRAIN = ['--label', 'species', '--layers', '16', '--epochs', '40', '--batch-size', '16', '--lr', '0.01', '--backend', 'cpu'];

beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'webgpu-mlp-table-'));
  penguins = join(dir, 'penguins.csv');
  await writeFile(penguins, penguinsCsv());
  model = join(dir, 'penguin-model');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a penguins-shaped CSV', () => {
  it('trains from the CLI, printing the inferred columns and the missing-value counts (and --json has them)', async () => {
    const run = await cli(['train', '--dataset', penguins, ...TRAIN, '--out', model, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/label "species" \(multiclass, 3 classes: "Adelie", "Chinstrap", "Gentoo"\)/);
    expect(run.stdout).toMatch(/^ {2}island +categorical, 3 values "Biscoe", "Dream", "Torgersen"/m);
    expect(run.stdout).toMatch(/^ {2}rowid +ignored: identifier-like/m);
    expect(run.stdout).toMatch(/^ {2}study +ignored: constant/m);
    expect(run.stdout).toMatch(/^model: 9-16-3, softmax_ce, adam lr 0.01, batch 16, minmax inputs$/m);
    expect(run.stdout).toMatch(/^missing values: dropped 2 rows without a label; imputed \d+ cells in \d+ rows \(sex \d+/m);
    // the summary comes before training
    expect(run.stdout.indexOf('missing values:')).toBeLessThan(run.stdout.indexOf('test: loss'));
    const summary = lastJson(run.stdout);
    expect(summary.testAccuracy).toBeGreaterThan(0.9);
    const data = summary.data;
    expect(data.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(data.droppedMissingLabel).toBe(2);
    expect(data.trainRows + data.testRows).toBe(238);
    const rows = penguinRows();
    const missingSex = rows.filter((r) => r[1] !== 'NA' && r[7] === 'NA').length;
    expect(data.imputed.sex).toBe(missingSex);
    expect(data.columns.find((c: { name: string }) => c.name === 'sex')).toMatchObject({ type: 'categorical', values: 2 });
    const saved = JSON.parse(await readFile(join(model, 'model.json'), 'utf8'));
    expect(saved.pipeline.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(saved.pipeline.features.map((f: { name: string }) => f.name)).toEqual(['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex']);
  });

  it('predict writes class names, identical for shuffled columns without the label', async () => {
    const shuffledCols = ['sex', 'body_mass_g', 'island', 'rowid', 'flipper_length_mm', 'study', 'bill_depth_mm', 'bill_length_mm'];
    const shuffled = join(dir, 'shuffled.csv');
    await writeFile(shuffled, penguinsCsv(penguinRows(), shuffledCols));
    const a = await cli(['predict', '--model', model, '--input', penguins, '--backend', 'cpu']);
    const b = await cli(['predict', '--model', model, '--input', shuffled, '--backend', 'cpu']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const classes = a.stdout.trim().split('\n');
    expect(classes[0]).toBe('class');
    expect(classes).toHaveLength(1 + 240);
    const truth = penguinRows().map((r) => r[1]);
    const hits = classes.slice(1).filter((c, i) => c === truth[i]).length;
    expect(hits / 238).toBeGreaterThan(0.9);
    expect(ours(b.stderr)).toEqual([expect.stringMatching(/^webgpu-mlp: missing values: imputed \d+ cells/)]);

    const p = await cli(['predict', '--model', model, '--input', shuffled, '--backend', 'cpu', '--probabilities']);
    const lines = p.stdout.trim().split('\n');
    expect(lines[0]).toBe('class,p_Adelie,p_Chinstrap,p_Gentoo');
    for (const l of lines.slice(1)) {
      const [cls, ...ps] = l.split(',');
      const probs = ps.map(Number);
      expect(probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      expect(cls).toBe(['Adelie', 'Chinstrap', 'Gentoo'][probs.indexOf(Math.max(...probs))]);
    }
  });

  it('evaluate scores every labeled row of the file', async () => {
    const run = await cli(['evaluate', '--model', model, '--dataset', penguins, '--backend', 'cpu', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run.stdout).rows).toBe(238);
    expect(ours(run.stderr)[0]).toMatch(/dropped 2 rows without a label/);
  });

  it('an unseen category gives one warning (all-zero encoding), or an error with --strict; a missing column is named', async () => {
    const rows = penguinRows().slice(0, 6);
    rows[1][2] = 'Atlantis';
    rows[3][2] = 'Atlantis';
    rows[4][7] = 'unknown';
    const file = join(dir, 'unseen.csv');
    await writeFile(file, penguinsCsv(rows));
    const run = await cli(['predict', '--model', model, '--input', file, '--backend', 'cpu']);
    expect(run.code, run.stderr).toBe(0);
    const warnings = ours(run.stderr).filter((l) => /warning/.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/3 cells hold categories not seen in training, encoded as all zeros: island \("Atlantis"\), sex \("unknown"\)/);
    expect(run.stdout.trim().split('\n')).toHaveLength(7);
    expectOneLineError(await cli(['predict', '--model', model, '--input', file, '--backend', 'cpu', '--strict']), /line 3, column "island": got "Atlantis", expected one of the categories seen in training/);
    const partial = join(dir, 'partial.csv');
    await writeFile(partial, penguinsCsv(penguinRows(), PENGUIN_COLUMNS.filter((c) => c !== 'sex' && c !== 'island')));
    expectOneLineError(await cli(['predict', '--model', model, '--input', partial, '--backend', 'cpu']), /columns: got "no \\"island\\", \\"sex\\"", expected the model's columns: "island", "bill_length_mm"/);
  });

  it('bad data flags and labels get one-line errors before training', async () => {
    const cases: [string[], RegExp][] = [
      [['--missing', 'maybe'], /--missing: got "maybe", expected impute, drop or error/],
      [['--task', 'ranking'], /--task: got "ranking", expected classification or regression/],
      [['--categorical', 'beak'], /--categorical: got "beak", expected one of the columns: "rowid", "species"/],
      [['--missing', 'error'], /line \d+, column "\w+": got "NA", expected a (label|value) \(--missing error\)/],
      [['--task', 'regression'], /column "species": got "Adelie", expected a number for a regression task/],
    ];
    for (const [flags, re] of cases) expectOneLineError(await cli(['train', '--dataset', penguins, ...TRAIN, ...flags]), re);
    const one = join(dir, 'one.csv');
    await writeFile(one, 'x,y\n1,a\n2,a\n3,NA\n');
    expectOneLineError(await cli(['train', '--dataset', one, '--label', 'y', '--backend', 'cpu']), /column "y": got "1 distinct label \(\\"a\\"\)", expected at least 2 classes/);
    const frac = join(dir, 'frac.csv');
    await writeFile(frac, 'x,y\n1,0.5\n2,1.5\n3,2\n');
    expectOneLineError(await cli(['train', '--dataset', frac, '--label', 'y', '--task', 'classification', '--backend', 'cpu']), /line 2, column "y": got "0.5", expected an integer or text class label/);
  });
});

describe('regression on a CSV', () => {
  it('reports test MSE and MAE in the target units, and evaluate agrees with predict', async () => {
    const rng = new Rng(3);
    const lines = ['x,kind,price'];
    for (let i = 0; i < 300; i++) {
      const x = rng.uniform(0, 1);
      const kind = i % 2 ? 'new' : 'old';
      lines.push(`${x.toFixed(4)},${kind},${(1000 + 500 * x + (kind === 'new' ? 200 : 0) + rng.uniform(-5, 5)).toFixed(2)}`);
    }
    const file = join(dir, 'prices.csv');
    await writeFile(file, lines.join('\n') + '\n');
    const out = join(dir, 'price-model');
    const run = await cli(['train', '--dataset', file, '--label', 'price', '--layers', '16', '--activation', 'tanh', '--epochs', '60', '--batch-size', '16', '--lr', '0.01', '--backend', 'cpu', '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = lastJson(run.stdout);
    expect(s.testMae).toBeGreaterThan(0);
    expect(s.testMae).toBeLessThan(40); // target spans 1000..1700; a mean prediction would be off by ~150
    expect(s.testMse).toBeGreaterThanOrEqual(s.testMae * s.testMae * 0.99);
    expect(run.stdout).toMatch(/test: loss [\d.]+ +mse [\d.e+]+ +mae [\d.e+]+/);

    const ev = lastJson((await cli(['evaluate', '--model', out, '--dataset', file, '--backend', 'cpu', '--json'])).stdout);
    const pr = await cli(['predict', '--model', out, '--input', file, '--backend', 'cpu']);
    const predicted = pr.stdout.trim().split('\n');
    expect(predicted[0]).toBe('price');
    const truth = lines.slice(1).map((l) => Number(l.split(',')[2]));
    const mae = predicted.slice(1).reduce((s, p, i) => s + Math.abs(Number(p) - truth[i]), 0) / truth.length;
    expect(ev.rows).toBe(300);
    expect(Math.abs(ev.mae - mae) / mae).toBeLessThan(1e-3);
  });
});

describe('an IDX image folder', () => {
  function idx(magic: number, dims: number[], payload: Uint8Array): Buffer {
    const head = Buffer.alloc(4 + 4 * dims.length);
    head.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([head, Buffer.from(payload)]);
  }

  it('trains from --dataset <folder> with gzipped MNIST-layout files; a folder without them is named', async () => {
    const folder = join(dir, 'tiny-idx');
    await mkdir(folder);
    const rng = new Rng(5);
    const write = async (name: string, n: number) => {
      const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
      // class k lights up pixel row k
      const pixels = new Uint8Array(n * 16);
      for (let i = 0; i < n; i++) for (let c = 0; c < 4; c++) pixels[i * 16 + labels[i] * 4 + c] = 150 + Math.floor(rng.next() * 100);
      await writeFile(join(folder, `${name}-images-idx3-ubyte.gz`), gzipSync(idx(0x803, [n, 4, 4], pixels)));
      await writeFile(join(folder, `${name}-labels-idx1-ubyte`), idx(0x801, [n], labels));
    };
    await write('train', 60);
    await write('t10k', 30);
    const run = await cli(['train', '--dataset', folder, '--layers', '8', '--epochs', '30', '--batch-size', '10', '--lr', '0.01', '--backend', 'cpu', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/tiny-idx \(60 train rows, 16 features, multiclass\)/);
    // image sets default to x/255 inputs (no per-pixel scaling) and a cosine schedule
    expect(run.stdout).toMatch(/^model: 16-8-3, softmax_ce, adam lr 0.01 \(cosine\), batch 10$/m);
    expect(lastJson(run.stdout).testAccuracy).toBe(1);
    const own = await cli(['train', '--dataset', folder, '--layers', '8', '--epochs', '1', '--batch-size', '10', '--lr', '0.01', '--backend', 'cpu', '--schedule', 'constant', '--normalize', 'zscore']);
    expect(own.stdout).toMatch(/^model: 16-8-3, softmax_ce, adam lr 0.01, batch 10, zscore inputs$/m);
    const empty = join(dir, 'empty-folder');
    await mkdir(empty);
    expectOneLineError(await cli(['train', '--dataset', empty, '--backend', 'cpu']), /--dataset: got ".*empty-folder", expected a folder holding train-images-idx3-ubyte\[\.gz\]/);
  });
});

const SKLEARN = '/usr/lib/python3/dist-packages/sklearn/datasets/data';
// Skipped only off CI: .ci/run installs python3-sklearn, so under CI=true a missing file fails.
describe.skipIf(!existsSync(join(SKLEARN, 'iris.csv')) && process.env.CI !== 'true')("scikit-learn's bundled CSVs (Debian python3-sklearn)", () => {
  it('iris: the first row is read as class names and the model predicts them', async () => {
    const out = join(dir, 'iris-model');
    const run = await cli(['train', '--dataset', join(SKLEARN, 'iris.csv'), '--label', 'target', '--layers', '16', '--epochs', '40', '--batch-size', '16', '--lr', '0.01', '--backend', 'cpu', '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^note: line 1 read as scikit-learn's "rows,features,class names" row/m);
    expect(lastJson(run.stdout).testAccuracy).toBeGreaterThan(0.85);
    const pr = await cli(['predict', '--model', out, '--input', join(SKLEARN, 'iris.csv'), '--backend', 'cpu']);
    expect(new Set(pr.stdout.trim().split('\n').slice(1))).toEqual(new Set(['setosa', 'versicolor', 'virginica']));
  });
});
