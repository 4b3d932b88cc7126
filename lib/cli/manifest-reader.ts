/**
 * Reading manifests from the command line's inputs: files, folders (recursing into
 * `*.yaml`, `*.yml`, `*.json`, and Dockerfiles when the command reads them) and `-` for standard input, then parsing them with
 * `manifest-parser.ts`. Shared by every CLI command that reads manifests.
 *
 * Manifests are streamed (`manifest-stream.ts`): read in chunks and reported object by object,
 * so memory is bounded by the largest document or List item and `maxBytes` limits each of them.
 * A regular file of at most one chunk is read in one synchronous read and fed as that one chunk
 * (issue 23, start-up: no file stream, whose modules an audit of one small file would load only
 * for it).
 * Commands that edit whole texts (`text`, e.g. `harden`) and Dockerfiles get each input whole,
 * and there `maxBytes` limits the input.
 *
 * Each input that cannot be read gives one error and the others are still read:
 * missing or unreadable files, files over the size cap, binary files, symlink loops and
 * dangling symlinks found while recursing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { StringDecoder } from 'string_decoder';
import { isDockerfileName } from './dockerfile-name';
import { manifestParser } from './lazy';
import { DEFAULT_PARSE_LIMITS, ManifestError, ManifestSink, ManifestSource, ParseLimits } from '../manifests/manifest-objects';
import { ManifestStreamParser } from '../manifests/manifest-stream';
import { errorMessage } from '../manifests/text-lines';

/**
 * Default cap on one document or List item (streamed inputs), or on one whole input (Dockerfiles,
 * and commands that edit whole texts): 256 MiB.
 */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** Size of the chunks streamed inputs are read in (larger chunks cost memory and save nothing measurable). */
export const CHUNK_BYTES = 256 * 1024;

/** Progress of a streamed input, reported after each chunk. */
export interface ReadProgress {
  /** The input's display name. */
  readonly name: string;
  /** Bytes of this input read so far. */
  readonly bytes: number;
  /** Its size, when known (a regular file). */
  readonly total?: number;
}

/** What `readManifests` read. */
export interface ReadSummary {
  /** Inputs (files, standard input) that were read, whether or not they held objects. */
  readonly inputs: number;
}

/** Options of `readManifests`. */
export interface ReadOptions {
  /** The directory relative paths are resolved against, and SARIF URIs are relative to. */
  readonly cwd: string;
  /** Standard input, read when an input is `-`. */
  readonly stdin: NodeJS.ReadableStream;
  /** Maximum size of one input in bytes. */
  readonly maxBytes?: number;
  /** Parser limits (aliases, depth). */
  readonly limits?: ParseLimits;
  /**
   * Receives every Dockerfile (see `isDockerfileName`) given directly or found in a folder,
   * instead of the manifest parser.
   * @default - Dockerfiles in folders are ignored; one given directly is parsed as a manifest (and fails)
   */
  readonly dockerfile?: (source: ManifestSource) => void;
  /**
   * Receives every manifest text instead of the parser (for commands that edit the text, e.g. `harden`).
   * @default - texts are parsed and their objects reported to the sink
   */
  readonly text?: (source: ManifestSource) => void;
  /**
   * Called after each chunk of a streamed input.
   * @default - no progress
   */
  readonly progress?: (progress: ReadProgress) => void;
}

/** Extensions of the files read from folders. */
const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;

/** Name shown for standard input. */
export const STDIN_NAME = '<stdin>';

/**
 * Reads and parses every input in order, reporting objects and errors to `sink` as it goes.
 * Manifests are streamed (see the file comment); a folder in which no manifest is found is an error.
 */
