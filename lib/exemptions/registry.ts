/**
 * Internal: the one registry of exemption kinds, in the style of the Pod Security check registry
 * (lib/policy/checks/registry.ts): one module per kind in `kinds/`, listed here once, validated
 * when this module loads. Everything that needs to know what an exemption is — the constructs,
 * synthesis verification, the annotation codec, `audit`, `harden`, the plugin, the admission
 * policy — reads it from here. See docs/architecture.md, "The exemption model".
 *
 * Pure: no cdk8s imports.
 */
import { ExemptionKind } from './exemption-kind';
import type { ExemptionKindSpec } from './kind';
import { ROOTLESS_RULES } from '../hardening/rootless-rules';
import { ADD_CAPABILITIES } from './kinds/add-capabilities';
import { HOST_IPC } from './kinds/host-ipc';
import { HOST_NETWORK } from './kinds/host-network';
import { HOST_PID } from './kinds/host-pid';
import { HOST_PATH } from './kinds/host-path';
import { PRIVILEGE_ESCALATION } from './kinds/privilege-escalation';
import { PRIVILEGED } from './kinds/privileged';
import { RUN_AS_ROOT } from './kinds/run-as-root';
import { SECCOMP_LOCALHOST } from './kinds/seccomp-localhost';
import { SECCOMP_UNCONFINED } from './kinds/seccomp-unconfined';
import { SERVICE_ACCOUNT_TOKEN } from './kinds/service-account-token';
import { WRITABLE_ROOT_FILESYSTEM } from './kinds/writable-root-filesystem';
import { CHECKS } from '../policy/checks/registry';

/**
 * The Pod Security checks no exemption kind relaxes, each with the reason: there is no safe,
 * scoped way to declare it, so the workload must be fixed (or placed in a namespace of a lower
 * level with a NamespaceExemption).
 */
export const NEVER_EXEMPTABLE: Readonly<Record<string, string>> = Object.freeze({
  hostPorts: 'a host port binds the node\'s network: use a Service (NodePort/LoadBalancer) instead',
  hostProbesAndHostLifecycle: 'probes and lifecycle handlers must target the pod itself, not another host',
  appArmorProfile: 'AppArmor may only be RuntimeDefault or Localhost; Unconfined has no exemption',
  seLinuxOptions: 'custom SELinux users, roles and types (e.g. spc_t) break container isolation',
  procMount: 'an unmasked /proc exposes the node; it needs user namespaces, not an exemption',
  procMount_restricted: 'an unmasked /proc exposes the node; it needs user namespaces, not an exemption',
  sysctls: 'unsafe sysctls change the node; only the namespaced safe set is allowed',
  windowsHostProcess: 'a Windows HostProcess container is the node itself',
});

/** Every exemption kind, in the order of the `ExemptionKind` enum. */
export const EXEMPTION_KINDS: readonly ExemptionKindSpec[] = Object.freeze([
  RUN_AS_ROOT, WRITABLE_ROOT_FILESYSTEM, PRIVILEGE_ESCALATION, ADD_CAPABILITIES, SECCOMP_UNCONFINED, SECCOMP_LOCALHOST,
  PRIVILEGED, HOST_NETWORK, HOST_PID, HOST_IPC, HOST_PATH, SERVICE_ACCOUNT_TOKEN,
].map(k => Object.freeze({ ...k, relaxes: Object.freeze([...k.relaxes]) })));

const BY_ID: ReadonlyMap<string, ExemptionKindSpec> = new Map(EXEMPTION_KINDS.map(k => [k.id, k]));

/** The kind with this id, or undefined. */
export function exemptionKind(id: unknown): ExemptionKindSpec | undefined {
  return typeof id === 'string' ? BY_ID.get(id) : undefined;
}

/** The kind with this id; throws on an id that is not registered (a bug, not bad input). */
export function kindOf(id: ExemptionKind): ExemptionKindSpec {
  const k = BY_ID.get(id);
  if (!k) throw new Error(`exemption registry: no kind "${id}"`);
  return k;
}

/** The kinds that can relax this check or rootless rule. */
export function kindsRelaxing(check: string): ExemptionKindSpec[] {
  return EXEMPTION_KINDS.filter(k => k.relaxes.includes(check));
}

/**
 * Validates a registry: every `ExemptionKind` has exactly one module; pod-only kinds act on the
 * pod only and container kinds on containers; every kind that changes something can undo it;
 * `relaxes` names known checks and rules only; every restricted-profile check is relaxed by some
 * kind or listed in NEVER_EXEMPTABLE (and not both). Throws on the first problem.
 */
export function validateExemptionKinds(kinds: readonly ExemptionKindSpec[]): void {
  const known = new Set([...CHECKS.map(c => c.id), ...ROOTLESS_RULES.map(r => r.id)]);
  const ids = kinds.map(k => k.id);
  for (const id of Object.values(ExemptionKind)) {
    const n = ids.filter(x => x === id).length;
    if (n !== 1) throw new Error(`exemption registry: kind "${id}" is registered ${n} times (expected once)`);
  }
  for (const k of kinds) {
    const at = `exemption registry: kind "${k.id}"`;
    if (!(Object.values(ExemptionKind) as string[]).includes(k.id)) throw new Error(`${at} is not an ExemptionKind`);
    if (k.podOnly && (k.applyContainer || k.revertContainer)) throw new Error(`${at} is pod-only but acts on containers`);
    if (!k.podOnly && !k.revertContainer) throw new Error(`${at} can be scoped to a container but cannot revert there`);
    if ((k.applyPod || k.applyContainer || k.relaxes.length > 0) && !k.revertPod && !k.revertContainer) throw new Error(`${at} cannot be reverted`);
    if (!k.hint.trim() || !k.fields.trim()) throw new Error(`${at} has no hint or fields description`);
    if (k.relaxes.length > 0 && !k.detect) throw new Error(`${at} relaxes checks but does not say how harden detects that it is needed (detect)`);
    if (typeof k.cel !== 'object' || k.cel === null) throw new Error(`${at} has no cel facet (what it relaxes in the admission policy)`);
    for (const r of k.relaxes) if (!known.has(r)) throw new Error(`${at} relaxes "${r}", which is neither a Pod Security check nor a rootless rule`);
  }
  const relaxed = new Set(kinds.flatMap(k => k.relaxes));
  for (const c of CHECKS) {
    const never = Object.prototype.hasOwnProperty.call(NEVER_EXEMPTABLE, c.id);
    if (relaxed.has(c.id) === never) {
      throw new Error(`exemption registry: check "${c.id}" must be relaxed by some kind or listed in NEVER_EXEMPTABLE, not ${never ? 'both' : 'neither'}`);
    }
  }
  for (const r of ROOTLESS_RULES) if (!relaxed.has(r.id)) throw new Error(`exemption registry: rootless rule "${r.id}" is relaxed by no kind`);
}

validateExemptionKinds(EXEMPTION_KINDS);
