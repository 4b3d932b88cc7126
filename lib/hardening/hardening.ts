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
 * patches and resolvers included — and verifies it (`verifyManifest`). cdk8s runs every validation
 * before it serializes a chart (`app.synth()`, `Testing.synth()`, `cdk8s synth`), so what is written
 * is what was verified. The level annotation is a `Lazy` value computed from that verification.
 *
 * Not exported from the package: jsii sees only the props interfaces.
 */
import { ApiObject, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PodSecurity, PolicyLevel, Violation } from '../policy';
import { RootlessAnnotations } from './annotations';
import { revertExemptions } from './declared-exemptions';
import {
  FIRST_UNPRIVILEGED_PORT, MAX_ID, UNPRIVILEGED_PORT_SYSCTL, WRITABLE_TMP, WRITABLE_VOLUME_SIZE_MEBIBYTES,
  hardenedContainerSecurityContext, hardenedPodFields, hardenedPodSecurityContext, writableVolumeName,
} from './defaults';
import { ExemptionKind as K } from './exemption';
import { containersOf, podTemplateOf } from '../policy/k8s-shapes';
import { entryOf, entryProblems, writeAnnotation } from './exemptions/codec';
import type { ExemptionValue } from './exemptions/kind';
import { kindOf, kindsRelaxing } from './exemptions/registry';
import { describeExemption, exemptionValue } from './exemptions/value';
import { ImagePreset } from './image-preset';
import { ContainerHardeningOptions, HardenedContainerProps, HardenedPodSpecProps } from './options';
import { normalizePath as normalize, pathProblem as containerPathProblem } from './paths';
import { RootlessFinding } from './rootless-rules';
import { kubeletRefusals, misplacedClaims, suggestedPort, unbindablePorts, unreachableCapabilities } from './runtime-checks';
import { judgeRootless, mergeKeyPaths } from './verify';

type Mutable<T> = { -readonly [P in keyof T]: T[P] };
/** The cdk8s-plus (pre-serialization) pod spec: its field names are cdk8s's (`hostPid`), not the API's (`hostPID`). */
type RawPodSpec = Omit<Mutable<kplus.k8s.PodSpec>, 'securityContext'> & { securityContext: Mutable<kplus.k8s.PodSecurityContext> };
type RawSecurityContext = Omit<Mutable<kplus.k8s.SecurityContext>, 'capabilities'> & { capabilities: Mutable<kplus.k8s.Capabilities> };

const DEFAULT_SIZE = Size.mebibytes(WRITABLE_VOLUME_SIZE_MEBIBYTES);

/** A verification of a final manifest. */
interface Verification {
  readonly errors: string[];
  readonly level: PolicyLevel;
}

/** The per-container result of registration. */
interface ContainerPlan {
  readonly user?: number;
  readonly group?: number;
  /** The image preset that applies to the container (its own, or the pod's), for the data-path check. */
  readonly preset?: ImagePreset;
}

/**
 * The container-level hardening options (`ContainerHardeningOptions`): `addContainer` (typed as
 * cdk8s-plus `ContainerProps`, which jsii does not allow to widen) refuses them, naming
 * `addHardenedContainer`. Typed so that a new option cannot be left out.
 */
