import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RootlessValidation, RootlessValidationProps } from '../../lib/plugin';

const ROOT = path.resolve(__dirname, '..', '..');
const PLUGIN_JS = path.join(ROOT, 'lib', 'plugin', 'index.js');
const CDK8S_BIN = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');

const dirs: string[] = [];
afterAll(() => dirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-rootless-plugin-'));
  dirs.push(d);
  return d;
}

const HARDENED = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true };
const POD_SC = { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } };

/** A pod (no service-account token unless `spec` says otherwise: the plugin checks the rootless rules at restricted). */
function pod(name: string, spec: any, annotations?: Record<string, string>): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...annotations ? { annotations } : {} }, spec: { automountServiceAccountToken: false, ...spec } };
}

/** A pod whose init container runs as root, with the given exemptions annotation entries. */
function rootInitPod(name: string, exemptions?: any[]): any {
  return pod(name, {
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [{ name: 'init', image: 'busybox', securityContext: { ...HARDENED, runAsUser: 0, runAsNonRoot: false } }],
    containers: [{ name: 'app', image: 'app', securityContext: { ...HARDENED, runAsUser: 1000, runAsNonRoot: true } }],
  }, exemptions ? { 'rootless.cdk8s.io/exemptions': JSON.stringify(exemptions) } : undefined);
}

/** Runs the plugin in-process on manifests (one file per entry) with a fake cdk8s-cli context. */
async function validate(files: any[][], props: RootlessValidationProps = {}, metadata: Record<string, { path: string }> = {}) {
  const dir = tmp();
  const manifests = files.map((docs, i) => {
    const file = path.join(dir, `chart-${i}.k8s.yaml`);
    fs.writeFileSync(file, docs.map(d => (typeof d === 'string' ? d : JSON.stringify(d))).join('\n---\n'));
    return file;
  });
  const violations: any[] = [];
  const logs: string[] = [];
  let summary: any;
  const context = {
    manifests,
    metadata,
    report: {
      addViolation: (v: any) => violations.push(v),
      submit: (status: string, meta: any) => { summary = { status, ...meta }; },
    },
    logger: { log: (m: string) => logs.push(m) },
  };
  await new RootlessValidation(props).validate(context);
  return { violations, summary, logs: logs.join('\n'), rules: violations.map(v => v.ruleName) };
}

