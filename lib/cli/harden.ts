/**
 * `harden`: applies the hardening of the constructs to existing manifests (Helm output,
 * kustomize builds, `kubectl get -o yaml` dumps): adds the secure defaults that are missing
 * (lib/hardening/defaults.ts, shared with the constructs), keeps every other byte, never
 * weakens a field that is already set, and is idempotent.
 *
 * What it cannot decide safely it reports with the fix instead of guessing: a container whose
 * numeric user is unknown (no runAsUser, no `--user`, no known image preset), ports below
 * 1024, hostPath volumes, host namespaces, privileged containers, explicit root users,
 * escalation or added capabilities. With `--add-exemptions` it also writes those as
 * exemption entries with a `TODO:` reason into the pod template's `rootless.cdk8s.io/exemptions`
 * annotation, which the audit flags until a human replaces the placeholder.
 *
 * The output is then read exactly as `audit` reads it and evaluated at `restricted`: what
 * still keeps an object from passing is listed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type * as YAML from 'yaml';
import { CommandContext, parseByteSize } from './audit';
import { Cursor, EditPlan, applyPlans, applyPlansToDocuments } from './harden-edit';
import { ExitCode, UsageError } from './io';
import { yaml } from './lazy';
import { ManifestError, ManifestObject, ManifestSource, errorMessage, parseManifests } from './manifest-parser';
import { DEFAULT_MAX_BYTES, readManifests } from './manifest-reader';
import { RootlessAnnotations } from '../hardening/annotations';
import {
  FIRST_UNPRIVILEGED_PORT, MAX_ID, UNPRIVILEGED_PORT_SYSCTL, WRITABLE_TMP, WRITABLE_VOLUME_SIZE_LIMIT,
  hardenedContainerSecurityContext, hardenedPodFields, hardenedPodSecurityContext, writableVolumeName,
} from '../hardening/defaults';
import { ExemptionKind as K } from '../hardening/exemption';
import { ExemptionEntry, entryOf } from '../hardening/exemptions/codec';
import { ImagePreset } from '../hardening/image-preset';
import { placeholderReason } from '../hardening/reason';
import { kubeletRefusals, suggestedPort, unbindablePorts, unreachableCapabilities } from '../hardening/runtime-checks';
import { podTemplateOf, podTemplatePath } from '../policy/k8s-shapes';
import { PodSecurity } from '../policy/pod-security';
import { PolicyLevel } from '../policy/types';

/** Options of `hardenText`. */
export interface HardenOptions {
  /** The numeric UID for containers whose user is not known (`--user`). */
  readonly user?: number;
  /** The numeric GID (`--group`); defaults to the user, as in the constructs. */
  readonly group?: number;
  /** Write exemption entries with placeholder reasons for what needs a human (`--add-exemptions`). */
  readonly addExemptions?: boolean;
}

/** What `harden` did to, and found in, one object. */
export interface HardenedObject {
  /** 0-based document index. */
  readonly index: number;
  /** 0-based List item index. */
  readonly item?: number;
  readonly kind: string;
  readonly name: string;
  /** What was added, one phrase each. */
  readonly changes: string[];
  /** What needs a human, each with its fix. */
  readonly problems: string[];
  /** Notes: what harden assumed or cannot know. */
  readonly notes: string[];
  /** Violations of `restricted` left after hardening (`check: detail`), empty when it passes. */
  readonly remaining: string[];
}

/** The result of hardening one text. */
export interface HardenResult {
  readonly text: string;
  readonly objects: HardenedObject[];
  /** Set when the text could not be parsed (it is then left unchanged). */
  readonly error?: string;
  /** Whether the text edits failed verification and the changed documents were re-serialized. */
  readonly reformatted: boolean;
}

/** The preset of a container's image, if it is a well-known one (`ImagePreset.forImage`). */
function presetFor(image: unknown): ImagePreset | undefined {
  return typeof image === 'string' ? ImagePreset.forImage(image) : undefined;
}

/** The policy engine's check of the volume types restricted allows. */
const RESTRICTED_VOLUMES_CHECK = 'restrictedVolumes';

interface ContainerRef {
  readonly kind: 'initContainers' | 'containers' | 'ephemeralContainers';
  readonly name: string;
  readonly js: any;
  readonly cursor: Cursor;
}

/**
 * Hardens one manifest text. Never throws for bad input: a text that cannot be parsed is
 * returned unchanged with `error` set.
 */
