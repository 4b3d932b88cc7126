/**
 * Internal: the plan stage of the hardening (see docs/architecture.md, "Hardening: plan, apply,
 * verify"): props in, plan and problems out. Pure: it creates no construct and changes nothing;
 * the glue class (hardening.ts) throws the problems and creates the writable-path volumes.
 */
import type * as kplus from 'cdk8s-plus-27';
import { entryOf, entryProblems } from '../../../exemptions/codec';
import type { ExemptionValue } from '../../../exemptions/kind';
import { exclusionProblems, hintForField, kindOf, relaxesField } from '../../../exemptions/registry';
import { describeExemption, exemptionValue } from '../../../exemptions/value';
import { MAX_ID, UNPRIVILEGED_PORT_SYSCTL, WRITABLE_TMP, hardenedPodSecurityContext } from '../../../hardening/defaults';
import { ImagePreset } from '../../../hardening/image-preset';
import { cleanPath as normalize, isNumericId, pathProblem as containerPathProblem } from '../../../hardening/paths';
import { arbitraryUserNote, checkGivenUser } from '../../../hardening/user-rule';
import { ContainerHardeningOptions, HardenedContainerProps, HardenedPodSpecProps } from '../options';

/** The pod-level plan: the resolved user, group, fsGroup, sysctls and the construct's own copies of the exemptions. */
export type PodPlan = ReturnType<typeof planPod>;

/** The plan of one container. */
export interface ContainerPlan {
  readonly user?: number;
  readonly group?: number;
  /** The image preset that describes the container's program (data-path.ts checks its data directory). */
  readonly preset?: ImagePreset;
  /** The writable paths that get an emptyDir each (normalized, in order). */
  readonly paths: readonly string[];
  /**
   * The note that needs a human (rule USER_RULE, user-rule.ts) when a given UID that is not the image's
   * own is taken by an image that runs under an arbitrary UID (a preset's `arbitraryUser`).
   */
  readonly note?: string;
}

/**
 * The container-level hardening options (`ContainerHardeningOptions`): `addContainer` (typed as
 * cdk8s-plus `ContainerProps`, which jsii does not allow to widen) refuses them, naming
 * `hardening.addContainer`. Typed so that a new option cannot be left out.
 */
export const CONTAINER_HARDENING_OPTIONS: Record<keyof ContainerHardeningOptions, true> = {
  user: true, group: true, preset: true, writablePaths: true, writableTmp: true, writableVolumes: true, customImage: true,
};

/** Resolves the pod-level settings once, for the cdk8s-plus props and for the spec. */
export function planPod(props: HardenedPodSpecProps) {
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
  /** Whether a pod-wide exemption relaxes this pod field (its API name). */
  const relaxes = (field: string) => relaxesField(exemptions, field);
  const sc = props.securityContext;
  const podRoot = relaxesField(exemptions, 'runAsUser');
  const user = props.user ?? sc?.user ?? props.preset?.user ?? (podRoot ? 0 : undefined);
  // where the pod's user comes from, for messages
  const userFrom = props.user !== undefined ? 'props.user' : sc?.user !== undefined ? 'props.securityContext.user'
    : props.preset ? props.preset._source : 'props.user';
  const group = props.group ?? sc?.group ?? props.preset?.group ?? user;
  const sysctls = [...sc?.sysctls ?? []];
  if (props.unprivilegedPortStart !== undefined) sysctls.push({ name: UNPRIVILEGED_PORT_SYSCTL, value: String(props.unprivilegedPortStart) });
  return {
    user,
    userFrom,
    group,
    exemptions,
    indexes,
    invalid,
    relaxes,
    sysctls,
    preset: props.preset,
    fsGroup: props.fsGroup ?? sc?.fsGroup ?? props.preset?.fsGroup ?? group,
    fsGroupChangePolicy: sc?.fsGroupChangePolicy ?? hardenedPodSecurityContext().fsGroupChangePolicy as kplus.FsGroupChangePolicy,
  };
}


