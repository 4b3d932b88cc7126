/**
 * Internal: the adopt stage for one rendered object (`RootlessHardening.applyTo`): the rules of
 * pod.ts on a copy of the object's JSON, the exemptions annotation and the level written on its
 * pod template, the difference as JSON patch operations, and the verification of the result with
 * the constructs' own verify stage (verify.ts). Pure: no cdk8s, cdk8s-plus or constructs imports;
 * lib/constructs/rootless-hardening.ts finds the objects and applies the operations.
 */
import { acceptsOf, templateDeclaration } from './declared';
import { AddOperation, JsonEditor, additions, guarded, pointerSegment } from './editor';
import { kindRelaxing } from './needs';
import { HardenDialect, HardenOptions, PodReport, WritablePath, hardenPod } from './pod';
import { writeAnnotation } from '../../exemptions/codec';
import type { ExemptionValue } from '../../exemptions/kind';
import { jsonClone, jsonEqual } from '../../policy/json-equal';
import { containersOf, inheritListKind, isKubectlList, isListKind, podTemplateOf, podTemplatePath } from '../../policy/k8s-shapes';
import { podSpecOf } from '../../policy/pod-spec';
import { PolicyLevel } from '../../policy/types';
import { LEVEL_PLACEHOLDER, RootlessAnnotations } from '../annotations';
import { rootlessFindings } from '../rootless-rules';
import { TOKEN_RULE } from '../token-rule';
import { Verification, verifyConstruct } from '../verify';

/** What one object is hardened with. */
export interface AdoptSettings {
  /** The UID for containers whose user is not known. */
  readonly user?: number;
  /** @default - the user */
  readonly group?: number;
  /** The users stated for this object, its containers and the app's images (user-rule.ts). @default - none */
  readonly users?: HardenOptions['users'];
  readonly writablePaths: readonly WritablePath[];
  /** The exemptions declared in code for this object (validated values). */
  readonly exemptions: readonly ExemptionValue[];
  /** How fixes are worded. */
  readonly dialect: HardenDialect;
  /**
   * The object is an item of a List: it has no cdk8s metadata of its own, so a Pod's annotations are
   * written by JSON patch, like a workload template's.
   * @default false
   */
  readonly listItem?: boolean;
}

/** What adopting one object gives. */
export interface Adoption {
  /** The JSON patch operations that harden the object (empty when it needs none). */
  readonly operations: AddOperation[];
  /** Annotations of the object's own metadata (a Pod's), to set through cdk8s' metadata API. */
  readonly ownAnnotations: Readonly<Record<string, string>>;
  /** The exemptions the object declares: the settings', and those of a valid annotation it already had. */
  readonly exemptions: readonly ExemptionValue[];
  readonly report: PodReport;
  /** What needs a human, and what the verification of the hardened object finds. */
  readonly errors: string[];
  /** The level of the hardened object. */
  readonly level: PolicyLevel;
  /**
   * The token rule keeps the pod's token undeclared (not strict): the findings of the rootless token rule on the
   * hardened pod (`serviceAccountToken: detail`), which the verification tolerates; any other (a token added
   * later) is an error.
   */
  readonly tokenTolerated: readonly string[];
  /**
   * The hardened object as its patches write it (a workload's, or a List item's, whose level annotation is a patch too),
   * and its verification, when it found nothing: `verifyAdoptedAgain` answers with it for a serialization that is the
   * same by value. @default - none (a Pod: its annotations are written through cdk8s' metadata, not by the patches)
   */
  readonly verified?: { readonly manifest: unknown; readonly verification: Verification };
}

const isMap = (x: unknown): x is Record<string, any> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Whether an object of this apiVersion and kind carries a pod: the policy engine's decision
 * (pod-spec.ts: a pod-bearing kind served from its own API group), so that a custom resource whose
 * kind is `Pod` in another group is not taken for one.
 */
export function isPodBearing(apiVersion: unknown, kind: unknown): boolean {
  return podSpecOf({ apiVersion, kind }).applicable;
}

export { isListKind };

