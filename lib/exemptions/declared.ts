/**
 * Internal: exemptions as declared on a manifest (plain Kubernetes JSON, API field names): which
 * are declared (through the one codec), what they cover (by reverting them through the one
 * registry). Used by synthesis
 * verification, `audit`, `harden` and the plugin.
 *
 * Coverage is decided by reverting: undo what each declared exemption permits, within its scope,
 * on a copy of the manifest and evaluate the copy; a violation that survives is not covered.
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports (the CLI and the plugin must not load them).
 */
import { DeclaredExemption, readAnnotation } from './codec';
import type { ExemptionValue, JsonObject } from './kind';
import { kindOf } from './registry';
import { RootlessAnnotations } from '../hardening/annotations';
import { containersOf, podTemplateOf } from '../policy/k8s-shapes';

export type { DeclaredExemption } from './codec';

/** What the revert step reads of an exemption (an `ExemptionValue`, a `DeclaredExemption`). */
export type ExemptionLike = Pick<ExemptionValue, 'kind' | 'container' | 'capabilities' | 'profile'>;

/**
 * The declared exemptions of a manifest's pod template, read strictly (exemptions/codec.ts): all
 * of them when the annotation is valid, none when any entry is not (fail closed).
 */
export function declaredExemptions(manifest: unknown): { exemptions: DeclaredExemption[]; problems: string[]; declared: boolean } {
  const annotations = podTemplateOf(manifest)?.metadata?.annotations;
  const value = typeof annotations === 'object' && annotations !== null && Object.prototype.hasOwnProperty.call(annotations, RootlessAnnotations.EXEMPTIONS)
    ? annotations[RootlessAnnotations.EXEMPTIONS] : undefined;
  return { ...readAnnotation(value), declared: value !== undefined && value !== null };
}

function securityContextOf(c: JsonObject): JsonObject {
  if (typeof c.securityContext !== 'object' || c.securityContext === null || Array.isArray(c.securityContext)) c.securityContext = {};
  return c.securityContext;
}

/**
 * A deep copy of the manifest with what the given exemptions permit undone (each kind's revert,
 * exemptions/kinds/): pod-wide exemptions on the pod and every container, container-scoped ones on
 * that container only. Evaluate the copy: the violations left are the ones no exemption covers.
 */
export function revertExemptions(manifest: unknown, exemptions: readonly ExemptionLike[]): any {
  const copy = JSON.parse(JSON.stringify(manifest ?? null));
  const spec = podTemplateOf(copy)?.spec;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return copy;
  for (const e of exemptions) {
    const kind = kindOf(e.kind);
    const value = e as ExemptionValue;
    if (e.container === undefined || e.container === null) kind.revertPod?.(spec, value);
    if (!kind.revertContainer) continue;
    for (const c of containersOf(spec)) {
      if (e.container !== undefined && e.container !== null && e.container !== c.name) continue;
      // the securityContext is created only when the revert sets something in it
      const had = c.securityContext;
      kind.revertContainer(securityContextOf(c), value, c, spec);
      if (had === undefined && Object.keys(c.securityContext).length === 0) delete c.securityContext;
    }
  }
  return copy;
}
