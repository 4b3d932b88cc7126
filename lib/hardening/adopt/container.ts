/**
 * Internal: the adopt stage's rules for one container (pod.ts has the pod-level ones): privilege,
 * escalation, capabilities, the user, seccomp, host ports, the read-only root filesystem with its
 * writable paths, and the low-port sysctl. Only adds; what an accepted exemption relaxes is kept.
 *
 * Pure: no cdk8s, cdk8s-plus, constructs or yaml imports.
 */
import { exemptionOf, exemptionsForCheck, exemptionsForField } from './hints';
import {
  acceptsField, addCapabilitiesNeed, escalationCannotBeDisabled, extraCapabilities, kubernetesCapability,
  privilegeEscalationNeed, privilegedNeed, runAsRootNeed, seccompUnconfinedNeed, writableRootFilesystemNeed,
} from './needs';
import type { ContainerRef, PodContext } from './pod';
import { containerMounts, dataPathFindings, writableAt } from '../data-path';
import { MAX_ID, UNPRIVILEGED_PORT_SYSCTL, WRITABLE_TMP, WRITABLE_VOLUME_SIZE_LIMIT, hardenedContainerSecurityContext, writableVolumeName } from '../defaults';
import { ImagePreset } from '../image-preset';
import { cleanPath, isNumericId } from '../paths';
import { unprivilegedPortFix } from '../runtime-checks';
import { ContainerUser, isKnownUser, numericUser } from '../user-rule';

/** How the note about an edit harden made (the read-only root filesystem) begins after the container: dropped when the edit is not made. */
export const NOW_READ_ONLY = 'the root filesystem is now read-only';

const object = (x: unknown): any => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x : {});

/** Hardens one Linux container. */
export function hardenContainer<C, S>(ctx: PodContext<C, S>, c: ContainerRef<C>, user: ContainerUser, takenVolumes: Set<string>): void {
  const { plan, podSc, report, need, problem, accepts, words } = ctx;
  const sc = object(c.js.securityContext);
  const fields: string[] = [];
  const csc = () => plan.child(c.cursor, 'securityContext');
  const d = hardenedContainerSecurityContext();
  const where = `container "${c.name}"`;
  const escalation = privilegeEscalationNeed(c.name, sc);
  if (sc.privileged === true) {
    problem(privilegedNeed(c.name, sc), `${where}: privileged: true gives it the node's full privileges. Fix: remove it and add only the capabilities it needs; `
      + `keep it only with ${exemptionsForField(words, 'privileged')} (then the pod is privileged, not restricted).`);
  } else {
    const x = acceptsField(accepts, 'privileged', c.name) ? undefined : csc();
    if (x && plan.setIfMissing(x, 'privileged', d.privileged)) fields.push('privileged false');
    if (acceptsField(accepts, 'allowPrivilegeEscalation', c.name, 'privileged')) {
      // kept as it is
    } else if (sc.allowPrivilegeEscalation === true) {
      problem(escalation, `${where}: allowPrivilegeEscalation: true. Fix: set it to false (setuid binaries and file capabilities stop working); `
        + `keep it only with ${exemptionsForField(words, 'allowPrivilegeEscalation', 'privileged')}.`);
    } else if (sc.allowPrivilegeEscalation === undefined && escalationCannotBeDisabled(sc)) {
      problem(escalation, `${where}: allowPrivilegeEscalation: false is not added: the API server rejects it next to capabilities.add CAP_SYS_ADMIN. `
        + 'Fix: remove CAP_SYS_ADMIN (or spell it SYS_ADMIN, which the API accepts with allowPrivilegeEscalation: false); '
        + `keep it only with ${exemptionsForField(words, 'allowPrivilegeEscalation', 'privileged')}.`);
    } else {
      const y = csc();
      if (y && plan.setIfMissing(y, 'allowPrivilegeEscalation', d.allowPrivilegeEscalation)) fields.push('allowPrivilegeEscalation false');
      need(escalation);
    }
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
    problem(addCapabilitiesNeed(c.name, sc), `${where}: adds capabilities ${extra.join(', ')}. Fix: remove them (restricted allows only NET_BIND_SERVICE); `
      + `keep them only with ${exemptionsForCheck(words, 'capabilities_restricted')}${respell.length > 0 ? ` (spelled ${respell.map(kubernetesCapability).join(', ')}: Kubernetes names capabilities without CAP_)` : ''}.`);
  }
  // user
  const uid = numericUser(user);
  const nonRoot = (sc.runAsNonRoot ?? podSc.runAsNonRoot) === true;
  if (user.source === 'set' && !isNumericId(user.user)) {
    report.problems.push(`${where}: runAsUser ${JSON.stringify(user.user)}${user.at === 'pod' ? ' (set on the pod)' : ''} is not a UID: the API server accepts `
      + `an integer in 0..${MAX_ID} only. Fix: set the image's numeric non-root UID.`);
  }
  if (acceptsField(accepts, 'runAsUser', c.name)) {
    // may run as root: its user is kept, and runAsNonRoot false says so (over a pod-level true, which the kubelet would enforce)
    const x = sc.runAsNonRoot === undefined ? csc() : undefined;
    if (x && plan.setIfMissing(x, 'runAsNonRoot', false)) fields.push(`runAsNonRoot false (${exemptionsForField(words, 'runAsUser')})`);
  } else if (sc.runAsNonRoot === false) {
    report.problems.push(`${where}: runAsNonRoot: false is set explicitly. Fix: remove it and run as a non-zero UID; keep it only with ${exemptionsForField(words, 'runAsUser')}.`);
  } else if (uid === 0) {
    report.problems.push(`${where}: runs as root (runAsUser 0). Fix: run it as the image's non-root UID (for a permission fix-up, use fsGroup instead); `
      + `keep it only with ${exemptionsForField(words, 'runAsUser')} (the pod is then baseline at best).`);
  } else if (!isKnownUser(user)) {
    report.problems.push(unknownUserProblem(ctx, c, user));
  } else if (sc.runAsNonRoot === undefined) {
    const x = csc();
    if (x && plan.setIfMissing(x, 'runAsNonRoot', d.runAsNonRoot)) fields.push('runAsNonRoot true');
  }
  need(runAsRootNeed(c.name, sc, uid));
  if (user.source === 'vouched') {
    report.notes.push(`${where}: runs as the numeric non-root USER of image ${JSON.stringify(c.js.image ?? '?')}, vouched for by ${user.from}: no runAsUser is written, `
      + `and runAsNonRoot${nonRoot ? '' : ' (added)'} makes the kubelet check that USER at start-up.`);
  }
  if (seccompUnconfinedNeed(c.name, sc)) {
    problem(seccompUnconfinedNeed(c.name, sc), `${where}: seccompProfile Unconfined. Fix: remove it (the pod's RuntimeDefault applies); keep it only with ${exemptionsForField(words, 'seccompProfile')}.`);
  }
  for (const p of Array.isArray(c.js.ports) ? c.js.ports : []) {
    if (p?.hostPort !== undefined && p.hostPort !== 0) {
      report.problems.push(`${where}: hostPort ${p.hostPort} binds a port of the node. Fix: remove hostPort and reach the pod through a Service.`);
    }
  }
  writablePaths(ctx, c, user, takenVolumes, fields);
  if (fields.length > 0) report.changes.push(`${where}: ${fields.join(', ')}`);
}

