/**
 * The admission policy's verdict equals the one JavaScript judgement (judge.ts: PSS restricted at
 * the policy version plus the rootless rules, validly declared exemptions reverted) on generated
 * objects of every pod-bearing kind, with and without annotations, canonical and tampered.
 */
import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { checkOf, evaluatePolicy } from './cel';
import { judge } from './judge';
import { AdmissionMode, RootlessAdmissionPolicy } from '../../lib/constructs/admission-policy';
import { writeAnnotation } from '../../lib/exemptions/codec';
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';
import { EXEMPTION_KINDS } from '../../lib/exemptions/registry';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';
import { workload } from '../policy/fixtures';

const KINDS = ['Pod', 'PodTemplate', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'];
const VERSIONS = ['v1.0', 'v1.18', 'v1.19', 'v1.22', 'v1.23', 'v1.25', 'v1.31', 'v1.34', 'v1.35', 'v1.37'];
const TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount';

const POLICIES = new Map<string, any>();
function policyAt(version: string, mode = AdmissionMode.FULL): any {
  let p = POLICIES.get(`${version}/${mode}`);
  if (!p) {
    const chart = Testing.chart();
    new RootlessAdmissionPolicy(chart, 'p', { version, mode });
    p = Testing.synth(chart).find((d: any) => d.kind === 'ValidatingAdmissionPolicy');
    POLICIES.set(`${version}/${mode}`, p);
  }
  return p;
}

export function celVerdict(manifest: any, version: string, mode = AdmissionMode.FULL): string[] {
  const v = evaluatePolicy(policyAt(version, mode), manifest);
  if (v.errors.length > 0) throw new Error(`CEL errors: ${v.errors.join('; ')}`);
  if (!v.matched) throw new Error('not matched');
  return [...new Set(v.failed.map(checkOf))].sort();
}

export function as(kind: string, pod: { metadata: any; spec: any }): any {
  if (kind === 'Pod') return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...pod.metadata }, spec: pod.spec };
  if (kind === 'PodTemplate') return { apiVersion: 'v1', kind, metadata: { name: 't' }, template: pod };
  return workload(kind, pod);
}

const strip = (o: any) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
/** Mostly unset: each field is set in one object out of ten, so that many objects pass and exemptions decide. */
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: a, weight: 1 });

const containerSc = fc.record({
  runAsNonRoot: opt(fc.boolean()),
  runAsUser: opt(fc.constantFrom(0, 1000)),
  allowPrivilegeEscalation: opt(fc.boolean()),
  privileged: opt(fc.boolean()),
  readOnlyRootFilesystem: opt(fc.boolean()),
  capabilities: opt(fc.record({
    drop: opt(fc.subarray(['ALL', 'NET_RAW'])),
    add: opt(fc.subarray(['NET_BIND_SERVICE', 'SYS_ADMIN', 'NET_ADMIN', 'CHOWN', 'NET_RAW'])),
  }).map(strip)),
  seccompProfile: opt(fc.constantFrom({ type: 'RuntimeDefault' }, { type: 'Localhost', localhostProfile: 'p.json' }, { type: 'Unconfined' })),
  procMount: opt(fc.constantFrom('Default', 'Unmasked')),
  seLinuxOptions: opt(fc.constantFrom({ type: 'container_t' }, { type: 'spc_t' }, { type: 'container_engine_t' }, { user: 'root' })),
  appArmorProfile: opt(fc.constantFrom({ type: 'RuntimeDefault' }, { type: 'Unconfined' })),
  windowsOptions: opt(fc.constantFrom({ hostProcess: true }, { hostProcess: false })),
}).map(strip);

