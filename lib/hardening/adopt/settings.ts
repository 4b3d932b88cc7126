/**
 * Internal: the settings of `RootlessHardening.applyTo` (lib/constructs/rootless-hardening.ts), validated and
 * read once, at the call: a default user, writable paths, and per-object users, writable paths and
 * exemptions. What the caller changes afterwards changes nothing (and is never left unvalidated).
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports.
 */
import { factoriesForField, kindsForField } from './hints';
import type { WritablePath } from './pod';
import { entryOf, entryProblems, isContainerName } from '../../exemptions/codec';
import type { ExemptionValue } from '../../exemptions/kind';
import { kindOf } from '../../exemptions/registry';
import { describeExemption, exemptionValue } from '../../exemptions/value';
import { MAX_ID } from '../defaults';
import { imagePatternProblem } from '../image-ref';
import { isNumericId, pathProblem } from '../paths';
import { TokenSettings, tokenReasonProblem } from '../token-rule';
import type { GivenUser, ImageUser } from '../user-rule';

/** The settings of one object (a key of the props' `objects`). */
export interface ObjectSettings {
  readonly key?: string;
  /** The user given for the whole object (`objects[key].user`, `group`, `customImage`). */
  readonly given?: GivenUser;
  /** The users given per container (`objects[key].containers`). */
  readonly containers: ReadonlyMap<string, GivenUser>;
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
  /** The app-wide image patterns (`imageUsers`, then `nonRootImages`). */
  readonly images: readonly ImageUser[];
  /** The token reasons per ServiceAccount, and strictness (token-rule.ts). */
  readonly tokens: TokenSettings;
}

/** The props as given (`RootlessHardeningProps`), before validation. */
export interface HardeningInput {
  readonly user?: unknown;
  readonly group?: unknown;
  readonly writablePaths?: unknown;
  readonly objects?: unknown;
  readonly imageUsers?: unknown;
  readonly nonRootImages?: unknown;
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
    if (!(isNumericId(v) && v > 0)) {
      problems.push(`${prop}: ${JSON.stringify(v)} is not a non-root numeric ID. Fix: use an integer in 1..${MAX_ID} (the image's numeric USER); `
        + `to keep a container that runs as root, declare ${kindsForField('runAsUser').map(k => k.hint).join(' or ')} for its object.`);
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
      const problem = pathProblem(p, `the whole filesystem would be writable: declare ${factoriesForField('readOnlyRootFilesystem')} instead`);
      if (problem) problems.push(`${prop}[${i}]: ${JSON.stringify(p)} ${problem}. Fix: give an absolute, normalized path such as /var/cache/app.`);
      return !problem;
    });
  };
  // a Map (or another class instance) has no own entries: its statements would be silently ignored
  const map = (prop: string, v: unknown, fix: string): Record<string, any> => {
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) {
      problems.push(`${prop}: is not a map of ${fix}`);
      return {};
    }
    return v as Record<string, any>;
  };
  const user = id('props.user', props.user);
  const group = id('props.group', props.group);
  const defaults = paths('props.writablePaths', props.writablePaths).map(path => ({ path }));
  const objects = new Map<string, ObjectSettings>();
  for (const [key, o] of Object.entries(map('props.objects', props.objects, 'construct paths to settings. Fix: give a plain object, e.g. { \'web\': { user: 1000 } }.'))) {
    const prop = `props.objects['${key}']`;
    if (typeof o !== 'object' || o === null) {
      problems.push(`${prop}: is not an object. Fix: give { user?, group?, customImage?, containers?, writablePaths?, containerWritablePaths?, exemptions? }.`);
      continue;
    }
    if (key === '') problems.push(`${prop}: an empty key names nothing. Fix: use the construct path of a workload.`);
    const writable: WritablePath[] = [...defaults, ...paths(`${prop}.writablePaths`, o.writablePaths).map(path => ({ path }))];
    for (const [container, list] of Object.entries(map(`${prop}.containerWritablePaths`, (o as any).containerWritablePaths,
      'container names to paths. Fix: give a plain object, e.g. { app: [\'/var/cache/app\'] }.'))) {
      if (!isContainerName(container)) {
        problems.push(`${prop}.containerWritablePaths: ${JSON.stringify(container)} is not a container name. Fix: use the name of a container of the object.`);
      }
      writable.push(...paths(`${prop}.containerWritablePaths['${container}']`, list).map(path => ({ container, path })));
    }
    const objectUser = id(`${prop}.user`, o.user);
    const objectGroup = id(`${prop}.group`, o.group);
    if (objectGroup !== undefined && objectUser === undefined) problems.push(`${prop}.group: a group without a user. Fix: give ${prop}.user too.`);
    if (o.customImage !== undefined && typeof o.customImage !== 'boolean') problems.push(`${prop}.customImage: is not a boolean. Fix: true or false.`);
    if (o.customImage === true && objectUser === undefined) problems.push(`${prop}.customImage: says the image runs as the given user, but no user is given. Fix: give ${prop}.user.`);
    const containers = new Map<string, GivenUser>();
    for (const [container, c] of Object.entries(map(`${prop}.containers`, (o as any).containers,
      'container names to users. Fix: give a plain object, e.g. { app: { user: 1000 } }.'))) {
      const at = `${prop}.containers['${container}']`;
      if (!isContainerName(container)) {
        problems.push(`${prop}.containers: ${JSON.stringify(container)} is not a container name. Fix: use the name of a container of the object.`);
      }
      if (typeof c !== 'object' || c === null) {
        problems.push(`${at}: is not an object. Fix: give { user, group?, customImage? }.`);
        continue;
      }
      const cu = id(`${at}.user`, (c as any).user);
      const cg = id(`${at}.group`, (c as any).group);
      const custom = (c as any).customImage;
      if (cu === undefined) problems.push(`${at}.user: is missing. Fix: give the container's numeric UID.`);
      if (custom !== undefined && typeof custom !== 'boolean') problems.push(`${at}.customImage: is not a boolean. Fix: true or false.`);
      if (cu !== undefined) containers.set(container, { user: cu, group: cg, customImage: custom === true, from: `${at}.user` });
    }
    objects.set(key, {
      key,
      ...objectUser !== undefined ? { given: { user: objectUser, group: objectGroup, customImage: o.customImage === true, from: `${prop}.user` } } : {},
      containers,
      writablePaths: writable,
      exemptions: exemptions(`${prop}.exemptions`, o.exemptions, problems),
    });
  }
  const images = imagePatterns(props.imageUsers, props.nonRootImages, problems, id);
  const tokens = tokenSettings(props, problems);
  if (problems.length > 0) {
    throw new Error(`${call}: invalid props:\n  ${problems.join('\n  ')}`);
  }
  return { user, group, writablePaths: defaults, objects, images, tokens };
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
      problems.push(`${prop}[${i}]: not an Exemption. Fix: make it with the Exemption factories, e.g. ${factoriesForField('runAsUser')}(reason).`);
      return;
    }
    const at = `${prop}[${i}] (${describeExemption(value)})`;
    // a read-only and a writable hostPath exemption may both be declared
    if (out.some(x => x.kind === value.kind && x.container === value.container && x.writable === value.writable)) problems.push(`${at}: declared twice. Fix: declare it once.`);
    for (const q of entryProblems({ ...entryOf(value) }, kindOf(value.kind))) problems.push(`${at}${q.field ? `.${q.field}` : ''}: ${q.problem}`);
    out.push(value);
  });
  return out;
}

