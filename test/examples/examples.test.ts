/**
 * Every example app under examples/*.ts (the fifteen scenarios of the reference article, corrected):
 * synthesized with Testing.synth, snapshotted for shape, and checked explicitly for intent —
 * each pod-bearing object is admitted at the level it declares (computed by the policy engine),
 * every pod carries a numeric user, and no container is one the kubelet would refuse to start.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as core from '../../lib';
import { PodSecurity, PolicyLevel, RootlessAnnotations } from '../../lib';
import * as line from '../../lib/constructs/plus';
import { podBearingKind, podTemplateOf } from '../../lib/policy/k8s-shapes';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const names = fs.readdirSync(EXAMPLES).filter(f => f.endsWith('.ts')).map(f => path.basename(f, '.ts')).sort();

function synth(name: string): any[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { build } = require(path.join(EXAMPLES, name)) as { build: (app: App) => Chart };
  return Testing.synth(build(Testing.app()));
}

const podBearing = (manifests: any[]) => manifests.filter(m => podBearingKind(m.kind));
/** The pod template (spec.jobTemplate.spec.template for a CronJob), from the one table of pod-bearing kinds. */
const templateOf = (m: any) => podTemplateOf(m)!;
const podSpec = (m: any) => templateOf(m).spec;
/** Containers whose effective runAsNonRoot is true with an effective user 0: the kubelet refuses them. */
function refusedByKubelet(m: any): string[] {
  const spec = podSpec(m);
  const pod = spec.securityContext ?? {};
  return [...spec.initContainers ?? [], ...spec.containers]
    .filter((c: any) => (c.securityContext?.runAsNonRoot ?? pod.runAsNonRoot) === true && (c.securityContext?.runAsUser ?? pod.runAsUser) === 0)
    .map((c: any) => c.name);
}

test('all fifteen scenarios have an example app (3 and 13 also as manifests audited by npm run examples)', () => {
  expect(names).toEqual(expect.arrayContaining([
    'secure-app', 'webapp', 'nonroot-image', 'multi-container', 'data-processor', 'logger-app', 'postgres',
    'redis-migration', 'hardened-app', 'elasticsearch', 'webserver', 'restricted-namespace', 'monitoring', 'admission-policy',
  ]));
  expect(fs.existsSync(path.join(EXAMPLES, 'manifests', 'compliant', 'Dockerfile'))).toBe(true);
  expect(fs.existsSync(path.join(EXAMPLES, 'manifests', 'compliant', 'pods.list.json'))).toBe(true);
});

describe.each(names)('example %s', (name) => {
  const manifests = synth(name);

  test('matches its snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('every pod is admitted at exactly the level it declares, as a numeric non-root user the kubelet accepts', () => {
    // only the monitoring and admission-policy examples carry no workload
    expect(podBearing(manifests).length > 0).toBe(!['monitoring', 'admission-policy'].includes(name));
    for (const m of podBearing(manifests)) {
      const annotations = templateOf(m).metadata?.annotations ?? {};
      const declared = annotations[RootlessAnnotations.PSS_LEVEL];
      expect(declared).toBe(PodSecurity.strictestLevel(m));
      // privileged only for the node agent that reads the host's files (the log shipper's hostPath)
      expect(name === 'log-shipper' ? [PolicyLevel.PRIVILEGED] : [PolicyLevel.RESTRICTED, PolicyLevel.BASELINE]).toContain(declared);
      if (declared !== PolicyLevel.RESTRICTED) {
        // a weaker level is always explained
        expect(JSON.parse(annotations[RootlessAnnotations.EXEMPTIONS]).length).toBeGreaterThan(0);
      }
      const spec = podSpec(m);
      expect(Number.isInteger(spec.securityContext.runAsUser)).toBe(true);
      expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of [...spec.initContainers ?? [], ...spec.containers]) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false });
        expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
      }
      expect(refusedByKubelet(m)).toEqual([]);
    }
  });
});

test('data-processor: the claim is mounted at /data and made group-writable through fsGroup, without re-walking it', () => {
  const pod = synth('data-processor').find(m => m.kind === 'Pod');
  expect(pod.spec.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch' });
  const volume = pod.spec.volumes.find((v: any) => v.persistentVolumeClaim);
  expect(volume.persistentVolumeClaim.claimName).toBe('app-data');
  expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: volume.name, mountPath: '/data' });
});

