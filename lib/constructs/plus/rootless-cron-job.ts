import { Cron, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { throwPropsProblems } from '../internal/errors';
import { Hardening } from './internal/hardening';
import { PodHardening } from './pod-hardening';
import { RootlessJobProps } from './rootless-job';
import { IdentityIndex } from '../internal/identity-index';
import { durationSeconds, jobProblems, nonNegativeIntegerProblem, scheduleFix, scheduleProblem, timeZoneProblem } from '../internal/workload-validation';

/** cdk8s-plus (every line) refuses a startingDeadline below this many seconds (the CronJob controller checks every 10 seconds). */
const MIN_STARTING_DEADLINE_SECONDS = 10;

/**
 * Props of a `RootlessCronJob`: the cdk8s-plus `CronJobProps` (containers with hardening options)
 * plus the hardening options. As in cdk8s-plus, `restartPolicy` defaults to `RestartPolicy.NEVER`
 * and `select` to `false`.
 */
export interface RootlessCronJobProps extends RootlessJobProps {
  /**
   * When the job runs: five fields (minute, hour, day of month, month, day of week), validated at
   * construction as the API server's parser (robfig/cron) reads them: ranges, steps, lists, `*`,
   * `?`, month names JAN-DEC and day names SUN-SAT (day of week 0-6: 7 is refused). A `TZ=` or
   * `CRON_TZ=` prefix is refused: set `timeZone` instead.
   */
  readonly schedule: Cron;

  /**
   * The IANA time zone the schedule is read in, e.g. `Europe/Berlin` (case-sensitive). `Local` is
   * refused, as by the API server.
   * @default - the time zone of the kube-controller-manager
   */
  readonly timeZone?: string;

  /**
   * What happens when a run is due while the previous one still runs.
   * @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: kplus.ConcurrencyPolicy;

  /**
   * How late after its scheduled time a run may still start (`startingDeadlineSeconds`): at least
   * 10 seconds (cdk8s-plus-27's rule: the CronJob controller checks every 10 seconds).
   * @default Duration.seconds(10)
   */
  readonly startingDeadline?: Duration;

  /**
   * Suspends future runs (runs already started are not affected).
   * @default false
   */
  readonly suspend?: boolean;

  /**
   * How many successful Jobs (and their pods) are kept (`successfulJobsHistoryLimit`).
   * Not together with `ttlAfterFinished` (cdk8s-plus refuses it, on every line).
   * @default 3
   */
  readonly successfulJobsRetained?: number;

  /**
   * How many failed Jobs (and their pods) are kept (`failedJobsHistoryLimit`).
   * Not together with `ttlAfterFinished` (cdk8s-plus refuses it, on every line).
   * @default 1
   */
  readonly failedJobsRetained?: number;
}

/**
 * A cdk8s-plus `CronJob` whose pod template (`spec.jobTemplate.spec.template`) meets the Pod
 * Security Standards "restricted" profile at the latest version unless an exemption, declared with
 * a reason, says otherwise.
 *
 * The pod template is hardened, annotated and verified like a `RootlessJob`'s. The schedule and
 * the time zone are validated at construction as the API server validates them (cdk8s' `Cron`
 * checks nothing), so a schedule the cluster would refuse fails with the construct path and the fix.
 *
 * @example
 * new RootlessCronJob(chart, 'nightly-report', {
 *   user: 1000,
 *   schedule: Cron.schedule({ minute: '30', hour: '2' }),
 *   timeZone: 'Europe/Berlin',
 *   containers: [{ name: 'report', image: 'registry.example.com/report:2.1.0' }],
 * });
 */
export class RootlessCronJob extends kplus.CronJob {
  /**
   * The hardening of the pod (template): containers with hardening options, the resolved user and
   * fsGroup, and the verified object.
   */
  public readonly hardening: PodHardening;

  public constructor(scope: Construct, id: string, props: RootlessCronJobProps) {
    const problems = [...jobProblems(props ?? {}), ...cronJobProblems(props ?? {} as RootlessCronJobProps)];
    // cdk8s-plus-27's constructor throws on some of these, without the construct path: it gets props it accepts when there are
    // problems, and the problems are thrown right after, together and with the path
    super(scope, id, problems.length === 0 ? {
      ...props,
      ...Hardening.kplusWorkloadProps(props),
      restartPolicy: props.restartPolicy ?? kplus.RestartPolicy.NEVER,
      select: props.select ?? false,
    } : { schedule: Cron.daily() });
    throwPropsProblems(this, problems);
    Hardening.applySpread(this, props.spread);
    this.hardening = PodHardening._create(this, props);
    IdentityIndex.register(this); // one identity per object across the app (identity-index.ts)
    this.hardening._addContainers(props);
  }

  /**
   * Adds a hardened container: every security field is set by the hardening. Takes the cdk8s-plus
   * `ContainerProps` only (jsii does not allow an override to widen its parameter type): for the
   * hardening options use `hardening.addContainer`; passing them here (from JavaScript) fails naming it.
   */
  public addContainer(cont: kplus.ContainerProps): kplus.Container {
    return this.hardening._add(cont, false, p => super.addContainer(p));
  }

  /**
   * Adds a hardened init container. Takes the cdk8s-plus `ContainerProps` only: for the hardening
   * options use `hardening.addInitContainer`.
   */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container {
    return this.hardening._add(cont, true, p => super.addInitContainer(p));
  }

  /**
   * Attaches an existing cdk8s-plus container; it is hardened like the others: its user and group are
   * kept, the rest of its security context is the hardened one. A security context that would weaken
   * it (`readOnlyRootFilesystem: false`, `allowPrivilegeEscalation: true`, `privileged: true`,
   * `ensureNonRoot: false`, capabilities) fails as in `addContainer`.
   */
  public attachContainer(cont: kplus.Container): void {
    this.hardening._attach(cont, () => super.attachContainer(cont));
  }

  /**
   * @internal
   */
  public _toPodSpec(): kplus.k8s.PodSpec {
    return this.hardening._podSpec(super._toPodSpec());
  }
}

/** The CronJob fields the API server (or cdk8s-plus-27's constructor) would refuse. */
function cronJobProblems(props: RootlessCronJobProps): string[] {
  const problems: string[] = [];
  const expression = (props.schedule as { expressionString?: unknown } | undefined)?.expressionString;
  if (props.schedule === undefined) {
    problems.push('props.schedule: missing. Fix: set it, e.g. schedule: Cron.daily() or Cron.schedule({ minute: \'30\', hour: \'2\' }).');
  } else if (typeof expression !== 'string') {
    problems.push('props.schedule: is not a cdk8s Cron. Fix: use Cron.daily(), Cron.schedule({ ... }) or another Cron factory.');
  } else {
    const problem = scheduleProblem(expression);
    if (problem) {
      problems.push(`props.schedule: "${expression}" is a schedule the API server refuses: ${problem}. Fix: ${scheduleFix(expression)}`);
    }
  }
  if (props.timeZone !== undefined) {
    const problem = typeof props.timeZone === 'string' ? timeZoneProblem(props.timeZone) : 'not a string';
    if (problem) {
      problems.push(`props.timeZone: ${JSON.stringify(props.timeZone)} is a time zone the API server refuses: ${problem}. `
        + 'Fix: use an IANA time zone name, spelled as in the tz database (e.g. "Europe/Berlin", "America/New_York" or "UTC"), '
        + 'or leave it unset for the kube-controller-manager\'s time zone.');
    }
  }
  if (props.concurrencyPolicy !== undefined && !Object.values(kplus.ConcurrencyPolicy).includes(props.concurrencyPolicy)) {
    problems.push(`props.concurrencyPolicy: ${JSON.stringify(props.concurrencyPolicy)} is not a ConcurrencyPolicy. `
      + 'Fix: use ConcurrencyPolicy.FORBID (the default), ALLOW or REPLACE.');
  }
  if (props.startingDeadline !== undefined) {
    const { seconds, problem } = durationSeconds(props.startingDeadline);
    if (problem || seconds! < MIN_STARTING_DEADLINE_SECONDS) {
      problems.push(`props.startingDeadline: ${problem ?? `is ${seconds} seconds, below ${MIN_STARTING_DEADLINE_SECONDS}: the CronJob controller `
        + 'checks every 10 seconds, so the run could be missed (cdk8s-plus refuses it, on every line)'}. Fix: use at least Duration.seconds(10), or leave it unset.`);
    }
  }
  if (props.suspend !== undefined && typeof props.suspend !== 'boolean') {
    problems.push(`props.suspend: ${JSON.stringify(props.suspend)} is not a boolean. Fix: use true or false.`);
  }
  for (const field of ['successfulJobsRetained', 'failedJobsRetained'] as const) {
    const problem = nonNegativeIntegerProblem(props[field]);
    if (problem) problems.push(`props.${field}: ${problem}. Fix: use the number of finished Jobs to keep, e.g. 3 (0 keeps none).`);
  }
  if (props.ttlAfterFinished !== undefined && (props.successfulJobsRetained !== undefined || props.failedJobsRetained !== undefined)) {
    problems.push('props.ttlAfterFinished: set together with successfulJobsRetained/failedJobsRetained, which cdk8s-plus refuses (every line) '
      + '(the TTL would delete the Jobs the history limits keep). Fix: keep finished Jobs either by count (the history limits) or by age (ttlAfterFinished).');
  }
  return problems;
}
