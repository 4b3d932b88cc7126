/**
 * Parsing Kubernetes manifests from text: multi-document YAML, JSON, `kind: List`
 * (e.g. `kubectl get pods -A -o json`), Helm template output.
 *
 * Pure functions over one text: no file system access (see `manifest-reader.ts`).
 * Shared by every CLI command that reads manifests (`audit`, `harden`) and the plugin.
 *
 * Speed: auditing is mostly parsing, so this avoids a YAML document API. Text that starts
 * with `{` or `[` takes `JSON.parse`. A YAML stream is split at its document markers
 * (`yaml-splitter.ts`) and each document is parsed on its own (`yaml-decoder.ts`, which also
 * bounds what hostile input can cost). The line of an item of a `kind: List` is computed only
 * when a report asks for it (`item-offsets.ts`). What comes out is in `manifest-objects.ts`.
 */
import { jsonItemOffsets } from './item-offsets';
import { Scan, scanValue, skipSpace, startScan } from './json-scan';
import { DEFAULT_PARSE_LIMITS, ManifestSink, ManifestSource, ParseLimits, emitValue } from './manifest-objects';
import { errorMessage, lineAt } from './text-lines';
import { parseYamlStream } from './yaml-decoder';

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
      // Not one JSON value. kubectl reads concatenated JSON objects; a YAML flow collection also
      // starts with `{` or `[`: parse it as YAML, unless the file says it is JSON, where JSON's own
      // message is the useful one.
      if (c === 0x7b && jsonStream(source, sink, first)) return;
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

/**
 * Reads concatenated JSON objects (`{...} {...}`) as kubectl's JSON decoder does. Returns false,
 * having reported nothing, unless the whole text is such objects: then it is read as YAML (a flow
 * mapping; JSON documents between `---` lines, which kubectl refuses after the first: the reader
 * reads more than kubectl there, never something else).
 */
function jsonStream(source: ManifestSource, sink: ManifestSink, first: number): boolean {
  const text = source.text;
  const scan: Scan = { kind: 0, depth: 0, inString: false, escaped: false };
  const values: Array<{ value: unknown; start: number; end: number }> = [];
  let i = first;
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x7b) return false;
    startScan(scan, 0x7b);
    const end = scanValue(text, i + 1, scan);
    if (end === -1) return false;
    try {
      values.push({ value: JSON.parse(text.slice(i, end)), start: i, end });
    } catch {
      return false;
    }
    i = skipSpace(text, end);
  }
  values.forEach(({ value, start, end }, index) => {
    const line = lineAt(text, start);
    emitValue(source, sink, value, index, line, [start, end], line, () => jsonItemOffsets(text.slice(0, end), start));
  });
  return true;
}

function firstNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}
