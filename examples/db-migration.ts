/**
 * A one-off Job: the database migration an app runs before a release, as a RootlessJob.
 *
 * Its pod meets PSS restricted: it runs as the image's numeric user, with a read-only root
 * filesystem and every capability dropped. Its pods do not restart in place (`restartPolicy:
 * Never`, the Job's default; `RestartPolicy.ALWAYS`, which the API server refuses for a Job, fails
 * synthesis); the Job retries twice, gives up after ten minutes, and is deleted a day after it finishes.
 */
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessJob } from 'cdk8s-rootless-plus-27';

export function build(app: App): Chart {
  const chart = new Chart(app, 'db-migration');
  const credentials = kplus.Secret.fromSecretName(chart, 'credentials', 'app-db');
  new RootlessJob(chart, 'migrate', {
    user: 1000,
    backoffLimit: 2,
    activeDeadline: Duration.minutes(10),
    ttlAfterFinished: Duration.days(1),
    containers: [{
      name: 'migrate',
      image: 'registry.example.com/shop/api:1.4.2',
      args: ['migrate', '--to', 'latest'],
      envVariables: { DATABASE_URL: kplus.EnvValue.fromSecretValue({ secret: credentials, key: 'url' }) },
    }],
  });
  return chart;
}
