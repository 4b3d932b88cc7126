/**
 * Internal: the CEL facet of the checks. Each check revision carries, next to its JS
 * implementation, the same rule as Kubernetes CEL (the ValidatingAdmissionPolicy dialect: the
 * standard library plus the strings extension), as plain strings: this module imports nothing.
 *
 * The expressions read three things, which the admission policy (lib/admission) binds:
 * - `variables.podSpec`: the pod spec (of a Pod, or of a workload's / PodTemplate's template);
 * - `variables.podMeta`: the pod (template) metadata, `{}` when it has none;
 * - the item being checked: `c` (a container: init, regular or ephemeral), `cap` (one entry of
 *   `c.securityContext.capabilities.add`) or `v` (a volume).
 *
 * A revision's facet splits the rule into conditions, each true when allowed: the check allows
 * a pod when every `pod` condition holds, every `container` condition holds for every container,
 * `capability` for every added capability of every container and `volume` for every volume.
 * Conditions are keyed by the API field they constrain (`runAsNonRoot`, `hostNetwork` ...), so an
 * exemption that permits one field can relax exactly the conditions on that field.
 */

/** The CEL of one check revision (see the module comment). */
export interface CheckCel {
  /** The container lists `container`, `capability` apply to (default: init, regular and ephemeral). */
  readonly containerLists?: readonly string[];
  /** Pod-level conditions, by the field they constrain. */
  readonly pod?: Readonly<Record<string, string>>;
  /** Conditions on each container `c`, by the field they constrain. */
  readonly container?: Readonly<Record<string, string>>;
  /** The condition on each added capability `cap` (a string) of container `c`. */
  readonly capability?: string;
  /** The condition on each volume `v`. */
  readonly volume?: string;
}

/** The pod spec, as the admission policy binds it. */
export const SPEC = 'variables.podSpec';
/** The pod (template) metadata, as the admission policy binds it (`{}` when absent). */
export const META = 'variables.podMeta';

/** `has(root.a) && has(root.a.b) ...`: whether the field at `path` (dotted) is set. */
export function celHas(root: string, path: string): string {
  const parts = path.split('.');
  return parts.map((_, i) => `has(${root}.${parts.slice(0, i + 1).join('.')})`).join(' && ');
}

/** The value at `path` (dotted) under `root`, or `fallback` (a CEL literal) when it is unset. */
export function celGet(root: string, path: string, fallback: string): string {
  return `(${celHas(root, path)} ? ${root}.${path} : ${fallback})`;
}

/** A CEL string literal. */
export function celString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A CEL list literal of strings. */
export function celList(items: Iterable<string>): string {
  return `[${[...items].map(celString).join(', ')}]`;
}

/** Upstream's Windows relaxation: `spec.os.name` is `windows`. */
export const CEL_WINDOWS = `(${celGet(SPEC, 'os.name', "''")} == 'windows')`;

/** Upstream's user-namespace relaxation: `spec.hostUsers` is `false`. */
export const CEL_USER_NAMESPACE = `(${celGet(SPEC, 'hostUsers', 'true')} == false)`;

/** `cel` with every condition also true when `when` holds (a pod-level CEL condition). */
export function celUnless(when: string, cel: CheckCel): CheckCel {
  const wrap = (e: string) => `(${when} || (${e}))`;
  const each = (conditions?: Readonly<Record<string, string>>) =>
    (conditions ? Object.fromEntries(Object.entries(conditions).map(([k, e]) => [k, wrap(e)])) : undefined);
  return {
    containerLists: cel.containerLists,
    pod: each(cel.pod),
    container: each(cel.container),
    capability: cel.capability !== undefined ? wrap(cel.capability) : undefined,
    volume: cel.volume !== undefined ? wrap(cel.volume) : undefined,
  };
}

/** The CEL of a revision that allows Windows pods (see `exemptWindows`). */
export function celExemptWindows(cel: CheckCel): CheckCel {
  return celUnless(CEL_WINDOWS, cel);
}

/** The CEL of a revision that allows user-namespace pods (see `exemptUserNamespaces`). */
export function celExemptUserNamespaces(cel: CheckCel): CheckCel {
  return celUnless(CEL_USER_NAMESPACE, cel);
}
