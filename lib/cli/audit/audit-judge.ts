/**
 * The verdict of `audit` on one object: `PodSecurity.evaluate` at a level and version, the
 * problems of its exemptions annotation as violations (rule `rootless-exemption`), and with
 * `--exemptions honor` the violations its valid declared exemptions cover (decided by `judge`, as
 * at synthesis).
 */
import { RootlessAnnotations } from '../../hardening/annotations';
import { capabilityReadings } from '../../hardening/capabilities';
import { PodSecurity, PolicyLevel } from '../../policy';
import { CONTAINER_LISTS, containersOf, podBearingKind, podTemplateOf, withPodTemplate } from '../../policy/k8s-shapes';
import { ApiProblem, validateApiObject } from '../../policy/schema/validate';
import type { EvaluationResult, Violation } from '../../policy/types';
import { UsageError } from '../io';
import { exemptionsDeclared, hardeningVerify } from '../lazy';
import { AcceptedViolation } from '../report/report';

/** An evaluation, with the violations declared exemptions cover (`--exemptions honor`). */
export interface Judged {
  readonly result: EvaluationResult;
  readonly accepted?: AcceptedViolation[];
}

/**
 * Evaluates an object at a level and version; with `honor`, violations covered by the valid
 * exemptions declared in its pod template are accepted (decided as at synthesis: revert what the
 * exemptions permit and evaluate again; what survives is not covered). Exemption annotations with
 * problems are violations at every level (rule `rootless-exemption`).
 */
export function judgeObject(obj: unknown, level: PolicyLevel, version: string, honor: boolean): Judged {
  const evaluated = evaluate(obj, { level, version });
  const annotations = podTemplateOf(obj)?.metadata?.annotations;
  if (!evaluated.applicable || annotations?.[RootlessAnnotations.EXEMPTIONS] === undefined) return { result: evaluated };
  // the exemption codec, registry and verification load only for an object that declares exemptions
  const declared = exemptionsDeclared().declaredExemptions(obj);
  let result = withExemptionProblems(evaluated, declared.problems);
  if (!honor || declared.exemptions.length === 0 || evaluated.violations.length === 0) return { result };
  const options = { level, version, rootlessRules: false };
  const left = new Set(hardeningVerify().judge(obj, declared.exemptions, options).uncovered.violations.map(v => v.check));
  const accepted: AcceptedViolation[] = [];
  const violations: Violation[] = [];
  let byExemption: Set<string>[] | undefined;
  for (const v of result.violations) {
    if (left.has(v.check) || v.check === EXEMPTION_RULE_ID) {
      violations.push(v);
      continue;
    }
    // which exemptions cover it: those whose own revert removes the violation (else all of them)
    byExemption ??= declared.exemptions.map(e => {
      const remaining = new Set(hardeningVerify().judge(obj, [e], options).uncovered.violations.map(x => x.check));
      return new Set(evaluated.violations.map(x => x.check).filter(c => !remaining.has(c)));
    });
    const covering = declared.exemptions.filter((_, i) => byExemption![i].has(v.check));
    accepted.push({
      ...v,
      exemptions: (covering.length > 0 ? covering : declared.exemptions).map(e => ({ id: e.kind, container: e.container ?? null, reason: e.reason })),
    });
  }
  result = { ...result, violations, allowed: violations.length === 0 && result.malformed === undefined };
  return { result, accepted };
}

/** The rule of declared exemptions without a real reason (e.g. the `TODO:` placeholders `harden` writes). */
export const EXEMPTION_RULE_ID = 'rootless-exemption';

/**
 * Adds a violation for every problem of the pod template's `rootless.cdk8s.io/exemptions`
 * annotation (an entry without a real reason, a placeholder, malformed): such an exemption was
 * never confirmed by a human, so the object fails at every level until it is.
 */