export async function readManifests(inputs: readonly string[], options: ReadOptions, sink: ManifestSink): Promise<ReadSummary> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const limits = options.limits ?? DEFAULT_PARSE_LIMITS;
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  let stdinRead = false;
  let read = 0;

  const dockerfile = options.dockerfile;
  const whole = (name: string): boolean => options.text !== undefined || (dockerfile !== undefined && isDockerfileName(path.basename(name)));
  const parse = (source: ManifestSource): void => {
    read++;
    if (dockerfile && isDockerfileName(path.basename(source.name))) dockerfile(source);
    else if (options.text) options.text(source);
    else manifestParser().parseManifests(source, sink, limits);
  };
  const wanted = (name: string): boolean => MANIFEST_EXTENSION.test(name) || (dockerfile !== undefined && isDockerfileName(name));
  const fail = (name: string, message: string): void => sink.error({ file: name, uri: uriOf(options.cwd, name), message });
  type Input = NodeJS.ReadableStream | AsyncIterable<Buffer>;
  const streamed = async (name: string, input: Input, total: number | undefined, what: string): Promise<void> => {
    read++;
    const parser = new ManifestStreamParser({ name, uri: uriOf(options.cwd, name) }, sink, { maxBytes, limits });
    const problem = await streamInput(input, parser, bytes => options.progress?.({ name, bytes, total }))
      .catch((e: unknown) => ((e as NodeJS.ErrnoException | undefined)?.code !== undefined ? describeFsError(e, false) : `cannot read ${what}: ${errorMessage(e)}`));
    if (problem !== undefined) fail(name, problem);
  };

  for (const input of inputs) {
    if (input === '-') {
      if (stdinRead) {
        fail(STDIN_NAME, 'standard input (`-`) was given more than once; it is read once');
        continue;
      }
      stdinRead = true;
      if (!whole(STDIN_NAME)) {
        await streamed(STDIN_NAME, options.stdin, undefined, 'standard input');
        continue;
      }
      const text = await readStream(options.stdin, maxBytes).catch((e: unknown) => ({ error: `cannot read standard input: ${errorMessage(e)}` }));
      if (typeof text !== 'string') {
        fail(STDIN_NAME, text.error);
        continue;
      }
      parse({ name: STDIN_NAME, uri: 'stdin', text });
      continue;
    }
    const absolute = path.resolve(options.cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch (e) {
      fail(input, describeFsError(e, isSymlink(absolute)));
      continue;
    }
    const jobs: Job[] = [];
    const ctx: WalkContext = { cwd: options.cwd, maxBytes, seenFiles, seenDirs, jobs, wanted };
    if (stat.isDirectory()) {
      walkDirectory(input, absolute, [], ctx);
      if (!jobs.some(j => j.file !== undefined) && !jobs.some(j => j.error !== undefined)) {
        fail(input, `no manifests found: the folder holds no *.yaml, *.yml or *.json file${dockerfile ? ' and no Dockerfile' : ''}. Fix: point at the folder that holds the manifests.`);
      }
    } else {
      addFile(input, absolute, stat, ctx);
    }
    for (const job of jobs) {
      if (job.error !== undefined) {
        fail(job.name, job.error);
      } else if (job.file !== undefined) {
        if (whole(job.name)) {
          const source = readWhole(job.name, job.file.absolute, job.file.stat, ctx);
          if (typeof source === 'string') fail(job.name, source);
          else parse(source);
        } else {
          const size = job.file.stat.isFile() ? job.file.stat.size : undefined;
          const small = size !== undefined && size <= CHUNK_BYTES;
          await streamed(job.name, small ? oneChunk(job.file.absolute) : fs.createReadStream(job.file.absolute, { highWaterMark: CHUNK_BYTES }), size, 'the file');
        }
      }
    }
  }
  return { inputs: read };
}

/**
 * A regular file no larger than a chunk, as the one chunk a file stream would give: read on first
 * use, an error (the file gone, unreadable) rejecting as the stream's does.
 */
async function* oneChunk(absolute: string): AsyncGenerator<Buffer> {
  yield fs.readFileSync(absolute);
}

