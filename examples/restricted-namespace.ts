/**
 * Scenarios 12 and 15: a namespace that enforces the restricted profile, and the migration path.
 *
 * The article labels the namespace with `pod-security.kubernetes.io/enforce: restricted` only.
 * Corrections: pin the policy version (`enforce-version: v1.N`), or a cluster upgrade changes what
 * the namespace admits; and set `warn` and `audit` too, so violations show up before they are
 * rejected. RestrictedNamespace does all three, pinned to the newest version the policy engine knows.
 *
 * It also verifies the app at synthesis: every workload that targets the namespace is evaluated at
 * its enforce level and version. The article's elasticsearch StatefulSet (root permission init
 * container) in this namespace would fail `cdk8s synth` with the check and the fix, instead of
 * failing at `kubectl apply`.
 *
 * Migration (scenario 15): start an existing namespace with
 * `enforce: PolicyLevel.BASELINE, exemption: NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, reason)`
 * (warn and audit stay restricted), fix what the warnings and the audit CLI report, then drop the
 * exemption so the namespace enforces restricted.
 */
import { App, Chart } from 'cdk8s';
import { HardenedPod } from 'cdk8s-rootless-plus-27';
import { RestrictedNamespace } from 'cdk8s-rootless';

export function build(app: App): Chart {
  const chart = new Chart(app, 'restricted-namespace');
  const applications = new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' } });
  new HardenedPod(chart, 'web', {
    metadata: { name: 'web', namespace: applications.name },
    user: 101,
    containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27-alpine', portNumber: 8080 }],
  });
  return chart;
}
