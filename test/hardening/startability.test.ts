/**
 * The startability checklist (lib/hardening/startability.ts, docs/migration.md "Will it start?"),
 * the data-path rule it shares with the constructs and the adopt stage (data-path.ts), and the path
 * normalization every rule uses (paths.ts). Expected values come from the kubelet's and the images'
 * behaviour (docker-library postgres 18's Dockerfile and entrypoint), not from the code under test.
 */
import { containerRole, dataDirectory, majorVersion } from '../../lib/hardening/data-path';
import { ImagePreset } from '../../lib/hardening/image-preset';
import { cleanPath, isAtOrBelow, isNumericId, pathProblem, placeOf } from '../../lib/hardening/paths';
import { startabilityProblems } from '../../lib/hardening/startability';

const pod = (spec: any) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const ro = { readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000 };
const tmp = { volumes: [{ name: 'tmp', emptyDir: {} }] };
const tmpMount = { name: 'tmp', mountPath: '/tmp' };

describe('paths.ts: mount paths as the kubelet reads them', () => {
  test('cleaned with path.posix semantics and made absolute', () => {
    expect(cleanPath('/var/lib//postgresql/./data/')).toBe('/var/lib/postgresql/data');
    expect(cleanPath('data')).toBe('/data');
    expect(cleanPath('/a/b/../c')).toBe('/a/c');
    expect(cleanPath('/../..')).toBe('/');
    expect(cleanPath('/')).toBe('/');
  });
  test('/var/run is read as /run; containment is by segment', () => {
    expect(placeOf('/var/run/postgresql')).toBe('/run/postgresql');
    expect(placeOf('/var/runner')).toBe('/var/runner');
    expect(isAtOrBelow('/var/run/postgresql', '/run')).toBe(true);
    expect(isAtOrBelow('/data/db', '/data')).toBe(true);
    expect(isAtOrBelow('/database', '/data')).toBe(false);
    expect(isAtOrBelow('/anything', '/')).toBe(true);
  });
  test('an option path must already be clean: the kubelet would read another path', () => {
    expect(pathProblem('/var/cache/app')).toBeUndefined();
    expect(pathProblem('/var/cache/app/')).toBeUndefined();
    expect(pathProblem('/var/../etc')).toMatch(/not normalized/);
    expect(pathProblem('/a//b')).toMatch(/not normalized/);
    expect(pathProblem('relative')).toMatch(/not an absolute path/);
    expect(pathProblem('/', 'hint')).toBe('is the root directory (hint)');
  });
  test('IDs: 0…2147483647, integers only', () => {
    expect([0, 1, 2147483647].every(isNumericId)).toBe(true);
    expect([-1, 2147483648, 1.5, '1000', NaN, undefined].some(isNumericId)).toBe(false);
  });
});

