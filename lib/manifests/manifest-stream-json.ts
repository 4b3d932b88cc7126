/**
 * The JSON half of the stream reader (`manifest-stream.ts`): the root value is split without
 * parsing it whole. The elements of a root array, and of the `items` array of a root object, are
 * each parsed on their own with `JSON.parse`; the root object's other fields (`apiVersion`,
 * `kind`, `metadata`) are kept. Several root values one after the other
 * (`kubectl get -o json --watch`) are documents 0, 1, 2 … A root object without an `items` array
 * is one object.
 *
 * Where an item ends is found by `json-scan.ts` (exactly, or by the pretty-printing fast path).
 *
 * Text that starts with `{` but is not JSON, before anything was reported, is handed back
 * (`NOT_JSON`): a YAML flow mapping also starts with `{`.
 */
import { Scan, describeChar, fastItemEnd, scanValue, skipSpace, startScan, stringEnd } from './json-scan';
import { ManifestObject, ManifestSink, ObjectLocation, StreamSource, emitValue } from './manifest-objects';
import { errorMessage } from './text-lines';
import { TextWindow } from './text-window';
import { inheritListKind } from '../policy/k8s-shapes';

/** Where the JSON reader is. */
export const enum JsonStatus {
  /** Reading JSON. */
  READING,
  /** Stopped at an error that was reported (invalid or truncated JSON, a root field over the limit). */
  FAILED,
  /** Not JSON after all, and nothing was reported: `takeText()` holds the whole input for the YAML reader. */
  NOT_JSON,
}

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

/**
 * Reads a stream of JSON text (see the file comment). Synchronous: the sink is called from `push`.
 */
export class JsonStreamReader {
  /** Reading, failed, or handed back as not JSON. */
  public status = JsonStatus.READING;

  /** The text, the scan position and the line count. */
  private readonly text = new TextWindow();
  /** Nothing reported yet: the text may still be handed back as not JSON. */
  private pristine = true;

  private j = J.ROOT;
  private doc = -1;
  private rootIsArray = false;
  private rootLine = 1;
  private rootFields: Record<string, unknown> = {};
  private rootFieldBytes = 0;
  private key = '';
  private streamedItems = false;
  /** Items with neither kind nor apiVersion, seen before the root's kind and apiVersion: they take the list's (at its end). */
  private pendingItems: Array<{ value: Record<string, unknown>; text: string; item: number; line: number }> = [];
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
   * @param start where the JSON starts in the first chunk (1 after a byte order mark)
   */
  constructor(
    private readonly source: StreamSource,
    private readonly sink: ManifestSink,
    private readonly maxBytes: number,
    private readonly isJsonFile: boolean,
    start: number,
  ) {
    this.text.pos = start;
  }

  /** Reads on with the next piece of text (`final`: the input ended after it). */
  public push(chunk: string, final: boolean): void {
    if (this.status !== JsonStatus.READING) return;
    this.text.append(chunk);
    this.runJson(final);
    if (this.status === JsonStatus.READING && final && this.j !== J.ROOT) this.truncated();
    else if (this.status === JsonStatus.READING && !final) this.compact();
  }

  /** The whole input read so far, when it turned out not to be JSON (`NOT_JSON`). */
  public takeText(): string {
    const text = this.text.buf;
    this.text.buf = '';
    return text;
  }

  /** Drops consumed text (once per chunk, not per item). */
  private compact(): void {
    if (this.pristine) return;
    let keep = this.text.pos;
    if (this.j === J.IN_ELEMENT && !this.skipping) keep = this.itemStart;
    else if (this.j === J.FIELD) keep = this.fieldStart;
    if (keep === 0) return;
    this.text.drop(keep);
    this.itemStart -= keep;
    this.fieldStart -= keep;
  }

  /** Keeps the text from `start` as a piece of the value being scanned (see `TextWindow.stash`). */
  private stash(start: number): void {
    this.text.stash(start);
    this.itemStart = 0;
    this.fieldStart = 0;
  }

  private error(message: string, line?: number, index?: number): void {
    this.pristine = false;
    this.sink.error({ file: this.source.name, uri: this.source.uri, line, index, message });
  }

  private fail(message: string, line?: number, index?: number): void {
    // Not JSON after all, and nothing reported yet: a YAML flow mapping also starts with `{`.
    if (this.pristine && !this.isJsonFile) {
      this.status = JsonStatus.NOT_JSON;
      this.text.pos = 0;
      this.text.line = 1;
      this.text.linePos = 0;
      return;
    }
    this.error(message, line, index);
    this.status = JsonStatus.FAILED;
    this.text.buf = '';
  }