describe('RootlessValidation (in-process)', () => {
  test('scope: the init container\'s runAsRoot does not cover the app container running as root', async () => {
    const reason = 'the init container chowns the data volume';
    const r = await validate([[pod('db', {
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [{ name: 'init', image: 'busybox', securityContext: { ...HARDENED, runAsUser: 0, runAsNonRoot: false } }],
      containers: [{ name: 'app', image: 'app', securityContext: { ...HARDENED, runAsUser: 0, runAsNonRoot: false } }],
    }, { 'rootless.cdk8s.io/exemptions': `[{"id":"runAsRoot","container":"init","reason":"${reason}"}]` })]]);
    expect(r.summary.status).toBe('failure');
    const runAsUser = r.violations.find(v => v.ruleName === 'runAsUser');
    expect(runAsUser.violatingResources[0].locations.join('\n')).toContain('"app"');
    expect(runAsUser.violatingResources[0].locations.join('\n')).not.toContain('"init"');
  });

  test('duplicate JSON keys in the annotation: reported, and no entry is honoured', async () => {
    const reason = 'the init container chowns the data volume';
    const r = await validate([[pod('dup', {
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: 'app', securityContext: { ...HARDENED, runAsUser: 0, runAsNonRoot: false } }],
    }, { 'rootless.cdk8s.io/exemptions': `[{"id":"runAsRoot","container":"init","container":null,"reason":"${reason}"}]` })]]);
    expect(r.rules).toContain('runAsUser');
    expect(r.logs).not.toContain('accepted');
    const exemption = r.violations.find(v => v.ruleName === 'rootless-exemption');
    expect(exemption.violatingResources[0].locations[0]).toContain('[0] is not in the canonical form');
  });

  test('a restricted pod passes; a plain one fails with one violation per check, resource name and locations', async () => {
    const ok = pod('ok', { securityContext: POD_SC, containers: [{ name: 'app', image: 'x', securityContext: HARDENED }] });
    const plain = pod('plain', { containers: [{ name: 'app', image: 'nginx' }] });
    expect((await validate([[ok]])).summary.status).toBe('success');
    const r = await validate([[ok, plain]]);
    expect(r.summary).toMatchObject({ 'status': 'failure', 'level': 'restricted', 'pods evaluated': '2' });
    expect(r.rules).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted', 'readOnlyRootFilesystem']);
    expect(r.violations[0].violatingResources).toEqual([
      { resourceName: 'plain', manifestPath: expect.stringMatching(/chart-0\.k8s\.yaml$/), locations: ['container "app" must set securityContext.allowPrivilegeEscalation=false'] },
    ]);
  });

  test('level and version: baseline admits the plain pod; an old policy version skips newer checks', async () => {
    const plain = pod('plain', { containers: [{ name: 'app', image: 'nginx' }] });
    expect((await validate([[plain]], { level: 'baseline' })).summary.status).toBe('success');
    const rootUser = pod('r', { securityContext: { ...POD_SC, runAsUser: 0 }, containers: [{ name: 'app', image: 'x', securityContext: HARDENED }] });
    expect((await validate([[rootUser]])).rules).toEqual(['runAsUser']);
    expect((await validate([[rootUser]], { version: 'v1.22' })).summary).toMatchObject({ 'status': 'success', 'policy version': 'v1.22' });
  });

  test('a violation covered by a declared exemption with a real reason is accepted and logged, not failed', async () => {
    const r = await validate([[rootInitPod('es', [{ id: 'runAsRoot', container: 'init', reason: 'chowns the data volume before start' }])]],
      {}, { es: { path: 'app/es/Resource' } });
    expect(r.summary).toMatchObject({ 'status': 'success', 'accepted through exemptions': '2' });
    expect(r.logs).toContain('accepted: Pod es (app/es/Resource): runAsNonRoot');
    expect(r.logs).toContain('covered by runAsRoot (container "init"): "chowns the data volume before start"');
  });

  test('an exemption covers only the container it names', async () => {
    const manifest = rootInitPod('es', [{ id: 'runAsRoot', container: 'app', reason: 'the wrong container is exempted here' }]);
    const r = await validate([[manifest]]);
    expect(r.summary.status).toBe('failure');
    expect(r.rules).toEqual(['runAsNonRoot', 'runAsUser']);
  });

  test('placeholder, short and unknown exemptions do not count and fail the validation', async () => {
    const r = await validate([[
      rootInitPod('todo', [{ id: 'runAsRoot', container: 'init', reason: 'TODO: explain why container "init" runs as root' }]),
      rootInitPod('short', [{ id: 'runAsRoot', container: 'init', reason: 'needed' }]),
      rootInitPod('unknown', [{ id: 'runAsAdmin', container: 'init', reason: 'chowns the data volume before start' }]),
      rootInitPod('garbage', 'not json' as any),
    ]]);
    expect(r.summary.status).toBe('failure');
    expect(r.rules).toEqual(['rootless-exemption', 'runAsNonRoot', 'runAsUser']);
    const exemption = r.violations[0];
    expect(exemption.violatingResources.map((x: any) => x.resourceName)).toEqual(['todo', 'short', 'unknown', 'garbage']);
    expect(exemption.violatingResources[0].locations[0]).toContain('is a placeholder');
    expect(exemption.violatingResources[1].locations[0]).toContain('is not a reason');
    expect(exemption.violatingResources[3].locations[0]).toContain('is not a JSON array');
    expect(r.violations[1].violatingResources.map((x: any) => x.resourceName)).toEqual(['todo', 'short', 'unknown', 'garbage']);
  });

  test('exemption entries are validated as the constructs validate them: CAP_ names, unknown capabilities and an empty Localhost profile are reported and not honoured', async () => {
    const capPod = (name: string, add: string[], capabilities: any) => pod(name, {
      securityContext: POD_SC,
      containers: [{ name: 'app', image: 'app', securityContext: { ...HARDENED, capabilities: { drop: ['ALL'], add } } }],
    }, { 'rootless.cdk8s.io/exemptions': JSON.stringify([{ id: 'addCapabilities', container: 'app', capabilities, reason: 'configures the pod routing table' }]) });
    const localhost = pod('localhost', {
      securityContext: { ...POD_SC, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' } },
      containers: [{ name: 'app', image: 'app', securityContext: HARDENED }],
    }, { 'rootless.cdk8s.io/exemptions': JSON.stringify([{ id: 'seccompLocalhost', container: null, profile: '', reason: 'the app needs its own syscall list' }]) });
    const r = await validate([[
      capPod('valid', ['NET_ADMIN'], ['NET_ADMIN']),
      capPod('prefixed', ['CAP_NET_ADMIN'], ['CAP_NET_ADMIN']),
      capPod('unknown', ['NET_FOO'], ['NET_FOO']),
      capPod('none', ['NET_ADMIN'], []),
      localhost,
    ]]);
    expect(r.summary.status).toBe('failure');
    // the valid entry is honoured (its violations accepted), the others are reported and their violations stay
    expect(r.logs).toContain('accepted: Pod valid: capabilities_restricted');
    expect(r.logs).not.toMatch(/accepted: Pod (prefixed|unknown|none)/);
    const exemption = r.violations.find(v => v.ruleName === 'rootless-exemption');
    expect(exemption.violatingResources.map((x: any) => x.resourceName)).toEqual(['prefixed', 'unknown', 'none', 'localhost']);
    const [prefixed, unknown, none, profile] = exemption.violatingResources.map((x: any) => x.locations.join('\n'));
    expect(prefixed).toContain('(addCapabilities for container "app").capabilities: "CAP_NET_ADMIN" must be spelled "NET_ADMIN" (upper case, without the CAP_ prefix)');
    expect(unknown).toContain('(addCapabilities for container "app").capabilities: "NET_FOO" is not a Linux capability');
    expect(none).toContain('(addCapabilities for container "app").capabilities: [] is not a list of capabilities');
    expect(profile).toContain('(seccompLocalhost).profile: "" is not a profile path');
    const capabilities = r.violations.find(x => x.ruleName === 'capabilities_restricted');
    expect(capabilities.violatingResources.map((x: any) => x.resourceName)).toEqual(['prefixed', 'unknown', 'none']);
  });

  test('honorExemptions: false fails exempted violations too', async () => {
    const manifest = rootInitPod('es', [{ id: 'runAsRoot', container: 'init', reason: 'chowns the data volume before start' }]);
    expect((await validate([[manifest]], { honorExemptions: false })).rules).toEqual(['runAsNonRoot', 'runAsUser']);
  });

  test('workloads, CronJobs and Lists are evaluated on their pod templates; other kinds are skipped', async () => {
    const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const r = await validate([[
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } },
      { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: template.spec }] },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } },
    ]]);
    expect(r.summary['pods evaluated']).toBe('3');
    expect(r.violations[0].violatingResources.map((x: any) => x.resourceName)).toEqual(['d', 'cj', 'p']);
  });

  test('bad properties fail at load with the fix', () => {
    expect(() => new RootlessValidation({ level: 'strict' })).toThrow(/properties.level "strict" is not a level. Fix: use restricted or baseline/);
    expect(() => new RootlessValidation({ version: '1.30' })).toThrow(/properties.version/);
  });
});

