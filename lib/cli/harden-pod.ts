/**
 * `harden`'s plan for one pod template: which fields it adds (lib/hardening/defaults.ts, the
 * constructs' data), which users it writes (lib/hardening/user-rule.ts), and what it reports
 * because a human must decide. Plans edits only (lib/cli/harden-edit.ts); never removes or
 * changes a value that is set.
 */
import { Cursor, EditPlan } from './harden-edit';
import {
  Need, addCapabilitiesNeed, escalationCannotBeDisabled, extraCapabilities, hostNamespaceNeeds, hostPathNeed, kubernetesCapability,
  podRunAsRootNeed, privilegeEscalationNeed, privilegedNeed, runAsRootNeed, seccompUnconfinedNeed, serviceAccountTokenNeed,
  writableRootFilesystemNeed,
} from './harden-needs';
import { yaml } from './lazy';
import { RootlessAnnotations } from '../hardening/annotations';
import {
  UNPRIVILEGED_PORT_SYSCTL, WRITABLE_TMP, WRITABLE_VOLUME_SIZE_LIMIT,
  hardenedContainerSecurityContext, hardenedPodFields, hardenedPodSecurityContext, writableVolumeName,
} from '../hardening/defaults';
import { ExemptionEntry, entryOf } from '../hardening/exemptions/codec';
import { normalizePath } from '../hardening/paths';
import { placeholderReason } from '../hardening/reason';
import { unprivilegedPortFix } from '../hardening/runtime-checks';
import { ContainerUser, containerUser, numericUser } from '../hardening/user-rule';
import { isWindowsPod } from '../policy/checks/util';
import { PodSecurity } from '../policy/pod-security';
import { PolicyLevel } from '../policy/types';

/** A `--writable-path`: an emptyDir at `path` in the named container, or in every container. */
export interface WritablePath {
  /** @default - every container whose root filesystem is read-only */
  readonly container?: string;
  readonly path: string;
}

/** Options of `hardenText`. */
export interface HardenOptions {
  /** The numeric UID for containers whose user is not known (`--user`; lib/hardening/user-rule.ts). */
  readonly user?: number;
  /** The numeric GID (`--group`); defaults to the user, as in the constructs. */
  readonly group?: number;
  /** Write exemption entries with placeholder reasons for what needs a human (`--add-exemptions`). */
  readonly addExemptions?: boolean;
  /** Set `automountServiceAccountToken: false` where it is not set (`--disable-service-account-token`). */
  readonly disableServiceAccountToken?: boolean;
  /** Extra writable paths (`--writable-path [CONTAINER=]PATH`). */
  readonly writablePaths?: readonly WritablePath[];
}

/** What `harden` did to, and found in, one pod. */
export interface PodReport {
  /** What was added, one phrase each. */
  readonly changes: string[];
  /** What needs a human, each with its fix (`harden` then exits 1). */
  readonly problems: string[];
  /** Notes: what harden assumed or cannot know. */
  readonly notes: string[];
}

/** How the note about an edit harden made (the read-only root filesystem) begins after the container: dropped when the edit is not made. */
export const NOW_READ_ONLY = 'the root filesystem is now read-only';

/** The policy engine's check of the volume types restricted allows. */
const RESTRICTED_VOLUMES_CHECK = 'restrictedVolumes';

interface ContainerRef {
  readonly name: string;
  readonly js: any;
  readonly cursor: Cursor;
}

const object = (x: unknown): any => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x : {});

/**
 * Plans the hardening of one pod template (`{ metadata, spec }`).
 * @param used receives each `--writable-path` that named a container of this pod
 */
export function hardenPod(plan: EditPlan, template: Cursor, spec: Cursor, options: HardenOptions, report: PodReport,
  used: Set<WritablePath>): void {
  const containers = containerRefs(plan, spec);
  if (containers.length === 0) {
    report.problems.push('the pod has no containers. Fix: make the manifest well formed.');
    return;
  }
  const specJs = plan.json(spec) as any;
  const needs: Need[] = [];
  const need = (n: Need | undefined): void => {
    if (n && !needs.some(x => x.kind === n.kind && x.container === n.container)) needs.push(n);
  };
  const ctx: PodContext = { plan, spec, specJs, podSc: object(specJs.securityContext), options, report, need, podFields: [], used };

  if (isWindowsPod(specJs)) hardenWindowsPod(ctx, containers);
  else hardenLinuxPod(ctx, containers);
  podWideChecks(ctx);
  if (ctx.podFields.length > 0) report.changes.push(`pod: ${ctx.podFields.join(', ')}`);

  if (options.addExemptions && needs.length > 0) {
    const entries = needs.map(n => entryOf({
      kind: n.kind, container: n.container ?? undefined, reason: placeholderReason(n.what), capabilities: n.capabilities,
    }));
    writeExemptions(plan, template, entries, report);
  } else if (needs.length > 0) {
    report.notes.push(`if a human confirms that the workload needs it, rerun with --add-exemptions to declare ${needs.map(describeNeed).join(', ')} `
      + `in the ${RootlessAnnotations.EXEMPTIONS} annotation with a TODO reason to replace.`);
  }
}

