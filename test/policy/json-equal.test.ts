import * as vm from 'vm';
import { jsonClone, jsonEqual } from '../../lib/policy/json-equal';

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

describe('jsonClone', () => {
  test('a member named like an accessor someone added to Object.prototype stays an own member; the accessor is not called', () => {
    const calls: unknown[] = [];
    Object.defineProperty(Object.prototype, 'securityContext', { get: () => undefined, set: v => { calls.push(v); }, configurable: true });
    try {
      const copy = jsonClone({ spec: { securityContext: { privileged: false } } }) as any;
      expect(Object.prototype.hasOwnProperty.call(copy.spec, 'securityContext')).toBe(true);
      expect(copy.spec.securityContext).toEqual({ privileged: false });
      expect(calls).toEqual([]);
    } finally {
      delete (Object.prototype as any).securityContext;
    }
  });

  test('a deep copy of JSON data, as structuredClone makes it', () => {
    const value = { a: 1, b: [1, { c: 'x', d: null }], e: { f: true, g: undefined }, h: [] as unknown[] };
    const copy = jsonClone(value);
    expect(copy).toStrictEqual(structuredClone(value));
    expect(Object.keys(copy.e)).toEqual(['f', 'g']); // an undefined member is kept
    copy.b.push(2);
    (copy.b[1] as any).c = 'changed';
    copy.e.f = false;
    expect(value).toEqual({ a: 1, b: [1, { c: 'x', d: null }], e: { f: true, g: undefined }, h: [] });
    expect(jsonClone('s')).toBe('s');
    expect(jsonClone(null)).toBe(null);
  });
  test('a member named __proto__ stays a member (not the prototype)', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const copy = jsonClone(value);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(copy.__proto__).toEqual({ polluted: true });
    expect(({} as any).polluted).toBeUndefined();
  });
  test('objects of another realm are plain; what is not JSON data is copied by structuredClone, or refused as it refuses', () => {
    const other = vm.runInNewContext('({ a: [1, { b: 2 }] })');
    expect(jsonClone(other)).toEqual({ a: [1, { b: 2 }] });
    const date = new Date(0);
    const copied = jsonClone({ d: date });
    expect(copied.d).toEqual(date);
    expect(copied.d).not.toBe(date);
    expect(() => jsonClone({ f: () => 1 })).toThrow();
  });
});
