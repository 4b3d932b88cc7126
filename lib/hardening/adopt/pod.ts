/**
 * Internal: the adopt stage (docs/architecture.md, "Adopting an existing pod"): the hardening of a
 * pod template someone else wrote, for `cdk8s-rootless harden` (YAML edits, lib/cli/harden/harden-edit.ts)
 * and `RootlessHardening.applyTo` (JSON patches, editor.ts). Which fields it adds (defaults.ts, the
 * constructs' data), which users it writes (user-rule.ts), and what it reports because a human must
 * decide. It only adds: it never removes or changes a value that is set, and never guesses a user.
 * Exemptions the caller accepts (`accepts`) keep what they relax and silence its problem.
 * Container-level rules are in container.ts.
 *
 * Pure: no cdk8s, cdk8s-plus, constructs or yaml imports.
 */
import { hardenContainer, lowPorts } from './container';
import { PodEditor } from './editor';
import { CLI_EXEMPTION_WORDS, ExemptionWords, exemptionOf, exemptionsForCheck, exemptionsForField } from './hints';
import { Need, acceptsField, hostNamespaceNeeds, hostPathNeed, podRunAsRootNeed, runAsRootNeed, seccompUnconfinedNeed } from './needs';
import { tokenRule } from './token';
import { ExemptionEntry, entryOf } from '../../exemptions/codec';
import type { ExemptionKind } from '../../exemptions/exemption-kind';
import { isReason, placeholderReason } from '../../exemptions/reason';
import { isWindowsPod } from '../../policy/checks/util';
import { PodSecurity } from '../../policy/pod-security';
import { PolicyLevel } from '../../policy/types';
import { RootlessAnnotations } from '../annotations';
import { hardenedPodSecurityContext } from '../defaults';
import { RuleNote, addRuleNote } from '../notes';
import { CLI_TOKEN_WORDS, TokenFacts, TokenSettings, TokenWords } from '../token-rule';
import {
  ArbitraryUse, ContainerUser, USER_RULE, UserStatements, arbitraryUserNote, containerUser, isKnownUser, numericUser, unknownContainers, writtenUser,
} from '../user-rule';

/** A writable path: an emptyDir at `path` in the named container, or in every container. */
export interface WritablePath {
  /** @default - every container whose root filesystem is read-only */
  readonly container?: string;
  readonly path: string;
}

/** How the rules word their fixes: the CLI names its flags, `applyTo` its props. */
export interface HardenDialect {
  /** How to give a UID to a container whose user is not known, e.g. `rerun with --user UID`. */
  readonly userFix: string;
  /** The name of the fallback user's option, e.g. `--user`. */
  readonly userOption: string;
  /**
   * Every way to state the user of one container, for the message about an unknown user.
   * @default - userFix
   */
  readonly userFixes?: (container: string) => string;
  /**
   * How to say that an image was built to run as the given user (the constructs' `customImage`).
   * @default - "customImage"
   */
  readonly customImageFix?: (container: string) => string;
  /** How to declare a writable path, e.g. `--writable-path [CONTAINER=]PATH`. */
  readonly writablePathFix: string;
  /**
   * How to declare a token's reason, and the strict setting (token-rule.ts).
   * @default - the CLI's: `--token-reason NS/NAME=REASON`, `--strict-tokens`
   */
  readonly token?: TokenWords;
  /**
   * How to name an exemption kind in a fix (adopt/hints.ts), e.g. `exemption hostPID`.
   * @default CLI_EXEMPTION_WORDS
   */
  readonly exemption?: ExemptionWords;
}

/** The CLI's words (`cdk8s-rootless harden`). */
export const CLI_DIALECT: HardenDialect = {
  userFix: 'rerun with --user UID',
  userOption: '--user',
  userFixes: () => 'rerun with --user-for KIND/NAMESPACE/NAME/CONTAINER=UID (this container), --user-for KIND/NAMESPACE/NAME=UID (this object), '
    + '--image-user PATTERN=UID (every image the pattern matches), --non-root-image PATTERN (if the image\'s USER is numeric and not 0), '
    + 'or --user UID (every container whose user is still unknown)',
  customImageFix: () => 'rerun with --image-user IMAGE=UID, which states that the image runs as UID',
  writablePathFix: '--writable-path [CONTAINER=]PATH',
  token: CLI_TOKEN_WORDS,
  exemption: CLI_EXEMPTION_WORDS,
};