/**
 * The read-only root filesystem, with emptyDirs at /tmp, the preset's paths and the `--writable-path`s of this container,
 * and the data-path rule (data-path.ts). Judged on the container that results, whoever made its root read-only: each
 * wanted path that is not writable yet (no writable mount at it or above it) gets an emptyDir, on every run.
 */
function writablePaths<C, S>(ctx: PodContext<C, S>, c: ContainerRef<C>, user: ContainerUser, takenVolumes: Set<string>, fields: string[]): void {
  const { plan, spec, specJs, report, need, options } = ctx;
  const sc = object(c.js.securityContext);
  const where = `container "${c.name}"`;
  // the image's facts: its preset (none for a given user that says customImage), else the well-known image it is
  const preset = user.source === 'preset' || user.source === 'given' ? user.preset
    : typeof c.js.image === 'string' ? ImagePreset.forImage(c.js.image) : undefined;
  const data = (readOnlyRoot: boolean, added: { volumes: unknown[]; mounts: unknown[] } = { volumes: [], mounts: [] }) => {
    if (!preset) return;
    const volumes = [...Array.isArray(specJs.volumes) ? specJs.volumes : [], ...added.volumes];
    const mounts = [...Array.isArray(c.js.volumeMounts) ? c.js.volumeMounts : [], ...added.mounts];
    const found = dataPathFindings({ ...specJs, volumes }, { ...c.js, volumeMounts: mounts }, preset, readOnlyRoot, where);
    report.problems.push(...found.problems);
    report.notes.push(...found.notes);
  };
  if (acceptsField(ctx.accepts, 'readOnlyRootFilesystem', c.name)) return data(false);
  if (sc.readOnlyRootFilesystem === false) {
    const n = writableRootFilesystemNeed(c.name, sc);
    report.notes.push(`${where}: keeps readOnlyRootFilesystem: false (not a Pod Security check${n ? `; say why with ${exemptionOf(ctx.words, n.kind)}` : ''}). `
      + 'Prefer a read-only root with emptyDir mounts at the paths it writes.');
    need(n);
    return data(false);
  }
  const x = plan.child(c.cursor, 'securityContext');
  if (!x) return;
  const extra = (options.writablePaths ?? []).filter(w => w.container === undefined || w.container === c.name);
  for (const w of extra) if (w.container !== undefined) ctx.used.add(w);
  // set here, or read-only already (by the author, by cdk8s-plus, by an earlier container sharing this securityContext
  // through an anchor, by an earlier run): either way the result is read-only and gets the mounts
  const setHere = sc.readOnlyRootFilesystem === undefined;
  if (!setHere && sc.readOnlyRootFilesystem !== true) return; // not a boolean: the API rejects it, the read-back reports it
  if (setHere && plan.setIfMissing(x, 'readOnlyRootFilesystem', true)) fields.push('readOnlyRootFilesystem true');
  const existing = containerMounts(specJs, c.js);
  const wanted = [WRITABLE_TMP, ...preset?.writablePaths ?? [], ...extra.map(w => w.path)].map(cleanPath);
  // a path mounted exactly is left to that mount (a second mount there is refused by the API; read-only, the checklist reports
  // it); else it is writable when the mount deepest over it is (a read-only mount between shadows a writable one above)
  const covered = (p: string) => existing.some(m => m.path === p) || writableAt(existing, p);
  const todo = [...new Set(wanted)].filter(p => !covered(p));
  // asked for only when there is something to mount (asking creates a missing list)
  const mounts = todo.length > 0 ? plan.seq(c.cursor, 'volumeMounts') : undefined;
  const volumeSeq = todo.length > 0 ? plan.seq(spec, 'volumes') : undefined;
  const writable: string[] = [];
  const added = { volumes: [] as unknown[], mounts: [] as unknown[] };
  for (const p of todo) {
    if (!mounts || !volumeSeq) continue;
    const volumeName = writableVolumeName(c.name, p, takenVolumes);
    takenVolumes.add(volumeName);
    const volume = { name: volumeName, emptyDir: { sizeLimit: WRITABLE_VOLUME_SIZE_LIMIT } };
    const mount = { name: volumeName, mountPath: p };
    plan.append(volumeSeq, volume);
    plan.append(mounts, mount);
    added.volumes.push(volume);
    added.mounts.push(mount);
    writable.push(p);
  }
  if (writable.length > 0) fields.push(`emptyDir at ${writable.join(', ')}`);
  data(true, added);
  if (!setHere) return;
  const mounted = existing.filter(m => !m.readOnly).map(m => m.path);
  report.notes.push(`${where}: ${NOW_READ_ONLY}; writable: ${[...new Set([...writable, ...mounted])].join(', ') || 'none'}. `
    + `Writes anywhere else (caches, pid or lock files${preset ? '' : ', e.g. /var/cache/nginx, /var/run'}) fail with EROFS and cannot be known from the manifest: `
    + `run the workload and add an emptyDir for each such path (${ctx.dialect.writablePathFix}), or declare ${exemptionsForField(ctx.words, 'readOnlyRootFilesystem')}.`);
}

