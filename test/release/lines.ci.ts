/**
 * The line packages as users get them (issue 25, docs/lines.md): for each cdk8s-plus line of packages/lines/lines.json,
 * a fresh TypeScript project installs the core tarball, that line's tarball and ONLY that cdk8s-plus line (with cdk8s,
 * constructs, TypeScript), compiles a program that passes that line's `Volume` to a `RootlessDeployment` with an
 * `Exemption` of the core (strict, skipLibCheck off: the packages' declarations are type-checked too), runs it, and
 * checks the output and that no other cdk8s-plus line was installed. Then one app with two lines' packages: they
 * share the core (one `Exemption` class, one identity index).
 *
 * Not a `*.test.ts`: it installs packages, so it runs once per CI run, in `.ci/run`'s stage "packages" after
 * `npm run package:all` wrote the tarballs into dist/packages/ (`npx jest --testMatch '<rootDir>/test/release/*.ci.ts'`).
 * The installs use the npm cache first (`--prefer-offline`): every line is a devDependency of this repository.
 */
import { SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, consumerProject, installed, ok, run as runIn } from './consumer-project';

const TIMEOUT = 300_000;
const TABLE: { lines: Array<{ line: number; dev: string }> } = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', 'lines', 'lines.json'), 'utf8'));
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const PACKAGES = path.join(ROOT, 'dist', 'packages');

const run = (cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> => runIn(cmd, args, cwd, TIMEOUT);

/** The tarball of `name` in dist/packages/ (`npm run package:all`), or dist/js/ for the core (`npx projen package`, the build). */
function tarball(name: string): string {
  const file = [PACKAGES, path.join(ROOT, 'dist', 'js')].map(dir => path.join(dir, `${name}@${VERSION}.jsii.tgz`)).find(f => fs.existsSync(f));
  if (!file) throw new Error(`the tarball of ${name} ${VERSION} is missing from dist/packages/: run \`npm run package:all\` first`);
  return file;
}

/** The cdk8s-plus lines installed anywhere under `projectDir`/node_modules (nested copies included). */
function cdk8sPlusLinesIn(projectDir: string): string[] {
  const found = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > 6 || !fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (/^cdk8s-plus-\d+$/.test(e.name)) found.add(e.name);
      if (e.name.startsWith('@')) walk(path.join(dir, e.name), depth + 1);
      else walk(path.join(dir, e.name, 'node_modules'), depth + 1);
    }
  };
  walk(path.join(projectDir, 'node_modules'), 0);
  return [...found].sort();
}

/** A consumer project in `dir` with the core, `dependencies` and `main.ts`, installed and compiled (consumer-project.ts). */
function project(dir: string, dependencies: Record<string, string>, program: string): void {
  consumerProject(dir, { 'cdk8s': installed('cdk8s'), 'constructs': installed('constructs'), 'cdk8s-rootless': `file:${tarball('cdk8s-rootless')}`, ...dependencies }, program, TIMEOUT);
}

/** The program of one line: that line's Volume into a RootlessDeployment, with an Exemption of the core. */
const linePrograms = (line: number) => `
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-${line}';
import { Exemption, PodSecurity, PolicyLevel } from 'cdk8s-rootless';
import { RootlessDeployment } from 'cdk8s-rootless-plus-${line}';

const app = new App();
const chart = new Chart(app, 'consumer');
const cacheVolume: kplus.Volume = kplus.Volume.fromEmptyDir(chart, 'cache', 'cache');
const web: kplus.Deployment = new RootlessDeployment(chart, 'web', {
  user: 101,
  volumes: [cacheVolume],
  exemptions: [Exemption.writableRootFilesystem('nginx writes its pid file next to its config (test of the line package)')],
  containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27-alpine', portNumber: 8080, volumeMounts: [{ path: '/cache', volume: cacheVolume }] }],
});
web.metadata.addLabel('app.kubernetes.io/name', 'web');
const manifests = chart.toJson();
const deployment = manifests.find((m: any) => m.kind === 'Deployment');
const result = PodSecurity.evaluate(deployment, { level: PolicyLevel.RESTRICTED });
process.stdout.write(JSON.stringify({ deployment, allowed: result.allowed }));
`;

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-rootless-lines-'));
});
afterAll(() => {
  if (work && !process.env.KEEP_CONSUMER_DIR) fs.rmSync(work, { recursive: true, force: true });
});

