/**
 * Internal: the one place that turns hardening props + exemptions into a hardened pod spec,
 * annotates the pod template and verifies the final manifest at synthesis.
 *
 * A hardened workload construct (HardenedPod, RootlessDeployment, RootlessStatefulSet) only:
 * 1. passes `Hardening.kplusPodProps(props)` (workloads: `kplusWorkloadProps`) over its props to the
 *    cdk8s-plus constructor,
 * 2. creates `new Hardening(this, props)` and calls `addContainers(props)`,
 * 3. routes `addContainer` / `addInitContainer` / `attachContainer` through it, and
 * 4. overrides `_toPodSpec()` with `hardening.hardenPodSpec(super._toPodSpec())`.
 *
 * Verification, through cdk8s' public surface only: the construct's validation (`node.addValidation`)
 * renders the final manifest with `ApiObject.of(pod).toJson()` — cdk8s' own serialization, JSON
 * patches and resolvers included — and verifies it (`verifyConstruct`). cdk8s runs every validation
 * before it serializes a chart (`app.synth()`, `Testing.synth()`, `cdk8s synth`), so what is written
 * is what was verified. The level annotation is a `Lazy` value computed from that verification.
 *
 * Not exported from the package: jsii sees only the props interfaces.
 */
import { ApiObject, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessAnnotations, VERIFICATION_HOOK } from './annotations';
import { applyPlan } from './apply';
import { WRITABLE_VOLUME_SIZE_MEBIBYTES, writableVolumeName } from './defaults';
import { throwPropsProblems } from './errors';
import { writeAnnotation } from '../exemptions/codec';
import { IdentityIndex } from '../identity-index';
import { HardenedContainerProps, HardenedPodSpecProps } from './options';
import { CONTAINER_HARDENING_OPTIONS, ContainerPlan, PodPlan, planContainer, planPod, podProblems } from './plan';
import { Verification, exemptionProblems, verifyConstruct } from './verify';
import { podTemplateOf } from '../policy/k8s-shapes';

const DEFAULT_SIZE = Size.mebibytes(WRITABLE_VOLUME_SIZE_MEBIBYTES);

/** The objects of this library's hardened constructs (`RootlessHardening.applyTo` leaves them as they are). */
const HARDENED_OBJECTS = new WeakSet<ApiObject>();

/** Whether the object is the pod (or workload) of one of this library's hardened constructs. */
export function isHardenedByConstruct(obj: ApiObject): boolean {
  return HARDENED_OBJECTS.has(obj);
}

/**
 * The hardening of one workload's pod template.
 */
export class Hardening {
  /**
   * The props to pass to the cdk8s-plus constructor over the workload's own props: containers are
   * left out (`addContainers` adds them, hardened) and the security-relevant pod fields are
   * resolved as `hardenPodSpec` emits them, so the cdk8s-plus object model tells the truth.
   * Pure: the props are validated by the constructor, right after.
   */
  public static kplusPodProps(props: HardenedPodSpecProps): kplus.AbstractPodProps {
    const pod = planPod(props);
    return {
      containers: undefined,
      initContainers: undefined,
      securityContext: {
        user: pod.user,
        group: pod.group,
        fsGroup: pod.fsGroup,
        fsGroupChangePolicy: pod.fsGroupChangePolicy,
        ensureNonRoot: pod.user !== 0,
        sysctls: pod.sysctls,
      },
      hostNetwork: pod.relaxes('hostNetwork'),
      automountServiceAccountToken: pod.relaxes('automountServiceAccountToken'),
    };
  }

  /**
   * The props to pass to a cdk8s-plus workload constructor: `kplusPodProps`, and `spread: false`
   * (cdk8s-plus-27 appends the spread terms on every render of the pod spec; `applySpread` adds
   * them once instead).
   */
  public static kplusWorkloadProps(props: HardenedPodSpecProps): kplus.AbstractPodProps & { spread: false } {
    return { ...Hardening.kplusPodProps(props), spread: false };
  }

  /** Adds the spread terms once, as cdk8s-plus-27 would on a single render, when `spread` is asked for. */
  public static applySpread(workload: kplus.Workload, spread: boolean | undefined): void {
    if (!spread) return;
    workload.scheduling.spread({ topology: kplus.Topology.HOSTNAME });
    workload.scheduling.spread({ topology: kplus.Topology.ZONE });
  }

  /** The pod's resolved numeric user (`runAsUser`), if any. */
  public get user(): number | undefined {
    return this.plan.user;
  }

  /** The pod's resolved `fsGroup`, if any. */
  public get fsGroup(): number | undefined {
    return this.plan.fsGroup;
  }

