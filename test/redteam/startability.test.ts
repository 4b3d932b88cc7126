/**
 * Red team of issue 20 points 2, 5 and 7: data paths, writable paths and harden's exit codes, judged by the real images
 * and the kubelet (test/redteam/FINDINGS.md, "Data paths and startability"). Each attack is a pod that the checklist or
 * harden could call startable (exit 0) while the image would not start or would lose its data.
 */
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as YAML from 'yaml';
import { synthesize } from './helpers';
import { ImagePreset } from '../../lib';
import { RootlessStatefulSet } from '../../lib/constructs/plus/rootless-stateful-set';
import { startabilityProblems } from '../../lib/hardening/startability';
import { cli } from '../cli/helpers';

/** A Pod of one container (YAML flow text) and the pod's volumes, hardened enough that only paths are in question. */
function pod(container: Record<string, unknown>, volumes: unknown[] = []): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
      volumes,
      containers: [{
        name: 'db',
        securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        ...container,
      }],
    },
  };
}
const claim = (name: string) => ({ name, persistentVolumeClaim: { claimName: name } });
const empty = (name: string) => ({ name, emptyDir: {} });
const configMap = (name: string) => ({ name, configMap: { name } });
const PG_RUN = { name: 'run', mountPath: '/var/run/postgresql' };
const TMP = { name: 'tmp', mountPath: '/tmp' };
const PG_BASE = [empty('run'), empty('tmp')];

async function harden(manifest: any) {
  const input = YAML.stringify(manifest);
  const first = await cli(['harden', '-'], { stdin: input });
  const second = await cli(['harden', '-'], { stdin: first.stdout });
  return { first, second, input };
}

describe('the data directory is on the volume mounted deepest over it (the runtime mounts a deeper path over a shallower one)', () => {
  test('an emptyDir at the data directory below a claim: the data is on the emptyDir and lost with the pod', async () => {
    const m = pod({
      image: 'postgres:16',
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }, { name: 'scratch', mountPath: '/var/lib/postgresql/data' }, PG_RUN, TMP],
    }, [claim('data'), empty('scratch'), ...PG_BASE]);
    const problems = startabilityProblems(m);
    expect(problems.join('\n')).toMatch(/container "db".*\/var\/lib\/postgresql\/data.*not on the claim/);
    const { first, second } = await harden(m);
    expect(first.code).toBe(1);
    expect(second.code).toBe(1);
  });

  test('a read-only claim mount at the data directory: refused (the server cannot write)', () => {
    const m = pod({
      image: 'redis:7-alpine',
      volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }, TMP],
    }, [claim('data'), empty('tmp')]);
    expect(startabilityProblems(m).join('\n')).toMatch(/\/data/);
  });

  test('held: the claim deepest over the data directory, an emptyDir elsewhere', () => {
    const m = pod({
      image: 'postgres:16',
      env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
      volumeMounts: [{ name: 'scratch', mountPath: '/var/lib/postgresql' }, { name: 'data', mountPath: '/var/lib/postgresql/data' }, PG_RUN, TMP],
    }, [claim('data'), empty('scratch'), ...PG_BASE]);
    expect(startabilityProblems(m)).toEqual([]);
  });
});

