/**
 * Reading manifests from a stream, object by object: memory is bounded by the largest
 * document or List item, not by the input (a `kubectl get pods -A -o json` of a large cluster
 * is more than a gigabyte, more than V8's largest string).
 *
 * Text is pushed in with `write` (any chunking) and `end`; objects and errors go to the sink as
 * soon as they are complete, in input order. This module decides the format and hands the text
 * to its reader:
 *
 * - **JSON** (the input starts with `{` or `[`): `manifest-stream-json.ts` splits the root value
 *   without parsing it whole; each element of a root array, or of the `items` array of a root
 *   object, is parsed on its own. Text that starts with `{` but is not JSON goes to the YAML reader.
 * - **YAML**: `manifest-stream-yaml.ts` cuts the stream before each `---` line, and the complete
 *   documents are parsed as `manifest-parser.ts` parses a whole text.
 *
 * `maxBytes` limits one document or List item (and a JSON root object's fields besides `items`):
 * a larger one is an error, skipped without being kept in memory, and reading goes on after it.
 * Input that ends inside a value (truncated) is an error naming the item; what came before it
 * has been reported already.
 */
import { isSpace } from './json-scan';
import { DEFAULT_PARSE_LIMITS, ManifestSink, ParseLimits, StreamSource } from './manifest-objects';
import { JsonStatus, JsonStreamReader } from './manifest-stream-json';
import { YamlStreamReader } from './manifest-stream-yaml';

/** Options of `ManifestStreamParser`. */
export interface StreamOptions {
  /** Largest document or List item, in bytes of UTF-8. */
  readonly maxBytes: number;
  /** YAML parser limits (aliases, depth). */
  readonly limits?: ParseLimits;
}

/**
 * Splits a stream of manifest text into objects (see the file comment). Synchronous: the sink
 * is called from `write` and `end`. It finds out whether the text is JSON or YAML and hands it
 * to the reader of that format (`manifest-stream-json.ts`, `manifest-stream-yaml.ts`).
 */
export class ManifestStreamParser {
  private readonly limits: ParseLimits;
  private readonly maxBytes: number;
  private readonly isJsonFile: boolean;
  /** Text read before the format is known (only blank so far). */
  private undecided = '';
  private json: JsonStreamReader | undefined;
  private yaml: YamlStreamReader | undefined;

  constructor(private readonly source: StreamSource, private readonly sink: ManifestSink, options: StreamOptions) {
    this.maxBytes = options.maxBytes;
    this.limits = options.limits ?? DEFAULT_PARSE_LIMITS;
    this.isJsonFile = /\.json$/i.test(source.name);
  }

  /** Pushes the next piece of text. */
  public write(chunk: string): void {
    if (this.failed() || chunk.length === 0) return;
    this.run(chunk, false);
  }

  /** The input ended. */
  public end(): void {
    if (this.failed()) return;
    this.run('', true);
  }

  private failed(): boolean {
    return this.json?.status === JsonStatus.FAILED;
  }

  private run(chunk: string, final: boolean): void {
    let text = chunk;
    if (this.json === undefined && this.yaml === undefined) {
      // The first character that is not blank decides: `{` or `[` is JSON, anything else YAML.
      const buf = this.undecided.length === 0 ? chunk : this.undecided + chunk;
      const bom = buf.charCodeAt(0) === 0xfeff ? 1 : 0;
      let i = bom;
      while (i < buf.length && isSpace(buf.charCodeAt(i))) i++;
      if (i >= buf.length && !final) {
        this.undecided = buf;
        return;
      }
      this.undecided = '';
      const c = buf.charCodeAt(i);
      if (c === 0x7b || c === 0x5b) this.json = new JsonStreamReader(this.source, this.sink, this.maxBytes, this.isJsonFile, bom);
      else this.yaml = this.yamlReader();
      text = buf;
    }
    if (this.json !== undefined) {
      this.json.push(text, final);
      if (this.json.status !== JsonStatus.NOT_JSON) return;
      // Not JSON after all, and nothing reported yet: a YAML flow mapping also starts with `{`.
      text = this.json.takeText();
      this.json = undefined;
      this.yaml = this.yamlReader();
    }
    this.yaml!.push(text, final);
  }

  private yamlReader(): YamlStreamReader {
    return new YamlStreamReader(this.source, this.sink, this.limits, this.maxBytes);
  }
}
