/**
 * Reading manifests from a stream, object by object: memory is bounded by the largest
 * document or List item, not by the input (a `kubectl get pods -A -o json` of a large cluster
 * is more than a gigabyte, more than V8's largest string).
 *
 * Text is pushed in with `write` (any chunking) and `end`; objects and errors go to the sink as
 * soon as they are complete, in input order.
 *
 * - **JSON** (the input starts with `{` or `[`): the root value is split without parsing it
 *   whole. The elements of a root array, and of the `items` array of a root object, are each
 *   parsed on their own with `JSON.parse`; the root object's other fields (`apiVersion`, `kind`,
 *   `metadata`) are kept. Several root values one after the other (`kubectl get -o json --watch`)
 *   are documents 0, 1, 2 … A root object without an `items` array is one object, as before.
 *   Where an item ends is found exactly by a scanner that skips strings (escapes included) and
 *   counts brackets. For pretty-printed JSON, as kubectl writes it, there is a faster way that
 *   gives the same answer: a line break cannot occur inside a JSON string, so the item's closing
 *   `}` is the first one that starts a line at the item's own indentation; `JSON.parse` of the
 *   candidate succeeds only when it is exactly the item (a slice that starts at `{` and parses
 *   ends at its matching `}`), and when it does not, the exact scanner decides.
 * - **YAML**: the stream is cut before each `---` line (a document marker at column 0 cannot be
 *   content), and the complete documents are parsed as `manifest-parser.ts` parses a whole text.
 *
 * `maxBytes` limits one document or List item (and a JSON root object's fields besides `items`):
 * a larger one is an error, skipped without being kept in memory, and reading goes on after it.
 * Input that ends inside a value (truncated) is an error naming the item; what came before it
 * has been reported already.
 */
import {
  DEFAULT_PARSE_LIMITS, ManifestObject, ManifestSink, ObjectLocation, ParseLimits, countNewlines, emitValue, errorMessage, parseYamlStream,
} from './manifest-parser';

/** Where the stream comes from (`ManifestSource` without the text). */
export interface StreamSource {
  readonly name: string;
  readonly uri: string;
}

/** Options of `ManifestStreamParser`. */
export interface StreamOptions {
  /** Largest document or List item, in bytes of UTF-8. */
  readonly maxBytes: number;
  /** YAML parser limits (aliases, depth). */
  readonly limits?: ParseLimits;
}

const enum Mode { DETECT, JSON, YAML, FAILED }

const enum J {
  /** Before a root value (or between root values). */
  ROOT,
  /** In the root object: a key or `}`. */
  KEY,
  /** After a key: `:`. */
  COLON,
  /** After `:`: the value. */
  VALUE,
  /** Capturing a root field's value with the scanner. */
  FIELD,
  /** After a root field: `,` or `}`. */
  FIELD_END,
  /** In the items array: an element or `]`. */
  ELEMENT,
  /** Inside an element (scanning, or skipping one over the limit). */
  IN_ELEMENT,
  /** After an element: `,` or `]`. */
  ELEMENT_END,
}

/** Resumable state of the exact value scanner. */
interface Scan {
  /** 0: an object or array; 1: a string; 2: a literal (number, true, false, null). */
  kind: number;
  depth: number;
  inString: boolean;
  escaped: boolean;
}

/**
 * Splits a stream of manifest text into objects (see the file comment). Synchronous: the sink
 * is called from `write` and `end`.
 */
export class ManifestStreamParser {
  private mode = Mode.DETECT;
  private readonly limits: ParseLimits;
  private readonly maxBytes: number;
  private readonly isJsonFile: boolean;

  /** Unconsumed text; `buf[0]` is at line `line` … (see `pos`/`line`). */
  private buf = '';
  /** Scan position in `buf`. */
  private pos = 0;
  /** 1-based line of `buf[linePos]`. */
  private line = 1;
  private linePos = 0;
  /** Nothing reported yet: the JSON reader may still hand everything to the YAML reader. */
  private pristine = true;
  private first = true;