/** Options of the adopt stage (`hardenText`, `RootlessHardening.applyTo`). */
export interface HardenOptions {
  /** The numeric UID for containers whose user is not known (`--user`; lib/hardening/user-rule.ts). */
  readonly user?: number;
  /** The numeric GID (`--group`); defaults to the user, as in the constructs. */
  readonly group?: number;
  /**
   * Users stated for this object, its containers, and app-wide image patterns (user-rule.ts): `objects[path].user`,
   * `objects[path].containers`, `imageUsers`, `nonRootImages`; `--user-for`, `--image-user`, `--non-root-image`.
   * @default - none
   */
  readonly users?: Omit<UserStatements, 'fallback'>;
  /** Write exemption entries with placeholder reasons for what needs a human (`--add-exemptions`). */
  readonly addExemptions?: boolean;
  /**
   * The ServiceAccounts and bindings of the input, and the token settings (token-rule.ts).
   * @default - none found, no reason declared, not strict
   */
  readonly tokens?: { readonly facts: TokenFacts; readonly settings: TokenSettings };
  /**
   * The pod's namespace: its own, else the chart's (applyTo), else `default`.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Declares the serviceAccountToken exemption with a human's reason (applyTo: the exemption joins the
   * object's own, written and verified with them).
   * @default - the CLI: written into the pod template's annotation
   */
  readonly declareToken?: (reason: string) => void;
  /** Extra writable paths (`--writable-path [CONTAINER=]PATH`). */
  readonly writablePaths?: readonly WritablePath[];
  /**
   * Whether an exemption of `kind` is declared for the container (null: for the whole pod): then the
   * rules keep what it relaxes (they do not add the hardened value) and report no problem for it.
   * @default - none (`applyTo` and `harden`: those of the template's valid annotation, adopt/declared.ts; applyTo adds the object's own)
   */
  readonly accepts?: (kind: ExemptionKind, container: string | null) => boolean;
  /** @default CLI_DIALECT */
  readonly dialect?: HardenDialect;
}

/** What the adopt stage did to, and found in, one pod. */
export interface PodReport {
  /** What was added, one phrase each. */
  readonly changes: string[];
  /** What needs a human, each with its fix (`harden` then exits 1; `applyTo` fails synthesis). */
  readonly problems: string[];
  /** Notes: what the rules assumed or cannot know. */
  readonly notes: string[];
  /** Notes that need a human, tagged by rule (notes.ts): printed grouped, once per synthesis or run. */
  ruleNotes?: RuleNote[];
  /** The service-account token rule tolerates the kept token of this pod (the human was told; not strict). */
  tokenKept?: boolean;
  /** The ServiceAccounts (`ns/name`) the pod runs as or gets a token of: a token reason that names none of any pod names nothing. */
  tokenAccounts?: string[];
}

export { NOW_READ_ONLY } from './container';

/** The policy engine's check of the volume types restricted allows. */
const RESTRICTED_VOLUMES_CHECK = 'restrictedVolumes';

/** A container of the pod, with the editor's cursor on it. */
export interface ContainerRef<C> {
  readonly name: string;
  readonly js: any;
  readonly cursor: C;
}

const object = (x: unknown): any => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x : {});

/**
 * Plans the hardening of one pod template (`{ metadata, spec }`).
 * @param used receives each writable path that named a container of this pod
 */
