/**
 * Internal: the one place that turns hardening props + exemptions into a hardened pod spec,
 * annotates the pod template and verifies the final manifest at synthesis.
 *
 * A hardened construct (HardenedPod and the five workloads) only:
 * 1. passes `Hardening.kplusPodProps(props)` (workloads: `kplusWorkloadProps`) over its props to the
 *    cdk8s-plus constructor,
 * 2. creates its facet, `this.hardening = PodHardening._create(this, props)` (pod-hardening.ts, which
 *    creates this glue), and calls `hardening._addContainers(props)`, and
 * 3. overrides `addContainer`, `addInitContainer`, `attachContainer` and `_toPodSpec` with one line each
 *    that delegates to the facet (test/constructs/workloads/construct-overrides.test.ts checks the six are alike).
 *
 * Verification: the one verifier (lib/constructs/internal/output-verifier.ts) verifies the object each time cdk8s
 * serializes it (`ApiObject.of(pod).toJson()`: cdk8s' own serialization, JSON patches and resolvers
 * included; once per object in `app.synth()`, `Testing.synth()`, `cdk8s synth`, and in a direct `toJson()`)
 * with `verify` (verify.ts, `verifyConstruct`), and writes the level into the level annotation. Errors
 * fail every serialization, naming the construct path.
 *
 * Not exported from the package: jsii sees only the props interfaces.
 */
import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct, IValidation } from 'constructs';
import { applyPlan } from './apply';
import { CONTAINER_HARDENING_OPTIONS, ContainerPlan, PodPlan, planContainer, planPod, podProblems } from './plan';
import { writeAnnotation } from '../../../exemptions/codec';
import { LEVEL_PLACEHOLDER, RootlessAnnotations } from '../../../hardening/annotations';
import { WRITABLE_VOLUME_SIZE_MEBIBYTES, writableVolumeName } from '../../../hardening/defaults';
import { HardeningNotes } from '../../../hardening/hardening-notes';
import { USER_RULE } from '../../../hardening/user-rule';
import { Verification, exemptionProblems, verifyConstruct } from '../../../hardening/verify';
import { podTemplateOf } from '../../../policy/k8s-shapes';
import { throwPropsProblems } from '../../internal/errors';
import { NoteReporter } from '../../internal/hardening-report';
import { markHardenedByConstruct } from '../../internal/identity-index';
import { OutputCheck, OutputVerification, OutputVerifier } from '../../internal/output-verifier';
import { HardenedContainerProps, HardenedPodSpecProps } from '../options';

const DEFAULT_SIZE = Size.mebibytes(WRITABLE_VOLUME_SIZE_MEBIBYTES);

/** The plan `kplusPodProps` made of a construct's props, for the `Hardening` the same constructor creates next. */
const PLANNED = new WeakMap<HardenedPodSpecProps, PodPlan>();

/**
 * The hardening of one workload's pod template.
 */
