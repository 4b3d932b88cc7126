/**
 * Internal: the one codec of the `rootless.cdk8s.io/exemptions` annotation — a canonical writer and
 * one strict reader, used by the constructs, synthesis verification, `audit`, `harden`, the
 * plugin, RestrictedNamespace, and (as the same grammar, through CEL `matches()`) the admission
 * policy. See docs/architecture.md, "The exemptions annotation".
 *
 * The canonical form is exactly `JSON.stringify` of the entries, each with its keys in this order:
 * `id`, `container` (a DNS-1123 label, or null for the whole pod; always null for pod-only kinds),
 * `capabilities` (addCapabilities only: known Linux capability names without `CAP_`), `profile`
 * (seccompLocalhost only), `paths` and `writable` (hostPath only: clean absolute host paths, at least
 * one, and a boolean, always written), `reason` (last). Reasons and profiles hold no `"`, `\` or control
 * character (the reason rule, reason.ts), so a canonical annotation contains no JSON escape and
 * `{"id":"` occurs only where an entry starts: a policy that cannot parse JSON can still read it
 * exactly, by text.
 *
 * The reader accepts the canonical form only. Anything else — duplicate or unknown keys, another key
 * order, whitespace, escapes, a BOM, truncation, wrong types, unknown ids, a container on a pod-only
 * kind, a hostPath entry without its paths or naming a node path (kinds/host-path.ts), a reason the reason rule refuses, more than MAX_ANNOTATION_LENGTH code points — voids the
 * whole annotation (fail closed: no entry is honoured), with problems that name the entry.
 *
 * Pure: no cdk8s imports.
 */
import { ExemptionKind } from './exemption-kind';
import type { ExemptionKindSpec, ExemptionValue } from './kind';
import { reasonProblem } from './reason';
import { EXEMPTION_KINDS, exemptionKind } from './registry';
import { RootlessAnnotations } from '../hardening/annotations';
import { LINUX_CAPABILITIES, capabilityProblem } from '../hardening/capabilities';
import { CLEAN_HOST_PATH } from '../hardening/paths';

/** The longest annotation value read, in code points (also the admission policy's limit). */
export const MAX_ANNOTATION_LENGTH = 8192;

/** A DNS-1123 label, as Kubernetes requires of container names (at most 63 characters). */
const CONTAINER_NAME = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
/** A reason or profile: no `"`, `\` or control character (the reason rule says the rest). */
const TEXT = '[^"\\\\\\p{Cc}]';

/** One entry of the annotation, in its canonical key order. */
export interface ExemptionEntry {
  readonly id: string;
  readonly container: string | null;
  readonly capabilities?: string[];
  readonly profile?: string;
  readonly paths?: string[];
  readonly writable?: boolean;
  readonly reason: string;
}

/** A declared exemption read from an annotation: the value and its 0-based position. */
export interface DeclaredExemption extends ExemptionValue {
  readonly index: number;
}

/** The canonical entry of an exemption value (fresh arrays). */
export function entryOf(e: ExemptionValue): ExemptionEntry {
  return {
    id: e.kind,
    container: e.container ?? null,
    ...(e.capabilities ? { capabilities: [...e.capabilities] } : {}),
    ...(e.profile !== undefined ? { profile: e.profile } : {}),
    ...(exemptionKind(e.kind)?.field === 'paths' ? { paths: Array.isArray(e.paths) ? [...e.paths] : e.paths as any, writable: e.writable ?? false } : {}),
    reason: e.reason,
  };
}

/** What the codec reads of a namespace exemption (`NamespaceExemption`). */
export interface NamespaceExemptionValue {
  readonly kind: string;
  readonly level: string;
  readonly reason: string;
}

/**
 * The entry of a namespace exemption in the Namespace's annotation: `id`, `container` (always null: a
 * namespace has no containers), `reason`, `level`. Admission never reads a Namespace's annotation; the
 * construct verifies its own (restricted-namespace.ts).
 */
export function namespaceEntryOf(e: NamespaceExemptionValue): { id: string; container: null; reason: string; level: string } {
  return { id: e.kind, container: null, reason: e.reason, level: e.level };
}

/** The annotation value of a Namespace's exemptions. */
export function writeNamespaceAnnotation(exemptions: readonly NamespaceExemptionValue[]): string {
  return JSON.stringify(exemptions.map(namespaceEntryOf));
}

/** The canonical annotation value of these exemptions. */
export function writeAnnotation(exemptions: readonly ExemptionValue[]): string {
  return JSON.stringify(exemptions.map(entryOf));
}

/**
 * The text every canonical entry of this kind and scope starts with: `{"id":"runAsRoot","container":"app",`
 * or `{"id":"hostPID","container":null,`. In a canonical annotation it occurs only there.
 */
