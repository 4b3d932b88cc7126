/**
 * The check table: every baseline and restricted check, with its versioned revisions.
 *
 * Reflects upstream k8s.io/pod-security-admission `policy/` as released with Kubernetes 1.37:
 * its newest revision is sysctls v1.37 (two more safe sysctls, kubernetes/kubernetes#138389);
 * before that, procMount, procMount_restricted, runAsNonRoot and runAsUser changed in v1.35.
 * `latest` therefore resolves to v1.37, and any higher `v1.N` evaluates as v1.37 (a version
 * with no newer revision behaves as the newest revision below it, as upstream does).
 *
 * Evaluation mirrors upstream's registry: at version v each check runs its newest revision
 * whose minimum version is <= v (a check with no such revision does not run); baseline runs
 * the baseline checks; restricted runs the baseline and restricted checks, minus the baseline
 * checks named in `overrides` by a restricted check that runs at v.
 *
 * Order, as upstream's populate() (policy/registry.go) fixes it "to maintain consistent error
 * messages": the baseline checks sorted by id, then the restricted checks sorted by id (byte
 * order, so `seLinuxOptions` sorts before `seccompProfile_baseline`). The admission message
 * (`violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (...), unrestricted
 * capabilities (...), runAsNonRoot != true (...), seccompProfile (...)`) lists failures in that order.
 *
 * Adding a Kubernetes version means adding one `{ minimumVersion, checkPod }` revision to the
 * check module that changed (or a new module listed here).
 */
import { PolicyLevel } from '../types';
import { formatMinor, parseMinor } from '../version';
import { CheckCel } from './cel';
import { allowPrivilegeEscalation } from './check-allow-privilege-escalation';
import { appArmorProfile } from './check-app-armor-profile';
import { capabilitiesBaseline } from './check-capabilities-baseline';
import { capabilitiesRestricted } from './check-capabilities-restricted';
import { hostNamespaces } from './check-host-namespaces';
import { hostPathVolumes } from './check-host-path-volumes';
import { hostPorts } from './check-host-ports';
import { hostProbesAndHostLifecycle } from './check-host-probes-and-host-lifecycle';
import { privileged } from './check-privileged';
import { procMount } from './check-proc-mount-baseline';
import { procMountRestricted } from './check-proc-mount-restricted';
import { restrictedVolumes } from './check-restricted-volumes';
import { runAsNonRoot } from './check-run-as-non-root';
import { runAsUser } from './check-run-as-user';
import { seLinuxOptions } from './check-se-linux-options';
import { seccompProfileBaseline } from './check-seccomp-profile-baseline';
import { seccompProfileRestricted } from './check-seccomp-profile-restricted';
import { sysctls } from './check-sysctls';
import { windowsHostProcess } from './check-windows-host-process';
import { CheckDefinition, CheckPodFn, VersionedCheck } from './util';

/** Upstream's order: baseline checks sorted by id, then restricted checks sorted by id. */
export function upstreamOrder(checks: readonly CheckDefinition[]): CheckDefinition[] {
  const byId = (a: CheckDefinition, b: CheckDefinition) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return [
    ...checks.filter(c => c.level === PolicyLevel.BASELINE).sort(byId),
    ...checks.filter(c => c.level === PolicyLevel.RESTRICTED).sort(byId),
  ];
}

/** In evaluation (and violation) order: see upstreamOrder. */
export const CHECKS: readonly CheckDefinition[] = upstreamOrder([
  // baseline
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  seLinuxOptions,
  seccompProfileBaseline,
  sysctls,
  windowsHostProcess,
  // restricted
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  procMountRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
]);

/** Whether a CEL facet has at least one condition. */
function hasCelConditions(cel: CheckCel | undefined): boolean {
  if (typeof cel !== 'object' || cel === null) return false;
  const conditions = [...Object.values(cel.pod ?? {}), ...Object.values(cel.container ?? {}), cel.capability, cel.volume];
  return conditions.some(e => typeof e === 'string' && e.length > 0);
}

/** Upstream's validateChecks: fails (at load time, below) on a malformed table. */
export function validateChecks(checks: readonly CheckDefinition[]): void {
  const ids = new Set<string>();
  for (const c of checks) {
    if (ids.has(c.id)) throw new Error(`check ${c.id}: registered twice`);
    ids.add(c.id);
    if (c.versions.length === 0) throw new Error(`check ${c.id}: no versions`);
    c.versions.reduce((prev, v) => {
      const minor = parseMinor(v.minimumVersion);
      if (minor <= prev) throw new Error(`check ${c.id}: versions must be strictly increasing`);
      if (!hasCelConditions(v.cel)) throw new Error(`check ${c.id} ${v.minimumVersion}: no CEL conditions (the admission policy needs them)`);
      return minor;
    }, -1);
  }
  for (const c of checks) {
    for (const o of c.overrides ?? []) {
      const target = checks.find(t => t.id === o);
      if (c.level !== PolicyLevel.RESTRICTED || target?.level !== PolicyLevel.BASELINE) {
        throw new Error(`check ${c.id}: only a restricted check may override a baseline check (${o})`);
      }
    }
  }
}
validateChecks(CHECKS);

/** The newest minimum version of any revision: what `latest` resolves to. */
export const LATEST_MINOR = Math.max(...CHECKS.flatMap(c => c.versions.map(v => parseMinor(v.minimumVersion))));

export const LATEST_VERSION = formatMinor(LATEST_MINOR);

/** A check's revision that applies at a policy version. */
export interface ResolvedCheck {
  readonly definition: CheckDefinition;
  readonly checkPod: CheckPodFn;
  /** The revision's CEL (see cel.ts). */
  readonly cel: CheckCel;
}

/** The revision of `check` that applies at `minor`, if any. */
function revisionAt(check: CheckDefinition, minor: number): VersionedCheck | undefined {
  let found: VersionedCheck | undefined;
  for (const v of check.versions) {
    if (parseMinor(v.minimumVersion) <= minor) found = v;
  }
  return found;
}

/** Per level, the resolved checks by minor version (0 .. LATEST_MINOR). No string keys: this runs for every pod. */
const cache = {
  [PolicyLevel.BASELINE]: new Array<ResolvedCheck[] | undefined>(),
  [PolicyLevel.RESTRICTED]: new Array<ResolvedCheck[] | undefined>(),
};

/** The checks to run for a level (baseline or restricted) at a policy version (clamped to latest). */
export function checksFor(level: PolicyLevel.BASELINE | PolicyLevel.RESTRICTED, minor: number): ResolvedCheck[] {
  const version = Math.min(minor, LATEST_MINOR);
  const byVersion = cache[level];
  let resolved = byVersion[version];
  if (resolved === undefined) {
    const active = CHECKS
      .filter(c => level === PolicyLevel.RESTRICTED || c.level === PolicyLevel.BASELINE)
      .flatMap(c => {
        const revision = revisionAt(c, version);
        return revision ? [{ definition: c, checkPod: revision.checkPod, cel: revision.cel }] : [];
      });
    const overridden = new Set(active.flatMap(r => r.definition.overrides ?? []));
    resolved = active.filter(r => !overridden.has(r.definition.id));
    byVersion[version] = resolved;
  }
  return resolved;
}