describe('a writable path is writable only when the mount deepest over it is', () => {
  test('a configMap mounted between an emptyDir and the preset path shadows it', async () => {
    // emptyDir at /var/run, configMap at /var/run/postgresql: the socket directory is the configMap's, read-only
    const m = pod({
      image: 'postgres:16',
      env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }, { name: 'run', mountPath: '/var/run' },
        { name: 'conf', mountPath: '/var/run/postgresql' }, TMP],
    }, [claim('data'), empty('run'), configMap('conf'), empty('tmp')]);
    expect(startabilityProblems(m).join('\n')).toMatch(/\/var\/run\/postgresql is not on a writable volume/);
    const { first } = await harden(m);
    expect(first.code).not.toBe(0);
  });

  test('a read-only emptyDir mount at /tmp: harden cannot add a second mount there, and says so (not exit 0)', async () => {
    const m = pod({ image: 'nginxinc/nginx-unprivileged:1.27', volumeMounts: [{ name: 'tmp', mountPath: '/tmp', readOnly: true }] }, [empty('tmp')]);
    m.spec.securityContext.runAsUser = 101;
    expect(startabilityProblems(m).join('\n')).toMatch(/\/tmp is not on a writable volume/);
    const { first, second } = await harden(m);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/\/tmp/);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe(first.stdout);
  });

  test('a projected volume at /tmp/..  spelled with a trailing slash is /tmp, read-only', () => {
    const m = pod({ image: 'nginxinc/nginx-unprivileged:1.27', volumeMounts: [{ name: 'p', mountPath: '/tmp/x/../' }] },
      [{ name: 'p', projected: { sources: [{ configMap: { name: 'c' } }] } }]);
    m.spec.securityContext.runAsUser = 101;
    expect(startabilityProblems(m).join('\n')).toMatch(/\/tmp is not on a writable volume/);
  });

  test('held: a writable emptyDir at /tmp with a configMap file below it (subPath)', () => {
    const m = pod({ image: 'nginxinc/nginx-unprivileged:1.27', volumeMounts: [TMP, { name: 'c', mountPath: '/tmp/app.conf', subPath: 'app.conf' }] },
      [empty('tmp'), configMap('c')]);
    m.spec.securityContext.runAsUser = 101;
    expect(startabilityProblems(m)).toEqual([]);
  });
});

describe('which container is the server: wrappers that run their arguments', () => {
  test('`env NAME=value postgres` runs the server (env is not a client)', () => {
    const m = pod({
      image: 'postgres:16',
      command: ['env', 'PGDATA=/var/lib/postgresql/data/pgdata', 'postgres'],
      volumeMounts: [{ name: 'data', mountPath: '/srv' }, { name: 'scratch', mountPath: '/var/lib/postgresql' }, PG_RUN, TMP],
    }, [claim('data'), empty('scratch'), ...PG_BASE]);
    expect(startabilityProblems(m).join('\n')).toMatch(/not on the claim/);
  });

  test('`su-exec 70:70 postgres` runs the server as 70 (the user argument is not the program)', () => {
    const m = pod({
      image: 'postgres:16-alpine',
      command: ['su-exec', '70:70', 'postgres'],
      volumeMounts: [{ name: 'data', mountPath: '/srv' }, { name: 'scratch', mountPath: '/var/lib/postgresql' }, PG_RUN, TMP],
    }, [claim('data'), empty('scratch'), ...PG_BASE]);
    expect(startabilityProblems(m).join('\n')).toMatch(/not on the claim/);
  });

  test.each([
    [['tini', '--', 'pg_dump', '-f', '/backups/db.sql']],
    [['gosu', 'postgres', 'pg_dumpall']],
    [['env', 'PGPASSWORD=x', 'psql', '-c', 'select 1']],
  ])('%j is a client: no data path asked for', command => {
    const m = pod({ image: 'postgres:16', command, volumeMounts: [{ name: 'b', mountPath: '/backups' }, TMP] }, [claim('b'), empty('tmp')]);
    expect(startabilityProblems(m)).toEqual([]);
  });

  test.each([
    [['docker-entrypoint.sh', 'postgres']],
    [['tini', '--', 'docker-entrypoint.sh', 'postgres']],
    [['/usr/local/bin/postgres', '-c', 'fsync=off']],
    [['gosu', 'postgres', 'postgres']],
  ])('held: %j is the server, and its data directory is checked', command => {
    const m = pod({
      image: 'postgres:16',
      command,
      volumeMounts: [{ name: 'data', mountPath: '/srv' }, { name: 'scratch', mountPath: '/var/lib/postgresql' }, PG_RUN, TMP],
    }, [claim('data'), empty('scratch'), ...PG_BASE]);
    expect(startabilityProblems(m).join('\n')).toMatch(/not on the claim/);
  });
});