/**
 * Streams an input into the parser: checks each chunk for binary and UTF-16 text, decodes
 * UTF-8 (characters split across chunks included). Resolves to a problem that stopped it, if any.
 */
async function streamInput(
  input: NodeJS.ReadableStream | AsyncIterable<Buffer>,
  parser: ManifestStreamParser,
  progress: (bytes: number) => void,
): Promise<string | undefined> {
  const decoder = new StringDecoder('utf8');
  // Whether the decoder holds no bytes of a character: then a chunk that ends in an ASCII byte (no
  // character split at its end) decodes as `toString` decodes it, without the decoder's copy (issue 23).
  let whole = true;
  let bytes = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const problem = binaryProblem(buf, bytes === 0);
    if (problem !== undefined) {
      (input as { destroy?: () => void }).destroy?.();
      parser.end();
      return problem;
    }
    bytes += buf.length;
    const endsInAscii = buf.length > 0 && buf[buf.length - 1] < 0x80;
    parser.write(whole && endsInAscii ? buf.toString('utf8') : decoder.write(buf));
    // an ASCII byte ends every character before it: the decoder holds nothing after it
    if (buf.length > 0) whole = endsInAscii;
    progress(bytes);
  }
  parser.write(decoder.end());
  parser.end();
  return undefined;
}

interface WalkContext {
  readonly cwd: string;
  readonly maxBytes: number;
  readonly seenFiles: Set<string>;
  readonly seenDirs: Set<string>;
  /** Files to read and errors, in order. */
  readonly jobs: Job[];
  /** Whether a file found in a folder is read. */
  readonly wanted: (basename: string) => boolean;
}

/** A file to read, or an error, in input order. */
interface Job {
  readonly name: string;
  readonly file?: { readonly absolute: string; readonly stat: fs.Stats };
  readonly error?: string;
}

/** Recurses into a folder in name order; `ancestors` are the real paths of the folders above (loop detection). */
function walkDirectory(name: string, absolute: string, ancestors: readonly string[], ctx: WalkContext): void {
  const fail = (n: string, error: string): number => ctx.jobs.push({ name: n, error });
  let real: string;
  try {
    real = fs.realpathSync(absolute);
  } catch (e) {
    fail(name, describeFsError(e, true));
    return;
  }
  if (ancestors.includes(real)) {
    fail(name, `symlink loop: ${name} leads back to ${real}, a folder being read; skipped`);
    return;
  }
  if (ctx.seenDirs.has(real)) return; // already read through another path
  ctx.seenDirs.add(real);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(absolute, { withFileTypes: true });
  } catch (e) {
    fail(name, describeFsError(e, false));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const below = [...ancestors, real];
  for (const entry of entries) {
    const childName = path.join(name, entry.name);
    const childAbsolute = path.join(absolute, entry.name);
    if (entry.isDirectory()) {
      walkDirectory(childName, childAbsolute, below, ctx);
    } else if (entry.isFile()) {
      if (ctx.wanted(entry.name)) addFile(childName, childAbsolute, undefined, ctx);
    } else if (entry.isSymbolicLink()) {
      let stat: fs.Stats;
      try {
        stat = fs.statSync(childAbsolute);
      } catch (e) {
        // Report a broken link only where a manifest was expected (or it may be a folder).
        if (ctx.wanted(entry.name) || !path.extname(entry.name)) fail(childName, describeFsError(e, true));
        continue;
      }
      if (stat.isDirectory()) walkDirectory(childName, childAbsolute, below, ctx);
      else if (stat.isFile() && ctx.wanted(entry.name)) addFile(childName, childAbsolute, stat, ctx);
    }
    // sockets, FIFOs, devices inside folders are not manifests: ignored
  }
}