/** The pod-bearing items of a rendered List, with their indexes (none when it has no `items` array). */
export function podBearingItems(list: unknown): { item: any; index: number }[] {
  const items = isMap(list) ? list.items : undefined;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item, index) => {
    if (!isMap(item)) return [];
    // as kubectl sends it: an item with neither kind nor apiVersion takes the list's (a kind-less PodList item is a Pod)
    const sent = { ...item };
    inheritListKind(sent, (list as any).kind, (list as any).apiVersion);
    return isPodBearing(sent.apiVersion, sent.kind) ? [{ item: sent, index }] : [];
  });
}

/** Whether kubectl applies a rendered object's items instead of the object (any kind with `items`, see `isKubectlList`). */
export function isAppliedAsList(rendered: unknown): boolean {
  return isMap(rendered) && isKubectlList(rendered);
}

/**
 * Hardens one rendered pod-bearing object (`ApiObject.toJson()`); the object itself is not changed.
 * @param tokens the ServiceAccounts and bindings of the app, and the token settings (token-rule.ts)
 * @param namespace the namespace of the object when its manifest names none (its chart's; default `default`)
 */
export function adopt(manifest: unknown, settings: AdoptSettings, tokens?: HardenOptions['tokens'], namespace?: string): Adoption {
  const report: PodReport = { changes: [], problems: [], notes: [] };
  const copy = jsonClone(manifest) as any;
  const template = podTemplateOf(copy);
  if (!isMap(template) || !isMap(template.spec)) {
    const errors = ['the object has no pod template with a spec (it is malformed). Fix: make it well formed (see the Kubernetes API reference).'];
    return { operations: [], ownAnnotations: {}, exemptions: [], report, errors, level: PolicyLevel.PRIVILEGED, tokenTolerated: [] };
  }
  const editor = new JsonEditor();
  const annotations = editor.child(editor.child(template, 'metadata') ?? {}, 'annotations');
  // the exemptions the template already declares (declared.ts, the reading harden uses too): all, or none when invalid
  const existing = templateDeclaration(template);
  const exemptions: ExemptionValue[] = [
    ...settings.exemptions,
    ...existing.exemptions.filter(e => !settings.exemptions.some(s => s.kind === e.kind && s.container === e.container)),
  ];
  const accepts = acceptsOf(exemptions);
  hardenPod(editor, template, template.spec, {
    user: settings.user,
    group: settings.group,
    users: settings.users,
    writablePaths: settings.writablePaths,
    accepts,
    dialect: settings.dialect,
    tokens,
    namespace: typeof copy.metadata?.namespace === 'string' && copy.metadata.namespace !== '' ? copy.metadata.namespace : namespace,
    // a human's reason for the pod's ServiceAccount: the exemption joins the object's own
    declareToken: reason => exemptions.push({ kind: kindRelaxing('automountServiceAccountToken'), reason }),
  }, report, new Set());

  const errors = [...existing.problems, ...report.problems];
  // a level the object came with says nothing about the hardened pod: it is computed again (and replaced) below
  const cameWithLevel = annotations?.[RootlessAnnotations.PSS_LEVEL];
  if (annotations) delete annotations[RootlessAnnotations.PSS_LEVEL];
  if (!annotations) {
    errors.push('metadata.annotations of the pod template is not a mapping. Fix: make the manifest well formed.');
  } else {
    annotations[RootlessAnnotations.EXEMPTIONS] = writeAnnotation(exemptions);
  }
  // the token findings of the pod as hardened, when the rule kept its token: exactly these are tolerated, now and at serialization
  const tokenTolerated = report.tokenKept === true
    ? rootlessFindings(podTemplateOf(copy)?.spec).filter(f => f.rule === TOKEN_RULE).map(f => `${f.rule}: ${f.detail}`) : [];
  // A Pod is its own template: its annotations are the object's metadata, which the caller sets through cdk8s'
  // metadata API (the level is a Lazy value there, which verifies it again; a JSON patch of the annotations would
  // replace that map). A workload's template gets both by JSON patch.
  const isPod = !settings.listItem && podTemplatePath(copy.kind)?.length === 0;
  const patchesLevel = annotations !== undefined && !isPod;
  // a workload is verified as its patches write it: with its level annotation (restricted, the usual level; verified
  // again with the level found when it is another), so that a serialization equal to it by value needs no other verification
  if (patchesLevel) annotations[RootlessAnnotations.PSS_LEVEL] = PolicyLevel.RESTRICTED;
  let verification = verifyAdopted(copy, exemptions, false, tokenTolerated);
  if (patchesLevel && verification.level !== PolicyLevel.RESTRICTED) {
    annotations[RootlessAnnotations.PSS_LEVEL] = verification.level;
    verification = verifyAdopted(copy, exemptions, false, tokenTolerated);
  }
  errors.push(...verification.errors.filter(e => !errors.includes(e)));
  const own: Record<string, string> = {};
  if (annotations && isPod) {
    own[RootlessAnnotations.EXEMPTIONS] = annotations[RootlessAnnotations.EXEMPTIONS];
    const before = (manifest as any).metadata?.annotations?.[RootlessAnnotations.EXEMPTIONS];
    if (before === undefined) delete annotations[RootlessAnnotations.EXEMPTIONS];
    else annotations[RootlessAnnotations.EXEMPTIONS] = before;
    // the caller's metadata API replaces it (with a Lazy value that verifies it again)
    if (cameWithLevel !== undefined) annotations[RootlessAnnotations.PSS_LEVEL] = cameWithLevel;
  }
  let operations: AddOperation[];
  try {
    // each value a copy of its own (not a member of `copy`): whoever changes a patch's value (cdk8s' private state is
    // reachable in JavaScript) must not change what the serialization is compared with (`verified`)
    operations = [...guarded(additions(manifest, copy)), ...affinityPins(copy)]
      .map(o => (o.value === undefined ? o : { ...o, value: jsonClone(o.value) }));
  } catch (e) {
    // the rules only add: reaching this is a bug, reported as one
    operations = [];
    errors.push(`internal error: ${e instanceof Error ? e.message : e}`);
  }
  // `copy` shares nothing with the operations (their values are copies) nor with the caller's manifest
  const verified = patchesLevel && errors.length === 0 ? { manifest: copy, verification } : undefined;
  return { operations, ownAnnotations: own, exemptions, report, errors, level: verification.level, tokenTolerated, verified };
}