interface PodContext {
  readonly plan: EditPlan;
  readonly spec: Cursor;
  /** The pod spec as planned so far is `plan.json(spec)`; this is it before any edit. */
  readonly specJs: any;
  readonly podSc: any;
  readonly options: HardenOptions;
  readonly report: PodReport;
  readonly need: (n: Need | undefined) => void;
  /** Pod-level fields added, one phrase each. */
  readonly podFields: string[];
  readonly used: Set<WritablePath>;
}

function describeNeed(n: { kind: string; container: string | null }): string {
  return n.kind + (n.container ? ` (${n.container})` : '');
}

/** The init, regular and ephemeral containers that are mappings, with their cursors. */
function containerRefs(plan: EditPlan, spec: Cursor): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const kind of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const list = plan.get(spec, kind);
    if (!Array.isArray(list)) continue;
    const seq = 'node' in spec ? plan.resolve(plan.lookup(spec.node, kind)) : undefined;
    list.forEach((js, i) => {
      if (typeof js !== 'object' || js === null) return;
      const node = yaml().isSeq(seq) ? seq.items[i] : undefined;
      const cursor = node !== undefined ? plan.cursor(node) : undefined;
      if (cursor) out.push({ name: typeof js.name === 'string' ? js.name : `${kind}[${i}]`, js, cursor });
    });
  }
  return out;
}

