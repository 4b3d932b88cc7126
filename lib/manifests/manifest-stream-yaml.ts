/**
 * The YAML half of the stream reader (`manifest-stream.ts`): the stream is cut before each `---`
 * line (a document marker at column 0 cannot be content), and the complete documents are parsed
 * as a whole text is (`yaml-decoder.ts`). A document over the size limit is an error, skipped up
 * to the next marker without being kept in memory.
 */
import { ManifestSink, ParseLimits, StreamSource } from './manifest-objects';
import { countNewlines } from './text-lines';
import { parseYamlStream } from './yaml-decoder';

/**
 * Reads a stream of YAML text, document by document. Synchronous: the sink is called from `push`.
 */
export class YamlStreamReader {
  /** 1-based line of the next text pushed. */
  private line = 1;
  private first = true;
  /** Index of the open document. */
  private index = 0;
  /** The open document is over the limit: its text is dropped up to the next marker. */
  private skipping = false;
  /** Text of the open document (earlier chunks), joined once it is complete. */
  private pieces: string[] = [];
  private openLength = 0;
  /** An invalid `---` line was read: kubectl reads nothing after it, and neither does this reader. */
  private halted = false;
  /** The last characters read, for markers split across chunks. */
  private tail = '';

  constructor(
    private readonly source: StreamSource,
    private readonly sink: ManifestSink,
    private readonly limits: ParseLimits,
    private readonly maxBytes: number,
  ) {}

  /** Reads on with the next piece of text (`final`: the input ended after it). */
  public push(chunk: string, final: boolean): void {
    if (this.halted) return;
    const tail = this.tail;
    // The last marker line that starts in this chunk, or across its start (found in a few
    // characters around the seam, so the chunk itself is not copied): everything before it is
    // complete documents. Positions are in the chunk (negative: the marker began in the tail).
    let cutInChunk: number | undefined;
    const seam = tail + chunk.slice(0, 8);
    const seamIsEnd = final && chunk.length <= 8;
    for (let m = nextMarkerLine(seam, 1, seamIsEnd); m !== -1 && m <= tail.length; m = nextMarkerLine(seam, m + 1, seamIsEnd)) {
      cutInChunk = m - tail.length;
    }
    for (let m = nextMarkerLine(chunk, 1, final); m !== -1; m = nextMarkerLine(chunk, m + 1, final)) cutInChunk = m;
    this.tail = chunk.length >= 4 ? chunk.slice(chunk.length - 4) : (tail + chunk).slice(-4);
    const cut = cutInChunk === undefined ? -1 : 0;
    if (this.skipping) {
      if (cut === -1) {
        this.line += countNewlines(chunk, 0, chunk.length);
        return;
      }
      // the skipped document ends at the marker; what follows starts the next one
      const at = cutInChunk!;
      const from = Math.max(0, at);
      const marker = at < 0 ? '---'.slice(0, -at) : '';
      this.line += countNewlines(chunk, 0, from);
      this.skipping = false;
      this.index++;
      this.pieces = [];
      this.openLength = 0;
      this.tail = '';
      this.push(marker + chunk.slice(from), final);
      return;
    }
    if (cut !== -1 || final) {
      const whole = this.pieces.length === 0 ? chunk : this.pieces.join('') + chunk;
      const at = final ? whole.length : this.openLength + cutInChunk!;
      if (at > 0) this.parsePiece(whole.slice(0, at));
      const rest = whole.slice(at);
      this.pieces = rest.length > 0 ? [rest] : [];
      this.openLength = rest.length;
    } else {
      this.pieces.push(chunk);
      this.openLength += chunk.length;
    }
    // characters <= UTF-8 bytes: more characters than the limit is more bytes (a document just at
    // the limit in characters but over it in bytes is caught when it is parsed)
    if (!final && this.openLength > this.maxBytes) {
      this.error(`document ${this.index} (line ${this.line}) is more than the limit of ${this.maxBytes} bytes (--max-bytes); skipped`, this.line, this.index);
      const dropped = this.pieces;
      for (const piece of dropped) this.line += countNewlines(piece, 0, piece.length);
      this.pieces = [];
      this.openLength = 0;
      this.skipping = true;
      // the dropped text's last characters stay in tail for a marker split across chunks
    }
  }

  private parsePiece(text: string): void {
    const begin = this.first && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.first = false;
    const count = parseYamlStream({ name: this.source.name, uri: this.source.uri, text }, this.sink, this.limits, begin,
      { line: this.line, index: this.index }, this.maxBytes, () => { this.halted = true; });
    this.index += count;
    this.line += countNewlines(text, 0, text.length);
  }

  private error(message: string, line?: number, index?: number): void {
    this.sink.error({ file: this.source.name, uri: this.source.uri, line, index, message });
  }
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
