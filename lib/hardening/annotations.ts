/**
 * The annotations cdk8s-rootless writes on the pod template metadata of every hardened
 * workload. Pod template annotations reach the running pods, so admission, the audit CLI
 * and monitoring (kube-state-metrics `--metric-annotations-allowlist`) can read them.
 *
 * Free of cdk8s imports: the CLI reads these keys too.
 */
export class RootlessAnnotations {
  /**
   * The declared exemptions: a JSON array of `{ "id", "container", "reason" }` objects
   * (`container` is null for a pod-wide exemption; `addCapabilities` adds `capabilities`,
   * `seccompLocalhost` adds `profile`). `[]` when the pod declares none.
   */
  public static readonly EXEMPTIONS = 'rootless.cdk8s.io/exemptions';

  /**
   * The strictest Pod Security Standards level (`restricted`, `baseline` or `privileged`)
   * that the synthesized pod still meets at the latest policy version, as computed by the
   * policy engine on the final manifest.
   */
  public static readonly PSS_LEVEL = 'rootless.cdk8s.io/pss-level';

  private constructor() {}
}

/**
 * Internal (not exported from the package): the value the level annotation holds until the object is
 * serialized. The one verifier (lib/constructs/internal/output-verifier.ts) verifies what cdk8s serializes and writes the
 * level there; the key is placed by cdk8s like any other annotation, so the written order is cdk8s' own.
 */
export const LEVEL_PLACEHOLDER = 'unverified';
