/**
 * The CLI package cdk8s-rootless-cli as a user gets it (packages/cli/, docs/release.md): built
 * (`node packages/cli/build.js`, as `npx projen package:cli` does), packed, installed with
 * `npm install -g` from the tarball, offline, into a temporary prefix, then run as `cdk8s-rootless`
 * and as the kubectl plugin `kubectl rootless`.
 *
 * Not a `*.test.ts`: it packs and installs, so it runs once per CI run, in its own stage of `.ci/run`
 * (`npx jest --testMatch '<rootDir>/test/release/*.ci.ts'`), not in each of the three jest runs.
 * It needs the compiled CLI (lib/cli/main.js).
 */
import { execFileSync, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const NAME = 'cdk8s-rootless-cli';
/** `npm install -g` of the package takes at most this much disk (du), the prefix as a whole. */
const MAX_INSTALLED_BYTES = 15_000_000;
const FIXTURES = path.join(ROOT, 'test', 'cli', 'fixtures');
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

let tmp: string;
let prefix: string;
let tarball: string;
let installedDir: string;
let installOutput: string;

/** The environment without the npm settings of an enclosing `npm run`/`npx` (prefix, global ...), and with `extraPath` first on PATH. */
function cleanEnv(extraPath?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_') || ['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'].includes(k.toLowerCase())) env[k] = v;
  }
  if (extraPath) env.PATH = `${extraPath}${path.delimiter}${process.env.PATH ?? ''}`;
  return env;
}

function run(cmd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd: options.cwd ?? tmp, env: options.env ?? cleanEnv(), input: options.input, encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Bytes on disk under `dir` (du: allocated blocks, as "takes N MB on disk" means). */
function diskUsage(dir: string): number {
  return Number(execFileSync('du', ['-s', '-B1', dir], { encoding: 'utf8' }).split(/\s/)[0]);
}

function bin(name: string): string {
  return path.join(prefix, 'bin', name);
}

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'cli', 'main.js'))) {
    throw new Error('lib/cli/main.js is missing: compile first (`npx projen compile`).');
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-rootless-cli-package-'));
  prefix = path.join(tmp, 'prefix');
  ok(run(process.execPath, [path.join(ROOT, 'packages', 'cli', 'build.js')], { cwd: ROOT }), 'packages/cli/build.js');
  tarball = path.join(ROOT, 'dist', 'packages', `${NAME}-${VERSION}.tgz`);
  // offline: the package has no dependencies, so nothing may be fetched
  installOutput = ok(run('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball]), 'npm install -g');
  installedDir = path.join(prefix, 'lib', 'node_modules', NAME);
}, 120_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the tarball is in dist/packages/ with `cli` in its name', () => {
  expect(path.basename(tarball)).toMatch(/cli/);
  expect(fs.existsSync(tarball)).toBe(true);
});

test('npm install -g installs one package, no dependencies, within 15 MB', () => {
  expect(installOutput).toMatch(/added 1 package\b/);
  const manifest = JSON.parse(fs.readFileSync(path.join(installedDir, 'package.json'), 'utf8'));
  expect(manifest.name).toBe(NAME);
  expect(manifest.version).toBe(VERSION);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']) {
    expect(manifest[field]).toBeUndefined();
  }
  // no engines cap: a later Node line installs without a warning
  expect(manifest.engines).toEqual({ node: '>= 20.0.0' });
  expect(fs.existsSync(path.join(installedDir, 'node_modules'))).toBe(false);
  const bytes = diskUsage(prefix);
  process.stdout.write(`npm install -g ${NAME}: ${(bytes / 1e6).toFixed(2)} MB on disk\n`);
  expect(bytes).toBeGreaterThan(100_000); // the measurement measures something
  expect(bytes).toBeLessThanOrEqual(MAX_INSTALLED_BYTES);
});

