/**
 * What reading manifests produces: the input (`ManifestSource`), each object found in it
 * (`ManifestObject`, with its `ObjectLocation`), each problem (`ManifestError`), the sink they
 * go to, and the parse limits. `emitValue` turns one parsed document value into objects: the
 * value itself, or each item of a `kind: List` or a top-level array (an item's line is computed
 * only when a report asks for it, see `ListPositions`).
 *
 * Shared by the whole-text parser (`manifest-parser.ts`, `yaml-decoder.ts`) and the stream
 * reader (`manifest-stream.ts`).
 */
import { YamlDifference, differencesUnder } from './yaml-differences';
import { inheritListKind, isKubectlList } from '../policy/k8s-shapes';

/** Where a manifest text came from. */
export interface ManifestSource {
  /** The name to show: the path as the user gave it (or found under a folder), `<stdin>` for standard input. */
  readonly name: string;
  /** The path relative to the working directory, forward slashes, for SARIF (`stdin` for standard input). */
  readonly uri: string;
  /** The full text (BOM included, if any). */
  readonly text: string;
}

/** Where a stream comes from (`ManifestSource` without the text). */
export interface StreamSource {
  readonly name: string;
  readonly uri: string;
}

/** An input, a document or an object that could not be read, parsed or accepted. */
export interface ManifestError {
  /** The display name of the input (see `ManifestSource.name`). */
  readonly file: string;
  /** The input's SARIF URI (see `ManifestSource.uri`). */
  readonly uri: string;
  /** The 1-based line of the problem, when known. */
  readonly line?: number;
  /** The 0-based index of the document in the file, when the problem is in one document. */
  readonly index?: number;
  /** What went wrong, in a sentence. */
  readonly message: string;
}

/** Limits that keep parsing bounded in time and memory. */
export interface ParseLimits {
  /** Maximum alias nodes (`*name`) per YAML document. */
  readonly maxAliases: number;
  /** Maximum nesting depth of collections in a YAML document. */
  readonly maxDepth: number;
  /** Maximum number of nodes a YAML document may expand to through its aliases. */
  readonly maxExpandedNodes: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxAliases: 1000,
  maxDepth: 1000,
  maxExpandedNodes: 1_000_000,
};

/**
 * Where an object starts in its input. Kept apart from the parsed object so a report can
 * hold locations without keeping every parsed object alive.
 */
export class ObjectLocation {
  constructor(
    /** 1-based line where the object's document content starts. */
    public readonly documentLine: number,
    private readonly item?: number,
    private readonly list?: ListPositions,
  ) {}

  /**
   * The 1-based line where the object starts: its document's first content line, or for a
   * List item, the line where the item starts (computed on first use, for the whole List).
   */
  public get line(): number {
    if (this.list === undefined || this.item === undefined) return this.documentLine;
    return this.list.lineOf(this.item) ?? this.documentLine;
  }
}

/**
 * One Kubernetes object read from a manifest: a document, or an item of a List document.
 */
export class ManifestObject {
  /**
   * @param source the input
   * @param index 0-based index of the document in the input (empty documents count, as in js-yaml's `loadAll`)
   * @param item 0-based index in the List's `items` (or the root array), for List items
   * @param object the parsed object (a mapping)
   * @param location where it starts
   * @param range [start, end) offsets of its document in `source.text`
   * @param rangeLine 1-based line of `range[0]`
   * @param path where the object is in its document's value: '' for the document itself (or a
   *   List item streamed as its own text), `items[3]` or `[3]` for an item of a List read whole
   */
  constructor(
    public readonly source: ManifestSource,
    public readonly index: number,
    public readonly item: number | undefined,
    public readonly object: Record<string, unknown>,
    public readonly location: ObjectLocation,
    public readonly range: readonly [number, number],
    public readonly rangeLine: number = location.documentLine,
    public readonly path: string = '',
    /**
     * Where a YAML 1.2 reader would read the object's text otherwise than kubectl (merge keys,
     * YAML-1.1-only scalars) and which values it shares through anchors; undefined when none
     * (always for JSON). Never part of a verdict: see `lib/manifests/yaml-differences.ts`.
     */
    public readonly differences?: readonly YamlDifference[],
  ) {}

  /** The 1-based line where the object starts (see `ObjectLocation.line`). */
  public get line(): number {
    return this.location.line;
  }
}

/** Receives what `parseManifests` finds, in source order. */
export interface ManifestSink {
  object(object: ManifestObject): void;
  error(error: ManifestError): void;
}

/** Line starts and item offsets of one List (or top-level array), computed once, on demand. */
class ListPositions {
  private lines: Array<number | undefined> | undefined;
  private computed = false;

