/**
 * A V8 code cache for the bundled CLI on a Node without `module.enableCompileCache` (Node 20;
 * issue 23: start-up). lib/cli/bin.ts uses it only there: on Node 22.1 and later Node's own compile
 * cache is used instead, in the per-user folder `nodeCompileCacheDir` gives (unless
 * NODE_COMPILE_CACHE names one), never in Node's default, the shared temporary folder.
 *
 * `runBundle(file, parent)` loads `file` (lib/cli/bundle.js) as Node's CommonJS loader does (the
 * same wrapper arguments, `this`, `require` resolving from the bundle's folder, the module in
 * `require.cache`, line and column numbers and file name in stack traces) but compiles it with
 * `vm.Script` and V8's `cachedData`: a later run skips compiling the bundle and every function the
 * first run compiled. The cache data is written at exit of a run that had none (or had it rejected).
 *
 * Where and how it is safe, no weaker than Node's own cache:
 * - one file per bundle, Node version and architecture, named by the SHA-256 of the bundle's bytes
 *   as read at start (a changed bundle never gets the data of another), process.version and
 *   process.arch, which its header repeats; the header also holds the SHA-256 of the V8 data,
 *   checked before V8 sees it (V8 checks its version, flags and the source's length, not the data:
 *   corrupted data can crash the process; Node's own cache checks a checksum too);
 * - in a per-user folder, `$XDG_CACHE_HOME/cdk8s-rootless` (an absolute XDG_CACHE_HOME), else
 *   `~/.cache/cdk8s-rootless`, created 0700 and only when the nearest folder that exists is this
 *   user's (root with another user's HOME, `sudo -E`, would leave them a root-owned ~/.cache); never
 *   a shared temporary folder (a cache file there could be planted by another user: running it is
 *   code execution); none when the real and effective user ids differ (set-user-ID: HOME is the
 *   real user's, and V8 accepts the data of other code of the same length);
 * - read only when the folder (not a symbolic link) and the file (opened without following a link)
 *   are owned by `process.geteuid()` and not group- or world-writable; never where there is no
 *   getuid (Windows);
 * - written to a temporary file (exclusive create, 0600) renamed over the cache file;
 * - any error, an unsafe folder or file, a wrong header or checksum, or V8 rejecting the data:
 *   silently a normal compile (and the file is written again);
 * - off with `NODE_DISABLE_COMPILE_CACHE=1` (Node's own variable) or
 *   `CDK8S_ROOTLESS_NO_COMPILE_CACHE=1` (any value but empty or `0`): the bundle is then `require`d.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as nodeModule from 'module';
import * as path from 'path';
import * as vm from 'vm';

/** First bytes of a cache file, before the Node version, architecture, hashes and size. */
const MAGIC = 'cdk8s-rootless-v8-code-cache 2';
/**
 * Node's CommonJS wrapper, its head on a line of its own (compiled with lineOffset -1: the
 * bundle's line and column numbers are unchanged).
 */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {\n';
const WRAPPER_TAIL = '\n})';

/* eslint-disable no-bitwise */ // file modes and open flags are bit sets
/** Group- or world-writable mode bits. */
const WRITABLE_BY_OTHERS = 0o022;
/** Any access of the group or others. */
const OPEN_TO_OTHERS = 0o077;
/** Open to read, never through a symbolic link. */
const READ_NO_LINK = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;
/** Create a new file (failing when the name exists, a link included) to write. */
const CREATE_NEW = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/** Owned by this user (the effective one: whose rights the code runs with), and neither group- nor world-writable. */
function ownedAndPrivate(stat: fs.Stats): boolean {
  return stat.uid === process.geteuid!() && (stat.mode & WRITABLE_BY_OTHERS) === 0;
}
/** Owned by this user, and no access at all for the group or others. */
function ownedAndClosed(stat: fs.Stats): boolean {
  return stat.uid === process.geteuid!() && (stat.mode & OPEN_TO_OTHERS) === 0;
}
/* eslint-enable no-bitwise */

type ModuleWrapper = (exports: unknown, require: NodeRequire, module: NodeModule, filename: string, dirname: string) => void;

/** Whether an environment variable turns the cache off (set, and neither empty nor `0`). */
function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0';
}

/**
 * The folder of the cache: `$XDG_CACHE_HOME/cdk8s-rootless` (when XDG_CACHE_HOME is an absolute
 * path, as the XDG spec requires), else `$HOME/.cache/cdk8s-rootless`; undefined when the cache is
 * off (NODE_DISABLE_COMPILE_CACHE, CDK8S_ROOTLESS_NO_COMPILE_CACHE), the platform has no user ids,
 * the real and effective user ids differ, or there is no home folder.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (isSet(env.NODE_DISABLE_COMPILE_CACHE) || isSet(env.CDK8S_ROOTLESS_NO_COMPILE_CACHE)) return undefined;
  if (typeof process.getuid !== 'function' || typeof process.geteuid !== 'function') return undefined;
  // a set-user-ID process: HOME and XDG_CACHE_HOME are the real user's, whose files must not run with the effective user's rights
  if (process.getuid() !== process.geteuid()) return undefined;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'cdk8s-rootless');
  let home = env.HOME;
  try {
    home ||= (require('os') as typeof import('os')).homedir();
  } catch {
    return undefined; // no HOME and a user id without a passwd entry (a container run as an arbitrary uid): no cache
  }
  return home && path.isAbsolute(home) ? path.join(home, '.cache', 'cdk8s-rootless') : undefined;
}

/**
 * The folder for Node's own compile cache (Node 22.1 and later, `module.enableCompileCache(dir)`): `node-compile-cache` in
 * the per-user folder of `cacheDir`, created 0700 (only inside a folder of this user's); undefined when the cache is off,
 * when the folders are not this user's, or when `node-compile-cache` is open to others at all (not 0700: Node creates its
 * folders there with the umask). Node's default, the system's temporary folder, is shared by every user: a cache file
 * planted there is code run by whoever runs the CLI next.
 */
