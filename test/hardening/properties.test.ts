import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { REASON, exemptions, level, synthError, synthPod } from './util';
import { Exemption, ExemptionKind, ImagePreset } from '../../lib';
import { HardenedContainerProps, HardenedPod, HardenedPodProps } from '../../lib/constructs/plus';
import { PodSecurity, PolicyLevel } from '../../lib/policy';

const id = fc.integer({ min: 1, max: 2147483647 });
const segment = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,11}$/).filter(s => s !== '.' && s !== '..');
const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map(s => `/${s.join('/')}`);
const presets = [
  ImagePreset.postgres(), ImagePreset.postgresAlpine(), ImagePreset.redis(), ImagePreset.redisAlpine(), ImagePreset.nginxUnprivileged(),
  ImagePreset.elasticsearch(), ImagePreset.grafana(), ImagePreset.prometheus(), ImagePreset.node(), ImagePreset.mysql(), ImagePreset.mongo(),
];

const containerProps = (name: string): fc.Arbitrary<HardenedContainerProps> => fc.record({
  name: fc.constant(name),
  image: fc.constantFrom('app:v1', 'ghcr.io/acme/api:2.3.1', 'busybox'),
  user: fc.option(id, { nil: undefined }),
  group: fc.option(fc.integer({ min: 0, max: 2147483647 }), { nil: undefined }),
  portNumber: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
  writablePaths: fc.uniqueArray(path, { maxLength: 3 }),
  writableTmp: fc.boolean(),
  preset: fc.option(fc.constantFrom(...presets), { nil: undefined }),
  writableVolumes: fc.option(fc.record({
    medium: fc.constantFrom(kplus.EmptyDirMedium.DEFAULT, kplus.EmptyDirMedium.MEMORY),
    sizeLimit: fc.integer({ min: 1, max: 4096 }).map(Size.mebibytes),
  }), { nil: undefined }),
}, { requiredKeys: ['name', 'image'] });

/** A container with its own preset gets a writable volume where that preset's image keeps its data (the data-path rule). */
const withData = (c: HardenedContainerProps): HardenedContainerProps => {
  const data = c.preset?.dataPath;
  return data === undefined || (c.writablePaths ?? []).includes(data) ? c : { ...c, writablePaths: [...c.writablePaths ?? [], data] };
};

/** Container names, unique across init and regular containers. */
const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), { minLength: 1, maxLength: 5 });

const podProps: fc.Arbitrary<HardenedPodProps> = names.chain(ns => {
  const split = Math.max(1, ns.length - 2);
  return fc.record({
    user: fc.option(id, { nil: undefined }),
    group: fc.option(fc.integer({ min: 0, max: 2147483647 }), { nil: undefined }),
    fsGroup: fc.option(fc.integer({ min: 0, max: 2147483647 }), { nil: undefined }),
    preset: fc.constantFrom(...presets),
    unprivilegedPortStart: fc.option(fc.integer({ min: 0, max: 1024 }), { nil: undefined }),
    containers: fc.tuple(...ns.slice(0, split).map(n => containerProps(n).map(withData))),
    initContainers: fc.tuple(...ns.slice(split).map(n => containerProps(n).map(c => withData({ ...c, portNumber: undefined })))),
  }, { requiredKeys: ['preset', 'containers', 'initContainers'] });
});

describe('property: random valid props synthesize a pod the policy engine allows at restricted', () => {
  test('restricted at the latest version, annotated so, with every container hardened', () => {
    fc.assert(fc.property(podProps, props => {
      const pod = synthPod(chart => new HardenedPod(chart, 'app', props));
      expect(PodSecurity.evaluate(pod).violations).toEqual([]);
      expect(level(pod)).toBe('restricted');
      expect(exemptions(pod)).toEqual([]);
      for (const c of [...pod.spec.initContainers ?? [], ...pod.spec.containers]) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
      }
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, fsGroupChangePolicy: 'OnRootMismatch' });
    }), { numRuns: 60 });
  });
});

/** What the exemption kinds imply, written down independently of the engine (the oracle). */
const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
function impliedLevel(es: Exemption[]): PolicyLevel {
  const privileged = es.some(e => [ExemptionKind.SECCOMP_UNCONFINED, ExemptionKind.PRIVILEGED, ExemptionKind.HOST_NETWORK, ExemptionKind.HOST_PID,
    ExemptionKind.HOST_IPC, ExemptionKind.HOST_PATH].includes(e.kind) || (e.capabilities ?? []).some(c => !BASELINE_CAPS.has(c)));
  if (privileged) return PolicyLevel.PRIVILEGED;
  const baseline = es.some(e => [ExemptionKind.RUN_AS_ROOT, ExemptionKind.PRIVILEGE_ESCALATION].includes(e.kind)
    || (e.capabilities ?? []).some(c => c !== 'NET_BIND_SERVICE'));
  return baseline ? PolicyLevel.BASELINE : PolicyLevel.RESTRICTED;
}