  // JSON state
  private j = J.ROOT;
  private doc = -1;
  private rootIsArray = false;
  private rootLine = 1;
  private rootFields: Record<string, unknown> = {};
  private rootFieldBytes = 0;
  private key = '';
  private streamedItems = false;
  private item = 0;
  private itemStart = 0;
  private itemLine = 1;
  private skipping = false;
  private readonly scan: Scan = { kind: 0, depth: 0, inString: false, escaped: false };
  private fieldStart = 0;
  private fieldLine = 1;
  /** The pretty-printing fast path is used while it keeps working. */
  private fastPath = true;

  /**
   * Earlier pieces of the value being scanned (an item or a root field), so that a large value is
   * joined once when it ends instead of being copied with every chunk.
   */
  private pending: string[] = [];
  private pendingLength = 0;

  // YAML state
  private yIndex = 0;
  private ySkipping = false;
  /** Text of the open YAML document (earlier chunks), joined once it is complete. */
  private yPieces: string[] = [];
  private yLength = 0;
  /** The last characters read, for markers split across chunks. */
  private yTail = '';

  constructor(private readonly source: StreamSource, private readonly sink: ManifestSink, options: StreamOptions) {
    this.maxBytes = options.maxBytes;
    this.limits = options.limits ?? DEFAULT_PARSE_LIMITS;
    this.isJsonFile = /\.json$/i.test(source.name);
  }

  /** Pushes the next piece of text. */
  public write(chunk: string): void {
    if (this.mode === Mode.FAILED || chunk.length === 0) return;
    this.buf = this.buf.length === 0 ? chunk : this.buf + chunk;
    this.run(false);
  }

  /** The input ended. */
  public end(): void {
    if (this.mode === Mode.FAILED) return;
    this.run(true);
  }

  private run(final: boolean): void {
    if (this.mode === Mode.DETECT) {
      let i = this.first && this.buf.charCodeAt(0) === 0xfeff ? 1 : 0;
      while (i < this.buf.length && isSpace(this.buf.charCodeAt(i))) i++;
      if (i >= this.buf.length && !final) return;
      const c = this.buf.charCodeAt(i);
      this.mode = c === 0x7b || c === 0x5b ? Mode.JSON : Mode.YAML;
      if (this.mode === Mode.JSON) {
        this.pos = this.first && this.buf.charCodeAt(0) === 0xfeff ? 1 : 0;
      }
    }
    if (this.mode === Mode.JSON) {
      this.runJson(final);
      if (this.mode === Mode.JSON && final && this.j !== J.ROOT) this.truncated();
      else if (this.mode === Mode.JSON && !final) this.compact();
    }
    if (this.mode === Mode.YAML) this.runYaml(final);
  }

  /** Drops consumed text (once per chunk, not per item). */
  private compact(): void {
    if (this.pristine) return;
    let keep = this.pos;
    if (this.j === J.IN_ELEMENT && !this.skipping) keep = this.itemStart;
    else if (this.j === J.FIELD) keep = this.fieldStart;
    if (keep === 0) return;
    this.advanceLine(keep);
    this.buf = this.buf.slice(keep);
    this.pos -= keep;
    this.linePos -= keep;
    this.itemStart -= keep;
    this.fieldStart -= keep;
  }

  /** Keeps `buf` from `start` as a piece of the value being scanned and empties `buf`. */
  private stash(start: number): void {
    const n = this.buf.length;
    if (start < n) {
      this.pending.push(this.buf.slice(start));
      this.pendingLength += n - start;
    }
    this.advanceLine(n);
    this.buf = '';
    this.pos = 0;
    this.linePos = 0;
    this.itemStart = 0;
    this.fieldStart = 0;
  }

  /** The value's whole text: the stashed pieces and `buf` from `start` to `end`. */
  private take(start: number, end: number): string {
    if (this.pending.length === 0) return this.buf.slice(start, end);
    const text = this.pending.join('') + this.buf.slice(0, end);
    this.pending = [];
    this.pendingLength = 0;
    return text;
  }

