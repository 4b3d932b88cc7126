/**
 * How `harden` detects that a pod or container needs an exemption kind: one small function per
 * kind (or group of kinds), over plain Kubernetes JSON. Each returns the need with the words of
 * its placeholder reason (`TODO: explain why …`, written by `--add-exemptions`), and `harden`
 * reports it with the fix. These are the only places where `harden` decides that a kind is
 * needed.
 *
 * Placeholder words never contain `"` or `\`: a canonical annotation needs no JSON escape.
 */
import { capabilityProblem } from '../hardening/capabilities';
import { ExemptionKind as K } from '../hardening/exemption-kind';

/** An exemption a pod or container needs, as `harden` detects it. */
export interface Need {
  readonly kind: K;
  /** The container; null for the whole pod. */
  readonly container: string | null;
  /** What the placeholder reason asks a human to explain (after `explain why`). */
  readonly what: string;
  /** addCapabilities: the capabilities, spelled as Kubernetes wants them (no `CAP_`). */
  readonly capabilities?: string[];
}

const object = (x: unknown): any => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x : {});
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** The literal capability the API refuses next to `allowPrivilegeEscalation: false` (`SYS_ADMIN` passes validation). */
export const CAP_SYS_ADMIN_LITERAL = 'CAP_SYS_ADMIN';

/** Whether the API server rejects `allowPrivilegeEscalation: false` on this container: it is privileged or adds the literal `CAP_SYS_ADMIN`. */
export function escalationCannotBeDisabled(securityContext: unknown): boolean {
  const sc = object(securityContext);
  return sc.privileged === true || list(object(sc.capabilities).add).includes(CAP_SYS_ADMIN_LITERAL);
}

/** runAsRoot for the pod: it sets `runAsNonRoot: false` explicitly. */
export function podRunAsRootNeed(podSecurityContext: unknown): Need | undefined {
  return object(podSecurityContext).runAsNonRoot === false ? { kind: K.RUN_AS_ROOT, container: null, what: 'the pod sets runAsNonRoot: false' } : undefined;
}

/** runAsRoot for a container: `runAsNonRoot: false`, or its effective user is 0. */
export function runAsRootNeed(name: string, securityContext: unknown, user: number | undefined): Need | undefined {
  return object(securityContext).runAsNonRoot === false || user === 0 ? { kind: K.RUN_AS_ROOT, container: name, what: `container ${name} runs as root` } : undefined;
}

/** seccompUnconfined, for the pod (name null) or a container. */
export function seccompUnconfinedNeed(name: string | null, securityContext: unknown): Need | undefined {
  if (object(object(securityContext).seccompProfile).type !== 'Unconfined') return undefined;
  return { kind: K.SECCOMP_UNCONFINED, container: name, what: name === null ? 'the pod runs without a seccomp profile' : `container ${name} runs without a seccomp profile` };
}

/** hostNetwork, hostPID, hostIPC: each set to true. */
export function hostNamespaceNeeds(spec: unknown): Need[] {
  const s = object(spec);
  return ([[K.HOST_NETWORK, 'hostNetwork'], [K.HOST_PID, 'hostPID'], [K.HOST_IPC, 'hostIPC']] as const)
    .filter(([, field]) => s[field] === true)
    .map(([kind, field]) => ({ kind, container: null, what: `the pod needs ${field}` }));
}

/** hostPath: any hostPath volume. */
export function hostPathNeed(spec: unknown): Need | undefined {
  return list(object(spec).volumes).some(v => object(v).hostPath !== undefined)
    ? { kind: K.HOST_PATH, container: null, what: 'the pod mounts node files (hostPath)' } : undefined;
}

/** privileged: `privileged: true`. */
export function privilegedNeed(name: string, securityContext: unknown): Need | undefined {
  return object(securityContext).privileged === true ? { kind: K.PRIVILEGED, container: name, what: `container ${name} runs privileged` } : undefined;
}

/**
 * privilegeEscalation: `allowPrivilegeEscalation: true`, or (not privileged) the literal
 * `CAP_SYS_ADMIN` added, next to which the API refuses `allowPrivilegeEscalation: false`.
 */
export function privilegeEscalationNeed(name: string, securityContext: unknown): Need | undefined {
  const sc = object(securityContext);
  if (sc.privileged === true) return undefined; // privileged covers it
  if (sc.allowPrivilegeEscalation === true) return { kind: K.PRIVILEGE_ESCALATION, container: name, what: `container ${name} must gain privileges` };
  if (sc.allowPrivilegeEscalation === undefined && escalationCannotBeDisabled(sc)) {
    return { kind: K.PRIVILEGE_ESCALATION, container: name, what: `container ${name} adds ${CAP_SYS_ADMIN_LITERAL}, which cannot go with allowPrivilegeEscalation: false` };
  }
  return undefined;
}

/** A capability as Kubernetes spells it: upper case, without `CAP_` (undefined when it is no Linux capability). */
export function kubernetesCapability(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const bare = name.toUpperCase().replace(/^CAP_/, '');
  return capabilityProblem(bare) === undefined ? bare : undefined;
}

/** The added capabilities restricted does not allow (anything but the exact `NET_BIND_SERVICE`), as written. */
export function extraCapabilities(securityContext: unknown): unknown[] {
  return list(object(object(securityContext).capabilities).add).filter(a => a !== 'NET_BIND_SERVICE');
}

/** addCapabilities: the added capabilities restricted does not allow, named as an exemption names them (no `CAP_`). */
export function addCapabilitiesNeed(name: string, securityContext: unknown): Need | undefined {
  const capabilities = [...new Set(extraCapabilities(securityContext).map(kubernetesCapability).filter((c): c is string => c !== undefined))];
  return capabilities.length > 0
    ? { kind: K.ADD_CAPABILITIES, container: name, what: `container ${name} needs ${capabilities.join(', ')}`, capabilities } : undefined;
}

/** writableRootFilesystem: `readOnlyRootFilesystem: false`. */
export function writableRootFilesystemNeed(name: string, securityContext: unknown): Need | undefined {
  return object(securityContext).readOnlyRootFilesystem === false
    ? { kind: K.WRITABLE_ROOT_FILESYSTEM, container: name, what: `container ${name} needs a writable root filesystem` } : undefined;
}

/** serviceAccountToken: the pod's API token stays mounted (`automountServiceAccountToken` is not false). */
export function serviceAccountTokenNeed(spec: unknown): Need | undefined {
  return object(spec).automountServiceAccountToken !== false
    ? { kind: K.SERVICE_ACCOUNT_TOKEN, container: null, what: 'the pod calls the Kubernetes API with its service account token' } : undefined;
}
