/**
 * Regression tests for the admission defects of issue 11: each object below was admitted by the
 * policy as it was before (fixtures/policy-before-issue-11.json, synthesized from that commit) and
 * is rejected now, with the verdict of the one JavaScript judgement (judge.ts).
 */
import { Testing } from 'cdk8s';
import { checkOf, evaluatePolicy } from './cel';
import { judge } from './judge';
import { RootlessAdmissionPolicy } from '../../lib/constructs/admission-policy';
import { writeAnnotation } from '../../lib/exemptions/codec';
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';
import { PodSecurity } from '../../lib/policy';
import { hardenedContainer, workload } from '../policy/fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const BEFORE = require('./fixtures/policy-before-issue-11.json');
const NOW = (() => {
  const chart = Testing.chart();
  new RootlessAdmissionPolicy(chart, 'rootless');
  return Testing.synth(chart).find((d: any) => d.kind === 'ValidatingAdmissionPolicy');
})();

function failures(policy: any, manifest: any): string[] {
  const v = evaluatePolicy(policy, manifest);
  expect(v.errors).toEqual([]);
  return [...new Set(v.failed.map(checkOf))].sort();
}

/** A pod that meets restricted and the rootless rules, with a root-capable init container and two app containers. */
function pod(mutate: (spec: any) => void = () => {}, annotation?: string): any {
  const c = (name: string) => {
    const x = hardenedContainer(name);
    x.securityContext.readOnlyRootFilesystem = true;
    return x;
  };
  const spec: any = {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [c('volume-permissions')],
    containers: [c('app'), c('sidecar')],
  };
  mutate(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(annotation !== undefined ? { annotations: { 'rootless.cdk8s.io/exemptions': annotation } } : {}) }, spec };
}

const asRoot = (c: any) => { c.securityContext.runAsUser = 0; c.securityContext.runAsNonRoot = false; };
const reason = 'chowns the data volume, whose CSI driver ignores fsGroup';
const runAsRootFor = (container: string | undefined, why = reason) => writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container, reason: why }]);

/** Admitted before, rejected now for `expected` (which is also the JS judgement). */
function regression(manifest: any, expected: string[]): void {
  expect(failures(BEFORE, manifest)).toEqual([]);
  expect(failures(NOW, manifest)).toEqual(expected);
  expect(judge(manifest, PodSecurity.latestVersion()).failed).toEqual(expected);
}

describe('issue 11 admission defects', () => {
  test('scope ignored: a runAsRoot exemption for the init container admitted a root app container', () => {
    const manifest = workload('StatefulSet', pod(spec => { asRoot(spec.initContainers[0]); asRoot(spec.containers[0]); }, runAsRootFor('volume-permissions')));
    regression(manifest, ['runAsNonRoot', 'runAsUser']);
    // the init container alone is covered
    const ok = workload('StatefulSet', pod(spec => asRoot(spec.initContainers[0]), runAsRootFor('volume-permissions')));
    expect(failures(NOW, ok)).toEqual([]);
  });

  test('scope ignored: addCapabilities([NET_ADMIN]) admitted SYS_ADMIN on the same container', () => {
    const annotation = writeAnnotation([{ kind: ExemptionKind.ADD_CAPABILITIES, container: 'app', capabilities: ['NET_ADMIN'], reason: 'configures the pod routing table' }]);
    regression(pod(spec => { spec.containers[0].securityContext.capabilities.add = ['NET_ADMIN', 'SYS_ADMIN']; }, annotation), ['capabilities_restricted']);
    expect(failures(NOW, pod(spec => { spec.containers[0].securityContext.capabilities.add = ['NET_ADMIN']; }, annotation))).toEqual([]);
    // listed for another container: not for this one
    expect(failures(NOW, pod(spec => { spec.containers[1].securityContext.capabilities.add = ['NET_ADMIN']; }, annotation))).toEqual(['capabilities_restricted']);
  });

  test.each([
    ['a reason of \\u0020 escapes', `[{"id":"runAsRoot","container":null,"reason":"${'\\u0020'.repeat(4)}abc"}]`],
    ['a reason of BOMs', runAsRootFor(undefined, `${'\ufeff'.repeat(10)}abc`)],
    ['harden\'s own TODO placeholder', runAsRootFor(undefined, 'TODO: explain why the pod runs as root')],
    ['an entry without a reason but with a nested "reason" key', '[{"id":"runAsRoot","container":null,"why":{"reason":"chowns the data volume at start"}}]'],
    ['truncated JSON', runAsRootFor(undefined).slice(0, -2)],
    ['ten zero-width spaces and abc', runAsRootFor(undefined, `${'\u200b'.repeat(10)}abc`)],
  ])('raw-text reason check: %s was honoured', (_name, annotation) => {
    regression(pod(spec => asRoot(spec.containers[0]), annotation), ['runAsNonRoot', 'runAsUser']);
  });

  test.each<[string, (spec: any) => void, string]>([
    ['hostPID', spec => { spec.hostPID = true; }, 'hostNamespaces'],
    ['hostNetwork', spec => { spec.hostNetwork = true; }, 'hostNamespaces'],
    ['hostPath: /', spec => { spec.volumes = [{ name: 'root', hostPath: { path: '/' } }]; }, 'restrictedVolumes'],
    ['SELinux spc_t', spec => { spec.containers[0].securityContext.seLinuxOptions = { type: 'spc_t' }; }, 'seLinuxOptions'],
  ])('admitted without an annotation: %s', (_name, mutate, check) => {
    regression(pod(mutate), [check]);
  });

  test('admitted without an annotation: a Windows hostProcess pod', () => {
    const windows = pod(spec => {
      spec.os = { name: 'windows' };
      spec.securityContext = { runAsNonRoot: true, windowsOptions: { hostProcess: true } };
      for (const c of [...spec.initContainers, ...spec.containers]) c.securityContext = { runAsNonRoot: true };
    });
    regression(windows, ['windowsHostProcess']);
  });

  test('a privilegeEscalation exemption let privileged: true through', () => {
    const annotation = writeAnnotation([{ kind: ExemptionKind.PRIVILEGE_ESCALATION, container: 'app', reason: 'runs a setuid helper to mount fuse' }]);
    const manifest = pod(spec => {
      spec.containers[0].securityContext.privileged = true;
      spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    }, annotation);
    regression(manifest, ['privileged']);
  });

  test('duplicate keys: an entry claiming another container admitted a root container', () => {
    const annotation = `[{"id":"runAsRoot","container":"sidecar","container":"app","reason":"${reason}"}]`;
    expect(JSON.parse(annotation)[0].container).toBe('app'); // what JSON.parse reads
    regression(pod(spec => asRoot(spec.containers[0]), annotation), ['runAsNonRoot', 'runAsUser']);
  });

  test('a BOM before the annotation voids it (not canonical)', () => {
    expect(failures(NOW, pod(spec => asRoot(spec.containers[0]), `\ufeff${runAsRootFor(undefined)}`))).toEqual(['runAsNonRoot', 'runAsUser']);
  });

  test('a padded annotation is rejected with the limits message, never an evaluation error', () => {
    const padded = runAsRootFor(undefined, `${'a'.repeat(20_000)} chowns`);
    const manifest = pod(() => {}, padded);
    expect(failures(BEFORE, manifest)).toEqual([]);
    const v = evaluatePolicy(NOW, manifest);
    expect(v.errors).toEqual([]);
    expect(v.failed).toEqual([expect.stringContaining('beyond the policy\'s limits')]);
    expect(judge(manifest, PodSecurity.latestVersion()).failed).toEqual(['limits']);
  });
});
