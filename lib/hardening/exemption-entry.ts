/**
 * Internal: the one builder of `rootless.cdk8s.io/exemptions` annotation entries, used by
 * `Exemption.toJson()` (the constructs) and by `cdk8s-rootless harden --add-exemptions`.
 * Pure and import-free (exemption.ts imports it; the CLI must not load cdk8s).
 *
 * Not exported from the package.
 */

/** One entry of the `rootless.cdk8s.io/exemptions` annotation, in its key order. */
export interface ExemptionEntry {
  /** The exemption kind (`ExemptionKind` value). */
  readonly id: string;
  /** The container it is scoped to; null for the whole pod. */
  readonly container: string | null;
  readonly reason: string;
  /** `addCapabilities` only. */
  readonly capabilities?: string[];
  /** `seccompLocalhost` only. */
  readonly profile?: string;
}

/** The annotation entry of an exemption (an `Exemption`, or what `harden` declares). */
export function exemptionEntry(e: {
  readonly kind: string;
  readonly reason: string;
  readonly container?: string | null;
  readonly capabilities?: readonly string[];
  readonly profile?: string;
}): ExemptionEntry {
  return {
    id: e.kind,
    container: e.container ?? null,
    reason: e.reason,
    ...(e.capabilities ? { capabilities: [...e.capabilities] } : {}),
    ...(e.profile !== undefined ? { profile: e.profile } : {}),
  };
}