export class Hardening implements OutputCheck, IValidation {
  /**
   * The props to pass to the cdk8s-plus constructor over the workload's own props: containers are
   * left out (`addContainers` adds them, hardened) and the security-relevant pod fields are
   * resolved as `hardenPodSpec` emits them, so the cdk8s-plus object model tells the truth.
   * Pure: the props are validated by the constructor, right after.
   */
  public static kplusPodProps(props: HardenedPodSpecProps): kplus.AbstractPodProps {
    const pod = planPod(props);
    PLANNED.set(props, pod);
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
  /** Whether containers are being added with hardening options (props, `hardening.addContainer`): see `withHardeningOptions`. */
  private hardeningOptions = false;
  /** Whether cdk8s has validated the construct (synthesis is under way): the notes are then printed when the object is written. */
  private validated = false;
  /** The containers whose notes were recorded (once each: cdk8s validates more than once per synthesis), and the errors they gave. */
  private readonly notesRecorded = new Set<string>();
  private readonly noteErrors: string[] = [];
  /** The emptyDir volumes made for writable paths, by volume name: the container and the path each serves. */
  private readonly writable = new Map<string, { readonly container: string; readonly path: string; readonly volume: kplus.Volume }>();
  /** The root of the construct's tree (a construct's scopes never change), looked up once: each serialization flushes its notes. */
  private treeRoot?: IConstruct;

  public constructor(private readonly pod: kplus.AbstractPod, private readonly props: HardenedPodSpecProps) {
    // planned once per construct: by kplusPodProps, for the cdk8s-plus constructor called just before
    this.plan = PLANNED.get(props) ?? planPod(props);
    PLANNED.delete(props);
    this.fail(podProblems(props, this.plan));
    if (props.notes !== undefined && !Object.values(HardeningNotes).includes(props.notes)) {
      this.fail([`props.notes: ${JSON.stringify(props.notes)} is not a HardeningNotes. Fix: give HardeningNotes.PRINT, HardeningNotes.NONE or HardeningNotes.FAIL.`]);
    }
    markHardenedByConstruct(ApiObject.of(pod));

    const annotations = pod.podMetadata;
    annotations.addAnnotation(RootlessAnnotations.EXEMPTIONS, writeAnnotation(this.plan.exemptions));
    // the one verifier writes the level here when cdk8s serializes the object, from what it serialized
    annotations.addAnnotation(RootlessAnnotations.PSS_LEVEL, LEVEL_PLACEHOLDER);
    // this is the check of the one verifier and the construct's validation (methods, not closures: one object per construct)
    OutputVerifier.attach(ApiObject.of(pod), this);
    pod.node.addValidation(this);
    // this object is reachable (constructs' list of validations): none of its methods can be replaced on it (nor on its
    // class, frozen below), so the check the verifier calls is this one
    Object.seal(this);
  }

  /** The construct path the verifier's errors name (read only for an error). */
  public get path(): string {
    return this.pod.node.path;
  }

  /**
   * The one verifier's check (output-verifier.ts), of each serialization of the object: the construct's notes, and `verifyManifest`.
   */
  public verify(manifest: any): OutputVerification {
    // the construct's validation records the notes; a construct created while cdk8s validated is not validated, so here too
    const notes = this.recordNotes();
    // the notes are printed once, when the first object is written, after every validation has run
    if (this.validated) NoteReporter.of(this.root).flush();
    const v = this.verifyManifest(manifest);
    return { errors: notes.length === 0 ? v.errors : [...v.errors, ...notes], level: v.level };
  }

  /** The one verifier's errors when cdk8s' serialization threw. */
  public serializationFailed(e: unknown): string[] {
    return [`cannot synthesize the pod: ${e instanceof Error ? e.message : e}`];
  }

  /**
   * The construct's validation: what needs no rendering is reported here, with every other construct's validation errors (the
   * verifier reports it too, for a construct cdk8s does not validate); from then on the notes are printed when the object is written.
   */
  public validate(): string[] {
    this.validated = true;
    return [...exemptionProblems(this.plan, this.containers), ...this.volumeNameProblems(), ...this.recordNotes()];
  }

  /** Adds the props' init containers and containers (after `this.hardening` is assigned). */
  public addContainers(props: HardenedPodSpecProps): void {
    this.withHardeningOptions(() => {
      for (const c of props.initContainers ?? []) this.pod.addInitContainer(c);
      for (const c of props.containers ?? []) this.pod.addContainer(c);
    });
  }

  /**
   * Runs `add` (`hardening.addContainer`, `hardening.addInitContainer`, the props' containers) with
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
      const method = init ? 'addInitContainer' : 'addContainer';
      const hardened = `hardening.${method}`;
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
   * The one verifier's check of this pod (lib/constructs/internal/output-verifier.ts): everything this construct is
   * responsible for (verify.ts), on the object as cdk8s serialized it, and the level annotation: the
   * placeholder the verifier replaces with the level, or a value set after construction that must be it.
   */
  private verifyManifest(manifest: any): Verification {
    const v = verifyConstruct(manifest, this.plan, this.containers);
    const written = podTemplateOf(manifest)?.metadata?.annotations?.[RootlessAnnotations.PSS_LEVEL];
    if (written !== LEVEL_PLACEHOLDER && written !== v.level) {
      v.errors.push(`pod template annotation ${RootlessAnnotations.PSS_LEVEL} is ${written === undefined ? 'missing' : JSON.stringify(written)}, but the pod is ${v.level}: `
        + 'it was set after construction (podMetadata.addAnnotation or a JSON patch). Fix: never write this annotation yourself; the construct computes it.');
    }
    return v;
  }

  /**
   * Records the containers' notes that need a human with the one reporter (hardening-report.ts, shared with
   * applyTo), once per container (one added after a first recording is recorded at the next); returns the errors
   * when `props.notes` is FAIL.
   */
  private recordNotes(): string[] {
    // each verification and validation asks; containers are only ever added
    if (this.notesRecorded.size === this.containers.size) return this.noteErrors.length === 0 ? [] : [...this.noteErrors];
    const fresh = [...this.containers].filter(([name]) => !this.notesRecorded.has(name));
    for (const [name] of fresh) this.notesRecorded.add(name);
    const notes = fresh.flatMap(([, c]) => (c.note !== undefined ? [{ rule: USER_RULE, message: c.note }] : []));
    if (notes.length > 0) {
      this.noteErrors.push(...NoteReporter.of(this.root).record(this.pod, this.pod.node.path, notes, this.props.notes ?? HardeningNotes.PRINT, 'props.notes'));
    }
    return [...this.noteErrors];
  }

  private get root(): IConstruct {
    return this.treeRoot ??= this.pod.node.root;
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
      this.writable.set(volumeName, { container: name, path, volume });
    }
    this.containers.set(name, plan);
  }

