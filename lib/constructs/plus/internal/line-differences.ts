/**
 * Internal: the one place where the cdk8s-plus lines differ for the constructs of lib/constructs/plus/ (written against
 * the source line (27) and bound to 27, 28, 32, 33 and 34 by the line build; docs/lines.md, "Differences between lines").
 * Everything here works on every line through that line's public surface, asking the installed cdk8s-plus what it has
 * (never its version number), so a line that gains or loses a feature is handled by what it does.
 *
 * StatefulSet claim templates. Lines 27 and 28 have none. Lines 32, 33 and 34 (from 2.5.0:
 * cdk8s-team/cdk8s-plus#6382 "feat(stateful-set): allow configuring `volumeClaimTemplates`", backported) have their own:
 * `StatefulSetProps.volumeClaimTemplates`, a public mutable `StatefulSet.volumeClaimTemplates` and
 * `addVolumeClaimTemplate()`; their `_toKube()` renders them and throws `Volume claim template with name "x" is not used by
 * any container mount` for a template no cdk8s-plus container mount uses, and their `_toPodSpec()` drops the pod volumes
 * named like a template. So:
 * - RootlessStatefulSet keeps its claims (typed, mounted by the hardening into the pod spec) away from cdk8s-plus: its
 *   props reach the StatefulSet without `volumeClaimTemplates` (`kplusStatefulSetProps`), and its public property is
 *   `claimTemplates`, since a property named `volumeClaimTemplates` of its own type overrides cdk8s-plus' on 32+ (jsii
 *   JSII5004/5009/5010; cdk8s-plus also reads it as its own templates).
 * - On 32+ a StatefulSet whose `volumeClaimTemplates` is undefined loses every pod volume (cdk8s-plus' _filterPodSpecVolumes returns
 *   undefined: cdk8s-team/cdk8s-plus#6735, cdk8s-team/cdk8s#2858; fix proposed in cdk8s-team/cdk8s-plus#6750): the
 *   construct's writable paths (emptyDir volumes under a read-only root) would be mounted from volumes the manifest no
 *   longer has. `startStatefulSetClaims` sets it to an empty list, which every 32+ release reads correctly, after super() and
   before each render (the property is public and mutable: `set.volumeClaimTemplates = undefined` must not drop them).
 * - Templates a user adds with cdk8s-plus' own `addVolumeClaimTemplate` (32+) are kept beside the construct's
 *   (`withClaimTemplates` appends, never replaces), and a name used by both fails synthesis naming both. One named like an
 *   emptyDir the construct made for a writable path fails too: cdk8s-plus would drop that volume and the path would be
 *   mounted from a per-replica claim.
 *
 * Fields that newer lines write with the API server's default (no change to the pod: `shareProcessNamespace: false`,
 * `revisionHistoryLimit: 10`, ...) need no code: each line keeps its own snapshots (test/lines/jest.config.js) and
 * test/lines/security-fields.test.ts asserts the security fields on every line.
 *
 * Not exported from the package.
 */
import * as kplus from 'cdk8s-plus-27';
import type { IConstruct } from 'constructs';
import { throwPropsProblems } from '../../internal/errors';

/** The claim templates part of a StatefulSet on a line that has them (32+): absent on 27 and 28. */
interface LineClaimTemplates {
  volumeClaimTemplates?: unknown[];
}

/** Whether the installed line's StatefulSet has claim templates of its own (cdk8s-plus-32, -33, -34). */
export const KPLUS_HAS_CLAIM_TEMPLATES = typeof (kplus.StatefulSet.prototype as { addVolumeClaimTemplate?: unknown }).addVolumeClaimTemplate === 'function';

/** The props a RootlessStatefulSet gives the cdk8s-plus StatefulSet: without its claim templates (32+ would take them for theirs). */
export function kplusStatefulSetProps<T extends { readonly volumeClaimTemplates?: unknown }>(props: T): Omit<T, 'volumeClaimTemplates'> {
  const { volumeClaimTemplates: _claims, ...rest } = props;
  return rest;
}