export function nodeCompileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = cacheDir(env);
  if (dir === undefined) return undefined;
  const own = path.join(dir, 'node-compile-cache');
  try {
    makeDir(own);
    if (!safeDir(dir)) return undefined;
    // closed to others, not only unwritable: Node creates its folders in it with the umask (0777 under umask 000) and reads
    // its files without checking who wrote them
    const stat = fs.lstatSync(own);
    return stat.isDirectory() && ownedAndClosed(stat) ? own : undefined;
  } catch {
    return undefined;
  }
}

/** The SHA-256 of bytes, in hex (the key of a bundle's cache: its bytes as read at start). */
export function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** The cache file's name for a bundle: the SHA-256 of its bytes, the Node version and the architecture. */
export function cacheFileName(bundleHash: string): string {
  return `bundle-${bundleHash}-${process.version}-${process.arch}.v8cache`;
}

/**
 * Creates `dir` and its missing parents (0700) when the nearest folder that exists is this user's; throws when it is not:
 * root with another user's HOME (`sudo -E`) would leave that user a root-owned ~/.cache they cannot write to.
 */
function makeDir(dir: string): void {
  let existing = dir;
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (existing === dir) return;
  if (fs.statSync(existing).uid !== process.geteuid!()) throw new Error(`${existing} is not this user's: no cache folder in it`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Whether `dir` is a folder (not a link) that only this user can write to. */
function safeDir(dir: string): boolean {
  const stat = fs.lstatSync(dir);
  return stat.isDirectory() && ownedAndPrivate(stat);
}

function header(bundleHash: string, data: Buffer): string {
  return `${MAGIC} ${process.version} ${process.arch} ${bundleHash} ${data.length} ${sha256(data)}\n`;
}

/**
 * The V8 cache data in `file` for the bundle of SHA-256 `bundleHash`, or undefined: no file, an unsafe folder or
 * file, another header (Node version, architecture, bundle) or data that does not match its
 * checksum.
 */
export function readCache(dir: string, file: string, bundleHash: string): Buffer | undefined {
  try {
    if (!safeDir(dir)) return undefined;
    const fd = fs.openSync(path.join(dir, file), READ_NO_LINK);
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile() || !ownedAndPrivate(stat)) return undefined;
      const bytes = Buffer.allocUnsafe(stat.size);
      let read = 0;
      while (read < bytes.length) {
        const n = fs.readSync(fd, bytes, read, bytes.length - read, read);
        if (n === 0) return undefined;
        read += n;
      }
      const eol = bytes.indexOf(10);
      if (eol < 0 || eol > 512) return undefined;
      const data = bytes.subarray(eol + 1);
      return bytes.toString('latin1', 0, eol + 1) === header(bundleHash, data) ? data : undefined;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Writes the cache file atomically (a private temporary file renamed over it); never throws. */
export function writeCache(dir: string, file: string, bundleHash: string, data: Buffer): void {
  let tmp: string | undefined;
  try {
    makeDir(dir);
    if (!safeDir(dir) || data.length === 0) return;
    tmp = path.join(dir, `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    const fd = fs.openSync(tmp, CREATE_NEW, 0o600);
    try {
      for (const chunk of [Buffer.from(header(bundleHash, data), 'latin1'), data]) {
        let written = 0;
        while (written < chunk.length) written += fs.writeSync(fd, chunk, written, chunk.length - written);
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(dir, file));
    tmp = undefined;
  } catch {
    // no cache: the next run compiles again
  } finally {
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
  }
}

/**
 * Loads the bundle `file` (as `require(file)` from `parent` would) through the code cache, and
 * returns its exports; `require(file)` when the cache is off or cannot be used.
 */
export function runBundle(file: string, parent: NodeModule): unknown {
  const dir = cacheDir();
  let source: Buffer | undefined;
  try {
    source = dir === undefined ? undefined : fs.readFileSync(file);
  } catch {
    source = undefined;
  }
  // off, no user ids (Windows), or the bundle cannot be read: Node's loader (and its error)
  if (dir === undefined || source === undefined) return require(file);
  const bundleHash = sha256(source);
  const cacheFile = cacheFileName(bundleHash);
  const cachedData = readCache(dir, cacheFile, bundleHash);
  const text = source.toString('utf8');
  // a hashbang line is only valid at the start of a script: the same characters as a comment
  const code = WRAPPER_HEAD + (text.startsWith('#!') ? `//${text.slice(2)}` : text) + WRAPPER_TAIL;
  const script = new vm.Script(code, { filename: file, lineOffset: -1, cachedData });
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // after the run: the data then holds the functions the run compiled too
    process.once('exit', () => writeCache(dir, cacheFile, bundleHash, script.createCachedData()));
  }
  const wrapper = script.runInThisContext() as ModuleWrapper;
  // the module as Node's loader makes it: a child of `parent`, in require.cache while it runs
  type ModuleClass = (new (id: string, parent: NodeModule) => NodeModule) & { _nodeModulePaths?: (dir: string) => string[] };
  const Module = nodeModule.Module as unknown as ModuleClass;
  const mod = new Module(file, parent);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths?.(path.dirname(file)) ?? [];
  require.cache[file] = mod;
  try {
    wrapper.call(mod.exports, mod.exports, nodeModule.createRequire(file), mod, file, path.dirname(file));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  mod.loaded = true;
  return mod.exports;
}
