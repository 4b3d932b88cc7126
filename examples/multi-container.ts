/**
 * Scenario 4: multi-container, per-container users.
 *
 * The app container inherits the pod's UID 1000; the helper overrides it with 2000. As in the
 * article, but each container also gets the full hardened security context (the article's helper
 * would otherwise run with escalation allowed and all default capabilities), and its own /tmp.
 */
import { App, Chart } from 'cdk8s';
import { HardenedPod } from 'cdk8s-rootless-plus-27';

export function build(app: App): Chart {
  const chart = new Chart(app, 'multi-container');
  new HardenedPod(chart, 'multi-container', {
    user: 1000,
    containers: [
      { name: 'app', image: 'app:v1.0' },
      { name: 'helper', image: 'helper:v1.0', user: 2000 },
    ],
  });
  return chart;
}