  // -------------------------------------------------------------------------------------
  // JSON

  private runJson(final: boolean): void {
    for (;;) {
      if (this.status !== JsonStatus.READING) return;
      const buf = this.text.buf;
      const n = buf.length;
      switch (this.j) {
        case J.ROOT: {
          const i = skipSpace(buf, this.text.pos);
          this.text.pos = i;
          if (i >= n) return;
          const c = buf.charCodeAt(i);
          if (c !== 0x7b && c !== 0x5b) {
            this.fail(`invalid JSON: unexpected ${describeChar(buf, i)} after the JSON value (line ${this.text.lineAtPos(i)})`, this.text.lineAtPos(i), this.doc + 1);
            return;
          }
          this.doc++;
          this.rootIsArray = c === 0x5b;
          this.rootLine = this.text.lineAtPos(i);
          this.rootFields = {};
          this.rootFieldBytes = 0;
          this.streamedItems = false;
          this.pendingItems = [];
          this.item = 0;
          this.text.pos = i + 1;
          this.j = this.rootIsArray ? J.ELEMENT : J.KEY;
          if (this.rootIsArray) this.streamedItems = true;
          break;
        }
        case J.KEY: {
          const i = skipSpace(buf, this.text.pos);
          this.text.pos = i;
          if (i >= n) return;
          const c = buf.charCodeAt(i);
          if (c === 0x7d /* } */) {
            this.text.pos = i + 1;
            this.endRoot();
            this.j = J.ROOT;
            break;
          }
          if (c !== 0x22) {
            this.fail(`invalid JSON: expected a key or } but found ${describeChar(buf, i)} (line ${this.text.lineAtPos(i)})`, this.text.lineAtPos(i), this.doc);
            return;
          }
          const end = stringEnd(buf, i + 1);
          if (end === -1) {
            if (n - i > this.maxBytes) this.fail(`a key of document ${this.doc} is more than the limit of ${this.maxBytes} bytes (--max-bytes)`, this.text.lineAtPos(i), this.doc);
            return;
          }
          try {
            this.key = JSON.parse(buf.slice(i, end)) as string;
          } catch (e) {
            this.fail(`invalid JSON: ${errorMessage(e)} (line ${this.text.lineAtPos(i)})`, this.text.lineAtPos(i), this.doc);
            return;
          }
          this.text.pos = end;
          this.j = J.COLON;
          break;
        }
        case J.COLON: {
          const i = skipSpace(buf, this.text.pos);
          this.text.pos = i;
          if (i >= n) return;
          if (buf.charCodeAt(i) !== 0x3a) {
            this.fail(`invalid JSON: expected : after the key ${JSON.stringify(this.key)} (line ${this.text.lineAtPos(i)})`, this.text.lineAtPos(i), this.doc);
            return;
          }
          this.text.pos = i + 1;
          this.j = J.VALUE;
          break;
        }
        case J.VALUE: {
          const i = skipSpace(buf, this.text.pos);
          this.text.pos = i;
          if (i >= n) return;
          if (this.key === 'items' && buf.charCodeAt(i) === 0x5b) {
            // kubectl reads any object with items as a list, whatever its kind
            this.streamedItems = true;
            this.item = 0;
            this.text.pos = i + 1;
            this.j = J.ELEMENT;
            break;
          }
          this.fieldStart = i;
          this.fieldLine = this.text.lineAtPos(i);
          startScan(this.scan, buf.charCodeAt(i));
          this.text.pos = i + 1;
          this.j = J.FIELD;
          break;
        }
        case J.FIELD: {
          const end = this.scanOn(buf, this.text.pos, final);
          if (end === -1) {
            this.text.pos = n;
            if (this.text.pendingLength + n - this.fieldStart + this.rootFieldBytes > this.maxBytes) {
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
          const text = this.text.take(this.fieldStart, end);
          this.rootFieldBytes += text.length;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (e) {
            this.fail(`invalid JSON in the field ${JSON.stringify(this.key)} of document ${this.doc}: ${errorMessage(e)} (line ${this.fieldLine})`, this.fieldLine, this.doc);
            return;
          }
          Object.defineProperty(this.rootFields, this.key, { value, enumerable: true, writable: true, configurable: true });
          this.text.pos = end;
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
          const i = skipSpace(buf, this.text.pos);
          this.text.pos = i;
          if (i >= n) return;
          const c = buf.charCodeAt(i);
          if (c === 0x5d /* ] */ && this.item === 0) {
            this.text.pos = i + 1;
            this.endItems();
            break;
          }
          this.itemStart = i;
          this.itemLine = this.text.lineAtPos(i);
          this.skipping = false;
          this.pristine = false;
          startScan(this.scan, c);
          if (c === 0x7b && this.fastPath) {
            const end = fastItemEnd(buf, i, this.maxBytes);
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
                this.text.pos = end;
                this.j = J.ELEMENT_END;
                break;
              }
              this.fastPath = false;
            }
          }
          this.text.pos = i + 1;
          this.j = J.IN_ELEMENT;
          break;
        }
        case J.IN_ELEMENT: {
          const end = this.scanOn(buf, this.text.pos, final);
          if (end === -1) {
            this.text.pos = n;
            if (!this.skipping && this.text.pendingLength + n - this.itemStart > this.maxBytes) {
              this.skipping = true;
              this.text.pending = [];
              this.text.pendingLength = 0;
              this.error(`${this.itemName()} is more than the limit of ${this.maxBytes} bytes (--max-bytes); skipped`, this.itemLine, this.doc);
            }
            if (final) {
              this.truncated();
              return;
            }
            if (this.skipping) {
              // nothing of it is kept: count its lines and drop it
              this.text.advanceLine(n);
              this.text.buf = '';
              this.text.pos = 0;
              this.text.linePos = 0;
              this.itemStart = 0;
            } else {
              this.stash(this.itemStart);
            }
            return;
          }
          if (!this.skipping) {
            const text = this.text.take(this.itemStart, end);
            if (text.length * 3 > this.maxBytes && Buffer.byteLength(text) > this.maxBytes) {
              this.error(`${this.itemName()} is more than the limit of ${this.maxBytes} bytes (--max-bytes); skipped`, this.itemLine, this.doc);
            } else {
              let value: unknown;
              try {
                value = JSON.parse(text);
              } catch (e) {
                this.error(`${this.itemName()}: invalid JSON: ${errorMessage(e)}`, this.itemLine, this.doc);
                this.text.pos = end;
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
          this.text.pos = end;
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
    const i = skipSpace(buf, this.text.pos);
    this.text.pos = i;
    if (i >= buf.length) return false;
    const c = buf.charCodeAt(i);
    if (c === 0x2c) {
      this.text.pos = i + 1;
      this.j = next;
      return true;
    }
    if (c === close) {
      this.text.pos = i + 1;
      closed();
      return true;
    }
    const line = this.text.lineAtPos(i);
    this.fail(`invalid JSON: expected , or ${String.fromCharCode(close)} after ${after} but found ${describeChar(buf, i)} (line ${line})`, line, this.doc);
    return false;
  }

  /** Scans on from `from` with the exact scanner; the end (exclusive) or -1 when the text ends first. */
  private scanOn(buf: string, from: number, final: boolean): number {
    const end = scanValue(buf, from, this.scan);
    if (end === -1 && final && this.scan.kind === 2) return buf.length; // a literal ends with the input
    return end;
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
    const obj = value as Record<string, unknown>;
    if (this.pendingItems.length > 0 || (!this.rootIsArray && typeof obj.kind !== 'string' && typeof obj.apiVersion !== 'string'
      && (!('kind' in this.rootFields) || !('apiVersion' in this.rootFields)))) {
      // its kind comes from the list's, not read yet (`kubectl get -o json` prints kind after items); later items wait too, to keep the order
      this.pendingItems.push({ value: obj, text, item, line });
      return;
    }
    if (!this.rootIsArray) this.inherit(obj);
    this.reportItem(obj, text, item, line);
  }

  /** kubectl's reading of an item of a root object with a kind (a list, see `inheritListKind`); without a kind kubectl refuses the root. */
  private inherit(obj: Record<string, unknown>): void {
    const kind = this.rootFields.kind;
    if (typeof kind === 'string' && kind !== '') inheritListKind(obj, kind, this.rootFields.apiVersion);
  }

  private reportItem(obj: Record<string, unknown>, text: string, item: number, line: number): void {
    const source = { name: this.source.name, uri: this.source.uri, text };
    this.sink.object(new ManifestObject(source, this.doc, item, obj, new ObjectLocation(line), [0, text.length]));
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
      // kubectl reads any object with items as a list: the items, not the object, are applied
      for (const p of this.pendingItems) {
        this.inherit(p.value);
        this.reportItem(p.value, p.text, p.item, p.line);
      }
      this.pendingItems = [];
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
    for (const p of this.pendingItems) this.reportItem(p.value, p.text, p.item, p.line); // read before the cut
    this.pendingItems = [];
    this.error(`truncated input: it ends ${where}; the objects before it were read`, this.text.lineAtPos(Math.min(this.text.pos, this.text.buf.length)), this.doc);
    this.status = JsonStatus.FAILED;
    this.text.buf = '';
  }
}
