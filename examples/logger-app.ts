/**
 * Scenario 6: logger-app, fixing `EACCES: permission denied, open '/var/log/app.log'`.
 *
 * A non-root process cannot write to the image's /var/log, and with a read-only root filesystem
 * nothing outside a mounted volume is writable. The fix from the article (an emptyDir at
 * /var/log) is one writable path here; the emptyDir gets a size limit so a chatty logger cannot
 * fill the node's disk (logging to stdout remains the better option where the app allows it).
 */
import { App, Chart, Size } from 'cdk8s';
import { HardenedPod } from 'cdk8s-rootless-plus-27';

export function build(app: App): Chart {
  const chart = new Chart(app, 'logger-app');
  new HardenedPod(chart, 'logger-app', {
    user: 1000,
    writableVolumes: { sizeLimit: Size.mebibytes(512) },
    containers: [{ name: 'app', image: 'app:v1.0', writablePaths: ['/var/log'] }],
  });
  return chart;
}
