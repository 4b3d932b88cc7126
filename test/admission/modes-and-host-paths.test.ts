/**
 * The admission policy's modes (AdmissionMode.FULL, POD_SECURITY_ONLY) and its reading of hostPath
 * exemptions, each asserted on the CEL itself (evaluated with @bufbuild/cel), on Pods and on
 * workload templates. The property tests (property.test.ts) hold both to the JavaScript judgement.
 */
import { Testing } from 'cdk8s';
import { checkOf, evaluatePolicy } from './cel';
import { AdmissionMode, RootlessAdmissionPolicy, RootlessAdmissionPolicyProps } from '../../lib/constructs/admission-policy';
import { writeAnnotation } from '../../lib/exemptions/codec';
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';
import { workload } from '../policy/fixtures';

function policyOf(props: RootlessAdmissionPolicyProps = {}): any {
  const chart = Testing.chart();
  new RootlessAdmissionPolicy(chart, 'p', props);
  return Testing.synth(chart).find((d: any) => d.kind === 'ValidatingAdmissionPolicy');
}
const FULL = policyOf();
const POD_SECURITY_ONLY = policyOf({ mode: AdmissionMode.POD_SECURITY_ONLY });

function failed(policy: any, manifest: any): string[] {
  const v = evaluatePolicy(policy, manifest);
  expect(v.errors).toEqual([]);
  return [...new Set(v.failed.map(checkOf))].sort();
}

const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
/** A restricted pod spec; `extra` changes it. */
const spec = (extra: any = {}, container: any = {}) => ({
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  ...extra,
  containers: [{ name: 'app', image: 'app:1', ...container, securityContext: { ...HARDENED, ...container.securityContext } }],
});
const pod = (s: any, annotations?: any) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(annotations ? { annotations } : {}) }, spec: s });

describe('AdmissionMode', () => {
  test('FULL is the default and enforces the rootless rules; POD_SECURITY_ONLY drops exactly them', () => {
    const ids = (props: RootlessAdmissionPolicyProps) => RootlessAdmissionPolicy.rules(undefined, undefined, props.mode).map(r => r.check);
    expect(ids({})).toEqual(expect.arrayContaining(['readOnlyRootFilesystem', 'serviceAccountToken', 'runAsNonRoot']));
    const podSecurity = ids({ mode: AdmissionMode.POD_SECURITY_ONLY });
    expect(podSecurity).not.toContain('readOnlyRootFilesystem');
    expect(podSecurity).not.toContain('serviceAccountToken');
    expect(ids({}).filter(id => !['readOnlyRootFilesystem', 'serviceAccountToken'].includes(id))).toEqual(podSecurity);
    expect(FULL.spec.validations.length - POD_SECURITY_ONLY.spec.validations.length).toBe(2);
  });

  const controller = spec({ automountServiceAccountToken: true }, { securityContext: { readOnlyRootFilesystem: false } });
  test.each(['Pod', 'Deployment', 'CronJob'])('%s: a controller that reads its token and writes its root is denied by FULL, admitted by POD_SECURITY_ONLY', kind => {
    const manifest = kind === 'Pod' ? pod(controller) : workload(kind, { metadata: {}, spec: controller });
    expect(failed(FULL, manifest)).toEqual(['readOnlyRootFilesystem', 'serviceAccountToken']);
    expect(failed(POD_SECURITY_ONLY, manifest)).toEqual([]);
  });

  test.each(['Pod', 'Deployment', 'CronJob'])('%s: what Pod Security denies, both modes deny (templates too, where Pod Security admission only warns)', kind => {
    const root = spec({}, { securityContext: { runAsUser: 0, privileged: true } });
    const manifest = kind === 'Pod' ? pod(root) : workload(kind, { metadata: {}, spec: root });
    expect(failed(POD_SECURITY_ONLY, manifest)).toEqual(['privileged', 'runAsUser']);
    expect(failed(FULL, manifest)).toEqual(['privileged', 'runAsUser']);
  });

  test('POD_SECURITY_ONLY still honours valid exemptions, and only within their scope', () => {
    const annotation = writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: 'chowns the data volume before start' }]);
    const root = spec({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, { securityContext: { runAsUser: 0 } });
    expect(failed(POD_SECURITY_ONLY, pod(root, { 'rootless.cdk8s.io/exemptions': annotation }))).toEqual([]);
    expect(failed(policyOf({ mode: AdmissionMode.POD_SECURITY_ONLY, honorExemptions: false }), pod(root, { 'rootless.cdk8s.io/exemptions': annotation })))
      .toEqual(['runAsNonRoot', 'runAsUser']);
  });

  test('the mode is exposed, and a value that is not a mode is refused naming the prop and the fix', () => {
    const chart = Testing.chart();
    expect(new RootlessAdmissionPolicy(chart, 'a').mode).toBe(AdmissionMode.FULL);
    expect(() => new RootlessAdmissionPolicy(chart, 'b', { mode: 'Rootless' as any }))
      .toThrow('props.mode: "Rootless" is not an admission mode. Fix: use AdmissionMode.FULL or AdmissionMode.POD_SECURITY_ONLY.');
  });
});

