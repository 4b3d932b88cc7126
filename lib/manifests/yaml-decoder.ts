/**
 * Parsing the YAML documents of a text into Kubernetes objects, as kubectl reads them: the
 * documents found by `splitYamlStream` are parsed with js-yaml's event parser, in batches (one call
 * per batch, each document alone when a batch fails), and their values are built by the one reader,
 * `lib/manifests/kubectl-yaml.ts` (go-yaml v2's merge keys, duplicate keys and YAML 1.1 scalars).
 * A document js-yaml refuses only for the indentation of a flow collection or quoted scalar is read
 * again with those lines indented (`lib/manifests/flow-indent.ts`). kubectl's own document splitting
 * is followed too: a document after a `...` line and before the next `---` line is not read, a `---`
 * line followed by anything but a comment stops the reading, and `%` directives are refused.
 *
 * Hostile input: every document is parsed with bounded nesting depth and alias count,
 * alias expansion (billion laughs) and alias cycles are rejected before anything walks
 * the value, and a stack overflow is caught: each becomes an error for that document.
 */
import * as yaml from 'js-yaml';
import { indentFlowContinuations } from './flow-indent';
import { goYamlLineBreaks, goYamlQuotedText } from './go-yaml-breaks';
import { yamlItemOffsets } from './item-offsets';
import { BuiltDocument, buildDocuments } from './kubectl-yaml';
import { ManifestError, ManifestSink, ManifestSource, ParseLimits, emitValue } from './manifest-objects';
import { countNewlines, errorMessage } from './text-lines';
import { yamlDifferences } from './yaml-differences';
import { YamlDocumentSlice, splitYamlStream } from './yaml-splitter';

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
 * a document marker, see `manifest-stream.ts`). Returns how many documents it held. `onHalt` is
 * called when kubectl would read no further (an invalid `---` line): a stream reader stops there.
 */
export function parseYamlStream(
  source: ManifestSource,
  sink: ManifestSink,
  limits: ParseLimits,
  begin: number,
  base: StreamBase = { line: 1, index: 0 },
  maxBytes = Infinity,
  onHalt?: () => void,
): number {
  const text = source.text;
  let docs = splitYamlStream(text, begin, base.line);
  const halt = invalidSeparator(text, begin);
  let haltError: ManifestError | undefined;
  if (halt !== undefined) {
    const lost = docs.findIndex(d => d.end > halt.chunkStart);
    const line = base.line + countNewlines(text, 0, halt.at);
    haltError = {
      file: source.name,
      uri: source.uri,
      line,
      index: base.index + (lost === -1 ? docs.length : lost),
      message: `invalid document separator \`${halt.text}\` (line ${line}): kubectl reads nothing from the document before it on. `
        + 'Fix: a line that starts with --- must hold nothing else but a comment.',
    };
    docs = lost === -1 ? docs : docs.slice(0, lost);
  }
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
    let values: BuiltDocument[] | undefined;
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
      if (index > 0 && !isExplicitStart(text, doc.start)) {
        continue; // after a `...` line: kubectl's reader hands go-yaml the chunk up to the next `---`, and go-yaml reads its first document only
      }
      let built: BuiltDocument;
      let builtText = docText;
      if (values !== undefined) {
        built = values[index - next];
      } else {
        try {
          [built, builtText] = parseOneDocument(parser, docText);
        } catch (e) {
          sink.error(yamlError(source, i0 + index, doc, e));
          continue;
        }
      }
      if (built.directives) {
        sink.error({
          file: source.name,
          uri: source.uri,
          line: doc.startLine,
          index: i0 + index,
          message: `document ${i0 + index}: kubectl cuts a stream at each --- line, which leaves a % directive without its document: kubectl refuses it. Fix: remove the directive.`,
        });
        continue;
      }
      if (built.error !== undefined) {
        const at = values !== undefined ? built.errorOffset! - (doc.start - docs[next].start) : built.errorOffset!;
        const line = doc.startLine + countNewlines(builtText, 0, Math.max(0, Math.min(at, builtText.length)));
        sink.error({ file: source.name, uri: source.uri, line, index: i0 + index, message: `document ${i0 + index}: kubectl refuses it: ${built.error} (line ${line})` });
        continue;
      }
      const value = built.value;
      if (value !== null && typeof value === 'object' && hasAnchor(docText)) {
        const problem = checkAliasExpansion(value, limits.maxExpandedNodes);
        if (problem !== undefined) {
          sink.error({ file: source.name, uri: source.uri, line: doc.line, index: i0 + index, message: `document ${i0 + index}: ${problem}` });
          continue;
        }
      }
      const shift = values !== undefined ? doc.start - docs[next].start : 0;
      const lineOf = (o: number): number => doc.startLine + countNewlines(builtText, 0, o - shift);
      const differences = built.notes.length === 0 ? undefined : yamlDifferences(value, built.notes, lineOf);
      const offsets = (): number[] | undefined => yamlItemOffsets(docText, doc.start, limits);
      emitValue(source, sink, value, i0 + index, doc.line, [doc.start, doc.end], doc.startLine, offsets, differences);
    }
    next = last + 1;
  }
  if (haltError !== undefined) {
    sink.error(haltError);
    onHalt?.();
  }
  return docs.length;
}

