/**
 * The JavaScript side of the admission policy's contract: Pod Security "restricted" at the
 * policy's version plus the rootless rules, applied to the object with its validly declared
 * exemptions reverted (declaredExemptions + revertExemptions), and the policy's size limits.
 */
import { ANNOTATION_MAX_SIZE } from '../../lib/admission/limits';
import { isCanonicalReason } from '../../lib/admission/reason-patterns';
import { LINUX_CAPABILITIES } from '../../lib/hardening/capabilities';
import { POD_ONLY, declaredExemptions, podTemplateOf, revertExemptions } from '../../lib/hardening/declared-exemptions';
import { ExemptionKind } from '../../lib/hardening/exemption';
import { rootlessViolations } from '../../lib/hardening/rootless-rules';
import { PodSecurity, PolicyLevel } from '../../lib/policy';

const KEY = 'rootless.cdk8s.io/exemptions';
const KINDS = new Set<string>(Object.values(ExemptionKind));
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const TEXT = /^[^"\\\p{Cc}]+$/u;

/**
 * Whether an annotation value is canonical (the contract of issue 11): exactly JSON.stringify of
 * entries { id, container, capabilities? | profile?, reason } in that key order, known ids, scopes
 * and fields, reasons passing the reason rule, entries unique by (id, container).
 */
export function isCanonical(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return false;
  }
  if (!Array.isArray(parsed)) return false;
  const keys = new Set<string>();
  const rebuilt: any[] = [];
  for (const e of parsed) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
    if (!KINDS.has(e.id)) return false;
    if (!(e.container === null || (typeof e.container === 'string' && LABEL.test(e.container)))) return false;
    if (e.container !== null && POD_ONLY.has(e.id)) return false;
    const entry: any = { id: e.id, container: e.container };
    if (e.id === ExemptionKind.ADD_CAPABILITIES) {
      const caps = e.capabilities;
      if (!Array.isArray(caps) || caps.length === 0 || new Set(caps).size !== caps.length) return false;
      if (!caps.every((c: unknown) => typeof c === 'string' && LINUX_CAPABILITIES.has(c))) return false;
      entry.capabilities = caps;
    }
    if (e.id === ExemptionKind.SECCOMP_LOCALHOST) {
      if (typeof e.profile !== 'string' || !TEXT.test(e.profile)) return false;
      entry.profile = e.profile;
    }
    if (!isCanonicalReason(e.reason)) return false;
    entry.reason = e.reason;
    const key = `${e.id}/${e.container}`;
    if (keys.has(key)) return false;
    keys.add(key);
    rebuilt.push(entry);
  }
  return JSON.stringify(rebuilt) === value;
}

export interface Verdict {
  /** The failed checks and rules (ids), sorted; `limits` when the object is beyond the policy's limits. */
  readonly failed: string[];
}

function annotationOf(manifest: any): unknown {
  return podTemplateOf(manifest)?.metadata?.annotations?.[KEY];
}

/** The policy's verdict, computed in JavaScript. */
export function judge(manifest: any, version: string, honor = true): Verdict {
  const annotation = annotationOf(manifest);
  if (typeof annotation === 'string' && [...annotation].length > ANNOTATION_MAX_SIZE) return { failed: ['limits'] };
  const exemptions = honor && isCanonical(annotation) ? declaredExemptions(manifest).exemptions : [];
  const reverted = revertExemptions(manifest, exemptions);
  const result = PodSecurity.evaluate(reverted, { level: PolicyLevel.RESTRICTED, version });
  if (result.malformed) throw new Error(`malformed test object: ${result.malformed}`);
  const failed = new Set([...result.violations.map(v => v.check), ...rootlessViolations(reverted).map(v => v.rule)]);
  return { failed: [...failed].sort() };
}