describe.each(TABLE.lines.map(l => [l.line, l.dev] as const))('cdk8s-plus-%s', (line, dev) => {
  test(`a fresh project with the core, this line's package and only cdk8s-plus-${line} compiles, synthesizes, and has no other line`, () => {
    const dir = path.join(work, `plus-${line}`);
    project(dir, { [`cdk8s-plus-${line}`]: dev, [`cdk8s-rootless-plus-${line}`]: `file:${tarball(`cdk8s-rootless-plus-${line}`)}` }, linePrograms(line));
    expect(cdk8sPlusLinesIn(dir)).toEqual([`cdk8s-plus-${line}`]);
    const out = JSON.parse(ok(run(process.execPath, [path.join('dist', 'main.js')], dir), 'the program'));
    const pod = out.deployment.spec.template.spec;
    const web = pod.containers[0];
    // the line's Volume is mounted, the Exemption applied and recorded, everything else hardened
    expect(pod.volumes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'cache', emptyDir: expect.anything() })]));
    expect(web.volumeMounts).toEqual(expect.arrayContaining([{ mountPath: '/cache', name: 'cache' }]));
    expect(web.securityContext).toMatchObject({ readOnlyRootFilesystem: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext).toMatchObject({ runAsUser: 101, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(out.deployment.spec.template.metadata.annotations?.['rootless.cdk8s.io/exemptions']).toContain('writableRootFilesystem');
    // readOnlyRootFilesystem is not a PSS check: the exemption keeps the pod restricted
    expect(out.allowed).toBe(true);
    // the installed line package is the one built from this repository, at the core's version
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', `cdk8s-rootless-plus-${line}`, 'package.json'), 'utf8'));
    expect(pkg.peerDependencies).toEqual(expect.objectContaining({ 'cdk8s-rootless': VERSION, [`cdk8s-plus-${line}`]: expect.any(String) }));
    expect(Object.keys(pkg.peerDependencies).filter(d => /^cdk8s-plus-/.test(d))).toEqual([`cdk8s-plus-${line}`]);
    expect(fs.existsSync(path.join(dir, 'node_modules', `cdk8s-rootless-plus-${line}`, 'lib', 'index.ts'))).toBe(false);
  }, TIMEOUT);
});

test('two lines\' packages in one app share the core: one Exemption class, one identity index', () => {
  const [a, b] = TABLE.lines.slice(-2);
  const dir = path.join(work, 'two-lines');
  project(dir, {
    [`cdk8s-plus-${a.line}`]: a.dev,
    [`cdk8s-rootless-plus-${a.line}`]: `file:${tarball(`cdk8s-rootless-plus-${a.line}`)}`,
    [`cdk8s-plus-${b.line}`]: b.dev,
    [`cdk8s-rootless-plus-${b.line}`]: `file:${tarball(`cdk8s-rootless-plus-${b.line}`)}`,
  }, `
import { App, Chart } from 'cdk8s';
import { Exemption } from 'cdk8s-rootless';
import * as a from 'cdk8s-rootless-plus-${a.line}';
import * as b from 'cdk8s-rootless-plus-${b.line}';

const exemption = Exemption.writableRootFilesystem('one exemption object, given to constructs of two lines');
const containers = [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27-alpine', portNumber: 8080 }];
const app = new App();
const chart = new Chart(app, 'two');
new a.RootlessDeployment(chart, 'first', { user: 101, exemptions: [exemption], containers });
new b.RootlessDeployment(chart, 'second', { user: 101, exemptions: [exemption], containers });
const kinds = chart.toJson().map((m: any) => m.kind + ':' + (m.spec?.template?.metadata?.annotations?.['rootless.cdk8s.io/exemptions'] ? 'exempt' : ''));
// the same identity from two lines: the one identity index of the core sees both
const clash = new App();
const other = new Chart(clash, 'clash');
new a.RootlessDeployment(other, 'x', { metadata: { name: 'same' }, user: 101, containers });
new b.RootlessDeployment(other, 'y', { metadata: { name: 'same' }, user: 101, containers });
let error = '';
try { clash.synthYaml(); } catch (e) { error = (e as Error).message; }
const cores = new Set([require.resolve('cdk8s-rootless', { paths: [require.resolve('cdk8s-rootless-plus-${a.line}')] }),
  require.resolve('cdk8s-rootless', { paths: [require.resolve('cdk8s-rootless-plus-${b.line}')] })]);
process.stdout.write(JSON.stringify({ kinds, error, cores: cores.size }));
`);
  expect(cdk8sPlusLinesIn(dir)).toEqual([`cdk8s-plus-${a.line}`, `cdk8s-plus-${b.line}`]);
  const out = JSON.parse(ok(run(process.execPath, [path.join('dist', 'main.js')], dir), 'the program'));
  expect(out.cores).toBe(1);
  expect(out.kinds.filter((k: string) => k === 'Deployment:exempt')).toHaveLength(2);
  expect(out.error).toMatch(/same/);
  expect(out.error).toContain('clash/x');
  expect(out.error).toContain('clash/y');
}, TIMEOUT);

