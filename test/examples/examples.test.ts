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
import { PodSecurity, PolicyLevel, RootlessAnnotations } from '../../lib';
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

test('examples import the package by name, as a user copies them, and run that way (Node resolves the name to this package through its exports)', () => {
  const sources = [...names.map(n => `${n}.ts`), path.join('pulumi', 'index.ts')];
  for (const file of sources) {
    const code = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
    expect(code).not.toMatch(/from '\.\.\/(\.\.\/)?lib/);
    expect(code).toContain('from \'cdk8s-rootless\'');
  }
  // `npm run examples` (examples/run.js) runs them with plain Node: the package's self-reference (needs the compiled lib/)
  const resolved = execFileSync(process.execPath, ['-p', 'require.resolve("cdk8s-rootless")'], { cwd: EXAMPLES, encoding: 'utf8' }).trim();
  expect(resolved).toBe(path.join(EXAMPLES, '..', 'lib', 'index.js'));
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
