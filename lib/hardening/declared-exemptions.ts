/**
 * Internal: exemptions as declared on a manifest, in plain Kubernetes JSON. Read by the cdk8s
 * validation plugin (lib/plugin), the audit CLI (placeholder reasons) and `harden` (which
 * writes placeholders); pure: no cdk8s, cdk8s-plus or constructs imports (the CLI and the
 * plugin must not load them).
 *
 * Coverage is decided as at synthesis (lib/hardening/hardening.ts): undo what each declared
 * exemption permits on a copy of the manifest, evaluate the copy, and a violation that
 * survives is not covered. `revertExemptions` holds the undo step of every exemption kind
 * on API field names: the one copy of these rules, used by hardening.ts at synthesis too.
 *
 * Which checks each exemption can cover (for messages and docs; coverage itself is decided by
 * reverting, so an exemption covers a check only for the containers and fields it names):
 *
 * | exemption id           | Pod Security checks it can cover                                   |
 * |------------------------|--------------------------------------------------------------------|
 * | runAsRoot              | runAsNonRoot, runAsUser                                            |
 * | privilegeEscalation    | allowPrivilegeEscalation                                           |
 * | privileged             | privileged, allowPrivilegeEscalation                               |
 * | addCapabilities        | capabilities_baseline, capabilities_restricted (the named capabilities only; a missing `drop: [ALL]` is never covered) |
 * | seccompUnconfined      | seccompProfile_baseline, seccompProfile_restricted                 |
 * | hostNetwork, hostPID, hostIPC | hostNamespaces (its own field only)                         |
 * | hostPath               | hostPathVolumes, restrictedVolumes (hostPath volumes only)         |
 * | writableRootFilesystem, seccompLocalhost, serviceAccountToken | none: not Pod Security checks (the pod stays restricted) |
 */
import { RootlessAnnotations } from './annotations';
import { capabilityProblem } from './capabilities';
import { ExemptionKind as K } from './exemption';
import { isReason, reasonProblem } from './reason';

/** What the undo rules read of an exemption (an `Exemption` is one). */
export interface ExemptionLike {
  readonly kind: K;
  /** The container it is scoped to; undefined or null for the whole pod. */
  readonly container?: string | null;
  readonly capabilities?: string[];
  readonly profile?: string;
}

/** One entry of the `rootless.cdk8s.io/exemptions` annotation. */
export interface DeclaredExemption extends ExemptionLike {
  readonly reason: string;
  /** 0-based position in the annotation's array. */
  readonly index: number;
}

/** The Pod Security checks each exemption kind can cover (see the table above). */
export const EXEMPTION_COVERS: Readonly<Record<K, readonly string[]>> = {
  [K.RUN_AS_ROOT]: ['runAsNonRoot', 'runAsUser'],
  [K.PRIVILEGE_ESCALATION]: ['allowPrivilegeEscalation'],
  [K.PRIVILEGED]: ['privileged', 'allowPrivilegeEscalation'],
  [K.ADD_CAPABILITIES]: ['capabilities_baseline', 'capabilities_restricted'],
  [K.SECCOMP_UNCONFINED]: ['seccompProfile_baseline', 'seccompProfile_restricted'],
  [K.HOST_NETWORK]: ['hostNamespaces'],
  [K.HOST_PID]: ['hostNamespaces'],
  [K.HOST_IPC]: ['hostNamespaces'],
  [K.HOST_PATH]: ['hostPathVolumes', 'restrictedVolumes'],
  [K.WRITABLE_ROOT_FILESYSTEM]: [],
  [K.SECCOMP_LOCALHOST]: [],
  [K.SERVICE_ACCOUNT_TOKEN]: [],
};

/** Kinds that exist only at pod level (their factories take no container). */
export const POD_ONLY: ReadonlySet<string> = new Set([K.HOST_NETWORK, K.HOST_PID, K.HOST_IPC, K.HOST_PATH, K.SERVICE_ACCOUNT_TOKEN]);

const KINDS: ReadonlySet<string> = new Set(Object.values(K));

