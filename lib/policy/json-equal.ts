/**
 * Deep equality of JSON values, the one definition the library uses (the verify stage, applyTo's reused
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
