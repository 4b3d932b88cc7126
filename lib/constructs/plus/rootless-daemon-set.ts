import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { throwPropsProblems } from '../internal/errors';
import { Hardening } from './internal/hardening';
import { PodHardening } from './pod-hardening';
import { RootlessWorkloadProps } from './rootless-workload';
import { IdentityIndex } from '../internal/identity-index';
import { alwaysRestartProblems, nonNegativeIntegerProblem } from '../internal/workload-validation';

/**
 * Props of a `RootlessDaemonSet`: the cdk8s-plus `DaemonSetProps` (containers with hardening
 * options) plus the hardening options.
 *
 * `spread` is refused: a DaemonSet already runs one pod per node, and cdk8s-plus-27's spread is a
 * required anti-affinity that would keep all but one pod per zone from being scheduled.
 * `restartPolicy` may only be `RestartPolicy.ALWAYS` (the API server refuses others for a DaemonSet).
 */
export interface RootlessDaemonSetProps extends RootlessWorkloadProps {
  /**
   * Minimum number of seconds for which a newly created pod should be ready without any of its
   * containers crashing, for it to be considered available.
   * @default 0
   */
  readonly minReadySeconds?: number;
}

/**
 * A cdk8s-plus `DaemonSet` (one pod per node) whose pod template meets the Pod Security Standards
 * "restricted" profile at the latest version unless an exemption, declared with a reason, says
 * otherwise.
 *
 * The pod template is hardened, annotated and verified like a `RootlessDeployment`'s. A node agent
 * that genuinely needs the host (a log shipper reading `/var/log` through a `hostPath` volume, a
 * network agent on the host network) declares it with exemptions and their reasons
 * (`Exemption.hostPath(reason, { paths: ['/var/log'] })`, ...), and the pod template is annotated with the level it really
 * meets (`privileged` for hostPath, which even `baseline` forbids).
 *
 * @example
 * const shipper = new RootlessDaemonSet(chart, 'log-shipper', {
 *   user: 0,
 *   exemptions: [
 *     Exemption.hostPath('reads the container logs the kubelet writes under /var/log on every node', { paths: ['/var/log'] }),
 *     Exemption.runAsRoot('the node\'s log files are readable by root only (mode 0640 root:root)'),
 *   ],
 *   containers: [{ name: 'fluent-bit', image: 'fluent/fluent-bit:3.1.9' }],
 * });
 */
export class RootlessDaemonSet extends kplus.DaemonSet {
  /**
   * The hardening of the pod (template): containers with hardening options, the resolved user and
   * fsGroup, and the verified object.
   */
  public readonly hardening: PodHardening;

  public constructor(scope: Construct, id: string, props: RootlessDaemonSetProps = {}) {
    super(scope, id, { ...props, ...Hardening.kplusWorkloadProps(props) });
    throwPropsProblems(this, daemonSetProblems(props));
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

/** The DaemonSet fields the API server would refuse, and spread. */
function daemonSetProblems(props: RootlessDaemonSetProps): string[] {
  const problems = alwaysRestartProblems(props.restartPolicy, 'DaemonSet', 'For a task that runs to completion, use RootlessJob.');
  if (props.spread) {
    problems.push('props.spread: true adds a required pod anti-affinity per hostname and per zone; a DaemonSet already runs one pod per node, '
      + 'and the zone term would keep all but one of its pods per zone from being scheduled. Fix: remove spread (choose nodes with '
      + 'scheduling.attract or tolerations instead).');
  }
  const minReady = nonNegativeIntegerProblem(props.minReadySeconds);
  if (minReady) problems.push(`props.minReadySeconds: ${minReady}. Fix: use a whole number of seconds, e.g. 10.`);
  return problems;
}