/**
 * Right after super() and again before each render: on a line with claim templates, the StatefulSet's own list is empty, not
 * undefined (upstream #6735), also when it was set to undefined after construction (a public mutable property on 32+).
 */
export function startStatefulSetClaims(sts: kplus.StatefulSet): void {
  const own = sts as unknown as LineClaimTemplates;
  if (KPLUS_HAS_CLAIM_TEMPLATES && own.volumeClaimTemplates === undefined) own.volumeClaimTemplates = [];
}

/** The names of the templates cdk8s-plus renders itself (32+: added with `addVolumeClaimTemplate`; 27 and 28: none). */
export function upstreamTemplateNames(sts: kplus.StatefulSet): Set<string> {
  const templates = (sts as unknown as LineClaimTemplates).volumeClaimTemplates ?? [];
  return new Set(templates.map(t => (t as { name?: unknown } | undefined)?.name).filter((n): n is string => typeof n === 'string'));
}

/**
 * Before cdk8s-plus renders (32+): fails, naming the construct, on a template added with cdk8s-plus' `addVolumeClaimTemplate`
 * that is named like an emptyDir the construct made for a writable path. cdk8s-plus drops the pod volume named like one of its
 * templates, so the container's mount would take the template: the writable path's emptyDir (size-limited, per pod) silently
 * turned into a per-replica claim, which the permission init container does not chown (or, for an init container's path,
 * cdk8s-plus' own "not used by any container mount").
 */
export function refuseTemplatesOverWritablePaths(sts: kplus.StatefulSet,
  writable: ReadonlyMap<string, { readonly container: string; readonly path: string }>): void {
  const problems: string[] = [];
  for (const name of upstreamTemplateNames(sts)) {
    const volume = writable.get(name);
    if (volume === undefined) continue;
    problems.push(`addVolumeClaimTemplate({ name: "${name}" }): "${name}" is the emptyDir the construct made for writable path "${volume.path}" of `
      + `container "${volume.container}"; cdk8s-plus would drop that volume and mount a per-replica claim there instead. Fix: give the claim `
      + 'its own name and mount it with a volumeMount of its own (or, for a claim the construct makes writable for the app user, use '
      + 'props.volumeClaimTemplates), or drop the path from the container\'s writablePaths.');
  }
  if (problems.length > 0) throwPropsProblems(sts, problems);
}

/** A claim template of a RootlessStatefulSet, as the StatefulSet spec needs it. */
export interface ClaimTemplate {
  readonly name: string;
  readonly size: string;
  readonly storageClassName?: string;
  readonly accessModes: string[];
}

/**
 * The StatefulSet spec with the construct's claim templates after the ones cdk8s-plus rendered (32+: added with its
 * `addVolumeClaimTemplate`; 27 and 28 render none). Fails, naming the construct, when a name is used by both.
 */
export function withClaimTemplates(sts: IConstruct, spec: kplus.k8s.StatefulSetSpec, claims: readonly ClaimTemplate[]): kplus.k8s.StatefulSetSpec {
  const upstream = spec.volumeClaimTemplates ?? [];
  const clashes = claims.filter(c => upstream.some(t => t.metadata?.name === c.name));
  const problems = clashes.map(c => `volumeClaimTemplates[${c.name}].name: "${c.name}" is also the name of a claim template added with `
    + 'cdk8s-plus\' addVolumeClaimTemplate. Fix: keep one of them (the construct\'s are typed and made writable for the app user).');
  if (problems.length > 0) throwPropsProblems(sts, problems);
  // 32+ render an empty list for a StatefulSet without templates: written as none, as on 27 and 28
  if (claims.length === 0) return upstream.length === 0 ? { ...spec, volumeClaimTemplates: undefined } : spec;
  return {
    ...spec,
    volumeClaimTemplates: [...upstream, ...claims.map(c => ({
      metadata: { name: c.name },
      spec: {
        accessModes: c.accessModes,
        storageClassName: c.storageClassName,
        resources: { requests: { storage: kplus.k8s.Quantity.fromString(c.size) } },
      },
    }))],
  };
}
