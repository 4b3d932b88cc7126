import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HardenedContainerProps, HardenedPodSpecProps } from './hardening';
import { Hardening } from './hardening/hardening';
import { IdentityIndex } from './identity-index';
import { hardenedPodSpec } from './kplus-overrides';

/**
 * Props of a `HardenedPod`: the cdk8s-plus pod props (containers with hardening options)
 * plus the hardening options.
 */
export interface HardenedPodProps extends HardenedPodSpecProps, kplus.ResourceProps {
}

/**
 * A cdk8s-plus `Pod` that meets the Pod Security Standards "restricted" profile at the latest
 * version unless an exemption, declared with a reason, says otherwise.
 *
 * Pod: `runAsNonRoot: true`, numeric `runAsUser`/`runAsGroup`/`fsGroup`,
 * `fsGroupChangePolicy: OnRootMismatch`, `seccompProfile: RuntimeDefault`,
 * `automountServiceAccountToken: false`. Every container (init containers too):
 * `allowPrivilegeEscalation: false`, `privileged: false`, `readOnlyRootFilesystem: true`,
 * `capabilities.drop: [ALL]`, `runAsNonRoot: true`, and an emptyDir at /tmp and at each
 * writable path. The pod template is annotated with the exemptions and the resulting PSS
 * level, and synthesis fails on any Pod Security violation no exemption covers.
 *
 * @example
 * new HardenedPod(chart, 'app', {
 *   user: 1000,
 *   containers: [{ image: 'app:v1.0', portNumber: 8080, writablePaths: ['/var/cache/app'] }],
 * });
 */
export class HardenedPod extends kplus.Pod {
  private readonly hardening: Hardening;

  public constructor(scope: Construct, id: string, props: HardenedPodProps = {}) {
    super(scope, id, { ...props, ...Hardening.kplusPodProps(props) });
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
