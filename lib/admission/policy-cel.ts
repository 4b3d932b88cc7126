/**
 * Internal: the CEL of the RootlessAdmissionPolicy: its variables and one validation per Pod
 * Security check (restricted and the baseline checks it keeps, at the policy version, from the
 * checks' own `cel` facets) and per rootless rule (lib/hardening/rootless-rules.ts), each relaxed
 * by the exemptions that permit its fields, within their scope.
 */
import { ANNOTATION_MAX_SIZE, CAPABILITY_KINDS, VOLUME_RELAXATIONS, capabilityListed, exemptionVariables, forContainer, kindsRelaxing, podWide } from './exemptions-cel';
import { CEL_WITHIN_LIMITS, LIMITS_MESSAGE, celContainers } from './limits';
import { RootlessAnnotations } from '../hardening/annotations';
import { ROOTLESS_RULES } from '../hardening/rootless-rules';
import { CheckCel, META, SPEC, celHas, celString } from '../policy/checks/cel';
import { checksFor } from '../policy/checks/registry';
import { PolicyLevel } from '../policy/types';

const EXEMPTIONS_ANNOTATION = RootlessAnnotations.EXEMPTIONS;

/** One validation of the policy. */
export interface CelRule {
  /** The Pod Security check id or rootless rule id. */
  readonly check: string;
  readonly expression: string;
  readonly message: string;
  /** The exemption kinds that relax some condition of the rule. */
  readonly exemptedBy: string[];
}

export interface CelVariable {
  readonly name: string;
  readonly expression: string;
}

/** The policy's variables, in order (a variable may use the ones before it). */
export function policyVariables(honor: boolean): CelVariable[] {
  const annotation = `has(${META}.annotations) && ${celString(EXEMPTIONS_ANNOTATION)} in ${META}.annotations ? ${META}.annotations[${celString(EXEMPTIONS_ANNOTATION)}] : ''`;
  return [
    {
      name: 'podTemplate',
      expression: "request.kind.kind == 'Pod' ? object : (request.kind.kind == 'PodTemplate' ? object.template : "
        + "(request.kind.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template))",
    },
    { name: 'podSpec', expression: 'variables.podTemplate.spec' },
    { name: 'podMeta', expression: 'has(variables.podTemplate.metadata) ? variables.podTemplate.metadata : {}' },
    { name: 'containers', expression: celContainers() },
    // without honoured exemptions, the size of the annotation still counts (see limits.ts)
    ...(honor ? exemptionVariables(annotation) : [
      { name: 'exemptions', expression: annotation },
      { name: 'exemptionsSizeOk', expression: `size(variables.exemptions) <= ${ANNOTATION_MAX_SIZE}` },
    ]),
    { name: 'withinLimits', expression: CEL_WITHIN_LIMITS },
  ];
}

/**
 * The rules of a policy at a version (minor number), in validation order: the limits, the checks, and
 * the rootless rules unless `rootless` is false (AdmissionMode.POD_SECURITY_ONLY).
 */
export function policyRules(minor: number, honor: boolean, rootless = true): CelRule[] {
  const rules: { id: string; description: string; cel: CheckCel }[] = [
    ...checksFor(PolicyLevel.RESTRICTED, minor).map(r => ({ id: r.definition.id, description: r.definition.description, cel: r.cel })),
    ...(rootless ? ROOTLESS_RULES.map(r => ({ id: r.id, description: r.description, cel: r.cel })) : []),
  ];
  return [
    { check: 'limits', expression: 'variables.withinLimits', message: LIMITS_MESSAGE, exemptedBy: [] },
    ...rules.map(r => compile(r.id, r.description, r.cel, honor)),
  ];
}

function compile(id: string, description: string, cel: CheckCel, honor: boolean): CelRule {
  const exemptedBy = new Set<string>();
  const relaxed = (condition: string, kinds: string[], scope: (kind: string) => string) => {
    if (!honor || kinds.length === 0) return `(${condition})`;
    kinds.forEach(k => exemptedBy.add(k));
    return `(${kinds.map(scope).join(' || ')} || (${condition}))`;
  };
  const parts: string[] = [];
  for (const [field, condition] of Object.entries(cel.pod ?? {})) parts.push(relaxed(condition, kindsRelaxing(field), podWide));
  const perContainer: string[] = Object.entries(cel.container ?? {})
    .map(([field, condition]) => relaxed(condition, kindsRelaxing(field), forContainer));
  if (cel.capability !== undefined) {
    const each = relaxed(cel.capability, CAPABILITY_KINDS, () => capabilityListed());
    perContainer.push(`(!(${celHas('c', 'securityContext.capabilities.add')}) || c.securityContext.capabilities.add.all(cap, ${each}))`);
  }
  if (perContainer.length > 0) {
    const containers = cel.containerLists ? `(${celContainers(cel.containerLists)})` : 'variables.containers';
    parts.push(`${containers}.all(c, ${perContainer.join(' && ')})`);
  }
  if (cel.volume !== undefined) {
    const allowed = honor ? VOLUME_RELAXATIONS.map(({ kind, source, condition }) => {
      exemptedBy.add(kind);
      return `(has(v.${source}) && ${podWide(kind)}${condition !== undefined ? ` && ${condition}` : ''})`;
    }) : [];
    parts.push(`(!has(${SPEC}.volumes) || ${SPEC}.volumes.all(v, ${[...allowed, `(${cel.volume})`].join(' || ')}))`);
  }
  const kinds = [...exemptedBy];
  return {
    check: id,
    expression: `!variables.withinLimits || (${parts.join(' && ')})`,
    message: kinds.length > 0
      ? `rootless: ${description} (check ${id}; exemptions: ${kinds.join(', ')} in the pod template's ${EXEMPTIONS_ANNOTATION} annotation, canonical, every entry with a reason)`
      : `rootless: ${description} (check ${id})`,
    exemptedBy: kinds,
  };
}
