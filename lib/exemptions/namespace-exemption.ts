/**
 * The public namespace exemption (`NamespaceExemption.lowerLevel`), for `RestrictedNamespace`. Its entry
 * in the namespace's `rootless.cdk8s.io/exemptions` annotation is written by the one codec (codec.ts,
 * `namespaceEntryOf`), and its reason is judged by the one reason rule (reason.ts).
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports.
 */
import { namespaceEntryOf } from './codec';
import { PolicyLevel } from '../policy/types';

/**
 * The id of a namespace exemption in the namespace's `rootless.cdk8s.io/exemptions` annotation.
 */
export enum NamespaceExemptionKind {
  /** A Pod Security level below `restricted` for one or more modes. */
  LOWER_LEVEL = 'namespaceLevel',
}

/**
 * An explicit, reasoned permission for a `RestrictedNamespace` to use a Pod Security level
 * below `restricted`. Like workload exemptions, the reason is mandatory (at least 10
 * characters) and shows in the namespace's `rootless.cdk8s.io/exemptions` annotation.
 *
 * @example
 * NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, 'elasticsearch needs a root init container until the CSI driver honours fsGroup')
 */
export class NamespaceExemption {
  /**
   * Permits levels down to `level` (baseline or privileged) in the modes that ask for them.
   * @param level the lowest level any mode of the namespace may use
   * @param reason why the namespace cannot enforce `restricted`
   */
  public static lowerLevel(level: PolicyLevel, reason: string): NamespaceExemption {
    return new NamespaceExemption(NamespaceExemptionKind.LOWER_LEVEL, level, reason);
  }

  private constructor(
    /** What is exempted. */
    public readonly kind: NamespaceExemptionKind,
    /** The lowest level permitted. */
    public readonly level: PolicyLevel,
    /** Why, in the author's words. */
    public readonly reason: string,
  ) {}

  /**
   * A short description, e.g. `NamespaceExemption.lowerLevel("baseline")`.
   */
  public toString(): string {
    return `NamespaceExemption.lowerLevel(${JSON.stringify(this.level)})`;
  }

  /**
   * The entry of the namespace's `rootless.cdk8s.io/exemptions` annotation.
   */
  public toJson(): any {
    return namespaceEntryOf(this);
  }
}
