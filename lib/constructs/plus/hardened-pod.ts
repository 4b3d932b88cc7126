import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Hardening } from './internal/hardening';
import { HardenedPodSpecProps } from './options';
import { PodHardening } from './pod-hardening';
import { IdentityIndex } from '../internal/identity-index';

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
  /**
   * The hardening of the pod (template): containers with hardening options, the resolved user and
   * fsGroup, and the verified object.
   */
  public readonly hardening: PodHardening;

  public constructor(scope: Construct, id: string, props: HardenedPodProps = {}) {
    super(scope, id, { ...props, ...Hardening.kplusPodProps(props) });
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