describe('PGDATA as the kubelet passes it', () => {
  test('$(VAR) is expanded from the env entries before it (the kubelet does), so a claim that holds it is accepted', () => {
    const m = pod({
      image: 'postgres:16',
      env: [{ name: 'BASE', value: '/var/lib/postgresql/data' }, { name: 'PGDATA', value: '$(BASE)/pgdata' }],
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }, PG_RUN, TMP],
    }, [claim('data'), ...PG_BASE]);
    expect(startabilityProblems(m)).toEqual([]);
  });

  test('$(VAR) expanded to a directory off the claim is refused', () => {
    const m = pod({
      image: 'postgres:16',
      env: [{ name: 'BASE', value: '/scratch' }, { name: 'PGDATA', value: '$(BASE)/pgdata' }],
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }, { name: 'scratch', mountPath: '/scratch' }, PG_RUN, TMP],
    }, [claim('data'), empty('scratch'), ...PG_BASE]);
    expect(startabilityProblems(m).join('\n')).toMatch(/\/scratch\/pgdata.*not on the claim/);
  });

  test('held: PGDATA with `..` and a trailing slash is read as the directory it names', () => {
    const m = pod({
      image: 'postgres:16',
      env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/x/../pgdata/' }],
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data/' }, PG_RUN, TMP],
    }, [claim('data'), ...PG_BASE]);
    expect(startabilityProblems(m)).toEqual([]);
  });
});

describe('a read-only claim where the version is unknown', () => {
  test('postgres:latest with its claim mounted readOnly and a writable root: refused (nothing writable holds any version\'s directory)', () => {
    const m = pod({ image: 'postgres:latest', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql', readOnly: true }, PG_RUN, TMP] },
      [claim('data'), ...PG_BASE]);
    m.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    expect(startabilityProblems(m).join('\n')).toMatch(/mounted read-only/);
  });
});

describe('a claim mounted with subPath', () => {
  test('held: a claim at the data directory through subPath is still refused without PGDATA (the kubelet creates the subPath directory as root; initdb must own and chmod it)', () => {
    const m = pod({ image: 'postgres:16', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data', subPath: 'pg' }, PG_RUN, TMP] },
      [claim('data'), ...PG_BASE]);
    expect(startabilityProblems(m).join('\n')).toMatch(/set PGDATA to a subdirectory/);
  });

  test('held: PGDATA below a subPath claim mount starts', () => {
    const m = pod({
      image: 'postgres:16',
      env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data', subPath: 'pg' }, PG_RUN, TMP],
    }, [claim('data'), ...PG_BASE]);
    expect(startabilityProblems(m)).toEqual([]);
  });

  test('held: postgres 18 with the claim at /var/lib/postgresql/data is refused however it is spelled', () => {
    const m = pod({ image: 'postgres:18', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data/' }, PG_RUN, TMP] }, [claim('data'), ...PG_BASE]);
    expect(startabilityProblems(m).join('\n')).toMatch(/refuses to start with a mount at \/var\/lib\/postgresql\/data/);
  });
});

describe('harden over its own output', () => {
  test.each([
    ['postgres StatefulSet, emptyDir below the claim', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        selector: { matchLabels: { a: 'db' } },
        serviceName: 'db',
        template: {
          metadata: { labels: { a: 'db' } },
          spec: {
            containers: [{
              name: 'db',
              image: 'postgres:16-alpine',
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }, { name: 'scratch', mountPath: '/var/lib/postgresql/data' }],
            }],
            volumes: [empty('scratch')],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    }],
  ])('%s: same exit code (not 0), same bytes on the second run', async (_, m) => {
    const { first, second } = await harden(m);
    expect(first.code).toBe(1);
    expect(second.code).toBe(first.code);
    expect(second.stdout).toBe(first.stdout);
  });
});

describe('the constructs: a volume mounted after construction', () => {
  const build = (extra: (s: RootlessStatefulSet) => void) => (chart: Chart) => {
    const s = new RootlessStatefulSet(chart, 'db', {
      preset: ImagePreset.postgresAlpine(),
      containers: [{ name: 'postgres', image: 'postgres:16-alpine', portNumber: 5432 }],
      volumeClaimTemplates: [{ name: 'pgdata', mountPath: '/var/lib/postgresql', size: Size.gibibytes(5) }],
    });
    extra(s);
  };

  test('held: the construct as written starts', () => {
    const r = synthesize(build(() => undefined));
    expect(r.error).toBeUndefined();
    for (const d of r.docs!) expect(startabilityProblems(d)).toEqual([]);
  });

  test('an emptyDir mounted at the data directory below the claim template: refused at synthesis (the data would be lost)', () => {
    const r = synthesize(build(s => s.containers[0].mount('/var/lib/postgresql/data', kplus.Volume.fromEmptyDir(s, 'scratch', 'scratch'))));
    expect(r.error).toMatch(/container "postgres".*\/var\/lib\/postgresql\/data.*not on the claim/s);
  });

  test('held: a configMap mounted at the socket directory is refused at synthesis', () => {
    const r = synthesize(build(s => s.containers[0].mount('/var/run/postgresql',
      kplus.Volume.fromConfigMap(s, 'conf', kplus.ConfigMap.fromConfigMapName(s, 'cm', 'conf')))));
    expect(r.error).toMatch(/two volumes are mounted at \/var\/run\/postgresql/);
  });

  test('a configMap at /run/postgresql (the same place as /var/run/postgresql): refused at synthesis', () => {
    const r = synthesize(build(s => s.containers[0].mount('/run/postgresql',
      kplus.Volume.fromConfigMap(s, 'conf', kplus.ConfigMap.fromConfigMapName(s, 'cm', 'conf')))));
    expect(r.error).toMatch(/\/run\/postgresql/);
  });
});

describe('harden, twice, on raw manifests of each attack: same exit code, same bytes, and exit 0 only when the checklist agrees', () => {
  const raw = (containers: unknown[], volumes: unknown[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers, volumes } });
  test.each([
    ['emptyDir below the claim', raw([{
      name: 'db',
      image: 'postgres:16',
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }, { name: 's', mountPath: '/var/lib/postgresql/data' }],
    }], [claim('data'), empty('s')])],
    ['configMap over the socket directory', raw([{
      name: 'db',
      image: 'postgres:16',
      env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }, { name: 'c', mountPath: '/run/postgresql' }],
    }], [claim('data'), configMap('c')])],
    ['read-only emptyDir at /tmp', raw([{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27', volumeMounts: [{ name: 't', mountPath: '/tmp/', readOnly: true }] }],
      [empty('t')])],
    ['env wrapper', raw([{
      name: 'db',
      image: 'redis:7-alpine',
      command: ['env', 'A=b', 'redis-server'],
      volumeMounts: [{ name: 'data', mountPath: '/srv' }],
    }], [claim('data')])],
    ['$(VAR) PGDATA on the claim', raw([{
      name: 'db',
      image: 'postgres:16',
      env: [{ name: 'B', value: '/var/lib/postgresql/data' }, { name: 'PGDATA', value: '$(B)/pg' }],
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
    }], [claim('data')])],
    ['read-only claim for redis', raw([{ name: 'db', image: 'redis:7', volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }] }], [claim('data')])],
  ])('%s', async (_, m) => {
    const { first, second } = await harden(m);
    expect([first.code, second.code]).toEqual([first.code, first.code]);
    expect(second.stdout).toBe(first.stdout);
    expect(first.code === 0).toBe(startabilityProblems(YAML.parse(first.stdout)).length === 0 && !first.stderr.includes('  ! '));
  });
});

