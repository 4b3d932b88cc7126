/**
 * Internal: the one judgement of a manifest against the rootless profile — Pod Security `restricted`
 * plus the rootless rules (rootless-rules.ts), on the manifest with the given exemptions reverted
 * within their scopes (declared-exemptions.ts). Synthesis verification judges every construct's
 * manifest with it (with the exemptions the construct declared); the admission policy is tested to
 * reach the same verdict on any object (with the exemptions its annotation validly declares).
 *
 * Pure: no cdk8s imports.
 */
import { ExemptionLike, revertExemptions } from './declared-exemptions';
import { RootlessFinding, rootlessFindings } from './rootless-rules';
import { podTemplateOf } from '../policy/k8s-shapes';
import { PodSecurity } from '../policy/pod-security';
import { EvaluationResult, PolicyLevel } from '../policy/types';

/** The verdict on one manifest. */
export interface RootlessVerdict {
  /** Whether the object carries a pod (template) at all. */
  readonly applicable: boolean;
  /** Whether it passes: no uncovered Pod Security violation, nothing malformed, no uncovered rootless finding. */
  readonly allowed: boolean;
  /** The Pod Security evaluation of the manifest with the exemptions reverted (what no exemption covers). */
  readonly uncovered: EvaluationResult;
  /** The rootless rules' findings that no exemption covers. */
  readonly rootless: RootlessFinding[];
}

/**
 * Judges a manifest at `restricted` (policy `version`, default latest) plus the rootless rules,
 * with `exemptions` reverted first.
 */
export function judgeRootless(manifest: unknown, exemptions: readonly ExemptionLike[], version?: string): RootlessVerdict {
  const reverted = exemptions.length === 0 ? manifest : revertExemptions(manifest, exemptions);
  const uncovered = PodSecurity.evaluate(reverted, { level: PolicyLevel.RESTRICTED, version });
  if (!uncovered.applicable) return { applicable: false, allowed: true, uncovered, rootless: [] };
  const spec = podTemplateOf(reverted)?.spec;
  const rootless = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? rootlessFindings(spec) : [];
  return { applicable: true, allowed: uncovered.allowed && rootless.length === 0, uncovered, rootless };
}

/** The paths of every `<<` key in a JSON value (YAML 1.1 readers such as kubectl merge them). */
export function mergeKeyPaths(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...mergeKeyPaths(v, `${path}[${i}]`)));
    return out;
  }
  for (const key of Object.keys(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '<<') out.push(at);
    out.push(...mergeKeyPaths((value as any)[key], at));
  }
  return out;
}