const containerArb = fc.record({
  securityContext: opt(containerSc),
  ports: opt(fc.constantFrom([{ containerPort: 8080 }], [{ containerPort: 80, hostPort: 80 }], [{ containerPort: 53, hostPort: 0 }])),
  volumeMounts: opt(fc.constantFrom([{ name: 'data', mountPath: '/data' }], [{ name: 'tok', mountPath: TOKEN }], [{ name: 'tok', mountPath: `${TOKEN}/token` }], [{ name: 'x', mountPath: '//var/run/secrets//kubernetes.io/serviceaccount/' }])),
  // mounts of the hostPath volumes (HOST_VOLUMES): read-only, writable, readOnly unset
  hostMounts: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, {
    arbitrary: fc.subarray(['logs', 'pods', 'logs2', 'sock', 'kubelet', 'dirty', 'data', 'opt']).chain(names => fc.tuple(...names.map(n => fc.record({
      name: fc.constant(n), mountPath: fc.constant(`/host/${n}`), readOnly: fc.constantFrom(true, true, true, false, undefined),
    }).map(strip)))),
    weight: 2,
  }),
  livenessProbe: opt(fc.constantFrom({ httpGet: { port: 8080 } }, { httpGet: { port: 8080, host: 'example.com' } }, { tcpSocket: { port: 1, host: '' } })),
}).map(({ hostMounts, ...c }) => strip({ ...c, volumeMounts: hostMounts?.length ? [...c.volumeMounts ?? [], ...hostMounts] : c.volumeMounts }));

/** hostPath volumes: inside and outside the generated exemptions' paths, node paths, a socket, unclean spellings. */
const HOST_VOLUMES: any[] = [
  { name: 'logs', hostPath: { path: '/var/log' } }, { name: 'pods', hostPath: { path: '/var/log/pods', type: 'Directory' } },
  { name: 'logs2', hostPath: { path: '/var/logs' } }, { name: 'sock', hostPath: { path: '/var/log/agent.sock', type: 'Socket' } },
  { name: 'kubelet', hostPath: { path: '/var/lib/kubelet' } }, { name: 'dirty', hostPath: { path: '/var/log/../lib' } },
  { name: 'data', hostPath: { path: '/data/app/' } }, { name: 'opt', hostPath: { path: '/opt/x/y', type: 'DirectoryOrCreate' } },
  // where the node keeps devices and sockets: covered read-only only as a regular file (type File)
  { name: 'dev', hostPath: { path: '/dev/sda' } }, { name: 'journal', hostPath: { path: '/run/log/journal', type: 'File' } },
  { name: 'bus', hostPath: { path: '/run/log/bus', type: 'Directory' } }, { name: 'optfile', hostPath: { path: '/opt/x/f', type: 'File' } },
];