/** Queues one file (or FIFO, e.g. `<(kubectl get ...)`) given on the command line or found in a folder; read once. */
function addFile(name: string, absolute: string, stat: fs.Stats | undefined, ctx: WalkContext): void {
  try {
    const real = fs.realpathSync(absolute);
    if (ctx.seenFiles.has(real)) return; // the same file through another path: read once
    ctx.seenFiles.add(real);
    ctx.jobs.push({ name, file: { absolute, stat: stat ?? fs.statSync(absolute) } });
  } catch (e) {
    ctx.jobs.push({ name, error: describeFsError(e, false) });
  }
}

/** Reads a whole input (Dockerfiles, commands that edit texts): the source, or the problem. */
function readWhole(name: string, absolute: string, s: fs.Stats, ctx: WalkContext): ManifestSource | string {
  let buffer: Buffer;
  try {
    if (s.isFile()) {
      if (s.size > ctx.maxBytes) return `file is ${s.size} bytes, more than the limit of ${ctx.maxBytes} bytes (--max-bytes); skipped`;
      buffer = fs.readFileSync(absolute);
      if (buffer.length > ctx.maxBytes) return `file is more than the limit of ${ctx.maxBytes} bytes (--max-bytes); skipped`;
    } else {
      const read = readFdCapped(absolute, ctx.maxBytes);
      if (read === undefined) return `input is more than the limit of ${ctx.maxBytes} bytes (--max-bytes); skipped`;
      buffer = read;
    }
  } catch (e) {
    return describeFsError(e, false);
  }
  const text = decode(buffer);
  if (typeof text !== 'string') return text.error;
  return { name, uri: uriOf(ctx.cwd, name), text };
}

/** Reads a non-regular file (pipe, device) up to `max` bytes; undefined when it has more. */
function readFdCapped(absolute: string, max: number): Buffer | undefined {
  const fd = fs.openSync(absolute, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(65536);
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) return undefined;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a stream to the end, up to `max` bytes, then decodes it. */
async function readStream(stream: NodeJS.ReadableStream, max: number): Promise<string | { error: string }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > max) {
      // Stop reading; the producer gets EPIPE or blocks, as with `head`.
      return { error: `standard input is more than the limit of ${max} bytes (--max-bytes); skipped` };
    }
    chunks.push(buf);
  }
  return decode(Buffer.concat(chunks, total));
}

/** Bytes to text: UTF-8, rejecting binary (NUL bytes) and UTF-16/32 input with a clear message. */
function decode(buffer: Buffer): string | { error: string } {
  const problem = binaryProblem(buffer, true);
  return problem === undefined ? buffer.toString('utf8') : { error: problem };
}

/** Why bytes are not a manifest's UTF-8 text (NUL bytes: binary, or UTF-16/32), or undefined. */
function binaryProblem(buffer: Buffer, atStart: boolean): string | undefined {
  if (buffer.indexOf(0) === -1) return undefined;
  const utf16 = atStart && buffer.length >= 2 && ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff));
  return utf16
    ? 'UTF-16 text: save it as UTF-8 (Kubernetes manifests are UTF-8)'
    : 'binary file (it contains NUL bytes): not a YAML or JSON manifest';
}

function isSymlink(absolute: string): boolean {
  try {
    return fs.lstatSync(absolute).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A sentence for a file system error. */
function describeFsError(e: unknown, isLink: boolean): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return isLink ? 'dangling symlink: its target does not exist' : 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ELOOP':
      return 'symlink loop (ELOOP): the link resolves to itself';
    case 'ENOTDIR':
      return 'not a folder (ENOTDIR): a path component is a file';
    case 'EISDIR':
      return 'is a folder (EISDIR)';
    default:
      return `cannot read: ${errorMessage(e)}`;
  }
}

/** The SARIF URI of an input: relative to `cwd`, forward slashes, percent-encoded segments. */
export function uriOf(cwd: string, name: string): string {
  if (name === STDIN_NAME) return 'stdin';
  const relative = path.relative(cwd, path.resolve(cwd, name)) || path.basename(name);
  return relative.split(path.sep).map(encodeURIComponent).join('/');
}

export type { ManifestError, ManifestSink, ManifestSource };