describe('which container is the server: init containers and native sidecars', () => {
  test('held: a chown init container of the postgres image is not judged as the server, the server still is', () => {
    const m = pod({
      image: 'postgres:16',
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }, { name: 'scratch', mountPath: '/var/lib/postgresql/data' }, PG_RUN, TMP],
    }, [claim('data'), empty('scratch'), ...PG_BASE]);
    m.spec.initContainers = [{
      name: 'chown',
      image: 'postgres:16',
      command: ['sh', '-c', 'chown -R 999 /var/lib/postgresql'],
      securityContext: { readOnlyRootFilesystem: true },
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }, TMP],
    }];
    const problems = startabilityProblems(m).join('\n');
    expect(problems).not.toMatch(/container "chown".*not on the claim/);
    expect(problems).toMatch(/container "db".*not on the claim/);
  });

  test('held: a native sidecar (restartPolicy Always) running the server is judged like a container', () => {
    const m = pod({ image: 'busybox:1.36', volumeMounts: [TMP] }, [claim('data'), empty('scratch'), ...PG_BASE]);
    m.spec.initContainers = [{
      name: 'pg',
      image: 'postgres:16',
      restartPolicy: 'Always',
      securityContext: { readOnlyRootFilesystem: true, runAsUser: 999 },
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }, { name: 'scratch', mountPath: '/var/lib/postgresql/data' }, PG_RUN, TMP],
    }];
    expect(startabilityProblems(m).join('\n')).toMatch(/container "pg".*not on the claim/);
  });
});
