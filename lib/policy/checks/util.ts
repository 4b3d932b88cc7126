/**
 * Internal helpers shared by the checks: the check types, container visiting and
 * upstream-style wording (`container "a"`, `containers "a", "b"`, `pod and container "a"`).
 */
import { Container, PodModel, PodSpec, SecurityContext } from '../pod-spec';
import { PolicyLevel } from '../types';
import { CheckCel } from './cel';

/** Why a check forbids a pod; mirrors upstream's CheckResult plus our attribution and fix. */
export interface Forbidden {
  /** Upstream's ForbiddenReason (short, e.g. `allowPrivilegeEscalation != false`). */
  readonly reason: string;
  /** Upstream's ForbiddenDetail. */
  readonly detail: string;
  /** Offending containers (init, regular or ephemeral). */
  readonly containers?: string[];
  /** Whether pod-level fields (spec, spec.securityContext, metadata) are responsible. */
  readonly podLevel?: boolean;
  /** One-line actionable fix. */
  readonly fix: string;
}

/** A check implementation: undefined when the pod is allowed. */
export type CheckPodFn = (pod: PodModel) => Forbidden | undefined;

/** One revision of a check, applying from `minimumVersion` (`v1.N`) until the next revision. */
export interface VersionedCheck {
  readonly minimumVersion: string;
  readonly checkPod: CheckPodFn;
  /** The same rule in CEL, for the admission policy (see cel.ts). */
  readonly cel: CheckCel;
}

export interface CheckDefinition {
  /** Upstream's check id. */
  readonly id: string;
  readonly level: PolicyLevel.BASELINE | PolicyLevel.RESTRICTED;
  /** One line, for CheckInfo / SARIF rules. */
  readonly description: string;
  /** Baseline check ids this restricted check replaces while one of its revisions applies. */
  readonly overrides?: string[];
  /** Revisions with strictly increasing minimum versions. */
  readonly versions: VersionedCheck[];
}

/*
 * Hot-path style (the checks run for every object an audit reads, mostly before the JIT has
 * optimized them): indexed loops rather than for-of (whose iterator objects the interpreter
 * allocates on every step), and no arrays or closures allocated when nothing is bad.
 */

/** Init, regular and ephemeral containers, in upstream's visiting order. */
export function allContainers(pod: PodModel): readonly Container[] {
  return pod.allContainers;
}

/** Names of the containers matching `predicate`, in visiting order. */
export function containersWhere(pod: PodModel, predicate: (c: Container) => boolean): string[] {
  // A loop rather than filter/map: the checks run for every pod, and most containers pass.
  let names: string[] | undefined;
  const containers = pod.allContainers;
  for (let i = 0; i < containers.length; i++) {
    if (predicate(containers[i])) (names ??= []).push(containers[i].name);
  }
  return names ?? [];
}

/** Settings found bad by a check: at pod level (if any) and per container, in visiting order. */
export interface BadSettings<T> {
  readonly pod: T | undefined;
  readonly containers: { readonly name: string; readonly value: T }[];
}

/**
 * Applies `bad` to the pod-level and to every container's securityContext, the pattern
 * of upstream's "badSetters" checks. `bad` returns the offending value, or undefined.
 */
export function badSettings<T>(pod: PodModel, bad: (sc: SecurityContext | undefined) => T | undefined): BadSettings<T> {
  let containers: { name: string; value: T }[] | undefined;
  const all = pod.allContainers;
  for (let i = 0; i < all.length; i++) {
    const value = bad(all[i].securityContext);
    if (value !== undefined) (containers ??= []).push({ name: all[i].name, value });
  }
  const podValue = bad(pod.spec.securityContext);
  // Most pods pass: then nothing is allocated.
  return podValue === undefined && containers === undefined ? NOTHING_BAD : { pod: podValue, containers: containers ?? [] };
}

/** What badSettings returns when nothing is bad (shared: it is never modified). */
const NOTHING_BAD: BadSettings<never> = { pod: undefined, containers: [] };

/** Whether anything (pod level or a container) is bad. */
export function anyBad(bad: BadSettings<unknown>): boolean {
  return bad.pod !== undefined || bad.containers.length > 0;
}

/** The bad values found, pod level first. */
export function badValues<T>(bad: BadSettings<T>): T[] {
  return [...(bad.pod !== undefined ? [bad.pod] : []), ...bad.containers.map(c => c.value)];
}

/** Names of the containers with a bad setting. */
export function badContainerNames(bad: BadSettings<unknown>): string[] {
  return bad.containers.map(c => c.name);
}

/** `"a", "b"`: upstream's joinQuote (plain quotes, no escaping). */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `container "a"` / `containers "a", "b"`. */
export function containersPhrase(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** `pod`, `container "a"`, or `pod and containers "a", "b"`; '' when there is no bad setter. */
export function settersPhrase(pod: boolean, containers: readonly string[], ...more: string[]): string {
  const setters = pod ? ['pod'] : [];
  if (containers.length > 0) setters.push(containersPhrase(containers));
  return [...setters, ...more].join(' and ');
}

/** Sorted, de-duplicated (upstream's sets.NewString(...).List()). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** De-duplicated, in first-seen order. */
export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** Pods with `spec.os.name: windows` are exempt from some restricted checks from v1.25. */
export function isWindowsPod(spec: PodSpec): boolean {
  return spec.os?.name === 'windows';
}

/** Upstream relaxPolicyForUserNamespacePod: `hostUsers: false` (unconditional from v1.35). */
export function isUserNamespacePod(spec: PodSpec): boolean {
  return spec.hostUsers === false;
}

/** A revision that allows Windows pods and otherwise defers to `check`. */
export function exemptWindows(check: CheckPodFn): CheckPodFn {
  return pod => (isWindowsPod(pod.spec) ? undefined : check(pod));
}

/** A revision that allows user-namespace pods and otherwise defers to `check`. */
export function exemptUserNamespaces(check: CheckPodFn): CheckPodFn {
  return pod => (isUserNamespacePod(pod.spec) ? undefined : check(pod));
}
