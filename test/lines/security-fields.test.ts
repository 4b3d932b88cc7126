/**
 * The security fields of every line-bound construct, asserted field by field (not by snapshot), so that a line run
 * (test/lines/jest.config.js, CDK8S_PLUS_LINE=NN) fails when a cdk8s-plus line changes one of them: each construct is
 * synthesized with representative props (containers given in props, added and attached later, a writable path, a
 * cdk8s-plus volume, a port, a claim template), and every pod-level and container-level field that Pod Security Standards
 * or the kubelet read is compared with what line 27 writes. A field the line writes where 27 writes none must be its
 * safe value (e.g. `shareProcessNamespace: false` on 32+); a field that weakens the pod fails here.
 */
import { Chart, Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  HardenedPod, RootlessCronJob, RootlessDaemonSet, RootlessDeployment, RootlessJob, RootlessStatefulSet, VolumePermissions,
} from '../../lib/constructs/plus';
import { RootlessHardening } from '../../lib/constructs/rootless-hardening';
import { PodSecurity, PolicyLevel } from '../../lib/policy';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

const USER = 1001;
const IMAGE = 'registry.example.com/app:1.4.2';
const SIDECAR = 'registry.example.com/sidecar:0.9.1';

/** Pod-level fields that must never be on: absent and false are the same (the API server's default is off). */
const OFF_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace'] as const;

const POD_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: USER,
  runAsGroup: USER,
  fsGroup: USER,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
};
/** The pod context when a permission init container runs as root: no pod-level runAsNonRoot (each container sets it). */
const POD_CONTEXT_WITH_ROOT_INIT = { ...POD_CONTEXT, runAsNonRoot: undefined };
const CONTAINER_CONTEXT = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/** Containers given in props, one added and one attached after construction, a writable path, a cdk8s-plus volume, a port. */
type Pod = { addContainer(c: kplus.ContainerProps): kplus.Container; attachContainer(c: kplus.Container): void };
function populate(scope: Construct, pod: Pod): void {
  pod.addContainer({ name: 'added', image: SIDECAR });
  pod.attachContainer(new kplus.Container({ name: 'attached', image: SIDECAR }));
  const config = kplus.Volume.fromEmptyDir(scope, 'config', 'config');
  pod.addContainer({ name: 'mounted', image: SIDECAR, volumeMounts: [{ path: '/etc/app', volume: config }] });
}
const props = (name: string) => ({
  user: USER,
  containers: [{ name, image: IMAGE, portNumber: 8080, writablePaths: ['/var/cache/app'] }],
});

interface Case { readonly kind: string; readonly build: (chart: Construct) => void; readonly rootInit?: boolean }
const CASES: Case[] = [
  { kind: 'Pod', build: c => populate(c, new HardenedPod(c, 'pod', props('app'))) },
  { kind: 'Deployment', build: c => populate(c, new RootlessDeployment(c, 'deploy', props('app'))) },
  { kind: 'Job', build: c => populate(c, new RootlessJob(c, 'job', props('app'))) },
  { kind: 'CronJob', build: c => populate(c, new RootlessCronJob(c, 'cron', { ...props('app'), schedule: Cron.daily() })) },
  { kind: 'DaemonSet', build: c => populate(c, new RootlessDaemonSet(c, 'ds', props('app'))) },
  {
    kind: 'StatefulSet',
    rootInit: true,
    build: c => populate(c, new RootlessStatefulSet(c, 'sts', {
      ...props('app'), volumeClaimTemplates: [{ name: 'data', mountPath: '/var/lib/app', size: Size.gibibytes(2) }],
    })),
  },
  {
    kind: 'StatefulSet',
    build: c => populate(c, new RootlessStatefulSet(c, 'sts', {
      ...props('app'),
      volumePermissions: VolumePermissions.FS_GROUP_ONLY,
      volumeClaimTemplates: [{ name: 'data', mountPath: '/var/lib/app', size: Size.gibibytes(2) }],
    })),
  },
];

function synthOne(c: Case): any {
  const chart = new Chart(Testing.app(), 'test');
  c.build(chart);
  const docs = Testing.synth(chart);
  const found = docs.filter((d: any) => d.kind === c.kind);
  expect(found).toHaveLength(1);
  return found[0];
}

