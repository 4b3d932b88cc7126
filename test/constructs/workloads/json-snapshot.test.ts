/**
 * The one verifier's snapshot of what `toJson()` returned (`OutputVerifier.jsonData`, lib/constructs/internal/output-verifier.ts;
 * red team R2): JSON data only, each member read once, an own member of the snapshot whatever its name, and anything else an
 * error naming where it is. The copy runs once per serialization of every verified object (issue 23): it spells the path
 * only when it refuses a value and assigns members unless Object.prototype has one of that name; these pin what it gives.
 */
import * as vm from 'vm';
import { OutputVerifier } from '../../../lib/constructs/internal/output-verifier';

const snapshot = (value: unknown) => OutputVerifier.jsonData(value, 'c/web');

describe('OutputVerifier.jsonData', () => {
  test('a copy equal by value, sharing no object with the original, undefined members kept, key order kept', () => {
    const original = { kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 8080 }] }], x: undefined } } } };
    const copy = snapshot(original) as any;
    expect(copy).toStrictEqual(original);
    expect(copy.spec).not.toBe(original.spec);
    expect(copy.spec.template.spec.containers[0]).not.toBe(original.spec.template.spec.containers[0]);
    expect(Object.keys(copy.spec.template.spec)).toEqual(['containers', 'x']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  test('members named like Object.prototype\'s (__proto__, constructor, toString, hasOwnProperty) stay own members, the prototype unchanged', () => {
    const original: any = JSON.parse('{"__proto__": {"privileged": true}, "constructor": 1, "toString": "x", "hasOwnProperty": [1]}');
    const copy = snapshot(original) as any;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ privileged: true });
    expect(copy.privileged).toBeUndefined();
    expect(copy.constructor).toBe(1);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
  });

  test('an accessor added to Object.prototype is not called: the member is the snapshot\'s own', () => {
    const seen: unknown[] = [];
    Object.defineProperty(Object.prototype, 'hostPID', { configurable: true, get: () => false, set: v => { seen.push(v); } });
    try {
      const copy = snapshot({ spec: { hostPID: true } }) as any;
      expect(seen).toEqual([]);
      expect(Object.getOwnPropertyDescriptor(copy.spec, 'hostPID')?.value).toBe(true);
    } finally {
      delete (Object.prototype as any).hostPID;
    }
  });

  test('each member is read once', () => {
    let reads = 0;
    const original = Object.defineProperty({}, 'hostPID', { enumerable: true, get: () => { reads++; return reads > 1; } });
    expect(snapshot({ spec: original })).toEqual({ spec: { hostPID: false } });
    expect(reads).toBe(1);
  });

  test('plain objects of another realm are JSON data', () => {
    const other = vm.runInNewContext('({ spec: { containers: [{ name: "a" }] } })');
    expect(snapshot(other)).toEqual({ spec: { containers: [{ name: 'a' }] } });
  });

  test.each([
    ['a function in an array of an array', () => ({ spec: { a: [1, [2, () => 0]] } }), /toJson\(\) returned a function at \/spec\/a\/1\/1, which is not JSON data/],
    ['a Date in a container', () => ({ spec: { template: { spec: { containers: [{ name: 'a', when: new Date(0) }] } } } }),
      /returned an object of class Date at \/spec\/template\/spec\/containers\/0\/when,/],
    ['a bigint under a key named __proto__', () => Object.defineProperty({}, '__proto__', { value: { x: BigInt(1) }, enumerable: true }), /returned a bigint at \/__proto__\/x,/],
    ['a symbol at the top', () => Symbol('s'), /returned a symbol at the top,/],
  ])('%s: the error names where it is, the construct path and the fix', (_name, make, message) => {
    const value = make();
    expect(() => snapshot(value)).toThrow(message);
    expect(() => snapshot(value)).toThrow(/Fix: return plain JSON data from toJson\(\) \(objects, arrays, strings, numbers, booleans, null\) for c\/web\./);
  });

  test('an error thrown by an accessor is thrown as it is', () => {
    const original = Object.defineProperty({}, 'spec', { enumerable: true, get: () => { throw new RangeError('boom'); } });
    expect(() => snapshot(original)).toThrow(RangeError);
  });
});
