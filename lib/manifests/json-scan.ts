/**
 * The exact JSON value scanner of the stream reader (`manifest-stream-json.ts`): finds where a
 * JSON value ends without parsing it (strings and their escapes skipped, brackets counted), and
 * can resume where a chunk ended. It does not validate: `JSON.parse` of the value does.
 *
 * For pretty-printed JSON, as kubectl writes it, there is a faster way that gives the same
 * answer (`fastItemEnd`): a line break cannot occur inside a JSON string, so an item's closing
 * `}` is the first one that starts a line at the item's own indentation; `JSON.parse` of the
 * candidate succeeds only when it is exactly the item (a slice that starts at `{` and parses
 * ends at its matching `}`), and when it does not, the exact scanner decides.
 */

/** Resumable state of the exact value scanner. */
export interface Scan {
  /** 0: an object or array; 1: a string; 2: a literal (number, true, false, null). */
  kind: number;
  depth: number;
  inString: boolean;
  escaped: boolean;
}

export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipSpace(buf: string, i: number): number {
  const n = buf.length;
  while (i < n && isSpace(buf.charCodeAt(i))) i++;
  return i;
}

function isIndent(buf: string, from: number, to: number, like: number): boolean {
  for (let i = from; i < to; i++) if (buf.charCodeAt(i) !== buf.charCodeAt(like + (i - from))) return false;
  return true;
}

export function describeChar(buf: string, i: number): string {
  return JSON.stringify(buf.slice(i, i + 12));
}

/** The end (exclusive) of a JSON string whose content starts at `from`, or -1 when `buf` ends first. */
export function stringEnd(buf: string, from: number): number {
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

export function startScan(scan: Scan, c: number): void {
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
 * The pretty-printing fast path (see the file comment): the first line break followed by the
 * item's indentation and `}`. -1 when the item is not pretty-printed, or the candidate is not
 * in `buf` yet (then the exact scanner takes over).
 */
export function fastItemEnd(buf: string, start: number, maxBytes: number): number {
  // The item's `{` must start its line and be followed by a line break.
  let k = start - 1;
  while (k >= 0 && (buf.charCodeAt(k) === 0x20 || buf.charCodeAt(k) === 0x09)) k--;
  if (k < 0 || buf.charCodeAt(k) !== 0x0a) return -1;
  const indent = start - (k + 1);
  const after = buf.charCodeAt(start + 1);
  if (after !== 0x0a && !(after === 0x0d && buf.charCodeAt(start + 2) === 0x0a)) return -1;
  const limit = Math.min(buf.length, start + maxBytes);
  let nl = buf.indexOf('\n', start + 1);
  while (nl !== -1 && nl < limit) {
    const close = nl + 1 + indent;
    if (buf.charCodeAt(close) === 0x7d && isIndent(buf, nl + 1, close, start - indent)) return close + 1;
    nl = buf.indexOf('\n', nl + 1);
  }
  return -1;
}
