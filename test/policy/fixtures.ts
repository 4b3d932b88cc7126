/**
 * Fixtures for the policy engine tests, written from the published Pod Security Standards.
 */
import { EvaluationResult, PodSecurity, PolicyLevel, Violation } from '../../lib/policy';

/** A container that satisfies restricted on its own (with the hardened pod's pod-level settings). */
export function hardenedContainer(name: string): any {
  return {
    name,
    image: 'registry.example/app:1.0',
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
}

/**
 * A fully hardened pod: runAsNonRoot, runAsUser 1000 and seccomp RuntimeDefault at pod level;
 * every container (init "init", regular "app" and "sidecar") sets allowPrivilegeEscalation
 * false and drops ALL capabilities.
 */
export function hardenedPod(): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'hardened', namespace: 'default' },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [hardenedContainer('init')],
      containers: [hardenedContainer('app'), hardenedContainer('sidecar')],
      volumes: [{ name: 'config', configMap: { name: 'app-config' } }, { name: 'scratch', emptyDir: {} }],
    },
  };
}

/** The hardened pod after `mutate` (which gets the pod manifest). */
export function hardenedWith(mutate: (pod: any) => void): any {
  const pod = hardenedPod();
  mutate(pod);
  return pod;
}

/** The container named `name` of a pod manifest (init, regular or ephemeral). */
export function container(pod: any, name: string): any {
  const all = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? []), ...(pod.spec.ephemeralContainers ?? [])];
  const found = all.find((c: any) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

export function evaluate(manifest: any, level: PolicyLevel = PolicyLevel.RESTRICTED, version = 'latest'): EvaluationResult {
  return PodSecurity.evaluate(manifest, { level, version });
}

/** The ids of the failed checks. */
export function failedChecks(result: EvaluationResult): string[] {
  return result.violations.map(v => v.check);
}

/** The violation of `check`; fails the test when there is none. */
export function violationOf(result: EvaluationResult, check: string): Violation {
  const v = result.violations.find(x => x.check === check);
  if (!v) throw new Error(`expected a ${check} violation, got [${failedChecks(result).join(', ')}]`);
  return v;
}

/** Every policy version from v1.0 to the latest one. */
export function allVersions(): string[] {
  const latest = Number(PodSecurity.latestVersion().split('.')[1]);
  return Array.from({ length: latest + 1 }, (_, i) => `v1.${i}`);
}

/** Wraps a pod template in a workload of `kind`. */
export function workload(kind: string, template: { metadata?: any; spec: any }): any {
  const group: Record<string, string> = {
    Deployment: 'apps/v1',
    StatefulSet: 'apps/v1',
    DaemonSet: 'apps/v1',
    ReplicaSet: 'apps/v1',
    ReplicationController: 'v1',
    Job: 'batch/v1',
    CronJob: 'batch/v1',
    PodTemplate: 'v1',
  };
  const base = { apiVersion: group[kind], kind, metadata: { name: `my-${kind.toLowerCase()}` } };
  switch (kind) {
    case 'PodTemplate':
      return { ...base, template };
    case 'CronJob':
      return { ...base, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } } };
    default:
      return { ...base, spec: { selector: { matchLabels: { app: 'x' } }, template } };
  }
}
