/**
 * Internal: small helpers shared by the exemption kind modules (not a table: no kind is named here).
 */
import type { KindDeclaration } from '../effects';
import type { ExemptionKind } from '../exemption-kind';
import type { JsonObject } from '../kind';

/** A non-zero UID: what an undone root user is replaced with (nobody). */
export const NON_ROOT_UID = 65534;

/** The seccomp profile types Pod Security `restricted` allows. */
export const ALLOWED_SECCOMP: readonly string[] = ['RuntimeDefault', 'Localhost'];

/** The pod spec's securityContext, created empty when missing or not an object. */
export function podSecurityContext(spec: JsonObject): JsonObject {
  if (typeof spec.securityContext !== 'object' || spec.securityContext === null || Array.isArray(spec.securityContext)) spec.securityContext = {};
  return spec.securityContext;
}

/** The seccomp profile type at this level ('' when a profile has no type), or undefined when no profile is set. */
export function seccompType(sc: JsonObject | undefined): string | undefined {
  const p = sc?.seccompProfile;
  if (p === undefined || p === null) return undefined;
  return typeof p === 'object' && typeof p.type === 'string' ? p.type : '';
}

/**
 * A seccomp revert: where the container's own profile (or, when it has none, the pod's) is one
 * `relaxed` accepts, the container gets RuntimeDefault; pod-wide, the pod's profile too.
 */
export function seccompRevert(relaxed: (type: string) => boolean): {
  revertContainer(sc: JsonObject, e: unknown, c: JsonObject, spec: JsonObject): void;
  revertPod(spec: JsonObject): void;
} {
  return {
    revertContainer: (sc, _e, _c, spec) => {
      const own = seccompType(sc);
      const effective = own ?? seccompType(spec.securityContext);
      if (effective === undefined ? relaxed('') : relaxed(effective)) sc.seccompProfile = { type: 'RuntimeDefault' };
    },
    revertPod: spec => {
      const type = seccompType(spec.securityContext);
      if (type !== undefined && relaxed(type)) podSecurityContext(spec).seccompProfile = { type: 'RuntimeDefault' };
    },
  };
}

/** Sets a field only when it differs (so a revert that finds nothing to undo changes nothing). */
export function set(o: JsonObject, key: string, value: unknown): void {
  if (o[key] !== value) o[key] = value;
}

/** The object at `x`, or an empty one. */
export const objectAt = (x: unknown): any => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x : {});
/** The list at `x`, or an empty one. */
export const listAt = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** The literal capability the API refuses next to `allowPrivilegeEscalation: false` (`SYS_ADMIN` passes validation). */
export const CAP_SYS_ADMIN_LITERAL = 'CAP_SYS_ADMIN';

/** Whether the API server rejects `allowPrivilegeEscalation: false` on this container: it is privileged or adds the literal `CAP_SYS_ADMIN`. */
export function escalationCannotBeDisabled(securityContext: unknown): boolean {
  const sc = objectAt(securityContext);
  return sc.privileged === true || listAt(objectAt(sc.capabilities).add).includes(CAP_SYS_ADMIN_LITERAL);
}

/** hostNetwork, hostPID, hostIPC: the pod shares one of the node's namespaces; each relaxes hostNamespaces for its own field only. */
export function hostNamespace(id: ExemptionKind, field: 'hostNetwork' | 'hostPID' | 'hostIPC'): KindDeclaration {
  return {
    id,
    podOnly: true,
    relaxes: ['hostNamespaces'],
    effects: [{ level: 'pod', field, hardened: false, relaxed: true, unset: 'hardened', needed: `needs ${field}` }],
    cel: {},
  };
}