  /** Moves the line counter to `to` (counting the line breaks on the way). */
  private advanceLine(to: number): void {
    if (to > this.linePos) {
      this.line += countNewlines(this.buf, this.linePos, to);
      this.linePos = to;
    }
  }

  private lineAtPos(at: number): number {
    this.advanceLine(at);
    return this.line;
  }

  private error(message: string, line?: number, index?: number): void {
    this.pristine = false;
    this.sink.error({ file: this.source.name, uri: this.source.uri, line, index, message });
  }

  private fail(message: string, line?: number, index?: number): void {
    // Not JSON after all, and nothing reported yet: a YAML flow mapping also starts with `{`.
    if (this.pristine && !this.isJsonFile) {
      this.mode = Mode.YAML;
      this.pos = 0;
      this.line = 1;
      this.linePos = 0;
      return;
    }
    this.error(message, line, index);
    this.mode = Mode.FAILED;
    this.buf = '';
  }

  // -------------------------------------------------------------------------------------
  // JSON

  private runJson(final: boolean): void {
    for (;;) {
      if (this.mode !== Mode.JSON) return;
      const buf = this.buf;
      const n = buf.length;
      switch (this.j) {
        case J.ROOT: {
          const i = skipSpace(buf, this.pos);
          this.pos = i;
          if (i >= n) return;
          const c = buf.charCodeAt(i);
          if (c !== 0x7b && c !== 0x5b) {
            this.fail(`invalid JSON: unexpected ${describeChar(buf, i)} after the JSON value (line ${this.lineAtPos(i)})`, this.lineAtPos(i), this.doc + 1);
            return;
          }
          this.doc++;
          this.rootIsArray = c === 0x5b;
          this.rootLine = this.lineAtPos(i);
          this.rootFields = {};
          this.rootFieldBytes = 0;
          this.streamedItems = false;
          this.item = 0;
          this.pos = i + 1;
          this.j = this.rootIsArray ? J.ELEMENT : J.KEY;
          if (this.rootIsArray) this.streamedItems = true;
          break;
        }
        case J.KEY: {
          const i = skipSpace(buf, this.pos);
          this.pos = i;
          if (i >= n) return;
          const c = buf.charCodeAt(i);
          if (c === 0x7d /* } */) {
            this.pos = i + 1;
            this.endRoot();
            this.j = J.ROOT;
            break;
          }
          if (c !== 0x22) {
            this.fail(`invalid JSON: expected a key or } but found ${describeChar(buf, i)} (line ${this.lineAtPos(i)})`, this.lineAtPos(i), this.doc);
            return;
          }
          const end = stringEnd(buf, i + 1);
          if (end === -1) {
            if (n - i > this.maxBytes) this.fail(`a key of document ${this.doc} is more than the limit of ${this.maxBytes} bytes (--max-bytes)`, this.lineAtPos(i), this.doc);
            return;
          }
          try {
            this.key = JSON.parse(buf.slice(i, end)) as string;
          } catch (e) {
            this.fail(`invalid JSON: ${errorMessage(e)} (line ${this.lineAtPos(i)})`, this.lineAtPos(i), this.doc);
            return;
          }
          this.pos = end;
          this.j = J.COLON;
          break;
        }
        case J.COLON: {
          const i = skipSpace(buf, this.pos);
          this.pos = i;
          if (i >= n) return;
          if (buf.charCodeAt(i) !== 0x3a) {
            this.fail(`invalid JSON: expected : after the key ${JSON.stringify(this.key)} (line ${this.lineAtPos(i)})`, this.lineAtPos(i), this.doc);
            return;
          }
          this.pos = i + 1;
          this.j = J.VALUE;
          break;
        }
        case J.VALUE: {
          const i = skipSpace(buf, this.pos);
          this.pos = i;
          if (i >= n) return;
          if (this.key === 'items' && buf.charCodeAt(i) === 0x5b) {
            const kind = this.rootFields.kind;
            if (kind === undefined || isListKind(kind)) {
              this.streamedItems = true;
              this.item = 0;
              this.pos = i + 1;
              this.j = J.ELEMENT;
              break;
            }
          }
          this.fieldStart = i;
          this.fieldLine = this.lineAtPos(i);
          startScan(this.scan, buf.charCodeAt(i));
          this.pos = i + 1;
          this.j = J.FIELD;
          break;
        }
        case J.FIELD: {
          const end = this.scanOn(buf, this.pos, final);
          if (end === -1) {
            this.pos = n;
            if (this.pendingLength + n - this.fieldStart + this.rootFieldBytes > this.maxBytes) {
              const message = `document ${this.doc} (line ${this.rootLine}) is more than the limit of ${this.maxBytes} bytes (--max-bytes) besides its items; not read`;
              this.fail(message, this.rootLine, this.doc);
              return;
            }
            if (final) {
              this.truncated();
              return;
            }
            // a .yaml file may still turn out to be YAML: keep its text whole until then
            if (!this.pristine || this.isJsonFile) this.stash(this.fieldStart);
            return;
          }
          const text = this.take(this.fieldStart, end);
          this.rootFieldBytes += text.length;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (e) {
            this.fail(`invalid JSON in the field ${JSON.stringify(this.key)} of document ${this.doc}: ${errorMessage(e)} (line ${this.fieldLine})`, this.fieldLine, this.doc);
            return;
          }
          Object.defineProperty(this.rootFields, this.key, { value, enumerable: true, writable: true, configurable: true });
          this.pos = end;
          this.j = J.FIELD_END;
          break;
        }
        case J.FIELD_END: {
          if (!this.afterValue(buf, 0x7d, J.KEY, () => {
            this.endRoot();
            this.j = J.ROOT;
          }, 'the root object\'s field')) return;
          break;
        }
        case J.ELEMENT: {
          const i = skipSpace(buf, this.pos);
          this.pos = i;
          if (i >= n) return;
          const c = buf.charCodeAt(i);
          if (c === 0x5d /* ] */ && this.item === 0) {
            this.pos = i + 1;
            this.endItems();
            break;
          }
          this.itemStart = i;
          this.itemLine = this.lineAtPos(i);
          this.skipping = false;
          this.pristine = false;
          startScan(this.scan, c);
          if (c === 0x7b && this.fastPath) {
            const end = this.fastItemEnd(buf, i);
            if (end !== -1) {
              const text = buf.slice(i, end);
              let value: unknown;
              let parsed = false;
              try {
                value = JSON.parse(text);
                parsed = true;
              } catch {
                // not the item's end after all (not pretty-printed as assumed): scan it exactly
              }
              if (parsed) {
                this.emitItem(value, text);
                this.pos = end;
                this.j = J.ELEMENT_END;
                break;
              }
              this.fastPath = false;
            }
          }
          this.pos = i + 1;
          this.j = J.IN_ELEMENT;
          break;
        }
        case J.IN_ELEMENT: {
          const end = this.scanOn(buf, this.pos, final);
          if (end === -1) {
            this.pos = n;
            if (!this.skipping && this.pendingLength + n - this.itemStart > this.maxBytes) {
              this.skipping = true;
              this.pending = [];
              this.pendingLength = 0;
              this.error(`${this.itemName()} is more than the limit of ${this.maxBytes} bytes (--max-bytes); skipped`, this.itemLine, this.doc);
            }
            if (final) {
              this.truncated();
              return;
            }
            if (this.skipping) {
              // nothing of it is kept: count its lines and drop it
              this.advanceLine(n);
              this.buf = '';
              this.pos = 0;
              this.linePos = 0;
              this.itemStart = 0;
            } else {
              this.stash(this.itemStart);
            }
            return;
          }
          if (!this.skipping) {
            const text = this.take(this.itemStart, end);
            if (text.length * 3 > this.maxBytes && Buffer.byteLength(text) > this.maxBytes) {
              this.error(`${this.itemName()} is more than the limit of ${this.maxBytes} bytes (--max-bytes); skipped`, this.itemLine, this.doc);
            } else {
              let value: unknown;
              try {
                value = JSON.parse(text);
              } catch (e) {
                this.error(`${this.itemName()}: invalid JSON: ${errorMessage(e)}`, this.itemLine, this.doc);
                this.pos = end;
                this.item++;
                this.j = J.ELEMENT_END;
                break;
              }
              this.emitItem(value, text);
            }
          } else {
            this.item++;
          }
          this.skipping = false;
          this.pos = end;
          this.j = J.ELEMENT_END;
          break;
        }
        case J.ELEMENT_END: {
          if (!this.afterValue(buf, 0x5d, J.ELEMENT, () => this.endItems(), this.itemName(this.item - 1))) return;
          break;
        }
        default:
          return;
      }
    }
  }

