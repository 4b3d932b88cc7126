/**
 * Scenario 3: an image built to run as non-root, and the Deployment that runs it.
 *
 * The image is built from examples/manifests/compliant/Dockerfile, whose final stage ends with a
 * numeric `USER 1000:1000` (`npm run examples` audits that Dockerfile too). Correction applied: the
 * article's `USER appuser` is a name, which the kubelet cannot verify under `runAsNonRoot: true`
 * ("image has non-numeric user (appuser), cannot verify user is non-root"); the audit flags it
 * (examples/manifests/article/Dockerfile). The pod states the same numeric user, so it runs even if
 * someone rebuilds the image with a name again.
 */
import { App, Chart } from 'cdk8s';
import { RootlessDeployment } from 'cdk8s-rootless-plus-27';

export function build(app: App): Chart {
  const chart = new Chart(app, 'nonroot-image');
  new RootlessDeployment(chart, 'node-app', {
    user: 1000, // the Dockerfile's USER 1000:1000
    group: 1000,
    containers: [{ name: 'app', image: 'registry.example.com/node-app:1.0.0', portNumber: 3000 }],
  });
  return chart;
}
