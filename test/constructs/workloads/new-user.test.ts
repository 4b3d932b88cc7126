/**
 * The constructs as a new user meets them (issue 14): pods that synthesize but cannot work (a claim
 * at PGDATA itself, a preset that does not describe the image), and silent differences between
 * equivalent APIs (attachContainer vs addContainer, hardening options through addContainer, /tmp).
 */
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { container, error, one, synth } from './util';
import { Exemption, ImagePreset, RestrictedNamespace } from '../../../lib';
import { HardenedContainerProps, HardenedPod, RootlessDeployment, RootlessStatefulSet, RootlessStatefulSetProps, VolumePermissions } from '../../../lib/constructs/plus';

const postgres = (mountPath: string, extra: Partial<HardenedContainerProps> = {}, preset = ImagePreset.postgresAlpine()) => (chart: Chart) =>
  new RootlessStatefulSet(chart, 'db', {
    preset,
    volumePermissions: VolumePermissions.FS_GROUP_ONLY,
    containers: [{ name: 'postgres', image: 'postgres:16-alpine', portNumber: 5432, ...extra }],
    volumeClaimTemplates: [{ name: 'data', mountPath, size: Size.gibibytes(10) }],
  });

describe('a claim mounted where the preset does not keep its data', () => {
  test('the claim at PGDATA itself (the former README snippet) fails, naming lost+found and PGDATA, never a move of the mount', () => {
    const message = error(postgres('/var/lib/postgresql/data'));
    expect(message).toContain('[test/db] container "postgres": the claim "data" is mounted at /var/lib/postgresql/data, which is the data directory itself');
    expect(message).toContain('lost+found');
    expect(message).toContain('set PGDATA to a subdirectory of it, e.g. /var/lib/postgresql/data/pgdata');
    expect(message).toContain('moving an existing claim starts an empty database');
    expect(message).not.toMatch(/mount the claim at/i);
  });

  test('the docker-library pattern: the claim at /var/lib/postgresql/data with PGDATA in a subdirectory of it (<= 17) is accepted', () => {
    const s = one(synth(postgres('/var/lib/postgresql/data', { envVariables: { PGDATA: kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata') } })), 'StatefulSet');
    expect(container(s, 'postgres').volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
  });

  test('postgres 18 keeps its data in /var/lib/postgresql/18/docker and refuses a mount at /var/lib/postgresql/data', () => {
    const pg18 = (mountPath: string, extra: Partial<HardenedContainerProps> = {}) => (chart: Chart) => new RootlessStatefulSet(chart, 'db', {
      preset: ImagePreset.postgres(),
      volumePermissions: VolumePermissions.FS_GROUP_ONLY,
      containers: [{ name: 'postgres', image: 'postgres:18', portNumber: 5432, ...extra }],
      volumeClaimTemplates: [{ name: 'data', mountPath, size: Size.gibibytes(10) }],
    });
    expect(() => synth(pg18('/var/lib/postgresql'))).not.toThrow();
    const message = error(pg18('/var/lib/postgresql/data'));
    expect(message).toContain('its entrypoint refuses to start with a mount at /var/lib/postgresql/data');
    expect(message).toContain('set PGDATA to where the data is');
    expect(message).not.toMatch(/mount the claim at/i);
    // PGDATA said explicitly: the entrypoint does not refuse, and the claim holds it
    expect(() => synth(pg18('/var/lib/postgresql/data', { envVariables: { PGDATA: kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata') } }))).not.toThrow();
    expect(error(pg18('/var/lib/postgresql/17'))).toContain('keeps its data in /var/lib/postgresql/18/docker (the default of "postgres:18"), which is not on the claim');
  });

  test('a client of the image (pg_dump) keeps no data: a backup claim elsewhere is accepted; a shell is not refused', () => {
    for (const command of [['pg_dump', '-f', '/backups/db.sql'], ['/usr/bin/pg_dumpall'], ['sh', '-c', 'pg_dump > /backups/x']]) {
      expect(() => synth(postgres('/backups', { command }))).not.toThrow();
    }
    expect(() => synth(postgres('/backups', { args: ['pg_isready'] }))).not.toThrow();
    // the server, however it is spelled, is checked
    for (const extra of [{ command: ['postgres'] }, { args: ['-c', 'max_connections=200'] }, { command: ['docker-entrypoint.sh', 'postgres'] }]) {
      expect(error(postgres('/backups', extra))).toContain('which is not on the claim "data" (at /backups)');
    }
  });

  test('PGDATA from valueFrom cannot be read: not refused', () => {
    const secret = (chart: Chart) => kplus.Secret.fromSecretName(chart, 's', 'pg');
    expect(() => synth(chart => postgres('/pgdata', { envVariables: { PGDATA: kplus.EnvValue.fromSecretValue({ secret: secret(chart), key: 'dir' }) } })(chart))).not.toThrow();
  });

  test('a claim somewhere else does not hold the data: the fix is PGDATA, not a moved mount', () => {
    const message = error(postgres('/pgdata'));
    expect(message).toContain('postgres-alpine keeps its data in /var/lib/postgresql/data (the default of "postgres:16-alpine"), which is not on the claim "data" (at /pgdata)');
    expect(message).toContain('set PGDATA to where the data is on the claim');
    expect(message).toContain('Do not move an existing claim\'s mountPath');
  });

  test('the claim at the data path: synthesized as given, PGDATA untouched', () => {
    const s = one(synth(postgres('/var/lib/postgresql')), 'StatefulSet');
    expect(container(s, 'postgres').volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql' });
    expect(container(s, 'postgres').env).toBeUndefined();
  });

  test('a preset of your own says where you moved the data (ImagePreset.of with dataPath)', () => {
    const moved = ImagePreset.of({ name: 'postgres-moved', user: 70, group: 70, dataPath: '/pgdata' });
    const s = one(synth(postgres('/pgdata', { envVariables: { PGDATA: kplus.EnvValue.fromValue('/pgdata/data') } }, moved)), 'StatefulSet');
    expect(container(s, 'postgres').volumeMounts).toContainEqual({ name: 'data', mountPath: '/pgdata' });
  });

  test('a pod with a PersistentVolumeClaim volume is checked the same way', () => {
    const message = error(chart => {
      const pod = new HardenedPod(chart, 'db', { preset: ImagePreset.postgres(), containers: [{ name: 'pg', image: 'postgres:16' }] });
      const claim = kplus.PersistentVolumeClaim.fromClaimName(chart, 'claim', 'pg-data');
      pod.containers[0].mount('/var/lib/postgresql/data', kplus.Volume.fromPersistentVolumeClaim(chart, 'vol', claim));
    });
    expect(message).toContain('container "pg": the claim "pvc-pg-data" is mounted at /var/lib/postgresql/data, which is the data directory itself');
  });

  test('containers without a preset, and emptyDir mounts, are not checked', () => {
    const s = one(synth(chart => new RootlessDeployment(chart, 'app', {
      user: 1000,
      containers: [{ name: 'app', image: 'app:1', writablePaths: ['/var/lib/postgresql/data'] }],
    })), 'Deployment');
    expect(container(s, 'app').volumeMounts.map((m: any) => m.mountPath)).toContain('/var/lib/postgresql/data');
  });
});

describe('a preset or user that does not describe the image', () => {
  test('ImagePreset.mongo() (UID 999) on nginx-unprivileged (UID 101, which runs as no other UID) fails with the fix', () => {
    const message = error(chart => new RootlessStatefulSet(chart, 'web', {
      preset: ImagePreset.mongo(),
      volumePermissions: VolumePermissions.FS_GROUP_ONLY,
      containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }],
    }));
    expect(message).toContain('test/web');
    expect(message).toContain('containers[web].image: "nginxinc/nginx-unprivileged:1.27" is the image of ImagePreset.nginxUnprivileged(), which runs as UID 101, '
      + 'but the container runs as UID 999 (from ImagePreset.mongo())');
    expect(message).toContain('Fix: use preset: ImagePreset.nginxUnprivileged() (ImagePreset.forImage("nginxinc/nginx-unprivileged:1.27")), or user: 101');
    expect(message).toContain('customImage: true');
  });

  test('user: 1000 on grafana (UID 472) fails, naming props.user', () => {
    const message = error(chart => new HardenedPod(chart, 'dash', { user: 1000, containers: [{ name: 'grafana', image: 'grafana/grafana:11.2.0' }] }));
    expect(message).toContain('containers[grafana].image: "grafana/grafana:11.2.0" is the image of ImagePreset.grafana(), which runs as UID 472, '
      + 'but the container runs as UID 1000 (from props.user)');
  });

  test('a container user that contradicts the image is named as the container\'s', () => {
    const message = error(chart => new HardenedPod(chart, 'p', {
      user: 1000, containers: [{ name: 'app', image: 'app:1' }, { name: 'cache', image: 'mongo:7', user: 1000 }],
    }));
    expect(message).toContain('containers[cache].image: "mongo:7" is the image of ImagePreset.mongo(), which runs as UID 999, but the container '
      + 'runs as UID 1000 (from containers[cache].user)');
  });

  test('images that run under an arbitrary UID (postgres, redis, mysql, mariadb) take another user, with fsGroup (issue 20, point 3)', () => {
    // (each with a writable volume where it keeps its data: the data-path rule)
    for (const [image, paths] of [['postgres:16-alpine', ['/var/run/postgresql', '/var/lib/postgresql']], ['postgres:16', ['/var/run/postgresql', '/var/lib/postgresql']],
      ['redis:7', ['/data']], ['mysql:8', ['/var/run/mysqld', '/var/lib/mysql']], ['mariadb:11', ['/run/mysqld', '/var/lib/mysql']]] as const) {
      expect(ImagePreset.forImage(image)!.arbitraryUser).toBe(true);
      const s = one(synth(chart => new HardenedPod(chart, 'db', { user: 1000, containers: [{ name: 'db', image, writablePaths: [...paths] }] })), 'Pod');
      expect(s.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    }
    // the Debian postgres preset's UID on the Alpine image is such a user too
    const s = one(synth(chart => new HardenedPod(chart, 'pg', {
      preset: ImagePreset.postgres(), containers: [{ name: 'pg', image: 'postgres:16-alpine', writablePaths: ['/var/lib/postgresql'] }],
    })), 'Pod');
    expect(s.spec.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999 });
    // the others do not
    for (const image of ['nginxinc/nginx-unprivileged:1', 'grafana/grafana:11', 'node:20-alpine', 'mongo:7', 'gcr.io/distroless/static:nonroot']) {
      expect(ImagePreset.forImage(image)!.arbitraryUser).toBe(false);
    }
  });

  test('customImage: true says "I built this image myself": accepted as given', () => {
    const s = one(synth(chart => new HardenedPod(chart, 'db', {
      user: 1000, containers: [{ name: 'pg', image: 'postgres:16-alpine', customImage: true, writablePaths: ['/var/run/postgresql'] }],
    })), 'Pod');
    expect(s.spec.securityContext.runAsUser).toBe(1000);
  });

  test('the matching preset, root (an exemption\'s concern) and unknown images are accepted', () => {
    // (each with a writable volume where the image keeps its data: the data-path rule)
    const pgData = ['/var/lib/postgresql'];
    expect(() => synth(chart => new HardenedPod(chart, 'a', {
      preset: ImagePreset.forImage('postgres:16')!, containers: [{ image: 'postgres:16', writablePaths: pgData }],
    }))).not.toThrow();
    expect(() => synth(chart => new HardenedPod(chart, 'b', { user: 999, containers: [{ image: 'docker.io/library/redis:7', writablePaths: ['/data'] }] }))).not.toThrow();
    expect(() => synth(chart => new HardenedPod(chart, 'c', {
      user: 1000,
      exemptions: [Exemption.runAsRoot('the entrypoint starts as root and drops to postgres itself', { container: 'pg' })],
      containers: [{ name: 'pg', image: 'postgres:16', writablePaths: pgData }],
    }))).not.toThrow();
    expect(() => synth(chart => new HardenedPod(chart, 'd', { user: 1000, containers: [{ image: 'registry.example.com/team/postgres:16' }] }))).not.toThrow();
  });
});

describe('attachContainer refuses what addContainer refuses', () => {
  test.each([
    [{ readOnlyRootFilesystem: false }, 'readOnlyRootFilesystem: false', 'writablePaths, or Exemption.writableRootFilesystem'],
    [{ allowPrivilegeEscalation: true }, 'allowPrivilegeEscalation: true', 'Exemption.privilegeEscalation'],
    [{ privileged: true }, 'privileged: true', 'Exemption.privileged'],
    [{ ensureNonRoot: false }, 'ensureNonRoot: false', 'Exemption.runAsRoot'],
  ])('%j: the same message by both routes', (securityContext, what, fix) => {
    const added = error(chart => new RootlessDeployment(chart, 'w', { user: 1000 }).addContainer({ name: 'x', image: 'x:1', securityContext }));
    const attached = error(chart => new RootlessDeployment(chart, 'w', { user: 1000 }).attachContainer(new kplus.Container({ name: 'x', image: 'x:1', securityContext })));
    const expected = `containers[x].securityContext.${what} is managed by the hardening. Fix: remove it and use ${fix}`;
    expect(added).toContain(expected);
    expect(attached).toContain(expected);
    expect(attached.slice(attached.indexOf('containers[x]'))).toBe(added.slice(added.indexOf('containers[x]')));
  });

  test('on every workload', () => {
    const weak = () => new kplus.Container({ name: 'x', image: 'x:1', securityContext: { readOnlyRootFilesystem: false } });
    expect(error(chart => new HardenedPod(chart, 'p', { user: 1000 }).attachContainer(weak()))).toContain('readOnlyRootFilesystem: false is managed');
    expect(error(chart => new RootlessStatefulSet(chart, 's', { user: 1000, containers: [{ image: 'a', portNumber: 8080 }] }).attachContainer(weak())))
      .toContain('readOnlyRootFilesystem: false is managed');
  });

  test('an attached container with the cdk8s-plus defaults is hardened as before', () => {
    const d = one(synth(chart => new RootlessDeployment(chart, 'w', { user: 1000 }).attachContainer(new kplus.Container({ name: 'x', image: 'x:1' }))), 'Deployment');
    expect(container(d, 'x').securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });
});

describe('hardening options through addContainer (from JavaScript) fail naming hardening.addContainer', () => {
  test.each([
    ['HardenedPod', (chart: Chart) => new HardenedPod(chart, 'w', { user: 1000 })],
    ['RootlessDeployment', (chart: Chart) => new RootlessDeployment(chart, 'w', { user: 1000 })],
    ['RootlessStatefulSet', (chart: Chart) => new RootlessStatefulSet(chart, 'w', { user: 1000, containers: [{ image: 'a', portNumber: 8080 }] })],
  ])('%s', (_, make) => {
    const chart = Testing.chart();
    const w = make(chart) as HardenedPod;
    // what a JavaScript (or `as any`) caller can pass: the TypeScript type is cdk8s-plus ContainerProps
    const options: any = { name: 'app', image: 'app:1', writablePaths: ['/var/cache/app'], user: 1500 };
    expect(() => w.addContainer(options)).toThrow(/addContainer\("app"\): writablePaths, user are hardening options.*Fix: call hardening\.addContainer\(props\)/);
    expect(() => w.addInitContainer(options)).toThrow(/addInitContainer\("app"\): .*Fix: call hardening\.addInitContainer\(props\)/);
    // the typed route takes them
    w.hardening.addContainer(options);
    expect(w.containers.map(c => c.name)).toContain('app');
  });

  test('plain cdk8s-plus props through addContainer still work', () => {
    const d = one(synth(chart => new RootlessDeployment(chart, 'w', { user: 1000 }).addContainer({ name: 'plain', image: 'plain:1' })), 'Deployment');
    expect(container(d, 'plain').securityContext.runAsNonRoot).toBe(true);
  });
});

describe('your own volume at /tmp', () => {
  const scratch = (chart: Chart) => kplus.Volume.fromEmptyDir(chart, 'scratch', 'scratch', { sizeLimit: Size.gibibytes(4) });

  test('the clash names writableTmp: false and writableVolumes.sizeLimit', () => {
    const message = error(chart => new HardenedPod(chart, 'p', {
      user: 1000, containers: [{ name: 'app', image: 'app', volumeMounts: [{ path: '/tmp', volume: scratch(chart) }] }],
    }));
    expect(message).toContain('containers[app].writablePaths: "/tmp" is also a volumeMount of the container');
    expect(message).toContain('writableTmp: false');
    expect(message).toContain('writableVolumes: { sizeLimit }');
  });

  test('writableTmp: false mounts your volume at /tmp; writableVolumes.sizeLimit makes the default one larger', () => {
    const own = one(synth(chart => new HardenedPod(chart, 'p', {
      user: 1000, containers: [{ name: 'app', image: 'app', writableTmp: false, volumeMounts: [{ path: '/tmp', volume: scratch(chart) }] }],
    })), 'Pod');
    expect(own.spec.containers[0].volumeMounts).toEqual([{ name: 'scratch', mountPath: '/tmp' }]);
    const larger = one(synth(chart => new HardenedPod(chart, 'p', {
      user: 1000, containers: [{ name: 'app', image: 'app', writableVolumes: { sizeLimit: Size.gibibytes(2) } }],
    })), 'Pod');
    expect(larger.spec.volumes).toEqual([{ name: 'app-tmp', emptyDir: { sizeLimit: '2048Mi' } }]);
    expect(larger.spec.containers[0].volumeMounts).toEqual([{ name: 'app-tmp', mountPath: '/tmp' }]);
  });
});

describe('RestrictedNamespace and the default VolumePermissions.INIT_CONTAINER', () => {
  const inNamespace = (props: Partial<RootlessStatefulSetProps>) => (chart: Chart) => {
    const ns = new RestrictedNamespace(chart, 'apps', { metadata: { name: 'apps' } });
    new RootlessStatefulSet(chart, 'es', {
      metadata: { namespace: ns.name },
      preset: ImagePreset.elasticsearch(),
      containers: [{ name: 'es', image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.0', portNumber: 9200 }],
      volumeClaimTemplates: [{ name: 'data', mountPath: '/usr/share/elasticsearch/data', size: Size.gibibytes(10) }],
      ...props,
    });
  };

  test('the message says the construct declared the exemptions and names FS_GROUP_ONLY and when it is enough', () => {
    const message = error(inNamespace({}));
    expect(message).toContain('it would reject StatefulSet');
    expect(message).toContain('The exemptions runAsRoot (container "volume-permissions"), addCapabilities (container "volume-permissions") '
      + 'were declared by the construct, not by you');
    expect(message).toContain('volumePermissions: VolumePermissions.INIT_CONTAINER (the default) adds the "volume-permissions" init container');
    expect(message).toContain('Fix: set volumePermissions: VolumePermissions.FS_GROUP_ONLY (no init container: the pod stays restricted)');
    expect(message).toContain('volume driver applies fsGroup: most block storage');
    expect(message).toContain('not NFS or hostPath volumes');
    // nothing the author never wrote
    expect(message).not.toContain('remove the exemptions');
    expect(message).not.toContain('Fix: Replace runAsNonRoot=false');
    expect(message).not.toMatch(/runAsNonRoot[^\n]*Fix:/);
  });

  test('the fix it names works: FS_GROUP_ONLY is admitted', () => {
    const s = one(synth(inNamespace({ volumePermissions: VolumePermissions.FS_GROUP_ONLY })), 'StatefulSet');
    expect(s.spec.template.spec.initContainers).toBeUndefined();
  });

  test('exemptions the author declared are still named as the author\'s', () => {
    const message = error(inNamespace({
      exemptions: [Exemption.privilegeEscalation('the es binary needs setuid for its keystore tool', { container: 'es' })],
    }));
    expect(message).toContain('were declared by the construct, not by you');
    expect(message).toContain('The workload declares exemptions (privilegeEscalation (container "es") in rootless.cdk8s.io/exemptions)');
  });
});

test('a preset mismatch names where the user comes from: the pod\'s preset for an init container, a container\'s own user over its preset', () => {
  const init = error(chart => new HardenedPod(chart, 'p', {
    preset: ImagePreset.postgresAlpine(),
    initContainers: [{ name: 'migrate', image: 'mongo:7' }],
    containers: [{ name: 'pg', image: 'postgres:16-alpine' }],
  }));
  expect(init).toContain('initContainers[migrate].image: "mongo:7" is the image of ImagePreset.mongo(), which runs as UID 999, '
    + 'but the container runs as UID 70 (from ImagePreset.postgresAlpine())');
  expect(init).not.toContain('containers[pg]');
  const own = error(chart => new HardenedPod(chart, 'p', {
    user: 1000, containers: [{ name: 'cache', image: 'mongo:7', preset: ImagePreset.redis(), user: 1001 }],
  }));
  expect(own).toContain('containers[cache].image: "mongo:7" is the image of ImagePreset.mongo(), which runs as UID 999, but the container '
    + 'runs as UID 1001 (from containers[cache].user)');
});
