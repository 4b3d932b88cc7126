/**
 * How `harden` detects that a pod or container needs an exemption kind: the rules ask by the field (or
 * the Pod Security check) they judge, never by kind; the exemption registry (lib/exemptions/) answers with
 * the kinds that relax it, and the first whose `detect` facet fires is the need.
 * Each need carries the words of its placeholder reason (`TODO: explain why …`, written by
 * `--add-exemptions`), and `harden` reports it with the fix.
 */
import type { ExemptionKind } from '../../exemptions/exemption-kind';
import type { ExemptionKindSpec, JsonObject } from '../../exemptions/kind';
import { extraCapabilities, kubernetesCapability } from '../../exemptions/kinds/add-capabilities';
import { CAP_SYS_ADMIN_LITERAL, escalationCannotBeDisabled } from '../../exemptions/kinds/common';
import { EXEMPTION_KINDS, kindsRelaxing } from '../../exemptions/registry';

export { CAP_SYS_ADMIN_LITERAL, escalationCannotBeDisabled, extraCapabilities, kubernetesCapability };

/** An exemption a pod or container needs, as `harden` detects it. */
export interface Need {
  readonly kind: ExemptionKind;
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

/**
 * The need for the pod (no container) or a container, from the `detect` facet of the first kind (in
 * registry order) among `kinds` that detects one.
 */
function detect(kinds: readonly ExemptionKindSpec[], spec: unknown,
  container?: { name: string; securityContext: unknown; user?: number }): Need | undefined {
  const input = {
    spec: object(spec),
    container: container && { name: container.name, securityContext: object(container.securityContext), user: container.user },
  };
  for (const k of kinds) {
    const found = k.detect?.(input);
    if (found) return { kind: k.id, container: container?.name ?? null, ...found };
  }
  return undefined;
}

/** The kinds that relax the field (its API name), in registry order: harden asks by field, the registry answers with the kind. */
const relaxing = (field: string): readonly ExemptionKindSpec[] => {
  let kinds = RELAXING.get(field);
  if (kinds === undefined) RELAXING.set(field, kinds = EXEMPTION_KINDS.filter(k => k.cel.fields?.includes(field)));
  return kinds;
};
/** The kinds that relax each field asked about (the registry is frozen at load). */
const RELAXING = new Map<string, readonly ExemptionKindSpec[]>();

/**
 * Whether `accepts` accepts, for the container (null: the pod), a kind that relaxes `field`: the rules ask
 * by the field they would harden. `besides`: only kinds that do not also relax that field (an escalation
 * exemption, on a container that is not privileged, is not the privileged kind, which relaxes escalation
 * only together with privileged).
 */
export function acceptsField(accepts: (kind: ExemptionKind, container: string | null) => boolean, field: string, container: string | null,
  besides?: string): boolean {
  return relaxing(field).some(k => !(besides !== undefined && k.cel.fields?.includes(besides)) && accepts(k.id, container));
}

/** The one kind that relaxes `field` (e.g. the service-account token's), for a value the rules declare. */
export function kindRelaxing(field: string): ExemptionKind {
  const kinds = relaxing(field);
  if (kinds.length !== 1) throw new Error(`exemption registry: ${kinds.length} kinds relax ${field} (expected one)`);
  return kinds[0].id;
}

/** runAsRoot for the pod: it sets `runAsNonRoot: false` explicitly. */
export function podRunAsRootNeed(podSecurityContext: unknown): Need | undefined {
  return detect(relaxing('runAsNonRoot'), { securityContext: podSecurityContext });
}

/** runAsRoot for a container: `runAsNonRoot: false`, or its effective user is 0. */
export function runAsRootNeed(name: string, securityContext: unknown, user: number | undefined): Need | undefined {
  return detect(relaxing('runAsNonRoot'), {}, { name, securityContext, user });
}

/** seccompUnconfined, for the pod (name null) or a container. */
export function seccompUnconfinedNeed(name: string | null, securityContext: unknown): Need | undefined {
  const kinds = relaxing('seccompProfile');
  return name === null ? detect(kinds, { securityContext }) : detect(kinds, {}, { name, securityContext });
}

/** The host namespaces (hostNetwork, hostPID, hostIPC): each set to true, by the kinds relaxing the hostNamespaces check. */
export function hostNamespaceNeeds(spec: unknown): Need[] {
  return kindsRelaxing('hostNamespaces').map(k => detect([k], spec)).filter((n): n is Need => n !== undefined);
}

/** hostPath: any hostPath volume (the kinds relaxing the hostPathVolumes check). */
export function hostPathNeed(spec: unknown): Need | undefined {
  return detect(kindsRelaxing('hostPathVolumes'), spec);
}

/** privileged: `privileged: true`. */
export function privilegedNeed(name: string, securityContext: unknown): Need | undefined {
  return detect(relaxing('privileged'), {}, { name, securityContext });
}

/**
 * allowPrivilegeEscalation: `allowPrivilegeEscalation: true`, or the literal `CAP_SYS_ADMIN` added (not privileged:
 * a privileged container needs the privileged kind, which relaxes this field too).
 */
export function privilegeEscalationNeed(name: string, securityContext: unknown): Need | undefined {
  return detect(relaxing('allowPrivilegeEscalation'), {}, { name, securityContext });
}

/** addCapabilities: the added capabilities restricted does not allow, named as an exemption names them (no `CAP_`). */
export function addCapabilitiesNeed(name: string, securityContext: unknown): Need | undefined {
  return detect(EXEMPTION_KINDS.filter(k => k.cel.capabilities), {}, { name, securityContext });
}

/** readOnlyRootFilesystem: `readOnlyRootFilesystem: false`. */
export function writableRootFilesystemNeed(name: string, securityContext: unknown): Need | undefined {
  return detect(relaxing('readOnlyRootFilesystem'), {}, { name, securityContext });
}

/** The service-account token: the pod's API token stays mounted (`automountServiceAccountToken` is not false). */
export function serviceAccountTokenNeed(spec: unknown): Need | undefined {
  return detect(relaxing('automountServiceAccountToken'), spec);
}
