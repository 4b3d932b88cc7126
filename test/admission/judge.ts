/**
 * The JavaScript side of the admission policy's contract: the one judgement synthesis uses
 * (`judgeRootless`: Pod Security "restricted" at the policy's version plus the rootless rules),
 * applied to the object with its validly declared exemptions reverted (`declaredExemptions`), plus
 * the policy's size limits.
 */
import { limitsProblem } from '../../lib/admission/limits';
import { declaredExemptions } from '../../lib/exemptions/declared';
import { judge as judgeManifest } from '../../lib/hardening/verify';
import { PodSecurity } from '../../lib/policy';

export interface Verdict {
  /** The failed checks and rules (ids), sorted; `limits` when the object is beyond the policy's limits. */
  readonly failed: string[];
}

/** The policy's verdict, computed in JavaScript (`rootless` false: AdmissionMode.POD_SECURITY_ONLY, Pod Security alone). */
export function judge(manifest: any, version: string, honor = true, rootless = true): Verdict {
  if (limitsProblem(manifest) !== undefined) return { failed: ['limits'] };
  const exemptions = honor ? declaredExemptions(manifest).exemptions : [];
  const original = PodSecurity.evaluate(manifest, { version });
  if (original.malformed) throw new Error(`malformed test object: ${original.malformed}`);
  // Reverting on a Windows pod may set Linux-only fields (e.g. privileged's allowPrivilegeEscalation:
  // false), which makes the reverted copy "malformed": only its violations count here.
  const verdict = judgeManifest(manifest, exemptions, { version, rootlessRules: rootless });
  const failed = new Set([...verdict.uncovered.violations.map(v => v.check), ...verdict.rootless.map(f => f.rule)]);
  return { failed: [...failed].sort() };
}