  /**
   * After a value in an object or array: `,` goes on with `next`, the closing bracket `close`
   * calls `closed`; anything else is an error. False when the caller must stop (more text is
   * needed, or it failed).
   */
  private afterValue(buf: string, close: number, next: J, closed: () => void, after: string): boolean {
    const i = skipSpace(buf, this.pos);
    this.pos = i;
    if (i >= buf.length) return false;
    const c = buf.charCodeAt(i);
    if (c === 0x2c) {
      this.pos = i + 1;
      this.j = next;
      return true;
    }
    if (c === close) {
      this.pos = i + 1;
      closed();
      return true;
    }
    const line = this.lineAtPos(i);
    this.fail(`invalid JSON: expected , or ${String.fromCharCode(close)} after ${after} but found ${describeChar(buf, i)} (line ${line})`, line, this.doc);
    return false;
  }

  /** Scans on from `from` with the exact scanner; the end (exclusive) or -1 when the text ends first. */
  private scanOn(buf: string, from: number, final: boolean): number {
    const end = scanValue(buf, from, this.scan);
    if (end === -1 && final && this.scan.kind === 2) return buf.length; // a literal ends with the input
    return end;
  }

  /**
   * The pretty-printing fast path (see the file comment): the first line break followed by the
   * item's indentation and `}`. -1 when the item is not pretty-printed, or the candidate is not
   * in `buf` yet (then the exact scanner takes over).
   */
  private fastItemEnd(buf: string, start: number): number {
    // The item's `{` must start its line and be followed by a line break.
    let k = start - 1;
    while (k >= 0 && (buf.charCodeAt(k) === 0x20 || buf.charCodeAt(k) === 0x09)) k--;
    if (k < 0 || buf.charCodeAt(k) !== 0x0a) return -1;
    const indent = start - (k + 1);
    const after = buf.charCodeAt(start + 1);
    if (after !== 0x0a && !(after === 0x0d && buf.charCodeAt(start + 2) === 0x0a)) return -1;
    const limit = Math.min(buf.length, start + this.maxBytes);
    let nl = buf.indexOf('\n', start + 1);
    while (nl !== -1 && nl < limit) {
      const close = nl + 1 + indent;
      if (buf.charCodeAt(close) === 0x7d && isIndent(buf, nl + 1, close, start - indent)) return close + 1;
      nl = buf.indexOf('\n', nl + 1);
    }
    return -1;
  }

