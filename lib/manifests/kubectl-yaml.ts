/**
 * The one YAML reader: a document's value as `kubectl apply -f` sends it (sigs.k8s.io/yaml, that is
 * go-yaml v2 and a conversion to JSON), built from js-yaml's parser events.
 *
 * js-yaml parses (it checks the syntax, bounds the depth); this module gives the events go-yaml's
 * meaning, where js-yaml's own constructor follows the YAML 1.1 merge-key spec and YAML 1.2 scalars:
 * - a `<<` merge is applied where it stands: it overrides the keys before it, a later key or a later
 *   `<<` overrides it; in `<<: [a, b]` the earlier map wins (go-yaml merges the list backwards);
 * - a duplicate key takes the last value;
 * - scalars and keys resolve as in `go-yaml-scalars.ts` (YAML 1.1: `yes`, `0644`; keys made strings).
 *
 * While it builds, it notes where a YAML 1.2 reader would read the text otherwise (a merge key, a
 * YAML-1.1-only scalar) and which aliases share an anchor. The notes never change the value: they
 * are for reporting (`differences.ts`).
 */
import type * as JsYaml from 'js-yaml';
import { KubectlYamlError, NumberKind, Resolved, keyString, resolveCore12, resolvePlain, resolveTagged } from './go-yaml-scalars';

export { KubectlYamlError } from './go-yaml-scalars';

const DOCUMENT = 1;
const SEQUENCE = 2;
const MAPPING = 3;
const SCALAR = 4;
const ALIAS = 5;
const POP = 6;
const STYLE_PLAIN = 1;

/** Where a YAML 1.2 reader reads a document differently from kubectl, or where a value is shared. */
export interface YamlNote {
  /**
   * `merge`: a `<<` key; `yaml11`: a scalar YAML 1.2 reads as another value; `duplicate`: a key set
   * twice in one mapping (kubectl takes the last); `alias`: a shared anchor.
   */
  readonly kind: 'merge' | 'yaml11' | 'duplicate' | 'alias';
  /** The mapping or list that holds the value (a path is computed from it, see `notePaths`). */
  readonly container: object;
  /** The member or index in `container`. */
  readonly key: string | number;
  /** Offset of the text in the document's source. */
  readonly offset: number;
  /** For `yaml11`: the text and both readings; for `alias`/`merge`: the anchor name. */
  readonly detail: string;
  /** For `alias`: where the anchor is defined. */
  readonly anchorAt?: { readonly container: object; readonly key: string | number };
}

/** Limits of one document (see `ParseLimits` in the CLI). */
export interface DocumentLimits {
  readonly maxAliases: number;
}

interface Anchor {
  value: unknown;
  kind: number;
  resolved?: Resolved;
  open: boolean;
  container?: object;
  key?: string | number;
}

const MERGE = Symbol('merge');

/** A `.nan` or `.inf` value while the document is built: an error only if it is still in the final value. */
class NonFinite {
  constructor(public readonly text: string, public readonly offset = 0) {}
}

