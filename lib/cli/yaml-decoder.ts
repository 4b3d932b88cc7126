/**
 * Parsing the YAML documents of a text into Kubernetes objects: the documents found by
 * `splitYamlStream` are parsed with js-yaml's `load` steps, in batches (one call per batch, each
 * document alone when a batch fails), with the YAML 1.1 scalars kubectl reads; a document
 * js-yaml refuses goes to the lenient reader (`yaml-lenient.ts`).
 *
 * Hostile input: every document is parsed with bounded nesting depth and alias count,
 * alias expansion (billion laughs) and alias cycles are rejected before anything walks
 * the value, and a stack overflow is caught: each becomes an error for that document.
 */
import * as yaml from 'js-yaml';
import { yamlItemOffsets } from './item-offsets';
import { ManifestError, ManifestSink, ManifestSource, ParseLimits, emitValue } from './manifest-objects';
import { errorMessage } from './text-lines';
import { parseYamlLenient } from './yaml-lenient';
import { YamlDocumentSlice, splitYamlStream } from './yaml-splitter';

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
