import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { throwPropsProblems } from '../internal/errors';
import { Hardening } from './internal/hardening';
import { PodHardening } from './pod-hardening';
import { RootlessWorkloadProps } from './rootless-workload';
import { IdentityIndex } from '../internal/identity-index';
import { alwaysRestartProblems } from '../internal/workload-validation';

/**
 * Props of a `RootlessDeployment`: the cdk8s-plus `DeploymentProps` (containers with hardening
 * options) plus the hardening options.
 */
export interface RootlessDeploymentProps extends RootlessWorkloadProps {
  /**
   * Number of desired pods.
   * @default 2
   */
  readonly replicas?: number;

  /**
   * The strategy used to replace old pods by new ones.
   * @default - RollingUpdate with maxSurge and maxUnavailable set to 25%
   */
  readonly strategy?: kplus.DeploymentStrategy;

  /**
   * Minimum duration for which a newly created pod should be ready without any of its
   * containers crashing, for it to be considered available.
   * @default Duration.seconds(0)
   */
  readonly minReady?: Duration;

  /**
   * The maximum duration for a deployment to make progress before it is considered failed.
   * @default Duration.seconds(600)
   */
  readonly progressDeadline?: Duration;
}

/**
 * A cdk8s-plus `Deployment` whose pod template meets the Pod Security Standards "restricted"
 * profile at the latest version unless an exemption, declared with a reason, says otherwise.
 *
 * The pod template is hardened exactly like a `HardenedPod` (numeric user, seccomp
 * RuntimeDefault, capabilities dropped, read-only root filesystem with emptyDirs at /tmp and at
 * each writable path, no service account token), annotated with the exemptions and the PSS
 * level (on the pod template, where admission reads them), and verified at synthesis.
 *
 * Containers never bind ports below 1024 (a non-root process cannot). To serve port 80, listen on
 * 8080 and map the Service port: `exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] })`.
 *
 * @example
 * const web = new RootlessDeployment(chart, 'web', {
 *   user: 101,
 *   containers: [{ image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }],
 * });
 * web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
 */
export class RootlessDeployment extends kplus.Deployment {
  /**
   * The hardening of the pod (template): containers with hardening options, the resolved user and
   * fsGroup, and the verified object.
   */
  public readonly hardening: PodHardening;

  public constructor(scope: Construct, id: string, props: RootlessDeploymentProps = {}) {
    super(scope, id, { ...props, ...Hardening.kplusWorkloadProps(props) });
    throwPropsProblems(this, alwaysRestartProblems(props.restartPolicy, 'Deployment', 'For a task that runs to completion, use RootlessJob.'));
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
