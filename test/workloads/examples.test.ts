import { App, Chart, Testing } from 'cdk8s';
import { container, level, one, podSpec, refusedByKubelet } from './util';
import * as elasticsearch from '../../examples/elasticsearch';
import * as postgres from '../../examples/postgres';
import * as redisMigration from '../../examples/redis-migration';
import * as webapp from '../../examples/webapp';
import * as webserver from '../../examples/webserver';
import { PodSecurity } from '../../lib/policy';

const synthExample = (build: (app: App) => Chart) => Testing.synth(build(Testing.app()));
const workload = (manifests: any[]) => manifests.find(m => m.spec?.template);

describe.each([
  ['webapp', webapp.build, 'restricted'],
  ['webserver', webserver.build, 'restricted'],
  ['redis-migration', redisMigration.build, 'restricted'],
  ['postgres', postgres.build, 'restricted'],
  ['elasticsearch', elasticsearch.build, 'baseline'],
])('example %s', (_name, build, expected) => {
  test('synthesizes; the annotated level is the policy engine\'s; no container the kubelet would refuse', () => {
    const w = workload(synthExample(build));
    expect(level(w)).toBe(expected);
    expect(level(w)).toBe(PodSecurity.strictestLevel(w));
    expect(refusedByKubelet(w)).toEqual([]);
  });
});

test('webapp: nginx-unprivileged as 101 on 8080, fsGroup 101', () => {
  const w = workload(synthExample(webapp.build));
  expect(podSpec(w).securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 101, fsGroup: 101, runAsNonRoot: true });
  expect(container(w, 'web').ports).toEqual([{ containerPort: 8080 }]);
});

test('webserver: Service 80 -> 8080', () => {
  expect(one(synthExample(webserver.build), 'Service').spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
});

test('redis-migration: explicit numeric user 999 with the Alpine group 1000, /data writable', () => {
  const w = workload(synthExample(redisMigration.build));
  expect(podSpec(w).securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 1000, fsGroup: 1000 });
  expect(container(w, 'redis').volumeMounts.map((m: any) => m.mountPath)).toContain('/data');
});

test('postgres: UID 70, password from a Secret, a claim, no init container', () => {
  const w = workload(synthExample(postgres.build));
  expect(podSpec(w).securityContext).toMatchObject({ runAsUser: 70, fsGroup: 70, fsGroupChangePolicy: 'OnRootMismatch' });
  expect(container(w, 'postgres').env).toContainEqual({ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } });
  expect(w.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
  expect(podSpec(w).initContainers).toBeUndefined();
});

test('elasticsearch: the permission init container gives the data to 1000, the app runs as 1000', () => {
  const w = workload(synthExample(elasticsearch.build));
  expect(container(w, 'volume-permissions').securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
  expect(container(w, 'volume-permissions').volumeMounts).toEqual([{ name: 'data', mountPath: '/usr/share/elasticsearch/data' }]);
  expect(container(w, 'elasticsearch').securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
  expect(podSpec(w).securityContext.runAsNonRoot).toBeUndefined();
});