/**
 * Why a container's user is not known (user-rule.ts: unknown, a given user its image refuses, or two
 * image patterns that disagree), naming the container, the image and the fixes.
 */
function unknownUserProblem<C, S>(ctx: PodContext<C, S>, c: ContainerRef<C>, user: ContainerUser): string {
  const image = JSON.stringify(c.js.image ?? '?');
  const where = `container "${c.name}"`;
  const fixes = ctx.dialect.userFixes?.(c.name) ?? ctx.dialect.userFix;
  if (user.source === 'refused') {
    return `${where}: user ${user.user} from ${user.from} does not fit image ${image}: it is the ${user.preset.name} image (${user.preset._source}), which runs as `
      + `UID ${user.preset.user} and does not run under another UID (its files belong to ${user.preset.user}). Nothing was written. Fix: give ${user.preset.user}, or `
      + `leave the user out (the preset's UID is then used); if you built this image yourself to run as ${user.user}, say so: ${ctx.dialect.customImageFix?.(c.name) ?? 'customImage'}.`;
  }
  if (user.source === 'ambiguous') {
    return `${where}: image ${image} matches ${user.from.join(' and ')}, equally specific patterns that disagree. Nothing was written. `
      + 'Fix: make one pattern more specific, or remove one.';
  }
  const preset = typeof c.js.image === 'string' ? ImagePreset.forImage(c.js.image) : undefined;
  return `${where}: no numeric user is known for image ${image}${preset ? '' : ' (no image preset knows it: ImagePreset.forImage)'}, and runAsNonRoot alone does not say it: `
    + 'the kubelet refuses runAsNonRoot with an image whose USER is absent, root or a name. No user was written (none is guessed). '
    + `Fix: ${fixes} (the numeric USER of the image; check with \`docker inspect -f {{.Config.User}} IMAGE\`), or set securityContext.runAsUser.`;
}

/**
 * Container ports that the hardened containers cannot bind: the pod sysctl
 * UNPRIVILEGED_PORT_SYSCTL, set to the lowest such port, fixes them on every runtime (runtime-checks.ts).
 * A pod on the host network cannot take it: the read-back reports it (harden.ts).
 */
export function lowPorts<C, S>(ctx: PodContext<C, S>): void {
  const { plan, spec } = ctx;
  const fix = unprivilegedPortFix(plan.json(spec));
  if (!fix?.settable) return;
  const psc = plan.child(spec, 'securityContext');
  const sysctls = psc ? plan.seq(psc, 'sysctls') : undefined;
  if (!sysctls) return;
  plan.append(sysctls, { name: UNPRIVILEGED_PORT_SYSCTL, value: String(fix.port) });
  ctx.podFields.push(`sysctl ${UNPRIVILEGED_PORT_SYSCTL}=${fix.port} (non-root processes can bind port ${fix.port} and up)`);
}

