/**
 * Internal: what the adopt stage (docs/architecture.md, "Adopting an existing pod") edits through.
 * The rules (pod.ts, container.ts) only add keys to mappings, append items to sequences and set
 * annotation values, through `PodEditor`, so one set of rules serves two writers:
 * - `cdk8s-rootless harden` plans text-preserving YAML edits (lib/cli/harden/harden-edit.ts, `EditPlan`);
 * - `RootlessHardening.applyTo` edits a copy of an object's rendered JSON (`JsonEditor`, here) and
 *   turns the difference into JSON patch operations (`additions`), which cdk8s applies.
 *
 * Pure: no cdk8s, cdk8s-plus, constructs or yaml imports.
 */

/** A mapping reached by an editor, with its current JSON value, in the editor's own cursor type. */
export interface MappingRef<C> {
  /** The mapping as plain JSON (with the planned edits). Do not mutate it. */
  readonly js: any;
  readonly cursor: C;
}

/** The edits the adopt rules make. `C` points at a mapping, `S` at a sequence. */
export interface PodEditor<C, S> {
  /** The current value under `key` as plain JSON, or undefined. */
  get(c: C, key: string): unknown;
  /** The mapping under `key`, created (empty) when missing or null; undefined when it is something else. */
  child(c: C, key: string): C | undefined;
  /** The sequence under `key`, created (empty) when missing or null; undefined when it is something else. */
  seq(c: C, key: string): S | undefined;
  /** Sets `key` to `value` when it is missing or null; returns whether it did. */
  setIfMissing(c: C, key: string, value: unknown): boolean;
  /** Sets a scalar under `key` (an annotation), replacing it. */
  setScalar(c: C, key: string, value: unknown): void;
  /** Appends an item to a sequence. */
  append(s: S, item: unknown): void;
  /** The current items of a sequence as plain JSON. */
  items(s: S): unknown[];
  /** The value at a cursor as plain JSON, with the planned edits. Do not mutate it. */
  json(c: C): Record<string, unknown>;
  /** The items of the sequence under `key` that are mappings, with their cursors (others are skipped). */
  mappings(c: C, key: string): ReadonlyArray<MappingRef<C> & { readonly index: number }>;
}

type Json = Record<string, any>;
const isMap = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A `PodEditor` on plain JSON: edits the object it is given in place (give it a copy). */
export class JsonEditor implements PodEditor<Json, unknown[]> {
  public get(c: Json, key: string): unknown {
    return c[key];
  }

  public child(c: Json, key: string): Json | undefined {
    const v = c[key];
    if (v === undefined || v === null) return (c[key] = {});
    return isMap(v) ? v : undefined;
  }

  public seq(c: Json, key: string): unknown[] | undefined {
    const v = c[key];
    if (v === undefined || v === null) return (c[key] = []);
    return Array.isArray(v) ? v : undefined;
  }

  public setIfMissing(c: Json, key: string, value: unknown): boolean {
    if (c[key] !== undefined && c[key] !== null) return false;
    c[key] = value;
    return true;
  }

  public setScalar(c: Json, key: string, value: unknown): void {
    c[key] = value;
  }

  public append(s: unknown[], item: unknown): void {
    s.push(item);
  }

  public items(s: unknown[]): unknown[] {
    return s;
  }

  public json(c: Json): Record<string, unknown> {
    return c;
  }

  public mappings(c: Json, key: string): Array<MappingRef<Json> & { index: number }> {
    const list = c[key];
    if (!Array.isArray(list)) return [];
    return list.flatMap((js, index) => (isMap(js) ? [{ js, cursor: js, index }] : []));
  }
}

/**
 * A JSON patch operation that adds or replaces a value (RFC 6902), or tests one: a `test` without a
 * value (undefined) asserts that nothing is there, as the JSON patch library cdk8s applies with
 * compares it (a missing member equals undefined; any value set differs).
 */
export interface AddOperation {
  readonly op: 'add' | 'replace' | 'test';
  /** A JSON pointer (RFC 6901). */
  readonly path: string;
  readonly value: unknown;
}

/**
 * The operations with each `add` of a member (not an append) after a `test` that the member is still
 * missing: a value set there after the operations were computed fails the patch, instead of being
 * overwritten (applyTo adds only where nothing is set).
 */
export function guarded(operations: readonly AddOperation[]): AddOperation[] {
  return operations.flatMap(o => (o.op === 'add' && !o.path.endsWith('/-') ? [{ op: 'test' as const, path: o.path, value: undefined }, o] : [o]));
}

/** A JSON pointer segment: `~` and `/` escaped (RFC 6901). */
export function pointerSegment(key: string | number): string {
  const s = String(key);
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

const empty = (x: unknown): boolean => (Array.isArray(x) ? x.every(empty) : isMap(x) ? Object.values(x).every(empty) : x === undefined);

/**
 * The operations that turn `before` into `after`, where `after` only has keys and items added
 * and scalars replaced (what `JsonEditor` does): new keys become `add`, appended items `add` at
 * `-`, changed scalars `replace`. Mappings and sequences the editor created and left empty are
 * left out. Throws when a value was removed or changed its type: the editor never does that.
 */
export function additions(before: unknown, after: unknown, path = ''): AddOperation[] {
  const out: AddOperation[] = [];
  diff(before, after, path, out);
  return out;
}

/** `additions` into `out` (one array for the whole walk; a pointer is spelled only where it is needed). */
function diff(before: unknown, after: unknown, path: string, out: AddOperation[]): void {
  if (isMap(before) && isMap(after)) {
    for (const k of Object.keys(before)) if (!(k in after)) throw new Error(`adopt: ${path}/${k} was removed`);
    for (const k of Object.keys(after)) {
      const v = after[k];
      const b = before[k];
      if (!(k in before) || b === undefined || b === null) {
        if (!empty(v)) out.push({ op: 'add', path: `${path}/${pointerSegment(k)}`, value: v });
      } else if (b !== v || typeof b === 'object') {
        diff(b, v, `${path}/${pointerSegment(k)}`, out);
      }
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (after.length < before.length) throw new Error(`adopt: items of ${path} were removed`);
    for (let i = 0; i < before.length; i++) diff(before[i], after[i], `${path}/${i}`, out);
    for (let i = before.length; i < after.length; i++) out.push({ op: 'add', path: `${path}/-`, value: after[i] });
    return;
  }
  if (isMap(before) || Array.isArray(before) || isMap(after) || Array.isArray(after)) {
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    throw new Error(`adopt: ${path} changed its type`);
  }
  if (before !== after) out.push({ op: 'replace', path, value: after });
}

/**
 * A value with each emptyDir `sizeLimit` (the only quantity the adopt stage writes) as `{ value }`:
 * the form cdk8s' imported classes (e.g. cdk8s-plus' `KubeDeployment`) read their props in, after
 * the patches (a plain string vanishes there).
 */
export function quantitiesAsProps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(quantitiesAsProps);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'emptyDir' && typeof (v as any)?.sizeLimit === 'string' ? { ...(v as any), sizeLimit: { value: (v as any).sizeLimit } } : quantitiesAsProps(v);
  }
  return out;
}
