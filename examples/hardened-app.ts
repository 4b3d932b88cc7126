/**
 * Scenario 9: hardened-app, defence in depth.
 *
 * The article's hardened pod (non-root 1000, fsGroup 1000, seccomp RuntimeDefault, no privilege
 * escalation, `capabilities.drop: [ALL]`, read-only root filesystem, emptyDirs at /tmp and
 * /var/cache/app) is the HardenedPod default: the only things to say are the user and the one
 * extra writable path. The library adds what the article leaves out: `runAsNonRoot` and
 * `privileged: false` on the container, size limits on the emptyDirs, no service account token,
 * and `fsGroupChangePolicy: OnRootMismatch`; synthesis verifies the result is PSS restricted.
 */
import { App, Chart } from 'cdk8s';
import { HardenedPod } from 'cdk8s-rootless-plus-27';

export function build(app: App): Chart {
  const chart = new Chart(app, 'hardened-app');
  new HardenedPod(chart, 'hardened-app', {
    user: 1000,
    containers: [{ name: 'app', image: 'app:v1.0', writablePaths: ['/var/cache/app'] }],
  });
  return chart;
}