const CONTAINER_HARDENING_OPTIONS: Record<keyof ContainerHardeningOptions, true> = {
  user: true, group: true, preset: true, writablePaths: true, writableTmp: true, writableVolumes: true, customImage: true,
};

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
    const pod = resolvePod(props);
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
      hostNetwork: pod.has(K.HOST_NETWORK),
      automountServiceAccountToken: pod.has(K.SERVICE_ACCOUNT_TOKEN),
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

  private readonly plan: ReturnType<typeof resolvePod>;
  private readonly containers = new Map<string, ContainerPlan>();
  private adding = false;
  /** Whether containers are being added with hardening options (props, addHardenedContainer): see `withHardeningOptions`. */
  private hardeningOptions = false;
  /** Whether the manifest is being rendered to verify it (the level annotation is then left out). */
  private rendering = false;
  /** The level of the last verification. */
  private level?: PolicyLevel;

  public constructor(private readonly pod: kplus.AbstractPod, private readonly props: HardenedPodSpecProps) {
    this.plan = resolvePod(props);
    this.fail(this.validatePod());

    const annotations = pod.podMetadata;
    annotations.addAnnotation(RootlessAnnotations.EXEMPTIONS, writeAnnotation(this.plan.exemptions));
    annotations.addAnnotation(RootlessAnnotations.PSS_LEVEL, Lazy.any({ produce: () => this.levelAnnotation() }) as unknown as string);
    pod.node.addValidation({ validate: () => this.validate() });
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
    const p = this.plan;
    const effective = (name: string) => this.containers.get(name)?.user ?? p.user;
    const all = [...spec.initContainers ?? [], ...spec.containers];
    // cdk8s-plus builds a new spec (and new container objects) on every call: set the fields in place
    const out = spec as RawPodSpec;
    // the hardened defaults are defaults.ts's (shared with `cdk8s-rootless harden`); key order as before
    const pod = hardenedPodSecurityContext();
    out.securityContext = {
      runAsNonRoot: p.user !== 0 && all.every(c => effective(c.name) !== 0) ? pod.runAsNonRoot : undefined,
      runAsUser: p.user,
      runAsGroup: p.group,
      fsGroup: p.fsGroup,
      fsGroupChangePolicy: p.fsGroupChangePolicy,
      seccompProfile: pod.seccompProfile,
      sysctls: p.sysctls.length > 0 ? p.sysctls : undefined,
    };
    out.hostNetwork = false;
    out.automountServiceAccountToken = hardenedPodFields().automountServiceAccountToken;
    const harden = (c: kplus.k8s.Container): kplus.k8s.Container => {
      const plan = this.containers.get(c.name);
      const sc: RawSecurityContext = {
        // allowPrivilegeEscalation, privileged, readOnlyRootFilesystem, capabilities, runAsNonRoot (a fresh copy)
        ...hardenedContainerSecurityContext(),
        // a container that runs as root says so explicitly: it must not inherit a pod-level `true`
        // (the kubelet would refuse it), and the manifest should not leave it implicit
        runAsNonRoot: effective(c.name) !== 0,
        runAsUser: plan?.user,
        runAsGroup: plan?.group,
      };
      for (const e of p.exemptions) if (e.container === undefined || e.container === c.name) kindOf(e.kind).applyContainer?.(sc, e);
      (c as Mutable<kplus.k8s.Container>).securityContext = sc;
      return c;
    };
    out.containers = spec.containers.map(harden);
    out.initContainers = spec.initContainers?.map(harden);
    for (const e of p.exemptions) if (e.container === undefined) kindOf(e.kind).applyPod?.(out, e);
    return out;
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

  /**
   * The validation: verifies the final manifest. cdk8s runs every construct's validations before it
   * serializes a chart (`app.synth()`, `Testing.synth()`, `cdk8s synth`), so the manifest verified
   * here is the one written; its level is kept for the annotation.
   */
  private validate(): string[] {
    this.level = undefined;
    let manifest: any;
    try {
      manifest = this.render();
    } catch (e) {
      return [...this.exemptionProblems(), `cannot synthesize the pod: ${e instanceof Error ? e.message : e}`];
    }
    const verification = this.verifyManifest(manifest);
    this.level = verification.level;
    return verification.errors;
  }

  /** The `rootless.cdk8s.io/pss-level` value: the level of the last verification (computed on demand outside synthesis). */
  private levelAnnotation(): string | undefined {
    // while the manifest is rendered to compute the level, the annotation is left out of it
    if (this.rendering) return undefined;
    if (this.level === undefined) {
      try {
        this.level = this.verifyManifest(this.render()).level;
      } catch {
        return undefined; // the validation reports why it cannot be rendered
      }
    }
    return this.level;
  }

  /** Exemptions that name a container the pod does not have. */
  private exemptionProblems(): string[] {
    if (this.plan.exemptions.every(e => e.container === undefined)) return [];
    const names = new Set(this.containers.keys());
    return this.plan.exemptions
      .filter(e => e.container !== undefined && !names.has(e.container))
      .map(e => `exemptions: ${describeExemption(e)} names a container that is not in the pod (containers: ${[...names].join(', ') || 'none'}). `
        + 'Fix: use the name of an init or regular container, or remove the exemption.');
  }

  /**
   * Verifies a final manifest (without its level annotation): synthesis errors and the PSS level.
   * Everything the construct is responsible for: the exemptions annotation says exactly what was
   * declared; Pod Security restricted and the rootless rules hold unless a declared exemption
   * covers them (verify.ts, the judgement the admission policy is tested against); every container
   * says runAsNonRoot explicitly; no `<<` key; the kubelet would start it; ports bind; mounts are unique.
   */
  private verifyManifest(manifest: any): Verification {
    const errors = this.exemptionProblems();
    const template = podTemplateOf(manifest);
    const spec = template?.spec;
    errors.push(...kubeletProblems(spec), ...portProblems(spec), ...mountProblems(spec));
    errors.push(...this.annotationProblems(template?.metadata?.annotations));
    for (const at of mergeKeyPaths(manifest)) {
      errors.push(`${at}: a "<<" key is a merge key to YAML 1.1 readers such as kubectl, which would apply something else than this manifest. `
        + 'Fix: remove it (JSON patches and raw objects must not write "<<").');
    }
    for (const c of containersOf(spec)) {
      if (typeof c.securityContext?.runAsNonRoot !== 'boolean') {
        errors.push(`container "${c.name}": securityContext.runAsNonRoot is not set explicitly (it was removed after construction). `
          + 'Fix: do not patch the security fields the hardening manages; declare an exemption instead.');
      }
    }
    // a claim mounted where the image does not keep its data (e.g. at PGDATA itself, below the preset's dataPath)
    const dataPaths = new Map([...this.containers].filter(([, c]) => c.preset?.dataPath !== undefined).map(([n, c]) => [n, c.preset!.dataPath!]));
    for (const m of misplacedClaims(spec, dataPaths)) {
      const preset = this.containers.get(m.container)!.preset!;
      errors.push(`container "${m.container}": the claim "${m.volume}" is mounted at ${m.mountPath}, but the image (${preset._source}) keeps its data in `
        + `${m.dataPath}${m.below ? ', and a claim mounted below it holds the data directory itself: on a fresh volume its lost+found makes '
          + 'the image\'s initialisation fail (initdb refuses a non-empty directory)' : ': the data would not be on the claim'}. `
        + `Fix: mount the claim at ${m.dataPath}. Moving the data directory instead (e.g. PGDATA) is not done for you: on an existing claim it `
        + 'would initialise a new, empty database next to the old data; if you did configure the image to keep its data elsewhere, describe '
        + `that with a preset of your own: ImagePreset.of({ ..., dataPath: '${m.mountPath}' }).`);
    }
    // added capabilities a non-root process never holds (runtime-checks.ts): refused, like low ports
    for (const { container, capabilities, user } of unreachableCapabilities(spec)) {
      const scope = `{ container: '${container}' }`;
      errors.push(`container "${container}": capabilities ${capabilities.join(', ')} are added, but the container runs as `
        + `${user === undefined ? 'a non-root user' : `UID ${user}`} with allowPrivilegeEscalation: false, so its process never holds them `
        + '(Kubernetes gives a non-root process no ambient capabilities, and no_new_privs disables file capabilities): it would fail with EPERM. '
        + `Fix: declare Exemption.runAsRoot(reason, ${scope}) for that container; or drop the capabilities (remove them from `
        + `Exemption.addCapabilities); or declare Exemption.privilegeEscalation(reason, ${scope}) and give the image's binary the file `
        + `capability (setcap ${capabilities.map(c => `cap_${c.toLowerCase()}`).join(',')}+ep /path/to/binary).`);
    }

    const exemptions = this.plan.exemptions;
    const verdict = judgeRootless(manifest, exemptions);
    // without exemptions, the judgement evaluated the manifest itself
    const result = exemptions.length === 0 ? verdict.uncovered : PodSecurity.evaluate(manifest);
    if (verdict.uncovered.malformed) errors.push(`the synthesized manifest is malformed: ${verdict.uncovered.malformed}`);
    errors.push(...verdict.uncovered.violations.map(describeViolation));
    errors.push(...verdict.rootless.map(describeFinding));
    const names = exemptions.length > 0 ? new Set(this.containers.keys()) : undefined;
    for (const e of exemptions) {
      if ((e.container === undefined || names!.has(e.container)) && sameJson(revertExemptions(manifest, [e]), manifest)) {
        errors.push(`exemptions: ${describeExemption(e)} covers nothing: the synthesized pod does not use what it exempts. `
          + 'Fix: remove the exemption (or the setting that overrides it).');
      }
    }
    return { errors, level: result.allowed ? PolicyLevel.RESTRICTED : PodSecurity.strictestLevel(manifest) };
  }

  /** The emitted exemptions annotation must be the canonical form of exactly the declared exemptions. */
  private annotationProblems(annotations: any): string[] {
    const key = RootlessAnnotations.EXEMPTIONS;
    const expected = writeAnnotation(this.plan.exemptions);
    const emitted = typeof annotations === 'object' && annotations !== null ? annotations[key] : undefined;
    if (emitted === expected) return [];
    return [`pod template annotation ${key} is ${emitted === undefined ? 'missing' : JSON.stringify(emitted)}, but the construct declares ${expected}: `
      + 'it was changed after construction (podMetadata.addAnnotation or a JSON patch), and would claim exemptions that were not declared or hide ones that were. '
      + 'Fix: declare exemptions only through props.exemptions (Exemption factories), and never write this annotation yourself.'];
  }

  private register(container: kplus.Container, init: boolean, opts: Partial<HardenedContainerProps>, attached = false): void {
    const name = container.name;
    const prop = `${init ? 'initContainers' : 'containers'}[${name}]`;
    const problems: string[] = [];
    if (this.containers.has(name)) {
      problems.push(`${prop}.name: "${name}" is already used by another container. Fix: give every container a unique name.`);
    }
    const preset = opts.preset ?? (!init && opts.user === undefined && opts.securityContext?.user === undefined ? this.plan.preset : undefined);
    const rootExempt = this.plan.exemptions.some(e => e.kind === K.RUN_AS_ROOT && (e.container === undefined || e.container === name));
    const scopedRoot = this.plan.exemptions.some(e => e.kind === K.RUN_AS_ROOT && e.container === name);
    const user = opts.user ?? opts.securityContext?.user ?? container.securityContext.user ?? preset?.user ?? (scopedRoot ? 0 : undefined);
    const group = opts.group ?? opts.securityContext?.group ?? container.securityContext.group ?? preset?.group;
    problems.push(...idProblems(prop, { user, group }));
    if (user === 0 && !rootExempt) {
      problems.push(`${prop}.user: 0 runs the container as root. Fix: use the image's non-root UID, `
        + `or declare Exemption.runAsRoot(reason, { container: '${name}' }).`);
    }
    // an attached container's settings are its own security context: refused like addContainer's props
    problems.push(...weakeningProblems(`${prop}.securityContext`, attached ? container.securityContext : opts.securityContext, name));
    const known = opts.customImage === true ? undefined : ImagePreset._mismatch(container.image, user ?? this.plan.user);
    if (known) {
      const effective = user ?? this.plan.user;
      const from = preset ? preset._source : user !== undefined ? `${prop}.user` : 'props.user';
      problems.push(`${prop}.image: "${container.image}" is the image of ${known._source}, which runs as UID ${known.user}, but the container `
        + `runs as UID ${effective} (from ${from}): its files belong to another user. Fix: use preset: ${known._source} `
        + `(ImagePreset.forImage(${JSON.stringify(container.image)})), or user: ${known.user}; or, if you built this image yourself with `
        + `UID ${effective}, say so with customImage: true on the container.`);
    }
    for (const field of ['user', 'group'] as const) {
      if (opts[field] !== undefined && opts.securityContext?.[field] !== undefined && opts[field] !== opts.securityContext[field]) {
        problems.push(`${prop}.securityContext.${field} contradicts ${prop}.${field}. Fix: set only ${prop}.${field}.`);
      }
    }

    // writable paths: /tmp, the preset's, the container's own
    const own = opts.writablePaths ?? [];
    const paths: string[] = [];
    for (const [i, raw] of own.entries()) {
      const problem = pathProblem(raw);
      if (problem) problems.push(`${prop}.writablePaths[${i}]: "${raw}" ${problem}. Fix: use an absolute, normalized path such as /var/cache/app.`);
      else if (own.slice(0, i).some(p => normalize(p) === normalize(raw))) problems.push(`${prop}.writablePaths[${i}]: "${raw}" is listed twice. Fix: list each path once.`);
    }
    for (const p of [...opts.writableTmp === false ? [] : [WRITABLE_TMP], ...preset?.writablePaths ?? [], ...own.filter(x => !pathProblem(x))]) {
      if (!paths.includes(normalize(p))) paths.push(normalize(p));
    }
    for (const m of opts.volumeMounts ?? []) {
      if (paths.includes(normalize(m.path))) {
        problems.push(`${prop}.writablePaths: "${normalize(m.path)}" is also a volumeMount of the container: the emptyDir would shadow that volume. `
          + (normalize(m.path) === WRITABLE_TMP
            ? 'Fix: set writableTmp: false on the container to use your own volume at /tmp; or, if you only need a larger /tmp, drop your volume '
              + 'and set writableVolumes: { sizeLimit } (e.g. Size.gibibytes(2)).'
            : 'Fix: drop the path from writablePaths (the mounted volume is writable already) or mount the volume elsewhere.'));
      }
    }
    this.fail(problems);

    const options = { ...this.props.writableVolumes, ...opts.writableVolumes };
    for (const path of paths) {
      const volumeName = this.volumeName(name, path);
      const volume = kplus.Volume.fromEmptyDir(this.pod, `writable-${volumeName}`, volumeName, {
        sizeLimit: options.sizeLimit ?? DEFAULT_SIZE, medium: options.medium,
      });
      container.mount(path, volume);
    }
    this.containers.set(name, { user, group, preset });
  }

  private volumeName(container: string, path: string): string {
    const taken = new Set(this.pod.node.children.filter(c => c instanceof kplus.Volume).map(v => (v as kplus.Volume).name));
    return writableVolumeName(container, path, taken);
  }

  private validatePod(): string[] {
    const { props, plan } = this;
    const problems = [...idProblems('props', { user: plan.user, group: plan.group, fsGroup: plan.fsGroup })];
    if (plan.user === undefined) {
      problems.push('props.user: no user is set. Fix: set user to the numeric UID the image runs as (its USER; a name such as '
        + '"nobody" cannot be verified by the kubelet), or pass a preset such as ImagePreset.postgres().');
    } else if (plan.user === 0 && !plan.exemptions.some(e => e.kind === K.RUN_AS_ROOT && e.container === undefined)) {
      problems.push('props.user: 0 runs every container as root. Fix: use the image\'s non-root UID, or declare '
        + 'Exemption.runAsRoot(reason) (or scope it to one container with { container } and keep a non-root pod user).');
    }
    for (const [field, sc] of [['user', props.securityContext?.user], ['group', props.securityContext?.group], ['fsGroup', props.securityContext?.fsGroup]] as const) {
      const own = (props as any)[field];
      if (own !== undefined && sc !== undefined && own !== sc) {
        problems.push(`props.securityContext.${field}: ${sc} contradicts props.${field}: ${own}. Fix: set only props.${field}.`);
      }
    }
    if (props.securityContext?.ensureNonRoot === false) {
      problems.push('props.securityContext.ensureNonRoot: false is not how root is allowed here. Fix: declare Exemption.runAsRoot(reason).');
    }
    if (props.hostNetwork && !plan.has(K.HOST_NETWORK)) {
      problems.push('props.hostNetwork: true shares the node\'s network namespace. Fix: remove it, or declare Exemption.hostNetwork(reason).');
    }
    if (props.automountServiceAccountToken && !plan.has(K.SERVICE_ACCOUNT_TOKEN)) {
      problems.push('props.automountServiceAccountToken: true mounts an API token into every container. '
        + 'Fix: remove it, or declare Exemption.serviceAccountToken(reason).');
    }
    const start = props.unprivilegedPortStart;
    if (start !== undefined) {
      if (!Number.isInteger(start) || start < 0 || start > 65535) {
        problems.push(`props.unprivilegedPortStart: ${start} is not a port number. Fix: use an integer in 0..65535, e.g. 80.`);
      }
      if (plan.has(K.HOST_NETWORK)) {
        problems.push('props.unprivilegedPortStart: the sysctl needs the pod\'s own network namespace, and Exemption.hostNetwork '
          + 'shares the node\'s. Fix: drop one of them.');
      }
      if (props.securityContext?.sysctls?.some(s => s.name === UNPRIVILEGED_PORT_SYSCTL)) {
        problems.push(`props.securityContext.sysctls: ${UNPRIVILEGED_PORT_SYSCTL} is set twice. Fix: set it only through props.unprivilegedPortStart.`);
      }
    }
    for (const i of plan.invalid) {
      problems.push(`props.exemptions[${i}]: not an Exemption. Fix: make it with the Exemption factories, e.g. Exemption.runAsRoot(reason).`);
    }
    const seen = new Set<string>();
    for (const [i, e] of plan.exemptions.entries()) {
      const prop = `props.exemptions[${plan.indexes[i]}] (${describeExemption(e)})`;
      const key = `${e.kind}|${e.container ?? ''}`;
      if (seen.has(key)) problems.push(`${prop}: declared twice. Fix: declare it once.`);
      seen.add(key);
      for (const p of entryProblems({ ...entryOf(e) }, kindOf(e.kind))) problems.push(`${prop}${p.field ? `.${p.field}` : ''}: ${p.problem}`);
    }
    const seccomp = plan.exemptions.filter(e => e.kind === K.SECCOMP_LOCALHOST || e.kind === K.SECCOMP_UNCONFINED);
    if (new Set(seccomp.map(e => e.container ?? '')).size < seccomp.length) {
      problems.push('props.exemptions: two seccomp exemptions for the same scope. Fix: keep one seccomp profile per pod or container.');
    }
    return problems;
  }

  private fail(problems: string[]): void {
    if (problems.length > 0) {
      throw new Error(`${this.pod.constructor.name} ${this.pod.node.path}: invalid hardening props:\n  ${problems.join('\n  ')}`);
    }
  }
}

