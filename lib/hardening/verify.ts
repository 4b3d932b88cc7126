/**
 * Internal: the verify stage of the hardening (docs/architecture.md, "Hardening: plan, apply,
 * verify"): manifest in, findings out. `verifyConstruct` is everything a construct is responsible
 * for; `judgeRootless` is the one judgement of a manifest against the rootless profile — Pod Security `restricted`
 * plus the rootless rules (rootless-rules.ts), on the manifest with the given exemptions reverted
 * within their scopes (lib/exemptions/declared.ts). Synthesis verification judges every construct's
 * manifest with it (with the exemptions the construct declared); the admission policy is tested to
 * reach the same verdict on any object (with the exemptions its annotation validly declares).
 *
 * Pure: no cdk8s imports.
 */
import { RootlessAnnotations } from './annotations';
import { dataPathFindings } from './data-path';
import { FIRST_UNPRIVILEGED_PORT, UNPRIVILEGED_PORT_SYSCTL } from './defaults';
import type { ImagePreset } from './image-preset';
import { cleanPath, placeOf } from './paths';
import { RootlessFinding, rootlessFindings } from './rootless-rules';
import { kubeletRefusals, suggestedPort, unbindablePorts, unreachableCapabilities } from './runtime-checks';
import { writeAnnotation } from '../exemptions/codec';
import { ExemptionLike, revertExemptions } from '../exemptions/declared';
import type { ExemptionValue } from '../exemptions/kind';
import { EXEMPTION_KINDS, kindsRelaxing } from '../exemptions/registry';
import { describeExemption } from '../exemptions/value';
import { jsonEqual } from '../policy/json-equal';
import { containersOf, podTemplateOf } from '../policy/k8s-shapes';
import { PodSecurity } from '../policy/pod-security';
import { validateApiObject } from '../policy/schema/validate';
import { EvaluationResult, PolicyLevel, Violation } from '../policy/types';

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

/** What a judgement applies. */
export interface JudgeOptions {
  /** The Pod Security level (default restricted). */
  readonly level?: PolicyLevel;
  /** The policy version (default latest). */
  readonly version?: string;
  /** Whether the rootless rules apply too (default true: the rootless profile). */
  readonly rootlessRules?: boolean;
}

/**
 * Judges a manifest: Pod Security at `level` (default restricted) and policy `version` (default
 * latest), plus the rootless rules unless `rootlessRules: false`, with `exemptions` reverted first.
 * The one revert-and-evaluate step: synthesis verification, the validation plugin, `audit
 * --exemptions honor` and the admission policy's tests use it.
 */
export function judge(manifest: unknown, exemptions: readonly ExemptionLike[], options: JudgeOptions = {}): RootlessVerdict {
  const reverted = exemptions.length === 0 ? manifest : revertExemptions(manifest, exemptions);
  const at = { level: options.level ?? PolicyLevel.RESTRICTED, version: options.version };
  let uncovered = PodSecurity.evaluate(reverted, at);
  // A revert can write a field the API rejects on this pod (privileged's allowPrivilegeEscalation: false on a
  // Windows pod, which older policy versions still check): that malformation is the revert's, not the manifest's,
  // so only the violations count, as in the admission policy, which relaxes the checks instead of rewriting the pod.
  if (uncovered.malformed !== undefined && reverted !== manifest && PodSecurity.evaluate(manifest, at).malformed === undefined) {
    uncovered = { ...uncovered, malformed: undefined, allowed: uncovered.violations.length === 0 };
  }
  if (!uncovered.applicable) return { applicable: false, allowed: true, uncovered, rootless: [] };
  const spec = podTemplateOf(reverted)?.spec;
  const rootless = options.rootlessRules !== false && typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? rootlessFindings(spec) : [];
  return { applicable: true, allowed: uncovered.allowed && rootless.length === 0, uncovered, rootless };
}

/** Judges a manifest against the rootless profile (restricted plus the rootless rules) at policy `version` (see `judge`). */
export function judgeRootless(manifest: unknown, exemptions: readonly ExemptionLike[], version?: string): RootlessVerdict {
  return judge(manifest, exemptions, { version });
}

/** The paths of every `<<` key in a JSON value (YAML 1.1 readers such as kubectl merge them). */
export function mergeKeyPaths(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  // the paths are spelled only where there is a merge key (most manifests have none)
  if (!hasMergeKey(value)) return [];
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

function hasMergeKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasMergeKey);
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (key === '<<' || hasMergeKey((value as any)[key])) return true;
  }
  return false;
}

/** What verification reads of a pod's plan (the constructs' plan, or the settings of an adopted object). */
export interface PlannedPod {
  readonly exemptions: readonly ExemptionValue[];
}

/** What verification reads of a container's plan: the image preset it was hardened with, if any. */
export interface PlannedContainer {
  readonly preset?: ImagePreset;
}

/** A verification of a final manifest: the synthesis errors and the PSS level. */
export interface Verification {
  readonly errors: string[];
  readonly level: PolicyLevel;
}