export function entryPrefix(id: string, container: string | null): string {
  return `{"id":"${id}","container":${container === null ? 'null' : `"${container}"`},`;
}

function entryPattern(k: ExemptionKindSpec): string {
  const capability = `"(?:${[...LINUX_CAPABILITIES].join('|')})"`;
  return `\\{"id":"${k.id}","container":(?:null${k.podOnly ? '' : `|"${CONTAINER_NAME}"`})`
    + (k.field === 'capabilities' ? `,"capabilities":\\[${capability}(?:,${capability})*\\]` : '')
    + (k.field === 'profile' ? `,"profile":"${TEXT}+"` : '')
    + (k.field === 'paths' ? `,"paths":\\["${CLEAN_HOST_PATH}"(?:,"${CLEAN_HOST_PATH}")*\\],"writable":(?:true|false)` : '')
    + `,"reason":"${TEXT}*"\\}`;
}

/**
 * The canonical grammar of the whole annotation value, as a pattern valid in RE2 (CEL `matches()`)
 * and in JavaScript (`u` flag), built from the registry. Reasons are checked by the reason rule on
 * top of it (every segment after `"reason":"`, up to the next `"`).
 */
export function annotationGrammar(): string {
  const entry = `(?:${EXEMPTION_KINDS.map(entryPattern).join('|')})`;
  return `^\\[(?:${entry}(?:,${entry})*)?\\]$`;
}

const GRAMMAR = new RegExp(annotationGrammar(), 'u');
const LABEL = new RegExp(`^${CONTAINER_NAME}$`);

/** Whether `name` is a container name as Kubernetes requires it (a DNS-1123 label): the codec's rule, shared with `harden`. */
export function isContainerName(name: unknown): name is string {
  return typeof name === 'string' && LABEL.test(name);
}
const PROFILE = new RegExp(`^${TEXT}+$`, 'u');
const KEYS = ['id', 'container', 'capabilities', 'profile', 'paths', 'writable', 'reason'];
/** The keys that belong to one kind's extra field. */
const FIELD_KEYS: Record<string, readonly string[]> = { capabilities: ['capabilities'], profile: ['profile'], paths: ['paths', 'writable'] };

/** A problem with one field of an entry (`field` undefined: the entry as a whole). */
export interface EntryProblem {
  readonly field?: 'container' | 'capabilities' | 'profile' | 'paths' | 'writable' | 'reason';
  readonly problem: string;
}

/**
 * What is wrong with one entry of a known kind (given as JSON: `id`, `container`, `capabilities`,
 * `profile`, `reason`): unknown keys, the scope, the kind's own field, the reason. The one
 * validation of an exemption's fields, for annotations and for the constructs' props alike.
 */
export function entryProblems(entry: { readonly [key: string]: unknown }, kind: ExemptionKindSpec): EntryProblem[] {
  const problems: EntryProblem[] = [];
  const unknown = Object.keys(entry).filter(k => !KEYS.includes(k)
    || Object.entries(FIELD_KEYS).some(([field, keys]) => keys.includes(k) && kind.field !== field));
  if (unknown.length > 0) problems.push({ problem: `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map(k => JSON.stringify(k)).join(', ')}.` });
  const container = entry.container;
  if (container !== null && (typeof container !== 'string' || !LABEL.test(container))) {
    problems.push({ field: 'container', problem: `${JSON.stringify(container)} is not a container name (a DNS-1123 label: lower-case letters, digits and '-', at most 63), nor null.` });
  } else if (container !== null && kind.podOnly) {
    problems.push({ problem: `${kind.id} applies to the whole pod. Fix: remove the container (in the annotation: "container": null).` });
  }
  if (kind.field === 'capabilities') {
    const caps: unknown = entry.capabilities;
    if (!Array.isArray(caps) || caps.length === 0) {
      problems.push({ field: 'capabilities', problem: `${JSON.stringify(caps)} is not a list of capabilities. Fix: name them, e.g. ['NET_ADMIN'].` });
    } else {
      for (const c of caps) {
        const problem = typeof c === 'string' ? capabilityProblem(c) : `${JSON.stringify(c)} is not a capability name`;
        if (problem) problems.push({ field: 'capabilities', problem: `${problem}. Fix: use names such as NET_ADMIN or SYS_PTRACE (see capabilities(7)).` });
      }
    }
  }
  if (kind.field === 'profile' && !(typeof entry.profile === 'string' && PROFILE.test(entry.profile))) {
    problems.push({ field: 'profile', problem: `${JSON.stringify(entry.profile)} is not a profile path. Fix: name the profile file, relative to the kubelet's seccomp directory (no quotes, backslashes or control characters).` });
  }
  for (const { key, problem } of kind.fieldProblems?.(entry) ?? []) problems.push({ field: key as EntryProblem['field'], problem });
  const badReason = reasonProblem(entry.reason);
  if (badReason) problems.push({ field: 'reason', problem: badReason });
  return problems;
}

