// The table pipeline through the API: a Model trained on parseCsv data keeps the pipeline, saves
// it in model.json (validated on load), and predictTable applies it by column name to records in
// any order, without the label, giving the same class names as the original rows.

import { describe, expect, it } from 'vitest';
import { Model, predictTable } from '../../src/index.js';
import { decodeModel, encodeModel } from '../../src/model/persist.js';
import { parseCsv } from '../../src/data/csv.js';
import { readCsvTable } from '../../src/data/table/read.js';
import { PENGUIN_COLUMNS, penguinRows, penguinsCsv } from '../support/penguins.js';

describe('Model with a table pipeline', () => {
  it('trains on parseCsv data, round-trips the pipeline, and predicts from shuffled records', async () => {
    const data = parseCsv(penguinsCsv(), { label: 'species' });
    expect(data.pipeline?.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const model = new Model({ inputSize: data.features, outputSize: 3, task: 'multiclass', hidden: [{ units: 12, activation: 'relu' }] }, { seed: 1 });
    const fit = await model.fit(data, { backend: 'cpu', epochs: 30, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 } });
    expect(fit.history.at(-1)!.accuracy).toBeGreaterThan(0.9);
    expect(model.pipeline).toBe(data.pipeline);

    const bundle = encodeModel(model);
    expect(JSON.parse(bundle.json).pipeline).toEqual(JSON.parse(JSON.stringify(data.pipeline)));
    const loaded = decodeModel(bundle.json, bundle.weights);
    expect(loaded.pipeline).toEqual(model.pipeline);

    const table = readCsvTable(penguinsCsv());
    const a = await predictTable(loaded, table, { backend: 'cpu' });
    // records: keys in another order, no species, numbers as numbers, NA as null
    const order = [...PENGUIN_COLUMNS].reverse().filter((c) => c !== 'species');
    const records = penguinRows().map((r) => Object.fromEntries(order.map((c) => {
      const v = r[PENGUIN_COLUMNS.indexOf(c)];
      return [c, v === 'NA' || v === '' ? null : /^[\d.]+$/.test(v) ? Number(v) : v];
    })));
    const b = await predictTable(loaded, records, { backend: 'cpu' });
    expect(b.classified!.classes).toEqual(a.classified!.classes);
    expect(Array.from(b.outputs)).toEqual(Array.from(a.outputs));
    const truth = penguinRows().map((r) => r[1]);
    const hits = a.classified!.classes.filter((c, i) => c === truth[i]).length;
    expect(hits / 238).toBeGreaterThan(0.9);
    expect(b.report.imputedRows).toBeGreaterThan(0);
  });

  it('a model.json whose pipeline disagrees with the model is refused on load, naming the field', async () => {
    const data = parseCsv('c,x,y\nb,1,u\na,2,v\nb,3,u\n', { label: 'y' });
    const model = new Model({ inputSize: data.features, outputSize: 2, task: 'multiclass', hidden: [] }, { seed: 0 });
    await model.fit(data, { backend: 'cpu', epochs: 1, batchSize: 3, optimizer: { name: 'sgd', lr: 0.1 } });
    const { json, weights } = encodeModel(model);
    const bad = JSON.parse(json);
    bad.pipeline.features[0].vocabulary.push('c');
    expect(() => decodeModel(JSON.stringify(bad), weights)).toThrow(/^pipeline.features: got "4 encoded inputs", expected 3 \(the model's inputSize\)/);
    bad.pipeline = { kind: 'table' };
    expect(() => decodeModel(JSON.stringify(bad), weights)).toThrow(/^pipeline.version: got undefined/);
    await expect(predictTable(new Model(model.spec), [{ c: 'a', x: 1 }])).rejects.toThrow(/^model.pipeline: got undefined, expected a model trained on table data/);
  });
});

describe('data encoded by another pipeline', () => {
  it('is refused before any work, naming the field', async () => {
    const a = parseCsv('c,x,y\nb,1,u\na,2,v\nb,3,u\n', { label: 'y' });
    const b = parseCsv('c,x,y\nb,1,u\nz,2,v\nb,3,u\n', { label: 'y' });
    const model = new Model({ inputSize: 3, outputSize: 2, task: 'multiclass', hidden: [] }, { seed: 0 });
    await model.fit(a, { backend: 'cpu', epochs: 1, batchSize: 3, optimizer: { name: 'sgd', lr: 0.1 } });
    await expect(model.evaluate(b, { backend: 'cpu' })).rejects.toThrow(/^data.pipeline: got "a different table pipeline", expected data encoded with the model's own/);
    expect((await model.evaluate(a, { backend: 'cpu' })).rows).toBe(3);
  });
});