  private readonly plan: PodPlan;
  private readonly containers = new Map<string, ContainerPlan>();
  private adding = false;
  /** Whether containers are being added with hardening options (props, addHardenedContainer): see `withHardeningOptions`. */
  private hardeningOptions = false;
  /** Whether the manifest is being rendered to verify it (the level annotation is then left out). */
  private rendering = false;
  /** Whether cdk8s has validated the app (synthesis is under way): verification errors then fail it. */
  private validated = false;
  /** Whether the level's Lazy verified the object since the verification hook last ran. */
  private levelVerified = false;

  public constructor(private readonly pod: kplus.AbstractPod, private readonly props: HardenedPodSpecProps) {
    this.plan = planPod(props);
    this.fail(podProblems(props, this.plan));
    HARDENED_OBJECTS.add(ApiObject.of(pod));

    const annotations = pod.podMetadata;
    annotations.addAnnotation(RootlessAnnotations.EXEMPTIONS, writeAnnotation(this.plan.exemptions));
    annotations.addAnnotation(RootlessAnnotations.PSS_LEVEL, Lazy.any({ produce: () => this.levelAnnotation() }) as unknown as string);
    // the level's Lazy verifies; a level annotation set later (podMetadata.addAnnotation) would replace it: this hook, under a
    // key of its own, verifies when the level's Lazy did not run since it last did
    annotations.addAnnotation(VERIFICATION_HOOK, Lazy.any({ produce: () => this.verificationHook() }) as unknown as string);
    // cdk8s validates the whole app before it serializes a chart: from then on, verification errors fail synthesis
    // (what needs no rendering is reported here, with every other construct's validation errors)
    pod.node.addValidation({
      validate: () => {
        this.validated = true;
        return exemptionProblems(this.plan, this.containers);
      },
    });
  }

  /** Adds the props' init containers and containers (after `this.hardening` is assigned). */
  public addContainers(props: HardenedPodSpecProps): void {
    this.withHardeningOptions(() => {
      for (const c of props.initContainers ?? []) this.pod.addInitContainer(c);
      for (const c of props.containers ?? []) this.pod.addContainer(c);
    });
  }

  /**
   * Runs `add` (`addHardenedContainer`, `addHardenedInitContainer`, the props' containers) with
   * hardening options allowed; `addContainer` and `addInitContainer` called directly refuse them.
   */
  public withHardeningOptions<T>(add: () => T): T {
    const was = this.hardeningOptions;
    this.hardeningOptions = true;
    try {
      return add();
    } finally {
      this.hardeningOptions = was;
    }
  }

  /**
   * Registers a container added through `addContainer` / `addInitContainer`: validates its
   * hardening options, lets cdk8s-plus create it (`add`) and mounts its writable paths.
   */
  public addContainer(props: HardenedContainerProps, init: boolean, add: (p: kplus.ContainerProps) => kplus.Container): kplus.Container {
    const options = this.hardeningOptions ? []
      : Object.keys(props ?? {}).filter(k => k in CONTAINER_HARDENING_OPTIONS && (props as any)[k] !== undefined);
    if (options.length > 0) {
      const [method, hardened] = init ? ['addInitContainer', 'addHardenedInitContainer'] : ['addContainer', 'addHardenedContainer'];
      this.fail([`${method}(${JSON.stringify(props.name ?? props.image)}): ${options.join(', ')} ${options.length > 1 ? 'are hardening options' : 'is a hardening option'}, `
        + `which ${method} takes only typed as cdk8s-plus ContainerProps (jsii cannot widen it). Fix: call ${hardened}(props), which takes HardenedContainerProps.`]);
    }
    this.adding = true;
    let container: kplus.Container;
    try {
      // security contexts are set by hardenPodSpec; user/group are read from the props in register()
      container = add({ ...props, securityContext: undefined });
    } finally {
      this.adding = false;
    }
    this.register(container, init, props);
    return container;
  }

  /** Registers a container attached as a cdk8s-plus `Container` object (its user/group are kept). */
  public attachContainer(container: kplus.Container): void {
    if (!this.adding) this.register(container, false, {}, true);
  }

  /**
   * The hardened pod spec: the cdk8s-plus spec with every security field set from the props and
   * the exemptions. Security contexts are replaced, not merged: nothing else sets them.
   */
  public hardenPodSpec(spec: kplus.k8s.PodSpec): kplus.k8s.PodSpec {
    return applyPlan(spec, this.plan, this.containers);
  }