describe('data-path.ts: where the image keeps its data', () => {
  const pg = ImagePreset.postgres();
  test('the major version of a tag', () => {
    expect(majorVersion('postgres:16-alpine')).toBe(16);
    expect(majorVersion('docker.io/library/postgres:17.2-bookworm')).toBe(17);
    expect(majorVersion('postgres:18')).toBe(18);
    expect(majorVersion('postgres:latest')).toBeUndefined();
    expect(majorVersion('postgres:alpine')).toBeUndefined();
    expect(majorVersion('postgres')).toBeUndefined();
    expect(majorVersion('localhost:5000/postgres')).toBeUndefined();
    expect(majorVersion('postgres@sha256:abc')).toBeUndefined();
  });
  test('postgres: PGDATA, else <= 17 /var/lib/postgresql/data, >= 18 /var/lib/postgresql/<major>/docker, else unknown', () => {
    expect(dataDirectory(pg, { image: 'postgres:16' })).toMatchObject({ path: '/var/lib/postgresql/data', from: 'version' });
    expect(dataDirectory(pg, { image: 'postgres:18' })).toMatchObject({
      path: '/var/lib/postgresql/18/docker', from: 'version', refusedMount: '/var/lib/postgresql/data',
    });
    expect(dataDirectory(pg, { image: 'postgres:19.1' }).path).toBe('/var/lib/postgresql/19/docker');
    expect(dataDirectory(pg, { image: 'postgres:latest' })).toMatchObject({ from: 'unknown' });
    expect(dataDirectory(pg, { image: 'postgres:18', env: [{ name: 'PGDATA', value: '/pg/data/' }] })).toEqual({ path: '/pg/data', from: 'env', env: 'PGDATA' });
    expect(dataDirectory(pg, { image: 'postgres:16', env: [{ name: 'PGDATA', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }).from).toBe('unknown');
    expect(dataDirectory(pg, { image: 'postgres:16', envFrom: [{ configMapRef: { name: 'c' } }] }).from).toBe('unknown');
    // an explicit env entry wins over envFrom, as in Kubernetes
    expect(dataDirectory(pg, { image: 'postgres:16', envFrom: [{ configMapRef: { name: 'c' } }], env: [{ name: 'PGDATA', value: '/x' }] }).path).toBe('/x');
    expect(dataDirectory(ImagePreset.redis(), { image: 'redis:7' })).toMatchObject({ path: '/data', from: 'preset' });
  });
  test('the server unless the command is a client or utility; a shell or an unknown command is unknown', () => {
    expect(containerRole(pg, {}).role).toBe('server');
    expect(containerRole(pg, { args: ['-c', 'max_connections=200'] }).role).toBe('server');
    expect(containerRole(pg, { command: ['docker-entrypoint.sh'], args: ['postgres'] }).role).toBe('server');
    expect(containerRole(pg, { command: ['pg_dump', '-Fc'] }).role).toBe('utility');
    expect(containerRole(pg, { args: ['psql', '-c', 'select 1'] }).role).toBe('utility');
    expect(containerRole(pg, { command: ['docker-entrypoint.sh', 'pg_isready'] }).role).toBe('utility');
    expect(containerRole(pg, { command: ['/bin/sh', '-c', 'postgres'] })).toEqual({ role: 'unknown', program: 'sh (a shell)' });
    expect(containerRole(ImagePreset.redis(), { command: ['redis-cli', 'ping'] }).role).toBe('utility');
    expect(containerRole(ImagePreset.redis(), { command: ['redis-server', '--appendonly', 'yes'] }).role).toBe('server');
    expect(containerRole(ImagePreset.mysql(), { command: ['mysqldump'] }).role).toBe('utility');
    expect(containerRole(ImagePreset.mysql(), { command: ['sleep', 'infinity'] }).role).toBe('utility');
    expect(containerRole(ImagePreset.mysql(), { command: ['/opt/my-tool'] }).role).toBe('unknown');
  });
});

describe('startabilityProblems: the checklist', () => {
  test('a hardened, startable pod passes', () => {
    expect(startabilityProblems(pod({ ...tmp, containers: [{ name: 'app', image: 'example.com/app:1', securityContext: ro, volumeMounts: [tmpMount] }] }))).toEqual([]);
  });

  test('a numeric runAsUser, or a vouched image, for every container (runAsNonRoot alone is not a user)', () => {
    const alone = pod({ securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', image: 'myapp:v1.0' }] });
    expect(startabilityProblems(alone)).toEqual([expect.stringContaining('container "app": no numeric runAsUser, and nobody vouches for the USER of image "myapp:v1.0"')]);
    expect(startabilityProblems(alone, { vouched: i => i.startsWith('myapp:') })).toEqual([]);
    // a preset knows the image, but only a runAsUser makes the kubelet run it as that user (node runs as root by default)
    expect(startabilityProblems(pod({ securityContext: { runAsNonRoot: true }, containers: [{ name: 'n', image: 'node:20-alpine' }] }))).toHaveLength(1);
    // the pod's runAsUser counts for every container; an init container is checked too
    expect(startabilityProblems(pod({ securityContext: { runAsUser: 1000 }, initContainers: [{ name: 'i', image: 'x' }], containers: [{ name: 'a', image: 'y' }] })))
      .toEqual([]);
    expect(startabilityProblems(pod({ initContainers: [{ name: 'i', image: 'x' }], containers: [{ name: 'a', image: 'y', securityContext: { runAsUser: 5 } }] })))
      .toEqual([expect.stringContaining('container "i": no numeric runAsUser')]);
  });

  test('runAsUser 0 under runAsNonRoot, and IDs the API rejects', () => {
    expect(startabilityProblems(pod({ securityContext: { runAsNonRoot: true, runAsUser: 0 }, containers: [{ name: 'a', image: 'x' }] })))
      .toEqual([expect.stringContaining('the kubelet refuses to start it')]);
    // root by an exemption, without runAsNonRoot: it starts
    expect(startabilityProblems(pod({ containers: [{ name: 'a', image: 'x', securityContext: { runAsUser: 0 } }] }))).toEqual([]);
    expect(startabilityProblems(pod({ securityContext: { runAsUser: 2147483648 }, containers: [{ name: 'a', image: 'x' }] })))
      .toEqual([expect.stringContaining('not an ID the API server accepts')]);
    expect(startabilityProblems(pod({ securityContext: { runAsUser: '1000' }, containers: [{ name: 'a', image: 'x' }] }))).toHaveLength(1);
  });

  test('a read-only root needs /tmp and the preset\'s paths on writable volumes (at the path or above; /var/run is /run)', () => {
    const nginx = (mounts: any[], volumes: any[] = []) => pod({
      volumes, containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { ...ro, runAsUser: 101 }, volumeMounts: mounts }],
    });
    const missing = startabilityProblems(nginx([]));
    expect(missing).toEqual([
      expect.stringContaining('/tmp is not on a writable volume'),
      expect.stringContaining('/var/cache/nginx is not on a writable volume (image "nginx:1.27" writes it: nginx preset)'),
      expect.stringContaining('/var/run is not on a writable volume'),
    ]);
    const vols = [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }, { name: 'c', emptyDir: {} }];
    expect(startabilityProblems(nginx([{ name: 'a', mountPath: '/tmp/' }, { name: 'b', mountPath: '/var/cache' }, { name: 'c', mountPath: '/run' }], vols))).toEqual([]);
    // adversarial: a read-only mount, a configMap (always read-only), a sibling prefix
    const weak = nginx([{ name: 'a', mountPath: '/tmp', readOnly: true }, { name: 'cm', mountPath: '/var/cache/nginx' }, { name: 'c', mountPath: '/var/running' }],
      [...vols, { name: 'cm', configMap: { name: 'x' } }]);
    expect(startabilityProblems(weak)).toHaveLength(3);
    // paths as the kubelet cleans them: a sibling prefix does not count, a path that cleans to the place does
    const cleaned = nginx([{ name: 'a', mountPath: '/tmpx' }, { name: 'b', mountPath: '/var/./cache/nginx/' }, { name: 'c', mountPath: '/tmp/../var/run' }], vols);
    expect(startabilityProblems(cleaned)).toEqual([expect.stringContaining('/tmp is not on a writable volume')]);
    // a writable root filesystem needs none of them
    expect(startabilityProblems(pod({ containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { runAsUser: 101 } }] }))).toEqual([]);
  });

  test('the data path on a claim: postgres by version and PGDATA', () => {
    const pg = (image: string, mountPath: string, env?: any[], extra: any = {}) => pod({
      ...tmp,
      containers: [{
        name: 'db',
        image,
        env,
        ...extra,
        securityContext: { ...ro, runAsUser: 999 },
        volumeMounts: [tmpMount, { name: 'run', mountPath: '/var/run/postgresql' }, { name: 'data', mountPath }],
      }],
      volumes: [...tmp.volumes, { name: 'run', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'pg' } }],
    });
    expect(startabilityProblems(pg('postgres:16', '/var/lib/postgresql'))).toEqual([]);
    expect(startabilityProblems(pg('postgres:18', '/var/lib/postgresql'))).toEqual([]);
    // the docker-library pattern (<= 17): claim at /var/lib/postgresql/data, PGDATA in a subdirectory
    expect(startabilityProblems(pg('postgres:16', '/var/lib/postgresql/data', [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }]))).toEqual([]);
    // the claim's root as the data directory: lost+found
    expect(startabilityProblems(pg('postgres:16', '/var/lib/postgresql/data'))).toEqual([expect.stringContaining('lost+found')]);
    // 18 refuses a mount at /var/lib/postgresql/data with its default PGDATA
    const refused = startabilityProblems(pg('postgres:18-alpine', '/var/lib/postgresql/data'));
    expect(refused).toEqual([expect.stringContaining('its entrypoint refuses to start with a mount at /var/lib/postgresql/data')]);
    expect(refused[0]).toContain('set PGDATA to where the data is');
    expect(refused[0]).not.toMatch(/mount the claim at|move the claim/i);
    // a claim elsewhere: the fix is PGDATA, never a moved mountPath
    const elsewhere = startabilityProblems(pg('postgres:17', '/pgdata'));
    expect(elsewhere).toEqual([expect.stringContaining('keeps its data in /var/lib/postgresql/data (the default of "postgres:17"), which is not on the claim')]);
    expect(elsewhere[0]).toContain('set PGDATA to where the data is on the claim');
    expect(startabilityProblems(pg('postgres:17', '/pgdata', [{ name: 'PGDATA', value: '/pgdata/data' }]))).toEqual([]);
    // PGDATA that climbs out of the claim is read as the kubelet and the shell would resolve it
    expect(startabilityProblems(pg('postgres:17', '/pgdata', [{ name: 'PGDATA', value: '/pgdata/../etc/pg' }]))).toEqual([expect.stringContaining('keeps its data in /etc/pg (PGDATA)')]);
    // the last PGDATA entry wins, as in Kubernetes
    expect(startabilityProblems(pg('postgres:17', '/pgdata', [{ name: 'PGDATA', value: '/pgdata/x' }, { name: 'PGDATA', value: '/elsewhere' }]))).toHaveLength(1);
    // valueFrom / envFrom and an unknown version: notes, never a reason
    expect(startabilityProblems(pg('postgres:16', '/pgdata', [{ name: 'PGDATA', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }]))).toEqual([]);
    expect(startabilityProblems(pg('postgres:16', '/pgdata', undefined, { envFrom: [{ secretRef: { name: 's' } }] }))).toEqual([]);
    expect(startabilityProblems(pg('postgres:latest', '/var/lib/postgresql'))).toEqual([]);
    expect(startabilityProblems(pg('postgres:latest', '/var/lib/postgresql/data'))).toEqual([]); // a note: the version decides
    // unknown version and nothing writable mounted where any version keeps its data: a reason
    const bare = pod({ ...tmp, containers: [{ name: 'db', image: 'postgres', securityContext: { ...ro, runAsUser: 999 }, volumeMounts: [tmpMount] }] });
    expect(startabilityProblems(bare)).toEqual(expect.arrayContaining([expect.stringContaining('keeps its data below /var/lib/postgresql (the directory depends on the major version')]));
    // a backup job: pg_dump keeps no data, its claim at /backups is fine
    expect(startabilityProblems(pg('postgres:16', '/backups', undefined, { command: ['pg_dump', '-f', '/backups/db.sql'] }))).toEqual([]);
  });

  test('a preset image without a volume at its data directory and a read-only root is a reason; an emptyDir is accepted', () => {
    const redis = (mounts: any[], volumes: any[]) => pod({
      volumes: [...tmp.volumes, ...volumes],
      containers: [{ name: 'r', image: 'redis:7', securityContext: { ...ro, runAsUser: 999 }, volumeMounts: [tmpMount, ...mounts] }],
    });
    expect(startabilityProblems(redis([], []))).toEqual([expect.stringContaining('redis keeps its data in /data, which is not mounted')]);
    expect(startabilityProblems(redis([{ name: 'd', mountPath: '/data' }], [{ name: 'd', emptyDir: {} }]))).toEqual([]);
    // a claim template (a volume the pod does not declare) is a claim
    expect(startabilityProblems(redis([{ name: 'data', mountPath: '/data' }], []))).toEqual([]);
    // a read-only claim does not hold writable data
    expect(startabilityProblems(redis([{ name: 'data', mountPath: '/data', readOnly: true }], []))).toHaveLength(1);
  });

  test('workload templates and CronJobs are read through their pod template; objects without one pass', () => {
    const template = { spec: { containers: [{ name: 'a', image: 'x' }] } };
    expect(startabilityProblems({ kind: 'Deployment', spec: { template } })).toHaveLength(1);
    expect(startabilityProblems({ kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } })).toHaveLength(1);
    expect(startabilityProblems({ kind: 'ConfigMap', data: {} })).toEqual([]);
  });

  test('the token hook (the token rule\'s) adds its reasons', () => {
    const p = pod({ securityContext: { runAsUser: 1 }, containers: [{ name: 'a', image: 'x' }] });
    expect(startabilityProblems(p, { token: spec => (spec.automountServiceAccountToken === false ? [] : ['token kept']) })).toEqual(['token kept']);
  });
});
