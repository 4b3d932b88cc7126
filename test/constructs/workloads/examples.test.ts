import { App, Chart, Testing } from 'cdk8s';
import { RESTRICTED_CONTAINER, container, exemptions, level, one, podSpec, refusedByKubelet, template } from './util';
import * as dbMigration from '../../../examples/db-migration';
import * as elasticsearch from '../../../examples/elasticsearch';
import * as logShipper from '../../../examples/log-shipper';
import * as nightlyBatch from '../../../examples/nightly-batch';
import * as postgres from '../../../examples/postgres';
import * as redisMigration from '../../../examples/redis-migration';
import * as webapp from '../../../examples/webapp';
import * as webserver from '../../../examples/webserver';
import { PodSecurity } from '../../../lib/policy';

const synthExample = (build: (app: App) => Chart) => Testing.synth(build(Testing.app()));
const workload = (manifests: any[]) => manifests.find(m => template(m) !== undefined);

describe.each([
  ['webapp', webapp.build, 'restricted'],
  ['webserver', webserver.build, 'restricted'],
  ['redis-migration', redisMigration.build, 'restricted'],
  ['postgres', postgres.build, 'restricted'],
  ['elasticsearch', elasticsearch.build, 'baseline'],
  ['nightly-batch', nightlyBatch.build, 'restricted'],
  ['db-migration', dbMigration.build, 'restricted'],
  ['log-shipper', logShipper.build, 'privileged'],
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
  expect(container(w, 'volume-permissions').volumeMounts).toEqual([
    { name: 'volume-permissions-tmp', mountPath: '/tmp' }, { name: 'data', mountPath: '/usr/share/elasticsearch/data' },
  ]);
  expect(container(w, 'elasticsearch').securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
  expect(podSpec(w).securityContext.runAsNonRoot).toBeUndefined();
});

/** How many times the wall-clock time `hh:mm` occurs on a local date in a time zone (0 in a spring-forward gap, 2 when it repeats). */
function occurrences(timeZone: string, date: string, hhmm: string): number {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const start = Date.parse(`${date}T00:00:00Z`) - 36 * 3600_000;
  let n = 0;
  for (let t = start; t < start + 72 * 3600_000; t += 60_000) {
    const parts = Object.fromEntries(format.formatToParts(t).map(p => [p.type, p.value]));
    if (`${parts.year}-${parts.month}-${parts.day}` === date && `${parts.hour}:${parts.minute}` === hhmm) n++;
  }
  return n;
}

test('nightly-batch: a restricted CronJob at 03:30 Berlin time, never two runs at once, its scratch space on an emptyDir', () => {
  const cron = one(synthExample(nightlyBatch.build), 'CronJob');
  expect(cron.spec).toMatchObject({ schedule: '30 3 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 900 });
  // outside the daylight-saving hour: 03:30 exists exactly once on the transition days (02:30 does not)
  const [minute, hour] = cron.spec.schedule.split(' ');
  const time = `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}`;
  for (const day of ['2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31']) expect([day, occurrences('Europe/Berlin', day, time)]).toEqual([day, 1]);
  expect(occurrences('Europe/Berlin', '2026-03-29', '02:30')).toBe(0);
  expect(occurrences('Europe/Berlin', '2026-10-25', '02:30')).toBe(2);
  const spec = podSpec(cron);
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  expect(spec.restartPolicy).toBe('Never');
  expect(spec.automountServiceAccountToken).toBe(false);
  expect(container(cron, 'report').securityContext).toEqual(RESTRICTED_CONTAINER);
  expect(container(cron, 'report').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/cache/report']);
  expect(exemptions(cron)).toEqual([]);
});

test('db-migration: a restricted Job whose pods never restart in place', () => {
  const job = one(synthExample(dbMigration.build), 'Job');
  expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400 });
  expect(podSpec(job).restartPolicy).toBe('Never');
  expect(podSpec(job).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  expect(container(job, 'migrate').securityContext).toEqual(RESTRICTED_CONTAINER);
  expect(exemptions(job)).toEqual([]);
});

test('log-shipper: hostPath /var/log read-only and root, each declared with its reason; everything else hardened; privileged, honestly', () => {
  const ds = one(synthExample(logShipper.build), 'DaemonSet');
  expect(ds.metadata.namespace).toBe('logging');
  expect(exemptions(ds)).toEqual([
    { id: 'hostPath', container: null, paths: ['/var/log'], writable: false, reason: expect.stringContaining('/var/log') },
    { id: 'runAsRoot', container: null, reason: expect.stringContaining('0640') },
  ]);
  expect(level(ds)).toBe('privileged');
  const spec = podSpec(ds);
  expect(spec.volumes).toContainEqual({ name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } });
  expect(spec.hostNetwork).toBe(false);
  expect(spec.hostPID).toBeUndefined();
  expect(spec.automountServiceAccountToken).toBe(false);
  expect(spec.securityContext).toMatchObject({ runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } });
  const shipper = container(ds, 'fluent-bit');
  expect(shipper.volumeMounts).toContainEqual({ name: 'varlog', mountPath: '/var/log', readOnly: true });
  // root, but without any capability, escalation or a writable root filesystem
  expect(shipper.securityContext).toEqual({ ...RESTRICTED_CONTAINER, runAsNonRoot: false });
  expect(shipper.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/tmp', '/var/fluent-bit/state', '/fluent-bit/etc']));
});