test('a line package with another version of the core, installed anyway (--legacy-peer-deps), refuses to run, naming both', () => {
  // npm refuses the pair (ERESOLVE: the line peers the core at its exact version); forced, or with a package manager that
  // only warns about peers, the line package would run on core internals it was not built with (FINDINGS.md, rt25 R3)
  const line = TABLE.lines[TABLE.lines.length - 1];
  const dir = path.join(work, 'other-core');
  const other = `${VERSION}-other.0`;
  const repack = path.join(work, 'repack');
  fs.mkdirSync(repack, { recursive: true });
  ok(run('tar', ['xzf', tarball('cdk8s-rootless'), '-C', repack], repack), 'tar x');
  const manifestFile = path.join(repack, 'package', 'package.json');
  fs.writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifestFile, 'utf8')), version: other }));
  // the runtime type information jsii writes into every class carries the version too
  for (const f of ['lib/exemptions/exemption.js']) {
    const file = path.join(repack, 'package', f);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(`version: "${VERSION}"`).join(`version: "${other}"`));
  }
  const core = path.join(work, `cdk8s-rootless-${other}.tgz`);
  ok(run('tar', ['czf', core, 'package'], repack), 'tar c');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'other-core',
    version: '1.0.0',
    private: true,
    dependencies: {
      'cdk8s': installed('cdk8s'),
      'constructs': installed('constructs'),
      'cdk8s-rootless': `file:${core}`,
      [`cdk8s-plus-${line.line}`]: line.dev,
      [`cdk8s-rootless-plus-${line.line}`]: `file:${tarball(`cdk8s-rootless-plus-${line.line}`)}`,
    },
  }));
  const refused = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/ERESOLVE|peer cdk8s-rootless/);
  ok(run('npm', ['install', '--legacy-peer-deps', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir), 'npm install --legacy-peer-deps');
  fs.writeFileSync(path.join(dir, 'main.js'), `
const { App, Chart } = require('cdk8s');
const { RootlessDeployment } = require('cdk8s-rootless-plus-${line.line}');
const chart = new Chart(new App(), 'c');
try { new RootlessDeployment(chart, 'd', { user: 101, containers: [{ image: 'nginxinc/nginx-unprivileged:1.27-alpine' }] }); process.stdout.write('built'); }
catch (e) { process.stdout.write(e.message); }
`);
  const out = ok(run(process.execPath, ['main.js'], dir), 'the program');
  expect(out).toContain(`cdk8s-rootless-plus-${line.line} ${VERSION} runs only on cdk8s-rootless ${VERSION}`);
  expect(out).toContain(`cdk8s-rootless ${other} is installed`);
  expect(out).toContain(`npm install cdk8s-rootless@${VERSION} cdk8s-rootless-plus-${line.line}@${VERSION}`);
}, TIMEOUT);

test('jsii-diff between lines (packages/lines/diff.js) sees a property one line lacks and a method only one line has', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const diff = require('../../packages/lines/diff.js');
  const line = TABLE.lines.find(l => l.line !== 27)!.line;
  try {
    const source = diff.stage('probe-source', diff.neutral(27));
    const same = diff.stage('probe-same', diff.neutral(line));
    expect(diff.differences(source, same, line)).toEqual([]);
    const changed = diff.neutral(line);
    const options = changed.types['cdk8s-rootless-plus.HardeningOptions'];
    options.properties = options.properties.filter((p: { name: string }) => p.name !== 'fsGroup');
    const deployment = changed.types['cdk8s-rootless-plus.RootlessDeployment'];
    deployment.methods = [...deployment.methods ?? [], { name: 'onlyHere', docs: { summary: 'probe' }, locationInModule: { filename: 'x.ts', line: 1 } }];
    const found: string[] = diff.differences(source, diff.stage('probe-changed', changed), line);
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^27 -> ${line}: err .*HardeningOptions\\.fsGroup: has been removed`)),
      expect.stringMatching(new RegExp(`^${line} -> 27: err .*RootlessDeployment\\.onlyHere.*removed`)),
    ]));
  } finally {
    fs.rmSync(diff.WORK, { recursive: true, force: true });
  }
}, TIMEOUT);
