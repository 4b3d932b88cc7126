/**
 * The core package as a user gets it: pack the real tarball, install it into a fresh project next to
 * cdk8s, constructs, TypeScript and the newest cdk8s-plus line of packages/lines/lines.json (the core names
 * no line: it works with any), compile a TypeScript program against it with the installed tsc, run it to
 * harden a plain Deployment of that line with `RootlessHardening.applyTo` and synthesize the chart, and
 * audit the YAML with the installed CLI. (The line packages, cdk8s-rootless-plus-NN, are built by
 * packages/lines/build.js and tested as their users get them there.)
 *
 * The install uses the npm cache first (`--prefer-offline`): after `npm ci` in this repo every
 * dependency is there at the same version (the versions are taken from this repo's node_modules),
 * so it needs the registry only for what the cache lacks.
 */
import { execFileSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, cleanEnv, consumerProject, installed, ok, run as runIn } from './consumer-project';

const TIMEOUT = 180_000;

const run = (cmd: string, args: string[], cwd: string, input?: string): SpawnSyncReturns<string> => runIn(cmd, args, cwd, TIMEOUT, input);

/** The newest line the project builds: the consumer's own cdk8s-plus, which the core must not care about. */
const LINE: number = Math.max(...JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', 'lines', 'lines.json'), 'utf8')).lines.map((l: { line: number }) => l.line));

const PROGRAM = `
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-${LINE}';
import { PodSecurity, PolicyLevel, RootlessHardening } from 'cdk8s-rootless';

const app = new App();
const chart = new Chart(app, 'consumer');
// A plain Deployment of the consumer's own cdk8s-plus line, hardened by the core's applyTo.
const web = new kplus.Deployment(chart, 'web', {
  containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27-alpine', portNumber: 8080 }],
});
web.metadata.addLabel('app.kubernetes.io/name', 'web');
RootlessHardening.applyTo(chart, { user: 101 });

const yaml = app.synthYaml(); // applyTo runs when cdk8s validates the app
for (const manifest of chart.toJson()) {
  const result = PodSecurity.evaluate(manifest, { level: PolicyLevel.RESTRICTED });
  if (!result.allowed) {
    throw new Error('not restricted: ' + JSON.stringify(result.violations));
  }
}
process.stdout.write(yaml);
`;

const ROOT_POD = `apiVersion: v1
kind: Pod
metadata:
  name: plain
spec:
  containers:
    - name: app
      image: nginx:1.27
`;

let work: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js')) || !fs.existsSync(path.join(ROOT, 'lib', 'cli', 'main.js'))) {
    throw new Error('lib/*.js is missing: compile first (`npx projen compile`; `npm test` does it).');
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-rootless-consumer-'));
});

afterAll(() => {
  if (work && !process.env.KEEP_CONSUMER_DIR) fs.rmSync(work, { recursive: true, force: true });
});

test('a fresh TypeScript project installs the packed tarball, compiles against it, synthesizes and audits', () => {
  // 1. The real tarball, as `npm publish` would upload it.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: ROOT, env: cleanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024,
  }))[0];
  const tarball = path.join(work, packed.filename);
  expect(fs.existsSync(tarball)).toBe(true);

  // 2. A fresh project depending on it and on its peers, installed and compiled with the installed tsc.
  const project = path.join(work, 'app');
  consumerProject(project, {
    'cdk8s': installed('cdk8s'),
    [`cdk8s-plus-${LINE}`]: installed(`cdk8s-plus-${LINE}`),
    'constructs': installed('constructs'),
    'cdk8s-rootless': `file:${tarball}`,
  }, PROGRAM, TIMEOUT);
  const installedPkg = path.join(project, 'node_modules', 'cdk8s-rootless');
  expect(JSON.parse(fs.readFileSync(path.join(installedPkg, 'package.json'), 'utf8')).name).toBe('cdk8s-rootless');
  expect(fs.existsSync(path.join(installedPkg, '.jsii'))).toBe(true);
  expect(fs.existsSync(path.join(installedPkg, 'lib', 'index.ts'))).toBe(false);
  // the core brings no cdk8s-plus line of its own: the only one installed is the consumer's
  expect(fs.readdirSync(path.join(project, 'node_modules')).filter(d => d.startsWith('cdk8s-plus'))).toEqual([`cdk8s-plus-${LINE}`]);

  // 3. Run what the installed tsc compiled (consumerProject): the chart's YAML.
  const yaml = ok(run(process.execPath, [path.join('dist', 'main.js')], project), 'the program');
  expect(yaml).toContain('kind: Deployment');
  expect(yaml).toContain('runAsNonRoot: true');
  expect(yaml).toContain('runAsUser: 101');
  expect(yaml).toContain('type: RuntimeDefault');
  // the core's tarball holds no construct bound to a cdk8s-plus line (those are the line packages')
  expect(fs.existsSync(path.join(installedPkg, 'lib', 'constructs', 'plus'))).toBe(false);
  expect(JSON.parse(fs.readFileSync(path.join(installedPkg, 'package.json'), 'utf8')).peerDependencies).toEqual({ cdk8s: expect.any(String), constructs: expect.any(String) });
  const chartFile = path.join(project, 'consumer.k8s.yaml');
  fs.writeFileSync(chartFile, yaml);

  // 4. The installed bins: linked, executable, and the audit passes the chart.
  for (const bin of ['cdk8s-rootless', 'kubectl-rootless']) {
    const link = path.join(project, 'node_modules', '.bin', bin);
    const target = fs.realpathSync(link);
    expect(target).toBe(fs.realpathSync(path.join(installedPkg, 'lib', 'cli', 'bin.js')));
    // executable by owner, group and others (npm sets the bits on install)
    expect(fs.statSync(target).mode.toString(8)).toMatch(/[1357]{3}$/);
    // run directly (shebang and executable bit), not through node
    expect(ok(run(link, ['--version'], project), `${bin} --version`).trim()).toBe(packed.version);
  }
  const cli = path.join(project, 'node_modules', '.bin', 'cdk8s-rootless');
  ok(run(cli, ['audit', chartFile], project), 'cdk8s-rootless audit of the chart');

  // ... and it is an audit: a plain root-capable pod fails it.
  const denied = run(cli, ['audit', '-'], project, ROOT_POD);
  expect(denied.error).toBeUndefined();
  expect(denied.status).not.toBe(0);

  // 5. The bundled dependencies load from the installed package (this project has none of them):
  //    yaml (harden keeps the bytes it does not change) and dockerfile-ast (Dockerfile audits).
  fs.writeFileSync(path.join(project, 'pod.yaml'), ROOT_POD);
  ok(run(cli, ['harden', '--user', '1000', '-o', 'hardened.yaml', 'pod.yaml'], project), 'cdk8s-rootless harden');
  ok(run(cli, ['audit', 'hardened.yaml'], project), 'cdk8s-rootless audit of the hardened pod');
  fs.mkdirSync(path.join(project, 'image'));
  fs.writeFileSync(path.join(project, 'image', 'Dockerfile'), 'FROM alpine:3.20\nUSER 10001:10001\n');
  ok(run(cli, ['audit', path.join('image', 'Dockerfile')], project), 'cdk8s-rootless audit of a Dockerfile');
  for (const dep of ['commander', 'js-yaml', 'yaml', 'dockerfile-ast']) {
    expect(fs.existsSync(path.join(installedPkg, 'node_modules', dep, 'package.json'))).toBe(true);
  }
}, TIMEOUT);