const VOLUMES: any[] = [
  { name: 'cfg', configMap: { name: 'c' } }, { name: 'tmp', emptyDir: {} }, { name: 'host', hostPath: { path: '/' } },
  { name: 'nfs', nfs: { server: 's', path: '/' } }, { name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
  { name: 'proj', projected: { sources: [{ configMap: { name: 'c' } }] } }, { name: 'bare' },
];

const LINUX_POD = ['runAsUser', 'seccompProfile', 'appArmorProfile', 'seLinuxOptions', 'sysctls'];
const LINUX_CONTAINER = ['runAsUser', 'seccompProfile', 'appArmorProfile', 'seLinuxOptions', 'allowPrivilegeEscalation', 'privileged', 'capabilities', 'procMount', 'readOnlyRootFilesystem'];

const podArb = fc.record({
  init: fc.array(containerArb, { maxLength: 2 }),
  containers: fc.array(containerArb, { minLength: 1, maxLength: 2 }),
  ephemeral: fc.array(containerArb, { maxLength: 1 }),
  hostNetwork: opt(fc.boolean()),
  hostPID: opt(fc.boolean()),
  hostIPC: opt(fc.boolean()),
  hostUsers: opt(fc.boolean()),
  windows: fc.integer({ min: 0, max: 9 }).map(n => n < 2),
  hardened: fc.integer({ min: 0, max: 9 }).map(n => n < 6),
  automount: opt(fc.boolean()),
  podSc: opt(fc.record({
    runAsNonRoot: opt(fc.boolean()),
    runAsUser: opt(fc.constantFrom(0, 1000)),
    seccompProfile: opt(fc.constantFrom({ type: 'RuntimeDefault' }, { type: 'Unconfined' }, { type: 'Localhost', localhostProfile: 'p' })),
    sysctls: opt(fc.constantFrom([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }], [{ name: 'kernel.msgmax', value: '1' }], [{ name: 'net.ipv4.tcp_rmem', value: '1 2 3' }])),
    seLinuxOptions: opt(fc.constantFrom({ type: 'spc_t' }, { type: 'container_t' })),
    windowsOptions: opt(fc.constantFrom({ hostProcess: true })),
  }).map(strip)),
  volumes: opt(fc.subarray([0, 1, 2, 3, 4, 5, 6])),
  hostVolumes: fc.oneof({ arbitrary: fc.constant([]), weight: 3 },
    { arbitrary: fc.subarray(HOST_VOLUMES, { minLength: 1, maxLength: 2 }), weight: 2 }),
  podAnnotations: opt(fc.constantFrom(
    { 'container.apparmor.security.beta.kubernetes.io/app0': 'unconfined' },
    { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' },
    { 'container.seccomp.security.alpha.kubernetes.io/app0': 'runtime/default' },
  )),
}).map(r => {
  const listed = [...r.volumes?.map(i => VOLUMES[i]) ?? [], ...r.hostVolumes];
  const volumes = listed.length > 0 ? listed : undefined;
  // a hardened pod fills what the generator left unset with the restricted, rootless values
  const harden = (c: any) => (r.hardened ? {
    ...c,
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      ...c.securityContext,
    },
  } : c);
  const named = (list: any[], prefix: string) => list.map((c, i) => ({ name: `${prefix}${i}`, image: 'img', ...harden(c) }));
  const spec: any = strip({
    hostNetwork: r.hostNetwork,
    hostPID: r.hostPID,
    hostIPC: r.hostIPC,
    hostUsers: r.hostUsers,
    automountServiceAccountToken: r.automount ?? (r.hardened ? false : undefined),
    securityContext: r.hardened ? { seccompProfile: { type: 'RuntimeDefault' }, ...r.podSc } : r.podSc,
    volumes,
    initContainers: r.init.length ? named(r.init, 'init') : undefined,
    containers: named(r.containers, 'app'),
    ephemeralContainers: r.ephemeral.length ? named(r.ephemeral, 'debug') : undefined,
  });
  if (r.windows) {
    spec.os = { name: 'windows' };
    for (const k of LINUX_POD) if (spec.securityContext) delete spec.securityContext[k];
    for (const c of [...spec.initContainers ?? [], ...spec.containers, ...spec.ephemeralContainers ?? []]) {
      for (const k of LINUX_CONTAINER) if (c.securityContext) delete c.securityContext[k];
    }
  }
  return { metadata: r.podAnnotations ? { annotations: { ...r.podAnnotations } } : {}, spec };
});

const GOOD_REASONS = ['chowns the data volume before the app starts', 'Ελληνικά: ο λόγος είναι σαφής', '日本語の理由をここに書きます', 'nonetheless needed for the VPN'];
const BAD_REASONS = [
  'TODO: explain why this is needed', 'short', '\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200babc', 'n/a n/a n/a n/a n/a', '1234567890 !!',
  'needs it, see the runbook (none of the above)', 'the FixMe list is long here', '\ufeff\ufeff\ufeff\ufeff\ufeff\ufeff\ufeff\ufeff\ufeff\ufeffword',
];
const reasonArb = fc.oneof({ arbitrary: fc.constantFrom(...GOOD_REASONS), weight: 12 }, { arbitrary: fc.constantFrom(...BAD_REASONS), weight: 1 });
const ALL_KINDS = Object.values(ExemptionKind);
const POD_ONLY = new Set<string>(EXEMPTION_KINDS.filter(k => k.podOnly).map(k => k.id));

