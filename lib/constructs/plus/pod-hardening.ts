/**
 * `PodHardening`: the hardening facet of every construct of this library (`construct.hardening`, as
 * cdk8s-plus hangs `pod.scheduling` off a pod). It owns the hardened container routing: each construct
 * class keeps only its constructor and the one-line overrides of `addContainer`, `addInitContainer`,
 * `attachContainer` and `_toPodSpec` that delegate here (jsii has no mixins); the glue is `Hardening`
 * (hardening.ts). Its public surface uses only types that belong to no cdk8s-plus line: the library's
 * structs, cdk8s' `ApiObject` and `constructs.IConstruct` (docs/architecture.md, "…a construct").
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { checkCoreVersion } from './internal/core-version';
import { Hardening } from './internal/hardening';
import { ClaimMount, hardenedPodSpec } from './internal/kplus-overrides';
import { HardenedContainerProps, HardenedPodSpecProps } from './options';

/**
 * The hardening of one pod or pod template: `construct.hardening` on every construct of this library.
 *
 * @example
 * const web = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: 'registry.example/web:1', portNumber: 8080 }] });
 * web.hardening.addContainer({ name: 'sidecar', image: 'registry.example/sidecar:1', user: 2000, writablePaths: ['/var/cache/sidecar'] });
 */
export class PodHardening {
  /**
   * The facet of a construct (called by its constructor, right after `super()`).
   * @internal
   */
  public static _create(pod: kplus.AbstractPod, props: HardenedPodSpecProps): PodHardening {
    checkCoreVersion(PodHardening); // the core installed is the one this line package was released with
    return new PodHardening(pod, new Hardening(pod, props));
  }

  /** The construct whose pod (template) this hardens. */
  public readonly pod: IConstruct;

  private readonly kplusPod: kplus.AbstractPod;
  private readonly glue: Hardening;
  private claims?: () => { mounts: readonly ClaimMount[]; initContainer: string };

  private constructor(pod: kplus.AbstractPod, glue: Hardening) {
    this.pod = pod;
    this.kplusPod = pod;
    this.glue = glue;
  }

  /**
   * The object cdk8s writes for the pod (template), verified each time it is serialized.
   */
  public get apiObject(): ApiObject {
    return ApiObject.of(this.kplusPod);
  }

  /**
   * The pod's numeric user (`runAsUser`), from the props or the image preset.
   * @default - none (each container sets its own)
   */
  public get user(): number | undefined {
    return this.glue.user;
  }

  /**
   * The pod's `fsGroup`, from the props or the image preset (the pod's group when neither says).
   * @default - none when the pod has no user
   */
  public get fsGroup(): number | undefined {
    return this.glue.fsGroup;
  }

  /**
   * Adds a hardened container with the container-level hardening options (`user`, `group`, `preset`,
   * `writablePaths`, `writableTmp`, `writableVolumes`, `customImage`); the construct's `containers` then
   * list it. The construct's own `addContainer` takes the cdk8s-plus `ContainerProps` only.
   */
  public addContainer(props: HardenedContainerProps): void {
    this._withOptions(() => this.kplusPod.addContainer(props));
  }

  /**
   * Adds a hardened init container with the container-level hardening options (see `addContainer`);
   * the construct's `initContainers` then list it.
   */
  public addInitContainer(props: HardenedContainerProps): void {
    this._withOptions(() => this.kplusPod.addInitContainer(props));
  }

  /**
   * Runs `add` with the hardening options allowed (the props' containers, `addContainer` here).
   * @internal
   */
  public _withOptions<T>(add: () => T): T {
    return this.glue.withHardeningOptions(add);
  }

  /**
   * Adds the props' init containers and containers (the construct's constructor, once `hardening` is assigned).
   * @internal
   */
  public _addContainers(props: HardenedPodSpecProps): void {
    this.glue.addContainers(props);
  }

  /**
   * The construct's `addContainer` / `addInitContainer`: refuses hardening options there, lets
   * cdk8s-plus create the container (`add`, the construct's `super`) and hardens it.
   * @internal
   */
  public _add(props: kplus.ContainerProps, init: boolean, add: (p: kplus.ContainerProps) => kplus.Container): kplus.Container {
    return this.glue.addContainer(props, init, add);
  }

  /**
   * The construct's `attachContainer`: cdk8s-plus attaches it (`attach`, the construct's `super`), then it is hardened.
   * @internal
   */
  public _attach(container: kplus.Container, attach: () => void): void {
    attach();
    this.glue.attachContainer(container);
  }

  /**
   * Claims mounted into the containers when the pod spec is rendered (a RootlessStatefulSet's).
   * @internal
   */
  public _mountClaims(claims: () => { mounts: readonly ClaimMount[]; initContainer: string }): void {
    this.claims = claims;
  }

  /**
   * The emptyDir volumes made for writable paths, by volume name: the container and the path each serves.
   * @internal
   */
  public _writableVolumes(): ReadonlyMap<string, { readonly container: string; readonly path: string }> {
    return this.glue.writableVolumes;
  }

  /**
   * The construct's `_toPodSpec`: the cdk8s-plus pod spec, hardened (lib/constructs/internal/kplus-overrides.ts).
   * @internal
   */
  public _podSpec(spec: kplus.k8s.PodSpec): kplus.k8s.PodSpec {
    return hardenedPodSpec(this.glue, spec, this.claims?.());
  }
}