/** The result of reading an annotation value. */
export interface AnnotationReading {
  /** The exemptions it declares: all of them when it is valid, none otherwise (fail closed). */
  readonly exemptions: DeclaredExemption[];
  /** What is wrong with it, each naming the entry; empty when it is valid or absent. */
  readonly problems: string[];
}

/**
 * Reads an annotation value strictly (see the module comment). An absent value (undefined or null)
 * declares nothing and has no problem.
 */
export function readAnnotation(value: unknown): AnnotationReading {
  const key = RootlessAnnotations.EXEMPTIONS;
  const void_ = (problems: string[]): AnnotationReading => ({
    exemptions: [],
    problems: problems.map(p => `${p} No exemption of the annotation is honoured until it is fixed.`),
  });
  if (value === undefined || value === null) return { exemptions: [], problems: [] };
  if (typeof value !== 'string') return void_([`annotation ${key} is not a string.`]);
  if (codePoints(value, MAX_ANNOTATION_LENGTH + 1) > MAX_ANNOTATION_LENGTH) {
    return void_([`annotation ${key} is longer than ${MAX_ANNOTATION_LENGTH} characters. Fix: declare fewer exemptions, with shorter reasons.`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    return void_([`annotation ${key} is not JSON (${e instanceof Error ? e.message : e}). `
      + 'Fix: write a JSON array of { "id", "container", "reason" } (the constructs write it for you).']);
  }
  if (!Array.isArray(parsed)) return void_([`annotation ${key} is not a JSON array of { "id", "container", "reason" }.`]);

  const problems: string[] = [];
  const exemptions: DeclaredExemption[] = [];
  parsed.forEach((entry: any, index) => {
    const at = `annotation ${key}[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${at} is not an object. Fix: write { "id", "container", "reason" }.`);
      return;
    }
    const kind = exemptionKind(entry.id);
    if (!kind) {
      problems.push(`${at}.id: ${JSON.stringify(entry.id)} is not an exemption (one of ${EXEMPTION_KINDS.map(k => k.id).join(', ')}).`);
      return;
    }
    const container = entry.container;
    const what = `${at} (${kind.id}${typeof container === 'string' ? ` for container "${container}"` : ''})`;
    for (const p of entryProblems(entry, kind)) problems.push(`${what}${p.field ? `.${p.field}` : ''}: ${p.problem}`);
    exemptions.push({
      index,
      kind: kind.id as ExemptionKind,
      container: typeof container === 'string' ? container : undefined,
      reason: entry.reason,
      ...(kind.field === 'capabilities' && Array.isArray(entry.capabilities) ? { capabilities: Object.freeze([...entry.capabilities]) } : {}),
      ...(kind.field === 'profile' ? { profile: entry.profile } : {}),
      ...(kind.field === 'paths' ? { paths: Array.isArray(entry.paths) ? Object.freeze([...entry.paths]) : entry.paths, writable: entry.writable } : {}),
    });
  });
  for (const k of EXEMPTION_KINDS) {
    const own = exemptions.filter(e => e.kind === k.id);
    if (own.length > 0) for (const p of k.annotationProblems?.(own) ?? []) problems.push(`annotation ${key} (${k.id}): ${p}`);
  }
  if (problems.length > 0) return void_(problems);
  const canonical = writeAnnotation(exemptions);
  if (!GRAMMAR.test(value) || value !== canonical) {
    let i = 0;
    while (i < value.length && value[i] === canonical[i]) i++;
    const entry = Math.max(0, canonical.slice(0, i + 1).split('{"id":"').length - 2);
    return void_([`annotation ${key}[${entry}] is not in the canonical form (duplicate keys, key order, whitespace or escapes differ `
      + `from what the library writes, at character ${i}). Fix: write exactly ${JSON.stringify(canonical.length > 300 ? `${canonical.slice(0, 297)}...` : canonical)}.`]);
  }
  return { exemptions, problems: [] };
}

/** The number of code points of `s`, counted up to `max` (CEL's `size()` counts code points). */
function codePoints(s: string, max: number): number {
  let n = 0;
  for (let i = 0; i < s.length && n < max; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/** Whether an exemption id is one of the registered kinds. */
export function isExemptionKind(id: unknown): id is ExemptionKind {
  return exemptionKind(id) !== undefined;
}
