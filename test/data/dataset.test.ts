// validateDataset: one test per kind of bad data, each checking the field in the message; plus
// sliceRows and oneHot.

import { describe, it, expect } from 'vitest';
import { oneHot, sliceRows, validateDataset, type Dataset } from '../../src/data/dataset.js';
import { InputError } from '../../src/util/errors.js';

function ds(over: Partial<Dataset> = {}): Dataset {
  return {
    name: 't',
    task: 'multiclass',
    x: new Float32Array([0, 1, 2, 3, 4, 5]),
    y: new Float32Array([0, 2, 1]),
    rows: 3,
    features: 2,
    targetWidth: 1,
    classes: 3,
    ...over,
  };
}

describe('validateDataset', () => {
  it('accepts a good dataset and expectations that match', () => {
    expect(() => validateDataset(ds(), { features: 2, classes: 3 })).not.toThrow();
  });

  it('names the dataset field when given one (e.g. validationData)', () => {
    expect(() => validateDataset(ds({ x: new Float32Array([0, 1, NaN, 3, 4, 5]) }), {}, 'validationData')).toThrow(/^validationData\.x\[row 1, column 0\]: got NaN, expected a finite number/);
    expect(() => validateDataset(ds(), { features: 3 }, 'validationData')).toThrow(/^validationData\.features: got 2, expected 3 features/);
    const err = (() => {
      try {
        validateDataset(ds({ y: new Float32Array([0, 1, 9]) }), {}, 'test');
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err!.field).toBe('test.label[row 2]');
    expect(err!.value).toBe(9);
  });

  it('rejects an empty dataset', () => {
    expect(() => validateDataset(ds({ rows: 0, x: new Float32Array(0), y: new Float32Array(0) }))).toThrow(/^rows: got 0/);
  });

  it('rejects a feature count the model does not expect', () => {
    expect(() => validateDataset(ds(), { features: 3 })).toThrow(/^features: got 2, expected 3 features/);
    expect(() => validateDataset(ds(), { classes: 4 })).toThrow(/^classes: got 3, expected 4 classes/);
  });

  it('rejects x with a length that does not match rows * features', () => {
    expect(() => validateDataset(ds({ x: new Float32Array(5) }))).toThrow(/^x\.length: got 5, expected rows \* features = 6/);
  });

  it('names row and column (or feature name) of NaN / Inf inputs', () => {
    const x = new Float32Array([0, 1, 2, 3, 4, NaN]);
    expect(() => validateDataset(ds({ x }))).toThrow(/^x\[row 2, column 1\]: got NaN, expected a finite number/);
    const err = (() => {
      try {
        validateDataset(ds({ x: new Float32Array([0, Infinity, 2, 3, 4, 5]), featureNames: ['age', 'height'] }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe('x[row 0, "height"]');
  });

  it('rejects non-finite regression targets', () => {
    const r = ds({ task: 'regression', classes: undefined, y: new Float32Array([0, -Infinity, 1]) });
    expect(() => validateDataset(r)).toThrow(/^y\[row 1\]: got -Infinity/);
  });

  it('rejects multiclass labels that are non-integer or out of range', () => {
    expect(() => validateDataset(ds({ y: new Float32Array([0, 1.5, 1]) }))).toThrow(/^label\[row 1\]: got 1.5, expected an integer class index in \[0, 3\)/);
    expect(() => validateDataset(ds({ y: new Float32Array([0, 1, 3]) }))).toThrow(/^label\[row 2\]: got 3/);
    expect(() => validateDataset(ds({ y: new Float32Array([-1, 1, 2]) }))).toThrow(/^label\[row 0\]: got -1/);
    expect(() => validateDataset(ds({ classes: undefined }))).toThrow(/^classes: got undefined/);
  });

  it('rejects binary labels that are not 0/1', () => {
    const b = ds({ task: 'binary', classes: undefined, y: new Float32Array([0, 1, 0.5]) });
    expect(() => validateDataset(b)).toThrow(/^label\[row 2\]: got 0.5, expected 0 or 1/);
    expect(() => validateDataset(ds({ task: 'binary', y: new Float32Array([0, NaN, 1]) }))).toThrow(/^label\[row 1\]: got NaN/);
  });
});

describe('sliceRows / oneHot', () => {
  it('sliceRows copies the chosen rows in order', () => {
    const s = sliceRows(ds(), [2, 0]);
    expect(s.rows).toBe(2);
    expect(Array.from(s.x)).toEqual([4, 5, 0, 1]);
    expect(Array.from(s.y)).toEqual([1, 0]);
    expect(() => sliceRows(ds(), [3])).toThrow(/^indices\[0\]: got 3/);
  });

  it('oneHot builds rows * classes with a single 1 per row', () => {
    expect(Array.from(oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => oneHot([3], 3)).toThrow(/^label\[row 0\]: got 3/);
  });
});