/** Checks that do not depend on the operating system: the token, host namespaces, volumes. */
function podWideChecks(ctx: PodContext): void {
  const { plan, spec, specJs, report, need, options } = ctx;
  // the service-account token: not a Pod Security check, and real applications read it
  const automount = specJs.automountServiceAccountToken;
  if (automount === undefined || automount === null) {
    if (options.disableServiceAccountToken && plan.setIfMissing(spec, 'automountServiceAccountToken', hardenedPodFields().automountServiceAccountToken)) {
      ctx.podFields.push('automountServiceAccountToken false (--disable-service-account-token)');
    }
  }
  if (!options.disableServiceAccountToken || automount === true) {
    const account = specJs.serviceAccountName ?? specJs.serviceAccount;
    if (automount !== false) {
      report.notes.push(`pod: the API token of service account "${typeof account === 'string' ? account : 'default'}" stays mounted`
        + `${automount === true ? ' (automountServiceAccountToken: true)' : ''}: harden cannot know whether the pod calls the Kubernetes API. `
        + 'If it does not, set automountServiceAccountToken: false (or rerun with --disable-service-account-token); if it does, declare exemption serviceAccountToken.');
      need(serviceAccountTokenNeed(specJs));
    }
  }
  for (const n of hostNamespaceNeeds(specJs)) {
    const field = n.kind;
    report.problems.push(`pod: ${field}: true shares the node's namespace. Fix: remove it; keep it only with exemption ${field}.`);
    need(n);
  }
  for (const v of Array.isArray(specJs.volumes) ? specJs.volumes : []) {
    if (v?.hostPath !== undefined) {
      report.problems.push(`pod: volume "${v.name}" is a hostPath (${v.hostPath?.path ?? '?'}). Fix: use a PersistentVolumeClaim, a configMap/secret or an emptyDir; `
        + 'keep it only with exemption hostPath (then the pod is privileged, not restricted).');
      need(hostPathNeed(specJs));
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
function hardenWindowsPod(ctx: PodContext, containers: readonly ContainerRef[]): void {
  const { plan, podSc, report, need } = ctx;
  report.notes.push('pod: a Windows pod (spec.os.name: windows): harden adds no Linux-only field (seccompProfile, capabilities, privileged, allowPrivilegeEscalation, '
    + 'readOnlyRootFilesystem, runAsUser, runAsGroup, fsGroup, sysctls): the API server rejects them on Windows pods'
    + `${ctx.options.user !== undefined ? '; --user does not apply' : ''}.`);
  need(podRunAsRootNeed(podSc));
  if (podSc.runAsNonRoot === false) report.problems.push('pod: runAsNonRoot: false is set explicitly. Fix: run as ContainerUser; keep it only with exemption runAsRoot.');
  for (const c of containers) {
    const sc = object(c.js.securityContext);
    const where = `container "${c.name}"`;
    const userName = object(sc.windowsOptions).runAsUserName ?? object(podSc.windowsOptions).runAsUserName;
    if (object(sc.windowsOptions).hostProcess === true || object(podSc.windowsOptions).hostProcess === true) {
      report.problems.push(`${where}: a Windows HostProcess container runs with the node's privileges. Fix: remove windowsOptions.hostProcess (restricted and baseline forbid it).`);
    }
    if (sc.runAsNonRoot === false) {
      report.problems.push(`${where}: runAsNonRoot: false is set explicitly. Fix: remove it and run as ContainerUser; keep it only with exemption runAsRoot.`);
      need(runAsRootNeed(c.name, sc, undefined));
    } else if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) {
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
function hardenLinuxPod(ctx: PodContext, containers: readonly ContainerRef[]): void {
  const { plan, spec, podSc, options, report, need } = ctx;
  const podSecurity = () => plan.child(spec, 'securityContext');
  const fallback = options.user !== undefined ? { user: options.user, group: options.group } : undefined;
  const users = new Map<ContainerRef, ContainerUser>(containers.map(c => [c, containerUser(c.js, podSc, fallback)]));
  writeUsers(ctx, containers, users);

  // --- pod-level securityContext
  const defaults = hardenedPodSecurityContext();
  const uid = (c: ContainerRef) => numericUser(users.get(c)!);
  const root = containers.filter(c => uid(c) === 0);
  const unknown = containers.filter(c => users.get(c)!.source === 'unknown' && (object(c.js.securityContext).runAsNonRoot ?? podSc.runAsNonRoot) !== true);
  if (podSc.runAsNonRoot === false) {
    report.problems.push('pod: runAsNonRoot: false is set explicitly. Fix: remove it if every container runs as a non-zero UID; '
      + 'otherwise keep it and declare exemption runAsRoot.');
    need(podRunAsRootNeed(podSc));
  } else if (podSc.runAsNonRoot === undefined && root.length === 0 && unknown.length === 0) {
    const psc = podSecurity();
    if (psc && plan.setIfMissing(psc, 'runAsNonRoot', defaults.runAsNonRoot)) ctx.podFields.push('runAsNonRoot true');
  }
  if (podSc.seccompProfile === undefined) {
    const psc = podSecurity();
    if (psc && plan.setIfMissing(psc, 'seccompProfile', defaults.seccompProfile)) ctx.podFields.push('seccompProfile RuntimeDefault');
  } else if (seccompUnconfinedNeed(null, podSc)) {
    report.problems.push('pod: seccompProfile Unconfined. Fix: use RuntimeDefault (or a Localhost profile); keep it only with exemption seccompUnconfined.');
    need(seccompUnconfinedNeed(null, podSc));
  }
  const fsGroupSet = podSc.fsGroup !== undefined || ctx.podFields.some(f => f.startsWith('fsGroup'));
  if (fsGroupSet && podSc.fsGroupChangePolicy === undefined) {
    const psc = podSecurity();
    if (psc && plan.setIfMissing(psc, 'fsGroupChangePolicy', defaults.fsGroupChangePolicy)) ctx.podFields.push('fsGroupChangePolicy OnRootMismatch');
  }

  const volumes = ctx.specJs.volumes;
  const takenVolumes = new Set<string>(Array.isArray(volumes) ? volumes.map((v: any) => v?.name).filter((n: unknown) => typeof n === 'string') : []);
  for (const c of containers) hardenContainer(ctx, c, users.get(c)!, takenVolumes);
  lowPorts(ctx);
}

/** Writes the users the rule gives (presets, `--user`) and the pod's fsGroup; never replaces a known user. */
function writeUsers(ctx: PodContext, containers: readonly ContainerRef[], users: ReadonlyMap<ContainerRef, ContainerUser>): void {
  const { plan, spec, podSc, report } = ctx;
  const decided = containers.map(c => users.get(c)!);
  // --user at pod level only when it would reach no container whose user is known otherwise
  const fallbackAtPod = decided.some(u => u.source === 'fallback') && decided.every(u => u.source === 'fallback' || u.source === 'preset');
  const fsGroups = new Set<number>();
  if (fallbackAtPod) {
    const u = decided.find(d => d.source === 'fallback') as Extract<ContainerUser, { source: 'fallback' }>;
    const psc = plan.child(spec, 'securityContext');
    if (psc) {
      if (plan.setIfMissing(psc, 'runAsUser', u.user)) ctx.podFields.push(`runAsUser ${u.user}`);
      if (plan.setIfMissing(psc, 'runAsGroup', u.group)) ctx.podFields.push(`runAsGroup ${u.group}`);
    }
  }
  for (const c of containers) {
    const u = users.get(c)!;
    if (u.source !== 'preset' && (u.source !== 'fallback' || fallbackAtPod)) {
      if (u.source === 'fallback') fsGroups.add(u.fsGroup);
      continue;
    }
    const csc = plan.child(c.cursor, 'securityContext');
    if (!csc) continue;
    const fields: string[] = [];
    if (plan.setIfMissing(csc, 'runAsUser', u.user)) fields.push(`runAsUser ${u.user}`);
    if (plan.setIfMissing(csc, 'runAsGroup', u.group)) fields.push(`runAsGroup ${u.group}`);
    fsGroups.add(u.fsGroup);
    if (u.source === 'preset') {
      if (fields.length > 0) report.changes.push(`container "${c.name}" (image preset ${u.preset.name}): ${fields.join(', ')}`);
      report.notes.push(`container "${c.name}": user ${u.user}:${u.group} from the ${u.preset.name} image preset (${u.preset.notes ?? 'well-known image'}).`);
    } else if (fields.length > 0) {
      report.changes.push(`container "${c.name}" (--user): ${fields.join(', ')}`);
    }
  }
  if (podSc.fsGroup === undefined && fsGroups.size === 1) {
    const psc = plan.child(spec, 'securityContext');
    const fsGroup = [...fsGroups][0];
    const from = decided.some(u => u.source === 'preset') ? ' (image preset)' : '';
    if (psc && plan.setIfMissing(psc, 'fsGroup', fsGroup)) ctx.podFields.push(`fsGroup ${fsGroup}${from}`);
  }
}

function hardenContainer(ctx: PodContext, c: ContainerRef, user: ContainerUser, takenVolumes: Set<string>): void {
  const { plan, podSc, report, need } = ctx;
  const sc = object(c.js.securityContext);
  const fields: string[] = [];
  const csc = () => plan.child(c.cursor, 'securityContext');
  const d = hardenedContainerSecurityContext();
  const where = `container "${c.name}"`;
  if (sc.privileged === true) {
    report.problems.push(`${where}: privileged: true gives it the node's full privileges. Fix: remove it and add only the capabilities it needs; `
      + 'keep it only with exemption privileged (then the pod is privileged, not restricted).');
    need(privilegedNeed(c.name, sc));
  } else {
    const x = csc();
    if (x && plan.setIfMissing(x, 'privileged', d.privileged)) fields.push('privileged false');
    if (sc.allowPrivilegeEscalation === true) {
      report.problems.push(`${where}: allowPrivilegeEscalation: true. Fix: set it to false (setuid binaries and file capabilities stop working); `
        + 'keep it only with exemption privilegeEscalation.');
    } else if (sc.allowPrivilegeEscalation === undefined && escalationCannotBeDisabled(sc)) {
      report.problems.push(`${where}: allowPrivilegeEscalation: false is not added: the API server rejects it next to capabilities.add CAP_SYS_ADMIN. `
        + 'Fix: remove CAP_SYS_ADMIN (or spell it SYS_ADMIN, which the API accepts with allowPrivilegeEscalation: false); keep it only with exemption privilegeEscalation.');
    } else if (x && plan.setIfMissing(x, 'allowPrivilegeEscalation', d.allowPrivilegeEscalation)) {
      fields.push('allowPrivilegeEscalation false');
    }
    need(privilegeEscalationNeed(c.name, sc));
  }
  // capabilities: drop ALL is added; added capabilities are the author's decision
  const caps = object(sc.capabilities);
  if (!(Array.isArray(caps.drop) ? caps.drop : []).includes('ALL')) {
    const x = csc();
    const capsCursor = x ? plan.child(x, 'capabilities') : undefined;
    const dropSeq = capsCursor ? plan.seq(capsCursor, 'drop') : undefined;
    if (dropSeq && !plan.items(dropSeq).includes('ALL')) {
      plan.append(dropSeq, d.capabilities.drop[0]);
      fields.push('capabilities.drop ALL');
    }
  }
  const extra = extraCapabilities(sc);
  if (extra.length > 0) {
    const respell = extra.filter(a => typeof a === 'string' && kubernetesCapability(a) !== undefined && kubernetesCapability(a) !== a);
    report.problems.push(`${where}: adds capabilities ${extra.join(', ')}. Fix: remove them (restricted allows only NET_BIND_SERVICE); `
      + `keep them only with exemption addCapabilities${respell.length > 0 ? ` (spelled ${respell.map(kubernetesCapability).join(', ')}: Kubernetes names capabilities without CAP_)` : ''}.`);
    need(addCapabilitiesNeed(c.name, sc));
  }
  // user
  const uid = numericUser(user);
  const nonRoot = (sc.runAsNonRoot ?? podSc.runAsNonRoot) === true;
  if (sc.runAsNonRoot === false) {
    report.problems.push(`${where}: runAsNonRoot: false is set explicitly. Fix: remove it and run as a non-zero UID; keep it only with exemption runAsRoot.`);
  } else if (uid === 0) {
    report.problems.push(`${where}: runs as root (runAsUser 0). Fix: run it as the image's non-root UID (for a permission fix-up, use fsGroup instead); `
      + 'keep it only with exemption runAsRoot (the pod is then baseline at best).');
  } else if (user.source === 'unknown' && !nonRoot) {
    report.problems.push(`${where}: no numeric user is known for image ${JSON.stringify(c.js.image ?? '?')}: harden does not guess one. `
      + 'Fix: rerun with --user UID (the numeric USER of the image; check with `docker inspect -f {{.Config.User}} IMAGE`), '
      + 'or set securityContext.runAsUser. runAsNonRoot is not added until then: the kubelet would refuse an image whose user is root or a name.');
  } else if (sc.runAsNonRoot === undefined) {
    const x = csc();
    if (x && plan.setIfMissing(x, 'runAsNonRoot', d.runAsNonRoot)) fields.push('runAsNonRoot true');
  }
  need(runAsRootNeed(c.name, sc, uid));
  if (user.source === 'image') {
    report.notes.push(`${where}: runAsNonRoot without a numeric runAsUser: it runs as its image's user${ctx.options.user !== undefined ? ', which --user does not replace' : ''}. `
      + 'The kubelet checks that USER at start-up and refuses a root or non-numeric one (e.g. USER appuser): set runAsUser '
      + `unless image ${JSON.stringify(c.js.image ?? '?')} has a numeric, non-zero USER.`);
  }
  if (seccompUnconfinedNeed(c.name, sc)) {
    report.problems.push(`${where}: seccompProfile Unconfined. Fix: remove it (the pod's RuntimeDefault applies); keep it only with exemption seccompUnconfined.`);
    need(seccompUnconfinedNeed(c.name, sc));
  }
  for (const p of Array.isArray(c.js.ports) ? c.js.ports : []) {
    if (p?.hostPort !== undefined && p.hostPort !== 0) {
      report.problems.push(`${where}: hostPort ${p.hostPort} binds a port of the node. Fix: remove hostPort and reach the pod through a Service.`);
    }
  }
  writablePaths(ctx, c, user, takenVolumes, fields);
  if (fields.length > 0) report.changes.push(`${where}: ${fields.join(', ')}`);
}

/** The read-only root filesystem, with emptyDirs at /tmp, the preset's paths and the `--writable-path`s of this container. */
function writablePaths(ctx: PodContext, c: ContainerRef, user: ContainerUser, takenVolumes: Set<string>, fields: string[]): void {
  const { plan, spec, report, need, options } = ctx;
  const sc = object(c.js.securityContext);
  const where = `container "${c.name}"`;
  if (sc.readOnlyRootFilesystem === false) {
    report.notes.push(`${where}: keeps readOnlyRootFilesystem: false (not a Pod Security check). Prefer a read-only root with emptyDir mounts at the paths it writes.`);
    need(writableRootFilesystemNeed(c.name, sc));
    return;
  }
  const x = plan.child(c.cursor, 'securityContext');
  if (!x) return;
  const preset = user.source === 'preset' ? user.preset : undefined;
  const extra = (options.writablePaths ?? []).filter(w => w.container === undefined || w.container === c.name);
  for (const w of extra) if (w.container !== undefined) ctx.used.add(w);
  // set here, or already by an earlier container sharing this securityContext (an anchor): either way it gets the mounts
  const setHere = sc.readOnlyRootFilesystem === undefined;
  if (setHere && plan.setIfMissing(x, 'readOnlyRootFilesystem', true)) fields.push('readOnlyRootFilesystem true');
  const wanted = [...setHere ? [WRITABLE_TMP, ...preset?.writablePaths ?? []] : [], ...extra.map(w => normalizePath(w.path))];
  const mounted = new Set((Array.isArray(c.js.volumeMounts) ? c.js.volumeMounts : []).map((m: any) => typeof m?.mountPath === 'string' ? normalizePath(m.mountPath) : m?.mountPath));
  const todo = [...new Set(wanted)].filter(p => !mounted.has(p));
  // asked for only when there is something to mount (asking creates a missing list)
  const mounts = todo.length > 0 ? plan.seq(c.cursor, 'volumeMounts') : undefined;
  const volumeSeq = todo.length > 0 ? plan.seq(spec, 'volumes') : undefined;
  const writable: string[] = [];
  for (const p of todo) {
    if (!mounts || !volumeSeq) continue;
    const volumeName = writableVolumeName(c.name, p, takenVolumes);
    takenVolumes.add(volumeName);
    plan.append(volumeSeq, { name: volumeName, emptyDir: { sizeLimit: WRITABLE_VOLUME_SIZE_LIMIT } });
    plan.append(mounts, { name: volumeName, mountPath: p });
    writable.push(p);
  }
  if (writable.length > 0) fields.push(`emptyDir at ${writable.join(', ')}`);
  if (!setHere) return;
  if (preset?.dataPath && !mounted.has(preset.dataPath)) {
    report.problems.push(`${where}: ${preset.name} keeps its data in ${preset.dataPath}, which is not mounted: with the read-only root filesystem it cannot write it. `
      + `Fix: mount a PersistentVolumeClaim at ${preset.dataPath} (or an emptyDir for data you can lose).`);
  }
  report.notes.push(`${where}: ${NOW_READ_ONLY}; writable: ${[...new Set([...writable, ...[...mounted].filter(m => typeof m === 'string')])].join(', ') || 'none'}. `
    + `Writes anywhere else (caches, pid or lock files${preset ? '' : ', e.g. /var/cache/nginx, /var/run'}) fail with EROFS and cannot be known from the manifest: `
    + 'run the workload and add an emptyDir for each such path (--writable-path [CONTAINER=]PATH), or exempt writableRootFilesystem.');
}

/**
 * Container ports that the hardened containers cannot bind: the pod sysctl
 * UNPRIVILEGED_PORT_SYSCTL, set to the lowest such port, fixes them on every runtime (runtime-checks.ts).
 * A pod on the host network cannot take it: the read-back reports it (harden.ts).
 */
function lowPorts(ctx: PodContext): void {
  const { plan, spec } = ctx;
  const fix = unprivilegedPortFix(plan.json(spec));
  if (!fix?.settable) return;
  const psc = plan.child(spec, 'securityContext');
  const sysctls = psc ? plan.seq(psc, 'sysctls') : undefined;
  if (!sysctls) return;
  plan.append(sysctls, { name: UNPRIVILEGED_PORT_SYSCTL, value: String(fix.port) });
  ctx.podFields.push(`sysctl ${UNPRIVILEGED_PORT_SYSCTL}=${fix.port} (non-root processes can bind port ${fix.port} and up)`);
}

/**
 * Whether the policy engine's restricted volume check (the one list of allowed volume types)
 * rejects this volume: the volume is evaluated alone, in an otherwise empty pod.
 */
function restrictsVolume(volume: object): boolean {
  const probe = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'volume' }, spec: { containers: [], volumes: [volume] } };
  return PodSecurity.evaluate(probe, { level: PolicyLevel.RESTRICTED }).violations.some(v => v.check === RESTRICTED_VOLUMES_CHECK);
}

/** Merges exemption entries (with placeholder reasons) into the pod template's annotation. */
function writeExemptions(plan: EditPlan, template: Cursor, entries: readonly ExemptionEntry[], report: PodReport): void {
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
  report.changes.push(`pod template annotation ${RootlessAnnotations.EXEMPTIONS}: ${fresh.map(e => describeNeed({ kind: e.id, container: e.container })).join(', ')} `
    + 'with TODO reasons (a human must confirm each; the audit fails until the reasons are real)');
}