export function hardenPod<C, S>(plan: PodEditor<C, S>, template: C, spec: C, options: HardenOptions, report: PodReport,
  used: Set<WritablePath>): void {
  const containers = containerRefs(plan, spec);
  if (containers.length === 0) {
    report.problems.push('the pod has no containers. Fix: make the manifest well formed.');
    return;
  }
  const specJs = plan.json(spec) as any;
  const needs: Need[] = [];
  const accepts = options.accepts ?? (() => false);
  const need = (n: Need | undefined): void => {
    if (n && !accepts(n.kind, n.container) && !needs.some(x => x.kind === n.kind && x.container === n.container)) needs.push(n);
  };
  const problem = (n: Need | undefined, text: string): void => {
    if (n && accepts(n.kind, n.container)) return;
    report.problems.push(text);
    need(n);
  };
  const ctx: PodContext<C, S> = {
    plan,
    spec,
    specJs,
    podSc: object(specJs.securityContext),
    options,
    report,
    need,
    problem,
    accepts,
    dialect: options.dialect ?? CLI_DIALECT,
    words: options.dialect?.exemption ?? CLI_EXEMPTION_WORDS,
    podFields: [],
    used,
    template: plan.json(template),
    reasoned: [],
  };

  if (isWindowsPod(specJs)) hardenWindowsPod(ctx, containers);
  else hardenLinuxPod(ctx, containers);
  podWideChecks(ctx);
  if (ctx.podFields.length > 0) report.changes.push(`pod: ${ctx.podFields.join(', ')}`);

  const placeholders = options.addExemptions ? needs.map(n => entryOf({
    kind: n.kind,
    container: n.container ?? undefined,
    reason: placeholderReason(n.what),
    capabilities: n.capabilities,
    paths: n.paths,
    writable: n.writable,
  })) : [];
  if (placeholders.length + ctx.reasoned.length > 0) {
    writeExemptions(plan, template, [...ctx.reasoned, ...placeholders], report);
  } else if (needs.length > 0 && ctx.dialect === CLI_DIALECT) {
    report.notes.push(`if a human confirms that the workload needs it, rerun with --add-exemptions to declare ${needs.map(describeNeed).join(', ')} `
      + `in the ${RootlessAnnotations.EXEMPTIONS} annotation with a TODO reason to replace.`);
  }
}

/** What the rules of one pod share. */
export interface PodContext<C, S> {
  readonly plan: PodEditor<C, S>;
  readonly spec: C;
  /** The pod spec as planned so far is `plan.json(spec)`; this is it before any edit. */
  readonly specJs: any;
  readonly podSc: any;
  readonly options: HardenOptions;
  readonly report: PodReport;
  /** Records an exemption the pod needs (unless accepted). */
  readonly need: (n: Need | undefined) => void;
  /** Reports a problem and its need, unless the need is accepted. */
  readonly problem: (n: Need | undefined, text: string) => void;
  readonly accepts: (kind: ExemptionKind, container: string | null) => boolean;
  readonly dialect: HardenDialect;
  /** How the dialect names an exemption kind in a fix. */
  readonly words: ExemptionWords;
  /** Pod-level fields added, one phrase each. */
  readonly podFields: string[];
  readonly used: Set<WritablePath>;
  /** The pod template (`{ metadata, spec }`) before any edit. */
  readonly template: any;
  /** Exemption entries with a human's reason, to write into the annotation (the CLI's token reasons). */
  readonly reasoned: ExemptionEntry[];
}

function describeNeed(n: { kind: string; container: string | null }): string {
  return n.kind + (n.container ? ` (${n.container})` : '');
}

/** The init, regular and ephemeral containers that are mappings, with their cursors. */
function containerRefs<C, S>(plan: PodEditor<C, S>, spec: C): ContainerRef<C>[] {
  return (['initContainers', 'containers', 'ephemeralContainers'] as const).flatMap(kind =>
    plan.mappings(spec, kind).map(m => ({ name: typeof m.js.name === 'string' ? m.js.name : `${kind}[${m.index}]`, js: m.js, cursor: m.cursor })));
}

/** Checks that do not depend on the operating system: the token, host namespaces, volumes. */
function podWideChecks<C, S>(ctx: PodContext<C, S>): void {
  const { specJs, report, problem, words } = ctx;
  tokenRule(ctx);
  for (const n of hostNamespaceNeeds(specJs)) {
    problem(n, `pod: ${n.kind}: true shares the node's namespace. Fix: remove it; keep it only with ${exemptionOf(words, n.kind)}.`);
  }
  for (const v of Array.isArray(specJs.volumes) ? specJs.volumes : []) {
    if (v?.hostPath !== undefined) {
      const n = hostPathNeed(specJs);
      problem(n, `pod: volume "${v.name}" is a hostPath (${v.hostPath?.path ?? '?'}). Fix: use a PersistentVolumeClaim, a configMap/secret or an emptyDir; `
        + `keep it only with ${n ? exemptionOf(words, n.kind) : exemptionsForCheck(words, 'hostPathVolumes')} naming its paths, mounted read-only unless declared writable (then the pod is privileged, not restricted; `
        + 'no exemption covers the kubelet\'s or a container runtime\'s paths).');
    } else if (typeof v === 'object' && v !== null && restrictsVolume(v)) {
      const type = Object.keys(v).filter(k => k !== 'name' && (v as any)[k] !== undefined && (v as any)[k] !== null).join(', ');
      report.problems.push(`pod: volume "${v.name}" of type ${type} is not allowed by restricted. Fix: use a PersistentVolumeClaim (or a csi volume).`);
    }
  }
}

