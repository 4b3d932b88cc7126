/**
 * Internal: the one place that turns hardening props + exemptions into a hardened pod spec,
 * annotates the pod template and verifies the final manifest at synthesis.
 *
 * A hardened workload construct (HardenedPod, RootlessDeployment, RootlessStatefulSet) only:
 * 1. passes `Hardening.kplusPodProps(props)` over its props to the cdk8s-plus constructor,
 * 2. creates `new Hardening(this, props)` and calls `addContainers(props)`,
 * 3. routes `addContainer` / `addInitContainer` / `attachContainer` through it, and
 * 4. overrides `_toPodSpec()` with `hardening.hardenPodSpec(super._toPodSpec())`.
 *
 * Verification (once per synthesis): the construct's validation verifies the manifest, predicted
 * from the hardened spec (or serialized, when the ApiObject has JSON patches); the Hardening takes
 * over the ApiObject's `toJson`, so what cdk8s emits is checked against what was verified
 * (deep-equal on everything the verification reads) and verified itself when it differs, then
 * annotated with its level. No manifest leaves synthesis unverified.
 *
 * Not exported from the package: jsii sees only the props interfaces.
 */
import { ApiObject, ApiObjectMetadataDefinition, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PodSecurity, PolicyLevel, Violation } from '../policy';
import { RootlessAnnotations } from './annotations';
import { revertExemptions } from './declared-exemptions';
import {
  FIRST_UNPRIVILEGED_PORT, MAX_ID, UNPRIVILEGED_PORT_SYSCTL, WRITABLE_TMP, WRITABLE_VOLUME_SIZE_MEBIBYTES,
  hardenedContainerSecurityContext, hardenedPodFields, hardenedPodSecurityContext, writableVolumeName,
} from './defaults';
import { ExemptionKind as K } from './exemption';
import { containersOf, podTemplateOf, withPodTemplate } from '../policy/k8s-shapes';
import { entryOf, entryProblems, writeAnnotation } from './exemptions/codec';
import type { ExemptionValue } from './exemptions/kind';
import { kindOf, kindsRelaxing } from './exemptions/registry';
import { describeExemption, exemptionValue } from './exemptions/value';
import { HardenedContainerProps, HardenedPodSpecProps } from './options';
import { normalizePath as normalize, pathProblem as containerPathProblem } from './paths';
import { RootlessFinding } from './rootless-rules';
import { kubeletRefusals, suggestedPort, unbindablePorts } from './runtime-checks';
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

/**
 * Everything the verification reads from a manifest: apiVersion, kind, pod template metadata and
 * spec (private copies: nothing else holds them, so they cannot change after verification).
 */
interface PodParts {
  readonly apiVersion: unknown;
  readonly kind: unknown;
  readonly metadata: unknown;
  readonly spec: unknown;
}

/** A successful verification, and the parts of the manifest it verified. */
interface Verified extends Verification {
  readonly parts: PodParts;
}

/** The per-container result of registration. */
interface ContainerPlan {
  readonly user?: number;
  readonly group?: number;
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
  private synthesizing = false;
  /** The last successful verification, with the manifest it verified. */
  private verified?: Verified;
  /** Whether cdk8s has validated the construct (then an emitted manifest that fails verification is an error). */
  private validated = false;
  /** The ApiObject's own serialization (cdk8s's `toJson`), without the level annotation. */
  private readonly serialize: () => any;

  public constructor(private readonly pod: kplus.AbstractPod, private readonly props: HardenedPodSpecProps) {
    this.plan = resolvePod(props);
    this.fail(this.validatePod());

    const annotations = pod.podMetadata;
    annotations.addAnnotation(RootlessAnnotations.EXEMPTIONS, writeAnnotation(this.plan.exemptions));
    annotations.addAnnotation(RootlessAnnotations.PSS_LEVEL, Lazy.any({
      // while the level itself is being computed, the annotation is left out of the manifest
      produce: () => this.synthesizing ? undefined : this.verify().level,
    }) as unknown as string);
    pod.node.addValidation({
      validate: () => {
        this.validated = true;
        return this.verify().errors;
      },
    });

    // What cdk8s emits is the manifest that was verified (see emit()).
    const api = ApiObject.of(pod);
    const toJson = api.toJson.bind(api);
    this.serialize = () => this.guarded(toJson);
    api.toJson = () => this.emit();
  }

  /** Adds the props' init containers and containers (after `this.hardening` is assigned). */
  public addContainers(props: HardenedPodSpecProps): void {
    for (const c of props.initContainers ?? []) this.pod.addInitContainer(c);
    for (const c of props.containers ?? []) this.pod.addContainer(c);
  }

