import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { throwPropsProblems } from '../internal/errors';
import { Hardening } from './internal/hardening';
import { PodHardening } from './pod-hardening';
import { RootlessWorkloadProps } from './rootless-workload';
import { IdentityIndex } from '../internal/identity-index';
import { jobProblems } from '../internal/workload-validation';

/**
 * Props of a `RootlessJob`: the cdk8s-plus `JobProps` (containers with hardening options) plus the
 * hardening options.
 *
 * Two defaults differ from the other rootless workloads, as in cdk8s-plus: `restartPolicy` is
 * `RestartPolicy.NEVER` (a Job's pods must be Never or OnFailure) and `select` is `false` (the
 * Job controller labels and selects its pods itself).
 */
export interface RootlessJobProps extends RootlessWorkloadProps {
  /**
   * How long the Job may be active before the system tries to terminate it
   * (`activeDeadlineSeconds`): a positive whole number of seconds (0, which the API server accepts, would fail the Job at once and is refused).
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;

  /**
   * The number of retries before the Job is marked failed (`backoffLimit`).
   * @default - the API server's default, 6
   */
  readonly backoffLimit?: number;

  /**
   * How long a finished Job (Complete or Failed) is kept before it is deleted
   * (`ttlSecondsAfterFinished`); `Duration.seconds(0)` deletes it as soon as it finishes.
   * @default - the Job is not deleted automatically
   */
  readonly ttlAfterFinished?: Duration;
}

/**
 * A cdk8s-plus `Job` whose pod template meets the Pod Security Standards "restricted" profile at
 * the latest version unless an exemption, declared with a reason, says otherwise.
 *
 * The pod template is hardened like a `RootlessDeployment`'s (numeric user, seccomp RuntimeDefault,
 * capabilities dropped, read-only root filesystem with emptyDirs at /tmp and each writable path, no
 * service account token), annotated on the pod template (where admission reads it) and verified at
 * synthesis. The pods do not restart in place: `restartPolicy` is `Never` unless set to `OnFailure`;
 * `RestartPolicy.ALWAYS`, which the API server refuses for a Job, fails at construction.
 *
 * @example
 * new RootlessJob(chart, 'migrate', {
 *   user: 1000,
 *   backoffLimit: 2,
 *   ttlAfterFinished: Duration.days(1),
 *   containers: [{ name: 'migrate', image: 'registry.example.com/app:1.4.2', args: ['migrate'] }],
 * });
 */
export class RootlessJob extends kplus.Job {
  /**
   * The hardening of the pod (template): containers with hardening options, the resolved user and
   * fsGroup, and the verified object.
   */
  public readonly hardening: PodHardening;

  public constructor(scope: Construct, id: string, props: RootlessJobProps = {}) {
    super(scope, id, {
      ...props,
      ...Hardening.kplusWorkloadProps(props),
      restartPolicy: props.restartPolicy ?? kplus.RestartPolicy.NEVER,
      select: props.select ?? false,
    });
    throwPropsProblems(this, jobProblems(props));
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