const haveCompiled = fs.existsSync(PLUGIN_JS);

describe('through the real cdk8s CLI (cdk8s synth)', () => {
  if (!haveCompiled) {
    test('needs the compiled plugin', () => {
      throw new Error(`${PLUGIN_JS} is missing: run "npx projen compile" first`);
    });
    return;
  }

  function project(app: string, properties: Record<string, unknown> = {}): string {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'app.js'), app);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
      'language: typescript',
      'app: node app.js',
      'validations:',
      `  - package: ${path.join(ROOT, 'lib', 'plugin')}`,
      '    version: 0.0.0',
      '    class: RootlessValidation',
      `    properties: ${JSON.stringify(properties)}`,
      '',
    ].join('\n'));
    return dir;
  }

  function synth(dir: string, ...args: string[]) {
    const report = path.join(dir, 'validation-report.json');
    const r = spawnSync(CDK8S_BIN, ['synth', '--no-check-upgrade', '--validation-reports-output-file', report, ...args], {
      cwd: dir,
      encoding: 'utf8',
      // the app and the plugin resolve cdk8s (and nothing else) from this repository: no network, no install
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
      timeout: 60_000,
    });
    const json = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : undefined;
    return { status: r.status, out: `${r.stdout}\n${r.stderr}`, report: json?.reports?.[0] };
  }

  const APP = `
const { App, Chart, ApiObject } = require('cdk8s');
const app = new App();
const chart = new Chart(app, 'shop');
const hardened = ${JSON.stringify(HARDENED)};
new ApiObject(chart, 'web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {
  selector: { matchLabels: { app: 'web' } },
  template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } } });
new ApiObject(chart, 'ok', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ok' }, spec: {
  automountServiceAccountToken: false,
  securityContext: ${JSON.stringify(POD_SC)},
  containers: [{ name: 'app', image: 'x', securityContext: hardened }] } });
new ApiObject(chart, 'es', ${JSON.stringify(rootInitPod('es', [{ id: 'runAsRoot', container: 'init', reason: 'chowns the data volume before start' }]))});
app.synth();
`;

  test('fails synth (exit 2) on an unhardened Deployment, names its construct path, accepts the exempted pod', () => {
    const r = synth(project(APP));
    expect(r.status).toBe(2);
    expect(r.out).toContain('Validation failed');
    expect(r.out).toContain('accepted: Pod es (shop/es): runAsNonRoot');
    expect(r.report.summary).toMatchObject({ status: 'failure', metadata: { 'level': 'restricted', 'pods evaluated': '3', 'accepted through exemptions': '2' } });
    const rules = r.report.violations.map((v: any) => v.ruleName);
    // Pod Security first, then the rootless rules (the plugin checks both at restricted)
    expect(rules).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted', 'readOnlyRootFilesystem', 'serviceAccountToken']);
    for (const v of r.report.violations) {
      expect(v.violatingConstructs).toEqual([expect.objectContaining({ resourceName: 'web', constructPath: 'shop/web', manifestPath: 'dist/shop.k8s.yaml' })]);
    }
  });

  test('passes at baseline; --no-validate skips it', () => {
    const dir = project(APP, { level: 'baseline' });
    const r = synth(dir);
    expect(r.status).toBe(0);
    expect(r.report.summary.status).toBe('success');
    expect(synth(project(APP), '--no-validate').status).toBe(0);
  });

  test('the plugin module loads neither cdk8s-plus nor cdk8s nor constructs', () => {
    const r = spawnSync(process.execPath, ['-e', `
      require(${JSON.stringify(PLUGIN_JS)});
      const loaded = Object.keys(require.cache).filter(k => /node_modules[\\\\/](cdk8s|cdk8s-plus-\\d+|constructs)[\\\\/]/.test(k));
      process.stdout.write(JSON.stringify(loaded));
    `], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