export function hardenText(text: string, options: HardenOptions = {}): HardenResult {
  const parsed = parse(text);
  if (typeof parsed === 'string') return { text, objects: [], error: parsed, reformatted: false };
  const plans: EditPlan[] = [];
  const objects: (Omit<HardenedObject, 'remaining'>)[] = [];
  parsed.forEach((doc, index) => {
    const plan = new EditPlan(doc);
    plans.push(plan);
    const root = plan.cursor(doc.contents);
    if (!root) return;
    const kind = plan.get(root, 'kind');
    const items = plan.get(root, 'items');
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
      const seq = plan.resolve(plan.lookup((root as { node: any }).node, 'items'));
      if (!yaml().isSeq(seq)) return;
      seq.items.forEach((node, item) => {
        const c = plan.cursor(node);
        if (c) hardenObject(plan, c, options, index, item, objects);
      });
    } else {
      hardenObject(plan, root, options, index, undefined, objects);
    }
  });
  if (plans.every(p => p.empty)) return { text, objects: withRemaining(text, objects), reformatted: false };

  let out = applyPlans(text, plans);
  let reformatted = false;
  if (!verify(text, out, options)) {
    // the text edits did not produce what was planned: re-serialize through the Document API
    out = applyPlansToDocuments(parsed, plans);
    reformatted = true;
  }
  return { text: out, objects: withRemaining(out, objects), reformatted };
}

function parse(text: string): YAML.Document.Parsed[] | string {
  try {
    const docs = yaml().parseAllDocuments(text, { version: '1.1', merge: true, uniqueKeys: false, keepSourceTokens: false });
    if (!Array.isArray(docs)) return 'not a YAML stream';
    for (const d of docs) {
      if (d.errors.length > 0) return `YAML error: ${d.errors[0].message}`;
    }
    return docs;
  } catch (e) {
    return `cannot parse: ${errorMessage(e)}`;
  }
}

/** The edits are right when the result keeps every original value and hardening it again changes nothing. */
function verify(before: string, after: string, options: HardenOptions): boolean {
  const a = parse(before);
  const b = parse(after);
  if (typeof a === 'string' || typeof b === 'string' || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!keeps(a[i].toJS({ maxAliasCount: -1 }), b[i].toJS({ maxAliasCount: -1 }))) return false;
  }
  return b.every(doc => {
    const plan = new EditPlan(doc);
    const root = plan.cursor(doc.contents);
    if (!root) return true;
    const sink: Omit<HardenedObject, 'remaining'>[] = [];
    const items = plan.get(root, 'items');
    const kind = plan.get(root, 'kind');
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
      const seq = plan.resolve(plan.lookup((root as { node: any }).node, 'items'));
      if (yaml().isSeq(seq)) seq.items.forEach((n, i) => { const c = plan.cursor(n); if (c) hardenObject(plan, c, options, 0, i, sink); });
    } else {
      hardenObject(plan, root, options, 0, undefined, sink);
    }
    return plan.empty;
  });
}

/** Whether `after` has every value of `before` unchanged (it may add keys and append items). */
function keeps(before: unknown, after: unknown): boolean {
  if (before === after) return true;
  if (typeof before !== 'object' || before === null || typeof after !== 'object' || after === null) return false;
  if (Array.isArray(before)) return Array.isArray(after) && after.length >= before.length && before.every((v, i) => keeps(v, after[i]));
  if (Array.isArray(after)) return false;
  return Object.entries(before).every(([k, v]) => (v === null ? k in after : keeps(v, (after as any)[k])));
}

function hardenObject(plan: EditPlan, obj: Cursor, options: HardenOptions, index: number, item: number | undefined,
  out: Omit<HardenedObject, 'remaining'>[]): void {
  const kind = plan.get(obj, 'kind');
  const templatePath = podTemplatePath(kind);
  if (typeof kind !== 'string' || templatePath === undefined) return;
  const meta = plan.get(obj, 'metadata') as any;
  const name = `${typeof meta?.namespace === 'string' ? meta.namespace + '/' : ''}${typeof meta?.name === 'string' ? meta.name : '(unnamed)'}`;
  const template = templateCursor(plan, obj, templatePath);
  const report = { index, item, kind, name, changes: [] as string[], problems: [] as string[], notes: [] as string[] };
  out.push(report);
  if (!template) {
    report.problems.push('no pod template: the object is malformed. Fix: make it well formed (see the Kubernetes API reference).');
    return;
  }
  const spec = typeof plan.get(template, 'spec') === 'object' ? plan.child(template, 'spec') : undefined;
  if (!spec) {
    report.problems.push('the pod spec is not a mapping. Fix: make the manifest well formed.');
    return;
  }
  hardenPod(plan, template, spec, options, report);
}

