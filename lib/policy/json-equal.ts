/**
 * Deep equality and copies of JSON values. Equality: the one definition the library uses (the verify stage, applyTo's reused
 * verification, the identity index). Key order is ignored; arrays compare item by item.
 *
 * Two modes:
 * - JSON (default): a property whose value is `undefined` is the same as a missing one, as in the JSON
 *   cdk8s writes;
 * - exact: the same own keys (an `undefined` member too), and only plain objects (any realm's
 *   `Object.prototype`, or none) compare equal: a class instance, a Date or a Map is never equal to
 *   anything but itself. NaN is never equal (so a caller verifies in full).
 */

/** Whether `a` and `b` are equal JSON values; with `exact`, also the same own keys and plain objects only. */
export function jsonEqual(a: unknown, b: unknown, exact = false): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i], exact)) return false;
    return true;
  }
  if (exact && (!isPlain(a) || !isPlain(b))) return false;
  const ka = exact ? Object.keys(a) : definedKeys(a);
  const kb = exact ? Object.keys(b) : definedKeys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !jsonEqual((a as any)[k], (b as any)[k], exact)) return false;
  }
  return true;
}

/** An object of JSON (any realm's `Object.prototype`, or none): not a class instance, a Date or a Map. */
function isPlain(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** The own keys whose value is not `undefined`. */
function definedKeys(x: object): string[] {
  return Object.keys(x).filter(k => (x as any)[k] !== undefined);
}

/**
 * A deep copy of JSON data (what `structuredClone` gives for it, in a fraction of its time: the adopt stage copies each
 * rendered object): arrays and plain objects are copied member by member (own enumerable keys, an `undefined` member
 * kept, each an own member: `setMember`); strings, numbers, booleans, null and undefined are themselves.
 * Anything else (a class instance, a Date, a Map) is copied by `structuredClone`, which throws for what it cannot copy.
 */
export function jsonClone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return typeof value === 'function' || typeof value === 'symbol' ? structuredClone(value) : value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(jsonClone(value[i]));
    return out as T;
  }
  if (!isPlain(value)) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) setMember(out, k, jsonClone((value as any)[k]));
  return out as T;
}

/**
 * Sets `out[key] = value` as an own member of a copy of JSON data: assigned, the fast way, unless `Object.prototype` has a
 * member of that name (`__proto__`, or an accessor someone added there, whose setter an assignment would call): then
 * defined. The one rule of the library's JSON copies (`jsonClone`, the verifier's snapshot).
 */
export function setMember(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key in Object.prototype) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
