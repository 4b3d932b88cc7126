/**
 * Internal: the rootless rules beyond Pod Security "restricted", written once: each rule's id,
 * its check on plain Kubernetes JSON (used by synthesis verification and the tests), its CEL
 * (used by the admission policy, in the condition format of the policy engine's checks, see
 * lib/policy/checks/cel.ts) and the exemption kind that relaxes it.
 *
 * - `readOnlyRootFilesystem`: every init, regular and ephemeral container sets
 *   `securityContext.readOnlyRootFilesystem: true`. Windows pods are exempt (the field is
 *   Linux-only: the API refuses it on them).
 * - `serviceAccountToken`: the pod gets no API token: `automountServiceAccountToken: false` on the
 *   pod spec, no `projected` volume with a `serviceAccountToken` source, and no container mounts
 *   anything at or under `/var/run/secrets/kubernetes.io/serviceaccount`.
 *
 * Pure: imports only the policy engine (no cdk8s, cdk8s-plus or constructs; the CLI and the
 * plugin may load it). Not exported from the package.
 */
import { CheckCel, SPEC, celExemptWindows, celGet, celHas } from '../policy/checks/cel';
import { podSpecOf } from '../policy/pod-spec';

/** Where the kubelet mounts the service-account token. */
export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** One broken rootless rule. */
export interface RootlessViolation {
  /** The rule id (`readOnlyRootFilesystem`, `serviceAccountToken`). */
  readonly rule: string;
  /** What is wrong, naming the containers or volumes. */
  readonly detail: string;
  /** The containers responsible (init, regular or ephemeral). */
  readonly containers: string[];
  /** Whether pod-level fields are responsible. */
  readonly podLevel: boolean;
  /** One-line fix. */
  readonly fix: string;
}

/** A pod template as the rules read it (API JSON). */
interface Template {
  readonly spec: any;
}

export interface RootlessRule {
  readonly id: string;
  /** One line, for docs and messages. */
  readonly description: string;
  /** The exemption kind (`rootless.cdk8s.io/exemptions` id) that relaxes the rule, within its scope. */
  readonly exemptedBy: string;
  /** The rule on a pod template; undefined when it holds. */
  readonly check: (template: Template) => Omit<RootlessViolation, 'rule'> | undefined;
  /** The rule in CEL (conditions keyed by the field they constrain). */
  readonly cel: CheckCel;
}

function list(v: unknown): any[] {
  return Array.isArray(v) ? v.filter(x => typeof x === 'object' && x !== null) : [];
}

function containers(spec: any): any[] {
  return [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)];
}

/** Whether a mount path is the token directory or inside it. */
export function isTokenPath(path: unknown): boolean {
  return typeof path === 'string' && (path === SERVICE_ACCOUNT_TOKEN_PATH || path.startsWith(`${SERVICE_ACCOUNT_TOKEN_PATH}/`));
}

const readOnlyRootFilesystem: RootlessRule = {
  id: 'readOnlyRootFilesystem',
  description: 'Every container sets securityContext.readOnlyRootFilesystem=true (Windows pods exempt).',
  exemptedBy: 'writableRootFilesystem',
  check: ({ spec }) => {
    if (spec.os?.name === 'windows') return undefined;
    const bad = containers(spec).filter(c => c.securityContext?.readOnlyRootFilesystem !== true).map(c => String(c.name));
    if (bad.length === 0) return undefined;
    return {
      detail: `${bad.length === 1 ? 'container' : 'containers'} "${bad.join('", "')}" must set securityContext.readOnlyRootFilesystem=true`,
      containers: bad,
      podLevel: false,
      fix: 'Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the container writes, '
        + 'or declare a writableRootFilesystem exemption for it.',
    };
  },
  cel: celExemptWindows({
    container: { readOnlyRootFilesystem: `${celGet('c', 'securityContext.readOnlyRootFilesystem', 'false')} == true` },
  }),
};

const serviceAccountToken: RootlessRule = {
  id: 'serviceAccountToken',
  description: `No service-account token: automountServiceAccountToken=false, no projected serviceAccountToken source, nothing mounted at ${SERVICE_ACCOUNT_TOKEN_PATH}.`,
  exemptedBy: 'serviceAccountToken',
  check: ({ spec }) => {
    const problems: string[] = [];
    if (spec.automountServiceAccountToken !== false) problems.push('spec.automountServiceAccountToken must be false');
    const projected = list(spec.volumes).filter(v => list(v.projected?.sources).some(s => s.serviceAccountToken != null)).map(v => String(v.name));
    if (projected.length > 0) problems.push(`volumes "${projected.join('", "')}" must not project a serviceAccountToken`);
    const mounting = containers(spec).filter(c => list(c.volumeMounts).some(m => isTokenPath(m.mountPath))).map(c => String(c.name));
    if (mounting.length > 0) problems.push(`containers "${mounting.join('", "')}" must not mount anything at or under ${SERVICE_ACCOUNT_TOKEN_PATH}`);
    if (problems.length === 0) return undefined;
    return {
      detail: problems.join('; '),
      containers: mounting,
      podLevel: spec.automountServiceAccountToken !== false || projected.length > 0,
      fix: 'Set spec.automountServiceAccountToken: false and remove token projections and mounts, or declare a serviceAccountToken exemption.',
    };
  },
  cel: {
    pod: {
      automountServiceAccountToken: `${celGet(SPEC, 'automountServiceAccountToken', 'true')} == false`,
      serviceAccountTokenVolume: `!has(${SPEC}.volumes) || ${SPEC}.volumes.all(v, !(${celHas('v', 'projected.sources')}) || v.projected.sources.all(s, !has(s.serviceAccountToken)))`,
    },
    container: {
      serviceAccountTokenMount: `!has(c.volumeMounts) || c.volumeMounts.all(m, m.mountPath != '${SERVICE_ACCOUNT_TOKEN_PATH}' `
        + `&& !m.mountPath.startsWith('${SERVICE_ACCOUNT_TOKEN_PATH}/'))`,
    },
  },
};

/** The rootless rules, in evaluation order. */
export const ROOTLESS_RULES: readonly RootlessRule[] = [readOnlyRootFilesystem, serviceAccountToken];

/**
 * The rootless rules a manifest's pod template breaks (any kind the policy engine reads a pod
 * template from); [] for other kinds. Exemptions are not applied here: revert them first.
 */
export function rootlessViolations(manifest: unknown): RootlessViolation[] {
  const pod = podSpecOf(manifest).pod;
  if (pod === undefined) return [];
  const violations: RootlessViolation[] = [];
  for (const rule of ROOTLESS_RULES) {
    const v = rule.check({ spec: pod.spec });
    if (v) violations.push({ rule: rule.id, ...v });
  }
  return violations;
}
