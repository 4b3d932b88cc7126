/**
 * Scenario 2: webapp, a web server with a numeric user and fsGroup.
 *
 * The article runs `nginx:alpine` with `runAsUser: 1000` and `fsGroup: 1000`. Correction: the
 * stock nginx image starts its master process as root to bind port 80 and to write its pid and
 * cache under /var; forced to UID 1000 it cannot bind 80 (a non-root process gets no
 * NET_BIND_SERVICE) and cannot write those paths, so the pod crash-loops. Use
 * `nginxinc/nginx-unprivileged`, built to run as UID 101 on port 8080 with its pid and temp files
 * in /tmp; the preset supplies user, group and fsGroup 101 (the UID its files belong to, not 1000).
 */
import { App, Chart } from 'cdk8s';
import { RootlessDeployment } from 'cdk8s-rootless-plus-27';
import { ImagePreset } from 'cdk8s-rootless';

export function build(app: App): Chart {
  const chart = new Chart(app, 'webapp');
  new RootlessDeployment(chart, 'webapp', {
    preset: ImagePreset.nginxUnprivileged(),
    replicas: 2,
    containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27-alpine', portNumber: 8080 }],
  });
  return chart;
}
