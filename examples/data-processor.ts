/**
 * Scenario 5: data-processor, a PersistentVolumeClaim made writable through fsGroup.
 *
 * As in the article, `fsGroup: 1000` makes the kubelet give the volume's files to group 1000 so
 * the non-root process can write them. Correction applied: `fsGroupChangePolicy: OnRootMismatch`
 * (the HardenedPod default) skips the recursive ownership walk when the volume root already
 * matches, so a large volume is not re-walked on every start. Whether fsGroup applies at all depends
 * on the volume's driver (CSI `fsGroupPolicy`); for drivers that ignore it, use RootlessStatefulSet's
 * permission init container (see examples/elasticsearch.ts).
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HardenedPod } from 'cdk8s-rootless-plus-27';

export function build(app: App): Chart {
  const chart = new Chart(app, 'data-processor');
  const claim = kplus.PersistentVolumeClaim.fromClaimName(chart, 'app-data-claim', 'app-data');
  const data = kplus.Volume.fromPersistentVolumeClaim(chart, 'data', claim);
  new HardenedPod(chart, 'data-processor', {
    user: 1000,
    fsGroup: 1000,
    containers: [{ name: 'processor', image: 'processor:v1.0', volumeMounts: [{ path: '/data', volume: data }] }],
  });
  return chart;
}