/** What is wrong with the pod-level props (each problem names the prop and the fix). */
export function podProblems(props: HardenedPodSpecProps, plan: PodPlan): string[] {
  const problems = [...idProblems('props', { user: plan.user, group: plan.group, fsGroup: plan.fsGroup })];
  if (plan.user === undefined) {
    problems.push('props.user: no user is set. Fix: set user to the numeric UID the image runs as (its USER; a name such as '
      + `"nobody" cannot be verified by the kubelet), or pass a preset: ${presetHints(props)}.`);
  } else if (plan.user === 0 && !relaxesField(plan.exemptions, 'runAsUser')) {
    problems.push('props.user: 0 runs every container as root. Fix: use the image\'s non-root UID, or declare '
      + 'Exemption.runAsRoot(reason) (or scope it to one container with { container } and keep a non-root pod user).');
  }
  const psc = props.securityContext;
  // null from JavaScript is no security context, as undefined
  for (const field of psc === undefined || psc === null ? [] : ['user', 'group', 'fsGroup'] as const) {
    const own = props[field];
    const sc = psc![field];
    if (own !== undefined && sc !== undefined && own !== sc) {
      problems.push(`props.securityContext.${field}: ${sc} contradicts props.${field}: ${own}. Fix: set only props.${field}.`);
    }
  }
  if (props.securityContext?.ensureNonRoot === false) {
    problems.push('props.securityContext.ensureNonRoot: false is not how root is allowed here. Fix: declare Exemption.runAsRoot(reason).');
  }
  if (props.hostNetwork && !plan.relaxes('hostNetwork')) {
    problems.push(`props.hostNetwork: true shares the node's network namespace. Fix: remove it, or declare ${hintForField('hostNetwork')}.`);
  }
  if (props.automountServiceAccountToken && !plan.relaxes('automountServiceAccountToken')) {
    problems.push('props.automountServiceAccountToken: true mounts an API token into every container. '
      + `Fix: remove it, or declare ${hintForField('automountServiceAccountToken')}.`);
  }
  const start = props.unprivilegedPortStart;
  if (start !== undefined) {
    if (!Number.isInteger(start) || start < 0 || start > 65535) {
      problems.push(`props.unprivilegedPortStart: ${start} is not a port number. Fix: use an integer in 0..65535, e.g. 80.`);
    }
    if (plan.relaxes('hostNetwork')) {
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
    // a read-only and a writable hostPath exemption may both be declared
    const key = `${e.kind}|${e.container ?? ''}|${e.writable ?? ''}`;
    if (seen.has(key)) problems.push(`${prop}: declared twice. Fix: declare it once.`);
    seen.add(key);
    for (const p of entryProblems({ ...entryOf(e) }, kindOf(e.kind))) problems.push(`${prop}${p.field ? `.${p.field}` : ''}: ${p.problem}`);
  }
  for (const p of exclusionProblems(plan.exemptions)) problems.push(`props.exemptions: ${p}`);
  return problems;
}

/** What the plan of a container reads. */
export interface ContainerInput {
  /** The cdk8s-plus container (its name, image and own securityContext). */
  readonly container: kplus.Container;
  readonly init: boolean;
  /** The hardening options it was added with (none for an attached container). */
  readonly opts: Partial<HardenedContainerProps>;
  /** Whether it was attached as a cdk8s-plus Container object (its own securityContext is then checked). */
  readonly attached: boolean;
  /** Whether another container of the pod already has its name. */
  readonly nameTaken: boolean;
  readonly pod: PodPlan;
}

/** The plan of one container, and what is wrong with its options. */
export function planContainer(c: ContainerInput): { plan: ContainerPlan; problems: string[] } {
  const { container, init, opts, attached, pod } = c;
  const name = container.name;
  const prop = `${init ? 'initContainers' : 'containers'}[${name}]`;
  const problems: string[] = [];
  if (c.nameTaken) {
    problems.push(`${prop}.name: "${name}" is already used by another container. Fix: give every container a unique name.`);
  }
  const preset = opts.preset ?? (!init && opts.user === undefined && opts.securityContext?.user === undefined ? pod.preset : undefined);
  const rootExempt = relaxesField(pod.exemptions, 'runAsUser', name);
  const scopedRoot = relaxesField(pod.exemptions, 'runAsUser', name, true);
  const user = opts.user ?? opts.securityContext?.user ?? container.securityContext.user ?? preset?.user ?? (scopedRoot ? 0 : undefined);
  const group = opts.group ?? opts.securityContext?.group ?? container.securityContext.group ?? preset?.group;
  problems.push(...idProblems(prop, { user, group }));
  if (user === 0 && !rootExempt) {
    problems.push(`${prop}.user: 0 runs the container as root. Fix: use the image's non-root UID, `
      + `or declare Exemption.runAsRoot(reason, { container: '${name}' }).`);
  }
  // an attached container's settings are its own security context: refused like addContainer's props
  const ownContext = attached ? container.securityContext : opts.securityContext;
  if (ownContext) problems.push(...weakeningProblems(`${prop}.securityContext`, ownContext, name));
  const check = checkGivenUser(container.image, user ?? pod.user, opts.customImage);
  const known = check.verdict === 'refused' ? check.preset : undefined;
  const ownUser = opts.user ?? opts.securityContext?.user ?? container.securityContext.user;
  const from = ownUser !== undefined ? `${prop}.user` : preset ? preset._source : pod.userFrom;
  let note: string | undefined;
  if (check.verdict === 'arbitrary') {
    const u = (user ?? pod.user)!;
    const g = group ?? pod.group ?? u; // the container's runAsGroup, else the pod's (apply.ts)
    note = arbitraryUserNote({
      container: name, user: u, group: g, from, image: container.image, preset: check.preset, fsGroup: g, podFsGroup: pod.fsGroup,
    });
  }
  if (known) {
    const effective = user ?? pod.user;
    problems.push(`${prop}.image: "${container.image}" is the image of ${known._source}, which runs as UID ${known.user}, but the container `
      + `runs as UID ${effective} (from ${from}): its files belong to another user, and the image does not run under another UID. Fix: use preset: ${known._source} `
      + `(ImagePreset.forImage(${JSON.stringify(container.image)})), or user: ${known.user}; or, if you built this image yourself with `
      + `UID ${effective}, say so with customImage: true on the container.`);
  }
  for (const field of opts.securityContext === undefined ? [] : ['user', 'group'] as const) {
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
  // the image's facts (paths, data directory) come from its preset, else from the well-known image it is (as in the adopt stage)
  const facts = preset ?? (opts.customImage === true ? undefined : ImagePreset.forImage(container.image));
  const add = (p: string) => {
    const clean = normalize(p);
    if (!paths.includes(clean)) paths.push(clean);
  };
  if (opts.writableTmp !== false) add(WRITABLE_TMP);
  for (const p of facts?.writablePaths ?? []) add(p);
  for (const p of own) if (!pathProblem(p)) add(p);
  for (const m of opts.volumeMounts ?? []) {
    if (paths.includes(normalize(m.path))) {
      problems.push(`${prop}.writablePaths: "${normalize(m.path)}" is also a volumeMount of the container: the emptyDir would shadow that volume. `
        + (normalize(m.path) === WRITABLE_TMP
          ? 'Fix: set writableTmp: false on the container to use your own volume at /tmp; or, if you only need a larger /tmp, drop your volume '
            + 'and set writableVolumes: { sizeLimit } (e.g. Size.gibibytes(2)).'
          : 'Fix: drop the path from writablePaths (the mounted volume is writable already) or mount the volume elsewhere.'));
    }
  }
  // the data directory is checked where the preset describes this container's own program: its own preset, a preset of its
  // image, or a preset of your own (ImagePreset.of); a pod preset of a well-known image says nothing of a sidecar's data
  const describes = facts !== undefined && (opts.preset !== undefined || ImagePreset.forImage(container.image)?.name === facts.name
    || facts._source.startsWith('ImagePreset.of('));
  return { plan: { user, group, preset: describes ? facts : undefined, paths, ...note !== undefined ? { note } : {} }, problems };
}

/**
 * What `ImagePreset.forImage` knows about the images of the props' containers, for the message about
 * a missing user: the preset to pass for each, or that none is known.
 */
function presetHints(props: HardenedPodSpecProps): string {
  const images = [...new Set([...props.initContainers ?? [], ...props.containers ?? []].map(c => c?.image).filter((i): i is string => typeof i === 'string'))];
  if (images.length === 0) return 'ImagePreset.forImage(image) names the preset of a well-known image';
  return images.map(image => {
    const preset = ImagePreset.forImage(image);
    return preset ? `image "${image}" is ${preset._source} (UID ${preset.user}): preset: ${preset._source}`
      : `no preset is known for image "${image}" (ImagePreset.forImage): set user to its numeric USER (docker inspect -f '{{.Config.User}}' IMAGE)`;
  }).join('; ');
}

function idProblems(prop: string, ids: { [field: string]: number | undefined }): string[] {
  const problems: string[] = [];
  // own fields only (a for-in loop would read an enumerable member someone added to Object.prototype)
  for (const field of Object.keys(ids)) {
    const v = ids[field];
    if (v !== undefined && !isNumericId(v)) {
      problems.push(`${prop}.${field}: ${v} is not a numeric ID. Fix: use an integer in 0..${MAX_ID} (e.g. the image's UID/GID).`);
    }
  }
  return problems;
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

