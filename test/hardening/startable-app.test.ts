/**
 * The app (issue 20, "Why"), hardened with one RootlessHardening.applyTo call: nginx-unprivileged, a Node API
 * on node:20-alpine, redis with a claim, postgres:16-alpine as a StatefulSet with its claim, a migration Job. The
 * writable paths and data paths and the user rule (issue 20, points 2, 3 and 5) leave nothing for the startability checklist.
 */
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessHardening } from '../../lib';
import { startabilityProblems } from '../../lib/hardening/startability';
import { podBearingKind } from '../../lib/policy/k8s-shapes';

function app(): any[] {
  const chart = new Chart(Testing.app(), 'shop');
  new kplus.Deployment(chart, 'web', { containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }] });
  new kplus.Deployment(chart, 'api', { containers: [{ name: 'api', image: 'node:20-alpine', portNumber: 3000, command: ['node', 'server.js'] }] });
  const redisClaim = new kplus.PersistentVolumeClaim(chart, 'redis-data', { storage: Size.gibibytes(1) });
  const redis = new kplus.Deployment(chart, 'redis', { containers: [{ name: 'redis', image: 'redis:7-alpine', portNumber: 6379 }] });
  redis.containers[0].mount('/data', kplus.Volume.fromPersistentVolumeClaim(chart, 'redis-vol', redisClaim));
  const pgClaim = new kplus.PersistentVolumeClaim(chart, 'pg-data', { storage: Size.gibibytes(10) });
  const service = new kplus.Service(chart, 'db-svc', { ports: [{ port: 5432 }], clusterIP: 'None' });
  const db = new kplus.StatefulSet(chart, 'db', { service, containers: [{ name: 'postgres', image: 'postgres:16-alpine', portNumber: 5432 }] });
  db.containers[0].mount('/var/lib/postgresql', kplus.Volume.fromPersistentVolumeClaim(chart, 'pg-vol', pgClaim));
  // cdk8s-plus-32+ drop the pod volumes of a StatefulSet with no claim templates of its own (upstream #6735): the
  // workaround docs/lines.md gives its users (an empty list; no property on 27 and 28). Without it applyTo's verifier
  // refuses the manifest (test/lines/security-fields.test.ts, "a plain cdk8s-plus StatefulSet").
  if ('addVolumeClaimTemplate' in db) (db as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates ??= [];
  new kplus.Job(chart, 'migrate', { containers: [{ name: 'migrate', image: 'node:20-alpine', command: ['node', 'migrate.js'] }] });
  RootlessHardening.applyTo(chart, { user: 10001 });
  return Testing.synth(chart).filter((m: any) => podBearingKind(m.kind));
}

const reasons = (manifests: any[]) => manifests.flatMap(m => startabilityProblems(m).map(r => `${m.kind}/${m.metadata.name}: ${r}`));

test('cdk8s-plus made every container read-only: each gets /tmp and its preset\'s paths, and each data directory is on its claim', () => {
  const manifests = app();
  expect(manifests).toHaveLength(5);
  for (const m of manifests) {
    for (const c of m.spec.template.spec.containers) {
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(c.volumeMounts.map((v: any) => v.mountPath)).toContain('/tmp');
    }
  }
  const db = manifests.find(m => m.kind === 'StatefulSet');
  expect(db.spec.template.spec.containers[0].volumeMounts.map((v: any) => v.mountPath)).toEqual(expect.arrayContaining(['/var/run/postgresql', '/var/lib/postgresql']));
  expect(reasons(manifests)).toEqual([]);
});

test('every pod of the app passes the startability checklist (with the user rule of issue 20 point 3)', () => {
  expect(reasons(app())).toEqual([]);
});
