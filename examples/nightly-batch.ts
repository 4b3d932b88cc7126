/**
 * A nightly batch job: a report generated at 03:30 Berlin time, as a RootlessCronJob.
 *
 * 03:30, not 02:30: in Europe/Berlin 02:00-02:59 does not exist on the last Sunday of March (the
 * clocks jump from 02:00 to 03:00) and happens twice on the last Sunday of October (03:00 goes back
 * to 02:00), so a run scheduled in that hour is skipped or moved on one day and may run twice on
 * another. 03:30 (like 01:30) exists exactly once on every day of the year.
 *
 * The pod template (spec.jobTemplate.spec.template) is hardened and annotated like every rootless
 * workload's, and meets PSS restricted. The schedule and the time zone are validated at
 * construction as the API server validates them: `Cron.schedule({ minute: '30', hour: '2', weekDay: '7' })`
 * (7 is Sunday in some crons, not in Kubernetes') or `timeZone: 'europe/berlin'` fail synthesis
 * with the fix instead of failing at `kubectl apply`. A run that is still going when the next one is
 * due is not doubled (`ConcurrencyPolicy.FORBID`), a run missed by more than 15 minutes is skipped,
 * and the report's scratch space is an emptyDir (`writablePaths`), the root filesystem staying read-only.
 */
import { App, Chart, Cron, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessCronJob } from 'cdk8s-rootless-plus-27';

export function build(app: App): Chart {
  const chart = new Chart(app, 'nightly-batch');
  const credentials = kplus.Secret.fromSecretName(chart, 'credentials', 'report-db');
  new RootlessCronJob(chart, 'nightly-report', {
    user: 1000,
    schedule: Cron.schedule({ minute: '30', hour: '3' }), // outside the daylight-saving hour (02:00-02:59)
    timeZone: 'Europe/Berlin',
    concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
    startingDeadline: Duration.minutes(15),
    successfulJobsRetained: 3,
    failedJobsRetained: 3,
    backoffLimit: 2,
    activeDeadline: Duration.hours(2),
    writableVolumes: { sizeLimit: Size.gibibytes(2) },
    containers: [{
      name: 'report',
      image: 'registry.example.com/reporting/nightly-report:2.1.0',
      args: ['--since', '24h', '--out', '/var/cache/report'],
      writablePaths: ['/var/cache/report'],
      envVariables: { DATABASE_URL: kplus.EnvValue.fromSecretValue({ secret: credentials, key: 'url' }) },
      resources: {
        cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) },
        memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
      },
    }],
  });
  return chart;
}
