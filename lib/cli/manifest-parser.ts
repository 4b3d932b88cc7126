/**
 * Parsing Kubernetes manifests from text: multi-document YAML, JSON, `kind: List`
 * (e.g. `kubectl get pods -A -o json`), Helm template output.
 *
 * Pure functions over one text: no file system access (see `manifest-reader.ts`).
 * Shared by every CLI command that reads manifests (`audit`, later `harden`).
 *
 * Speed: auditing is mostly parsing, so this module avoids a YAML document API.
 * A YAML stream is split at its document markers here (a `---` or `...` line at
 * column 0 cannot be content in YAML 1.2, so splitting there is sound and gives each
 * document's start line for free); each document is then parsed on its own with
 * js-yaml's `load`. Text that starts with `{` or `[` takes `JSON.parse`. The line of
 * an item of a `kind: List` is computed only when a report asks for it.
 *
 * Hostile input: every document is parsed with bounded nesting depth and alias count,
 * alias expansion (billion laughs) and alias cycles are rejected before anything walks
 * the value, and a stack overflow is caught: each becomes an error for that document.
 */
import * as yaml from 'js-yaml';
import { parseYamlLenient } from './yaml-lenient';

/** Where a manifest text came from. */
export interface ManifestSource {
  /** The name to show: the path as the user gave it (or found under a folder), `<stdin>` for standard input. */
  readonly name: string;
  /** The path relative to the working directory, forward slashes, for SARIF (`stdin` for standard input). */
  readonly uri: string;
  /** The full text (BOM included, if any). */
  readonly text: string;
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
 * The YAML schema Kubernetes reads manifests with: kubectl converts YAML to JSON with
 * sigs.k8s.io/yaml (go-yaml v2), which follows YAML 1.1 for scalars. So `yes`/`no`/`on`/`off`
 * are booleans (`privileged: yes` IS privileged) and `0644` is octal; merge keys (`<<`) work.
 * Timestamps stay strings (go-yaml does not convert them into untyped values either).
 */
const KUBERNETES_YAML_SCHEMA = new yaml.Schema([
  ...yaml.FAILSAFE_SCHEMA.tags,
  yaml.nullYaml11Tag,
  yaml.boolYaml11Tag,
  yaml.intYaml11Tag,
  yaml.floatYaml11Tag,
  yaml.mergeTag,
]);

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

/**
 * Parses a manifest text: reports every object (each non-empty document; each item of a
 * List or top-level array) and every error, in source order, to `sink`. Never throws for
 * bad input: one bad document yields one error and the other documents are still read.
 */
export function parseManifests(source: ManifestSource, sink: ManifestSink, limits: ParseLimits = DEFAULT_PARSE_LIMITS): void {
  const text = source.text;
  const begin = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const first = firstNonSpace(text, begin);
  const c = text.charCodeAt(first);
  if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(begin === 0 ? text : text.slice(begin));
      parsed = true;
    } catch (e) {
      // Not JSON. A YAML flow collection also starts with `{` or `[`: parse it as YAML,
      // unless the file says it is JSON, where JSON's own message is the useful one.
      if (/\.json$/i.test(source.name)) {
        const message = errorMessage(e);
        const at = /position (\d+)/.exec(message);
        sink.error({
          file: source.name,
          uri: source.uri,
          line: at ? lineAt(text, begin + Number(at[1])) : undefined,
          message: `invalid JSON: ${message}`,
        });
        return;
      }
    }
    if (parsed) {
      const line = lineAt(text, first);
      emitValue(source, sink, value, 0, line, [0, text.length], 1, () => jsonItemOffsets(text, first));
      return;
    }
  }
  parseYamlStream(source, sink, limits, begin);
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
): void {
  if (value === null || value === undefined) return; // an empty document holds no object
  if (Array.isArray(value)) {
    // A bare array of objects (e.g. `jq '[.items[]]'`): treat it like a List.
    emitItems(source, sink, value, index, line, range, rangeLine, itemOffsets, '');
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
      emitItems(source, sink, items, index, line, range, rangeLine, itemOffsets, 'items');
    } else if (items !== null) {
      sink.error({
        file: source.name,
        uri: source.uri,
        line,
        index,
        message: `document ${index} is a ${String(obj.kind)} whose items is not a list (it is ${typeof items === 'object' ? 'a mapping' : `a ${typeof items}`}): `
          + 'nothing in it was audited. Fix: items must be a list of objects, as kubectl writes it.',
      });
    }
    return; // a List without items (`items: null`) is an empty list
  }
  sink.object(new ManifestObject(source, index, undefined, obj, new ObjectLocation(line), range, rangeLine));
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
    sink.object(new ManifestObject(source, index, i, item as Record<string, unknown>, new ObjectLocation(line, i, positions), range, rangeLine, `${listPath}[${i}]`));
  }
}