/** Resolves the pod-level settings once, for the cdk8s-plus props and for the spec. */
function resolvePod(props: HardenedPodSpecProps) {
  // the construct's own copies of the exemptions (immutable values): changing what was passed changes nothing
  const exemptions: ExemptionValue[] = [];
  const indexes: number[] = [];
  const invalid: number[] = [];
  (Array.isArray(props.exemptions) ? props.exemptions : props.exemptions === undefined ? [] : [undefined]).forEach((e, i) => {
    const value = exemptionValue(e);
    if (value) {
      exemptions.push(value);
      indexes.push(i);
    } else {
      invalid.push(i);
    }
  });
  const has = (kind: K) => exemptions.some(e => e.kind === kind);
  const sc = props.securityContext;
  const podRoot = exemptions.some(e => e.kind === K.RUN_AS_ROOT && e.container === undefined);
  const user = props.user ?? sc?.user ?? props.preset?.user ?? (podRoot ? 0 : undefined);
  const group = props.group ?? sc?.group ?? props.preset?.group ?? user;
  const sysctls = [...sc?.sysctls ?? []];
  if (props.unprivilegedPortStart !== undefined) sysctls.push({ name: UNPRIVILEGED_PORT_SYSCTL, value: String(props.unprivilegedPortStart) });
  return {
    user,
    group,
    exemptions,
    indexes,
    invalid,
    has,
    sysctls,
    preset: props.preset,
    fsGroup: props.fsGroup ?? sc?.fsGroup ?? props.preset?.fsGroup ?? group,
    fsGroupChangePolicy: sc?.fsGroupChangePolicy ?? hardenedPodSecurityContext().fsGroupChangePolicy as kplus.FsGroupChangePolicy,
  };
}