/**
 * A Windows pod (`spec.os.name: windows`): the API server rejects every Linux-only field on it
 * (seccompProfile, capabilities, privileged, allowPrivilegeEscalation, readOnlyRootFilesystem,
 * procMount, seLinuxOptions, runAsUser, runAsGroup, fsGroup, sysctls …), so none is added. Only
 * `runAsNonRoot` applies, where the container's Windows user is known and not an administrator.
 */
function hardenWindowsPod<C, S>(ctx: PodContext<C, S>, containers: readonly ContainerRef<C>[]): void {
  const { plan, podSc, report, problem } = ctx;
  report.notes.push('pod: a Windows pod (spec.os.name: windows): harden adds no Linux-only field (seccompProfile, capabilities, privileged, allowPrivilegeEscalation, '
    + 'readOnlyRootFilesystem, runAsUser, runAsGroup, fsGroup, sysctls): the API server rejects them on Windows pods'
    + `${ctx.options.user !== undefined ? `; ${ctx.dialect.userOption} does not apply` : ''}.`);
  if (podSc.runAsNonRoot === false) problem(podRunAsRootNeed(podSc), `pod: runAsNonRoot: false is set explicitly. Fix: run as ContainerUser; keep it only with ${exemptionsForField(ctx.words, 'runAsUser')}.`);
  for (const c of containers) {
    const sc = object(c.js.securityContext);
    const where = `container "${c.name}"`;
    const userName = object(sc.windowsOptions).runAsUserName ?? object(podSc.windowsOptions).runAsUserName;
    if (object(sc.windowsOptions).hostProcess === true || object(podSc.windowsOptions).hostProcess === true) {
      report.problems.push(`${where}: a Windows HostProcess container runs with the node's privileges. Fix: remove windowsOptions.hostProcess (restricted and baseline forbid it).`);
    }
    if (sc.runAsNonRoot === false) {
      problem(runAsRootNeed(c.name, sc, undefined), `${where}: runAsNonRoot: false is set explicitly. Fix: remove it and run as ContainerUser; keep it only with ${exemptionsForField(ctx.words, 'runAsUser')}.`);
    } else if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true && !acceptsField(ctx.accepts, 'runAsUser', c.name)) {
      if (typeof userName === 'string' && userName.toLowerCase() !== 'containeradministrator') {
        const x = plan.child(c.cursor, 'securityContext');
        if (x && plan.setIfMissing(x, 'runAsNonRoot', true)) report.changes.push(`${where}: runAsNonRoot true (Windows user ${userName})`);
      } else {
        report.problems.push(`${where}: its Windows user is ${typeof userName === 'string' ? 'ContainerAdministrator' : 'not known'}. Fix: set securityContext.windowsOptions.runAsUserName `
          + 'to a non-administrator account (e.g. ContainerUser) and runAsNonRoot: true.');
      }
    }
  }
}

