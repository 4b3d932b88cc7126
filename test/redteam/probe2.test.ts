import { Testing } from 'cdk8s';
import { checkOf, evaluatePolicy } from '../admission/cel';
import { judge } from '../admission/judge';
import { RootlessAdmissionPolicy } from '../../lib/admission-policy';
import { writeAnnotation, readAnnotation } from '../../lib/hardening/exemptions/codec';
import { reasonProblem } from '../../lib/hardening/reason';
import { ExemptionKind } from '../../lib/hardening/exemption-kind';
import { PodSecurity } from '../../lib/policy';
import { hardenedContainer } from '../policy/fixtures';

const POLICY = (() => { const chart = Testing.chart(); new RootlessAdmissionPolicy(chart, 'rootless'); return Testing.synth(chart).find((d: any) => d.kind === 'ValidatingAdmissionPolicy'); })();
function cel(m: any) { const v = evaluatePolicy(POLICY, m); return { failed: [...new Set(v.failed.map(checkOf))].sort(), errors: v.errors }; }
function pod(mutate: (spec: any) => void = () => {}, annotation?: string): any {
  const c = (name: string) => { const x = hardenedContainer(name); x.securityContext.readOnlyRootFilesystem = true; return x; };
  const spec: any = { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } }, initContainers: [c('init')], containers: [c('app'), c('sidecar')] };
  mutate(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(annotation !== undefined ? { annotations: { 'rootless.cdk8s.io/exemptions': annotation } } : {}) }, spec };
}
const R = 'needs it for the legacy daemon startup';
const cases: [string, any][] = [
  ['hostPath null', pod(s => { s.volumes = [{ name: 'v', hostPath: null }]; }, writeAnnotation([{ kind: ExemptionKind.HOST_PATH, reason: R }]))],
  ['caps CAP_ listed', pod(s => { s.containers[0].securityContext.capabilities.add = ['CAP_SYS_ADMIN']; }, '[{"id":"addCapabilities","container":"app","capabilities":["SYS_ADMIN"],"reason":"' + R + '"}]')],
  ['caps lower', pod(s => { s.containers[0].securityContext.capabilities.add = ['sys_admin']; })],
  ['drop all lower', pod(s => { s.containers[0].securityContext.capabilities.drop = ['all']; })],
  ['seccomp unconfined pod, container override, container-scoped exemption', pod(s => { s.securityContext.seccompProfile = { type: 'Unconfined' }; for (const c of [...s.initContainers, ...s.containers]) c.securityContext.seccompProfile = { type: 'RuntimeDefault' }; }, writeAnnotation([{ kind: ExemptionKind.SECCOMP_UNCONFINED, container: 'app', reason: R }]))],
  ['seccomp localhost exemption with unconfined', pod(s => { s.containers[0].securityContext.seccompProfile = { type: 'Unconfined' }; }, writeAnnotation([{ kind: ExemptionKind.SECCOMP_LOCALHOST, container: 'app', profile: 'x.json', reason: R }]))],
  ['ephemeral readonly', pod(s => { s.ephemeralContainers = [{ ...hardenedContainer('dbg') }]; })],
  ['windows', pod(s => { s.os = { name: 'windows' }; })],
  ['container named like kind', pod(s => { s.containers[0].name = 'hostpid'; s.hostPID = true; }, writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'hostpid', reason: R }]))],
  ['name with quote', pod(s => { s.containers[0].name = 'app","container":null'; s.containers[0].securityContext.runAsUser = 0; }, writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: R }]))],
  ['dup names init/regular', pod(s => { s.initContainers[0].name = 'app'; s.initContainers[0].securityContext.runAsUser = 0; }, writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: R }]))],
  ['runAsUser float 0.0', pod(s => { s.containers[0].securityContext.runAsUser = 0.5; })],
  ['privileged string', pod(s => { s.containers[0].securityContext.privileged = 'true'; })],
  ['sa token mount no slash', pod(s => { s.volumes = [{ name: 't', secret: { secretName: 'x' } }]; s.containers[0].volumeMounts = [{ name: 't', mountPath: 'var/run/secrets/kubernetes.io/serviceaccount' }]; })],
  ['sa token mount dot', pod(s => { s.volumes = [{ name: 't', secret: { secretName: 'x' } }]; s.containers[0].volumeMounts = [{ name: 't', mountPath: '/var/run/secrets/kubernetes.io/./serviceaccount' }]; })],
  ['sa token mount parent', pod(s => { s.volumes = [{ name: 't', secret: { secretName: 'x' } }]; s.containers[0].volumeMounts = [{ name: 't', mountPath: '/var/run/secrets/kubernetes.io' }]; })],
  ['sa token mount /var/run/secrets', pod(s => { s.volumes = [{ name: 't', secret: { secretName: 'x' } }]; s.containers[0].volumeMounts = [{ name: 't', mountPath: '/run/secrets/kubernetes.io/serviceaccount' }]; })],
  ['sa token subpath', pod(s => { s.volumes = [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }]; s.containers[0].volumeMounts = [{ name: 't', mountPath: '/tok' }]; })],
  ['hostUsers false root', pod(s => { s.hostUsers = false; s.containers[0].securityContext.runAsUser = 0; s.containers[0].securityContext.runAsNonRoot = false; })],
  ['annotation with U+2028', pod(s => { s.containers[0].securityContext.runAsUser = 0; s.containers[0].securityContext.runAsNonRoot = false; }, writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: 'needs root\u2028for the daemon' }]))],
  ['annotation lone surrogate', pod(s => { s.containers[0].securityContext.runAsUser = 0; s.containers[0].securityContext.runAsNonRoot = false; }, '[{"id":"runAsRoot","container":"app","reason":"needs root \ud800 for the daemon"}]')],
  ['ZW placeholder', pod(s => { s.containers[0].securityContext.runAsUser = 0; s.containers[0].securityContext.runAsNonRoot = false; }, writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: 'TO\u200bDO: explain why the container runs as root' }]))],
];
test.each(cases)('%s', (name, m) => {
  let j: any; try { j = judge(m, PodSecurity.latestVersion()).failed; } catch (e) { j = String(e); }
  const c = cel(m);
  console.log(name, JSON.stringify({ js: j, cel: c.failed, errors: c.errors }), JSON.stringify(readAnnotation(m.metadata.annotations?.['rootless.cdk8s.io/exemptions']).problems));
});
test('reasons', () => {
  for (const r of ['ＴＯＤＯ: explain why the pod runs as root', 'ТODO explain why the pod runs as root', 'explain why the pod runs as root', 'FİXME later please now', 'TODO\u0301 explain this thing', 'needs root \ud800 for the daemon', 'n\u2044a n\u2044a n\u2044a n\u2044a', 'x'.repeat(3)+'\u00ad'.repeat(10), 'aaa\u034f\u034f\u034f\u034f\u034f\u034f\u034f', 'abc\u3164\u3164\u3164\u3164\u3164\u3164\u3164', 'abc\u115f\u115f\u115f\u115f\u115f\u115f\u115f', 'abc\u2800\u2800\u2800\u2800\u2800\u2800\u2800']) console.log(JSON.stringify(r), reasonProblem(r));
});