describe.each(CASES.map(c => [`${c.kind}${c.rootInit ? ' (permission init container)' : ''}`, c] as const))('%s: the security fields', (_name, c) => {
  const obj = synthOne(c);
  const template = podTemplateOf(obj)!;
  const spec = template.spec;

  test('pod level: security context, no service account token, no host namespaces, no shared process namespace', () => {
    const context = { ...spec.securityContext };
    expect(context).toEqual(JSON.parse(JSON.stringify(c.rootInit ? POD_CONTEXT_WITH_ROOT_INIT : POD_CONTEXT)));
    expect(spec.automountServiceAccountToken).toBe(false);
    for (const field of OFF_FIELDS) expect([field, spec[field] ?? false]).toEqual([field, false]);
    expect(spec.hostUsers ?? true).toBe(true); // not asked for: the line must not set it either way
    for (const field of ['hostAliases', 'nodeName', 'runtimeClassName', 'priorityClassName', 'serviceAccountName', 'serviceAccount']) {
      expect([field, spec[field]]).toEqual([field, undefined]);
    }
    // no volume a restricted pod may not have (hostPath): the writable paths' and the config emptyDirs only
    expect((spec.volumes ?? []).filter((v: any) => v.emptyDir === undefined)).toEqual([]);
  });

  test('every app container: the hardened security context, exactly', () => {
    const names = spec.containers.map((x: any) => x.name).sort();
    expect(names).toEqual(['added', 'app', 'attached', 'mounted']);
    for (const container of spec.containers) {
      expect([container.name, container.securityContext]).toEqual([container.name, CONTAINER_CONTEXT]);
      expect([container.name, container.ports?.some((p: any) => p.hostPort !== undefined) ?? false]).toEqual([container.name, false]);
    }
  });

  test('init containers: none, or the permission init container with only what it declares', () => {
    if (!c.rootInit) {
      expect(spec.initContainers).toBeUndefined();
      return;
    }
    expect(spec.initContainers).toHaveLength(1);
    const [init] = spec.initContainers;
    expect(init.name).toBe('volume-permissions');
    expect(init.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: false,
      runAsUser: 0,
      capabilities: { drop: ['ALL'], add: ['CHOWN', 'FOWNER'] },
    });
  });

  test('the level the policy engine computes is the one annotated: restricted, or baseline with the permission init container', () => {
    const expected = c.rootInit ? PolicyLevel.BASELINE : PolicyLevel.RESTRICTED;
    expect(PodSecurity.strictestLevel(obj)).toBe(expected);
    expect(template.metadata.annotations['rootless.cdk8s.io/pss-level']).toBe(expected);
  });
});

test('the claims of a RootlessStatefulSet are rendered on every line, once, and the pod keeps its other volumes', () => {
  const sts = synthOne(CASES[5]);
  expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data']);
  expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
  const spec = podTemplateOf(sts)!.spec;
  expect(spec.volumes.map((v: any) => v.name).sort()).toEqual(expect.arrayContaining(['config']));
  expect(spec.volumes.map((v: any) => v.name)).not.toContain('data');
  const mounted = new Set(spec.volumes.map((v: any) => v.name).concat(['data']));
  for (const container of [...spec.initContainers ?? [], ...spec.containers]) {
    for (const m of container.volumeMounts ?? []) expect([container.name, m.name, mounted.has(m.name)]).toEqual([container.name, m.name, true]);
  }
});

test('a plain cdk8s-plus StatefulSet adopted by applyTo: on a line that drops its pod volumes (32+, upstream #6735) the verifier refuses it, never a weaker manifest', () => {
  const build = (workaround: boolean) => {
    const chart = new Chart(Testing.app(), 'test');
    const sts = new kplus.StatefulSet(chart, 'db', { containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }] });
    sts.containers[0].mount('/var/lib/db', kplus.Volume.fromEmptyDir(chart, 'data', 'data'));
    if (workaround && 'addVolumeClaimTemplate' in sts) (sts as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates = [];
    RootlessHardening.applyTo(chart, { user: USER });
    return () => Testing.synth(chart);
  };
  const dropsVolumes = 'addVolumeClaimTemplate' in kplus.StatefulSet.prototype;
  if (dropsVolumes) expect(build(false)).toThrow(/volumeMounts\[0\]\.name: Not found: "data"/);
  const sts = build(true)().find((d: any) => d.kind === 'StatefulSet');
  expect(sts.spec.template.spec.volumes).toEqual(expect.arrayContaining([{ name: 'data', emptyDir: {} }]));
  expect(sts.spec.template.spec.containers[0].securityContext).toMatchObject(CONTAINER_CONTEXT);
});
