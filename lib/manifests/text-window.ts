/**
 * A window on streamed text for a reader that scans it chunk by chunk (`manifest-stream-json.ts`):
 * the unconsumed text, the scan position, the line count, and the earlier pieces of a value that
 * spans chunks (kept as pieces, so a large value is joined once when it ends instead of being
 * copied with every chunk).
 */
import { countNewlines } from './text-lines';

/** Unconsumed text, a scan position in it, and its line count. */
export class TextWindow {
  /** Unconsumed text; `buf[linePos]` is at line `line`. */
  public buf = '';
  /** Scan position in `buf`. */
  public pos = 0;
  /** 1-based line of `buf[linePos]`. */
  public line = 1;
  public linePos = 0;
  /** Earlier pieces of the value being scanned (see `stash`). */
  public pending: string[] = [];
  public pendingLength = 0;

  /** Adds the next chunk of text. */
  public append(chunk: string): void {
    if (chunk.length > 0) this.buf = this.buf.length === 0 ? chunk : this.buf + chunk;
  }

  /** Moves the line counter to `to` (counting the line breaks on the way). */
  public advanceLine(to: number): void {
    if (to > this.linePos) {
      this.line += countNewlines(this.buf, this.linePos, to);
      this.linePos = to;
    }
  }

  /** The 1-based line of `buf[at]` (`at` at or after the line counter). */
  public lineAtPos(at: number): number {
    this.advanceLine(at);
    return this.line;
  }

  /** Drops the consumed text before `keep` (counting its lines): offsets in `buf` move back by `keep`. */
  public drop(keep: number): void {
    this.advanceLine(keep);
    this.buf = this.buf.slice(keep);
    this.pos -= keep;
    this.linePos -= keep;
  }

  /** Keeps `buf` from `start` as a piece of the value being scanned and empties `buf`. */
  public stash(start: number): void {
    const n = this.buf.length;
    if (start < n) {
      this.pending.push(this.buf.slice(start));
      this.pendingLength += n - start;
    }
    this.advanceLine(n);
    this.buf = '';
    this.pos = 0;
    this.linePos = 0;
  }

  /** The value's whole text: the stashed pieces and `buf` from `start` to `end`. */
  public take(start: number, end: number): string {
    if (this.pending.length === 0) return this.buf.slice(start, end);
    const text = this.pending.join('') + this.buf.slice(0, end);
    this.pending = [];
    this.pendingLength = 0;
    return text;
  }
}