function idProblems(prop: string, ids: { [field: string]: number | undefined }): string[] {
  return Object.entries(ids)
    .filter(([, v]) => v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= MAX_ID))
    .map(([field, v]) => `${prop}.${field}: ${v} is not a numeric ID. Fix: use an integer in 0..${MAX_ID} (e.g. the image's UID/GID).`);
}

/** cdk8s-plus security-context props that would weaken a hardened container, and the exemption to use instead. */
function weakeningProblems(prop: string, sc: kplus.ContainerSecurityContextProps | undefined, container: string): string[] {
  if (!sc) return [];
  const scope = `{ container: '${container}' }`;
  const weak: [boolean, string, string][] = [
    [sc.ensureNonRoot === false, 'ensureNonRoot: false', `Exemption.runAsRoot(reason, ${scope})`],
    [sc.privileged === true, 'privileged: true', `Exemption.privileged(reason, ${scope})`],
    [sc.readOnlyRootFilesystem === false, 'readOnlyRootFilesystem: false', `writablePaths, or Exemption.writableRootFilesystem(reason, ${scope})`],
    [sc.allowPrivilegeEscalation === true, 'allowPrivilegeEscalation: true', `Exemption.privilegeEscalation(reason, ${scope})`],
    [sc.capabilities !== undefined, 'capabilities', `Exemption.addCapabilities(['NET_ADMIN'], reason, ${scope}) (ALL is always dropped)`],
  ];
  return weak.filter(([bad]) => bad).map(([, what, fix]) => `${prop}.${what} is managed by the hardening. Fix: remove it and use ${fix}.`);
}

