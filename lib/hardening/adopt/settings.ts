/**
 * Internal: the settings of `RootlessHardening.applyTo` (lib/rootless-hardening.ts), validated and
 * read once, at the call: a default user, writable paths, and per-object users, writable paths and
 * exemptions. What the caller changes afterwards changes nothing (and is never left unvalidated).
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports.
 */
import type { WritablePath } from './pod';
import { MAX_ID } from '../defaults';
import { entryOf, entryProblems, isContainerName } from '../exemptions/codec';
import type { ExemptionValue } from '../exemptions/kind';
import { kindOf } from '../exemptions/registry';
import { describeExemption, exemptionValue } from '../exemptions/value';
import { pathProblem } from '../paths';
import { TokenSettings, tokenReasonProblem } from '../token-rule';

/** The settings of one object (a key of the props' `objects`). */
export interface ObjectSettings {
  readonly key?: string;
  readonly user?: number;
  readonly group?: number;
  /** The default writable paths, then the object's own. */
  readonly writablePaths: readonly WritablePath[];
  readonly exemptions: readonly ExemptionValue[];
}

/** The settings of one call. */
export interface HardeningSettings {
  readonly user?: number;
  readonly group?: number;
  /** The writable paths of every object. */
  readonly writablePaths: readonly WritablePath[];
  /** The per-object settings, by key. */
  readonly objects: ReadonlyMap<string, ObjectSettings>;
  /** The token reasons per ServiceAccount, and strictness (token-rule.ts). */
  readonly tokens: TokenSettings;
}

/** The props as given (`RootlessHardeningProps`), before validation. */
export interface HardeningInput {
  readonly user?: unknown;
  readonly group?: unknown;
  readonly writablePaths?: unknown;
  readonly objects?: unknown;
  readonly serviceAccountTokens?: unknown;
  readonly strictTokens?: unknown;
}

/**
 * Validates the props, naming each bad prop and its fix, and returns the settings.
 * @param call how the error names the call, e.g. `RootlessHardening.applyTo(shop)`
 * @throws when a prop is invalid, with every problem
 */
export function hardeningSettings(props: HardeningInput, call: string): HardeningSettings {
  const problems: string[] = [];
  const id = (prop: string, v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    if (!(Number.isInteger(v) && (v as number) > 0 && (v as number) <= MAX_ID)) {
      problems.push(`${prop}: ${JSON.stringify(v)} is not a non-root numeric ID. Fix: use an integer in 1..${MAX_ID} (the image's numeric USER); `
        + 'to keep a container that runs as root, declare Exemption.runAsRoot(reason, { container }) for its object.');
    }
    return v as number;
  };
  const paths = (prop: string, list: unknown): string[] => {
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      problems.push(`${prop}: is not a list of paths. Fix: give absolute paths, e.g. ['/var/cache/nginx'].`);
      return [];
    }
    return list.filter((p, i) => {
      const problem = pathProblem(p, 'the whole filesystem would be writable: declare Exemption.writableRootFilesystem instead');
      if (problem) problems.push(`${prop}[${i}]: ${JSON.stringify(p)} ${problem}. Fix: give an absolute, normalized path such as /var/cache/app.`);
      return !problem;
    });
  };
  const user = id('props.user', props.user);
  const group = id('props.group', props.group);
  const defaults = paths('props.writablePaths', props.writablePaths).map(path => ({ path }));
  const objects = new Map<string, ObjectSettings>();
  for (const [key, o] of Object.entries(props.objects ?? {})) {
    const prop = `props.objects['${key}']`;
    if (typeof o !== 'object' || o === null) {
      problems.push(`${prop}: is not an object. Fix: give { user?, group?, writablePaths?, containerWritablePaths?, exemptions? }.`);
      continue;
    }
    if (key === '') problems.push(`${prop}: an empty key names nothing. Fix: use the construct path of a workload.`);
    const writable: WritablePath[] = [...defaults, ...paths(`${prop}.writablePaths`, o.writablePaths).map(path => ({ path }))];
    for (const [container, list] of Object.entries(o.containerWritablePaths ?? {})) {
      if (!isContainerName(container)) {
        problems.push(`${prop}.containerWritablePaths: ${JSON.stringify(container)} is not a container name. Fix: use the name of a container of the object.`);
      }
      writable.push(...paths(`${prop}.containerWritablePaths['${container}']`, list).map(path => ({ container, path })));
    }
    objects.set(key, {
      key,
      user: id(`${prop}.user`, o.user),
      group: id(`${prop}.group`, o.group),
      writablePaths: writable,
      exemptions: exemptions(`${prop}.exemptions`, o.exemptions, problems),
    });
  }
  const tokens = tokenSettings(props, problems);
  if (problems.length > 0) {
    throw new Error(`${call}: invalid props:\n  ${problems.join('\n  ')}`);
  }
  return { user, group, writablePaths: defaults, objects, tokens };
}

/** `serviceAccountTokens` (a reason per `ns/name`) and `strictTokens`. */
function tokenSettings(props: HardeningInput, problems: string[]): TokenSettings {
  const reasons = new Map<string, string>();
  const given = props.serviceAccountTokens;
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    problems.push('props.serviceAccountTokens: is not a map. Fix: give { \'NAMESPACE/NAME\': \'why its pods call the Kubernetes API\' }.');
  } else {
    for (const [key, reason] of Object.entries(given ?? {})) {
      const problem = tokenReasonProblem(key, reason);
      if (problem) problems.push(`props.serviceAccountTokens['${key}']: ${problem}`);
      else reasons.set(key, reason as string);
    }
  }
  if (props.strictTokens !== undefined && typeof props.strictTokens !== 'boolean') {
    problems.push(`props.strictTokens: ${JSON.stringify(props.strictTokens)} is not a boolean. Fix: give true or false.`);
  }
  return { reasons, strict: props.strictTokens === true };
}

/** The exemptions of one object, as immutable values, with the problems of each (the reason rule, scope). */
function exemptions(prop: string, list: unknown, problems: string[]): ExemptionValue[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    problems.push(`${prop}: is not a list. Fix: give [Exemption.…(reason)].`);
    return [];
  }
  const out: ExemptionValue[] = [];
  list.forEach((e, i) => {
    const value = exemptionValue(e);
    if (!value) {
      problems.push(`${prop}[${i}]: not an Exemption. Fix: make it with the Exemption factories, e.g. Exemption.hostPath(reason).`);
      return;
    }
    const at = `${prop}[${i}] (${describeExemption(value)})`;
    if (out.some(x => x.kind === value.kind && x.container === value.container)) problems.push(`${at}: declared twice. Fix: declare it once.`);
    for (const q of entryProblems({ ...entryOf(value) }, kindOf(value.kind))) problems.push(`${at}${q.field ? `.${q.field}` : ''}: ${q.problem}`);
    out.push(value);
  });
  return out;
}
