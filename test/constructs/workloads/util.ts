import { Chart, Testing } from 'cdk8s';
import { RootlessAnnotations } from '../../../lib';
import { podTemplateOf } from '../../../lib/policy/k8s-shapes';

/** Synthesizes (validation included) a chart built by `build`. */
export function synth(build: (chart: Chart) => void): any[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart);
}

/** The single manifest of `kind` in `manifests`. */
export function one(manifests: any[], kind: string): any {
  const found = manifests.filter(m => m.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The synthesis (or construction) error message of `build`. */
export function error(build: (chart: Chart) => void): string {
  try {
    synth(build);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synthesis succeeded');
}

/** The pod template of any pod-bearing manifest (spec.template; spec.jobTemplate.spec.template for a CronJob). */
export const template = (workload: any): any => podTemplateOf(workload);
export const podSpec = (workload: any): any => template(workload).spec;
export const level = (workload: any): string => template(workload).metadata.annotations[RootlessAnnotations.PSS_LEVEL];
export const exemptions = (workload: any): any[] => JSON.parse(template(workload).metadata.annotations[RootlessAnnotations.EXEMPTIONS]);
export const container = (workload: any, name: string): any =>
  [...podSpec(workload).initContainers ?? [], ...podSpec(workload).containers].find((c: any) => c.name === name);

/** The kubelet refuses a container whose effective runAsNonRoot is true and whose effective user is 0. */
export function refusedByKubelet(workload: any): string[] {
  const spec = podSpec(workload);
  const pod = spec.securityContext ?? {};
  return [...spec.initContainers ?? [], ...spec.containers]
    .filter((c: any) => (c.securityContext?.runAsNonRoot ?? pod.runAsNonRoot) === true && (c.securityContext?.runAsUser ?? pod.runAsUser) === 0)
    .map((c: any) => c.name);
}

/** The restricted container security context every hardened app container carries. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/** The restricted pod security context of a pod whose containers all run as `user` (group and fsGroup the same number). */
export const restrictedPodSecurityContext = (user: number) => ({
  runAsNonRoot: true,
  runAsUser: user,
  runAsGroup: user,
  fsGroup: user,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
});