test('nonroot-image: the pod states the Dockerfile\'s numeric USER 1000:1000', () => {
  const deployment = synth('nonroot-image').find(m => m.kind === 'Deployment');
  expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
  const dockerfile = fs.readFileSync(path.join(EXAMPLES, 'manifests', 'compliant', 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^USER 1000:1000$/m);
});

/** The package names a user imports: the core, and the construct package of the line the examples are written for. */
const CORE = 'cdk8s-rootless';
const LINE: number = JSON.parse(fs.readFileSync(path.join(EXAMPLES, '..', 'packages', 'lines', 'lines.json'), 'utf8')).source;
const LINE_PACKAGE = `cdk8s-rootless-plus-${LINE}`;

test('examples import the packages by name, as a user copies them: the core and the line package, and run that way (Node resolves both names)', () => {
  const sources = [...names.map(n => `${n}.ts`), path.join('pulumi', 'index.ts')];
  const used = new Set<string>();
  for (const file of sources) {
    const code = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
    expect(code).not.toMatch(/from '\.\.\/(\.\.\/)?lib/);
    const ours = [...code.matchAll(/from '(cdk8s-rootless[^']*)'/g)].map(m => m[1]);
    // only the two package names, never a deep import of either (cdk8s-rootless/lib/...)
    expect([file, ours.filter(n => n !== CORE && n !== LINE_PACKAGE)]).toEqual([file, []]);
    expect([file, ours.length]).not.toEqual([file, 0]);
    ours.forEach(n => used.add(n));
    // a file that uses the line package uses that line's cdk8s-plus, no other
    const lines = [...code.matchAll(/from 'cdk8s-plus-(\d+)'/g)].map(m => Number(m[1]));
    expect([file, lines.filter(n => n !== LINE)]).toEqual([file, []]);
    // what each name exports: the workload constructs only from the line package, the rest only from the core
    for (const m of code.matchAll(/import \{([^}]*)\} from '(cdk8s-rootless[^']*)'/g)) {
      const exported = Object.keys(m[2] === CORE ? core : line);
      for (const name of m[1].split(',').map(n => n.trim()).filter(n => n !== '')) expect([file, m[2], name, exported.includes(name)]).toEqual([file, m[2], name, true]);
    }
  }
  expect([...used].sort()).toEqual([CORE, LINE_PACKAGE]);
  // `npm run examples` (examples/run.js) runs them with plain Node (needs the compiled lib/): the core is the package's
  // self-reference, the line package the devDependency packages/lines/dev/ whose entry is the compiled lib/constructs/plus/
  const resolve = (name: string) => execFileSync(process.execPath, ['-p', `require.resolve(${JSON.stringify(name)})`], { cwd: EXAMPLES, encoding: 'utf8' }).trim();
  expect(resolve(CORE)).toBe(path.join(EXAMPLES, '..', 'lib', 'index.js'));
  expect(fs.realpathSync(resolve(LINE_PACKAGE))).toBe(path.join(EXAMPLES, '..', 'packages', 'lines', 'dev', 'index.js'));
  // loaded together, the line package runs on the core's modules: one Exemption class, not a copy per package
  const loaded = execFileSync(process.execPath, ['-p', [
    `const c = require('${CORE}'); const l = require('${LINE_PACKAGE}');`,
    'JSON.stringify({ line: typeof l.RootlessDeployment, core: typeof c.RootlessDeployment,',
    'exemption: Object.keys(require.cache).filter(f => /exemptions[\\\\/]exemption\\.js$/.test(f)).map(f => require("fs").realpathSync(f)) })',
  ].join(' ')], { cwd: EXAMPLES, encoding: 'utf8' });
  expect(JSON.parse(loaded)).toEqual({ line: 'function', core: 'undefined', exemption: [path.join(EXAMPLES, '..', 'lib', 'exemptions', 'exemption.js')] });
});

test('migrate-existing-app: one applyTo call takes the plain chart to restricted, keeping the users the team set', () => {
  const manifests = synth('migrate-existing-app');
  expect(podBearing(manifests).map(m => m.kind)).toEqual(['Deployment', 'Job', 'CronJob', 'Pod']);
  for (const m of podBearing(manifests)) {
    expect(templateOf(m).metadata.annotations).toMatchObject({ [RootlessAnnotations.PSS_LEVEL]: 'restricted', [RootlessAnnotations.EXEMPTIONS]: '[]' });
    expect(PodSecurity.evaluate(m, { level: PolicyLevel.RESTRICTED }).allowed).toBe(true);
    for (const c of podSpec(m).containers) expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
  }
  const [storefront, , , status] = podBearing(manifests);
  expect(podSpec(storefront).securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000 });
  // the raw pod: the default user, the low-port sysctl, emptyDirs at /tmp and at the path given
  expect(status.spec.securityContext).toMatchObject({
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    runAsNonRoot: true,
    sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }],
  });
  expect(status.spec.containers[0].volumeMounts.map((v: any) => v.mountPath)).toEqual(['/tmp', '/var/cache/status']);
  expect(status.metadata.labels).toEqual({ app: 'status-page' });
});