/**
 * `verifyAdopted` of a serialized target of an adopted object: the adoption's own verification (which found nothing)
 * when the manifest is the hardened object by value (key order aside), which it verified with the same exemptions and
 * tolerated findings (and its level annotation, so `levelRequired` does not change it); else verified here.
 */
export function verifyAdoptedAgain(manifest: unknown, adoption: Adoption, levelRequired: boolean): Verification {
  const known = adoption.verified;
  if (known !== undefined && jsonEqual(manifest, known.manifest, true)) {
    return { errors: [...known.verification.errors], level: known.verification.level };
  }
  return verifyAdopted(manifest, adoption.exemptions, levelRequired, adoption.tokenTolerated);
}

/**
 * Verifies an adopted object as the constructs' own are verified (verifyConstruct: the annotation
 * says exactly the declared exemptions; restricted and the rootless rules hold unless a declared
 * exemption covers them; the kubelet starts it; ports bind), and that the level annotation of its
 * pod template, when it has one, is the level of the manifest (or the placeholder the one verifier,
 * lib/constructs/internal/output-verifier.ts, writes the level into).
 * @param levelRequired the level annotation must be there (it was written by JSON patch, which a later patch could remove)
 * @param tokenTolerated the token rule kept the pod's token undeclared: these findings of the rootless token rule are not errors
 */
export function verifyAdopted(manifest: any, exemptions: readonly ExemptionValue[], levelRequired = false,
  tokenTolerated: readonly string[] = []): Verification {
  const names = new Map(containersOf(podTemplateOf(manifest)?.spec).filter(c => typeof c?.name === 'string').map(c => [c.name as string, {}]));
  // a token the token rule keeps (reported to a human, not strict) is not a synthesis error; the level is Pod Security's either way
  const v = verifyConstruct(manifest, { exemptions: [...exemptions] }, names, tokenTolerated);
  const errors = [...v.errors];
  const written = podTemplateOf(manifest)?.metadata?.annotations?.[RootlessAnnotations.PSS_LEVEL];
  if (written === undefined && levelRequired) {
    errors.push(`pod template annotation ${RootlessAnnotations.PSS_LEVEL} is missing, but the pod is ${v.level}: it was removed after RootlessHardening.applyTo `
      + 'hardened it (a JSON patch or another construct). Fix: do not patch the pod after applyTo; give what it needs to applyTo (user, writablePaths, exemptions).');
  } else if (written !== undefined && written !== LEVEL_PLACEHOLDER && written !== v.level) {
    errors.push(`pod template annotation ${RootlessAnnotations.PSS_LEVEL} says ${JSON.stringify(written)}, but the pod is ${v.level}: `
      + 'it was changed after RootlessHardening.applyTo hardened it (a JSON patch or another construct). Fix: do not patch the pod after applyTo; '
      + 'give what it needs to applyTo (user, writablePaths, exemptions).');
  }
  return { errors, level: v.level };
}

