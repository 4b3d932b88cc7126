/**
 * `harden` and the exemptions a manifest already declares in its pod template's
 * `rootless.cdk8s.io/exemptions` annotation, read as `RootlessHardening.applyTo` reads them
 * (lib/hardening/adopt/declared.ts, the one reading of the adopt stage):
 * - a valid annotation is honoured: what each entry relaxes, for the container it names (or the
 *   whole pod), is kept and its problem silenced (the rules' `accepts`), and the result is judged
 *   with the entries reverted within their scope (verify.ts `judge`, as `audit --exemptions honor`
 *   and synthesis judge it): a violation they cover is a note (`accepted`), one they do not (another
 *   container, a host path outside a hostPath entry's paths, a writable mount under a read-only
 *   entry) stays an `x` line, with each kind's explanation as a `!` line;
 * - an invalid one (not the canonical form, an unknown id, a missing or placeholder reason, a
 *   container the pod does not have, an entry declared twice) honours nothing, and the document is
 *   refused (left as it was, exit 2): hardening around entries a human meant would write what they
 *   exempt (a user for a container declared to run as root), which a rerun could not undo, since
 *   harden never changes a value that is set.
 */
import { EXEMPTION_KINDS } from '../../exemptions/registry';
import { describeExemption } from '../../exemptions/value';
import { templateDeclaration } from '../../hardening/adopt/declared';
import { RootlessAnnotations } from '../../hardening/annotations';
import { judge } from '../../hardening/verify';
import { podTemplateOf } from '../../policy/k8s-shapes';
import { PodSecurity } from '../../policy/pod-security';
import { PolicyLevel, Violation } from '../../policy/types';

/** An object whose pod template's annotation is invalid, and its problems. */
export interface InvalidAnnotation {
  readonly kind: string;
  readonly name: string;
  readonly problems: readonly string[];
}

/** Why a document whose pod template's annotation is invalid is left as it was (one sentence, for `! not edited: …`). */
export function invalidAnnotationRefusal(objects: readonly InvalidAnnotation[]): string {
  const what = objects.map(o => `${o.kind} ${o.name}: ${o.problems.join(' ')}`).join(' ');
  return `the ${RootlessAnnotations.EXEMPTIONS} annotation of the pod template is not valid, so harden honours none of its entries, and hardening `
    + `around them could write what they exempt (e.g. a user for a container declared to run as root), which a rerun cannot undo (${what}) `
    + 'Fix: correct the annotation as each problem says (a real reason for each entry, the pod\'s container names, the canonical form), or remove it, then rerun';
}

/** The verdict on a hardened object at restricted, with the valid exemptions its pod template declares. */
export interface DeclaredVerdict {
  /** Violations left (`check: detail`), and a malformation: what no declared exemption covers. */
  readonly remaining: string[];
  /** The violations a declared exemption covers, each with the exemption and its reason (notes). */
  readonly accepted: string[];
  /** Why a declared exemption leaves something of its kind uncovered (each kind's own explanation). */
  readonly problems: string[];
}

/** Judges a hardened object at restricted, honouring the valid exemptions its pod template's annotation declares. */
export function judgeWithDeclared(object: unknown): DeclaredVerdict {
  const result = PodSecurity.evaluate(object, { level: PolicyLevel.RESTRICTED });
  const malformed = result.malformed !== undefined ? [`malformed: ${result.malformed}`] : [];
  const line = (v: Violation) => `${v.check}: ${v.detail}`;
  const declared = templateDeclaration(podTemplateOf(object)).exemptions;
  if (declared.length === 0) return { remaining: [...malformed, ...result.violations.map(line)], accepted: [], problems: [] };
  const verdict = judge(object, declared, { rootlessRules: false });
  const left = new Set(verdict.uncovered.violations.map(v => v.check));
  const accepted = result.violations.filter(v => !left.has(v.check)).map(v => {
    // the exemptions whose own revert removes it
    const covering = declared.filter(e => !judge(object, [e], { rootlessRules: false }).uncovered.violations.some(x => x.check === v.check));
    const by = (covering.length > 0 ? covering : declared).map(e => `${describeExemption(e)}: ${JSON.stringify(e.reason)}`).join('; ');
    return `accepted: ${line(v)} (declared in the ${RootlessAnnotations.EXEMPTIONS} annotation: ${by})`;
  });
  const spec = podTemplateOf(object)?.spec ?? {};
  const problems: string[] = [];
  for (const k of EXEMPTION_KINDS) {
    const own = declared.filter(e => e.kind === k.id);
    if (own.length > 0 && k.uncovered) problems.push(...k.uncovered(spec, own).map(m => `declared ${describeExemption(own[0])}: ${m}`));
  }
  // the violations no exemption covers, as the reverted pod has them (they name only what is not covered)
  return { remaining: [...malformed, ...verdict.uncovered.violations.map(line)], accepted, problems };
}
