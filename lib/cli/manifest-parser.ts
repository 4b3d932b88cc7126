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
 * Reads concatenated JSON objects as kubectl's JSON decoder does; an error at the first text that
 * is not one (kubectl reads no further). Returns false, having reported nothing, when not even the
 * first value is JSON (then the text is read as YAML, e.g. a flow mapping).
 */
function jsonStream(source: ManifestSource, sink: ManifestSink, first: number): boolean {
  const text = source.text;
  const scan: Scan = { kind: 0, depth: 0, inString: false, escaped: false };
  let i = first;
  let index = 0;
  while (i < text.length) {
    const start = i;
    startScan(scan, text.charCodeAt(i));
    const end = text.charCodeAt(i) === 0x7b ? scanValue(text, i + 1, scan) : -1;
    let value: unknown;
    let ok = end !== -1;
    if (ok) {
      try {
        value = JSON.parse(text.slice(start, end));
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      if (index === 0) return false;
      sink.error({
        file: source.name,
        uri: source.uri,
        line: lineAt(text, start),
        index,
        message: `document ${index} (line ${lineAt(text, start)}): not a JSON object, and kubectl reads a stream that starts with { as JSON: it reads nothing from here on`,
      });
      return true;
    }
    emitValue(source, sink, value, index, lineAt(text, start), [start, end], lineAt(text, start), () => jsonItemOffsets(text.slice(0, end), start));
    index++;
    i = skipSpace(text, end);
  }
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