/** A Linux pod: users, pod securityContext, containers, writable paths, the low-port sysctl. */
function hardenLinuxPod<C, S>(ctx: PodContext<C, S>, containers: readonly ContainerRef<C>[]): void {
  const { plan, spec, podSc, options, problem, accepts } = ctx;
  const podSecurity = () => plan.child(spec, 'securityContext');
  const fallback = options.user !== undefined ? { user: options.user, group: options.group } : undefined;
  const statements: UserStatements = { ...options.users, fallback };
  // a container that may run as root (an accepted runAsRoot) gets only a UID given for it (user-rule.ts)
  const users = new Map<ContainerRef<C>, ContainerUser>(containers.map(c =>
    [c, containerUser(c.js, podSc, acceptsField(accepts, 'runAsUser', c.name) ? { ...statements, mayRunAsRoot: true } : statements)]));
  for (const name of unknownContainers(statements, containers.map(c => c.name))) {
    const from = statements.containers?.get(name)?.from ?? name;
    ctx.report.problems.push(`${from} names container "${name}", which the pod does not have (containers: ${containers.map(c => c.name).join(', ')}). `
      + 'Fix: use the name of one of its containers, or remove the statement.');
  }
  for (const c of containers) {
    const u = users.get(c)!;
    const stated = statements.containers?.get(c.name) ?? statements.object;
    if (u.source === 'set' && stated && u.user !== stated.user) {
      // a human's statement that does nothing: printed once (notes.ts), like every note that needs a human
      addRuleNote(ctx.report, USER_RULE, `container "${c.name}": ${stated.from} is not used: runAsUser ${JSON.stringify(u.user)} is set${u.at === 'pod' ? ' on the pod' : ''}, and a set user is kept.`);
    } else if (u.source === 'unknown' && stated && acceptsField(accepts, 'runAsUser', c.name)) {
      addRuleNote(ctx.report, USER_RULE, `container "${c.name}": ${stated.from} is not used: the container may run as root (${exemptionsForField(ctx.words, 'runAsUser')}), so only a user given for it applies.`);
    }
  }
  writeUsers(ctx, containers, users);

  // --- pod-level securityContext
  const defaults = hardenedPodSecurityContext();
  const uid = (c: ContainerRef<C>) => numericUser(users.get(c)!);
  const root = containers.filter(c => uid(c) === 0);
  const unknown = containers.filter(c => !isKnownUser(users.get(c)!));
  const rootAccepted = containers.some(c => acceptsField(accepts, 'runAsUser', c.name));
  if (podSc.runAsNonRoot === false) {
    problem(podRunAsRootNeed(podSc), 'pod: runAsNonRoot: false is set explicitly. Fix: remove it if every container runs as a non-zero UID; '
      + `otherwise keep it and declare ${exemptionsForField(ctx.words, 'runAsUser')}.`);
  } else if (podSc.runAsNonRoot === undefined && root.length === 0 && unknown.length === 0 && !rootAccepted) {
    const psc = podSecurity();
    if (psc && plan.setIfMissing(psc, 'runAsNonRoot', defaults.runAsNonRoot)) ctx.podFields.push('runAsNonRoot true');
  }
  if (podSc.seccompProfile === undefined) {
    const psc = acceptsField(accepts, 'seccompProfile', null) ? undefined : podSecurity();
    if (psc && plan.setIfMissing(psc, 'seccompProfile', defaults.seccompProfile)) ctx.podFields.push('seccompProfile RuntimeDefault');
  } else if (seccompUnconfinedNeed(null, podSc)) {
    problem(seccompUnconfinedNeed(null, podSc), `pod: seccompProfile Unconfined. Fix: use RuntimeDefault (or a Localhost profile); keep it only with ${exemptionsForField(ctx.words, 'seccompProfile')}.`);
  }
  const fsGroupSet = podSc.fsGroup !== undefined || ctx.podFields.some(f => f.startsWith('fsGroup'));
  if (fsGroupSet && podSc.fsGroupChangePolicy === undefined) {
    const psc = podSecurity();
    if (psc && plan.setIfMissing(psc, 'fsGroupChangePolicy', defaults.fsGroupChangePolicy)) ctx.podFields.push('fsGroupChangePolicy OnRootMismatch');
  }
  hardenContainers(ctx, containers, users);
}

/** Each container (container.ts), then the low-port sysctl. */
function hardenContainers<C, S>(ctx: PodContext<C, S>, containers: readonly ContainerRef<C>[],
  users: ReadonlyMap<ContainerRef<C>, ContainerUser>): void {
  const volumes = ctx.specJs.volumes;
  const takenVolumes = new Set<string>(Array.isArray(volumes) ? volumes.map((v: any) => v?.name).filter((n: unknown) => typeof n === 'string') : []);
  for (const c of containers) hardenContainer(ctx, c, users.get(c)!, takenVolumes);
  lowPorts(ctx);
}

/**
 * Writes the users the rule gives (user-rule.ts) and the pod's fsGroup; never replaces a set user. A user for the
 * whole object (a given one, the fallback) goes on the pod when every container gets it or a user of its own.
 */