const entryArb = (names: string[]) => fc.record({
  kind: fc.oneof({ arbitrary: fc.constantFrom(...ALL_KINDS), weight: 4 }, { arbitrary: fc.constant(ExemptionKind.HOST_PATH), weight: 1 }),
  container: fc.option(fc.constantFrom(...names, 'other'), { nil: undefined }),
  reason: reasonArb,
  capabilities: fc.subarray(['SYS_ADMIN', 'NET_ADMIN', 'CHOWN', 'NET_RAW'], { minLength: 1 }),
  // hostPath: mostly valid paths; a node path or a parent of one voids the annotation
  paths: fc.subarray(['/var/log', '/var/log/pods', '/data', '/data/app', '/opt/x', '/var/logs', '/var/lib/kubelet', '/run'], { minLength: 1, maxLength: 3 }),
  writable: fc.boolean(),
}).map(e => ({
  kind: e.kind,
  container: POD_ONLY.has(e.kind) ? undefined : e.container,
  reason: e.reason,
  ...(e.kind === ExemptionKind.ADD_CAPABILITIES ? { capabilities: e.capabilities } : {}),
  ...(e.kind === ExemptionKind.SECCOMP_LOCALHOST ? { profile: 'profiles/app.json' } : {}),
  ...(e.kind === ExemptionKind.HOST_PATH ? { paths: e.paths.filter(p => !['/var/lib/kubelet', '/run'].includes(p) || e.paths.length === 1), writable: e.writable } : {}),
}));