function withExemptionProblems(result: EvaluationResult, problems: readonly string[]): EvaluationResult {
  if (problems.length === 0) return result;
  return {
    ...result,
    allowed: false,
    violations: [...result.violations, ...problems.map(detail => ({
      check: EXEMPTION_RULE_ID,
      level: result.level,
      reason: 'exemption not confirmed',
      detail,
      fix: `Write the real reason into the ${RootlessAnnotations.EXEMPTIONS} annotation of the pod template, or remove the exemption and fix what it exempts.`,
      podLevel: true,
    }))],
  };
}

/** Checks a level and version with the engine; returns the concrete version (`latest` resolved). */
export function validatePolicy(level: PolicyLevel, version: string): string {
  try {
    return PodSecurity.evaluate({}, { level, version }).version;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** `PodSecurity.evaluate`, which never throws for a manifest; should it, the object is reported as malformed. */
function evaluate(obj: unknown, options: { level: PolicyLevel; version: string }): EvaluationResult {
  try {
    return PodSecurity.evaluate(obj, options);
  } catch (e) {
    return {
      allowed: false,
      applicable: true,
      level: options.level,
      version: options.version,
      violations: [],
      malformed: `the policy engine failed on this object: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

/** What `audit` reports besides the Pod Security verdict. */
export interface ObjectFindings {
  /** Why the API server would reject the object. */
  readonly invalid: readonly ApiProblem[];
  readonly schema: 'known' | 'unknown';
  /** Capability names Pod Security and the runtime read differently, per container. */
  readonly notes: readonly string[];
}

/**
 * The API validation of an object and the notes on it (`audit`). With `notEvaluable` (the object has no
 * containers at all: `withoutContainers`), its missing containers are reported as not evaluable, not here.
 */
export function objectFindings(obj: unknown, notEvaluable = false): ObjectFindings {
  const validation = validateApiObject(obj);
  const notes: string[] = [];
  for (const c of containersOf(podTemplateOf(obj)?.spec)) {
    for (const n of capabilityReadings(c.securityContext?.capabilities)) notes.push(`container ${JSON.stringify(String(c.name))}: ${n}`);
  }
  const invalid = notEvaluable ? validation.problems.filter(p => p.code !== 'no-containers') : validation.problems;
  return { invalid, schema: validation.schema, notes };
}

/**
 * A pod-bearing object whose pod has no containers (no pod template, no spec, no container in any list:
 * e.g. a kustomize patch) cannot be evaluated as a pod. Pod Security admission evaluates such a
 * template as it is: it allows it unless a pod-level field violates the level. Returns the object with
 * an empty `containers` list to judge in its place, and the reason; undefined for any other object (a
 * spec that is not a mapping stays malformed).
 */
export function withoutContainers(obj: Record<string, unknown>): { readonly judged: Record<string, unknown>; readonly reason: string } | undefined {
  const kind = podBearingKind(obj.kind);
  if (kind === undefined) return undefined;
  const template = podTemplateOf(obj);
  const spec = template?.spec;
  if (spec !== undefined && (typeof spec !== 'object' || spec === null || Array.isArray(spec))) return undefined;
  // each container list absent or empty (a list that is not a list is malformed, not empty)
  const lists = CONTAINER_LISTS.map(l => (spec as Record<string, unknown> | undefined)?.[l]);
  if (!lists.every(l => l === undefined || l === null || (Array.isArray(l) && l.length === 0))) return undefined;
  const where = [...kind.templatePath, 'spec'].join('.');
  const reason = template === undefined && kind.templatePath.length > 0
    ? `no pod template (${kind.templatePath.join('.')}): not evaluable as a pod`
    : `no containers in ${where}: not evaluable as a pod`;
  return {
    judged: withPodTemplate(obj.apiVersion, String(obj.kind), { metadata: template?.metadata, spec: { ...(spec ?? {}), containers: [] } }),
    reason: `${reason} (a kustomize patch or a fragment? It is judged as \`kubectl apply -f\` input, and the API server would reject it as it is)`,
  };
}