function writeUsers<C, S>(ctx: PodContext<C, S>, containers: readonly ContainerRef<C>[], users: ReadonlyMap<ContainerRef<C>, ContainerUser>): void {
  const { plan, spec, podSc, report } = ctx;
  const decided = containers.map(c => users.get(c)!);
  const podWide = (u: ContainerUser) => u.source === 'fallback' || (u.source === 'given' && u.scope === 'object');
  const wide = decided.filter(podWide).map(u => writtenUser(u)!);
  const atPod = wide.length > 0 && new Set(wide.map(w => `${w.user}:${w.group}`)).size === 1
    && decided.every(u => podWide(u) || (writtenUser(u) !== undefined));
  const fsGroups = new Set<number>();
  // the groups of the containers whose data must be writable on their volumes (a preset with a data path, a given UID
  // an image takes instead of its own): fsGroup is pod-wide, so one of them wins over the other containers' groups
  const dataGroups = new Map<number, string[]>();
  const arbitrary: Omit<ArbitraryUse, 'podFsGroup'>[] = [];
  if (atPod) {
    const u = wide[0];
    const psc = plan.child(spec, 'securityContext');
    if (psc) {
      if (plan.setIfMissing(psc, 'runAsUser', u.user)) ctx.podFields.push(`runAsUser ${u.user}`);
      if (plan.setIfMissing(psc, 'runAsGroup', u.group)) ctx.podFields.push(`runAsGroup ${u.group}`);
    }
  }
  for (const c of containers) {
    const u = users.get(c)!;
    const w = writtenUser(u);
    if (!w) continue;
    fsGroups.add(w.fsGroup);
    const preset = u.source === 'preset' || u.source === 'given' ? u.preset : undefined;
    if ((preset?.dataPath !== undefined || (u.source === 'given' && u.arbitrary)) && mountsClaim(ctx.specJs, c.js)) dataGroups.set(w.fsGroup, [...dataGroups.get(w.fsGroup) ?? [], c.name]);
    if (u.source === 'given' && u.arbitrary && u.preset) {
      arbitrary.push({ container: c.name, user: w.user, group: w.group, from: u.from, image: c.js.image, preset: u.preset, fsGroup: w.fsGroup });
    }
    if (atPod && podWide(u)) continue;
    const csc = plan.child(c.cursor, 'securityContext');
    if (!csc) continue;
    const fields: string[] = [];
    if (plan.setIfMissing(csc, 'runAsUser', w.user)) fields.push(`runAsUser ${w.user}`);
    if (plan.setIfMissing(csc, 'runAsGroup', w.group)) fields.push(`runAsGroup ${w.group}`);
    if (u.source === 'preset') {
      if (fields.length > 0) report.changes.push(`container "${c.name}" (image preset ${u.preset.name}): ${fields.join(', ')}`);
      report.notes.push(`container "${c.name}": user ${u.user}:${u.group} from the ${u.preset.name} image preset (${u.preset.notes ?? 'well-known image'}).`);
      if (u.unvouched !== undefined) {
        report.notes.push(`container "${c.name}": ${u.unvouched} is not used for image ${JSON.stringify(c.js.image)}: the ${u.preset.name} image's own USER is root or a name, `
          + `which the kubelet refuses under runAsNonRoot, so its preset's UID ${u.user} is written. Fix: narrow the pattern to images with a numeric non-root USER.`);
      }
    } else if (fields.length > 0) {
      const from = u.source === 'fallback' ? ctx.dialect.userOption : u.source === 'given' || u.source === 'image' ? u.from : '';
      report.changes.push(`container "${c.name}" (${from}): ${fields.join(', ')}`);
    }
  }
  const fsGroup = podSc.fsGroup !== undefined ? undefined
    : dataGroups.size === 1 ? [...dataGroups.keys()][0] : dataGroups.size === 0 && fsGroups.size === 1 ? [...fsGroups][0] : undefined;
  if (fsGroup !== undefined) {
    const psc = plan.child(spec, 'securityContext');
    const from = decided.some(u => u.source === 'preset') ? ' (image preset)' : '';
    if (psc && plan.setIfMissing(psc, 'fsGroup', fsGroup)) ctx.podFields.push(`fsGroup ${fsGroup}${from}`);
  } else if (podSc.fsGroup === undefined && dataGroups.size > 1) {
    report.problems.push(`containers ${[...dataGroups.values()].flat().map(n => `"${n}"`).join(', ')} keep data on their volumes as different groups `
      + `(${[...dataGroups.keys()].join(', ')}), and fsGroup is one per pod: no fsGroup was written, so a fresh claim is not writable for them. `
      + 'Fix: run them with one group, set spec.securityContext.fsGroup, or give each its own pod.');
  }
  for (const a of arbitrary) addRuleNote(report, USER_RULE, arbitraryUserNote({ ...a, podFsGroup: podSc.fsGroup ?? fsGroup }));
}

