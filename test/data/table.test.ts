// The tabular pipeline on hand-made tables: column type inference and overrides, one-hot
// vocabularies, imputation fitted on the training rows only, unseen categories, the missing-value
// policies, label errors, scikit-learn's first rows, and validating a pipeline read from a file.

import { describe, expect, it } from 'vitest';
import { encodeTable, encodedFeatureNames, fitPipeline, readCsvTable, tableFromRecords, tableRows, validatePipeline, type RawTable, type TablePipeline } from '../../src/data/table/index.js';
import { PENGUIN_COLUMNS, penguinRows, penguinsCsv } from '../support/penguins.js';

const table = (text: string) => readCsvTable(text);
const csv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\n') + '\n';

describe('column type inference', () => {
  const t = table(
    csv([
      ['id', 'name', 'colour', 'size', 'same', 'empty', 'y'],
      ...Array.from({ length: 12 }, (_, i) => [`${i + 10}`, `n${i}`, ['red', 'green', 'blue'][i % 3], `${(i * 1.5).toFixed(1)}`, 'k', 'NA', `${i % 2}`]),
    ]),
  );

  it('finds numeric, categorical, constant, identifier-like and empty columns', () => {
    const p = fitPipeline(t, { label: 'y' });
    expect(p.task).toBe('binary');
    expect(p.features.map((f) => [f.name, f.kind])).toEqual([
      ['colour', 'categorical'],
      ['size', 'numeric'],
    ]);
    expect(Object.fromEntries(p.ignored.map((g) => [g.name, g.reason.split(' ')[0]]))).toEqual({ id: 'identifier-like', name: 'identifier-like', same: 'constant', empty: 'empty' });
    expect(encodedFeatureNames(p)).toEqual(['colour=blue', 'colour=green', 'colour=red', 'size']);
  });

  it('a row counter is an identifier, a year per row is a feature', () => {
    const rows = Array.from({ length: 12 }, (_, i) => [`${i}`, `${i + 2000}`, `${i * 1.5}`, `${i % 2}`]);
    const p = fitPipeline(table(csv([['n', 'year', 'v', 'y'], ...rows])), { label: 'y' });
    expect(p.ignored.map((g) => g.name)).toEqual(['n']);
    expect(p.features.map((f) => f.name)).toEqual(['year', 'v']);
  });

  it('overrides win and are checked', () => {
    const p = fitPipeline(t, { label: 'y', categorical: ['size', 'same'], exclude: ['colour'], numeric: ['id'] });
    expect(p.features.map((f) => [f.name, f.kind])).toEqual([
      ['id', 'numeric'],
      ['size', 'categorical'],
      ['same', 'categorical'],
    ]);
    expect(() => fitPipeline(t, { label: 'y', numeric: ['colour'] })).toThrow(/^line 2, column "colour": got "red", expected a number \(the column is --numeric\)/);
    expect(() => fitPipeline(t, { label: 'y', exclude: ['nope'] })).toThrow(/^--exclude: got "nope", expected one of the columns: "id", "name"/);
    expect(() => fitPipeline(t, { label: 'y', categorical: ['y'] })).toThrow(/^--categorical: got "y", expected a feature column \(it is the --label column\)/);
    expect(() => fitPipeline(t, { label: 'y', categorical: ['size'], numeric: ['size'] })).toThrow(/^--numeric: got "size", expected a column not already listed in --categorical/);
  });

  it('a stray word in a numeric column is an error naming the cell, not a silent switch to categories', () => {
    const bad = table(csv([['a', 'y'], ['1', '0'], ['2', '1'], ['3', '0'], ['missing', '1'], ['5', '0']]));
    expect(() => fitPipeline(bad, { label: 'y' })).toThrow(/^line 5, column "a": got "missing", expected a number like the column's other values, or a missing-value marker \(add it with --missing-values\)/);
    const ok = fitPipeline(bad, { label: 'y', missingValues: ['missing'] });
    expect(ok.features[0]).toEqual({ name: 'a', kind: 'numeric', impute: 2.5 }); // median of 1, 2, 3, 5
  });

  it('every column unusable is an error that says why', () => {
    expect(() => fitPipeline(table('k,y\n1,0\n1,1\n'), { label: 'y' })).toThrow(/^feature columns: got "k: constant \(\\"1\\"\)", expected at least one usable feature column/);
  });
});

describe('one-hot encoding, imputation and unseen categories', () => {
  const train = table('c,x,y\nb,1,0\na,NA,1\nb,3,0\n?,5,1\n');

  it('fits the vocabulary, the median and the most frequent value on the training rows only', () => {
    const all = table('c,x,y\nb,1,0\na,NA,1\nb,3,0\n?,5,1\nz,1000,0\nz,1000,1\nz,1000,0\n');
    const p = fitPipeline(all, { label: 'y', trainRows: [0, 1, 2, 3] });
    expect(p.features).toEqual([
      { name: 'c', kind: 'categorical', vocabulary: ['a', 'b'], impute: 'b' },
      { name: 'x', kind: 'numeric', impute: 3 },
    ]);
    const { dataset, report } = encodeTable(p, tableRows(all, [0, 1, 2, 3, 4]), { label: 'require' });
    // c=a, c=b, x per row; "?" -> "b", NA -> 3; the test-only category "z" -> all zeros
    expect(Array.from(dataset.x)).toEqual([0, 1, 1, 1, 0, 3, 0, 1, 3, 0, 1, 5, 0, 0, 1000]);
    expect(Array.from(dataset.y)).toEqual([0, 1, 0, 1, 0]);
    expect(report.imputed).toEqual({ c: 1, x: 1 });
    expect(report.imputedRows).toBe(2);
    expect(report.unseen).toEqual({ c: { count: 1, examples: ['z'] } });
    expect(dataset.pipeline).toBe(p);
    expect(() => encodeTable(p, all, { label: 'require', strict: true })).toThrow(/^line 6, column "c": got "z", expected one of the categories seen in training: "a", "b"/);
  });

  it('matches columns by name in any order, ignores the label when predicting, names missing columns', () => {
    const p = fitPipeline(train, { label: 'y' });
    const a = encodeTable(p, train, { label: 'require' }).dataset;
    const shuffled = table('x,y,c\n1,0,b\nNA,1,a\n3,0,b\n5,1,?\n');
    expect(Array.from(encodeTable(p, shuffled, { label: 'ignore' }).dataset.x)).toEqual(Array.from(a.x));
    const noLabel = table('x,c\n1,b\n');
    expect(encodeTable(p, noLabel, { label: 'ignore' }).dataset.rows).toBe(1);
    expect(() => encodeTable(p, noLabel, { label: 'require' })).toThrow(/^columns: got "no \\"y\\"", expected the model's columns: "c", "x", "y" \(in any order\)/);
    expect(() => encodeTable(p, table('q\n1\n'), { label: 'ignore' })).toThrow(/^columns: got "no \\"c\\", \\"x\\""/);
  });

  it('missing policies: impute (default), drop, error; a missing label is dropped, never a class', () => {
    const t = table('c,x,y\nb,1,0\na,NA,1\nb,3,NA\nb,4,0\na,5,1\n');
    const imp = encodeTable(fitPipeline(t, { label: 'y' }), t, { label: 'require' });
    expect([imp.report.rowsOut, imp.report.droppedMissingLabel, imp.report.imputedRows]).toEqual([4, 1, 1]);
    const drop = encodeTable(fitPipeline(t, { label: 'y', missing: 'drop' }), t, { label: 'require' });
    expect([drop.report.rowsOut, drop.report.droppedMissingLabel, drop.report.droppedMissingFeature]).toEqual([3, 1, 1]);
    expect(() => fitPipeline(t, { label: 'y', missing: 'error' })).toThrow(/^line 4, column "y": got "NA", expected a label \(--missing error\)/);
    const t2 = table('c,x,y\nb,1,0\na,NA,1\nb,3,0\n');
    expect(() => encodeTable(fitPipeline(t2, { label: 'y', missing: 'error' }), t2, { label: 'require' })).toThrow(/^line 3, column "x": got "NA", expected a value/);
    const labels = fitPipeline(table('x,s\n1,cat\n2,NA\n3,dog\n4,\n'), { label: 's' });
    expect(labels.classNames).toEqual(['cat', 'dog']);
  });
});

describe('labels', () => {
  it('string labels keep their names; task override; one class and fractional classes are errors', () => {
    const t = table('x,s\n1,b\n2,a\n3,b\n');
    const p = fitPipeline(t, { label: 's' });
    expect([p.task, p.classNames]).toEqual(['multiclass', ['a', 'b']]);
    expect(Array.from(encodeTable(p, t, { label: 'require' }).dataset.y)).toEqual([1, 0, 1]);
    expect(() => fitPipeline(table('x,s\n1,a\n2,a\n3,NA\n'), { label: 's' })).toThrow(/^column "s": got "1 distinct label \(\\"a\\"\)", expected at least 2 classes/);
    expect(() => fitPipeline(table('x,s\n1,2.5\n2,2.5\n'), { label: 's' })).toThrow(/^column "s": got "1 distinct value \(2.5\)", expected at least 2 distinct target values/);
    expect(() => fitPipeline(table('x,s\n1,0.5\n2,1.5\n'), { label: 's', task: 'classification' })).toThrow(/^line 2, column "s": got "0.5", expected an integer or text class label for a multiclass task \(or --task regression\)/);
    expect(() => fitPipeline(t, { label: 's', task: 'regression' })).toThrow(/^line 2, column "s": got "b", expected a number for a regression task/);
    expect(fitPipeline(table('x,s\n1,0\n2,1\n3,0\n'), { label: 's', task: 'regression' }).task).toBe('regression');
    expect(fitPipeline(table('x,s\n1,0\n2,1\n3,1\n'), { label: 's', task: 'classification' }).task).toBe('binary');
    const numeric = fitPipeline(table('x,s\n1,7\n2,3\n3,5.0\n'), { label: 's' });
    expect(numeric.classNames).toEqual(['3', '5', '7']);
  });

  it('a label the model does not know is an error when evaluating', () => {
    const p = fitPipeline(table('x,s\n1,b\n2,a\n'), { label: 's' });
    expect(() => encodeTable(p, table('x,s\n1,c\n'), { label: 'require' })).toThrow(/^line 2, column "s": got "c", expected one of the model's classes: "a", "b"/);
  });
});

describe('reading tables', () => {
  it("scikit-learn's first rows: class names, or a count row above the header", () => {
    const iris = readCsvTable('3,2,setosa,versicolor\n5.1,3.5,0\n4.9,3.0,1\n4.7,3.2,0\n');
    expect(iris.columns).toEqual(['feature_0', 'feature_1', 'target']);
    expect(iris.rows.map((r) => r[2])).toEqual(['setosa', 'versicolor', 'setosa']);
    expect(iris.notes?.[0]).toMatch(/scikit-learn/);
    const boston = readCsvTable('2,2,,\n"A","B","MEDV"\n1,2,3\n4,5,6\n');
    expect(boston.columns).toEqual(['A', 'B', 'MEDV']);
    expect(boston.lines).toEqual([3, 4]);
    expect(() => readCsvTable('1.5,2,3\n4,5,6\n')).toThrow(/^header \(line 1\): got "1.5,2,3", expected a header row of column names first/);
  });

  it('in-memory records: numbers, text and null cells', () => {
    const t: RawTable = tableFromRecords([
      { kind: 'a', v: 1, label: 'yes' },
      { kind: 'b', v: null, label: 'no' },
      { kind: 'a', v: 3, label: 'yes' },
    ]);
    const p = fitPipeline(t, { label: 'label' });
    const { dataset, report } = encodeTable(p, t, { label: 'require' });
    expect(Array.from(dataset.x)).toEqual([1, 0, 1, 0, 1, 2, 1, 0, 3]);
    expect(report.imputed).toEqual({ v: 1 });
    expect(p.classNames).toEqual(['no', 'yes']);
  });
});

describe('the penguins-shaped file', () => {
  it('infers every column the way a user would expect', () => {
    const p = fitPipeline(readCsvTable(penguinsCsv()), { label: 'species' });
    expect(p.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(Object.fromEntries(p.features.map((f) => [f.name, f.kind]))).toEqual({
      island: 'categorical',
      bill_length_mm: 'numeric',
      bill_depth_mm: 'numeric',
      flipper_length_mm: 'numeric',
      body_mass_g: 'numeric',
      sex: 'categorical',
    });
    expect(p.ignored.map((g) => g.name)).toEqual(['rowid', 'study']);
    expect(PENGUIN_COLUMNS.length).toBe(p.features.length + p.ignored.length + 1);
    expect(penguinRows().length).toBe(240);
  });
});

describe('validatePipeline', () => {
  const p = fitPipeline(table('c,x,y\nb,1,u\na,2,v\nb,3,w\n'), { label: 'y' });
  const expectation = { inputSize: 3, outputSize: 3, task: 'multiclass' as const };
  const mutate = (f: (j: Record<string, any>) => void) => {
    const j = structuredClone(p) as unknown as Record<string, any>;
    f(j);
    return j;
  };

  it('round-trips through JSON', () => {
    expect(validatePipeline(JSON.parse(JSON.stringify(p)), expectation)).toEqual(p);
  });

  it('names the bad field', () => {
    const cases: [(j: Record<string, any>) => void, RegExp][] = [
      [(j) => (j.version = 2), /^pipeline.version: got 2, expected 1/],
      [(j) => (j.features[1].impute = 'x'), /^pipeline.features\[1\].impute: got "x", expected a finite number/],
      [(j) => (j.features[0].kind = 'text'), /^pipeline.features\[0\].kind: got "text"/],
      [(j) => j.features[0].vocabulary.push('z'), /^pipeline.features: got "4 encoded inputs", expected 3 \(the model's inputSize\)/],
      [(j) => (j.classNames = ['u', 'v']), /^pipeline.classNames.length: got 2, expected 3/],
      [(j) => (j.features[0].vocabulary = ['a', 'a']), /^pipeline.features\[0\].vocabulary: got "a", expected names that appear once/],
      [(j) => (j.missing = 'maybe'), /^pipeline.missing: got "maybe"/],
    ];
    for (const [f, re] of cases) expect(() => validatePipeline(mutate(f), expectation)).toThrow(re);
    expect(() => validatePipeline(p, { ...expectation, task: 'regression' })).toThrow(/^pipeline.task: got "multiclass", expected "regression"/);
  });

  it('is plain JSON data (what exporters read)', () => {
    const back: TablePipeline = JSON.parse(JSON.stringify(p));
    expect(back).toEqual(p);
  });
});
