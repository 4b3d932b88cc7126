import { Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { RESTRICTED_CONTAINER, container, error, exemptions, level, one, podSpec, refusedByKubelet, restrictedPodSecurityContext, synth, template } from './util';
import { RootlessCronJob, RootlessCronJobProps } from '../../../lib/constructs/plus/rootless-cron-job';
import { Exemption } from '../../../lib/exemptions/exemption';
import { PodSecurity, PolicyLevel } from '../../../lib/policy';

const IMAGE = 'registry.example.com/report:2.1.0';
const base = { user: 1000, containers: [{ name: 'report', image: IMAGE }] };

describe('RootlessCronJob: minimal use', () => {
  const build = () => synth(chart => new RootlessCronJob(chart, 'nightly', {
    ...base, schedule: Cron.schedule({ minute: '30', hour: '2' }), timeZone: 'Europe/Berlin',
  }));

  test('snapshot', () => {
    expect(build()).toMatchSnapshot();
  });

  test('the pod template, at spec.jobTemplate.spec.template, is restricted: every security field', () => {
    const cron = one(build(), 'CronJob');
    expect(cron.spec.template).toBeUndefined();
    const spec = cron.spec.jobTemplate.spec.template.spec;
    expect(spec).toBe(podSpec(cron));
    expect(spec.securityContext).toEqual(restrictedPodSecurityContext(1000));
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.hostNetwork).toBe(false);
    expect(spec.restartPolicy).toBe('Never');
    expect(container(cron, 'report').securityContext).toEqual(RESTRICTED_CONTAINER);
    expect(spec.volumes).toEqual([{ name: 'report-tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(refusedByKubelet(cron)).toEqual([]);
  });

  test('annotations are on the pod template, not on the CronJob or its job template', () => {
    const cron = one(build(), 'CronJob');
    expect(cron.metadata.annotations).toBeUndefined();
    expect(cron.spec.jobTemplate.metadata).toBeUndefined();
    expect(level(cron)).toBe('restricted');
    expect(exemptions(cron)).toEqual([]);
    expect(level(cron)).toBe(PodSecurity.strictestLevel(cron));
    expect(PodSecurity.evaluate(cron, { level: PolicyLevel.RESTRICTED }).allowed).toBe(true);
  });

  test('the schedule, the time zone and the cdk8s-plus defaults', () => {
    expect(one(build(), 'CronJob').spec).toMatchObject({
      schedule: '30 2 * * *',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 10,
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
  });
});

describe('RootlessCronJob: cdk8s-plus CronJob features', () => {
  test('every CronJob and Job field passes through', () => {
    const cron = one(synth(chart => new RootlessCronJob(chart, 'c', {
      ...base,
      schedule: Cron.schedule({ minute: '*/15', hour: '9-17', weekDay: 'MON-FRI' }),
      concurrencyPolicy: kplus.ConcurrencyPolicy.REPLACE,
      startingDeadline: Duration.minutes(5),
      suspend: true,
      successfulJobsRetained: 0,
      failedJobsRetained: 5,
      backoffLimit: 1,
      activeDeadline: Duration.minutes(30),
      restartPolicy: kplus.RestartPolicy.ON_FAILURE,
      podMetadata: { labels: { app: 'report' } },
    })), 'CronJob');
    expect(cron.spec).toMatchObject({
      schedule: '*/15 9-17 * * MON-FRI',
      concurrencyPolicy: 'Replace',
      startingDeadlineSeconds: 300,
      suspend: true,
      successfulJobsHistoryLimit: 0,
      failedJobsHistoryLimit: 5,
    });
    expect(cron.spec.timeZone).toBeUndefined();
    expect(cron.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 1800 });
    expect(podSpec(cron).restartPolicy).toBe('OnFailure');
    expect(template(cron).metadata.labels.app).toBe('report');
  });

  test('ttlAfterFinished instead of history limits', () => {
    const cron = one(synth(chart => new RootlessCronJob(chart, 'c', { ...base, schedule: Cron.daily(), ttlAfterFinished: Duration.hours(6) })), 'CronJob');
    expect(cron.spec.jobTemplate.spec.ttlSecondsAfterFinished).toBe(21600);
  });

  test('an exemption is annotated on the pod template and the level follows the policy engine', () => {
    const cron = one(synth(chart => new RootlessCronJob(chart, 'c', {
      ...base,
      schedule: Cron.daily(),
      exemptions: [Exemption.serviceAccountToken('the report job lists the namespace\'s pods through the Kubernetes API')],
    })), 'CronJob');
    expect(podSpec(cron).automountServiceAccountToken).toBe(true);
    expect(exemptions(cron)).toEqual([expect.objectContaining({ id: 'serviceAccountToken', container: null })]);
    expect(level(cron)).toBe(PodSecurity.strictestLevel(cron));
  });
});

describe('RootlessCronJob: bad input, with the construct path, the prop and the fix', () => {
  const fail = (props: Partial<RootlessCronJobProps>) =>
    error(chart => new RootlessCronJob(chart, 'nightly', { ...base, schedule: Cron.daily(), ...props } as RootlessCronJobProps));

  test('a day of week of 7 (Sunday on some crons, not on the API server\'s)', () => {
    expect(fail({ schedule: Cron.schedule({ minute: '0', hour: '3', weekDay: '7' }) })).toBe('RootlessCronJob test/nightly: invalid props:\n'
      + '  props.schedule: "0 3 * * 7" is a schedule the API server refuses: end of range (7) above maximum (6): 7 (day of week). '
      + 'Fix: write five fields, minute (0-59), hour (0-23), day of month (1-31), month (1-12 or JAN-DEC) and day of week (0-6 or SUN-SAT; '
      + '7 is not Sunday here), each "*", "?", a value, a range "a-b", a step "*/n" or "a-b/n", or a comma-separated list of those; '
      + 'e.g. Cron.schedule({ minute: \'30\', hour: \'2\' }) for 02:30 every day, or Cron.daily().');
  });

  test('a macro inside cdk8s\' five fields', () => {
    expect(fail({ schedule: Cron.schedule({ minute: '@daily' }) })).toBe('RootlessCronJob test/nightly: invalid props:\n'
      + '  props.schedule: "@daily * * * *" is a schedule the API server refuses: unrecognized descriptor: @daily * * * *. '
      + 'Fix: cdk8s\' Cron always writes five fields, so a descriptor such as @daily cannot be combined with them: use Cron.daily() '
      + '(0 0 * * *), Cron.hourly(), Cron.weekly(), Cron.monthly() or Cron.annually() instead.');
  });

  test('a TZ= prefix in the schedule', () => {
    expect(fail({ schedule: Cron.schedule({ minute: 'TZ=Europe/Berlin 0', hour: '2' }) })).toBe('RootlessCronJob test/nightly: invalid props:\n'
      + '  props.schedule: "TZ=Europe/Berlin 0 2 * * *" is a schedule the API server refuses: cannot use TZ or CRON_TZ in schedule, '
      + 'use timeZone field instead. Fix: remove the TZ=/CRON_TZ= prefix from the schedule and set props.timeZone instead (e.g. timeZone: \'Europe/Berlin\').');
  });

  test('a schedule that is not a Cron, or none (from JavaScript)', () => {
    expect(fail({ schedule: '0 2 * * *' as any })).toContain('props.schedule: is not a cdk8s Cron. Fix: use Cron.daily()');
    expect(fail({ schedule: undefined })).toContain('props.schedule: missing. Fix: set it, e.g. schedule: Cron.daily()');
  });

  test('time zones the API server cannot load', () => {
    const tz = (timeZone: any) => fail({ timeZone });
    expect(tz('Europe/Berln')).toBe('RootlessCronJob test/nightly: invalid props:\n'
      + '  props.timeZone: "Europe/Berln" is a time zone the API server refuses: unknown time zone Europe/Berln. Fix: use an IANA time zone name, '
      + 'spelled as in the tz database (e.g. "Europe/Berlin", "America/New_York" or "UTC"), or leave it unset for the kube-controller-manager\'s time zone.');
    expect(tz('europe/berlin')).toContain('unknown time zone europe/berlin (time zone names are case-sensitive: Europe/Berlin)');
    expect(tz('Local')).toContain('timeZone must be an explicit time zone');
    expect(tz('')).toContain('props.timeZone: "" is a time zone the API server refuses: timeZone must be nil or non-empty string');
    expect(tz(1)).toContain('props.timeZone: 1 is a time zone the API server refuses: not a string');
  });

  test('startingDeadline below 10 seconds, fractional, or not a Duration', () => {
    expect(fail({ startingDeadline: Duration.seconds(5) })).toBe('RootlessCronJob test/nightly: invalid props:\n'
      + '  props.startingDeadline: is 5 seconds, below 10: the CronJob controller checks every 10 seconds, so the run could be missed '
      + '(cdk8s-plus refuses it, on every line). Fix: use at least Duration.seconds(10), or leave it unset.');
    expect(fail({ startingDeadline: Duration.millis(10500) })).toContain('props.startingDeadline: is not a whole number of seconds');
    expect(fail({ startingDeadline: 30 as any })).toContain('props.startingDeadline: is not a cdk8s Duration');
  });

  test('history limits: negative, and together with ttlAfterFinished', () => {
    expect(fail({ successfulJobsRetained: -1 })).toContain('props.successfulJobsRetained: -1 is not a non-negative integer. Fix:');
    expect(fail({ failedJobsRetained: 0.5 })).toContain('props.failedJobsRetained: 0.5 is not a non-negative integer. Fix:');
    expect(fail({ ttlAfterFinished: Duration.hours(1), failedJobsRetained: 2 })).toContain('props.ttlAfterFinished: set together with '
      + 'successfulJobsRetained/failedJobsRetained, which cdk8s-plus refuses (every line)');
  });

  test('concurrencyPolicy and suspend of the wrong kind (from JavaScript)', () => {
    expect(fail({ concurrencyPolicy: 'forbid' as any })).toContain('props.concurrencyPolicy: "forbid" is not a ConcurrencyPolicy. Fix: use ConcurrencyPolicy.FORBID');
    expect(fail({ suspend: 'yes' as any })).toContain('props.suspend: "yes" is not a boolean.');
  });

  test('restartPolicy Always', () => {
    expect(fail({ restartPolicy: kplus.RestartPolicy.ALWAYS })).toContain('props.restartPolicy: "Always" is not allowed for the pods of a Job');
  });

  test('every problem is reported at once', () => {
    const message = fail({ schedule: Cron.schedule({ hour: '25' }), timeZone: 'Mars/Olympus', restartPolicy: kplus.RestartPolicy.ALWAYS });
    expect(message.split('\n').filter(l => l.startsWith('  props.')).map(l => l.slice(2, l.indexOf(':')))).toEqual([
      'props.restartPolicy', 'props.schedule', 'props.timeZone',
    ]);
  });

  test('an exemption naming a container that does not exist', () => {
    expect(fail({ exemptions: [Exemption.runAsRoot('the report tool reads the root-owned node inventory file', { container: 'reporter' })] }))
      .toContain('[test/nightly] exemptions: Exemption.runAsRoot() for container "reporter" names a container that is not in the pod (containers: report).');
  });
});

test('property: any Cron built from valid field values synthesizes a restricted CronJob carrying that schedule', () => {
  const field = (min: number, max: number) => fc.oneof(fc.constant('*'), fc.integer({ min, max }).map(String),
    fc.integer({ min: 1, max: max + 1 }).map(s => `*/${s}`));
  fc.assert(fc.property(field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 6), (minute, hour, day, month, weekDay) => {
    const schedule = Cron.schedule({ minute, hour, day, month, weekDay });
    const chart = Testing.chart();
    new RootlessCronJob(chart, 'c', { ...base, schedule });
    const cron = one(Testing.synth(chart), 'CronJob');
    expect(cron.spec.schedule).toBe(`${minute} ${hour} ${day} ${month} ${weekDay}`);
    expect(level(cron)).toBe('restricted');
  }), { numRuns: 25 });
});