/** `imageUsers` (pattern → UID) and `nonRootImages` (patterns), validated (image-ref.ts has the syntax). */
function imagePatterns(imageUsers: unknown, nonRootImages: unknown, problems: string[],
  id: (prop: string, v: unknown) => number | undefined): ImageUser[] {
  const out: ImageUser[] = [];
  const pattern = (prop: string, p: unknown): boolean => {
    const problem = imagePatternProblem(p);
    if (problem) problems.push(`${prop}: ${JSON.stringify(p)} is not an image pattern: ${problem}. Fix: give an image reference in which * matches any text, e.g. 'ghcr.io/acme/*'.`);
    return !problem;
  };
  if (imageUsers !== undefined) {
    if (typeof imageUsers !== 'object' || imageUsers === null || Array.isArray(imageUsers)
      || (Object.getPrototypeOf(imageUsers) !== Object.prototype && Object.getPrototypeOf(imageUsers) !== null)) {
      problems.push('props.imageUsers: is not a map. Fix: give { pattern: UID }, e.g. { \'ghcr.io/acme/*\': 10001 }.');
    } else {
      for (const [p, uid] of Object.entries(imageUsers)) {
        const prop = `props.imageUsers['${p}']`;
        const user = id(prop, uid);
        if (pattern(prop, p) && user !== undefined) out.push({ pattern: p, user, from: prop });
      }
    }
  }
  if (nonRootImages !== undefined) {
    if (!Array.isArray(nonRootImages)) {
      problems.push('props.nonRootImages: is not a list. Fix: give patterns, e.g. [\'ghcr.io/acme/*\'].');
    } else {
      nonRootImages.forEach((p, i) => {
        if (pattern(`props.nonRootImages[${i}]`, p)) out.push({ pattern: p, from: `props.nonRootImages[${i}] (${p})` });
      });
    }
  }
  return out;
}
