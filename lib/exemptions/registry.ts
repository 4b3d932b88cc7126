/**
 * Internal: the one registry of exemption kinds, in the style of the Pod Security check registry
 * (lib/policy/checks/registry.ts): one module per kind in `kinds/`, listed once in `kinds/index.ts`, validated
 * when this module loads. Everything that needs to know what an exemption is — the constructs,
 * synthesis verification, the annotation codec, `audit`, `harden`, the plugin, the admission
 * policy — reads it from here. See docs/architecture.md, "The exemption model".
 *
 * Pure: no cdk8s imports.
 */
import { withEffects } from './effects';
import { ExemptionKind } from './exemption-kind';
import type { ExemptionKindSpec } from './kind';
import { KIND_DECLARATIONS } from './kinds';
import { ROOTLESS_RULES } from '../hardening/rootless-rules';
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
export const EXEMPTION_KINDS: readonly ExemptionKindSpec[] = Object.freeze(KIND_DECLARATIONS
  .map(withEffects).map(k => Object.freeze({ ...k, relaxes: Object.freeze([...k.relaxes]) })));

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

/** What the scope helpers read of an exemption. */
type Scoped = { readonly kind: string; readonly container?: string };

/**
 * Whether one of `exemptions` relaxes the condition on `field` (a field's API name, as the kinds' CEL
 * condition keys and effects name it, e.g. `hostNetwork`, `runAsUser`): for container `container` (an
 * exemption scoped to it, or pod-wide; with `scoped`, only one scoped to it), or, with `container`
 * undefined, pod-wide. Lets a caller ask about a field without naming the kind that relaxes it.
 */
export function relaxesField(exemptions: readonly Scoped[], field: string, container?: string, scoped = false): boolean {
  return exemptions.some(e => exemptionKind(e.kind)?.cel.fields?.includes(field)
    && (container === undefined ? e.container === undefined : e.container === container || (!scoped && e.container === undefined)));
}

/** How to declare the kinds that relax `field`, for fix hints: `Exemption.hostNetwork(reason)`. */
export function hintForField(field: string): string {
  return EXEMPTION_KINDS.filter(k => k.cel.fields?.includes(field)).map(k => k.hint).join(' or ');
}

/**
 * The problems of exemptions that exclude each other in one scope (kinds with the same `exclusive`
 * word, e.g. two seccomp profiles for one container): one per word, with the fix.
 */
export function exclusionProblems(exemptions: readonly Scoped[]): string[] {
  if (exemptions.length < 2) return []; // exclusion takes two
  const words = [...new Set(EXEMPTION_KINDS.flatMap(k => (k.exclusive ? [k.exclusive] : [])))];
  return words.flatMap(w => {
    const own = exemptions.filter(e => exemptionKind(e.kind)?.exclusive === w);
    return new Set(own.map(e => e.container ?? '')).size < own.length
      ? [`two ${w} exemptions for the same scope. Fix: keep one ${w} profile per pod or container.`] : [];
  });
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
    if (k.podOnly && k.effects?.some(e => e.level === 'container')) throw new Error(`${at} is pod-only but relaxes a container field`);
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