  /**
   * The final manifest, as cdk8s serializes it (its own `toJson`, with patches and resolvers), without
   * the level annotation (which is computed from it).
   */
  private render(): any {
    this.rendering = true;
    try {
      return ApiObject.of(this.pod).toJson();
    } finally {
      this.rendering = false;
    }
  }

  /** Verifies a final manifest (verify.ts): everything this construct is responsible for. */
  private verify(manifest: any): Verification {
    return verifyConstruct(manifest, this.plan, this.containers);
  }

  /**
   * The level annotation's producer, which is where verification happens: cdk8s resolves it while it
   * serializes this very object (`ApiObject.toJson()`, in `app.synth()`, `Testing.synth()`, `cdk8s
   * synth`), after every validation and after every earlier object's Lazy values ran. It renders the
   * object once more (without this annotation), verifies that manifest and, once cdk8s has validated
   * the app, throws its errors in cdk8s' own format, naming the construct path. So a JSON patch added
   * by a later construct's validation, or by a Lazy value of an object serialized earlier, is verified
   * too. Outside synthesis (a direct `toJson()`), it only computes the level.
   */
  private levelAnnotation(): string | undefined {
    // while the manifest is rendered to verify it, the annotation is left out of it
    if (this.rendering) return undefined;
    this.levelVerified = true;
    let verification: Verification;
    let manifest: any;
    try {
      manifest = this.render();
      verification = this.verify(manifest);
    } catch (e) {
      if (this.validated) this.throwErrors([`cannot synthesize the pod: ${e instanceof Error ? e.message : e}`]);
      return undefined;
    }
    // a JSON patch may have given the object another identity than the one the index keyed it by
    const errors = this.validated ? [...verification.errors, ...IdentityIndex.renamed(ApiObject.of(this.pod), manifest)] : [];
    if (errors.length > 0) this.throwErrors(errors);
    return verification.level;
  }

  /**
   * The verification hook's producer: when the level's Lazy did not run since the hook last did (a
   * level annotation set after construction replaced it), it verifies the object itself, and a level
   * annotation that is not the pod's level is an error. It never writes its key.
   */
  private verificationHook(): undefined {
    if (this.rendering) return undefined;
    if (this.levelVerified) {
      this.levelVerified = false;
      return undefined;
    }
    let manifest: any;
    let verification: Verification;
    try {
      manifest = this.render();
      verification = this.verify(manifest);
    } catch (e) {
      if (this.validated) this.throwErrors([`cannot synthesize the pod: ${e instanceof Error ? e.message : e}`]);
      return undefined;
    }
    const written = podTemplateOf(manifest)?.metadata?.annotations?.[RootlessAnnotations.PSS_LEVEL];
    const errors = [...verification.errors, ...(this.validated ? IdentityIndex.renamed(ApiObject.of(this.pod), manifest) : [])];
    // undefined: this construct's own Lazy, left out of the render
    if (written !== undefined && written !== verification.level) {
      errors.push(`pod template annotation ${RootlessAnnotations.PSS_LEVEL} is ${JSON.stringify(written)}, but the pod is ${verification.level}: `
        + 'it was set after construction (podMetadata.addAnnotation or a JSON patch). Fix: never write this annotation yourself; the construct computes it.');
    }
    if (this.validated && errors.length > 0) this.throwErrors(errors);
    return undefined;
  }

  private throwErrors(errors: readonly string[]): never {
    const path = this.pod.node.path;
    throw new Error(`Validation failed with the following errors:\n  [${path}] ${errors.join(`\n  [${path}] `)}`);
  }

  private register(container: kplus.Container, init: boolean, opts: Partial<HardenedContainerProps>, attached = false): void {
    const name = container.name;
    const { plan, problems } = planContainer({ container, init, opts, attached, nameTaken: this.containers.has(name), pod: this.plan });
    this.fail(problems);

    const options = { ...this.props.writableVolumes, ...opts.writableVolumes };
    for (const path of plan.paths) {
      const volumeName = this.volumeName(name, path);
      const volume = kplus.Volume.fromEmptyDir(this.pod, `writable-${volumeName}`, volumeName, {
        sizeLimit: options.sizeLimit ?? DEFAULT_SIZE, medium: options.medium,
      });
      container.mount(path, volume);
    }
    this.containers.set(name, plan);
  }

  private volumeName(container: string, path: string): string {
    const taken = new Set(this.pod.node.children.filter(c => c instanceof kplus.Volume).map(v => (v as kplus.Volume).name));
    return writableVolumeName(container, path, taken);
  }

  private fail(problems: string[]): void {
    if (problems.length > 0) {
      throwPropsProblems(this.pod, problems);
    }
  }
}