  constructor(
    private readonly text: string,
    private readonly documentStart: number,
    private readonly documentLine: number,
    private readonly offsets: () => number[] | undefined,
  ) {}

  public lineOf(item: number): number | undefined {
    if (!this.computed) {
      this.computed = true;
      let offsets: number[] | undefined;
      try {
        offsets = this.offsets();
      } catch {
        offsets = undefined; // positions are a convenience: fall back to the document's line
      }
      if (offsets !== undefined) this.lines = linesOf(this.text, this.documentStart, this.documentLine, offsets);
    }
    return this.lines?.[item];
  }
}

/** Lines of ascending `offsets` (all >= `start`, where line `startLine` begins or continues). */
function linesOf(text: string, start: number, startLine: number, offsets: readonly number[]): number[] {
  const lines = new Array<number>(offsets.length);
  let line = startLine;
  let pos = start;
  for (let i = 0; i < offsets.length; i++) {
    const target = offsets[i];
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1 || nl >= target) break;
      line++;
      pos = nl + 1;
    }
    lines[i] = line;
  }
  return lines;
}

/** Reports a parsed document value: objects, List items, or an error when it is not an object. */
export function emitValue(
  source: ManifestSource,
  sink: ManifestSink,
  value: unknown,
  index: number,
  line: number,
  range: readonly [number, number],
  rangeLine: number,
  itemOffsets: () => number[] | undefined,
  differences?: readonly YamlDifference[],
): void {
  if (value === null || value === undefined) return; // an empty document holds no object
  if (Array.isArray(value)) {
    // A bare array of objects (e.g. `jq '[.items[]]'`): treat it like a List.
    emitItems(source, sink, value, index, line, range, rangeLine, itemOffsets, '', differences);
    return;
  }
  if (typeof value !== 'object') {
    sink.error({
      file: source.name,
      uri: source.uri,
      line,
      index,
      message: `document ${index} is not a Kubernetes object: it holds a ${typeof value}, not a mapping`,
    });
    return;
  }
  const obj = value as Record<string, unknown>;
  if (isList(obj)) {
    const items = obj.items;
    if (Array.isArray(items)) {
      for (const item of items) if (item !== null && typeof item === 'object' && !Array.isArray(item)) inheritListKind(item, obj.kind, obj.apiVersion);
      emitItems(source, sink, items, index, line, range, rangeLine, itemOffsets, 'items', differences);
    } else if (items !== null) {
      sink.error({
        file: source.name,
        uri: source.uri,
        line,
        index,
        message: `document ${index} is a ${String(obj.kind)} whose items is not a list (it is ${typeof items === 'object' ? 'a mapping' : `a ${typeof items}`}): `
          + 'nothing in it was audited (kubectl reads every object with items as a list, and refuses this one). Fix: items must be a list of objects, as kubectl writes it.',
      });
    }
    return; // a List without items (`items: null`) is an empty list
  }
  sink.object(new ManifestObject(source, index, undefined, obj, new ObjectLocation(line), range, rangeLine, '', differencesUnder(differences, [])));
}

function emitItems(
  source: ManifestSource,
  sink: ManifestSink,
  items: unknown[],
  index: number,
  line: number,
  range: readonly [number, number],
  rangeLine: number,
  itemOffsets: () => number[] | undefined,
  listPath: string,
  differences: readonly YamlDifference[] | undefined,
): void {
  // The closure keeps the count, not `items`: the report holds the positions (through each
  // object's location) and must not keep the whole parsed List alive.
  const count = items.length;
  const positions = new ListPositions(source.text, range[0], rangeLine, () => {
    const offsets = itemOffsets();
    return offsets !== undefined && offsets.length === count ? offsets : undefined;
  });
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      sink.error({
        file: source.name,
        uri: source.uri,
        line: positions.lineOf(i) ?? line,
        index,
        message: `document ${index} items[${i}] is not a Kubernetes object: it holds ${item === null ? 'null' : Array.isArray(item) ? 'a list' : `a ${typeof item}`}, not a mapping`,
      });
      continue;
    }
    const under = differencesUnder(differences, listPath === '' ? [i] : [listPath, i]);
    sink.object(new ManifestObject(source, index, i, item as Record<string, unknown>, new ObjectLocation(line, i, positions), range, rangeLine, `${listPath}[${i}]`, under));
  }
}

/**
 * A list as kubectl reads it: `kind: List`, `kind: PodList` ..., and any other object with a kind and
 * `items` (kubectl applies the items, not the object: a `Deployment` with `items` is a list).
 */
function isList(obj: Record<string, unknown>): boolean {
  return isKubectlList(obj);
}