/** The reason `harden` writes into exemptions a human must confirm. Starts with `TODO:`. */
export function placeholderReason(what: string): string {
  return `TODO: explain why ${what}`;
}

/** Whether a reason is a placeholder left for a human (`TODO`, `FIXME`, `TBD`, `XXX`, `CHANGEME` at its start). */
export function isPlaceholderReason(reason: unknown): boolean {
  return typeof reason === 'string' && /^\s*(TODO|FIXME|TBD|XXX|CHANGEME)\b/i.test(reason);
}

/** The problem with a declared reason, or undefined when it is a real reason. */
export function declaredReasonProblem(reason: unknown): string | undefined {
  if (isPlaceholderReason(reason)) {
    return `${JSON.stringify(reason)} is a placeholder. Fix: a human must confirm the exemption and replace it with the real reason `
      + '(or remove the exemption and fix the workload).';
  }
  return isReason(reason) ? undefined : reasonProblem(reason);
}

/** A problem with one field of an exemption (`<prefix>.<field>: <problem>`). */
export interface ExemptionFieldProblem {
  readonly field: 'capabilities' | 'profile';
  readonly problem: string;
}

/**
 * What is wrong with an exemption's own fields: the capabilities of `addCapabilities` (named,
 * Linux capabilities spelled without `CAP_`, see capabilities.ts) and the profile of
 * `seccompLocalhost` (not empty). One rule for the constructs (hardening.ts) and for declared
 * annotations (`parseExemptionAnnotation`: an entry with a problem is not honoured).
 */
export function exemptionFieldProblems(
  e: { readonly kind: unknown; readonly capabilities?: unknown; readonly profile?: unknown },
): ExemptionFieldProblem[] {
  const problems: ExemptionFieldProblem[] = [];
  if (e.kind === K.ADD_CAPABILITIES) {
    const capabilities: unknown[] = Array.isArray(e.capabilities) ? e.capabilities : [];
    if (!Array.isArray(e.capabilities)) {
      problems.push({ field: 'capabilities', problem: 'not a list. Fix: name the capabilities, e.g. [\'NET_ADMIN\'].' });
    } else if (capabilities.length === 0) {
      problems.push({ field: 'capabilities', problem: 'empty. Fix: name the capabilities, e.g. [\'NET_ADMIN\'].' });
    }
    for (const c of capabilities) {
      const problem = typeof c === 'string' ? capabilityProblem(c) : `${JSON.stringify(c)} is not a capability name`;
      if (problem) problems.push({ field: 'capabilities', problem: `${problem}. Fix: use names such as NET_ADMIN or SYS_PTRACE (see capabilities(7)).` });
    }
  }
  if (e.kind === K.SECCOMP_LOCALHOST && !(typeof e.profile === 'string' && e.profile.trim())) {
    problems.push({ field: 'profile', problem: 'empty. Fix: name the profile file, relative to the kubelet\'s seccomp directory.' });
  }
  return problems;
}

/**
 * Reads the `rootless.cdk8s.io/exemptions` annotation value (a JSON array). Entries that are
 * malformed, of an unknown kind, with invalid capabilities or profile (`exemptionFieldProblems`,
 * as the constructs validate them) or without a real reason are left out of `exemptions` and
 * described in `problems`. An absent annotation gives neither.
 */
