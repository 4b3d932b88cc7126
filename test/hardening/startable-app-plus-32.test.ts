/**
 * Issue 20, "Done when": the issue's app on cdk8s-plus-32 — nginx-unprivileged, a Node API on node:20-alpine,
 * redis:7-alpine with a claim, postgres:16-alpine as a StatefulSet, a migration Job and a vendor manifest brought in with
 * `Include` (metrics-server, from the real-world corpus) — hardened with one `RootlessHardening.applyTo` call either
 * synthesizes with every pod passing the startability checklist, or fails naming each object and its fix. cdk8s-plus-32
 * (a dev dependency) is a line the constructs are not built for: applyTo reaches its objects through cdk8s' public surface.
 */
import * as path from 'path';
import { ApiObject, App, Chart, Include, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-32';
import { captureStderr } from './util';
import { RootlessHardening } from '../../lib';
import { startabilityProblems } from '../../lib/hardening/startability';
import { TokenFacts, tokenStartability } from '../../lib/hardening/token-rule';
import { podBearingKind, podTemplateOf } from '../../lib/policy/k8s-shapes';
import { PodSecurity } from '../../lib/policy/pod-security';
import { PolicyLevel } from '../../lib/policy/types';

const METRICS_SERVER = path.join(__dirname, '..', 'corpus', 'kubernetes-sigs__metrics-server');

function shop(app: App, options: { apiImage?: string } = {}): Chart {
  const chart = new Chart(app, 'shop');
  new kplus.Deployment(chart, 'web', { containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }] });
  new kplus.Deployment(chart, 'api', { containers: [{ name: 'api', image: options.apiImage ?? 'node:20-alpine', portNumber: 3000, command: ['node', 'server.js'] }] });
  const cache = new kplus.Deployment(chart, 'cache', { containers: [{ name: 'redis', image: 'redis:7-alpine', portNumber: 6379 }] });
  cache.containers[0].mount('/data', kplus.Volume.fromPersistentVolumeClaim(chart, 'cache-data',
    new kplus.PersistentVolumeClaim(chart, 'cache-claim', { storage: Size.gibibytes(1) })));
  // a claim per pod (volumeClaimTemplates), mounted by name: cdk8s-plus-32 leaves the template's volume out of the pod
  const db = new kplus.StatefulSet(chart, 'db', {
    containers: [{ name: 'postgres', image: 'postgres:16-alpine', portNumber: 5432 }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10) }],
  });
  db.containers[0].mount('/var/lib/postgresql', kplus.Volume.fromEmptyDir(chart, 'db-data', 'data'));
  new kplus.Job(chart, 'migrate', { containers: [{ name: 'migrate', image: 'node:20-alpine', command: ['node', 'migrate.js'] }] });
  const vendor = new Chart(app, 'vendor');
  new Include(vendor, 'metrics-server-rbac', { url: path.join(METRICS_SERVER, 'manifests__base__rbac.yaml') });
  new Include(vendor, 'metrics-server', { url: path.join(METRICS_SERVER, 'manifests__base__deployment.yaml') });
  return chart;
}

/** Every object the app writes, as `app.synth()` would (Testing.synth of each chart). */
function synth(app: App): any[] {
  return app.charts.flatMap(c => Testing.synth(c));
}


