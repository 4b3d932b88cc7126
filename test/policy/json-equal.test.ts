import * as vm from 'vm';
import { jsonEqual } from '../../lib/policy/json-equal';

describe('jsonEqual (JSON mode)', () => {
  test('ignores key order, compares arrays item by item', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([1], [1, 2])).toBe(false);
    expect(jsonEqual({ 0: 1 }, [1])).toBe(false);
  });
  test('an undefined member is the same as a missing one', () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(true);
    expect(jsonEqual({ a: 1 }, { b: 1 })).toBe(false);
  });
  test('different values are not equal', () => {
    expect(jsonEqual({ privileged: false }, { privileged: 'false' })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual(NaN, NaN)).toBe(false);
  });
});

describe('jsonEqual (exact mode)', () => {
  test('an undefined member is not the same as a missing one', () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 }, true)).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined }, true)).toBe(false);
  });
  test('only plain objects are equal: a Date, a class instance or a Map is not', () => {
    class Sc { public privileged = false; }
    expect(jsonEqual(new Sc(), { privileged: false }, true)).toBe(false);
    expect(jsonEqual({ privileged: false }, new Sc(), true)).toBe(false);
    expect(jsonEqual(new Date(0), new Date(0), true)).toBe(false);
    expect(jsonEqual(new Map(), new Map(), true)).toBe(false);
    expect(jsonEqual(Object.create(null), {}, true)).toBe(true);
  });
  test('a plain object of another realm is plain', () => {
    const other = vm.runInNewContext('({ a: [1, { b: 2 }] })');
    expect(jsonEqual(other, { a: [1, { b: 2 }] }, true)).toBe(true);
  });
  test('a sparse array grown and NaN are not equal', () => {
    expect(jsonEqual([1, , 3], [1, undefined, 3, 4], true)).toBe(false); // eslint-disable-line no-sparse-arrays
    expect(jsonEqual({ x: NaN }, { x: NaN }, true)).toBe(false);
  });
});
