/**
 * Scenario 1: secure-app, a pod that must not run as root.
 *
 * The article sets only `runAsNonRoot: true` at pod level. Correction: on its own that makes the
 * kubelet refuse to start any image whose USER is root, unset, or a name (`USER appuser` cannot
 * be verified as non-root), so the pod never runs. A HardenedPod always emits a numeric
 * `runAsUser` (here 1000) next to `runAsNonRoot: true`, plus the rest of the restricted profile
 * (seccomp RuntimeDefault, no privilege escalation, capabilities dropped, read-only root, /tmp).
 */
import { App, Chart } from 'cdk8s';
import { HardenedPod } from 'cdk8s-rootless-plus-27';

export function build(app: App): Chart {
  const chart = new Chart(app, 'secure-app');
  new HardenedPod(chart, 'secure-app', {
    user: 1000,
    containers: [{ name: 'app', image: 'myapp:v1.0' }],
  });
  return chart;
}