test('the package holds the bundle, the README, the licence and the third-party notices, and no sources', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else files.push(path.relative(installedDir, path.join(dir, e.name)).split(path.sep).join('/'));
    }
  };
  walk(installedDir);
  expect(files.sort()).toEqual([
    'LICENSE', 'README.md', 'THIRD-PARTY-NOTICES.md', 'lib/cli/main.js', 'lib/cli/vendor/dockerfile-ast.js', 'lib/cli/vendor/yaml.js', 'package.json',
  ]);
  const notices = fs.readFileSync(path.join(installedDir, 'THIRD-PARTY-NOTICES.md'), 'utf8');
  for (const pkg of ['commander', 'js-yaml', 'yaml', 'dockerfile-ast']) expect(notices).toMatch(new RegExp(`^## ${pkg} \\d`, 'm'));
});

test('the bundle contains neither cdk8s, cdk8s-plus nor constructs', () => {
  // what esbuild put into each file (written by packages/cli/build.js from its metafiles)
  const contents: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'cli-bundle.json'), 'utf8'));
  const inputs = Object.values(contents).flat();
  // the record is real: the CLI's own modules and its dependencies are in it
  expect(contents['lib/cli/main.js']).toEqual(expect.arrayContaining(['lib/cli/main.js', 'lib/cli/program.js', 'lib/policy/index.js']));
  expect(contents['lib/cli/main.js'].some(f => f.startsWith('node_modules/commander/'))).toBe(true);
  expect(inputs.filter(f => /(^|\/)node_modules\/(cdk8s|cdk8s-plus-\d+|constructs)\//.test(f))).toEqual([]);
  expect(inputs).not.toContain('lib/index.js');
  // the lazily loaded dependencies are in their own files only
  expect(contents['lib/cli/main.js'].filter(f => /node_modules\/(yaml|dockerfile-ast)\//.test(f))).toEqual([]);
  expect(contents['lib/cli/vendor/yaml.js'].every(f => f.startsWith('node_modules/yaml/'))).toBe(true);
});

test('the build refuses a CLI that would bundle cdk8s, cdk8s-plus, constructs or the library entry point', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const build = require(path.join(ROOT, 'packages', 'cli', 'build.js'));
  const probes: Record<string, string> = {
    'constructs': require.resolve('constructs', { paths: [ROOT] }),
    'cdk8s': require.resolve('cdk8s', { paths: [ROOT] }),
    'cdk8s-plus-27': require.resolve('cdk8s-plus-27', { paths: [ROOT] }),
    'the library': path.join(ROOT, 'lib', 'index.js'),
  };
  for (const [what, target] of Object.entries(probes)) {
    // a CLI module that loads it indirectly, through a helper, as a careless import would
    const dir = fs.mkdtempSync(path.join(tmp, 'probe-'));
    fs.writeFileSync(path.join(dir, 'helper.js'), `module.exports = require(${JSON.stringify(target)});\n`);
    fs.writeFileSync(path.join(dir, 'entry.js'), "const h = require('./helper'); console.log(typeof h);\n");
    const meta = await build.bundle(path.join(dir, 'entry.js'), path.join(dir, 'out.js'), ['yaml', 'dockerfile-ast']);
    expect({ what, forbidden: build.forbiddenInputs([meta]).length > 0 }).toEqual({ what, forbidden: true });
  }
  // and the real CLI passes the same check
  const clean = await build.bundle(path.join(ROOT, 'lib', 'cli', 'main.js'), path.join(tmp, 'main.js'), ['yaml', 'dockerfile-ast']);
  expect(build.forbiddenInputs([clean])).toEqual([]);
}, 60_000);

test('cdk8s-rootless --version answers with the version', () => {
  expect(ok(run(bin('cdk8s-rootless'), ['--version']), 'cdk8s-rootless --version').trim()).toBe(VERSION);
});

test('kubectl rootless --version answers (a kubectl-rootless on PATH)', () => {
  const env = cleanEnv(path.join(prefix, 'bin'));
  const kubectl = spawnSync('kubectl', ['version', '--client'], { env, encoding: 'utf8' });
  if (kubectl.error) {
    // no kubectl on this machine: do what its plugin handler does, find `kubectl-rootless` on PATH and run it
    process.stdout.write('kubectl is not installed: resolving the plugin as kubectl does (kubectl-<name> on PATH)\n');
    const found = ok(run('/bin/sh', ['-c', 'command -v kubectl-rootless'], { env }), 'command -v kubectl-rootless').trim();
    expect(found).toBe(bin('kubectl-rootless'));
    expect(ok(run(found, ['--version'], { env }), 'kubectl-rootless --version').trim()).toBe(VERSION);
    return;
  }
  expect(ok(run('kubectl', ['rootless', '--version'], { env }), 'kubectl rootless --version').trim()).toBe(VERSION);
  // kubectl lists it as a plugin, and it names itself `kubectl rootless`
  expect(ok(run('kubectl', ['plugin', 'list', '--name-only'], { env }), 'kubectl plugin list')).toMatch(/^kubectl-rootless$/m);
  expect(ok(run('kubectl', ['rootless', 'audit', '--help'], { env }), 'kubectl rootless audit --help')).toMatch(/^Usage: kubectl rootless audit /);
});

test('an audit: a privileged pod is denied (exit 1), a restricted one passes (exit 0), stdin works', () => {
  const denied = run(bin('cdk8s-rootless'), ['audit', path.join(FIXTURES, 'privileged-pod.yaml')]);
  expect(denied.status).toBe(1);
  expect(denied.stdout).toMatch(/privileged/);
  const allowed = run(bin('cdk8s-rootless'), ['audit', path.join(FIXTURES, 'restricted-pod.yaml'), '--level', 'restricted']);
  expect(allowed.stderr).toBe('');
  expect(allowed.status).toBe(0);
  const stdin = run(bin('kubectl-rootless'), ['audit', '-', '--format', 'json'], { input: fs.readFileSync(path.join(FIXTURES, 'privileged-pod.yaml'), 'utf8') });
  expect(stdin.status).toBe(1);
  expect(JSON.parse(stdin.stdout)).toBeTruthy();
  // the same verdicts as the CLI of the library package (the compiled sources)
  for (const fixture of ['privileged-pod.yaml', 'restricted-pod.yaml', 'helm-output.yaml', 'kubectl-pods.json']) {
    const args = ['audit', path.join(FIXTURES, fixture), '--format', 'json'];
    const library = run(process.execPath, [path.join(ROOT, 'lib', 'cli', 'main.js'), ...args]);
    const packaged = run(bin('cdk8s-rootless'), args);
    expect({ fixture, status: packaged.status, stdout: packaged.stdout }).toEqual({ fixture, status: library.status, stdout: library.stdout });
  }
});

describe('lazy loading (lib/cli/lazy.ts) survives the bundle', () => {
  let preload: string;
  let out: string;
  beforeAll(() => {
    preload = path.join(tmp, 'dump-modules.js');
    out = path.join(tmp, 'modules.json');
    // Preloaded with `node -r`: at exit, write every module file that was loaded.
    fs.writeFileSync(preload, "process.on('exit', () => require('fs').writeFileSync(process.env.DUMP_MODULES_TO, JSON.stringify(Object.keys(require.cache))));\n");
  });
  function loaded(args: string[]): string[] {
    run(process.execPath, ['-r', preload, path.join(installedDir, 'lib', 'cli', 'main.js'), ...args], { env: { ...cleanEnv(), DUMP_MODULES_TO: out } });
    return (JSON.parse(fs.readFileSync(out, 'utf8')) as string[]).filter(f => f !== preload).map(f => path.relative(installedDir, f).split(path.sep).join('/'));
  }

  test('an audit of manifests loads the bundle alone', () => {
    expect(loaded(['audit', path.join(FIXTURES, 'helm-output.yaml')])).toEqual(['lib/cli/main.js']);
  });
  test('harden loads yaml, an audit of a Dockerfile loads dockerfile-ast', () => {
    const manifest = path.join(tmp, 'pod.yaml');
    fs.copyFileSync(path.join(FIXTURES, 'privileged-pod.yaml'), manifest);
    expect(loaded(['harden', manifest])).toEqual(expect.arrayContaining(['lib/cli/main.js', 'lib/cli/vendor/yaml.js']));
    const dockerfile = path.join(tmp, 'Dockerfile');
    fs.writeFileSync(dockerfile, 'FROM alpine:3.20\nUSER 65534\n');
    const files = loaded(['audit', dockerfile]);
    expect(files).toEqual(expect.arrayContaining(['lib/cli/main.js', 'lib/cli/vendor/dockerfile-ast.js']));
    expect(files).not.toContain('lib/cli/vendor/yaml.js');
  });
});
