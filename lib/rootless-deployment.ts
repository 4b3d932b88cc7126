import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HardenedContainerProps } from './hardening';
import { throwPropsProblems } from './hardening/errors';
import { Hardening } from './hardening/hardening';
import { IdentityIndex } from './identity-index';
import { hardenedPodSpec } from './kplus-overrides';
import { RootlessWorkloadProps } from './rootless-workload';
import { alwaysRestartProblems } from './workload-validation';

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
  private readonly hardening: Hardening;

  public constructor(scope: Construct, id: string, props: RootlessDeploymentProps = {}) {
    super(scope, id, { ...props, ...Hardening.kplusWorkloadProps(props) });
    throwPropsProblems(this, alwaysRestartProblems(props.restartPolicy, 'Deployment', 'For a task that runs to completion, use RootlessJob.'));
    Hardening.applySpread(this, props.spread);
    this.hardening = new Hardening(this, props);
    IdentityIndex.register(this); // one identity per object across the app (identity-index.ts)
    this.hardening.addContainers(props);
  }

  /**
   * Adds a hardened container: every security field is set by the hardening.
   *
   * Takes the cdk8s-plus `ContainerProps` only (jsii does not allow an override to widen its
   * parameter type). For the hardening options (`user`, `group`, `preset`, `writablePaths`,
   * `writableTmp`, `writableVolumes`, `customImage`) use `addHardenedContainer`; passing them
   * here (from JavaScript, where the type is not checked) fails with an error naming it.
   */
  public addContainer(cont: kplus.ContainerProps): kplus.Container {
    return this.hardening.addContainer(cont, false, p => super.addContainer(p));
  }

  /**
   * Adds a hardened container with the container-level hardening options (`HardenedContainerProps`).
   */
  public addHardenedContainer(cont: HardenedContainerProps): kplus.Container {
    return this.hardening.withHardeningOptions(() => this.addContainer(cont));
  }

  /**
   * Adds a hardened init container. Takes the cdk8s-plus
   * `ContainerProps` only: for the hardening options use `addHardenedInitContainer`.
   */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container {
    return this.hardening.addContainer(cont, true, p => super.addInitContainer(p));
  }

  /**
   * Adds a hardened init container with the container-level hardening options (`HardenedContainerProps`).
   */
  public addHardenedInitContainer(cont: HardenedContainerProps): kplus.Container {
    return this.hardening.withHardeningOptions(() => this.addInitContainer(cont));
  }

  /**
   * Attaches an existing cdk8s-plus container; it is hardened like the others: its user and
   * group are kept, the rest of its security context is the hardened one. A security context
   * that would weaken it (`readOnlyRootFilesystem: false`, `allowPrivilegeEscalation: true`,
   * `privileged: true`, `ensureNonRoot: false`, capabilities) fails as in `addContainer`.
   */
  public attachContainer(cont: kplus.Container): void {
    super.attachContainer(cont);
    this.hardening.attachContainer(cont);
  }

  /**
   * @internal
   */
  public _toPodSpec(): kplus.k8s.PodSpec {
    return hardenedPodSpec(this.hardening, super._toPodSpec());
  }
}