/** The affinity term lists of a pod spec, by path below `affinity`. */
const AFFINITY_LISTS = [
  ['podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'], ['podAntiAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'],
  ['podAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'], ['podAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'],
  ['nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'],
] as const;

/**
 * cdk8s-plus-27 appends a workload's `spread: true` terms every time it renders the pod spec, and
 * adopting renders it once more (and cdk8s renders again to serialize it): each affinity term list
 * is pinned to its terms as rendered now, each once (identical terms are redundant to the scheduler).
 */
function affinityPins(manifest: any): AddOperation[] {
  const path = podTemplatePath(manifest.kind);
  const affinity = podTemplateOf(manifest)?.spec?.affinity;
  if (!path || !isMap(affinity)) return [];
  const at = `/${[...path, 'spec', 'affinity'].map(pointerSegment).join('/')}`;
  const out: AddOperation[] = [];
  for (const [kind, list] of AFFINITY_LISTS) {
    const terms = isMap(affinity[kind]) ? affinity[kind][list] : undefined;
    if (!Array.isArray(terms) || terms.length === 0) continue;
    const once = terms.filter((t, i) => terms.findIndex(u => JSON.stringify(u) === JSON.stringify(t)) === i);
    out.push({ op: 'replace', path: `${at}/${kind}/${list}`, value: once });
  }
  return out;
}

/** One pod-bearing manifest an object holds: the object itself, or an item of a List. */
export interface AdoptTarget {
  readonly manifest: any;
  /** The JSON pointer of the manifest in the object (empty for the object itself). */
  readonly pointer: string;
  /** How errors name it (empty for the object itself). */
  readonly label: string;
  /** How the report names it: the object's path, and `/items[i]` for an item of a List. */
  readonly path: string;
}

/** The pod-bearing manifests a rendered object holds: itself, or the pod-bearing items of a List. */
export function adoptTargets(rendered: any, list: boolean, path: string): AdoptTarget[] {
  if (!list) return [{ manifest: rendered, pointer: '', label: '', path }];
  return podBearingItems(rendered).map(({ item, index }) => ({
    manifest: item, pointer: `/items/${index}`, label: `items[${index}] (${item.kind} ${JSON.stringify(item.metadata?.name ?? '?')}): `, path: `${path}/items[${index}]`,
  }));
}

/**
 * The pod-bearing items of a serialized object (as kubectl applies it: a List, or any object with `items`) that are not
 * at the place of an adopted target: items added or moved after applyTo adopted the object (a Lazy value, a JSON patch,
 * the props array its author still holds). Each is named as errors name a target (`items[i] (Kind "name"): `).
 */
export function itemsNotAdopted(manifest: unknown, targets: readonly AdoptTarget[]): string[] {
  if (!isAppliedAsList(manifest)) return [];
  const adopted = new Set(targets.map(t => t.pointer));
  return podBearingItems(manifest).filter(({ index }) => !adopted.has(`/items/${index}`))
    .map(({ item, index }) => `items[${index}] (${item.kind} ${JSON.stringify(item.metadata?.name ?? '?')}): `);
}

/** The manifest of a target in the object rendered again. */
export function targetIn(manifest: any, target: AdoptTarget): any {
  return target.pointer === '' ? manifest : manifest?.items?.[Number(target.pointer.slice('/items/'.length))];
}

/**
 * The path of the member that a guard (`guarded`, editor.ts: a `test` that it is still missing) found
 * set, when that is why applying the patches failed; undefined for any other error.
 */
export function guardFailure(e: unknown): string | undefined {
  const text = e instanceof Error ? e.message : String(e);
  if (!text.includes('TEST_OPERATION_FAILED')) return undefined;
  return /"op":\s*"test",\s*"path":\s*"([^"]*)"/.exec(text)?.[1] ?? 'a member applyTo adds';
}
