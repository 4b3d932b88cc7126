/**
 * How `harden` detects that a pod or container needs an exemption kind: each kind's `detect` facet
 * in the exemption registry (lib/hardening/exemptions/kinds/), called here with what harden read.
 * Each need carries the words of its placeholder reason (`TODO: explain why …`, written by
 * `--add-exemptions`), and `harden` reports it with the fix.
 */
import { ExemptionKind as K } from '../../exemptions/exemption-kind';
import type { JsonObject } from '../../exemptions/kind';
import { extraCapabilities, kubernetesCapability } from '../../exemptions/kinds/add-capabilities';
import { CAP_SYS_ADMIN_LITERAL, escalationCannotBeDisabled } from '../../exemptions/kinds/common';
import { kindOf } from '../../exemptions/registry';

export { CAP_SYS_ADMIN_LITERAL, escalationCannotBeDisabled, extraCapabilities, kubernetesCapability };

/** An exemption a pod or container needs, as `harden` detects it. */
export interface Need {
  readonly kind: K;
  /** The container; null for the whole pod. */
  readonly container: string | null;
  /** What the placeholder reason asks a human to explain (after `explain why`). */
  readonly what: string;
  /** addCapabilities: the capabilities, spelled as Kubernetes wants them (no `CAP_`). */
  readonly capabilities?: string[];
  /** hostPath: the host paths the pod mounts, and whether one is mounted writable. */
  readonly paths?: string[];
  readonly writable?: boolean;
}

const object = (x: unknown): JsonObject => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x as JsonObject : {});

/** The need of `kind` for the pod (no container) or a container, from the kind's `detect` facet. */
function detect(kind: K, spec: unknown, container?: { name: string; securityContext: unknown; user?: number }): Need | undefined {
  const found = kindOf(kind).detect?.({
    spec: object(spec),
    container: container && { name: container.name, securityContext: object(container.securityContext), user: container.user },
  });
  return found && { kind, container: container?.name ?? null, ...found };
}

/** runAsRoot for the pod: it sets `runAsNonRoot: false` explicitly. */
export function podRunAsRootNeed(podSecurityContext: unknown): Need | undefined {
  return detect(K.RUN_AS_ROOT, { securityContext: podSecurityContext });
}

/** runAsRoot for a container: `runAsNonRoot: false`, or its effective user is 0. */
export function runAsRootNeed(name: string, securityContext: unknown, user: number | undefined): Need | undefined {
  return detect(K.RUN_AS_ROOT, {}, { name, securityContext, user });
}

/** seccompUnconfined, for the pod (name null) or a container. */
export function seccompUnconfinedNeed(name: string | null, securityContext: unknown): Need | undefined {
  return name === null ? detect(K.SECCOMP_UNCONFINED, { securityContext }) : detect(K.SECCOMP_UNCONFINED, {}, { name, securityContext });
}

/** hostNetwork, hostPID, hostIPC: each set to true. */
export function hostNamespaceNeeds(spec: unknown): Need[] {
  return [K.HOST_NETWORK, K.HOST_PID, K.HOST_IPC].map(k => detect(k, spec)).filter((n): n is Need => n !== undefined);
}

/** hostPath: any hostPath volume. */
export function hostPathNeed(spec: unknown): Need | undefined {
  return detect(K.HOST_PATH, spec);
}

/** privileged: `privileged: true`. */
export function privilegedNeed(name: string, securityContext: unknown): Need | undefined {
  return detect(K.PRIVILEGED, {}, { name, securityContext });
}

/** privilegeEscalation: `allowPrivilegeEscalation: true`, or the literal `CAP_SYS_ADMIN` added (not privileged). */
export function privilegeEscalationNeed(name: string, securityContext: unknown): Need | undefined {
  return detect(K.PRIVILEGE_ESCALATION, {}, { name, securityContext });
}

/** addCapabilities: the added capabilities restricted does not allow, named as an exemption names them (no `CAP_`). */
export function addCapabilitiesNeed(name: string, securityContext: unknown): Need | undefined {
  return detect(K.ADD_CAPABILITIES, {}, { name, securityContext });
}

/** writableRootFilesystem: `readOnlyRootFilesystem: false`. */
export function writableRootFilesystemNeed(name: string, securityContext: unknown): Need | undefined {
  return detect(K.WRITABLE_ROOT_FILESYSTEM, {}, { name, securityContext });
}

/** serviceAccountToken: the pod's API token stays mounted (`automountServiceAccountToken` is not false). */
export function serviceAccountTokenNeed(spec: unknown): Need | undefined {
  return detect(K.SERVICE_ACCOUNT_TOKEN, spec);
}