  private itemName(item = this.item): string {
    return `document ${this.doc} items[${item}] (line ${this.itemLine})`;
  }

  private emitItem(value: unknown, text: string): void {
    const item = this.item++;
    const line = this.itemLine;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const what = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
      this.error(`document ${this.doc} items[${item}] is not a Kubernetes object: it holds ${what}, not a mapping`, line, this.doc);
      return;
    }
    const source = { name: this.source.name, uri: this.source.uri, text };
    this.sink.object(new ManifestObject(source, this.doc, item, value as Record<string, unknown>, new ObjectLocation(line), [0, text.length]));
  }

  private endItems(): void {
    if (this.rootIsArray) {
      this.j = J.ROOT;
      return;
    }
    this.j = J.FIELD_END;
  }

  /** The root object closed: report it (when it was not a List whose items were streamed). */
  private endRoot(): void {
    this.pristine = false;
    const fields = this.rootFields;
    if (this.streamedItems) {
      const kind = fields.kind;
      if (kind !== undefined && !isListKind(kind)) {
        this.error(`document ${this.doc} has an items array but its kind is ${JSON.stringify(kind)}, not a List: its items were audited as List items`, this.rootLine, this.doc);
      }
      return;
    }
    const source = { name: this.source.name, uri: this.source.uri, text: '' };
    emitValue(source, this.sink, fields, this.doc, this.rootLine, [0, 0], this.rootLine, () => undefined);
  }

  private truncated(): void {
    const where = this.j === J.IN_ELEMENT || this.j === J.ELEMENT_END || this.j === J.ELEMENT
      ? `inside ${this.j === J.IN_ELEMENT ? this.itemName() : `the items of document ${this.doc}`}`
      : `inside document ${this.doc} (line ${this.rootLine})`;
    this.pristine = false;
    this.error(`truncated input: it ends ${where}; the objects before it were read`, this.lineAtPos(Math.min(this.pos, this.buf.length)), this.doc);
    this.mode = Mode.FAILED;
    this.buf = '';
  }

  // -------------------------------------------------------------------------------------
  // YAML

  private runYaml(final: boolean): void {
    const chunk = this.buf;
    this.buf = '';
    const tail = this.yTail;
    // The last marker line that starts in this chunk, or across its start (found in a few
    // characters around the seam, so the chunk itself is not copied): everything before it is
    // complete documents. Positions are in the chunk (negative: the marker began in the tail).
    let cutInChunk: number | undefined;
    const seam = tail + chunk.slice(0, 8);
    for (let m = nextMarkerLine(seam, 1, final && chunk.length <= 8); m !== -1 && m <= tail.length; m = nextMarkerLine(seam, m + 1, final && chunk.length <= 8)) {
      cutInChunk = m - tail.length;
    }
    for (let m = nextMarkerLine(chunk, 1, final); m !== -1; m = nextMarkerLine(chunk, m + 1, final)) cutInChunk = m;
    this.yTail = chunk.length >= 4 ? chunk.slice(chunk.length - 4) : (tail + chunk).slice(-4);
    const cut = cutInChunk === undefined ? -1 : 0;
    if (this.ySkipping) {
      if (cut === -1) {
        this.line += countNewlines(chunk, 0, chunk.length);
        return;
      }
      // the skipped document ends at the marker; what follows starts the next one
      const at = cutInChunk!;
      const from = Math.max(0, at);
      const marker = at < 0 ? '---'.slice(0, -at) : '';
      this.line += countNewlines(chunk, 0, from);
      this.ySkipping = false;
      this.yIndex++;
      this.yPieces = [];
      this.yLength = 0;
      this.yTail = '';
      this.buf = marker + chunk.slice(from);
      this.runYaml(final);
      return;
    }
    if (cut !== -1 || final) {
      const whole = this.yPieces.length === 0 ? chunk : this.yPieces.join('') + chunk;
      const at = final ? whole.length : this.yLength + cutInChunk!;
      if (at > 0) this.parsePiece(whole.slice(0, at));
      const rest = whole.slice(at);
      this.yPieces = rest.length > 0 ? [rest] : [];
      this.yLength = rest.length;
    } else {
      this.yPieces.push(chunk);
      this.yLength += chunk.length;
    }
    // characters <= UTF-8 bytes: more characters than the limit is more bytes (a document just at
    // the limit in characters but over it in bytes is caught when it is parsed)
    if (!final && this.yLength > this.maxBytes) {
      this.error(`document ${this.yIndex} (line ${this.line}) is more than the limit of ${this.maxBytes} bytes (--max-bytes); skipped`, this.line, this.yIndex);
      const dropped = this.yPieces;
      for (const piece of dropped) this.line += countNewlines(piece, 0, piece.length);
      this.yPieces = [];
      this.yLength = 0;
      this.ySkipping = true;
      // the dropped text's last characters stay in yTail for a marker split across chunks
    }
  }

  private parsePiece(text: string): void {
    const begin = this.first && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.first = false;
    this.pristine = false;
    const count = parseYamlStream({ name: this.source.name, uri: this.source.uri, text }, this.sink, this.limits, begin,
      { line: this.line, index: this.yIndex }, this.maxBytes);
    this.yIndex += count;
    this.line += countNewlines(text, 0, text.length);
  }
}