/** `kind: List`, `kind: PodList` ... with `apiVersion` and `items`, as kubectl and the API server print them. */
function isList(obj: Record<string, unknown>): boolean {
  const kind = obj.kind;
  return typeof kind === 'string' && kind.endsWith('List') && 'items' in obj;
}

// ---------------------------------------------------------------------------------------
// YAML streams

/** One document of a YAML stream, found by `splitYamlStream`. */
export interface YamlDocumentSlice {
  /** Offset where the document's text starts (its directives or `---` marker, or its first line). */
  readonly start: number;
  /** Offset where it ends (exclusive; after its `...` marker line when it has one). */
  readonly end: number;
  /** 1-based line of `start`. */
  readonly startLine: number;
  /** 1-based line of its first content line; for an empty document, of its `---` marker. */
  readonly line: number;
  /** Whether it has no content (only a marker, comments, blank lines): it holds null. */
  readonly empty: boolean;
}

/**
 * Splits a YAML stream into its documents, as the YAML 1.2 grammar delimits them: a
 * document starts at a `---` marker (with the `%` directives before it) or, at the start
 * of the stream or after a `...` marker, at its first content line; it ends at the next
 * `---` or after a `...` line. A bare segment of comments and blank lines is not a document.
 * Document `i` of the result is document `i` of js-yaml's `loadAll`.
 *
 * @param begin offset to start at (1 to skip a byte order mark)
 */
export function splitYamlStream(text: string, begin = 0, firstLine = 1): YamlDocumentSlice[] {
  const docs: YamlDocumentSlice[] = [];
  const n = text.length;
  const dashes = new MarkerFinder(text, '---', begin);
  const dots = new MarkerFinder(text, '...', begin);
  let pos = begin; // start of the open segment
  let line = firstLine + countNewlines(text, 0, begin); // line of `pos`
  let explicit = false; // the open segment starts with a `---` marker
  let docStart = begin; // where the open document's text starts (directives included)
  let docStartLine = line;

  // Closes the open segment [pos, contentEnd) + marker line up to `end`; `end` is a line start or n.
  const close = (contentEnd: number, end: number, endLine: number, afterDots: boolean): void => {
    const content = firstContentLine(text, pos, contentEnd, line, explicit);
    if (explicit || content.hasContent) {
      docs.push({ start: docStart, end, startLine: docStartLine, line: content.line, empty: !content.hasContent });
      docStart = end;
      docStartLine = endLine;
    } else if (afterDots || !content.hasDirective) {
      docStart = end; // comments and blank lines only: not a document
      docStartLine = endLine;
    } // else: directives only, they belong to the next document
    pos = end;
    line = endLine;
  };

  let from = begin;
  for (;;) {
    const d = dashes.next(from);
    const o = dots.next(from);
    if (d === -1 && o === -1) break;
    if (d !== -1 && (o === -1 || d < o)) {
      const markerLine = line + countNewlines(text, pos, d);
      close(d, d, markerLine, false);
      explicit = true;
      from = d + 3;
    } else {
      const markerLine = line + countNewlines(text, pos, o);
      const eol = text.indexOf('\n', o);
      const end = eol === -1 ? n : eol + 1;
      close(o, end, eol === -1 ? markerLine : markerLine + 1, true);
      explicit = false;
      from = end;
    }
  }
  if (pos < n || explicit) close(n, n, line + countNewlines(text, pos, n), false);
  return docs;
}

/**
 * Finds lines that start with a document marker (`---` or `...` followed by a blank, a
 * line break or the end). Remembers the last hit, so a whole stream is scanned once per marker.
 */
class MarkerFinder {
  private found = -2; // -2: not searched yet; -1: none left
  private searchedFrom = 0;

  constructor(private readonly text: string, private readonly token: string, private readonly begin: number) {}

  /** The first marker at or after `from` (which is a line start or inside a marker line), or -1. */
  public next(from: number): number {
    if (this.found === -1 && from >= this.searchedFrom) return -1;
    if (this.found >= from) return this.found;
    this.searchedFrom = from;
    this.found = this.search(from);
    return this.found;
  }

