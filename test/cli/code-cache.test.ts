/**
 * The bin's V8 code cache on Node 20 (lib/cli/code-cache.ts): where it lives, that it is used, that
 * the CLI behaves the same with and without it, and that a cache file it must not trust (another
 * user's, in a folder others can write, a link, corrupted, for another bundle, Node or architecture)
 * is never used. The spawned tests run the compiled bin (`npx projen compile` first).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as nodeModule from 'module';
import * as path from 'path';
import { fixture, FIXTURES, tmpDir } from './helpers';
import { cacheDir, cacheFileName, nodeCompileCacheDir, readCache, sha256, writeCache } from '../../lib/cli/code-cache';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'lib', 'cli', 'bin.js');
const BUNDLE = path.join(ROOT, 'lib', 'cli', 'bundle.js');
const CODE_CACHE_JS = path.join(ROOT, 'lib', 'cli', 'code-cache.js');
/** Node 22.1 and later use Node's own compile cache: the bin never runs code-cache.ts there. */
const NODE_HAS_COMPILE_CACHE = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const onNode20 = NODE_HAS_COMPILE_CACHE ? test.skip : test;
const onNode22 = NODE_HAS_COMPILE_CACHE ? test : test.skip;
const AS_ROOT = process.getuid?.() === 0;