describe('hostPath exemptions in CEL', () => {
  const REASON = 'ships the node logs to the central store';
  const entry = (paths: string[], writable = false) => ({ kind: ExemptionKind.HOST_PATH, reason: REASON, paths, writable } as any);
  /** A pod with hostPath volumes, each mounted by the app container, read-only unless listed in `writable`. */
  const hostPod = (annotation: string | undefined, volumes: { name: string; path: string; type?: string }[], writable: string[] = []) => pod(spec(
    { volumes: volumes.map(v => ({ name: v.name, hostPath: { path: v.path, ...(v.type ? { type: v.type } : {}) } })) },
    { volumeMounts: volumes.map(v => ({ name: v.name, mountPath: `/host/${v.name}`, readOnly: !writable.includes(v.name) })) },
  ), annotation === undefined ? undefined : { 'rootless.cdk8s.io/exemptions': annotation });
  const verdict = (annotation: string | undefined, volumes: any[], writable: string[] = []) => failed(FULL, hostPod(annotation, volumes, writable));
  const RO = writeAnnotation([entry(['/var/log'])]);

  test('covered: a named path and a path below it, mounted read-only', () => {
    expect(verdict(RO, [{ name: 'logs', path: '/var/log' }, { name: 'pods', path: '/var/log/pods' }])).toEqual([]);
  });

  test.each([
    ['outside the paths', [{ name: 'data', path: '/srv/data' }], []],
    ['a prefix that is not a segment', [{ name: 'logs', path: '/var/logs' }], []],
    ['a .. spelling that leaves the path', [{ name: 'logs', path: '/var/log/../lib/kubelet' }], []],
    ['a trailing slash', [{ name: 'logs', path: '/var/log/' }], []],
    ['the root', [{ name: 'root', path: '/' }], []],
    ['a writable mount under a read-only exemption', [{ name: 'logs', path: '/var/log' }], ['logs']],
    ['a socket under a read-only exemption', [{ name: 'sock', path: '/var/log/agent.sock', type: 'Socket' }], []],
    ['one covered volume and one not', [{ name: 'logs', path: '/var/log' }, { name: 'etc', path: '/etc/shadow' }], []],
  ])('denied: %s', (_name, volumes, writable) => {
    expect(verdict(RO, volumes, writable)).toEqual(['restrictedVolumes']);
  });

  test('writable: covers writable mounts of its own paths, a read-only entry next to it keeps its own rule', () => {
    const both = writeAnnotation([entry(['/var/log']), entry(['/var/lib/agent'], true)]);
    expect(verdict(both, [{ name: 'state', path: '/var/lib/agent/db' }, { name: 'logs', path: '/var/log' }], ['state'])).toEqual([]);
    expect(verdict(both, [{ name: 'logs', path: '/var/log' }], ['logs'])).toEqual(['restrictedVolumes']);
  });

  test.each([
    ['a runtime socket', ['/var/run/docker.sock']],
    ['containerd\'s directory', ['/run/containerd']],
    ['the kubelet', ['/var/lib/kubelet']],
    ['a directory holding them', ['/var/lib']],
    ['a node path next to a good one', ['/var/log', '/etc/kubernetes']],
  ])('an entry naming %s voids the annotation, read-only or writable, and covers nothing', (_name, paths) => {
    for (const writable of [false, true]) {
      const annotation = writeAnnotation([entry(paths, writable), { kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: REASON }]);
      const manifest = hostPod(annotation, [{ name: 'logs', path: '/var/log' }]);
      manifest.spec.containers[0].securityContext.runAsUser = 0;
      // neither the hostPath volume nor the other entry's runAsUser is relaxed
      expect(failed(FULL, manifest)).toEqual(['restrictedVolumes', 'runAsUser']);
    }
  });

  test('the old form without paths, and more than 16 paths, void the annotation', () => {
    expect(verdict(`[{"id":"hostPath","container":null,"reason":"${REASON}"}]`, [{ name: 'logs', path: '/var/log' }])).toEqual(['restrictedVolumes']);
    const many = writeAnnotation([entry(['/var/log', ...Array.from({ length: 16 }, (_, i) => `/srv/p${i}`)])]);
    expect(verdict(many, [{ name: 'logs', path: '/var/log' }])).toEqual(['restrictedVolumes']);
    const sixteen = writeAnnotation([entry(['/var/log', ...Array.from({ length: 15 }, (_, i) => `/srv/p${i}`)])]);
    expect(verdict(sixteen, [{ name: 'logs', path: '/var/log' }])).toEqual([]);
  });

  test('limits: more than 16 hostPath volumes, or a path longer than 256 characters, is beyond the limits', () => {
    const many = Array.from({ length: 17 }, (_, i) => ({ name: `v${i}`, path: `/var/log/${i}` }));
    expect(failed(FULL, hostPod(RO, many))).toEqual(['limits']);
    expect(verdict(RO, [{ name: 'long', path: `/var/log/${'x'.repeat(250)}` }])).toEqual(['limits']);
  });
});