const CONTAINERS = ['app', 'sidecar', 'init'];
const scope = fc.option(fc.constantFrom(...CONTAINERS), { nil: undefined }).map(container => ({ container }));
const caps = fc.subarray(['NET_BIND_SERVICE', 'CHOWN', 'SETUID', 'NET_ADMIN', 'SYS_PTRACE', 'NET_RAW'], { minLength: 1 });
const exemption: fc.Arbitrary<Exemption> = fc.oneof(
  scope.map(o => Exemption.runAsRoot(REASON, o)),
  scope.map(o => Exemption.writableRootFilesystem(REASON, o)),
  scope.map(o => Exemption.privilegeEscalation(REASON, o)),
  fc.tuple(caps, scope).map(([c, o]) => Exemption.addCapabilities(c, REASON, o)),
  scope.map(o => Exemption.seccompUnconfined(REASON, o)),
  scope.map(o => Exemption.seccompLocalhost('profiles/app.json', REASON, o)),
  scope.map(o => Exemption.privileged(REASON, o)),
  fc.constant(Exemption.hostNetwork(REASON)),
  fc.constant(Exemption.hostPID(REASON)),
  fc.constant(Exemption.hostIPC(REASON)),
  fc.constant(Exemption.hostPath(REASON, { paths: ['/var/log'] })),
  fc.constant(Exemption.serviceAccountToken(REASON)),
);
/** A valid set: one exemption per kind and scope, one seccomp profile per scope. */
const exemptionSet = fc.uniqueArray(exemption, {
  maxLength: 5,
  selector: e => [ExemptionKind.SECCOMP_LOCALHOST, ExemptionKind.SECCOMP_UNCONFINED].includes(e.kind) ? `seccomp|${e.container}` : `${e.kind}|${e.container}`,
});

/**
 * Whether every container an addCapabilities exemption reaches can hold the capabilities: it runs as
 * root (runAsRoot) or may gain them from file capabilities (privilegeEscalation, privileged), by an
 * exemption for it or for the pod. Otherwise synthesis refuses the set (capabilities-reach.test.ts).
 */
function capabilitiesReachable(es: Exemption[]): boolean {
  const enabling = [ExemptionKind.RUN_AS_ROOT, ExemptionKind.PRIVILEGE_ESCALATION, ExemptionKind.PRIVILEGED];
  return es.filter(e => e.kind === ExemptionKind.ADD_CAPABILITIES).every(e => (e.container === undefined ? CONTAINERS : [e.container])
    .every(c => es.some(x => enabling.includes(x.kind) && (x.container === undefined || x.container === c))));
}

describe('property: random exemption sets yield exactly the annotated level', () => {
  test('a set that adds capabilities to a container that cannot hold them is refused', () => {
    fc.assert(fc.property(exemptionSet.filter(es => !capabilitiesReachable(es)), es => {
      const podRoot = es.some(e => e.kind === ExemptionKind.RUN_AS_ROOT && e.container === undefined);
      const message = synthError(chart => {
        const p = new HardenedPod(chart, 'app', {
          user: podRoot ? undefined : 1000,
          exemptions: es,
          initContainers: [{ name: 'init', image: 'busybox' }],
          containers: [{ name: 'app', image: 'app', portNumber: 8080 }, { name: 'sidecar', image: 'sidecar' }],
        });
        if (es.some(e => e.kind === ExemptionKind.HOST_PATH)) {
          p.containers[0].mount('/host', kplus.Volume.fromHostPath(p, 'host', 'host', { path: '/var/log' }), { readOnly: true });
        }
      });
      expect(message).toMatch(/its process never holds them/);
    }), { numRuns: 60 });
  });

  test('annotation = engine on the final manifest = what the exemption kinds imply', () => {
    fc.assert(fc.property(exemptionSet.filter(capabilitiesReachable), es => {
      const podRoot = es.some(e => e.kind === ExemptionKind.RUN_AS_ROOT && e.container === undefined);
      const pod = synthPod(chart => {
        const p = new HardenedPod(chart, 'app', {
          user: podRoot ? undefined : 1000, // a pod-wide root exemption makes the pod user 0
          exemptions: es,
          initContainers: [{ name: 'init', image: 'busybox' }],
          containers: [{ name: 'app', image: 'app', portNumber: 8080 }, { name: 'sidecar', image: 'sidecar' }],
        });
        if (es.some(e => e.kind === ExemptionKind.HOST_PATH)) {
          p.containers[0].mount('/host', kplus.Volume.fromHostPath(p, 'host', 'host', { path: '/var/log' }), { readOnly: true });
        }
      });
      expect(level(pod)).toBe(PodSecurity.strictestLevel(pod));
      expect(level(pod)).toBe(impliedLevel(es));
      expect(exemptions(pod).map(e => [e.id, e.container])).toEqual(es.map(e => [e.kind, e.container ?? null]));
    }), { numRuns: 150 });
  });
});
