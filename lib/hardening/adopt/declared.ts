/**
 * Internal: the exemptions a pod template already declares in its `rootless.cdk8s.io/exemptions`
 * annotation, as the adopt stage reads them, for `RootlessHardening.applyTo` (object.ts) and
 * `harden` (lib/cli/harden/harden-text.ts) alike: through the one strict codec (exemptions/codec.ts), plus
 * what only the pod can tell (an entry naming a container it does not have, an entry declared
 * twice). Fail closed: an annotation with any problem declares nothing.
 *
 * What a declared exemption relaxes, the rules keep (they do not add the hardened value) and they
 * report no problem for it (`acceptsOf`, pod.ts). Only its kind and container decide that; its
 * scope beyond the container (a hostPath exemption's paths and writability, addCapabilities'
 * capabilities) is judged afterwards on the result, by reverting the exemptions within their scope
 * (verify.ts `judge`, each kind's `uncovered`): what they do not cover is still reported.
 *
 * Pure: no cdk8s, cdk8s-plus, constructs or yaml imports.
 */
import { DeclaredExemption, readAnnotation } from '../../exemptions/codec';
import type { ExemptionKind } from '../../exemptions/exemption-kind';
import type { ExemptionValue } from '../../exemptions/kind';
import { containersOf } from '../../policy/k8s-shapes';
import { RootlessAnnotations } from '../annotations';

/** What a pod template's annotation declares. */
export interface TemplateDeclaration {
  /** The exemptions it declares: all of them when it is valid, none otherwise (fail closed). */
  readonly exemptions: readonly DeclaredExemption[];
  /** What is wrong with it, each naming the entry and the fix; empty when it is valid or absent. */
  readonly problems: readonly string[];
  /** Whether the template has the annotation at all. */
  readonly present: boolean;
}

const isMap = (x: unknown): x is Record<string, any> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads the exemptions annotation of a pod template (`{ metadata, spec }`, plain JSON). */
export function templateDeclaration(template: unknown): TemplateDeclaration {
  const key = RootlessAnnotations.EXEMPTIONS;
  const annotations = isMap(template) && isMap(template.metadata) ? template.metadata.annotations : undefined;
  const value = isMap(annotations) && Object.prototype.hasOwnProperty.call(annotations, key) ? annotations[key] : undefined;
  const reading = readAnnotation(value);
  const problems = [...reading.problems];
  const never = ' No exemption of the annotation is honoured until it is fixed.';
  const seen = new Set<string>();
  for (const e of reading.exemptions) {
    const id = `${e.kind}/${e.container ?? ''}`;
    if (seen.has(id)) {
      problems.push(`the ${key} annotation declares ${e.kind}${e.container !== undefined ? ` for container "${e.container}"` : ''} twice. `
        + `Fix: declare each exemption once.${never}`);
    }
    seen.add(id);
  }
  const names = containersOf(isMap(template) ? template.spec : undefined).map(c => c.name).filter((n): n is string => typeof n === 'string');
  for (const e of reading.exemptions) {
    if (e.container === undefined || names.includes(e.container)) continue;
    problems.push(`annotation ${key}[${e.index}] (${e.kind} for container "${e.container}") names a container the pod does not have `
      + `(containers: ${names.join(', ') || 'none'}). Fix: use the name of one of its init or regular containers, or remove the entry.${never}`);
  }
  return { exemptions: problems.length > 0 ? [] : reading.exemptions, problems, present: value !== undefined && value !== null };
}

/**
 * Whether an exemption of `kind` is declared for the container (null: for the whole pod): an entry
 * for that container, or for the whole pod (no container). An entry for another container never counts.
 */
export function acceptsOf(exemptions: readonly Pick<ExemptionValue, 'kind' | 'container'>[]): (kind: ExemptionKind, container: string | null) => boolean {
  const podWide = (e: Pick<ExemptionValue, 'container'>) => e.container === undefined || e.container === null;
  return (kind, container) => exemptions.some(e => e.kind === kind && (podWide(e) || e.container === container));
}
