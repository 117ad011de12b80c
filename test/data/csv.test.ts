// CSV parsing through the tabular pipeline: good files, task inference and the error messages a
// user sees for bad files (the pipeline's own cases are in table.test.ts).

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../../src/data/csv.js';
import { inferTask } from '../../src/data/table/index.js';
import { loadCsvFile } from '../../src/data/csv-file.js';

describe('parseCsv', () => {
  it('parses a good file with the label column anywhere', () => {
    const ds = parseCsv('a,target,b\n1,0.5,2\n3,1.5,-4e1\n', { label: 'target' });
    expect(ds.task).toBe('regression');
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect([ds.rows, ds.features, ds.targetWidth]).toEqual([2, 2, 1]);
    expect(Array.from(ds.x)).toEqual([1, 2, 3, -40]);
    expect(Array.from(ds.y)).toEqual([0.5, 1.5]);
  });

  it('infers binary, multiclass (remapped with classLabels) and regression', () => {
    expect(parseCsv('x,y\n1,0\n2,1\n3,1\n', { label: 'y' }).task).toBe('binary');
    const mc = parseCsv('x,y\n1,7\n2,3\n3,5\n4,3\n', { label: 'y' });
    expect(mc.task).toBe('multiclass');
    expect(mc.classes).toBe(3);
    expect(mc.classLabels).toEqual(['3', '5', '7']);
    expect(Array.from(mc.y)).toEqual([2, 0, 1, 0]);
    const named = parseCsv('x,species\n1,setosa\n2,virginica\n3,setosa\n', { label: 'species' });
    expect(named.task).toBe('multiclass');
    expect(named.classLabels).toEqual(['setosa', 'virginica']);
    expect(Array.from(named.y)).toEqual([0, 1, 0]);
    expect(inferTask(Array.from({ length: 60 }, (_, i) => String(i)))).toBe('regression');
    expect(inferTask(['1.5', '2'])).toBe('regression');
  });

  it('uses an explicit task and checks labels against it', () => {
    expect(parseCsv('x,y\n1,0\n2,1\n', { label: 'y', task: 'regression' }).task).toBe('regression');
    expect(() => parseCsv('x,y\n1,0\n2,2\n', { label: 'y', task: 'binary' })).toThrow(/^column "y": got "\\"0\\", \\"2\\"", expected labels 0 and 1 for a binary task/);
  });

  it('missing label column names it and lists the available columns', () => {
    expect(() => parseCsv('a,b,c\n1,2,3\n', { label: 'price' })).toThrow(
      'label: got "price", expected one of the columns: "a", "b", "c"',
    );
  });

  it('a word in a column of numbers names line, column and value', () => {
    expect(() => parseCsv('a,b,y\n1,2,0\n3,abc,1\n4,5,0\n', { label: 'y' })).toThrow(/^line 3, column "b": got "abc", expected a number like the column's other values/);
  });

  it('empty and NaN cells are missing (imputed); Infinity and float32 overflow are not numbers', () => {
    const ds = parseCsv('a,y\n,0\n4,1\nNaN,0\n2,1\n', { label: 'y' });
    expect(Array.from(ds.x)).toEqual([3, 4, 3, 2]);
    expect(() => parseCsv('a,y\n1,0\nInfinity,1\n2,0\n', { label: 'y' })).toThrow(/^line 3, column "a": got "Infinity"/);
    expect(() => parseCsv('a,y\n1,inf\n2,0.5\n', { label: 'y', task: 'regression' })).toThrow(/^line 2, column "y": got "inf"/);
    // Finite in float64 but not in float32.
    expect(() => parseCsv('a,y\n1e39,0\n2,1\n3,0\n', { label: 'y' })).toThrow(/^line 2, column "a": got "1e39"/);
  });

  it('rejects ragged rows and empty files', () => {
    expect(() => parseCsv('a,b,y\n1,2,0\n1,2\n', { label: 'y' })).toThrow('row 2 (line 3): got "2 fields", expected 3 fields, as in the header');
    expect(() => parseCsv('a,b,y\n1,2,0,9\n', { label: 'y' })).toThrow(/row 1 \(line 2\): got "4 fields"/);
    expect(() => parseCsv('', { label: 'y' })).toThrow(/^csv: got "", expected a header row/);
    expect(() => parseCsv('a,y\n', { label: 'y' })).toThrow(/^rows: got 0/);
  });

  it('skips blank lines but keeps line numbers right, and strips a BOM', () => {
    const ds = parseCsv('\uFEFFa,y\n1,0\n\n2,1\n', { label: 'y' });
    expect(ds.rows).toBe(2);
    expect(() => parseCsv('a,y\n1,0\n2,1\n\nz,1\n', { label: 'y' })).toThrow(/^line 5, column "a"/);
  });
});

describe('loadCsvFile', () => {
  it('reads a file, names the dataset after it, and reports a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv-test-'));
    const path = join(dir, 'houses.csv');
    writeFileSync(path, 'rooms,price\n3,100.5\n4,120\n');
    const ds = loadCsvFile(path, { label: 'price' });
    expect(ds.name).toBe('houses');
    expect(Array.from(ds.y)).toEqual([100.5, 120]);
    expect(() => loadCsvFile(join(dir, 'nope.csv'), { label: 'price' })).toThrow(/^path: got ".*nope\.csv", expected a readable CSV file \(ENOENT\)/);
  });
});
