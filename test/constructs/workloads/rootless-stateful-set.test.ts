import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RESTRICTED_CONTAINER, container, error, exemptions, level, one, podSpec, refusedByKubelet, synth } from './util';
import { ImagePreset } from '../../../lib';
import { RootlessStatefulSet, RootlessStatefulSetProps, VolumePermissions } from '../../../lib/constructs/plus/rootless-stateful-set';
import { PodSecurity, PolicyLevel } from '../../../lib/policy';

const ES = 'docker.elastic.co/elasticsearch/elasticsearch:8.15.0';
const DATA = '/usr/share/elasticsearch/data';

function es(props: Partial<RootlessStatefulSetProps> = {}) {
  return (chart: Chart) => new RootlessStatefulSet(chart, 'es', {
    preset: ImagePreset.elasticsearch(),
    containers: [{ name: 'es', image: ES, portNumber: 9200 }],
    volumeClaimTemplates: [{ name: 'data', mountPath: DATA, size: Size.gibibytes(10), storageClassName: 'standard' }],
    ...props,
  });
}
const sts = (props: Partial<RootlessStatefulSetProps> = {}) => one(synth(es(props)), 'StatefulSet');

describe('RootlessStatefulSet, default: the permission init container (scenario 10)', () => {
  test('snapshot', () => {
    expect(synth(es())).toMatchSnapshot();
  });

  test('the init container can start: UID 0 with runAsNonRoot false on it, nothing inherited from the pod', () => {
    const s = sts();
    expect(podSpec(s).securityContext.runAsNonRoot).toBeUndefined();
    const init = container(s, 'volume-permissions');
    expect(init.securityContext.runAsUser).toBe(0);
    expect(init.securityContext.runAsNonRoot).toBe(false);
    expect(refusedByKubelet(s)).toEqual([]);
  });

  test('the init container keeps every other hardening', () => {
    const init = container(sts(), 'volume-permissions');
    expect(init.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: false,
      runAsUser: 0,
      capabilities: { drop: ['ALL'], add: ['CHOWN', 'FOWNER'] },
    });
    expect(podSpec(sts()).securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(init.resources).toEqual({ limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '10m', memory: '16Mi' } });
    expect(init.image).toBe('busybox:1.36.1');
    expect(init.imagePullPolicy).toBe('IfNotPresent');
    // /tmp like every container with a read-only root (the startability checklist)
    expect(init.volumeMounts).toEqual([{ name: 'volume-permissions-tmp', mountPath: '/tmp' }, { name: 'data', mountPath: DATA }]);
    expect(podSpec(sts()).initContainers.map((c: any) => c.name)).toEqual(['volume-permissions']);
  });

  test('DAC_OVERRIDE only when asked for; the image can be replaced', () => {
    const init = container(sts({ volumePermissionsInit: { dacOverride: true, image: 'busybox@sha256:' + 'a'.repeat(64) } }), 'volume-permissions');
    expect(init.securityContext.capabilities.add).toEqual(['CHOWN', 'FOWNER', 'DAC_OVERRIDE']);
    expect(init.image).toBe('busybox@sha256:' + 'a'.repeat(64));
  });

  test('it changes ownership only where it does not match, and only when the volume root does not match', () => {
    const script: string = container(sts(), 'volume-permissions').command[2];
    expect(script).toContain('if [ "$(stat -c %u:%g "$d")" != "1000:1000" ]');
    expect(script).toContain('find "$d" -xdev -mindepth 1 \\( ! -user 1000 -o ! -group 1000 \\) -exec chown -h 1000:1000 {} +');
    // the root last: a walk cut short is redone at the next start
    expect(script.indexOf('chown 1000:1000 "$d"')).toBeGreaterThan(script.indexOf('find'));
  });

  test('the script, run against a directory: walks a mismatching root (the root last), leaves a matching one alone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perm-'));
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bin-'));
    try {
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'sub', 'f'), 'x');
      // a chown that records its arguments instead of changing anything
      fs.writeFileSync(path.join(bin, 'chown'), `#!/bin/sh\necho "chown $*" >> ${bin}/log\n`, { mode: 0o755 });
      // a stat that reports the volume root as already owned by 4242:4242
      fs.writeFileSync(path.join(bin, 'fakestat'), '#!/bin/sh\necho 4242:4242\n', { mode: 0o755 });
      const script = container(one(synth(es({
        user: 4242,
        group: 4242,
        fsGroup: 4242,
        preset: undefined,
        // an image of our own that keeps the Elasticsearch name, built to run as 4242
        containers: [{ name: 'es', image: ES, portNumber: 9200, customImage: true }],
        volumeClaimTemplates: [{ name: 'data', mountPath: dir, size: Size.gibibytes(1) }],
      })), 'StatefulSet'), 'volume-permissions').command[2];
      const run = (fakeStat: boolean) => {
        fs.rmSync(path.join(bin, 'log'), { force: true });
        if (fakeStat) fs.copyFileSync(path.join(bin, 'fakestat'), path.join(bin, 'stat'));
        else fs.rmSync(path.join(bin, 'stat'), { force: true });
        execFileSync('sh', ['-c', script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
        return fs.existsSync(path.join(bin, 'log')) ? fs.readFileSync(path.join(bin, 'log'), 'utf8') : '';
      };
      expect(run(true)).toBe(''); // the root matches: nothing walked
      const log = run(false); // nothing matches (the files belong to the test's user): everything below, then the root
      expect(log).toContain(`chown -h 4242:4242 ${path.join(dir, 'sub')}`);
      expect(log).toContain(path.join(dir, 'sub', 'f'));
      expect(log.trim().split('\n').pop()).toBe(`chown 4242:4242 ${dir}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test('the app containers are restricted (evaluated without the init container)', () => {
    const s = sts();
    expect(container(s, 'es').securityContext).toEqual({ ...RESTRICTED_CONTAINER, runAsUser: 1000, runAsGroup: 0 });
    const appOnly = JSON.parse(JSON.stringify(s));
    delete appOnly.spec.template.spec.initContainers;
    expect(PodSecurity.evaluate(appOnly, { level: PolicyLevel.RESTRICTED }).violations).toEqual([]);
  });

  test('the implied exemptions are recorded with their reason, and the level is what the policy engine computes (baseline)', () => {
    const s = sts();
    expect(exemptions(s)).toEqual([
      expect.objectContaining({ id: 'runAsRoot', container: 'volume-permissions', reason: expect.stringContaining('fsGroup') }),
      expect.objectContaining({ id: 'addCapabilities', container: 'volume-permissions', capabilities: ['CHOWN', 'FOWNER'] }),
    ]);
    expect(level(s)).toBe('baseline');
    expect(level(s)).toBe(PodSecurity.strictestLevel(s));
    expect(s.metadata.annotations).toBeUndefined();
  });

  test('claim templates: typed fields as quantities, mounted in every app container, no pod volume of that name', () => {
    const s = one(synth(chart => {
      const set = es({
        volumeClaimTemplates: [
          { name: 'data', mountPath: DATA, size: Size.gibibytes(10), storageClassName: 'fast', accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] },
          { name: 'snapshots', mountPath: '/snapshots', size: Size.mebibytes(512) },
        ],
      })(chart);
      set.hardening.addContainer({ name: 'exporter', image: 'exporter:1', user: 1000, portNumber: 9114 });
    }), 'StatefulSet');
    expect(s.spec.volumeClaimTemplates).toEqual([
      { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOncePod'], storageClassName: 'fast', resources: { requests: { storage: '10Gi' } } } },
      { metadata: { name: 'snapshots' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '512Mi' } } } },
    ]);
    for (const name of ['es', 'exporter']) {
      expect(container(s, name).volumeMounts).toEqual(expect.arrayContaining([{ name: 'data', mountPath: DATA }, { name: 'snapshots', mountPath: '/snapshots' }]));
    }
    expect(podSpec(s).volumes.map((v: any) => v.name)).not.toContain('data');
    expect(container(s, 'volume-permissions').command[2]).toContain(`for d in '${DATA}' '/snapshots'; do`);
  });

  test('the headless Service: clusterIP None, the containers\' ports, named by serviceName', () => {
    const manifests = synth(es());
    const svc = one(manifests, 'Service');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports).toEqual([{ port: 9200, targetPort: 9200 }]);
    const s = one(manifests, 'StatefulSet');
    expect(s.spec.serviceName).toBe(svc.metadata.name);
    expect(svc.spec.selector).toEqual(s.spec.selector.matchLabels);
  });

  test('cdk8s-plus StatefulSet props pass through; a given service is used', () => {
    const manifests = synth(chart => {
      const service = new kplus.Service(chart, 'svc', { clusterIP: 'None', ports: [{ port: 9300 }] });
      es({ service, replicas: 3, podManagementPolicy: kplus.PodManagementPolicy.PARALLEL })(chart);
    });
    const s = one(manifests, 'StatefulSet');
    expect(s.spec.replicas).toBe(3);
    expect(s.spec.podManagementPolicy).toBe('Parallel');
    expect(manifests.filter(m => m.kind === 'Service')).toHaveLength(1);
    expect(s.spec.serviceName).toBe(one(manifests, 'Service').metadata.name);
  });
});

describe('RootlessStatefulSet, VolumePermissions.FS_GROUP_ONLY (scenario 7)', () => {
  const pg = (chart: Chart) => new RootlessStatefulSet(chart, 'pg', {
    preset: ImagePreset.postgresAlpine(),
    volumePermissions: VolumePermissions.FS_GROUP_ONLY,
    containers: [{ name: 'postgres', image: 'postgres:15-alpine', portNumber: 5432 }],
    // one level above PGDATA (/var/lib/postgresql/data): a fresh volume's root holds lost+found, which initdb refuses
    volumeClaimTemplates: [{ name: 'pgdata', mountPath: '/var/lib/postgresql', size: Size.gibibytes(5) }],
  });

  test('snapshot', () => {
    expect(synth(pg)).toMatchSnapshot();
  });

  test('no init container, fsGroup with OnRootMismatch, pod-level runAsNonRoot, restricted', () => {
    const s = one(synth(pg), 'StatefulSet');
    expect(podSpec(s).initContainers).toBeUndefined();
    expect(podSpec(s).securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 70, runAsGroup: 70, fsGroup: 70, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(s, 'postgres').securityContext).toEqual({ ...RESTRICTED_CONTAINER, runAsUser: 70, runAsGroup: 70 });
    expect(container(s, 'postgres').volumeMounts).toContainEqual({ name: 'pgdata', mountPath: '/var/lib/postgresql' });
    expect(exemptions(s)).toEqual([]);
    expect(level(s)).toBe('restricted');
    expect(level(s)).toBe(PodSecurity.strictestLevel(s));
  });

  test('without claim templates there is nothing to fix: no init container even by default', () => {
    const s = one(synth(chart => new RootlessStatefulSet(chart, 'x', { user: 1000, containers: [{ image: 'app:1', portNumber: 8080 }] })), 'StatefulSet');
    expect(podSpec(s).initContainers).toBeUndefined();
    expect(level(s)).toBe('restricted');
    expect(s.spec.volumeClaimTemplates).toBeUndefined();
  });
});

describe('RootlessStatefulSet: bad inputs name the construct path, the prop and the fix', () => {
  const expectError = (props: Partial<RootlessStatefulSetProps>, ...parts: (string | RegExp)[]) => {
    const message = error(es(props));
    expect(message).toContain('test/es');
    expect(message).toContain('Fix:');
    for (const p of parts) expect(message).toMatch(p);
  };
  const claim = { name: 'data', mountPath: DATA, size: Size.gibibytes(1) };

  test('a claim template without mount path', () => {
    expectError({ volumeClaimTemplates: [{ name: 'data', size: Size.gibibytes(1) } as any] }, 'props.volumeClaimTemplates[0].mountPath: missing');
  });
  test('a relative or unnormalized mount path', () => {
    expectError({ volumeClaimTemplates: [{ ...claim, mountPath: 'data' }] }, 'props.volumeClaimTemplates[0].mountPath: "data" is not an absolute path');
    expectError({ volumeClaimTemplates: [{ ...claim, mountPath: '/a/../b' }] }, 'not normalized');
  });
  test('duplicate names', () => {
    expectError({ volumeClaimTemplates: [claim, { ...claim, mountPath: '/other' }] }, 'props.volumeClaimTemplates[1].name: "data" is already used by volumeClaimTemplates[0]');
  });
  test('a name that is not a DNS label', () => {
    expectError({ volumeClaimTemplates: [{ ...claim, name: 'Data_1' }] }, 'props.volumeClaimTemplates[0].name: "Data_1" is not a DNS label');
  });
  test('two claims at one mount path', () => {
    expectError({ volumeClaimTemplates: [claim, { ...claim, name: 'data2', mountPath: DATA + '/' }] }, `props.volumeClaimTemplates[1].mountPath: "${DATA}" is also the mount path of claim template "data"`);
  });
  test('a size that is not a quantity, zero, negative or missing', () => {
    expectError({ volumeClaimTemplates: [{ ...claim, size: Size.gibibytes(NaN) }] }, 'props.volumeClaimTemplates[0].size: "NaNGi" is not a Kubernetes quantity');
    expectError({ volumeClaimTemplates: [{ ...claim, size: Size.gibibytes(0) }] }, 'not a positive amount of storage');
    expect(() => Size.gibibytes(-1)).toThrow(/negative/); // cdk8s itself refuses negative sizes
    expectError({ volumeClaimTemplates: [{ ...claim, size: undefined as any }] }, 'props.volumeClaimTemplates[0].size: missing');
  });
  test('a mount path that clashes with a writable path or another mount of an app container', () => {
    expectError({ containers: [{ name: 'es', image: ES, portNumber: 9200, writablePaths: [DATA] }] },
      `props.volumeClaimTemplates[data].mountPath: "${DATA}" is also mounted in container "es"`, 'writablePaths');
    expectError({ volumeClaimTemplates: [{ ...claim, mountPath: '/tmp' }] }, 'is also mounted in container "es" (volume "es-tmp"');
  });
  test('a claim named like a pod volume fails synthesis', () => {
    expectError({ volumeClaimTemplates: [{ ...claim, name: 'es-tmp', mountPath: '/x' }] }, 'volumeClaimTemplates[es-tmp].name: the pod already has a volume named "es-tmp"');
  });
  test('empty access modes, a bad storage class', () => {
    expectError({ volumeClaimTemplates: [{ ...claim, accessModes: [] }] }, 'accessModes: empty');
    expectError({ volumeClaimTemplates: [{ ...claim, storageClassName: 'Fast SSD' }] }, 'storageClassName: "Fast SSD" is not a valid name');
  });
  test('no port for the headless Service', () => {
    expectError({ containers: [{ name: 'es', image: ES }] }, 'props.containers: no container declares a port', 'props.service');
  });
  test('an unknown volumePermissions value', () => {
    expectError({ volumePermissions: 'chmod' as any }, 'props.volumePermissions: "chmod" is not a VolumePermissions value');
  });
  test('a container named like the permission init container', () => {
    expectError({ initContainers: [{ name: 'volume-permissions', image: 'x:1', user: 1000 }] }, '"volume-permissions" is already used');
  });
  test('no user and no preset', () => {
    expectError({ preset: undefined }, 'props.user');
  });
});

test('Testing.synth is stable (validation passes share the verification)', () => {
  const chart = Testing.chart();
  es()(chart);
  expect(Testing.synth(chart)).toEqual(Testing.synth(chart));
});