export function parseExemptionAnnotation(value: unknown): { exemptions: DeclaredExemption[]; problems: string[] } {
  const key = RootlessAnnotations.EXEMPTIONS;
  if (value === undefined || value === null) return { exemptions: [], problems: [] };
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
  } catch (e) {
    return { exemptions: [], problems: [`annotation ${key} is not JSON (${e instanceof Error ? e.message : e}). Fix: write a JSON array of { "id", "container", "reason" }.`] };
  }
  if (!Array.isArray(parsed)) {
    return { exemptions: [], problems: [`annotation ${key} must be a JSON array of { "id", "container", "reason" }.`] };
  }
  const exemptions: DeclaredExemption[] = [];
  const problems: string[] = [];
  parsed.forEach((entry: any, index) => {
    const at = `annotation ${key}[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${at} is not an object. Fix: write { "id", "container", "reason" }.`);
      return;
    }
    if (!KINDS.has(entry.id)) {
      problems.push(`${at}.id: ${JSON.stringify(entry.id)} is not an exemption (one of ${[...KINDS].join(', ')}).`);
      return;
    }
    const container = entry.container ?? null;
    if (container !== null && typeof container !== 'string') {
      problems.push(`${at}.container must be a container name or null.`);
      return;
    }
    if (container !== null && POD_ONLY.has(entry.id)) {
      problems.push(`${at}: ${entry.id} applies to the whole pod. Fix: set "container": null.`);
      return;
    }
    const fieldProblems = exemptionFieldProblems({ kind: entry.id, capabilities: entry.capabilities ?? [], profile: entry.profile });
    if (fieldProblems.length > 0) {
      problems.push(...fieldProblems.map(p => `${at} (${entry.id}).${p.field}: ${p.problem}`));
      return;
    }
    const capabilities = Array.isArray(entry.capabilities) ? entry.capabilities.filter((c: unknown) => typeof c === 'string') : undefined;
    const badReason = declaredReasonProblem(entry.reason);
    if (badReason) {
      problems.push(`${at} (${entry.id}${container !== null ? ` for container "${container}"` : ''}).reason: ${badReason}`);
      return;
    }
    exemptions.push({
      kind: entry.id as K,
      container: container ?? undefined,
      reason: entry.reason,
      index,
      capabilities,
      profile: typeof entry.profile === 'string' ? entry.profile : undefined,
    });
  });
  return { exemptions, problems };
}