  private search(from: number): number {
    const text = this.text;
    if ((from === this.begin || text.charCodeAt(from - 1) === 0x0a) && text.startsWith(this.token, from) && isMarkerEnd(text, from + 3)) {
      return from;
    }
    const needle = '\n' + this.token;
    let at = from;
    for (;;) {
      const nl = text.indexOf(needle, at);
      if (nl === -1) return -1;
      if (isMarkerEnd(text, nl + 4)) return nl + 1;
      at = nl + 1;
    }
  }
}

/** A marker is followed by a space, a tab, a line break or the end of the text. */
function isMarkerEnd(text: string, i: number): boolean {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

interface SegmentContent {
  readonly hasContent: boolean;
  readonly hasDirective: boolean;
  /** Line of the first content (or of the segment start when there is none). */
  readonly line: number;
}

/** Finds the first line of [start, end) holding document content (not a comment, blank line, directive or bare marker). */
function firstContentLine(text: string, start: number, end: number, startLine: number, explicit: boolean): SegmentContent {
  let pos = start;
  let line = startLine;
  let hasDirective = false;
  let first = true;
  while (pos < end) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1 || eol > end) eol = end;
    let i = pos;
    if (first && explicit) i += 3; // skip the `---` marker itself
    first = false;
    let c = text.charCodeAt(i);
    while (i < eol && (c === 0x20 || c === 0x09 || c === 0x0d || c === 0xfeff)) c = text.charCodeAt(++i);
    if (i < eol) {
      if (c === 0x25 /* % */ && i === pos && !explicit) {
        hasDirective = true;
      } else if (c !== 0x23 /* # */) {
        return { hasContent: true, hasDirective, line };
      }
    }
    pos = eol + 1;
    line++;
  }
  return { hasContent: false, hasDirective, line: startLine };
}

/** Documents parsed per js-yaml call: its per-call set-up costs as much as a small document. */
const BATCH_DOCUMENTS = 64;
const BATCH_CHARS = 512 * 1024;

/** Where a piece of a stream starts: its first line and the index of its first document. */
export interface StreamBase {
  /** 1-based line of the piece's first character in the whole input. */
  readonly line: number;
  /** Index, in the whole input, of the piece's first document. */
  readonly index: number;
}

/**
 * Parses YAML documents of `source.text` (the whole input, or a piece of a stream that starts at
 * a document marker, see `manifest-stream.ts`). Returns how many documents it held.
 */
export function parseYamlStream(
  source: ManifestSource,
  sink: ManifestSink,
  limits: ParseLimits,
  begin: number,
  base: StreamBase = { line: 1, index: 0 },
  maxBytes = Infinity,
): number {
  const text = source.text;
  const docs = splitYamlStream(text, begin, base.line);
  const parser = new YamlDocumentParser(source.name, limits);
  const i0 = base.index;
  let next = 0;
  while (next < docs.length) {
    // A batch of consecutive documents, parsed in one call. When it fails (or does not
    // yield one value per document), each document is parsed alone, so one bad document
    // costs only itself and its error points at it.
    let last = next;
    const batchChars = Math.min(BATCH_CHARS, maxBytes);
    while (last + 1 < docs.length && last + 1 - next < BATCH_DOCUMENTS && docs[last + 1].end - docs[next].start <= batchChars) last++;
    let values: unknown[] | undefined;
    if (last > next) {
      try {
        values = parser.parse(text.slice(docs[next].start, docs[last].end));
        if (values.length !== last - next + 1) values = undefined;
      } catch {
        values = undefined;
      }
    }
    for (let index = next; index <= last; index++) {
      const doc = docs[index];
      if (doc.empty) continue;
      const docText = text.slice(doc.start, doc.end);
      if (docText.length * 3 > maxBytes && Buffer.byteLength(docText) > maxBytes) {
        sink.error({
          file: source.name,
          uri: source.uri,
          line: doc.line,
          index: i0 + index,
          message: `document ${i0 + index} (line ${doc.line}) is more than the limit of ${maxBytes} bytes (--max-bytes); skipped`,
        });
        continue;
      }
      let value: unknown;
      if (values !== undefined) {
        value = values[index - next];
      } else {
        try {
          value = parseOneDocument(parser, docText, limits);
        } catch (e) {
          sink.error(yamlError(source, i0 + index, doc, e));
          continue;
        }
      }
      if (value !== null && typeof value === 'object' && hasAnchor(docText)) {
        const problem = checkAliasExpansion(value, limits.maxExpandedNodes);
        if (problem !== undefined) {
          sink.error({ file: source.name, uri: source.uri, line: doc.line, index: i0 + index, message: `document ${i0 + index}: ${problem}` });
          continue;
        }
      }
      emitValue(source, sink, value, i0 + index, doc.line, [doc.start, doc.end], doc.startLine, () => yamlItemOffsets(docText, doc.start, limits));
    }
    next = last + 1;
  }
  return docs.length;
}