// ---------------------------------------------------------------------------------------
// Scanning helpers

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(buf: string, i: number): number {
  const n = buf.length;
  while (i < n && isSpace(buf.charCodeAt(i))) i++;
  return i;
}

function isIndent(buf: string, from: number, to: number, like: number): boolean {
  for (let i = from; i < to; i++) if (buf.charCodeAt(i) !== buf.charCodeAt(like + (i - from))) return false;
  return true;
}

function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && kind.endsWith('List');
}

function describeChar(buf: string, i: number): string {
  return JSON.stringify(buf.slice(i, i + 12));
}

/** The end (exclusive) of a JSON string whose content starts at `from`, or -1 when `buf` ends first. */
function stringEnd(buf: string, from: number): number {
  let j = from;
  for (;;) {
    const q = buf.indexOf('"', j);
    if (q === -1) return -1;
    let k = q - 1;
    while (k >= from && buf.charCodeAt(k) === 0x5c) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

function startScan(scan: Scan, c: number): void {
  scan.kind = c === 0x7b || c === 0x5b ? 0 : c === 0x22 ? 1 : 2;
  scan.depth = scan.kind === 0 ? 1 : 0;
  scan.inString = scan.kind === 1;
  scan.escaped = false;
}

/**
 * The exact scanner: continues a value (whose first character was passed to `startScan`) from
 * `from`, skipping strings and their escapes and counting brackets. Returns the value's end
 * (exclusive), or -1 when `buf` ends first (`scan` then holds where it stopped). It does not
 * validate: `JSON.parse` of the value does.
 */
export function scanValue(buf: string, from: number, scan: Scan): number {
  const n = buf.length;
  let i = from;
  if (scan.kind === 2) {
    while (i < n) {
      const c = buf.charCodeAt(i);
      if (isSpace(c) || c === 0x2c || c === 0x5d || c === 0x7d) return i;
      i++;
    }
    return -1;
  }
  let nextBackslash = -2;
  while (i < n) {
    if (scan.inString) {
      if (scan.escaped) {
        scan.escaped = false;
        i++;
        continue;
      }
      const q = buf.indexOf('"', i);
      if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = buf.indexOf('\\', i);
      if (nextBackslash !== -1 && (q === -1 || nextBackslash < q)) {
        scan.escaped = true;
        i = nextBackslash + 1;
        continue;
      }
      if (q === -1) return -1;
      scan.inString = false;
      i = q + 1;
      if (scan.kind === 1) return i;
      continue;
    }
    const c = buf.charCodeAt(i);
    if (c === 0x22) {
      scan.inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      scan.depth++;
    } else if (c === 0x7d || c === 0x5d) {
      if (--scan.depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/**
 * The offset of the first line at or after `from` (a line start, or any offset: the search
 * starts at the next line start) that is a YAML document start marker (`---` followed by a
 * blank, a line break or the end). A marker at the very end counts only when `final`.
 */
function nextMarkerLine(buf: string, from: number, final: boolean): number {
  let at = from;
  for (;;) {
    const nl = buf.indexOf('\n---', at - 1 < 0 ? 0 : at - 1);
    if (nl === -1) return -1;
    const m = nl + 1;
    const after = m + 3;
    if (after >= buf.length) return final ? m : -1;
    const c = buf.charCodeAt(after);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return m;
    at = m + 1;
  }
}

export type { Scan };