/** Whether a container mounts a claim (a persistentVolumeClaim or ephemeral volume): a fresh one is root's, writable only through fsGroup. */
function mountsClaim(specJs: any, container: any): boolean {
  const claims = new Set((Array.isArray(specJs.volumes) ? specJs.volumes : [])
    .filter((v: any) => v?.persistentVolumeClaim !== undefined || v?.ephemeral !== undefined).map((v: any) => v?.name));
  return (Array.isArray(container?.volumeMounts) ? container.volumeMounts : []).some((m: any) => claims.has(m?.name));
}

/**
 * Whether the policy engine's restricted volume check (the one list of allowed volume types)
 * rejects this volume: the volume is evaluated alone, in an otherwise empty pod.
 */
function restrictsVolume(volume: object): boolean {
  // remembered by the volume's content without its name (which the check only quotes): most pods have the same few volumes
  const key = JSON.stringify({ ...volume, name: undefined });
  const known = RESTRICTS_VOLUME.get(key);
  if (known !== undefined) return known;
  const probe = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'volume' }, spec: { containers: [], volumes: [volume] } };
  const restricts = PodSecurity.evaluate(probe, { level: PolicyLevel.RESTRICTED }).violations.some(v => v.check === RESTRICTED_VOLUMES_CHECK);
  if (RESTRICTS_VOLUME.size >= 1000) RESTRICTS_VOLUME.clear();
  RESTRICTS_VOLUME.set(key, restricts);
  return restricts;
}

/** `restrictsVolume`'s verdicts, by the volume's content without its name (JSON). */
const RESTRICTS_VOLUME = new Map<string, boolean>();

const isPlaceholder = (reason: string): boolean => !isReason(reason);

/** Merges exemption entries (with placeholder reasons) into the pod template's annotation. */
function writeExemptions<C, S>(plan: PodEditor<C, S>, template: C, entries: readonly ExemptionEntry[], report: PodReport): void {
  const metadata = plan.child(template, 'metadata');
  const annotations = metadata ? plan.child(metadata, 'annotations') : undefined;
  if (!annotations) {
    report.problems.push('cannot write the exemptions annotation: metadata.annotations of the pod template is not a mapping.');
    return;
  }
  const current = plan.get(annotations, RootlessAnnotations.EXEMPTIONS);
  let existing: any[] = [];
  if (typeof current === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(current);
    } catch {
      parsed = undefined;
    }
    // entries are appended only to a compact JSON array (the canonical form): anything else would be rewritten
    if (!Array.isArray(parsed) || JSON.stringify(parsed) !== current) {
      report.problems.push(`the ${RootlessAnnotations.EXEMPTIONS} annotation is not a compact JSON array (the canonical form): left unchanged, `
        + 'so no exemption was declared. Fix: write it as the constructs do (`cdk8s-rootless audit` names the entry), then rerun.');
      return;
    }
    existing = parsed;
  }
  const fresh = entries.filter(e => !existing.some(x => x?.id === e.id && (x?.container ?? null) === e.container));
  if (fresh.length === 0) return;
  plan.setScalar(annotations, RootlessAnnotations.EXEMPTIONS, JSON.stringify([...existing, ...fresh]));
  const todo = fresh.filter(e => isPlaceholder(e.reason));
  const real = fresh.filter(e => !isPlaceholder(e.reason));
  if (real.length > 0) {
    report.changes.push(`pod template annotation ${RootlessAnnotations.EXEMPTIONS}: ${real.map(e => `${describeNeed({ kind: e.id, container: e.container })} (${e.reason})`).join(', ')}`);
  }
  if (todo.length === 0) return;
  report.changes.push(`pod template annotation ${RootlessAnnotations.EXEMPTIONS}: ${todo.map(e => describeNeed({ kind: e.id, container: e.container })).join(', ')} `
    + 'with TODO reasons (a human must confirm each; the audit fails until the reasons are real)');
}