/**
 * One YAML document with js-yaml; when js-yaml refuses it, with the lenient reader
 * (`yaml-lenient.ts`: what kubectl applies, audit must read). Throws js-yaml's error when both fail.
 */
function parseOneDocument(parser: YamlDocumentParser, docText: string, limits: ParseLimits): unknown {
  let single: unknown[];
  try {
    single = parser.parse(docText);
  } catch (e) {
    if (!(e instanceof yaml.YAMLException)) throw e;
    try {
      single = parseYamlLenient(docText, limits);
    } catch {
      throw e;
    }
  }
  if (single.length !== 1) throw new Error(`expected one YAML document, found ${single.length}`);
  return single[0];
}

/** js-yaml's `loadAll` as its two steps (parse events, construct), with the options set up once. */
class YamlDocumentParser {
  private readonly parserOptions: yaml.ParserOptions;
  private readonly constructorOptions: { source: string; schema: yaml.Schema; maxAliases: number; filename: string };

  constructor(filename: string, limits: ParseLimits) {
    this.parserOptions = { maxDepth: limits.maxDepth, filename };
    this.constructorOptions = { source: '', schema: KUBERNETES_YAML_SCHEMA, maxAliases: limits.maxAliases, filename };
  }

  public parse(text: string): unknown[] {
    this.constructorOptions.source = text;
    return yaml.constructFromEvents(yaml.parseEvents(text, this.parserOptions), this.constructorOptions);
  }
}

/** Whether a YAML text may define an anchor (and so hold aliases). Cheap and conservative. */
function hasAnchor(docText: string): boolean {
  return docText.indexOf('&') !== -1 && docText.indexOf('*') !== -1;
}

function yamlError(source: ManifestSource, index: number, doc: YamlDocumentSlice, e: unknown): ManifestError {
  if (e instanceof yaml.YAMLException) {
    const mark = e.mark;
    const line = mark ? doc.startLine + mark.line : doc.line;
    const where = mark ? ` (line ${line}, column ${mark.column + 1})` : '';
    return { file: source.name, uri: source.uri, line, index, message: `document ${index}: invalid YAML: ${e.reason}${where}` };
  }
  if (e instanceof RangeError) {
    return { file: source.name, uri: source.uri, line: doc.line, index, message: `document ${index}: nested too deeply to parse (${e.message})` };
  }
  return { file: source.name, uri: source.uri, line: doc.line, index, message: `document ${index}: cannot parse: ${errorMessage(e)}` };
}

/**
 * Rejects a parsed YAML value that aliases make large (a "billion laughs" document shares
 * subtrees, so it is small in memory but huge to anyone who walks it) or cyclic
 * (`&a [*a]`). Counts nodes as if aliases were copies, memoizing shared subtrees.
 */