/**
 * One YAML document; when js-yaml refuses it, once more with the continuation lines of its flow
 * collections and quoted scalars indented (what go-yaml accepts). Throws js-yaml's error when both
 * fail. Returns the document and the text it was built from.
 */
function parseOneDocument(parser: YamlDocumentParser, docText: string): [BuiltDocument, string] {
  let single: BuiltDocument[];
  let builtText = docText;
  try {
    single = parser.parse(docText);
  } catch (e) {
    if (!(e instanceof yaml.YAMLException)) throw e;
    const indented = indentFlowContinuations(goYamlLineBreaks(docText));
    if (indented === undefined) throw e;
    try {
      single = parser.parse(indented);
      builtText = indented;
    } catch {
      throw e;
    }
  }
  if (single.length !== 1) throw new Error(`expected one YAML document, found ${single.length}`);
  return [single[0], builtText];
}

/** js-yaml's event parser, with the options set up once, and the one reader's construction. */
class YamlDocumentParser {
  private readonly parserOptions: yaml.ParserOptions;

  constructor(filename: string, private readonly limits: ParseLimits) {
    this.parserOptions = { maxDepth: limits.maxDepth, filename };
  }

  public parse(original: string): BuiltDocument[] {
    // NEL, LS and PS break lines for kubectl (YAML 1.1), not for js-yaml: read them as kubectl does
    const text = goYamlLineBreaks(original);
    return buildDocuments(text, yaml.parseEvents(text, this.parserOptions), this.limits, yaml.getScalarValue, goYamlQuotedText(original));
  }
}

/** Whether a document's text starts with a `---` marker (else it follows a `...` line, or starts the stream). */
function isExplicitStart(text: string, start: number): boolean {
  return text.startsWith('---', start) || text.charCodeAt(start) === 0x25 /* % */;
}

/** kubectl's YAMLReader: a line starting with `---` followed by more than blanks or a comment is an error that ends the stream. */
function invalidSeparator(text: string, begin: number): { at: number; chunkStart: number; text: string } | undefined {
  if (text.indexOf('---', begin) === -1) return undefined;
  const bad = /^---[ \t]*[^ \t\r\n#].*$/m;
  bad.lastIndex = 0;
  const m = bad.exec(begin === 0 ? text : text.slice(begin));
  if (m === null) return undefined;
  const at = m.index + begin;
  // the chunk it ends began after the last good separator line before it
  const good = /^---[ \t]*(#.*)?\r?$/gm;
  let chunkStart = begin;
  for (let g = good.exec(text); g !== null && g.index < at; g = good.exec(text)) chunkStart = g.index;
  return { at, chunkStart, text: m[0].trim().slice(0, 60) };
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