/** A writable path's problem, or undefined (`/` is a root-filesystem exemption, not a writable path). */
function pathProblem(path: string): string | undefined {
  return containerPathProblem(path, 'that is Exemption.writableRootFilesystem');
}

/** Deep equality of JSON values, key order ignored, an undefined property the same as a missing one. */
function sameJson(a: any, b: any): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  let defined = 0;
  for (const k of Object.keys(a)) {
    const v = a[k];
    if (v === undefined) continue;
    defined++;
    if (!sameJson(v, b[k])) return false;
  }
  // each defined property of a is defined in b: b has no other when it has no more properties
  const keys = Object.keys(b);
  if (keys.length === defined) return true;
  for (const k of keys) if (b[k] !== undefined) defined--;
  return defined === 0;
}

function describeFinding(f: RootlessFinding): string {
  const kinds = kindsRelaxing(f.rule);
  return `${f.detail} (rootless rule ${f.rule}), and no exemption covers it. Fix: ${f.fix}.`
    + (kinds.length > 0 ? ` Or, if the workload really needs it, declare ${kinds.map(k => k.hint).join(' or ')}.` : '');
}

function describeViolation(v: Violation): string {
  const named = (v.containers ?? []).every(c => v.detail.includes(`"${c}"`));
  const where = !v.containers?.length ? 'pod: ' : named ? '' : `container${v.containers.length > 1 ? 's' : ''} ${v.containers.map(c => `"${c}"`).join(', ')}: `;
  const kinds = kindsRelaxing(v.check);
  const hint = kinds.length > 0 ? kinds.map(k => k.hint).join(' or ') : undefined;
  return `${where}${v.detail} (PSS ${v.level} check ${v.check}), and no exemption covers it. Fix: ${v.fix}`
    + (hint ? ` Or, if the workload really needs it, declare ${hint}.` : '');
}

