/**
 * Internal: what an exemption kind relaxes, as data (docs/architecture.md, "The exemption model"). A
 * kind lists its `effects`: each field it relaxes, at the pod level (a field of the pod spec) or the
 * container level (a field of a container's securityContext), by its Kubernetes API name (`hostPID`),
 * with its hardened and relaxed values and what the API does when the field is unset. Every facet that
 * is about those fields is derived here, once:
 *
 * - apply (the constructs): the relaxed value, written into the cdk8s-plus pod spec, whose field names
 *   are cdk8s's (`hostPid`): `structName` is the one place that spells an API name the cdk8s way;
 * - revert (verification, `audit`, the plugin): the hardened value, on the final manifest (API names),
 *   changing nothing where there is nothing to undo;
 * - detect (`harden`): the field holds its relaxed value, with the effect's `needed` words;
 * - the admission policy's CEL: the condition keys relaxed (lib/policy/checks/cel.ts keys conditions
 *   by the field they constrain);
 * - the words in messages (`fields`) and the fix hint (`Exemption.<id>(reason…)`).
 *
 * A kind adds code only for what this model cannot say (capabilities, runAsRoot's users, seccomp's
 * profiles, hostPath's scope, the service-account token's volumes), in the facets of kind.ts; the
 * registry composes the two (`withEffects`).
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports.
 */
import type { DetectInput, Detected, ExemptionKindSpec, ExemptionValue, FieldEffect, JsonObject } from './kind';

export type { FieldEffect, FieldValue } from './kind';

/** The cdk8s-plus facets the effects imply. */
type Derived = Pick<ExemptionKindSpec, 'applyContainer' | 'applyPod' | 'revertContainer' | 'revertPod' | 'detect'>;

/**
 * The field's name in cdk8s's generated structs (`kplus.k8s.PodSpec`, `SecurityContext`), which the
 * construct path writes before serialization: an API name with a run of capitals has all but its first
 * lower-cased (`hostPID` → `hostPid`, `insecureSkipTLSVerify` → `insecureSkipTlsVerify`). A run followed by
 * a lower-case letter other than the next word's start (`clusterIPs`) is spelled irregularly by cdk8s, and refused.
 */
export function structName(apiName: string): string {
  return apiName.replace(/[A-Z]{2,}(?=[A-Z][a-z])|[A-Z]{2,}(?=[a-z]|$)/g, (run, at: number, s: string) => {
    const next = s[at + run.length];
    if (next !== undefined && next >= 'a' && next <= 'z') {
      throw new Error(`exemption effects: cdk8s spells "${apiName}" irregularly; give the effect's field a name structName knows`);
    }
    return run[0] + run.slice(1).toLowerCase();
  });
}

/** Sets a field only when it differs (so a revert that finds nothing to undo changes nothing). */
function restore(o: JsonObject, e: FieldEffect): void {
  const v = o[e.field];
  if (v === e.hardened) return;
  if (v === undefined && e.unset === 'hardened') return;
  o[e.field] = e.hardened;
}

/** The facets implied by these effects (none for an empty list). */
export function effectFacets(effects: readonly FieldEffect[]): Derived {
  const pod = effects.filter(e => e.level === 'pod');
  const container = effects.filter(e => e.level === 'container');
  const shows = effects.filter(e => e.needed !== undefined);
  // spelled the cdk8s way once, when the registry loads
  const named = pod.map(e => [structName(e.field), e] as const);
  const namedInContainer = container.map(e => [structName(e.field), e] as const);
  return {
    ...(container.length > 0 ? {
      applyContainer: (sc: JsonObject) => { for (const [name, e] of namedInContainer) sc[name] = e.relaxed; },
      revertContainer: (sc: JsonObject) => { for (const e of container) restore(sc, e); },
    } : {}),
    ...(pod.length > 0 ? {
      applyPod: (spec: JsonObject) => { for (const [name, e] of named) spec[name] = e.relaxed; },
      revertPod: (spec: JsonObject) => { for (const e of pod) restore(spec, e); },
    } : {}),
    ...(shows.length > 0 ? {
      detect: ({ spec, container: c }: DetectInput): Detected | undefined => {
        const at = (x: FieldEffect) => (x.level === 'pod' ? (c ? undefined : spec) : c && object(c.securityContext));
        const e = shows.find(x => at(x)?.[x.field] === x.relaxed);
        return e && { what: `${c ? `container ${c.name}` : 'the pod'} ${e.needed}` };
      },
    } : {}),
  };
}

const object = (x: unknown): JsonObject => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x as JsonObject : {});

/** How an effect reads in words, e.g. `spec.hostPID: true`, `securityContext.allowPrivilegeEscalation not false`. */
export function effectWords(e: FieldEffect): string {
  const at = e.level === 'pod' ? 'spec' : 'securityContext';
  return e.unset === 'relaxed' ? `${at}.${e.field} not ${JSON.stringify(e.hardened)}` : `${at}.${e.field}: ${JSON.stringify(e.relaxed)}`;
}

/** The declaration of a kind in a registry module: the effects, and the facets they imply left out or given in code. */
export type KindDeclaration = Omit<ExemptionKindSpec, 'fields' | 'hint'> & Partial<Pick<ExemptionKindSpec, 'fields' | 'hint'>>;

/**
 * The full kind: each facet its effects imply, run before the kind's own code for the same facet; the
 * CEL condition keys of its effects before its own; the words and the hint derived unless it gives them.
 * A kind whose effects show its need (`needed`) and that also detects in code is refused (two answers).
 */
export function withEffects(k: KindDeclaration): ExemptionKindSpec {
  const effects = k.effects ?? [];
  const d = effectFacets(effects);
  if (d.detect && k.detect) throw new Error(`exemption registry: kind "${k.id}" shows its need both in an effect (needed) and in code (detect)`);
  const both = <A extends unknown[]>(a?: (...args: A) => void, b?: (...args: A) => void) =>
    (a && b ? (...args: A) => { a(...args); b(...args); } : a ?? b);
  const fields = [...new Set([...effects.map(e => e.field), ...k.cel.fields ?? []])];
  return {
    ...k,
    fields: k.fields ?? effects.map(effectWords).join(', '),
    hint: k.hint ?? (k.podOnly ? `Exemption.${k.id}(reason)` : `Exemption.${k.id}(reason, { container })`),
    cel: { ...k.cel, ...(fields.length > 0 ? { fields } : {}) },
    detect: k.detect ?? d.detect,
    applyContainer: both<[JsonObject, ExemptionValue]>(d.applyContainer, k.applyContainer),
    applyPod: both<[JsonObject, ExemptionValue]>(d.applyPod, k.applyPod),
    revertContainer: both<[JsonObject, ExemptionValue, JsonObject, JsonObject]>(d.revertContainer, k.revertContainer),
    revertPod: both<[JsonObject, ExemptionValue]>(d.revertPod, k.revertPod),
  };
}