/** The pod template cursor of an object (`{ metadata, spec }`) at its kind's path (POD_TEMPLATE_PATHS), if it has one. */
function templateCursor(plan: EditPlan, obj: Cursor, keys: readonly string[]): Cursor | undefined {
  let at: Cursor | undefined = obj;
  for (const key of keys) at = at && typeof plan.get(at, key) === 'object' ? plan.child(at, key) : undefined;
  return at;
}

function hardenPod(plan: EditPlan, template: Cursor, spec: Cursor, options: HardenOptions,
  report: { changes: string[]; problems: string[]; notes: string[] }): void {
  const s = plan.get(spec, 'securityContext') as any ?? {};
  const podSc = typeof s === 'object' && s !== null ? s : {};
  const exemptions: ExemptionEntry[] = [];
  const exempt = (kind: K, container: string | null, what: string, capabilities?: string[]) =>
    exemptions.push(entryOf({ kind, container: container ?? undefined, reason: placeholderReason(what), capabilities }));
  const added = (where: string, fields: string[]) => { if (fields.length > 0) report.changes.push(`${where}: ${fields.join(', ')}`); };

  const containers: ContainerRef[] = [];
  for (const kind of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const list = plan.get(spec, kind);
    if (!Array.isArray(list)) continue;
    const seq = plan.resolve(plan.lookup((spec as { node?: any }).node ?? new (yaml().YAMLMap)(), kind));
    list.forEach((js, i) => {
      if (typeof js !== 'object' || js === null) return;
      const node = yaml().isSeq(seq) ? seq.items[i] : undefined;
      const cursor = node !== undefined ? plan.cursor(node) : undefined;
      if (cursor) containers.push({ kind, name: typeof js.name === 'string' ? js.name : `${kind}[${i}]`, js, cursor });
    });
  }
  if (containers.length === 0) {
    report.problems.push('the pod has no containers. Fix: make the manifest well formed.');
    return;
  }

  // --- users: from the manifest, --user, or a known image preset; never guessed
  const podFields: string[] = [];
  const podSecurity = () => plan.child(spec, 'securityContext');
  let podUser: unknown = podSc.runAsUser;
  const group = options.group ?? options.user;
  if (options.user !== undefined && podUser === undefined) {
    const psc = podSecurity();
    if (psc) {
      if (plan.setIfMissing(psc, 'runAsUser', options.user)) podFields.push(`runAsUser ${options.user}`);
      if (plan.setIfMissing(psc, 'runAsGroup', group)) podFields.push(`runAsGroup ${group}`);
      if (podSc.fsGroup === undefined && plan.setIfMissing(psc, 'fsGroup', group)) podFields.push(`fsGroup ${group}`);
      podUser = options.user;
    }
  }
  const users = new Map<ContainerRef, number | undefined>();
  const presetFsGroups = new Set<number>();
  for (const c of containers) {
    const sc = c.js.securityContext ?? {};
    let user: unknown = sc.runAsUser ?? podUser;
    if (user === undefined) {
      const preset = presetFor(c.js.image);
      const csc = preset ? plan.child(c.cursor, 'securityContext') : undefined;
      if (preset && csc) {
        const fields: string[] = [];
        if (plan.setIfMissing(csc, 'runAsUser', preset.user)) fields.push(`runAsUser ${preset.user}`);
        if (plan.setIfMissing(csc, 'runAsGroup', preset.group)) fields.push(`runAsGroup ${preset.group}`);
        added(`container "${c.name}" (image preset ${preset.name})`, fields);
        report.notes.push(`container "${c.name}": user ${preset.user}:${preset.group} from the ${preset.name} image preset (${preset.notes ?? 'well-known image'}).`);
        if (preset.dataPath && !(c.js.volumeMounts ?? []).some((m: any) => m?.mountPath === preset.dataPath)) {
          report.notes.push(`container "${c.name}": ${preset.name} keeps its data in ${preset.dataPath}: mount a PersistentVolumeClaim there.`);
        }
        presetFsGroups.add(preset.fsGroup);
        user = preset.user;
      }
    }
    users.set(c, typeof user === 'number' ? user : undefined);
  }
  if (podSc.fsGroup === undefined && options.user === undefined && presetFsGroups.size === 1) {
    const psc = podSecurity();
    const fsGroup = [...presetFsGroups][0];
    if (psc && plan.setIfMissing(psc, 'fsGroup', fsGroup)) podFields.push(`fsGroup ${fsGroup} (image preset)`);
  }

  // --- pod-level securityContext
  const rootContainers = containers.filter(c => users.get(c) === 0);
  const unknownUser = containers.filter(c => users.get(c) === undefined
    && (c.js.securityContext?.runAsNonRoot ?? podSc.runAsNonRoot) !== true);
  const defaults = hardenedPodSecurityContext();
  if (podSc.runAsNonRoot === false) {
    report.problems.push('pod: runAsNonRoot: false is set explicitly. Fix: remove it if every container runs as a non-zero UID; '
      + 'otherwise keep it and declare exemption runAsRoot.');
    exempt(K.RUN_AS_ROOT, null, 'the pod sets runAsNonRoot: false');
  } else if (podSc.runAsNonRoot === undefined && rootContainers.length === 0 && unknownUser.length === 0) {
    const psc = podSecurity();
    if (psc && plan.setIfMissing(psc, 'runAsNonRoot', defaults.runAsNonRoot)) podFields.push('runAsNonRoot true');
  }
  if (podSc.seccompProfile === undefined) {
    const psc = podSecurity();
    if (psc && plan.setIfMissing(psc, 'seccompProfile', defaults.seccompProfile)) podFields.push('seccompProfile RuntimeDefault');
  } else if (podSc.seccompProfile?.type === 'Unconfined') {
    report.problems.push('pod: seccompProfile Unconfined. Fix: use RuntimeDefault (or a Localhost profile); keep it only with exemption seccompUnconfined.');
    exempt(K.SECCOMP_UNCONFINED, null, 'the pod runs without a seccomp profile');
  }
  const fsGroupSet = podSc.fsGroup !== undefined || podFields.some(f => f.startsWith('fsGroup'));
  if (fsGroupSet && podSc.fsGroupChangePolicy === undefined) {
    const psc = podSecurity();
    if (psc && plan.setIfMissing(psc, 'fsGroupChangePolicy', defaults.fsGroupChangePolicy)) podFields.push('fsGroupChangePolicy OnRootMismatch');
  }
  const specJs = { automountServiceAccountToken: plan.get(spec, 'automountServiceAccountToken'), serviceAccountName: plan.get(spec, 'serviceAccountName') ?? plan.get(spec, 'serviceAccount') };
  if (specJs.automountServiceAccountToken === undefined) {
    if (specJs.serviceAccountName === undefined || specJs.serviceAccountName === 'default') {
      plan.setIfMissing(spec, 'automountServiceAccountToken', hardenedPodFields().automountServiceAccountToken);
      podFields.push('automountServiceAccountToken false');
      report.notes.push('pod: automountServiceAccountToken set to false (the pod names no service account); set it to true if the pod calls the Kubernetes API.');
    } else {
      report.notes.push(`pod: uses service account "${specJs.serviceAccountName}": its API token is left mounted (harden cannot know whether the pod calls the API); `
        + 'set automountServiceAccountToken: false if it does not.');
    }
  }
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (plan.get(spec, field) === true) {
      report.problems.push(`pod: ${field}: true shares the node's namespace. Fix: remove it; keep it only with exemption ${field}.`);
      exempt(field as K, null, `the pod needs ${field}`);
    }
  }
  const volumes = plan.get(spec, 'volumes');
  if (Array.isArray(volumes)) {
    for (const v of volumes) {
      if (v?.hostPath !== undefined) {
        report.problems.push(`pod: volume "${v.name}" is a hostPath (${v.hostPath?.path ?? '?'}). Fix: use a PersistentVolumeClaim, a configMap/secret or an emptyDir; `
          + 'keep it only with exemption hostPath (then the pod is privileged, not restricted).');
        if (!exemptions.some(e => e.id === K.HOST_PATH)) exempt(K.HOST_PATH, null, 'the pod mounts node files (hostPath)');
      } else if (typeof v === 'object' && v !== null && restrictsVolume(v)) {
        const type = Object.keys(v).filter(k => k !== 'name' && (v as any)[k] !== undefined && (v as any)[k] !== null).join(', ');
        report.problems.push(`pod: volume "${v.name}" of type ${type} is not allowed by restricted. Fix: use a PersistentVolumeClaim (or a csi volume).`);
      }
    }
  }

  // --- containers
  const takenVolumes = new Set<string>(Array.isArray(volumes) ? volumes.map((v: any) => v?.name).filter((n: unknown) => typeof n === 'string') : []);
  for (const c of containers) {
    const sc = (typeof c.js.securityContext === 'object' && c.js.securityContext !== null) ? c.js.securityContext : {};
    const fields: string[] = [];
    const csc = () => plan.child(c.cursor, 'securityContext');
    const d = hardenedContainerSecurityContext();
    const where = `container "${c.name}"`;
    if (sc.privileged === true) {
      report.problems.push(`${where}: privileged: true gives it the node's full privileges. Fix: remove it and add only the capabilities it needs; `
        + 'keep it only with exemption privileged (then the pod is privileged, not restricted).');
      exempt(K.PRIVILEGED, c.name, `container "${c.name}" runs privileged`);
    } else {
      const x = csc();
      if (x && plan.setIfMissing(x, 'privileged', d.privileged)) fields.push('privileged false');
      if (sc.allowPrivilegeEscalation === true) {
        report.problems.push(`${where}: allowPrivilegeEscalation: true. Fix: set it to false (setuid binaries and file capabilities stop working); `
          + 'keep it only with exemption privilegeEscalation.');
        exempt(K.PRIVILEGE_ESCALATION, c.name, `container "${c.name}" must gain privileges`);
      } else if (x && plan.setIfMissing(x, 'allowPrivilegeEscalation', d.allowPrivilegeEscalation)) {
        fields.push('allowPrivilegeEscalation false');
      }
    }
    // capabilities: drop ALL is added; added capabilities are the author's decision
    const caps = typeof sc.capabilities === 'object' && sc.capabilities !== null ? sc.capabilities : {};
    const drop: unknown[] = Array.isArray(caps.drop) ? caps.drop : [];
    if (!drop.includes('ALL')) {
      const x = csc();
      const capsCursor = x ? plan.child(x, 'capabilities') : undefined;
      const dropSeq = capsCursor ? plan.seq(capsCursor, 'drop') : undefined;
      if (dropSeq && !plan.items(dropSeq).includes('ALL')) {
        plan.append(dropSeq, d.capabilities.drop[0]);
        fields.push('capabilities.drop ALL');
      }
    }
    const add: unknown[] = Array.isArray(caps.add) ? caps.add : [];
    const extra = add.filter(a => a !== 'NET_BIND_SERVICE');
    if (extra.length > 0) {
      report.problems.push(`${where}: adds capabilities ${extra.join(', ')}. Fix: remove them (restricted allows only NET_BIND_SERVICE); `
        + 'keep them only with exemption addCapabilities.');
      exempt(K.ADD_CAPABILITIES, c.name, `container "${c.name}" needs ${extra.join(', ')}`, extra.map(String));
    }
    // user
    const user = users.get(c);
    if (sc.runAsNonRoot === false) {
      report.problems.push(`${where}: runAsNonRoot: false is set explicitly. Fix: remove it and run as a non-zero UID; keep it only with exemption runAsRoot.`);
      if (!exemptions.some(e => e.id === K.RUN_AS_ROOT && e.container === c.name)) exempt(K.RUN_AS_ROOT, c.name, `container "${c.name}" runs as root`);
    } else if (user === 0) {
      report.problems.push(`${where}: runs as root (runAsUser 0). Fix: run it as the image's non-root UID (for a permission fix-up, use fsGroup instead); `
        + 'keep it only with exemption runAsRoot (the pod is then baseline at best).');
      exempt(K.RUN_AS_ROOT, c.name, `container "${c.name}" runs as root`);
    } else if (user === undefined && (sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) {
      report.problems.push(`${where}: no numeric user is known for image ${JSON.stringify(c.js.image ?? '?')}: harden does not guess one. `
        + 'Fix: rerun with --user UID (the numeric USER of the image; check with `docker inspect -f {{.Config.User}} IMAGE`), '
        + 'or set securityContext.runAsUser. runAsNonRoot is not added until then: the kubelet would refuse an image whose user is root or a name.');
    } else if (sc.runAsNonRoot === undefined) {
      const x = csc();
      if (x && plan.setIfMissing(x, 'runAsNonRoot', d.runAsNonRoot)) fields.push('runAsNonRoot true');
    }
    if (user === undefined && (sc.runAsNonRoot ?? podSc.runAsNonRoot) === true) {
      report.notes.push(`${where}: runAsNonRoot without a numeric runAsUser: the kubelet checks the image's USER at start-up and refuses a root `
        + `or non-numeric one (e.g. USER appuser). Set runAsUser (or rerun with --user UID) unless image ${JSON.stringify(c.js.image ?? '?')} has a numeric, non-zero USER.`);
    }
    if (sc.seccompProfile?.type === 'Unconfined') {
      report.problems.push(`${where}: seccompProfile Unconfined. Fix: remove it (the pod's RuntimeDefault applies); keep it only with exemption seccompUnconfined.`);
      exempt(K.SECCOMP_UNCONFINED, c.name, `container "${c.name}" runs without a seccomp profile`);
    }
    // host ports (low container ports are read from the hardened output: see runtimeProblems)
    for (const p of Array.isArray(c.js.ports) ? c.js.ports : []) {
      if (p?.hostPort !== undefined && p.hostPort !== 0) {
        report.problems.push(`${where}: hostPort ${p.hostPort} binds a port of the node. Fix: remove hostPort and reach the pod through a Service.`);
      }
    }
    // read-only root filesystem, with writable paths the image is known to need
    if (sc.readOnlyRootFilesystem === false) {
      report.notes.push(`${where}: keeps readOnlyRootFilesystem: false (not a Pod Security check). Prefer a read-only root with emptyDir mounts at the paths it writes.`);
      exempt(K.WRITABLE_ROOT_FILESYSTEM, c.name, `container "${c.name}" needs a writable root filesystem`);
    } else if (sc.readOnlyRootFilesystem === undefined) {
      const x = csc();
      // set here, or already by an earlier container sharing this securityContext (an anchor): either way it gets the mounts
      if (x) {
        if (plan.setIfMissing(x, 'readOnlyRootFilesystem', d.readOnlyRootFilesystem)) fields.push('readOnlyRootFilesystem true');
        const preset = presetFor(c.js.image);
        const wanted = [WRITABLE_TMP, ...preset?.writablePaths ?? []];
        const mounts = plan.seq(c.cursor, 'volumeMounts');
        const mounted = new Set((Array.isArray(c.js.volumeMounts) ? c.js.volumeMounts : []).map((m: any) => m?.mountPath));
        const volumeSeq = plan.seq(spec, 'volumes');
        const writable: string[] = [];
        for (const p of wanted) {
          if (mounted.has(p) || !mounts || !volumeSeq) continue;
          const volumeName = writableVolumeName(c.name, p, takenVolumes);
          takenVolumes.add(volumeName);
          plan.append(volumeSeq, { name: volumeName, emptyDir: { sizeLimit: WRITABLE_VOLUME_SIZE_LIMIT } });
          plan.append(mounts, { name: volumeName, mountPath: p });
          writable.push(p);
        }
        if (writable.length > 0) fields.push(`emptyDir at ${writable.join(', ')}`);
        report.notes.push(`${where}: the root filesystem is now read-only; writable: ${[...new Set([...writable, ...[...mounted].filter(m => typeof m === 'string')])].join(', ') || 'none'}. `
          + 'Writes anywhere else (caches, pid or lock files, e.g. /var/cache/nginx, /var/run) fail with EROFS and cannot be known from the manifest: '
          + 'run the workload and add an emptyDir mount for each such path (or exempt writableRootFilesystem).');
      }
    }
    added(where, fields);
  }
  added('pod', podFields);

  if (options.addExemptions && exemptions.length > 0) {
    writeExemptions(plan, template, exemptions, report);
  } else if (exemptions.length > 0) {
    report.notes.push(`if a human confirms that the workload needs it, rerun with --add-exemptions to declare ${exemptions.map(e => e.id + (e.container ? ` (${e.container})` : '')).join(', ')} `
      + `in the ${RootlessAnnotations.EXEMPTIONS} annotation with a TODO reason to replace.`);
  }
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
function writeExemptions(plan: EditPlan, template: Cursor, entries: readonly ExemptionEntry[],
  report: { changes: string[]; problems: string[] }): void {
  const metadata = plan.child(template, 'metadata');
  const annotations = metadata ? plan.child(metadata, 'annotations') : undefined;
  if (!annotations) {
    report.problems.push('cannot write the exemptions annotation: metadata.annotations of the pod template is not a mapping.');
    return;
  }
  const current = plan.get(annotations, RootlessAnnotations.EXEMPTIONS);
  let existing: any[] = [];
  if (typeof current === 'string') {
    try {
      const parsed = JSON.parse(current);
      if (Array.isArray(parsed)) existing = parsed;
    } catch {
      report.problems.push(`the ${RootlessAnnotations.EXEMPTIONS} annotation is not JSON: left unchanged.`);
      return;
    }
  }
  const fresh = entries.filter(e => !existing.some(x => x?.id === e.id && (x?.container ?? null) === e.container));
  if (fresh.length === 0) return;
  const value = JSON.stringify([...existing, ...fresh]);
  plan.setScalar(annotations, RootlessAnnotations.EXEMPTIONS, value);
  report.changes.push(`pod template annotation ${RootlessAnnotations.EXEMPTIONS}: ${fresh.map(e => e.id + (e.container ? ` (${e.container})` : '')).join(', ')} `
    + 'with TODO reasons (a human must confirm each; the audit fails until the reasons are real)');
}

/** Evaluates the hardened text as `audit` reads it, at restricted, and records what still fails. */
function withRemaining(text: string, objects: Omit<HardenedObject, 'remaining'>[]): HardenedObject[] {
  const found: ManifestObject[] = [];
  parseManifests({ name: 'harden', uri: 'harden', text }, { object: o => found.push(o), error: () => undefined });
  return objects.map(o => {
    const match = found.find(f => f.index === o.index && f.item === o.item);
    if (!match) return { ...o, remaining: ['the hardened document could not be read back'] };
    const result = PodSecurity.evaluate(match.object, { level: PolicyLevel.RESTRICTED });
    const remaining = [
      ...result.malformed !== undefined ? [`malformed: ${result.malformed}`] : [],
      ...result.violations.map(v => `${v.check}: ${v.detail}`),
    ];
    return { ...o, problems: [...o.problems, ...runtimeProblems(podTemplateOf(match.object)?.spec)], remaining };
  });
}

/**
 * What the kubelet and the kernel refuse in the hardened pod spec (lib/hardening/runtime-checks.ts,
 * the constructs' checks): a root container under an effective runAsNonRoot, and ports the
 * container's process cannot bind.
 */
function runtimeProblems(spec: unknown): string[] {
  const kubelet = kubeletRefusals(spec).map(r => `container "${r.container}": the kubelet refuses to start it: its effective runAsNonRoot is true`
    + `${r.inherited ? ' (inherited from the pod)' : ''} and its user is 0. Fix: run it as a non-zero UID; or, if it must be root, `
    + 'set runAsNonRoot: true on each other container instead of the pod (the pod is then baseline, not restricted).');
  const ports = unbindablePorts(spec).map(({ container, port, start, root }) => `container "${container}": port ${port} is below ${start}: `
    + `a ${root ? 'root process without NET_BIND_SERVICE (capabilities drop ALL)' : 'non-root process'} cannot bind it. Fix: make the process listen on a port `
    + `>= ${FIRST_UNPRIVILEGED_PORT} (e.g. ${suggestedPort(port)}) and map the Service port (port: ${port}, targetPort: the new port), `
    + `or set the pod sysctl ${UNPRIVILEGED_PORT_SYSCTL}=${port} (allowed by restricted). `
    + (root ? 'As it runs as root, adding NET_BIND_SERVICE (exemption addCapabilities) would also let it bind.' : 'NET_BIND_SERVICE does not help a non-root process.'));
  const caps = unreachableCapabilities(spec).map(({ container, capabilities }) => `container "${container}": adds ${capabilities.join(', ')}, `
    + 'which its non-root process never holds (no ambient capabilities; allowPrivilegeEscalation: false disables file capabilities). '
    + 'Fix: run it as root (exemption runAsRoot), or remove the capabilities, or allow privilege escalation (exemption privilegeEscalation) '
    + 'and give the binary the file capability with setcap.');
  return [...kubelet, ...ports, ...caps];
}

/** The text report of one input. */
export function formatHardenReport(file: string, result: HardenResult): string {
  const lines: string[] = [];
  if (result.error) return `${file}: error: ${result.error}\n`;
  if (result.reformatted) lines.push(`${file}: note: the changed documents were re-serialized (the in-place text edits could not be verified).`);
  for (const o of result.objects) {
    const ref = `doc ${o.index}${o.item !== undefined ? ` items[${o.item}]` : ''}`;
    lines.push(`${file}: ${ref} ${o.kind} ${o.name}: ${o.remaining.length === 0 ? 'passes restricted' : `still fails restricted (${o.remaining.length})`}`);
    for (const c of o.changes) lines.push(`  + ${c}`);
    for (const p of o.problems) lines.push(`  ! ${p}`);
    for (const n of o.notes) lines.push(`  - ${n}`);
    for (const r of o.remaining) lines.push(`  x ${r}`);
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** Parses `--user` / `--group`: a numeric ID. */
function parseId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > MAX_ID) throw new InvalidArgumentError(`Expected a numeric ID (0..${MAX_ID}), e.g. 10001.`);
  return Number(value);
}

interface HardenCommandOptions {
  readonly user?: number;
  readonly group?: number;
  readonly addExemptions?: boolean;
  readonly write?: boolean;
  readonly output?: string;
  readonly maxBytes: number;
}

/** Adds `harden` to the program. */
export function registerHardenCommand(program: Command, ctx: CommandContext): void {
  program
    .command('harden')
    .summary('add the missing restricted securityContext settings to existing manifests')
    .description(
      'Applies the hardening of the cdk8s-rootless constructs to existing manifests (Pod, Deployment, StatefulSet, DaemonSet, '
      + 'ReplicaSet, ReplicationController, Job, CronJob, PodTemplate; Lists; Helm output): adds what is missing, keeps every other '
      + 'byte (comments, anchors, order), never weakens what is set, and is idempotent. Reports what it cannot decide with the fix, '
      + 'and what still keeps each object from passing `audit --level restricted`.',
    )
    .argument('[paths...]', 'manifest files or folders (recursing into *.yaml, *.yml, *.json); - reads standard input')
    .option('--user <uid>', 'numeric UID for containers whose user is not known (the image\'s numeric USER)', parseId)
    .option('--group <gid>', 'numeric GID with --user (default: the UID, as in the constructs)', parseId)
    .option('--add-exemptions', 'declare what needs a human as exemptions with TODO reasons (the audit fails until they are replaced)')
    .option('-w, --write', 'rewrite the files in place (default: print the hardened manifests to standard output)')
    .option('-o, --output <file>', 'write the hardened manifests to this file')
    .addOption(new Option('--max-bytes <size>', 'largest input read, in bytes (suffixes Ki, Mi, Gi)').argParser(parseByteSize).default(DEFAULT_MAX_BYTES, '256Mi'))
    .addHelpText('after', [
      '',
      'The hardened manifests go to standard output (or --output / --write); the report goes to standard error:',
      '  + added   ! needs a human (with the fix)   - note   x still fails restricted',
      '',
      'Exit codes: 0 every object passes restricted after hardening, 1 something still fails (see the report),',
      '2 an input could not be read or parsed, or invalid usage.',
      '',
      'Examples:',
      '  $ helm template my-release ./chart | cdk8s-rootless harden - > hardened.yaml',
      '  $ cdk8s-rootless harden k8s/ --user 10001 --write',
      '  $ cdk8s-rootless harden deploy.yaml --add-exemptions -o deploy.hardened.yaml && cdk8s-rootless audit deploy.hardened.yaml',
      '',
    ].join('\n'))
    .action(async (paths: string[], opts: HardenCommandOptions) => {
      if (paths.length === 0) throw new UsageError('no input: give one or more files or folders, or - to read standard input');
      if (opts.write && opts.output) throw new UsageError('--write and --output cannot be used together');
      if (opts.write && paths.includes('-')) throw new UsageError('--write rewrites files: it cannot be used with - (standard input)');
      if (opts.group !== undefined && opts.user === undefined) throw new UsageError('--group needs --user');
      if (opts.user === 0) throw new UsageError('--user 0 is root: give the image\'s non-root numeric UID');
      const options: HardenOptions = { user: opts.user, group: opts.group, addExemptions: opts.addExemptions };
      const outputs: string[] = [];
      const errors: ManifestError[] = [];
      let failing = 0;
      await readManifests(paths, {
        cwd: ctx.cwd,
        stdin: ctx.io.stdin,
        maxBytes: opts.maxBytes,
        // Dockerfiles in folders are left alone; one given directly is said to be skipped
        dockerfile: (source: ManifestSource) => {
          if (paths.includes(source.name)) ctx.io.stderr.write(`${source.name}: skipped: a Dockerfile (harden edits manifests; \`audit\` checks Dockerfiles)\n`);
        },
        text: (source: ManifestSource) => {
          const result = hardenText(source.text, options);
          ctx.io.stderr.write(formatHardenReport(source.name, result));
          if (result.error) {
            errors.push({ file: source.name, uri: source.uri, message: result.error });
            return;
          }
          failing += result.objects.filter(o => o.remaining.length > 0).length;
          if (opts.write) {
            if (result.text !== source.text) fs.writeFileSync(path.resolve(ctx.cwd, source.name), result.text);
          } else {
            outputs.push(result.text);
          }
        },
      }, {
        object: () => undefined,
        error: (e: ManifestError) => {
          errors.push(e);
          ctx.io.stderr.write(`${e.file}${e.line !== undefined ? `:${e.line}` : ''}: error: ${e.message}\n`);
        },
      });
      if (!opts.write) {
        const joined = outputs.map((t, i) => (i > 0 && !/^---/.test(t) ? '---\n' : '') + (t.endsWith('\n') || t === '' ? t : t + '\n')).join('');
        if (opts.output) fs.writeFileSync(path.resolve(ctx.cwd, opts.output), joined);
        else ctx.io.stdout.write(joined);
      }
      ctx.setExitCode(errors.length > 0 ? ExitCode.ERROR : failing > 0 ? ExitCode.DENIED : ExitCode.OK);
    });
}
