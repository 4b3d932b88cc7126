/**
 * The compiled CLI as users run it: `node lib/cli/main.js` in a child process.
 * Needs the compiled JavaScript (`npx projen compile`; the test task compiles first).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, fixture, tmpDir } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'lib', 'cli', 'main.js');

beforeAll(() => {
  if (!fs.existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: these tests run the compiled CLI. Compile first: npx projen compile`);
  }
});

function node(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, {
    cwd: FIXTURES,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
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
  const dir = tmpDir();
  const preload = path.join(dir, 'dump-modules.js');
  const out = path.join(dir, 'modules.json');
  // Preloaded with `node -r`: at exit, write every module that was loaded.
  fs.writeFileSync(preload, [
    "process.on('exit', () => {",
    "  require('fs').writeFileSync(process.env.DUMP_MODULES_TO, JSON.stringify(Object.keys(require.cache)));",
    '});',
  ].join('\n'));
  for (const format of ['text', 'json', 'sarif']) {
    const r = node(['-r', preload, MAIN, 'audit', '.', '--format', format], { env: { DUMP_MODULES_TO: out } });
    expect(r.status).toBe(1);
    const loaded: string[] = JSON.parse(fs.readFileSync(out, 'utf8'));
    const rel = loaded.map(f => path.relative(ROOT, f).split(path.sep).join('/'));
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
