/**
 * Deploying cdk8s-rootless constructs with Pulumi (`@pulumi/kubernetes`).
 *
 * The constructs are cdk8s constructs: build a cdk8s chart in-process, synthesize it to YAML with
 * `app.synthYaml()` (every workload is verified against the Pod Security Standards at that
 * moment: a non-compliant one throws before Pulumi sees it), and hand the YAML to a
 * `kubernetes.yaml.v2.ConfigGroup`, which registers each object as a Pulumi resource (namespaces
 * first) on the stack's Kubernetes provider.
 *
 * In your own project:
 *
 *     npm install cdk8s-rootless cdk8s cdk8s-plus-27 constructs @pulumi/pulumi @pulumi/kubernetes
 *
 * copy this file as it is, and run `pulumi up` with a kubeconfig for the target cluster. Config: `namespace` (default `rootless-demo`),
 * `replicas` (default 2).
 *
 * In this repository the program is type-checked by `npm test` (examples/tsconfig.json) and run
 * with Pulumi's mocks by test/examples/pulumi.test.ts: no cluster, no Pulumi CLI or plugin needed.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { App, Chart } from 'cdk8s';
import { RootlessDeployment } from 'cdk8s-rootless-plus-27';
import { RestrictedNamespace } from 'cdk8s-rootless';

export interface RootlessChartOptions {
  /** The namespace to create (enforcing the restricted profile) and deploy into. */
  readonly namespace: string;
  /** Replicas of the web server. */
  readonly replicas: number;
}

/** The cdk8s app, synthesized to one multi-document YAML string (verified at synthesis). */
export function synthesizeRootlessChart(options: RootlessChartOptions): string {
  const app = new App();
  const chart = new Chart(app, 'rootless');
  const namespace = new RestrictedNamespace(chart, 'namespace', { metadata: { name: options.namespace } });
  const web = new RootlessDeployment(chart, 'web', {
    metadata: { namespace: namespace.name },
    user: 101,
    replicas: options.replicas,
    containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27-alpine', portNumber: 8080 }],
  });
  // nginx-unprivileged listens on 8080 (no NET_BIND_SERVICE as non-root): the Service maps 80 to it.
  web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
  return app.synthYaml();
}

const config = new pulumi.Config();

/** The chart as Pulumi resources. */
export const rootless = new k8s.yaml.v2.ConfigGroup('rootless', {
  yaml: synthesizeRootlessChart({
    namespace: config.get('namespace') ?? 'rootless-demo',
    replicas: config.getNumber('replicas') ?? 2,
  }),
});

/** Stack output: how many Kubernetes objects the chart became. */
export const resourceCount = rootless.resources.apply(resources => resources.length);