  /** The emptyDir volumes made for writable paths, by volume name (a StatefulSet's claim template must not take one's name). */
  public get writableVolumes(): ReadonlyMap<string, { readonly container: string; readonly path: string }> {
    return this.writable;
  }

  /**
   * Volumes of the user's named like an emptyDir made for a writable path (the name was free among the pod's own volumes when
   * it was made; a volume from elsewhere, or one added later, can take it): cdk8s-plus would refuse them with "two different
   * volumes have the same name", naming neither the writable path nor the fix.
   */
  private volumeNameProblems(): string[] {
    if (this.writable.size === 0) return [];
    const problems: string[] = [];
    const reported = new Set<kplus.Volume>();
    for (const { volume, where } of podVolumes(this.pod)) {
      const own = this.writable.get(volume.name);
      if (own === undefined || own.volume === volume || reported.has(volume)) continue;
      reported.add(volume);
      problems.push(`${where}: volume "${volume.name}" has the name of the emptyDir the construct made for writable path "${own.path}" of container `
        + `"${own.container}" (cdk8s-plus refuses two volumes of one name). Fix: give that volume another name.`);
    }
    return problems;
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

// the verifier's check and the construct's validation are this class' methods (see the constructor): fixed
Object.freeze(Hardening.prototype);

/**
 * The volumes of a pod as cdk8s-plus collects them when it renders (its own, then each init and app container's mounts), with
 * where each comes from, read without rendering.
 */
export function podVolumes(pod: kplus.AbstractPod): { volume: kplus.Volume; where: string }[] {
  const out = pod.volumes.map(volume => ({ volume, where: `props.volumes[${volume.name}]` }));
  for (const c of [...pod.initContainers, ...pod.containers]) {
    for (const m of c.mounts) out.push({ volume: m.volume, where: `container "${c.name}" volumeMounts[${m.path}]` });
  }
  return out;
}
