// Bad input is rejected before any training happens, with an InputError whose message names the
// field, the offending value and what was expected: data shape and values, labels, batch sizes,
// unknown names in the spec and the options, impossible layer shapes and missing CSV columns.
// Every fit() here would train if it got that far; the callbacks prove it never does.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseSharedGpu } from '../../src/backend/select.js';
import { loadCsvFile } from '../../src/data/csv-file.js';
import { parseCsv } from '../../src/data/csv.js';
import type { Dataset } from '../../src/data/dataset.js';
import { blobs, sine, xor } from '../../src/data/synthetic.js';
import { Model, type TrainOptions } from '../../src/index.js';
import type { ModelSpec } from '../../src/model/spec.js';
import { InputError } from '../../src/util/errors.js';

afterAll(releaseSharedGpu);

const BINARY: ModelSpec = { inputSize: 2, hidden: [{ units: 4, activation: 'tanh' }], outputSize: 1, task: 'binary' };
const MULTI: ModelSpec = { inputSize: 2, hidden: [{ units: 4, activation: 'relu' }], outputSize: 3, task: 'multiclass' };
const REGRESSION: ModelSpec = { inputSize: 1, hidden: [{ units: 4, activation: 'tanh' }], outputSize: 1, task: 'regression' };
const OPTIONS: TrainOptions = { backend: 'cpu', epochs: 2, batchSize: 4, optimizer: { name: 'adam', lr: 0.01 } };

/** Runs fit and returns its error, asserting no epoch ran and the weights are untouched. */
async function fitError(spec: ModelSpec, data: Dataset, options: Partial<TrainOptions> = {}): Promise<Error> {
  const model = new Model(spec, { seed: 1 });
  const before = model.params.slice();
  let epochs = 0;
  let steps = 0;
  let error: unknown;
  try {
    await model.fit(data, {
      ...OPTIONS,
      logEverySteps: 1,
      ...options,
      callbacks: { onEpochEnd: () => void epochs++, onStep: () => void steps++ },
    } as TrainOptions);
  } catch (err) {
    error = err;
  }
  expect(error, 'fit() should have thrown').toBeInstanceOf(InputError);
  expect(epochs).toBe(0);
  expect(steps).toBe(0);
  expect(Array.from(model.params)).toEqual(Array.from(before));
  return error as Error;
}

const withX = (ds: Dataset, i: number, v: number): Dataset => {
  const x = ds.x.slice();
  x[i] = v;
  return { ...ds, x };
};
const withY = (ds: Dataset, i: number, v: number): Dataset => {
  const y = ds.y.slice();
  y[i] = v;
  return { ...ds, y };
};