beforeAll(() => {
  for (const file of [BIN, BUNDLE, CODE_CACHE_JS]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: these tests run the compiled CLI. Compile first: npx projen compile`);
  }
});

function run(script: string, args: string[], env: NodeJS.ProcessEnv, input?: string): SpawnSyncReturns<string> {
  const clean = { ...process.env };
  for (const name of ['XDG_CACHE_HOME', 'NODE_DISABLE_COMPILE_CACHE', 'CDK8S_ROOTLESS_NO_COMPILE_CACHE', 'NODE_OPTIONS', 'NODE_COMPILE_CACHE']) delete clean[name];
  return spawnSync(process.execPath, [script, ...args], { cwd: FIXTURES, input, encoding: 'utf8', env: { ...clean, ...env }, timeout: 30_000 });
}

const outcome = (r: SpawnSyncReturns<string>): object => ({ status: r.status, stdout: r.stdout, stderr: r.stderr });
/** The permission bits of a file or folder. */
const permissions = (file: string): number => fs.statSync(file).mode % 0o1000;

/** The one cache file in `home`'s cdk8s-rootless folder. */
function cacheFileIn(home: string): string {
  const dir = path.join(home, 'cdk8s-rootless');
  const files = fs.readdirSync(dir);
  expect(files).toHaveLength(1);
  return path.join(dir, files[0]);
}

describe('the cache folder and file name', () => {
  test('$XDG_CACHE_HOME/cdk8s-rootless when absolute, else ~/.cache/cdk8s-rootless; off by either variable', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe(path.join('/x/cache', 'cdk8s-rootless'));
    // a relative XDG_CACHE_HOME is invalid (XDG spec): ignored
    expect(cacheDir({ XDG_CACHE_HOME: 'rel/cache', HOME: '/home/u' })).toBe(path.join('/home/u', '.cache', 'cdk8s-rootless'));
    expect(cacheDir({ HOME: '/home/u' })).toBe(path.join('/home/u', '.cache', 'cdk8s-rootless'));
    expect(cacheDir({ HOME: '/home/u', NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
    expect(cacheDir({ HOME: '/home/u', CDK8S_ROOTLESS_NO_COMPILE_CACHE: '1' })).toBeUndefined();
    expect(cacheDir({ HOME: '/home/u', CDK8S_ROOTLESS_NO_COMPILE_CACHE: 'yes' })).toBeUndefined();
    expect(cacheDir({ HOME: '/home/u', CDK8S_ROOTLESS_NO_COMPILE_CACHE: '0', NODE_DISABLE_COMPILE_CACHE: '' })).toBe(path.join('/home/u', '.cache', 'cdk8s-rootless'));
  });

  test('named by the SHA-256 of the bundle\'s bytes, the Node version and the architecture', () => {
    const hash = sha256(Buffer.from('exports.x=1'));
    expect(hash).toBe(crypto.createHash('sha256').update('exports.x=1').digest('hex'));
    expect(cacheFileName(hash)).toBe(`bundle-${hash}-${process.version}-${process.arch}.v8cache`);
  });

  test('the built bundle carries js-yaml\'s licence', () => {
    const text = fs.readFileSync(BUNDLE, 'utf8');
    const license = fs.readFileSync(path.join(ROOT, 'node_modules', 'js-yaml', 'LICENSE'), 'utf8').trim();
    expect(text).toContain(license);
    expect(text).toContain(`Bundled: js-yaml ${JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'js-yaml', 'package.json'), 'utf8')).version} (MIT)`);
  });
});

describe('reading a cache file: only a private one, of this bundle, Node and architecture, with its checksum', () => {
  const source = sha256(Buffer.from('"use strict";exports.x=1;'));
  const data = Buffer.from('v8 data, long enough to be cut: 0123456789');
  let dir: string;
  let name: string;
  let file: string;
  beforeEach(() => {
    dir = path.join(tmpDir(), 'cdk8s-rootless');
    name = cacheFileName(source);
    file = path.join(dir, name);
    writeCache(dir, name, source, data);
    // the file reads back: each case below changes one thing
    expect(readCache(dir, name, source)).toEqual(data);
  });

  test('written private: the folder 0700, the file 0600, no temporary file left', () => {
    expect(permissions(dir)).toBe(0o700);
    expect(permissions(file)).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([name]);
  });

  test('a folder writable by the group or others: not read, not written', () => {
    for (const mode of [0o770, 0o707, 0o777]) {
      fs.chmodSync(dir, mode);
      expect(readCache(dir, name, source)).toBeUndefined();
      const before = fs.statSync(file);
      writeCache(dir, name, source, Buffer.from('other'));
      expect(fs.statSync(file).ino).toBe(before.ino);
      expect(fs.readdirSync(dir)).toEqual([name]);
    }
  });

  test('a file writable by the group or others: not read', () => {
    for (const mode of [0o620, 0o602]) {
      fs.chmodSync(file, mode);
      expect(readCache(dir, name, source)).toBeUndefined();
    }
  });

  test('a symbolic link, as the file or as the folder: not read', () => {
    const real = path.join(path.dirname(dir), 'real');
    fs.renameSync(file, real);
    fs.symlinkSync(real, file);
    expect(readCache(dir, name, source)).toBeUndefined();
    fs.rmSync(file);
    fs.renameSync(real, file);
    const linkDir = path.join(path.dirname(dir), 'link');
    fs.symlinkSync(dir, linkDir);
    expect(readCache(linkDir, name, source)).toBeUndefined();
  });

  (AS_ROOT ? test : test.skip)('a file or folder owned by another user: not read (run as root, which can chown)', () => {
    fs.chownSync(file, 4242, 4242);
    expect(readCache(dir, name, source)).toBeUndefined();
    fs.chownSync(file, 0, 0);
    fs.chownSync(dir, 4242, 4242);
    expect(readCache(dir, name, source)).toBeUndefined();
  });

  test('corrupted: truncated, a byte of the header or of the data changed', () => {
    const good = fs.readFileSync(file);
    const variants = [
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Buffer.from('x')]),
      Buffer.from(good.toString('latin1').replace(process.version, 'v0.0.0'), 'latin1'),
      Buffer.from(good.toString('latin1').replace(` ${process.arch} `, ' s390x '), 'latin1'),
      Buffer.from(good.toString('latin1').replace(source, sha256(Buffer.from('other'))), 'latin1'),
      Buffer.from(good.toString('latin1').replace('0123', '0124'), 'latin1'),
      Buffer.from(good.toString('latin1').replace(` ${data.length} `, ` ${data.length - 1} `).slice(0, -1), 'latin1'),
      Buffer.from('garbage'),
      Buffer.alloc(0),
    ];
    for (const bytes of variants) {
      fs.writeFileSync(file, bytes);
      expect(readCache(dir, name, source)).toBeUndefined();
    }
  });

  test('another bundle: not read (its hash is in the header, not only in the file name)', () => {
    expect(readCache(dir, name, sha256(Buffer.from('"use strict";exports.x=2;')))).toBeUndefined();
  });
});

describe('loading a bundle through the cache is loading it with require', () => {
  /** A bundle that reports what Node's CommonJS loader gives a module, and throws at a known place. */
  const FAKE = [
    '#!/usr/bin/env node',
    '"use strict";const self=this;const sib=require("./sib.js");',
    'exports.facts=()=>({filename:__filename,dirname:__dirname,selfIsExports:self===module.exports,strict:(function(){return this===undefined})(),',
    '  isMain:require.main===module,mainIsRunner:require.main.filename===process.argv[1],inCache:require.cache[__filename]===module,',
    '  parentIsRunner:module.parent&&module.parent.filename===process.argv[1],',
    '  loaded:module.loaded,id:module.id,sib:sib.x,resolved:require.resolve("./sib.js"),paths:module.paths[0]});',
    'exports.fail=()=>{  throw new Error("boom")};',
    '',
  ].join('\n');
  const RUNNER = [
    `const { runBundle } = require(${JSON.stringify(CODE_CACHE_JS)});`,
    'const file = process.argv[2];',
    'const m = process.env.PLAIN ? require(file) : runBundle(file, module);',
    'let stack; try { m.fail(); } catch (e) { stack = e.stack.split("\\n").filter(l => l.includes(file)); }',
    'process.stdout.write(JSON.stringify({ facts: m.facts(), stack }));',
  ].join('\n');

  onNode20('the same module facts, stack lines and columns: plain require, no cache yet, cache read', () => {
    const home = tmpDir();
    const dir = tmpDir();
    const bundle = path.join(dir, 'bundle.js');
    fs.writeFileSync(bundle, FAKE);
    fs.writeFileSync(path.join(dir, 'sib.js'), 'exports.x = 42;');
    const runner = path.join(dir, 'runner.js');
    fs.writeFileSync(runner, RUNNER);
    const plain = run(runner, [bundle], { PLAIN: '1', XDG_CACHE_HOME: home });
    expect(plain.stderr).toBe('');
    const expected = JSON.parse(plain.stdout);
    const facts = { filename: bundle, dirname: dir, selfIsExports: true, strict: true, isMain: false, mainIsRunner: true };
    expect(expected.facts).toMatchObject({ ...facts, inCache: true, parentIsRunner: true, loaded: true, sib: 42 });
    const lines = FAKE.split('\n');
    const failAt = lines.findIndex(l => l.startsWith('exports.fail='));
    expect(expected.stack[0]).toContain(`${bundle}:${failAt + 1}:${lines[failAt].indexOf('new Error') + 1}`);
    const cold = run(runner, [bundle], { XDG_CACHE_HOME: home });
    expect(outcome(cold)).toEqual(outcome(plain));
    const written = fs.statSync(cacheFileIn(home));
    const warm = run(runner, [bundle], { XDG_CACHE_HOME: home });
    expect(outcome(warm)).toEqual(outcome(plain));
    // read and accepted: not written again
    expect(fs.statSync(cacheFileIn(home)).ino).toBe(written.ino);
  });
});

describe('the bin with and without its cache', () => {
  const COMMANDS: Array<{ args: string[]; input?: string }> = [
    { args: ['audit', 'baseline-pod.yaml'] },
    { args: ['audit', 'restricted-pod.yaml'] },
    { args: ['audit', '-', '--format', 'json'], input: fixture('kubectl-pods.json') },
    { args: ['audit', 'missing.yaml', 'baseline-pod.yaml'] },
    { args: ['audit', '--level', 'nope', 'x.yaml'] },
    { args: ['harden', 'baseline-pod.yaml'] },
    { args: ['--version'] },
  ];
  const all = (env: NodeJS.ProcessEnv): object[] => COMMANDS.map(c => outcome(run(BIN, c.args, env, c.input)));

  onNode20('the same exit codes, stdout and stderr: off, first run (written), later runs (read), corrupted (rewritten)', () => {
    const home = tmpDir();
    const expected = all({ CDK8S_ROOTLESS_NO_COMPILE_CACHE: '1', XDG_CACHE_HOME: home });
    expect(fs.existsSync(path.join(home, 'cdk8s-rootless'))).toBe(false);
    expect(all({ NODE_DISABLE_COMPILE_CACHE: '1', XDG_CACHE_HOME: home })).toEqual(expected);
    expect(fs.existsSync(path.join(home, 'cdk8s-rootless'))).toBe(false);
    // the first run writes it; each later run reads it (one file: the same bundle, Node and architecture)
    expect(all({ XDG_CACHE_HOME: home })).toEqual(expected);
    const file = cacheFileIn(home);
    expect(path.basename(file)).toBe(cacheFileName(sha256(fs.readFileSync(BUNDLE))));
    expect(permissions(path.dirname(file))).toBe(0o700);
    expect(permissions(file)).toBe(0o600);
    const ino = fs.statSync(file).ino;
    expect(all({ XDG_CACHE_HOME: home })).toEqual(expected);
    expect(fs.statSync(file).ino).toBe(ino);
    // corrupted V8 data (V8 would crash on it: it checks no checksum): refused, the run compiles, the file is rewritten
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, bytes.length - 2000);
    fs.writeFileSync(file, bytes);
    expect(all({ XDG_CACHE_HOME: home })).toEqual(expected);
    expect(fs.statSync(file).ino).not.toBe(ino);
  });

  onNode20('V8 rejecting data (its flags differ) or an untrusted cache folder or file: ignored, the output unchanged', () => {
    const home = tmpDir();
    const expected = all({ CDK8S_ROOTLESS_NO_COMPILE_CACHE: '1', XDG_CACHE_HOME: home });
    expect(all({ XDG_CACHE_HOME: home })).toEqual(expected);
    const file = cacheFileIn(home);
    // data of other V8 flags (valid checksum): V8 rejects it (cachedDataRejected), the run compiles and writes it again
    const ino = fs.statSync(file).ino;
    const flags = COMMANDS.map(c => outcome(run(BIN, c.args, { XDG_CACHE_HOME: home, NODE_OPTIONS: '--stack-trace-limit=20' }, c.input)));
    expect(flags).toEqual(expected);
    expect(fs.statSync(file).ino).not.toBe(ino);
    // a folder the group can write: neither read nor written
    fs.chmodSync(path.dirname(file), 0o775);
    fs.writeFileSync(file, 'planted');
    const planted = fs.statSync(file).ino;
    expect(all({ XDG_CACHE_HOME: home })).toEqual(expected);
    expect(fs.statSync(file).ino).toBe(planted);
    expect(fs.readFileSync(file, 'utf8')).toBe('planted');
    if (AS_ROOT) {
      // another user's file in a private folder: not read, replaced by ours
      fs.chmodSync(path.dirname(file), 0o700);
      fs.chownSync(file, 4242, 4242);
      expect(all({ XDG_CACHE_HOME: home })).toEqual(expected);
      expect(fs.statSync(file).uid).toBe(0);
    }
  });
});

describe('Node\'s own compile cache (Node 22.1 and later): in the per-user folder, never the shared temporary folder', () => {
  test('nodeCompileCacheDir: node-compile-cache in the per-user folder, created 0700; none when off or when a folder is not private', () => {
    const home = tmpDir();
    const dir = nodeCompileCacheDir({ XDG_CACHE_HOME: home });
    expect(dir).toBe(path.join(home, 'cdk8s-rootless', 'node-compile-cache'));
    expect(permissions(dir!)).toBe(0o700);
    expect(permissions(path.dirname(dir!))).toBe(0o700);
    expect(nodeCompileCacheDir({ XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
    expect(nodeCompileCacheDir({ XDG_CACHE_HOME: home, CDK8S_ROOTLESS_NO_COMPILE_CACHE: '1' })).toBeUndefined();
    fs.chmodSync(path.dirname(dir!), 0o777);
    expect(nodeCompileCacheDir({ XDG_CACHE_HOME: home })).toBeUndefined();
    fs.chmodSync(path.dirname(dir!), 0o700);
    fs.chmodSync(dir!, 0o770);
    expect(nodeCompileCacheDir({ XDG_CACHE_HOME: home })).toBeUndefined();
    // a link in place of the folder: not used
    const other = tmpDir();
    fs.rmSync(dir!, { recursive: true });
    fs.symlinkSync(other, dir!);
    expect(nodeCompileCacheDir({ XDG_CACHE_HOME: home })).toBeUndefined();
  });

  onNode22('the bin writes Node\'s cache in the per-user folder, or where NODE_COMPILE_CACHE says; the output is the same', () => {
    const args = ['audit', 'baseline-pod.yaml'];
    const home = tmpDir();
    const expected = outcome(run(BIN, args, { NODE_DISABLE_COMPILE_CACHE: '1', XDG_CACHE_HOME: home }));
    expect(fs.existsSync(path.join(home, 'cdk8s-rootless'))).toBe(false);
    expect(outcome(run(BIN, args, { XDG_CACHE_HOME: home }))).toEqual(expected);
    const own = path.join(home, 'cdk8s-rootless', 'node-compile-cache');
    const files = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }) as string[] : []);
    expect(files(own).length).toBeGreaterThan(0);
    expect(outcome(run(BIN, args, { XDG_CACHE_HOME: home }))).toEqual(expected);
    // the user's NODE_COMPILE_CACHE wins: Node enabled it at start, the bin leaves it
    const home2 = tmpDir();
    const chosen = tmpDir();
    expect(outcome(run(BIN, args, { XDG_CACHE_HOME: home2, NODE_COMPILE_CACHE: chosen }))).toEqual(expected);
    expect(files(chosen).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(home2, 'cdk8s-rootless'))).toBe(false);
    // a per-user folder others can write: Node's cache is not enabled there
    const home3 = tmpDir();
    fs.mkdirSync(path.join(home3, 'cdk8s-rootless'), { mode: 0o700 });
    fs.chmodSync(path.join(home3, 'cdk8s-rootless'), 0o777);
    expect(outcome(run(BIN, args, { XDG_CACHE_HOME: home3 }))).toEqual(expected);
    expect(files(path.join(home3, 'cdk8s-rootless', 'node-compile-cache'))).toEqual([]);
  });
});