export function checkAliasExpansion(value: unknown, maxNodes: number): string | undefined {
  const sizes = new Map<object, number>();
  const active = new Set<object>();
  let cyclic = false;
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    if (active.has(v)) {
      cyclic = true;
      return Infinity;
    }
    active.add(v);
    let total = 1;
    const children = Array.isArray(v) ? v : v instanceof Map || v instanceof Set ? [...v.values()] : Object.values(v);
    for (const child of children) {
      total += size(child);
      if (total > maxNodes) break;
    }
    active.delete(v);
    sizes.set(v, total);
    return total;
  };
  let total: number;
  try {
    total = size(value);
  } catch (e) {
    if (e instanceof RangeError) return 'aliases nest too deeply to expand (alias bomb?)';
    throw e;
  }
  if (cyclic) return 'an alias refers to its own anchor (a cycle): Kubernetes objects are trees';
  if (total > maxNodes) return `aliases expand the document to more than ${maxNodes} nodes (alias bomb?)`;
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Item positions (only computed when a report asks for an item's line)

/**
 * Offsets where the items of a YAML List document start (`items:` in the root mapping),
 * or the elements of a root sequence, from js-yaml's event parser (exact, and only run
 * when a report needs an item's line).
 */
function yamlItemOffsets(docText: string, docStart: number, limits: ParseLimits): number[] | undefined {
  const E = yaml.EVENT_ID;
  const events = yaml.parseEvents(docText, { maxDepth: limits.maxDepth });
  interface Frame { readonly kind: number; children: number; readonly items: boolean }
  const stack: Frame[] = [];
  const offsets: number[] = [];
  let lastKey: string | undefined;
  for (const ev of events) {
    if (ev.type === E.POP) {
      const frame = stack.pop();
      if (frame?.items) return offsets;
      continue;
    }
    if (ev.type === E.DOCUMENT) {
      stack.push({ kind: E.DOCUMENT, children: 0, items: false });
      continue;
    }
    const parent = stack[stack.length - 1];
    let items = false;
    if (parent === undefined) return undefined;
    if (parent.kind === E.DOCUMENT) {
      items = ev.type === E.SEQUENCE; // a root sequence: its elements are the items
    } else if (parent.items) {
      offsets.push(docStart + nodeStart(ev));
    } else if (stack.length === 2 && parent.kind === E.MAPPING) {
      if (parent.children % 2 === 0) {
        lastKey = ev.type === E.SCALAR ? yaml.getScalarValue(docText, ev) : undefined;
      } else {
        items = lastKey === 'items' && ev.type === E.SEQUENCE;
      }
    }
    parent.children++;
    if (ev.type === E.MAPPING || ev.type === E.SEQUENCE) stack.push({ kind: ev.type, children: 0, items });
  }
  return undefined;
}

/** Where a node's text starts: its anchor, tag or content, whichever comes first. */
export function nodeStart(ev: yaml.Event): number {
  let start = Number.MAX_SAFE_INTEGER;
  const consider = (x: number): void => {
    if (x !== -1 && x < start) start = x;
  };
  switch (ev.type) {
    case yaml.EVENT_ID.MAPPING:
    case yaml.EVENT_ID.SEQUENCE:
      consider(ev.anchorStart);
      consider(ev.tagStart);
      consider(ev.start);
      break;
    case yaml.EVENT_ID.SCALAR:
      consider(ev.anchorStart);
      consider(ev.tagStart);
      consider(ev.valueStart);
      break;
    case yaml.EVENT_ID.ALIAS:
      consider(ev.anchorStart);
      break;
    default:
      break;
  }
  return start === Number.MAX_SAFE_INTEGER ? 0 : start;
}

/**
 * Offsets where the elements of the JSON List's `items` array (or of a root array) start,
 * from a scan that skips strings and tracks nesting. `start` is the root value's offset.
 */
export function jsonItemOffsets(text: string, start: number): number[] | undefined {
  const offsets: number[] = [];
  const rootIsArray = text.charCodeAt(start) === 0x5b;
  const target = rootIsArray ? 1 : 2; // depth of the array whose elements we record
  let depth = 0;
  let inItems = rootIsArray;
  let expectElement = false; // after `[` or `,` of the items array
  let pendingKey: string | undefined; // last depth-1 string, a key candidate
  const n = text.length;
  let i = start;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (expectElement && c !== 0x5d /* ] */) {
      offsets.push(i);
      expectElement = false;
    }
    if (c === 0x22 /* " */) {
      let j = i + 1;
      for (;;) {
        j = text.indexOf('"', j);
        if (j === -1) return undefined;
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c /* \ */) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      if (depth === 1 && !rootIsArray) pendingKey = text.slice(i + 1, j);
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (c === 0x5b && depth === 2 && !rootIsArray && pendingKey === 'items') inItems = true;
      if (inItems && depth === target && c === 0x5b) expectElement = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (inItems && depth === target) return offsets;
      depth--;
    } else if (c === 0x2c /* , */) {
      if (inItems && depth === target) expectElement = true;
      if (depth === 1) pendingKey = undefined;
    }
    i++;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Small helpers

function firstNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Number of `\n` in [from, to). */
export function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  let i = text.indexOf('\n', from);
  while (i !== -1 && i < to) {
    count++;
    i = text.indexOf('\n', i + 1);
  }
  return count;
}

/** 1-based line of `offset`. */
export function lineAt(text: string, offset: number): number {
  return 1 + countNewlines(text, 0, offset);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