test('one applyTo call: every pod of the cdk8s-plus-32 app passes restricted and the startability checklist', () => {
  const app = Testing.app();
  shop(app);
  RootlessHardening.applyTo(app);
  const { value: manifests, stderr } = captureStderr(() => synth(app));
  const pods = manifests.filter(m => podBearingKind(m.kind));
  expect(pods).toHaveLength(6);
  const facts = new TokenFacts();
  for (const m of manifests) facts.add(m);
  const token = tokenStartability(facts);
  for (const m of pods) {
    expect({ object: m.metadata.name, reasons: startabilityProblems(m, { token }) }).toEqual({ object: m.metadata.name, reasons: [] });
    expect(PodSecurity.evaluate(m, { level: PolicyLevel.RESTRICTED }).allowed).toBe(true);
    const spec = podTemplateOf(m)!.spec;
    for (const c of spec.containers) {
      const user = c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
      expect(Number.isInteger(user) && user > 0).toBe(true);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(c.securityContext.capabilities.drop).toContain('ALL');
    }
  }
  const byName = (s: string) => pods.find(m => m.metadata.name.includes(s))!;
  const userOf = (m: any) => {
    const spec = podTemplateOf(m)!.spec;
    return spec.containers[0].securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
  };
  // the users come from the images (presets), never from runAsNonRoot alone
  expect(userOf(byName('web'))).toBe(101);
  expect(userOf(byName('api'))).toBe(1000);
  expect(userOf(byName('cache'))).toBe(999);
  expect(userOf(byName('db'))).toBe(70);
  expect(userOf(byName('metrics-server'))).toBe(1000);
  // the vendor controller keeps its token (its account is bound), reported once; the app's default-account pods lose theirs
  expect(podTemplateOf(byName('metrics-server'))!.spec.automountServiceAccountToken).not.toBe(false);
  expect(stderr.match(/token kept for ServiceAccount kube-system\/metrics-server/g)).toHaveLength(1);
  for (const s of ['web', 'api', 'cache', 'db']) expect(podTemplateOf(byName(s))!.spec.automountServiceAccountToken).toBe(false);
});

test('an image nobody knows, with no user: synthesis fails naming the object, the container, the image and the fixes', () => {
  const app = Testing.app();
  const chart = shop(app, { apiImage: 'ghcr.io/acme/api:2' });
  RootlessHardening.applyTo(app);
  expect(() => captureStderr(() => Testing.synth(chart))).toThrow(/shop\/api[\s\S]*container "api"[\s\S]*ghcr\.io\/acme\/api:2[\s\S]*(user|imageUsers)/);
});

test('the same app with a user for that image synthesizes and starts', () => {
  const app = Testing.app();
  shop(app, { apiImage: 'ghcr.io/acme/api:2' });
  RootlessHardening.applyTo(app, { imageUsers: { 'ghcr.io/acme/*': 10001 } });
  const pods = captureStderr(() => synth(app)).value.filter(m => podBearingKind(m.kind));
  const api = pods.find(m => m.metadata.name.includes('api'))!;
  const spec = podTemplateOf(api)!.spec;
  expect(spec.containers[0].securityContext?.runAsUser ?? spec.securityContext?.runAsUser).toBe(10001);
  for (const m of pods) expect(startabilityProblems(m)).toEqual([]);
});

test('cdk8s-plus-32 objects are plain cdk8s ApiObjects to applyTo', () => {
  const chart = new Chart(Testing.app(), 'c');
  const d = new kplus.Deployment(chart, 'd', { containers: [{ image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }] });
  expect(ApiObject.isApiObject(ApiObject.of(d))).toBe(true);
});

test('a cdk8s-plus-32 StatefulSet that mounts a plain volume loses it (kplus-32 drops pod volumes without claim templates): synthesis says the API server would reject it', () => {
  const chart = new Chart(Testing.app(), 'c');
  const db = new kplus.StatefulSet(chart, 'db', { containers: [{ name: 'postgres', image: 'postgres:16-alpine', portNumber: 5432 }] });
  db.containers[0].mount('/var/lib/postgresql', kplus.Volume.fromPersistentVolumeClaim(chart, 'db-data',
    new kplus.PersistentVolumeClaim(chart, 'db-claim', { storage: Size.gibibytes(10) })));
  RootlessHardening.applyTo(chart);
  expect(() => captureStderr(() => Testing.synth(chart))).toThrow(/c\/db[\s\S]*invalid: the API server would reject[\s\S]*volumeMounts\[0\]\.name: Not found/);
});