/** Exemptions that name a container the pod does not have. */
export function exemptionProblems(pod: PlannedPod, containers: ReadonlyMap<string, unknown>): string[] {
  if (pod.exemptions.every(e => e.container === undefined)) return [];
  const names = new Set(containers.keys());
  return pod.exemptions
    .filter(e => e.container !== undefined && !names.has(e.container))
    .map(e => `exemptions: ${describeExemption(e)} names a container that is not in the pod (containers: ${[...names].join(', ') || 'none'}). `
      + 'Fix: use the name of an init or regular container, or remove the exemption.');
}

/**
 * Verifies a final manifest (without its level annotation): synthesis errors and the PSS level.
 * Everything the construct is responsible for: the exemptions annotation says exactly what was
 * declared; Pod Security restricted and the rootless rules hold unless a declared exemption
 * covers them (verify.ts, the judgement the admission policy is tested against); every container
 * says runAsNonRoot explicitly; no `<<` key; the API server would accept it (lib/policy/schema: known
 * fields, IDs in range, mounts of existing volumes); the kubelet would start it; ports bind; mounts are unique.
 * @param tolerated rootless findings that are not errors, as `rule: detail` (applyTo: the token the token rule keeps and reports)
 */
export function verifyConstruct(manifest: any, pod: PlannedPod, containers: ReadonlyMap<string, PlannedContainer>,
  tolerated: readonly string[] = []): Verification {
  const errors = exemptionProblems(pod, containers);
  const template = podTemplateOf(manifest);
  const spec = template?.spec;
  errors.push(...kubeletProblems(spec), ...portProblems(spec), ...mountProblems(spec));
  errors.push(...annotationProblems(pod, template?.metadata?.annotations));
  errors.push(...apiProblems(manifest));
  for (const at of mergeKeyPaths(manifest)) {
    errors.push(`${at}: a "<<" key is a merge key to YAML 1.1 readers such as kubectl, which would apply something else than this manifest. `
      + 'Fix: remove it (JSON patches and raw objects must not write "<<").');
  }
  for (const c of containersOf(spec)) {
    if (typeof c.securityContext?.runAsNonRoot !== 'boolean') {
      errors.push(`container "${c.name}": securityContext.runAsNonRoot is not set explicitly (it was removed after construction). `
        + 'Fix: do not patch the security fields the hardening manages; declare an exemption instead.');
    }
  }
  // where the image keeps its data, read as the image reads it (data-path.ts, the rule the adopt stage applies too)
  for (const c of containersOf(spec)) {
    const preset = containers.get(c.name)?.preset;
    if (preset) errors.push(...dataPathFindings(spec, c, preset, c.securityContext?.readOnlyRootFilesystem === true, `container "${c.name}"`).problems);
  }
  // added capabilities a non-root process never holds (runtime-checks.ts): refused, like low ports
  for (const { container, capabilities, user } of unreachableCapabilities(spec)) {
    const scope = `{ container: '${container}' }`;
    errors.push(`container "${container}": capabilities ${capabilities.join(', ')} are added, but the container runs as `
      + `${user === undefined ? 'a non-root user' : `UID ${user}`} with allowPrivilegeEscalation: false, so its process never holds them `
      + '(Kubernetes gives a non-root process no ambient capabilities, and no_new_privs disables file capabilities): it would fail with EPERM. '
      + `Fix: declare Exemption.runAsRoot(reason, ${scope}) for that container; or drop the capabilities (remove them from `
      + `Exemption.addCapabilities); or declare Exemption.privilegeEscalation(reason, ${scope}) and give the image's binary the file `
      + `capability (setcap ${capabilities.map(c => `cap_${c.toLowerCase()}`).join(',')}+ep /path/to/binary).`);
  }

  const exemptions = pod.exemptions;
  const verdict = judgeRootless(manifest, exemptions);
  // without exemptions, the judgement evaluated the manifest itself
  const result = exemptions.length === 0 ? verdict.uncovered : PodSecurity.evaluate(manifest);
  if (verdict.uncovered.malformed) errors.push(`the synthesized manifest is malformed: ${verdict.uncovered.malformed}`);
  errors.push(...verdict.uncovered.violations.map(describeViolation));
  errors.push(...verdict.rootless.filter(f => !tolerated.includes(`${f.rule}: ${f.detail}`)).map(describeFinding));
  // why a declared exemption leaves something of its kind uncovered (e.g. a hostPath volume outside its paths)
  for (const k of exemptions.length === 0 ? [] : EXEMPTION_KINDS) {
    const own = exemptions.filter(e => e.kind === k.id);
    if (own.length > 0 && k.uncovered) errors.push(...k.uncovered(spec ?? {}, own).map(m => `exemptions: ${describeExemption(own[0])}: ${m}`));
  }
  const names = exemptions.length > 0 ? new Set(containers.keys()) : undefined;
  for (const e of exemptions) {
    if ((e.container === undefined || names!.has(e.container)) && jsonEqual(revertExemptions(manifest, [e]), manifest)) {
      errors.push(`exemptions: ${describeExemption(e)} covers nothing: the synthesized pod does not use what it exempts. `
        + 'Fix: remove the exemption (or the setting that overrides it).');
    }
  }
  return { errors, level: result.allowed ? PolicyLevel.RESTRICTED : PodSecurity.strictestLevel(manifest) };
}