describe('bad data', () => {
  it('wrong feature count', async () => {
    const data = { ...sine({ n: 8 }), features: 2, x: new Float32Array(16) };
    expect((await fitError(REGRESSION, data)).message).toMatch(/^features: got 2, expected 1 features \(the model's input size\)/);
    // the same for validation data and for predict()
    const err = await fitError(BINARY, xor({ n: 8 }), { validationData: { ...xor({ n: 4 }), features: 3, x: new Float32Array(12) } });
    expect(err.message).toMatch(/^validationData\.features: got 3, expected 2 features/);
    const badLabel = await fitError(BINARY, xor({ n: 8 }), { validationData: withY(xor({ n: 4 }), 2, 5) });
    expect(badLabel.message).toMatch(/^validationData\.label\[row 2\]: got 5, expected 0 or 1 for a binary task/);
    const badTask = await fitError(BINARY, xor({ n: 8 }), { validationData: { ...sine({ n: 4 }), features: 2, x: new Float32Array(8) } });
    expect(badTask.message).toMatch(/^validationData\.task: got "regression", expected binary/);
    await expect(new Model(BINARY).predict(new Float32Array(5), { backend: 'cpu' })).rejects.toThrow(/^x: got "5 values", expected a non-empty multiple of 2/);
  });

  it('x.length disagreeing with rows * features', async () => {
    const data = { ...xor({ n: 8 }), x: new Float32Array(15) };
    expect((await fitError(BINARY, data)).message).toMatch(/^x\.length: got 15, expected rows \* features = 16/);
  });

  it('class labels out of range or not integers', async () => {
    const data = blobs({ n: 12, classes: 3 });
    expect((await fitError(MULTI, withY(data, 5, 3))).message).toMatch(/^label\[row 5\]: got 3, expected an integer class index in \[0, 3\)/);
    expect((await fitError(MULTI, withY(data, 2, -1))).message).toMatch(/^label\[row 2\]: got -1, expected an integer class index in \[0, 3\)/);
    expect((await fitError(MULTI, withY(data, 7, 1.5))).message).toMatch(/^label\[row 7\]: got 1\.5, expected an integer class index/);
    expect((await fitError(BINARY, withY(xor({ n: 8 }), 3, 2))).message).toMatch(/^label\[row 3\]: got 2, expected 0 or 1 for a binary task/);
    // a dataset with more classes than the model has outputs
    expect((await fitError(MULTI, blobs({ n: 12, classes: 4 }))).message).toMatch(/^classes: got 4, expected 3 classes \(the model's output size\)/);
  });

  it('NaN or infinity in features or targets', async () => {
    expect((await fitError(BINARY, withX(xor({ n: 8 }), 3, NaN))).message).toMatch(/^x\[row 1, "x2"\]: got NaN, expected a finite number/);
    expect((await fitError(BINARY, withX(xor({ n: 8 }), 4, Infinity))).message).toMatch(/^x\[row 2, "x1"\]: got Infinity, expected a finite number/);
    expect((await fitError(REGRESSION, withY(sine({ n: 8 }), 6, -Infinity))).message).toMatch(/^y\[row 6\]: got -Infinity, expected a finite number/);
    expect((await fitError(REGRESSION, withY(sine({ n: 8 }), 0, NaN))).message).toMatch(/^y\[row 0\]: got NaN, expected a finite number/);
    await expect(new Model(REGRESSION).predict(new Float32Array([0, NaN]), { backend: 'cpu' })).rejects.toThrow(/^x\[row 1, column 0\]: got NaN, expected a finite number/);
  });

  it('an empty dataset', async () => {
    const empty: Dataset = { ...xor({ n: 4 }), x: new Float32Array(0), y: new Float32Array(0), rows: 0 };
    expect((await fitError(BINARY, empty)).message).toMatch(/^rows: got 0, expected a dataset with at least one row/);
  });

  it('a dataset of another task than the model', async () => {
    expect((await fitError(REGRESSION, { ...xor({ n: 4 }), features: 1, x: new Float32Array(4) })).message).toMatch(/^data\.task: got "binary", expected regression/);
  });
});

describe('bad options', () => {
  for (const batchSize of [0, -4, 2.5]) {
    it(`batch size ${batchSize}`, async () => {
      expect((await fitError(BINARY, xor({ n: 8 }), { batchSize })).message).toMatch(new RegExp(`^batchSize: got ${String(batchSize).replace('.', '\\.')}, expected an integer >= 1`));
    });
  }

  it('unknown optimizer, schedule and monitor names; out-of-range numbers', async () => {
    const data = xor({ n: 8 });
    expect((await fitError(BINARY, data, { optimizer: { name: 'adamax' as never, lr: 0.01 } })).message).toMatch(/^optimizer\.name: got "adamax", expected one of sgd, momentum, nesterov, adam/);
    expect((await fitError(BINARY, data, { optimizer: { name: 'adam', lr: 0 } })).message).toMatch(/^optimizer\.lr: got 0, expected a finite number > 0/);
    expect((await fitError(BINARY, data, { optimizer: { name: 'adam', lr: NaN } })).message).toMatch(/^optimizer\.lr: got NaN/);
    expect((await fitError(BINARY, data, { optimizer: { name: 'momentum', lr: 0.1, momentum: 1.2 } })).message).toMatch(/^optimizer\.momentum: got 1\.2, expected a number in \[0, 1\)/);
    expect((await fitError(BINARY, data, { epochs: 0 })).message).toMatch(/^epochs: got 0, expected an integer >= 1/);
    expect((await fitError(BINARY, data, { schedule: { kind: 'linear' } as never })).message).toMatch(/^schedule\.kind: got "linear", expected one of constant, step/);
    expect((await fitError(BINARY, data, { schedule: { kind: 'step', stepSize: 0 } })).message).toMatch(/^schedule\.stepSize: got 0/);
    expect((await fitError(BINARY, data, { earlyStopping: { patience: 2, monitor: 'f1' as never } })).message).toMatch(/^earlyStopping\.monitor: got "f1", expected one of loss, valLoss/);
    expect((await fitError(BINARY, data, { validationSplit: 1 })).message).toMatch(/^validationSplit: got 1, expected a fraction in \[0, 1\)/);
  });
});

describe('bad model specs', () => {
  const make = (spec: unknown) => () => new Model(spec as ModelSpec);

  it('unknown activation, loss, init and task names', () => {
    expect(make({ ...BINARY, hidden: [{ units: 4, activation: 'tanh' }, { units: 4, activation: 'swish' }] })).toThrow(/^hidden\[1\]\.activation: got "swish", expected one of identity, relu/);
    expect(make({ ...REGRESSION, loss: 'hinge' })).toThrow(/^loss: got "hinge", expected one of mse, mae, huber/);
    expect(make({ ...REGRESSION, loss: 'softmax_ce' })).toThrow(/^loss: got "softmax_ce", expected a regression loss: mse, mae, huber/);
    expect(make({ ...BINARY, hidden: [{ units: 4, activation: 'relu', init: 'zeros' }] })).toThrow(/^hidden\[0\]\.init: got "zeros", expected one of glorot_uniform/);
    expect(make({ ...BINARY, task: 'ranking' })).toThrow(/^task: got "ranking", expected one of regression, binary, multiclass/);
    expect(make({ ...BINARY, hidden: [{ units: 4, activation: 'relu' }] })).not.toThrow();
  });

  it('zero-width and non-integer layers, bad input/output sizes', () => {
    expect(make({ ...BINARY, hidden: [{ units: 0, activation: 'relu' }] })).toThrow(/^hidden\[0\]\.units: got 0, expected an integer >= 1/);
    expect(make({ ...BINARY, hidden: [{ units: 4, activation: 'relu' }, { units: 2.5, activation: 'relu' }] })).toThrow(/^hidden\[1\]\.units: got 2\.5, expected an integer >= 1/);
    expect(make({ ...BINARY, inputSize: 0 })).toThrow(/^inputSize: got 0, expected an integer >= 1/);
    expect(make({ ...MULTI, outputSize: 1 })).toThrow(/^outputSize: got 1, expected >= 2 classes/);
    expect(make({ ...BINARY, outputSize: 2 })).toThrow(/^outputSize: got 2, expected 1 for a binary task/);
    expect(make({ ...BINARY, hidden: [{ units: 4, activation: 'relu', dropout: 1 }] })).toThrow(/^hidden\[0\]\.dropout: got 1, expected a probability in \[0, 1\)/);
  });

  it('a residual layer whose input width differs from its units', () => {
    const spec = { ...BINARY, hidden: [{ units: 8, activation: 'relu' }, { units: 4, activation: 'relu', residual: true }] };
    expect(make(spec)).toThrow(/^hidden\[1\]\.residual: got true, expected a layer whose input width \(8\) equals its units \(4\)/);
    // the first layer's input is the features
    expect(make({ ...BINARY, hidden: [{ units: 4, activation: 'relu', residual: true }] })).toThrow(/^hidden\[0\]\.residual: got true, expected a layer whose input width \(2\) equals its units \(4\)/);
    expect(make({ ...BINARY, hidden: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu', residual: true }] })).not.toThrow();
  });
});

describe('bad CSV input', () => {
  const CSV = 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n';

  it('a label column that does not exist', async () => {
    expect(() => parseCsv(CSV, { label: 'missing' })).toThrow(/^label: got "missing", expected one of the columns: "a", "b", "y"/);
    const dir = await mkdtemp(join(tmpdir(), 'webgpu-mlp-bad-'));
    try {
      const path = join(dir, 'data.csv');
      await writeFile(path, CSV);
      expect(() => loadCsvFile(path, { label: 'target' })).toThrow(/^label: got "target", expected one of the columns/);
      expect(() => loadCsvFile(path, { label: 'target', labelField: '--label' })).toThrow(/^--label: got "target", expected one of the columns/);
      expect(loadCsvFile(path, { label: 'y' }).rows).toBe(3);
      expect(() => loadCsvFile(join(dir, 'nope.csv'), { label: 'y' })).toThrow(/^path: got ".*nope\.csv", expected a readable CSV file \(ENOENT\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a word among numbers and a ragged row', () => {
    expect(() => parseCsv('a,b,y\n1,x,0\n3,4,1\n5,6,0\n', { label: 'y' })).toThrow(/column "b": got "x", expected a number like the column's other values/);
    expect(() => parseCsv('a,b,y\n1,2,0\n3,4\n', { label: 'y' })).toThrow(/got "2 fields", expected 3 fields, as in the header/);
  });
});