  /**
   * Registers a container added through `addContainer` / `addInitContainer`: validates its
   * hardening options, lets cdk8s-plus create it (`add`) and mounts its writable paths.
   */
  public addContainer(props: HardenedContainerProps, init: boolean, add: (p: kplus.ContainerProps) => kplus.Container): kplus.Container {
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
    if (!this.adding) this.register(container, false, {});
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
   * The ApiObject's `toJson` (what cdk8s emits): the manifest cdk8s serializes, verified, with its
   * level annotation. Serialization is cdk8s's own; the last verification is reused only when
   * everything it read from its manifest (apiVersion, kind, pod template metadata and spec) is
   * deep-equal in this one (`sameParts`), and redone on this one otherwise. A manifest that fails
   * verification after the construct was validated (it changed since) fails synthesis here.
   */
  private emit(): any {
    const manifest = this.serialize();
    let verification: Verification | undefined = this.verified;
    if (verification === undefined || !sameParts(this.verified!.parts, manifest)) {
      verification = this.verifyManifest(manifest);
      if (verification.errors.length > 0 && this.validated) {
        throw new Error(`Validation failed with the following errors:\n  [${this.pod.node.path}] ${verification.errors.join(`\n  [${this.pod.node.path}] `)}`);
      }
      // a copy: the manifest is handed to cdk8s (and annotated below)
      if (verification.errors.length === 0) this.verified = { ...verification, parts: JSON.parse(JSON.stringify(partsOf(manifest))) };
    }
    annotateLevel(manifest, verification.level);
    return manifest;
  }

  /**
   * A cheap prediction of the parts of the manifest that verification reads (apiVersion, kind, pod
   * template metadata and spec), from the hardened spec before serialization (see `toApiJson`), as
   * a manifest with those parts only. Its objects are fresh (`predictMetadata` and `toApiJson`
   * build new ones), so nothing can change them later. Only a prediction: emit()
   * compares the real manifest's parts with it, and verifies the real manifest when they differ.
   */
  private predict(): any {
    const api = ApiObject.of(this.pod);
    return this.guarded(() => withPodTemplate(api.apiVersion, api.kind, {
      metadata: predictMetadata(this.pod.podMetadata),
      spec: toApiJson(this.pod._toPodSpec()),
    }));
  }

  private guarded<T>(fn: () => T): T {
    this.synthesizing = true;
    try {
      return fn();
    } finally {
      this.synthesizing = false;
    }
  }

  /**
   * The validation (and the level, outside synthesis). cdk8s validates every construct once per
   * chart before it serializes the chart; once a verification succeeded, these passes reuse it,
   * since emit() checks the real manifest against it. Without JSON patches, the manifest verified
   * here is predicted from the hardened spec (`predict()`), which spares a second serialization of
   * every object: emit() then proves the prediction right, or verifies the real manifest.
   */
  private verify(): { readonly errors: string[]; readonly level: PolicyLevel } {
    if (this.verified) return this.verified;
    const predicted = ((ApiObject.of(this.pod) as any).patches?.length ?? 1) === 0;
    let manifest: any;
    try {
      manifest = predicted ? this.predict() : this.serialize();
    } catch (e) {
      return { errors: [...this.exemptionProblems(), `cannot synthesize the pod: ${e instanceof Error ? e.message : e}`], level: PolicyLevel.PRIVILEGED };
    }
    let verification = this.verifyManifest(manifest);
    if (verification.errors.length > 0 && predicted) {
      // errors on a prediction are reported only if the real manifest has them too
      verification = this.verifyManifest(this.serialize());
    }
    // the manifest is this method's own (predicted, or serialized here): its parts are kept as they are
    if (verification.errors.length === 0) this.verified = { ...verification, parts: partsOf(manifest) };
    return verification;
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

    const result = PodSecurity.evaluate(manifest);
    const exemptions = this.plan.exemptions;
    const verdict = judgeRootless(manifest, exemptions);
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

  private register(container: kplus.Container, init: boolean, opts: Partial<HardenedContainerProps>): void {
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
    problems.push(...weakeningProblems(`${prop}.securityContext`, opts.securityContext, name));
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
          + 'Fix: drop the path from writablePaths (the mounted volume is writable already) or mount the volume elsewhere.');
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
    this.containers.set(name, { user, group });
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

/** cdk8s field names that differ from the API's (cdk8s-plus-27 imports), in pod specs. */
const API_NAMES: Record<string, string> = {
  hostIpc: 'hostIPC',
  hostPid: 'hostPID',
  hostIp: 'hostIP',
  setHostnameAsFqdn: 'setHostnameAsFQDN',
  downwardApi: 'downwardAPI',
  scaleIo: 'scaleIO',
  diskUri: 'diskURI',
  pdId: 'pdID',
  volumeId: 'volumeID',
  targetWwNs: 'targetWWNs',
  datasetUuid: 'datasetUUID',
  storagePolicyId: 'storagePolicyID',
};

/**
 * A pod spec as cdk8s serializes it, for the common case: Lazy values produced, number/string
 * unions (Quantity, IntOrString) unwrapped, null and undefined dropped, API field names. A
 * prediction only (no schema filter, no custom resolvers, no patches): emit() checks it.
 */
function toApiJson(value: any): any {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toApiJson);
  if (value instanceof Lazy) return toApiJson(value.produce());
  if (value.constructor !== Object && (typeof value.value === 'string' || typeof value.value === 'number')) return value.value;
  // key order is not cdk8s's: the comparison with the real manifest ignores it (sameJson)
  const out: any = {};
  for (const key of Object.keys(value)) {
    const v = toApiJson(value[key]);
    if (v !== undefined && v !== null) out[API_NAMES[key] ?? key] = v;
  }
  return out;
}

/**
 * The pod (template) metadata as cdk8s serializes it (`ApiObjectMetadataDefinition.toJson`) for the
 * common case, without cdk8s's resolution (the slow part of it): Lazy values produced, null,
 * undefined, empty lists and empty objects dropped. A prediction only (no custom resolvers): emit()
 * checks it. Reads the fields `toJson` reads, and uses `toJson` itself should they not be there or
 * hold anything but plain JSON and Lazy values (a resolver might render it; cdk8s would refuse it).
 */
function predictMetadata(metadata: ApiObjectMetadataDefinition): any {
  const m = metadata as any;
  const object = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!object(m._additionalAttributes) || !object(m.labels) || !object(m.annotations)
    || !Array.isArray(m.finalizers) || !Array.isArray(m.ownerReferences)) {
    return metadata.toJson();
  }
  try {
    return toSanitizedJson({
      ...m._additionalAttributes,
      name: m.name,
      namespace: m.namespace,
      annotations: m.annotations,
      finalizers: m.finalizers,
      ownerReferences: m.ownerReferences,
      labels: m.labels,
    });
  } catch (e) {
    if (e === NOT_PLAIN) return metadata.toJson();
    throw e;
  }
}

/** Thrown by `toSanitizedJson` on a value that is neither plain JSON nor Lazy. */
const NOT_PLAIN = new Error('not plain JSON');

/**
 * A fresh copy of a value as cdk8s's sanitization leaves it (Lazy values produced; null, undefined,
 * [] and {} dropped); throws NOT_PLAIN on any other object.
 */
function toSanitizedJson(value: any): any {
  if (value === null || typeof value !== 'object') return value ?? undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(toSanitizedJson);
  if (value instanceof Lazy) return toSanitizedJson(value.produce());
  if (value.constructor !== Object) throw NOT_PLAIN;
  const out: any = {};
  let empty = true;
  for (const key of Object.keys(value)) {
    const v = toSanitizedJson(value[key]);
    if (v !== undefined && v !== null) {
      out[key] = v;
      empty = false;
    }
  }
  return empty ? undefined : out;
}

/** Everything the verification reads from a manifest (apiVersion, kind, pod template metadata and spec). */
function partsOf(manifest: any): PodParts {
  const template = podTemplateOf(manifest);
  return { apiVersion: manifest?.apiVersion, kind: manifest?.kind, metadata: template?.metadata, spec: template?.spec };
}

/** Whether a manifest has these parts (deep-equal, `sameJson`): then its verification is theirs. */
function sameParts(parts: PodParts, manifest: any): boolean {
  if (parts.apiVersion !== manifest?.apiVersion || parts.kind !== manifest?.kind) return false;
  const template = podTemplateOf(manifest);
  return sameJson(parts.metadata, template?.metadata) && sameJson(parts.spec, template?.spec);
}

/** The pod (template) metadata inside a Pod or workload manifest. */
function podMetadataIn(manifest: any): any {
  const template = podTemplateOf(manifest);
  if (manifest?.kind !== 'Pod' && template && typeof template === 'object') template.metadata ??= {};
  return template?.metadata;
}

/** Adds the level annotation where cdk8s would have put it (keys sorted unless CDK8S_DISABLE_SORT). */
function annotateLevel(manifest: any, level: PolicyLevel): void {
  const metadata = podMetadataIn(manifest);
  if (!metadata || typeof metadata !== 'object') return;
  const annotations = metadata.annotations ?? {};
  const keys = Object.keys(annotations).filter(k => k !== RootlessAnnotations.PSS_LEVEL);
  if (process.env.CDK8S_DISABLE_SORT) {
    const after = keys.indexOf(RootlessAnnotations.EXEMPTIONS);
    keys.splice(after < 0 ? keys.length : after + 1, 0, RootlessAnnotations.PSS_LEVEL);
  } else {
    // the default order (UTF-16 code units) is cdk8s's
    keys.push(RootlessAnnotations.PSS_LEVEL);
    keys.sort();
  }
  metadata.annotations = Object.fromEntries(keys.map(k => [k, k === RootlessAnnotations.PSS_LEVEL ? level : annotations[k]]));
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
