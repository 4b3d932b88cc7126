/**
 * Splitting a YAML stream into its documents without parsing them: a `---` or `...` line at
 * column 0 cannot be content in YAML 1.2, so cutting there is sound and gives each document's
 * start line for free. Each document is then parsed on its own (`yaml-decoder.ts`).
 */
import { countNewlines } from './text-lines';

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
