/**
 * Scenario 8: migrating a third-party image that defaults to root (redis:7-alpine).
 *
 * The image's entrypoint starts as root and drops to the `redis` user; run it as that user from
 * the start with an explicit numeric user. The article uses 999:999 with fsGroup 999. Correction:
 * in the Alpine image the `redis` user is UID 999 with primary group 1000 (999:999 is the Debian
 * image), so the preset `ImagePreset.redisAlpine()` sets 999:1000 and fsGroup 1000. The root
 * filesystem is read-only: /data (where redis writes its snapshot) is a writable emptyDir here
 * (a cache); for durable data use a RootlessStatefulSet with a claim at /data.
 */
import { App, Chart } from 'cdk8s';
import { RootlessDeployment } from 'cdk8s-rootless-plus-27';
import { ImagePreset } from 'cdk8s-rootless';

export function build(app: App): Chart {
  const chart = new Chart(app, 'redis-migration');
  const redis = new RootlessDeployment(chart, 'redis', {
    preset: ImagePreset.redisAlpine(),
    replicas: 1,
    containers: [{ name: 'redis', image: 'redis:7-alpine', portNumber: 6379, writablePaths: ['/data'] }],
  });
  redis.exposeViaService();
  return chart;
}
