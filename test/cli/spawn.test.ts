/**
 * The compiled CLI as users run it: `node lib/cli/main.js` in a child process, and the package's
 * bin, lib/cli/bin.js, which runs the same CLI bundled into lib/cli/bundle.js.
 * Needs the compiled JavaScript (`npx projen compile`, which also bundles; the test task compiles first).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, fixture, tmpDir } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'lib', 'cli', 'main.js');
/** What `cdk8s-rootless` and `kubectl-rootless` run (package.json's bin). */
const BIN = path.join(ROOT, JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin['cdk8s-rootless']);

beforeAll(() => {
  for (const file of [MAIN, BIN, path.join(ROOT, 'lib', 'cli', 'bundle.js')]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: these tests run the compiled CLI. Compile first: npx projen compile`);
  }
});

/**
 * Runs the CLI under `node -r` a preload that writes every module loaded (require.cache) at exit; their paths relative to the root,
 * and the Node built-in modules loaded (process.moduleLoadList).
 */
function loadedModules(args: string[]): { status: number | null; modules: string[]; builtins: string[] } {
  const dir = tmpDir();
  const preload = path.join(dir, 'dump-modules.js');
  const out = path.join(dir, 'modules.json');
  fs.writeFileSync(preload, [
    "process.on('exit', () => {",
    "  const builtins = process.moduleLoadList.filter(m => m.startsWith('NativeModule ')).map(m => m.slice('NativeModule '.length));",
    "  require('fs').writeFileSync(process.env.DUMP_MODULES_TO, JSON.stringify({ files: Object.keys(require.cache), builtins }));",
    '});',
  ].join('\n'));
  const r = node(['-r', preload, ...args], { env: { DUMP_MODULES_TO: out } });
  const loaded: { files: string[]; builtins: string[] } = JSON.parse(fs.readFileSync(out, 'utf8'));
  return { status: r.status, modules: loaded.files.map(f => path.relative(ROOT, f).split(path.sep).join('/')), builtins: loaded.builtins };
}

/** The bin's code cache on Node 20 (lib/cli/code-cache.ts) in a folder of these tests, not the user's. */
let cacheHome: string;
beforeAll(() => {
  cacheHome = tmpDir();
});

function node(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, {
    cwd: FIXTURES,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...options.env },
    timeout: 30_000,
  });
}

test('bin entry starts with a node shebang', () => {
  expect(fs.readFileSync(MAIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
});

test('exit codes and output of a real process', () => {
  const denied = node([MAIN, 'audit', 'baseline-pod.yaml']);
  expect(denied.status).toBe(1);
  expect(denied.stdout).toMatch(/^baseline-pod\.yaml:3: doc 0 Pod shop\/legacy, container "app": /);
  expect(node([MAIN, 'audit', 'restricted-pod.yaml']).status).toBe(0);
  const usage = node([MAIN, 'audit', '--level', 'nope', 'x.yaml']);
  expect(usage.status).toBe(2);
  expect(usage.stderr).toMatch(/Allowed choices are restricted, baseline/);
});

test('kubectl get pods -A -o json | cdk8s-rootless audit - --format json', () => {
  const r = node([MAIN, 'audit', '-', '--format', 'json'], { input: fixture('kubectl-pods.json') });
  expect(r.status).toBe(1);
  const report = JSON.parse(r.stdout);
  expect(report.summary).toMatchObject({ objects: 3, audited: 3, allowed: 1, denied: 2, skipped: 0, errors: 0 });
});

test('as a kubectl plugin (kubectl-rootless), usage reads "kubectl rootless"', () => {
  const dir = tmpDir();
  const plugin = path.join(dir, 'kubectl-rootless');
  fs.symlinkSync(MAIN, plugin);
  const r = node([plugin, 'audit', '--help']);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^Usage: kubectl rootless audit \[options\] \[paths\.\.\.\]/);
});

test('loads neither cdk8s, cdk8s-plus nor constructs (nor the library entry point)', () => {
  for (const format of ['text', 'json', 'sarif']) {
    const { status, modules: rel } = loadedModules([MAIN, 'audit', '.', '--format', format]);
    expect(status).toBe(1);
    // the hook works: the CLI's own modules are there
    expect(rel).toEqual(expect.arrayContaining(['lib/cli/main.js', 'lib/policy/index.js']));
    expect(rel.some(f => f.startsWith('node_modules/js-yaml/'))).toBe(true);
    expect(rel.some(f => f.startsWith('node_modules/commander/'))).toBe(true);
    expect(rel.filter(f => /(^|\/)node_modules\/(cdk8s|cdk8s-plus-[0-9]+|constructs)\//.test(f))).toEqual([]);
    expect(rel).not.toContain('lib/index.js');
    // harden's `yaml` and the Dockerfile parser load only when used (no Dockerfile in these inputs)
    expect(rel.filter(f => /^node_modules\/(yaml|dockerfile-ast)\//.test(f))).toEqual([]);
  }
});

test('the package\'s bin runs the bundled CLI: one file of lib/ with js-yaml in it, its other dependencies from node_modules, no cdk8s', () => {
  expect(path.relative(ROOT, BIN).split(path.sep).join('/')).toBe('lib/cli/bin.js');
  expect(fs.readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  const { status, modules, builtins } = loadedModules([BIN, 'audit', 'restricted-pod.yaml']);
  expect(status).toBe(0);
  // on Node 20 the bin loads the bundle through its code cache (lib/cli/code-cache.js): still one module, bundle.js
  expect(modules.filter(f => f.startsWith('lib/') && f !== 'lib/cli/code-cache.js')).toEqual(['lib/cli/bin.js', 'lib/cli/bundle.js']);
  // js-yaml, which every audit reads with, is in the bundle (packages/cli/bin-bundle.js)
  expect(modules.filter(f => f.startsWith('node_modules/js-yaml/'))).toEqual([]);
  // `audit PATH...` with no option runs without commander (which loads child_process)
  expect(modules.filter(f => f.startsWith('node_modules/commander/'))).toEqual([]);
  expect(builtins).not.toContain('child_process');
  const withOption = loadedModules([BIN, 'audit', 'restricted-pod.yaml', '--format', 'json']);
  expect(withOption.status).toBe(0);
  expect(withOption.modules.some(f => f.startsWith('node_modules/commander/'))).toBe(true);
  expect(modules.filter(f => /(^|\/)node_modules\/(cdk8s|cdk8s-plus-[0-9]+|constructs|yaml|dockerfile-ast)\//.test(f))).toEqual([]);
  // the same CLI: the same output and exit codes as main.js
  for (const args of [['audit', 'baseline-pod.yaml'], ['audit', '-'], ['audit', 'missing.yaml', 'baseline-pod.yaml'], ['audit', '-', '--format', 'json'], ['audit', '--level', 'nope', 'x.yaml'], ['--version']]) {
    const input = args.includes('-') ? fixture('kubectl-pods.json') : undefined;
    const viaBin = node([BIN, ...args], { input });
    const viaMain = node([MAIN, ...args], { input });
    const outcome = (r: SpawnSyncReturns<string>): object => ({ status: r.status, stdout: r.stdout, stderr: r.stderr });
    expect(outcome(viaBin)).toEqual(outcome(viaMain));
  }
  // harden (lazily registered) and its `yaml` work from the bundle
  const harden = node([BIN, 'harden', 'baseline-pod.yaml']);
  expect(harden.stdout).toMatch(/allowPrivilegeEscalation: false/);
  const hardenMain = node([MAIN, 'harden', 'baseline-pod.yaml']);
  expect([harden.status, harden.stdout, harden.stderr]).toEqual([hardenMain.status, hardenMain.stdout, hardenMain.stderr]);
});

test('as a kubectl plugin through the package\'s bin, usage reads "kubectl rootless"', () => {
  const plugin = path.join(tmpDir(), 'kubectl-rootless');
  fs.symlinkSync(BIN, plugin);
  const r = node([plugin, 'audit', '--help']);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^Usage: kubectl rootless audit \[options\] \[paths\.\.\.\]/);
});

test('an audit loads only what audit uses: not harden, SARIF, --by-namespace, the whole-text parser or the Dockerfile checks', () => {
  const LAZY = ['lib/cli/harden/harden.js', 'lib/cli/harden/harden-text.js', 'lib/cli/report/report-sarif.js', 'lib/cli/audit/namespaces.js',
    'lib/cli/audit/audit-namespaces.js', 'lib/manifests/manifest-parser.js', 'lib/cli/dockerfile.js', 'lib/cli/report/report-json.js',
    'lib/exemptions/declared.js', 'lib/exemptions/registry.js', 'lib/exemptions/codec.js', 'lib/hardening/verify.js'];
  const text = loadedModules([MAIN, 'audit', 'restricted-pod.yaml']);
  expect(text.status).toBe(0);
  expect(text.modules).toContain('lib/cli/audit/audit.js');
  expect(text.modules.filter(f => LAZY.includes(f))).toEqual([]);
  expect(text.modules.filter(f => f.startsWith('lib/hardening/adopt/'))).toEqual([]);
  // each is loaded when it is used
  const used = (args: string[], module: string): void => {
    const r = loadedModules([MAIN, ...args]);
    expect([0, 1]).toContain(r.status);
    expect(r.modules).toContain(module);
  };
  used(['audit', 'restricted-pod.yaml', '--format', 'sarif', '--sarif-root', '.'], 'lib/cli/report/report-sarif.js');
  used(['audit', 'restricted-pod.yaml', '--format', 'json'], 'lib/cli/report/report-json.js');
  used(['audit', 'restricted-pod.yaml', '--by-namespace'], 'lib/cli/audit/audit-namespaces.js');
  used(['harden', 'restricted-pod.yaml'], 'lib/cli/harden/harden.js');
  // the exemption codec and registry for an object that declares exemptions
  const declares = path.join(tmpDir(), 'declares.yaml');
  fs.writeFileSync(declares, fixture('restricted-pod.yaml')
    .replace(/^metadata:\n/m, 'metadata:\n  annotations:\n    rootless.cdk8s.io/exemptions: \'[{"kind":"hostNetwork","reason":"reads the metrics of the host"}]\'\n')
    .replace(/^spec:\n/m, 'spec:\n  hostNetwork: true\n'));
  used(['audit', declares], 'lib/exemptions/registry.js');
  used(['--help'], 'lib/cli/harden/harden.js');
  // a SARIF option without --format sarif is still refused (the SARIF module checks it)
  const r = node([MAIN, 'audit', 'restricted-pod.yaml', '--sarif-category', 'x']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--sarif-category: read with --format sarif only/);
});

test('a closed pipe (| head) is not an error', () => {
  const dir = tmpDir();
  const big = path.join(dir, 'big.yaml');
  fs.writeFileSync(big, Array(2000).fill(fixture('privileged-pod.yaml')).join('---\n'));
  const r = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${MAIN}" audit "${big}" | head -n 1`], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  expect(r.stderr).not.toMatch(/EPIPE|Error/);
});

test('stdout closed early (| head) while a JSON List streams from stdin ends quietly', () => {
  const dir = tmpDir();
  const big = path.join(dir, 'pods.json');
  const pods = JSON.parse(fixture('kubectl-pods.json')).items;
  fs.writeFileSync(big, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 6000 }, (_, i) => pods[i % pods.length]) }, null, 4));
  for (const format of ['text', 'json', 'sarif']) {
    const r = spawnSync('/bin/sh', ['-c', `cat "${big}" | "${process.execPath}" "${MAIN}" audit - --format ${format} | head -c 100`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.length).toBe(100);
    expect(r.stderr).toBe('');
  }
});
