/**
 * Internal: the rootless rules beyond Pod Security — what this library's hardened defaults promise
 * that no PSS check covers. One module, one rule each: checked at synthesis on every construct's
 * manifest (with the Pod Security `restricted` checks), and by the admission policy
 * (RootlessAdmissionPolicy compiles the same rules to CEL). An exemption kind relaxes a rule when
 * it names the rule's id in its `relaxes` (exemptions/kinds/). See docs/architecture.md.
 *
 * - readOnlyRootFilesystem: every init and regular container sets `readOnlyRootFilesystem: true`
 *   (ephemeral debug containers are not held to it; Windows pods cannot set the field).
 * - serviceAccountToken: no API token reaches the containers — `automountServiceAccountToken: false`
 *   on the pod, no projected `serviceAccountToken` source, and nothing mounted at or under
 *   `/var/run/secrets/kubernetes.io/serviceaccount`.
 *
 * Pure: plain Kubernetes JSON (API field names); no cdk8s imports.
 */
import { CheckCel, SPEC, celExemptWindows, celGet, celHas, celString } from '../policy/checks/cel';
import { containersOf } from '../policy/k8s-shapes';

/** Where the kubelet mounts the service-account token. */
export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** One violation of a rootless rule. */
export interface RootlessFinding {
  /** The rule's id. */
  readonly rule: string;
  /** The container it concerns; undefined for the pod. */
  readonly container?: string;
  /** What is wrong. */
  readonly detail: string;
  /** How to fix it. */
  readonly fix: string;
}

/** One rootless rule. */
export interface RootlessRule {
  readonly id: string;
  /** The rule in words. */
  readonly description: string;
  /** The same rule in CEL, for the admission policy (the format of the checks' facets, lib/policy/checks/cel.ts). */
  readonly cel: CheckCel;
  /** The violations in a pod spec (API field names); `windows` when `spec.os.name` is windows. */
  check(spec: any, windows: boolean): RootlessFinding[];
}

const READ_ONLY_ROOT_FILESYSTEM: RootlessRule = {
  id: 'readOnlyRootFilesystem',
  description: 'every init and regular container sets securityContext.readOnlyRootFilesystem: true',
  check: (spec, windows) => {
    if (windows) return [];
    const out: RootlessFinding[] = [];
    for (const list of ['initContainers', 'containers']) {
      const items = Array.isArray(spec?.[list]) ? spec[list] : [];
      for (const c of items) {
        if (typeof c !== 'object' || c === null) continue;
        if (c.securityContext?.readOnlyRootFilesystem !== true) {
          out.push({
            rule: 'readOnlyRootFilesystem',
            container: typeof c.name === 'string' ? c.name : undefined,
            detail: `container "${c.name}" does not set securityContext.readOnlyRootFilesystem: true`,
            fix: 'set readOnlyRootFilesystem: true and mount an emptyDir at each path the process writes (writablePaths)',
          });
        }
      }
    }
    return out;
  },
  cel: celExemptWindows({
    containerLists: ['initContainers', 'containers'],
    container: { readOnlyRootFilesystem: `${celGet('c', 'securityContext.readOnlyRootFilesystem', 'false')} == true` },
  }),
};

/** Whether a mount path is the token directory or inside it. */
export function atTokenPath(mountPath: unknown): boolean {
  if (typeof mountPath !== 'string') return false;
  const p = mountPath.replace(/\/+/g, '/').replace(/\/$/, '');
  return p === SERVICE_ACCOUNT_TOKEN_PATH || p.startsWith(`${SERVICE_ACCOUNT_TOKEN_PATH}/`);
}

/** atTokenPath as an RE2 pattern (repeated slashes and a trailing slash as atTokenPath normalizes them). */
const TOKEN_PATH_PATTERN = `^${SERVICE_ACCOUNT_TOKEN_PATH.split('/').slice(1).map(s => `/+${s.replace(/\./g, '\\.')}`).join('')}(?:/|$)`;

/** Whether a volume is a projected volume with a serviceAccountToken source. */
export function projectsToken(volume: any): boolean {
  const sources = volume?.projected?.sources;
  return Array.isArray(sources) && sources.some((s: any) => typeof s === 'object' && s !== null && s.serviceAccountToken != null);
}

const SERVICE_ACCOUNT_TOKEN: RootlessRule = {
  id: 'serviceAccountToken',
  description: 'no service-account token reaches the containers (automountServiceAccountToken: false, no projected token, nothing mounted at the token path)',
  check: spec => {
    const out: RootlessFinding[] = [];
    const fix = 'set automountServiceAccountToken: false and mount no token; if the pod calls the Kubernetes API, declare the serviceAccountToken exemption';
    if (spec?.automountServiceAccountToken !== false) {
      out.push({ rule: 'serviceAccountToken', detail: `automountServiceAccountToken is ${spec?.automountServiceAccountToken === true ? 'true' : 'not set to false'}`, fix });
    }
    for (const v of Array.isArray(spec?.volumes) ? spec.volumes : []) {
      if (projectsToken(v)) out.push({ rule: 'serviceAccountToken', detail: `volume "${v.name}" projects a service-account token`, fix });
    }
    for (const c of containersOf(spec)) {
      for (const m of Array.isArray(c.volumeMounts) ? c.volumeMounts : []) {
        if (atTokenPath(m?.mountPath)) {
          out.push({ rule: 'serviceAccountToken', container: c.name, detail: `container "${c.name}" mounts volume "${m.name}" at the token path ${m.mountPath}`, fix });
        }
      }
    }
    return out;
  },
  cel: {
    pod: {
      automountServiceAccountToken: `${celGet(SPEC, 'automountServiceAccountToken', 'true')} == false`,
      serviceAccountTokenVolume: `!has(${SPEC}.volumes) || ${SPEC}.volumes.all(v, !(${celHas('v', 'projected.sources')}) `
        + '|| v.projected.sources.all(s, !has(s.serviceAccountToken)))',
    },
    container: { serviceAccountTokenMount: `!has(c.volumeMounts) || c.volumeMounts.all(m, !m.mountPath.matches(${celString(TOKEN_PATH_PATTERN)}))` },
  },
};

/** The rootless rules, in the order they are reported. */
export const ROOTLESS_RULES: readonly RootlessRule[] = Object.freeze([READ_ONLY_ROOT_FILESYSTEM, SERVICE_ACCOUNT_TOKEN]);

/** The violations of every rootless rule in a pod spec. */
export function rootlessFindings(spec: any): RootlessFinding[] {
  const windows = spec?.os?.name === 'windows';
  return ROOTLESS_RULES.flatMap(r => r.check(spec, windows));
}
