/**
 * Scenario 11: a non-root web server on 8080, reached on port 80 through its Service.
 *
 * Correction to the article: adding the `NET_BIND_SERVICE` capability does not let a non-root
 * process bind a port below 1024 -- Kubernetes gives non-root processes no ambient capabilities,
 * and `allowPrivilegeEscalation: false` disables file capabilities. The container listens on
 * 8080 (synthesis refuses a container port below 1024) and the Service maps port 80 to
 * targetPort 8080, so clients still use port 80. The pod stays PSS restricted.
 */
import { App, Chart } from 'cdk8s';
import { RootlessDeployment } from 'cdk8s-rootless-plus-27';

export function build(app: App): Chart {
  const chart = new Chart(app, 'webserver');
  const web = new RootlessDeployment(chart, 'webserver', {
    user: 101,
    containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27-alpine', portNumber: 8080 }],
  });
  web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
  return chart;
}