/**
 * Where each kind that carries a pod template keeps it (`{ metadata, spec }`), as the keys from
 * the object's root: the one table of these kinds, read by `podTemplateOf` (JSON), the constructs
 * (hardening.ts) and `cdk8s-rootless harden` (YAML nodes).
 */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  PodTemplate: ['template'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The path of the pod template in an object of this kind (see POD_TEMPLATE_PATHS), or undefined when the kind has none. */
export function podTemplatePath(kind: unknown): readonly string[] | undefined {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(POD_TEMPLATE_PATHS, kind) ? POD_TEMPLATE_PATHS[kind] : undefined;
}

/** The pod template (`{ metadata, spec }`) of a Pod, PodTemplate, workload or CronJob manifest, if it has one. */
export function podTemplateOf(manifest: any): { metadata?: any; spec?: any } | undefined {
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const path = podTemplatePath(manifest.kind);
  if (path === undefined) return undefined;
  let at: any = manifest;
  for (const key of path) at = at?.[key];
  return at ?? undefined;
}

/** A manifest of this kind with `template` at its pod template path (and nothing else). */
export function withPodTemplate(apiVersion: unknown, kind: string, template: { metadata?: any; spec?: any }): any {
  const path = podTemplatePath(kind) ?? POD_TEMPLATE_PATHS.Deployment;
  let inner: any = template;
  for (const key of [...path].reverse()) inner = { [key]: inner };
  return { apiVersion, kind, ...inner };
}

/** The declared exemptions of a manifest's pod template (see `parseExemptionAnnotation`). */
export function declaredExemptions(manifest: any): { exemptions: DeclaredExemption[]; problems: string[]; declared: boolean } {
  const value = podTemplateOf(manifest)?.metadata?.annotations?.[RootlessAnnotations.EXEMPTIONS];
  return { ...parseExemptionAnnotation(value), declared: value !== undefined && value !== null };
}

/** A non-zero UID: what an undone runAsRoot exemption leaves in place of 0. */
const NON_ROOT = 65534;

/** The init, regular and ephemeral containers of a pod spec (API field names), objects only. */
export function containersOf(spec: any): any[] {
  return [...spec?.initContainers ?? [], ...spec?.containers ?? [], ...spec?.ephemeralContainers ?? []].filter(c => c && typeof c === 'object');
}

function set(o: any, key: string, value: unknown): void {
  if (o[key] !== value) o[key] = value;
}

function revertRoot(sc: any): void {
  if (sc === undefined || sc === null || typeof sc !== 'object') return;
  if (sc.runAsUser === 0) sc.runAsUser = NON_ROOT;
  set(sc, 'runAsNonRoot', true);
}

/** How to undo exactly what each exemption kind permits, on the final manifest (API field names). */
const REVERT: Record<K, { container?(sc: any, e: ExemptionLike): void; pod?(spec: any, e: ExemptionLike): void }> = {
  [K.RUN_AS_ROOT]: {
    container: revertRoot,
    pod: spec => [spec.securityContext, ...containersOf(spec).map(c => c.securityContext)].forEach(revertRoot),
  },
  [K.WRITABLE_ROOT_FILESYSTEM]: { container: sc => set(sc, 'readOnlyRootFilesystem', true) },
  [K.PRIVILEGE_ESCALATION]: { container: sc => set(sc, 'allowPrivilegeEscalation', false) },
  [K.ADD_CAPABILITIES]: {
    container: (sc, e) => {
      const add: unknown = sc.capabilities?.add;
      if (!Array.isArray(add) || !add.some(c => e.capabilities!.includes(c))) return;
      const kept = add.filter(c => !e.capabilities!.includes(c));
      if (kept.length > 0) sc.capabilities.add = kept; else delete sc.capabilities.add;
    },
  },
  [K.SECCOMP_UNCONFINED]: seccompRevert('Unconfined'),
  [K.SECCOMP_LOCALHOST]: seccompRevert('Localhost'),
  [K.PRIVILEGED]: { container: sc => { set(sc, 'privileged', false); set(sc, 'allowPrivilegeEscalation', false); } },
  [K.HOST_NETWORK]: hostRevert('hostNetwork'),
  [K.HOST_PID]: hostRevert('hostPID'),
  [K.HOST_IPC]: hostRevert('hostIPC'),
  [K.HOST_PATH]: {
    pod: spec => {
      if (!Array.isArray(spec.volumes)) return;
      for (const [i, v] of spec.volumes.entries()) if (v?.hostPath !== undefined) spec.volumes[i] = { name: v.name, emptyDir: {} };
    },
  },
  [K.SERVICE_ACCOUNT_TOKEN]: {
    pod: spec => { if (spec.automountServiceAccountToken !== undefined) set(spec, 'automountServiceAccountToken', false); },
  },
};

function seccompRevert(type: string): { container(sc: any): void; pod(spec: any): void } {
  return {
    container: sc => { if (sc.seccompProfile?.type === type) delete sc.seccompProfile; },
    pod: spec => { if (spec.securityContext?.seccompProfile?.type === type) spec.securityContext.seccompProfile = { type: 'RuntimeDefault' }; },
  };
}

function hostRevert(field: 'hostNetwork' | 'hostPID' | 'hostIPC'): { pod(spec: any): void } {
  return { pod: spec => { if (spec[field] !== undefined && spec[field] !== false) spec[field] = false; } };
}

/**
 * A deep copy of the manifest with what the given exemptions permit undone: pod-wide
 * exemptions on the pod and every container, container-scoped ones on that container only.
 * Evaluate the copy: the violations left are the ones no exemption covers.
 */
export function revertExemptions(manifest: any, exemptions: readonly ExemptionLike[]): any {
  const copy = JSON.parse(JSON.stringify(manifest));
  const spec = podTemplateOf(copy)?.spec;
  if (typeof spec !== 'object' || spec === null) return copy;
  for (const e of exemptions) {
    const revert = REVERT[e.kind];
    const scope = e.container ?? undefined;
    if (scope === undefined) revert.pod?.(spec, e);
    for (const c of containersOf(spec)) {
      if ((scope === undefined || scope === c.name) && typeof c.securityContext === 'object' && c.securityContext !== null) {
        revert.container?.(c.securityContext, e);
      }
    }
  }
  return copy;
}