/** The emitted exemptions annotation must be the canonical form of exactly the declared exemptions. */
function annotationProblems(pod: PlannedPod, annotations: any): string[] {
  const key = RootlessAnnotations.EXEMPTIONS;
  const expected = writeAnnotation(pod.exemptions);
  const emitted = typeof annotations === 'object' && annotations !== null ? annotations[key] : undefined;
  if (emitted === expected) return [];
  return [`pod template annotation ${key} is ${emitted === undefined ? 'missing' : JSON.stringify(emitted)}, but the construct declares ${expected}: `
    + 'it was changed after construction (podMetadata.addAnnotation or a JSON patch), and would claim exemptions that were not declared or hide ones that were. '
    + 'Fix: declare exemptions only through props.exemptions (Exemption factories), and never write this annotation yourself.'];
}

function describeFinding(f: RootlessFinding): string {
  const kinds = kindsRelaxing(f.rule);
  return `${f.detail} (rootless rule ${f.rule}), and no exemption covers it. Fix: ${f.fix}.`
    + (kinds.length > 0 ? ` Or, if the workload really needs it, declare ${kinds.map(k => k.hint).join(' or ')}.` : '');
}

function describeViolation(v: Violation): string {
  const named = (v.containers ?? []).every(c => v.detail.includes(`"${c}"`));
  const where = !v.containers?.length ? 'pod: ' : named ? '' : `container${v.containers.length > 1 ? 's' : ''} ${v.containers.map(c => `"${c}"`).join(', ')}: `;
  const kinds = kindsRelaxing(v.check);
  const hint = kinds.length > 0 ? kinds.map(k => k.hint).join(' or ') : undefined;
  return `${where}${v.detail} (PSS ${v.level} check ${v.check}), and no exemption covers it. Fix: ${v.fix}`
    + (hint ? ` Or, if the workload really needs it, declare ${hint}.` : '');
}

/** What the API server would reject (lib/policy/schema/validate.ts): an error of its own, not a Pod Security finding. */
function apiProblems(manifest: unknown): string[] {
  return validateApiObject(manifest).problems
    .map(p => `invalid: the API server would reject the synthesized object: ${p.message}. Fix: ${p.fix}`);
}

/** The kubelet refuses a container whose effective runAsNonRoot is true and whose effective user is 0 (runtime-checks.ts). */
function kubeletProblems(spec: any): string[] {
  return kubeletRefusals(spec)
    .map(r => `container "${r.container}": effective runAsNonRoot is true and effective runAsUser is 0: the kubelet would refuse to start it. `
      + 'Fix: run it as a non-zero UID, or declare Exemption.runAsRoot(reason, { container }) and do not set runAsNonRoot on it.');
}

/**
 * Ports below FIRST_UNPRIVILEGED_PORT (1024, or the pod sysctl's value) that the container cannot bind: only a
 * root process that holds NET_BIND_SERVICE can (runtime-checks.ts).
 */
function portProblems(spec: any): string[] {
  return unbindablePorts(spec).map(({ container, port, start, root }) =>
    `container "${container}": port ${port} is below ${start}, and a ${root ? 'root process without NET_BIND_SERVICE' : 'non-root process'} cannot bind it. `
    + `Fix: listen on a port >= ${FIRST_UNPRIVILEGED_PORT} (e.g. ${suggestedPort(port)}) and map the Service port `
    + `(port: ${port}, targetPort: the new port); or set unprivilegedPortStart: ${port} `
    + `(the pod sysctl ${UNPRIVILEGED_PORT_SYSCTL}, allowed by PSS restricted). `
    + (root
      ? `Or, as the container runs as root, declare Exemption.addCapabilities(['NET_BIND_SERVICE'], reason, { container: '${container}' }).`
      : 'NET_BIND_SERVICE does not help: Kubernetes gives a non-root process no ambient capabilities, and allowPrivilegeEscalation: false disables file capabilities.'));
}

/** Two mounts at one path in a container (e.g. a writable path and a volume mounted later): the API rejects it. */
function mountProblems(spec: any): string[] {
  const problems: string[] = [];
  for (const c of containersOf(spec)) {
    // compared as the kubelet mounts them: /tmp and /tmp/ are one place, and so are /var/run/x and /run/x in images where
    // /var/run links to /run (the later mount shadows the other: a configMap there makes a writable path read-only)
    const mounts: string[] = (c.volumeMounts ?? []).filter((m: any) => typeof m?.mountPath === 'string').map((m: any) => cleanPath(m.mountPath));
    const places = mounts.map(placeOf);
    for (const p of new Set(places.filter((x, i) => places.indexOf(x) !== i))) {
      const spelled = [...new Set(mounts.filter((_, i) => places[i] === p))];
      problems.push(`container "${c.name}": two volumes are mounted at ${spelled.join(' and ')}${spelled.length > 1 ? ' (one place: /var/run is a link to /run)' : ''}. `
        + 'Fix: mount one volume per path (a writable path already has its own emptyDir).');
    }
  }
  return problems;
}