/** The kubelet refuses a container whose effective runAsNonRoot is true and whose effective user is 0 (runtime-checks.ts). */
function kubeletProblems(spec: any): string[] {
  return kubeletRefusals(spec)
    .map(r => `container "${r.container}": effective runAsNonRoot is true and effective runAsUser is 0: the kubelet would refuse to start it. `
      + 'Fix: run it as a non-zero UID, or declare Exemption.runAsRoot(reason, { container }) and do not set runAsNonRoot on it.');
}

/**
 * Ports below FIRST_UNPRIVILEGED_PORT (1024, or the pod sysctl's value) that the container cannot bind: only a
 * root process that holds NET_BIND_SERVICE can (runtime-checks.ts).
 */
function portProblems(spec: any): string[] {
  return unbindablePorts(spec).map(({ container, port, start, root }) =>
    `container "${container}": port ${port} is below ${start}, and a ${root ? 'root process without NET_BIND_SERVICE' : 'non-root process'} cannot bind it. `
    + `Fix: listen on a port >= ${FIRST_UNPRIVILEGED_PORT} (e.g. ${suggestedPort(port)}) and map the Service port `
    + `(port: ${port}, targetPort: the new port); or set unprivilegedPortStart: ${port} `
    + `(the pod sysctl ${UNPRIVILEGED_PORT_SYSCTL}, allowed by PSS restricted). `
    + (root
      ? `Or, as the container runs as root, declare Exemption.addCapabilities(['NET_BIND_SERVICE'], reason, { container: '${container}' }).`
      : 'NET_BIND_SERVICE does not help: Kubernetes gives a non-root process no ambient capabilities, and allowPrivilegeEscalation: false disables file capabilities.'));
}

/** Two mounts at one path in a container (e.g. a writable path and a volume mounted later): the API rejects it. */
function mountProblems(spec: any): string[] {
  const problems: string[] = [];
  for (const c of containersOf(spec)) {
    const paths: string[] = (c.volumeMounts ?? []).map((m: any) => m?.mountPath);
    for (const p of new Set(paths.filter((x, i) => paths.indexOf(x) !== i))) {
      problems.push(`container "${c.name}": two volumes are mounted at ${p}. Fix: mount one volume per path `
        + '(a writable path already has its own emptyDir).');
    }
  }
  return problems;
}
