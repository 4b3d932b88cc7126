/** The admission policy and the JavaScript judgement side by side (as test/admission/regressions.test.ts does). */
import { Testing } from 'cdk8s';
import { AdmissionFailurePolicy, RootlessAdmissionPolicy } from '../../lib/constructs/admission-policy';
import { PodSecurity } from '../../lib/policy';
import { checkOf, evaluatePolicy } from '../admission/cel';
import { judge } from '../admission/judge';
import { hardenedContainer } from '../policy/fixtures';

// the first test of a file compiles the policy (or cdk8s-plus) on a machine shared with other suites
jest.setTimeout(60_000);

export const KEY = 'rootless.cdk8s.io/exemptions';

export function policy(props: { failurePolicy?: AdmissionFailurePolicy } = {}): any {
  const chart = Testing.chart();
  new RootlessAdmissionPolicy(chart, 'rootless', props);
  return Testing.synth(chart).find((d: any) => d.kind === 'ValidatingAdmissionPolicy');
}

export const POLICY = policy();

/** The checks the policy fails (CEL errors are returned too). */
export function cel(manifest: any): { failed: string[]; errors: string[] } {
  const v = evaluatePolicy(POLICY, manifest);
  return { failed: [...new Set(v.failed.map(checkOf))].sort(), errors: v.errors };
}

/** The checks the one JavaScript judgement fails. */
export function js(manifest: any): string[] {
  return judge(manifest, PodSecurity.latestVersion()).failed;
}

/** A container of `pod()`: hardened, with a read-only root filesystem (the rootless rule). */
const readOnly = (name: string) => {
  const c = hardenedContainer(name);
  return { ...c, securityContext: { ...c.securityContext, readOnlyRootFilesystem: true } };
};

/** A pod that meets restricted and the rootless rules: init container `init`, containers `app` and `sidecar`. */
export function pod(mutate: (spec: any) => void = () => {}, annotation?: string): any {
  const podSecurityContext = { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } };
  const spec: any = { automountServiceAccountToken: false, securityContext: podSecurityContext, initContainers: [readOnly('init')], containers: ['app', 'sidecar'].map(readOnly) };
  mutate(spec);
  const annotations = annotation === undefined ? undefined : { [KEY]: annotation };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(annotations ? { annotations } : {}) }, spec };
}

export const asRoot = (c: any) => { c.securityContext.runAsUser = 0; c.securityContext.runAsNonRoot = false; };
