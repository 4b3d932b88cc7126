/**
 * Migrating an existing cdk8s app: a chart written before the team adopted cdk8s-rootless — plain
 * cdk8s-plus workloads (a Deployment, a Job, a CronJob) and a raw `ApiObject` Pod written by hand —
 * taken to PSS restricted with one call, `RootlessHardening.applyTo(chart, …)`.
 *
 * applyTo adds what is missing and never weakens or guesses: the users the team already set are
 * kept; the raw Pod, whose image's user nobody wrote down, gets the default `user`; the pod that
 * listens on port 80 gets the `net.ipv4.ip_unprivileged_port_start` sysctl (allowed by restricted)
 * so its non-root process can still bind it; every root filesystem it makes read-only gets an
 * emptyDir at /tmp, plus the paths given here. Every object ends up annotated and verified at
 * synthesis like the library's own constructs. Anything it cannot decide (an unknown user,
 * privileged, hostPath, host namespaces …) fails synthesis naming the object, the field and the fix.
 */
import { ApiObject, App, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessHardening } from 'cdk8s-rootless';

export function build(app: App): Chart {
  const chart = new Chart(app, 'legacy-shop');

  // --- the app as it was: plain cdk8s-plus and a raw object ---------------------------------------
  new kplus.Deployment(chart, 'storefront', {
    securityContext: { user: 1000, group: 1000 },
    containers: [{ image: 'registry.example.com/shop/storefront:4.2.0', portNumber: 8080 }],
  });
  new kplus.Job(chart, 'migrate', {
    securityContext: { user: 1000, group: 1000 },
    containers: [{ image: 'registry.example.com/shop/migrate:4.2.0', args: ['up'] }],
  });
  new kplus.CronJob(chart, 'cleanup', {
    schedule: Cron.schedule({ minute: '15', hour: '3' }),
    securityContext: { user: 1000, group: 1000 },
    containers: [{ image: 'registry.example.com/shop/cleanup:4.2.0', args: ['--older-than', '30d'] }],
  });
  new ApiObject(chart, 'status-page', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { labels: { app: 'status-page' } },
    spec: {
      containers: [{ name: 'status', image: 'registry.example.com/shop/status:1.0.3', ports: [{ containerPort: 80 }] }],
    },
  });

  // --- the migration: one call --------------------------------------------------------------------
  RootlessHardening.applyTo(chart, {
    // the numeric USER of the images whose user the manifests do not say (`docker inspect -f {{.Config.User}} IMAGE`)
    user: 10001,
    // the status page caches rendered pages: it gets an emptyDir there, its root filesystem being read-only
    objects: { 'status-page': { writablePaths: ['/var/cache/status'] } },
  });
  return chart;
}