function findNonFinite(v: unknown): NonFinite | undefined {
  if (v instanceof NonFinite) return v;
  if (v === null || typeof v !== 'object') return undefined;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    const found = findNonFinite(x);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Builds the values of the documents in `events` (from `parseEvents(source)`) as kubectl reads
 * them. Returns one entry per document, either its value or the error kubectl reports for it.
 */
export function buildDocuments(
  source: string,
  events: readonly JsYaml.Event[],
  limits: DocumentLimits,
  getScalarValue: typeof JsYaml.getScalarValue,
  original: string = source,
): BuiltDocument[] {
  const out: BuiltDocument[] = [];
  const b = new Builder(source, events, limits, getScalarValue, original);
  while (b.i < events.length) {
    const e = events[b.i];
    if (e.type !== DOCUMENT) throw new Error(`internal: expected a document event at ${b.i}`);
    out.push(b.document());
  }
  return out;
}

/** One document: its value (undefined for an error), the notes, or kubectl's error. */
export interface BuiltDocument {
  readonly value?: unknown;
  readonly notes: readonly YamlNote[];
  readonly error?: string;
  /** Offset of the error in the source, when known. */
  readonly errorOffset?: number;
  /** Whether the document had `%` directives (kubectl's reader cuts them off their document: an error). */
  readonly directives: boolean;
}

class Builder {
  public i = 0;
  private anchors = new Map<string, Anchor>();
  private notes: YamlNote[] = [];
  private aliases = 0;
  private lastOffset = 0;
  /** Collections open in the current document (to skip the rest of it after an error). */
  private depth = 0;
  private nonFinite = false;

  constructor(
    private readonly src: string,
    private readonly events: readonly JsYaml.Event[],
    private readonly limits: DocumentLimits,
    private readonly scalarValue: typeof JsYaml.getScalarValue,
    /** The text before `goYamlLineBreaks`: go-yaml keeps LS and PS as characters in a quoted scalar. */
    private readonly original: string = src,
  ) {}

  public document(): BuiltDocument {
    const doc = this.events[this.i] as JsYaml.DocumentEvent;
    this.i++;
    this.anchors = new Map();
    this.notes = [];
    this.aliases = 0;
    this.depth = 0;
    this.nonFinite = false;
    const directives = doc.directives.length > 0;
    let value: unknown = null;
    let error: string | undefined;
    try {
      if (this.events[this.i].type !== POP) value = this.node(undefined, 0);
      if (this.nonFinite) {
        const left = findNonFinite(value);
        if (left !== undefined) {
          this.lastOffset = left.offset;
          throw new KubectlYamlError(`json: unsupported value: ${left.text} (JSON has no NaN or infinity)`);
        }
      }
    } catch (e) {
      if (!(e instanceof KubectlYamlError)) throw e;
      error = e.message;
    }
    // skip to the end of this document (after an error, the rest of its events)
    let depth = this.depth;
    while (this.i < this.events.length) {
      const t = this.events[this.i++].type;
      if (t === SEQUENCE || t === MAPPING) {depth++;} else if (t === POP) {
        if (depth === 0) break;
        depth--;
      }
    }
    if (error !== undefined) return { error, errorOffset: this.lastOffset, notes: [], directives };
    return { value, notes: this.notes, directives };
  }

  /** The value of the node at `this.i`, held at `container[key]` (for notes and anchors). */
  private node(container: object | undefined, key: string | number): unknown {
    const e = this.events[this.i++];
    switch (e.type) {
      case SCALAR: {
        this.lastOffset = e.valueStart;
        const r = this.scalar(e);
        if (r.tag !== 'str' && container !== undefined && e.tagStart === -1) this.noteScalar(e, r, container, key);
        let value = r.value;
        if (r.tag === 'float' && typeof value !== 'number') {
          // JSON has no NaN or infinity: kubectl refuses the document if the value is still there at the end
          value = new NonFinite(value as string, e.valueStart);
          this.nonFinite = true;
        }
        this.anchor(e, value, SCALAR, container, key, r);
        return value;
      }
      case MAPPING: {
        this.lastOffset = e.start;
        const obj: Record<string, unknown> = {};
        const a = this.anchor(e, obj, MAPPING, container, key);
        this.depth++;
        this.mappingBody(obj);
        this.depth--;
        if (a) a.open = false;
        return obj;
      }
      case SEQUENCE: {
        this.lastOffset = e.start;
        const arr: unknown[] = [];
        const a = this.anchor(e, arr, SEQUENCE, container, key);
        this.depth++;
        while (this.events[this.i].type !== POP) arr.push(this.node(arr, arr.length));
        this.i++;
        this.depth--;
        if (a) a.open = false;
        return arr;
      }
      case ALIAS: {
        const a = this.alias(e);
        if (container !== undefined) {
          this.notes.push({ kind: 'alias', container, key, offset: e.anchorStart, detail: this.src.slice(e.anchorStart, e.anchorEnd), anchorAt: a.container ? { container: a.container, key: a.key! } : undefined });
        }
        return a.value;
      }
      default:
        throw new Error(`internal: unexpected event ${e.type}`);
    }
  }

  private mappingBody(obj: Record<string, unknown>): void {
    while (this.events[this.i].type !== POP) {
      const keyEvent = this.events[this.i];
      const k = this.key();
      if (k === MERGE) {
        this.merge(obj, keyEvent);
        continue;
      }
      if (Object.prototype.hasOwnProperty.call(obj, k)) {
        this.notes.push({ kind: 'duplicate', container: obj, key: k, offset: (keyEvent as JsYaml.ScalarEvent).valueStart ?? this.lastOffset, detail: `the key ${k} appears twice: kubectl takes the last value, a strict YAML reader refuses the document` });
      }
      const v = this.node(obj, k);
      if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
      else obj[k] = v;
    }
    this.i++;
  }

  /** A map key: its JSON member name, or MERGE for a `<<` merge key. */
  private key(): string | typeof MERGE {
    const e = this.events[this.i];
    if (e.type === SCALAR) {
      this.i++;
      this.lastOffset = e.valueStart;
      // go-yaml's isMerge: the text `<<`, implicit (plain and untagged, or with the non-specific tag
      // `!`, quoted or not: go-yaml's parser makes both plain_implicit) or tagged !!merge
      const tag = e.tagStart === -1 ? '' : this.src.slice(e.tagStart, e.tagEnd);
      if ((tag === '' ? e.style === STYLE_PLAIN : tag === '!' || tag === '!!merge' || tag === '!<tag:yaml.org,2002:merge>') && this.scalarValue(this.src, e) === '<<') return MERGE;
      const r = this.scalar(e);
      this.anchor(e, r.value, SCALAR, undefined, 0, r);
      return keyString(r);
    }
    if (e.type === ALIAS) {
      this.i++;
      const a = this.alias(e);
      if (a.kind !== SCALAR) throw new KubectlYamlError('invalid map key: a mapping or list');
      return keyString(a.resolved!);
    }
    throw new KubectlYamlError('invalid map key: a mapping or list');
  }

  /** `<<: value`: the value's map (or each map of a list, last first) assigned onto `obj`. */
  private merge(obj: Record<string, unknown>, keyEvent: JsYaml.Event): void {
    const offset = (keyEvent as JsYaml.ScalarEvent).valueStart;
    const e = this.events[this.i];
    let maps: unknown[];
    if (e.type === SEQUENCE) {
      const items = this.node(undefined, 0) as unknown[];
      maps = items.slice().reverse();
    } else if (e.type === MAPPING || e.type === ALIAS) {
      maps = [this.node(undefined, 0)];
    } else {
      this.i++;
      maps = [undefined];
    }
    for (const m of maps) {
      if (m === null || typeof m !== 'object' || Array.isArray(m) || m instanceof NonFinite) {
        throw new KubectlYamlError('map merge requires map or sequence of maps as the value');
      }
      for (const k of Object.keys(m)) {
        const v = (m as Record<string, unknown>)[k];
        if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        else obj[k] = v;
      }
    }
    this.notes.push({ kind: 'merge', container: obj, key: '<<', offset, detail: e.type === ALIAS ? this.src.slice(e.anchorStart, e.anchorEnd) : '' });
  }

  private scalar(e: JsYaml.ScalarEvent): Resolved {
    const quoted = e.style === 2 || e.style === 3; // single- or double-quoted (js-yaml's SCALAR_STYLE)
    const text = this.scalarValue(quoted ? this.original : this.src, e);
    if (e.tagStart !== -1) return resolveTagged(this.src.slice(e.tagStart, e.tagEnd), text);
    if (e.style !== STYLE_PLAIN) return { value: text, tag: 'str' };
    return resolvePlain(text);
  }

  /** Notes a plain scalar whose YAML 1.2 reading differs (`yes`, `0644`, `1_000`, `0b1`). */
  private noteScalar(e: JsYaml.ScalarEvent, r: Resolved, container: object, key: string | number): void {
    if (e.style !== STYLE_PLAIN) return;
    const text = this.scalarValue(this.src, e);
    if (r.tag === 'bool') {
      if (text === 'true' || text === 'false' || text === 'True' || text === 'False' || text === 'TRUE' || text === 'FALSE') return;
    } else if (r.tag === 'int' || r.tag === 'float') {
      const c = text.charCodeAt(0);
      const lead = c === 0x2b || c === 0x2d ? text.charCodeAt(1) : c;
      if (text.indexOf('_') === -1 && lead !== 0x30 && c !== 0x2b) return;
      const core = resolveCore12(text);
      if (core === r.value || (r.numberKind === NumberKind.UINT_OR_BIG && typeof core === 'number')) return;
    } else {
      return;
    }
    this.notes.push({ kind: 'yaml11', container, key, offset: e.valueStart, detail: `\`${text}\` is ${JSON.stringify(r.value)} for kubectl (YAML 1.1) but ${JSON.stringify(resolveCore12(text))} in YAML 1.2` });
  }

  private anchor(
    e: { anchorStart: number; anchorEnd: number },
    value: unknown,
    kind: number,
    container: object | undefined,
    key: string | number,
    resolved?: Resolved,
  ): Anchor | undefined {
    if (e.anchorStart === -1) return undefined;
    const a: Anchor = { value, kind, resolved, open: kind !== SCALAR, container, key };
    this.anchors.set(this.src.slice(e.anchorStart, e.anchorEnd), a);
    return a;
  }

  private alias(e: JsYaml.AliasEvent): Anchor {
    this.lastOffset = e.anchorStart;
    const name = this.src.slice(e.anchorStart, e.anchorEnd);
    const a = this.anchors.get(name);
    if (a === undefined) throw new KubectlYamlError(`unknown anchor '${name}' referenced`);
    if (a.open) throw new KubectlYamlError(`anchor '${name}' value contains itself (a cycle: Kubernetes objects are trees)`);
    if (++this.aliases > this.limits.maxAliases && this.limits.maxAliases >= 0) {
      throw new KubectlYamlError(`more than ${this.limits.maxAliases} aliases in one document (maxAliases; alias bomb?)`);
    }
    return a;
  }
}

/**
 * The paths (member names and indices from the document's root) at which each noted container
 * appears in `root`: a container shared through an alias appears at several. Walks the value once.
 */
export function containerPaths(root: unknown, wanted: ReadonlySet<object>, maxPaths = 10_000): Map<object, Array<ReadonlyArray<string | number>>> {
  const found = new Map<object, Array<ReadonlyArray<string | number>>>();
  let count = 0;
  const walk = (v: unknown, path: Array<string | number>): void => {
    if (v === null || typeof v !== 'object' || count > maxPaths) return;
    if (wanted.has(v)) {
      let list = found.get(v);
      if (list === undefined) found.set(v, list = []);
      list.push(path.slice());
      count++;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i], path);
        path.pop();
      }
    } else {
      for (const k of Object.keys(v)) {
        path.push(k);
        walk((v as Record<string, unknown>)[k], path);
        path.pop();
      }
    }
  };
  walk(root, []);
  return found;
}