/** Ways to tamper with a canonical annotation. */
const TAMPER: Record<string, (v: string) => string> = {
  none: v => v,
  pretty: v => JSON.stringify(JSON.parse(v), null, 1),
  keyOrder: v => JSON.stringify(JSON.parse(v).map((e: any) => ({ reason: e.reason, ...e }))),
  duplicateKey: v => v.replace(/"container":("[^"]*"|null),/, '"container":"app0","container":$1,'),
  widenScope: v => v.replace(/"container":"[^"]*"/, '"container":null'),
  escape: v => v.replace(/"reason":"(.)/, '"reason":"\\u00$1'),
  bom: v => `\ufeff${v}`,
  truncate: v => v.slice(0, Math.max(1, v.length - 3)),
  padReason: v => v.replace(/"reason":"/, `"reason":"${'x'.repeat(9000)}`),
  padSpace: v => `${v}${' '.repeat(50)}`,
  unknownId: v => v.replace(/"id":"[A-Za-z]+"/, '"id":"rootAccess"'),
  nestedReason: v => v.replace(/,"reason":"[^"]*"\}/, ',"note":{"reason":"a nested reason text"}}'),
  extraCapability: v => v.replace(/"capabilities":\["/, '"capabilities":["SYS_ADMIN","'),
  duplicateEntry: v => (v.length > 2 ? v.replace(/^\[(\{[^}]*\})/, '[$1,$1') : v),
  // hostPath entries
  dotSegment: v => v.replace('"paths":["', '"paths":["/var/log/..","'),
  trailingSlash: v => v.replace(/"paths":\["([^"]*)"/, '"paths":["$1/"'),
  noPaths: v => v.replace(/,"paths":\[[^\]]*\],"writable":(?:true|false)/, ''),
  nodePath: v => v.replace('"paths":["', '"paths":["/var/run/docker.sock","'),
  parentOfNodePath: v => v.replace('"paths":["', '"paths":["/var/lib","'),
  writable: v => v.replace('"writable":false', '"writable":true'),
  writableString: v => v.replace('"writable":false', '"writable":"false"'),
  manyPaths: v => v.replace('"paths":["', `"paths":[${Array.from({ length: 16 }, (_, i) => `"/srv/p${i}"`).join(',')},"`),
};

const objectArb = podArb.chain(pod => {
  const names = [...pod.spec.initContainers ?? [], ...pod.spec.containers, ...pod.spec.ephemeralContainers ?? []].map((c: any) => c.name);
  return fc.record({
    kind: fc.constantFrom(...KINDS),
    version: fc.constantFrom(...VERSIONS),
    entries: fc.option(fc.uniqueArray(entryArb(names), { maxLength: 3, selector: e => `${e.kind}/${e.container}/${(e as any).writable}` }), { nil: undefined, freq: 4 }),
    tamper: fc.oneof({ arbitrary: fc.constant('none'), weight: 3 }, { arbitrary: fc.constantFrom(...Object.keys(TAMPER)), weight: 2 }),
  }).map(r => {
    const metadata: any = { ...pod.metadata };
    if (r.entries !== undefined) {
      metadata.annotations = { ...metadata.annotations, 'rootless.cdk8s.io/exemptions': TAMPER[r.tamper](writeAnnotation(r.entries as any)) };
    }
    return { manifest: as(r.kind, { metadata, spec: pod.spec }), version: r.version };
  });
});

const VOLUME_CHECKS = ['hostPathVolumes', 'restrictedVolumes'];
const hostPathEntry = (manifest: any) => /"id":"hostPath"/.test(podTemplateOf(manifest)?.metadata?.annotations?.['rootless.cdk8s.io/exemptions'] ?? '');
const hostPathVolume = (manifest: any) => /"hostPath":\{"path"/.test(JSON.stringify(manifest));

test('property: the CEL policy and the JavaScript judgement agree on 5,000 generated objects', () => {
  let exempted = 0;
  let denied = 0;
  // hostPath volumes under a hostPath entry: relaxed by it, and still denied (outside its paths, writable, a node path …)
  let hostPathRelaxed = 0;
  let hostPathDenied = 0;
  fc.assert(fc.property(objectArb, ({ manifest, version }) => {
    const expected = judge(manifest, version).failed;
    expect({ version, failed: celVerdict(manifest, version) }).toEqual({ version, failed: expected });
    if (expected.length > 0) denied++;
    const unexempted = judge(manifest, version, false).failed;
    if (unexempted.length > expected.length) exempted++;
    if (hostPathEntry(manifest) && hostPathVolume(manifest)) {
      if (VOLUME_CHECKS.some(c => unexempted.includes(c) && !expected.includes(c))) hostPathRelaxed++;
      if (VOLUME_CHECKS.some(c => expected.includes(c))) hostPathDenied++;
    }
  }), { numRuns: Number(process.env.RUNS ?? 5000), seed: Number(process.env.FC_SEED ?? 11) });
  // the generator reaches both verdicts and honoured exemptions
  // eslint-disable-next-line no-console
  console.log(`denied ${denied}, relaxed by exemptions ${exempted}, hostPath volumes relaxed ${hostPathRelaxed}, still denied under a hostPath entry ${hostPathDenied}`);
  expect(denied).toBeGreaterThan(1000);
  expect(denied).toBeLessThan(4500);
  expect(exempted).toBeGreaterThan(100);
  expect(hostPathRelaxed).toBeGreaterThan(10);
  expect(hostPathDenied).toBeGreaterThan(100);
});

/** A pod that meets everything but its hostPath volumes, mounted read-only or not, under hostPath entries (canonical or tampered). */
const hostPathObjectArb = fc.record({
  kind: fc.constantFrom('Pod', 'Deployment', 'DaemonSet'),
  // mostly volumes an entry can cover (/var/log, /var/log/pods, /run/log/journal, /opt/x/f), then any
  volumes: fc.oneof(fc.subarray([HOST_VOLUMES[0], HOST_VOLUMES[1], HOST_VOLUMES[9], HOST_VOLUMES[11]], { minLength: 1 }),
    fc.subarray(HOST_VOLUMES, { minLength: 1, maxLength: 3 })),
  mounts: fc.array(fc.array(fc.record({ pick: fc.nat(), readOnly: fc.constantFrom(true, true, true, false, undefined) }), { maxLength: 3 }),
    { minLength: 1, maxLength: 3 }),
  entries: fc.array(fc.record({
    paths: fc.oneof(
      fc.subarray(['/var/log', '/var/log/pods', '/opt/x', '/run/log'], { minLength: 1 }),
      fc.subarray(['/var/log', '/var/log/pods', '/data', '/data/app', '/opt/x', '/opt/x/y', '/var/logs', '/var/lib/kubelet', '/run', '/run/log', '/dev'],
        { minLength: 1, maxLength: 3 }),
    ),
    writable: fc.boolean(),
    reason: reasonArb,
  }), { minLength: 1, maxLength: 2 }),
  tamper: fc.oneof({ arbitrary: fc.constant('none'), weight: 4 }, {
    arbitrary: fc.constantFrom('dotSegment', 'trailingSlash', 'noPaths', 'nodePath', 'parentOfNodePath', 'writable', 'writableString', 'manyPaths', 'widenScope'),
    weight: 3,
  }),
}).map(r => {
  const volumes = r.volumes;
  const containers = r.mounts.map((ms, i) => {
    const seen = new Set<string>();
    const volumeMounts = ms.map(m => ({ name: volumes[m.pick % volumes.length].name, readOnly: m.readOnly }))
      .filter(m => !seen.has(m.name) && seen.add(m.name)).map(m => strip({ ...m, mountPath: `/host/${m.name}` }));
    return {
      name: `app${i}`,
      image: 'img',
      ...(volumeMounts.length ? { volumeMounts } : {}),
      securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    };
  });
  const spec = { automountServiceAccountToken: false, securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, volumes, containers };
  const entries = r.entries.map(e => ({ kind: ExemptionKind.HOST_PATH, reason: e.reason, paths: e.paths, writable: e.writable }));
  const annotation = TAMPER[r.tamper](writeAnnotation(entries as any));
  return as(r.kind, { metadata: { annotations: { 'rootless.cdk8s.io/exemptions': annotation } }, spec });
});

test('property: hostPath volumes — the CEL policy and the JavaScript judgement agree on 2,000 pods under hostPath entries', () => {
  let relaxed = 0;
  let denied = 0;
  fc.assert(fc.property(hostPathObjectArb, manifest => {
    const expected = judge(manifest, 'v1.35').failed;
    expect(celVerdict(manifest, 'v1.35')).toEqual(expected);
    if (expected.length === 0) relaxed++;
    else denied++;
  }), { numRuns: Number(process.env.RUNS ?? 2000), seed: Number(process.env.FC_SEED ?? 13) });
  // eslint-disable-next-line no-console
  console.log(`hostPath pods admitted ${relaxed}, denied ${denied}`);
  expect(relaxed).toBeGreaterThan(200);
  expect(denied).toBeGreaterThan(200);
});

test('property: in AdmissionMode.POD_SECURITY_ONLY the CEL policy and Pod Security alone (exemptions reverted) agree on 1,000 generated objects', () => {
  let rootlessOnly = 0;
  fc.assert(fc.property(objectArb, ({ manifest, version }) => {
    const expected = judge(manifest, version, true, false).failed;
    expect({ version, failed: celVerdict(manifest, version, AdmissionMode.POD_SECURITY_ONLY) }).toEqual({ version, failed: expected });
    // objects that only the rootless rules deny are admitted in this mode
    if (expected.length === 0 && judge(manifest, version).failed.length > 0) rootlessOnly++;
  }), { numRuns: Number(process.env.RUNS ?? 1000), seed: Number(process.env.FC_SEED ?? 12) });
  expect(rootlessOnly).toBeGreaterThan(20);
});
