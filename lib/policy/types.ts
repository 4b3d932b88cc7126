/**
 * Public types of the PodSecurity policy engine.
 *
 * This layer knows plain Kubernetes JSON only: it must never import cdk8s,
 * cdk8s-plus or constructs.
 */

/**
 * A Pod Security Standards level.
 */
export enum PolicyLevel {
  /** Unrestricted: every pod is allowed. */
  PRIVILEGED = 'privileged',
  /** Minimally restrictive: prevents known privilege escalations. */
  BASELINE = 'baseline',
  /** Heavily restricted: current pod hardening best practices. */
  RESTRICTED = 'restricted',
}

/**
 * Options of `PodSecurity.evaluate()`.
 */
export interface EvaluateOptions {
  /**
   * The level to evaluate against.
   * @default PolicyLevel.RESTRICTED
   */
  readonly level?: PolicyLevel;

  /**
   * The policy version: `latest` or `v1.N` (as in the
   * `pod-security.kubernetes.io/enforce-version` namespace label).
   * @default 'latest'
   */
  readonly version?: string;
}

/**
 * One failed check.
 */
export interface Violation {
  /** The check id, as upstream names it (e.g. `allowPrivilegeEscalation`, `capabilities_restricted`). */
  readonly check: string;

  /** The level the check belongs to. */
  readonly level: PolicyLevel;

  /** Short reason, as the admission plugin prints it (e.g. `allowPrivilegeEscalation != false`). */
  readonly reason: string;

  /** Detail, as the admission plugin prints it (e.g. `container "app" must set securityContext.allowPrivilegeEscalation=false`). */
  readonly detail: string;

  /**
   * Names of the containers (init, regular or ephemeral) responsible for the violation.
   * @default - none: the violation is at pod level only
   */
  readonly containers?: string[];

  /**
   * True when pod-level fields (spec, spec.securityContext, metadata) are responsible
   * for the violation (alone or together with containers).
   * @default false
   */
  readonly podLevel?: boolean;

  /**
   * A one-line suggestion of how to fix it.
   */
  readonly fix: string;
}

/**
 * The result of `PodSecurity.evaluate()`.
 */
export interface EvaluationResult {
  /** Whether the pod (template) would be admitted at this level and version. Also true when not applicable. */
  readonly allowed: boolean;

  /** False when the object carries no pod spec (e.g. a ConfigMap); such objects are always allowed. */
  readonly applicable: boolean;

  /** The level evaluated. */
  readonly level: PolicyLevel;

  /** The concrete version evaluated (`latest` resolved to `v1.N`). */
  readonly version: string;

  /** The failed checks, in a stable order (the check table's order). Empty when allowed. */
  readonly violations: Violation[];

  /**
   * Set when the input is malformed (not an object, pod spec not an object, containers not a list ...).
   * A malformed applicable object is not allowed.
   * @default - the input is well formed
   */
  readonly malformed?: string;
}

/**
 * Metadata of one Pod Security check, as listed by `PodSecurity.checks()`
 * (e.g. to build SARIF rules).
 */
export interface CheckInfo {
  /** The check id, as upstream names it (e.g. `runAsNonRoot`, `capabilities_restricted`). */
  readonly id: string;

  /** The level the check belongs to (`baseline` or `restricted`). */
  readonly level: PolicyLevel;

  /** A one-line description of what the check requires. */
  readonly description: string;

  /** The first policy version the check applies to (e.g. `v1.0`, `v1.23`). */
  readonly minimumVersion: string;

  /**
   * Ids of the baseline checks this restricted check replaces when a pod is
   * evaluated at the restricted level (e.g. `capabilities_restricted` overrides
   * `capabilities_baseline`).
   * @default - the check overrides no other check
   */
  readonly overrides?: string[];
}
