/**
 * Internal: which user a container runs as — the one rule of the constructs' plan stage (plan.ts)
 * and of the adopt stage (`RootlessHardening.applyTo`, `harden`; docs/migration.md, "Which user a
 * container runs as").
 *
 * The kubelet refuses at start-up a container with `runAsNonRoot: true` whose image USER is absent
 * (root), 0, a name or unparsable, and one with `runAsUser: 0`; cdk8s-plus sets `runAsNonRoot: true`
 * on every container. So `runAsNonRoot: true` alone says nothing about the user. In this order, the
 * user of a container is
 * 1. `set`: a `runAsUser` is set on the container, or on the pod and not on the container (whatever
 *    its value: 0 is root and stays a finding; never replaced);
 * 2. `given`: a user given for this container, else for its object (`objects[path].containers[name]`
 *    / `objects[path].user`, `harden --user-for`). Against a known image it is checked as the
 *    constructs check theirs (`checkGivenUser`): an image that accepts an arbitrary UID takes it
 *    (with `fsGroup`), another is `refused` unless the statement says `customImage`;
 * 3. `image`: the image matches an app-wide pattern with a UID (`imageUsers`, `--image-user`), or
 *    `vouched`: a pattern whose numeric non-root USER the user vouches for (`nonRootImages`,
 *    `--non-root-image`): runAsNonRoot alone is then accepted; the most specific pattern decides. A
 *    vouch for a known image whose own USER is root or a name (`ImagePreset._hasNumericUser`) does
 *    not hold: the kubelet would refuse it, so the preset's UID is used, with a note;
 * 4. `preset`: the image is a well-known one (`ImagePreset.forImage`): the preset's UID and GID;
 * 5. `fallback`: the default UID (`props.user`, `--user`), when one is given;
 * 6. `unknown`: nobody knows it, and nothing may be guessed: applyTo fails, harden writes no user.
 * A container that may run as root (an accepted runAsRoot) takes only 1 and its own 2: it is
 * otherwise `unknown`, and runs as its image's user, as its exemption declares.
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports. Not exported from the package.
 */
import { ImagePreset } from './image-preset';
import { matchesImage, patternSpecificity } from './image-ref';

/** The rule id of the user rule's notes that need a human (notes.ts): a given user a set one overrides, an arbitrary-UID image taking another UID. */
export const USER_RULE = 'user';

/** A fallback user: `harden --user UID [--group GID]`, `RootlessHardeningProps.user`. */
export interface FallbackUser {
  readonly user: number;
  /** @default - the user */
  readonly group?: number;
}

/** A user stated for an object or one of its containers. */
export interface GivenUser {
  readonly user: number;
  /** @default - the user */
  readonly group?: number;
  /** The statement says the image was built to run as this user: no preset refuses it. @default false */
  readonly customImage?: boolean;
  /** How the statement is named in messages, e.g. `objects['web'].user`, `--user-for Deployment/shop/web=1000`. */
  readonly from: string;
}

/** An app-wide image pattern: a UID for the images it matches, or (no `user`) a vouched non-root USER. */
export interface ImageUser {
  readonly pattern: string;
  /** @default - the images' own numeric non-root USER, vouched for */
  readonly user?: number;
  /** How the statement is named in messages, e.g. `imageUsers['ghcr.io/acme/*']`. */
  readonly from: string;
}

/** What the rule is told about users, besides the manifest. */
export interface UserStatements {
  /** The user given for the whole object. @default - none */
  readonly object?: GivenUser;
  /** Users given per container name. @default - none */
  readonly containers?: ReadonlyMap<string, GivenUser>;
  /** App-wide image patterns (`imageUsers` and `nonRootImages`). @default - none */
  readonly images?: readonly ImageUser[];
  /** The default user. @default - none */
  readonly fallback?: FallbackUser;
  /**
   * The container may run as root (an accepted runAsRoot exemption): only a set runAsUser or a user
   * given for this very container applies; the object's user, image patterns, presets and the
   * default user do not (the constructs run such a container as 0; a UID written here would stop
   * e.g. a chown init container). @default false
   */
  readonly mayRunAsRoot?: boolean;
}

/** The user of a container, and where it comes from (see the module comment). */
export type ContainerUser =
  | { readonly source: 'set'; readonly user: unknown; readonly at: 'container' | 'pod' }
  | {
    readonly source: 'given';
    readonly user: number;
    readonly group: number;
    readonly fsGroup: number;
    readonly from: string;
    readonly scope: 'object' | 'container';
    /** The image's preset, when it is a known image and the statement does not say `customImage`. */
    readonly preset?: ImagePreset;
    /** Whether the preset's image takes this UID, which is not its own (`arbitraryUser`): a note says so. */
    readonly arbitrary?: boolean;
  }
  | { readonly source: 'refused'; readonly user: number; readonly from: string; readonly preset: ImagePreset }
  | { readonly source: 'image'; readonly user: number; readonly group: number; readonly fsGroup: number; readonly from: string }
  | { readonly source: 'vouched'; readonly from: string }
  | { readonly source: 'ambiguous'; readonly from: readonly string[] }
  | {
    readonly source: 'preset';
    readonly user: number;
    readonly group: number;
    readonly fsGroup: number;
    readonly preset: ImagePreset;
    /** A vouch (`nonRootImages`) that the preset contradicts: the image's own USER is root or a name. */
    readonly unvouched?: string;
  }
  | { readonly source: 'fallback'; readonly user: number; readonly group: number; readonly fsGroup: number }
  | { readonly source: 'unknown' };

/** What the user rule's note about an arbitrary-UID image taking a given user says (`arbitraryUserNote`). */
export interface ArbitraryUse {
  readonly container: string;
  readonly user: number;
  readonly group: number;
  /** Where the user was given (e.g. `props.objects['db'].user`, `props.user`). */
  readonly from: string;
  readonly image: unknown;
  readonly preset: ImagePreset;
  /** The fsGroup its volumes need (its group). */
  readonly fsGroup: number;
  /** The pod's fsGroup. */
  readonly podFsGroup: number | undefined;
}

/**
 * The note (rule USER_RULE) for an image that runs under a given UID which is not its own (a preset's
 * `arbitraryUser`): one wording for the constructs (hardening.ts) and the adopt stage (adopt/pod.ts).
 */
export function arbitraryUserNote(a: ArbitraryUse): string {
  const text = `container "${a.container}": user ${a.user}:${a.group} from ${a.from}; image ${JSON.stringify(a.image)} is the ${a.preset.name} image (UID `
    + `${a.preset.user}), which runs under another UID when its data directory is writable for it`;
  return a.podFsGroup === a.fsGroup
    ? `${text}: fsGroup ${a.fsGroup} makes its volumes writable (a volume whose driver ignores fsGroup needs its files owned by that UID).`
    : `${text}: its volumes must be writable for it, and the pod's fsGroup is ${a.podFsGroup ?? 'not set'}: check that its data directory is writable for ${a.fsGroup}.`;
}

/** What a known image says about a user given for it (`checkGivenUser`). */
export type GivenUserCheck =
  | { readonly verdict: 'ok'; readonly preset?: ImagePreset }
  | { readonly verdict: 'arbitrary'; readonly preset: ImagePreset }
  | { readonly verdict: 'refused'; readonly preset: ImagePreset };

const object = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x as Record<string, unknown> : {});
const present = (x: unknown): boolean => x !== undefined && x !== null;

/**
 * A user given for a container of `image`, against the image's preset (`ImagePreset.forImage`):
 * `ok` when the image is not a known one, the user is its preset's, the user is 0 (running as root
 * is the runAsRoot exemption's concern) or the statement says `customImage`; `arbitrary` when the
 * image runs under any UID whose data directory is writable; else `refused` (its files belong to
 * another user). The constructs (plan.ts) and the adopt stage both ask this.
 */
export function checkGivenUser(image: unknown, user: number | undefined, customImage?: boolean): GivenUserCheck {
  if (user === undefined || user === 0 || customImage === true || typeof image !== 'string') return { verdict: 'ok' };
  const preset = ImagePreset.forImage(image);
  if (preset === undefined || preset.user === user) return { verdict: 'ok', preset };
  return preset.arbitraryUser ? { verdict: 'arbitrary', preset } : { verdict: 'refused', preset };
}

/**
 * The user of one container (plain Kubernetes JSON), by the rule of the module comment.
 * @param container the container (`name`, `image`, `securityContext`)
 * @param podSecurityContext the pod's `spec.securityContext`
 * @param statements what the caller was told about users
 */
export function containerUser(container: unknown, podSecurityContext: unknown, statements: UserStatements = {}): ContainerUser {
  const c = object(container);
  const sc = object(c.securityContext);
  const pod = object(podSecurityContext);
  if (present(sc.runAsUser)) return { source: 'set', user: sc.runAsUser, at: 'container' };
  if (present(pod.runAsUser)) return { source: 'set', user: pod.runAsUser, at: 'pod' };
  const image = c.image;
  const own = typeof c.name === 'string' ? statements.containers?.get(c.name) : undefined;
  const given = own ?? (statements.mayRunAsRoot ? undefined : statements.object);
  if (given) {
    const group = given.group ?? given.user;
    const check = checkGivenUser(image, given.user, given.customImage);
    if (check.verdict === 'refused') return { source: 'refused', user: given.user, from: given.from, preset: check.preset };
    return {
      source: 'given',
      user: given.user,
      group,
      fsGroup: group,
      from: given.from,
      scope: own ? 'container' : 'object',
      ...check.preset ? { preset: check.preset } : {},
      ...check.verdict === 'arbitrary' ? { arbitrary: true } : {},
    };
  }
  if (statements.mayRunAsRoot) return { source: 'unknown' };
  const images = typeof image === 'string' ? (statements.images ?? []).filter(i => matchesImage(i.pattern, image)) : [];
  if (images.length > 0) {
    const best = Math.max(...images.map(i => patternSpecificity(i.pattern)));
    const top = images.filter(i => patternSpecificity(i.pattern) === best);
    if (new Set(top.map(i => i.user ?? 'vouched')).size > 1) return { source: 'ambiguous', from: top.map(i => i.from) };
    const i = top[0];
    if (i.user !== undefined) return { source: 'image', user: i.user, group: i.user, fsGroup: i.user, from: i.from };
    // a vouch is a statement about the image's USER: a known image whose USER is root or a name contradicts it
    const known = ImagePreset.forImage(image as string);
    if (!known || ImagePreset._hasNumericUser(image as string)) return { source: 'vouched', from: i.from };
    return { source: 'preset', user: known.user, group: known.group, fsGroup: known.fsGroup, preset: known, unvouched: i.from };
  }
  const preset = typeof image === 'string' ? ImagePreset.forImage(image) : undefined;
  if (preset) return { source: 'preset', user: preset.user, group: preset.group, fsGroup: preset.fsGroup, preset };
  const fallback = statements.fallback;
  if (fallback) {
    const group = fallback.group ?? fallback.user;
    return { source: 'fallback', user: fallback.user, group, fsGroup: group };
  }
  return { source: 'unknown' };
}

/** Whether the rule knows the container's user (a number, or an image vouched non-root); `set` counts, whatever its value. */
export function isKnownUser(u: ContainerUser): boolean {
  return u.source !== 'unknown' && u.source !== 'refused' && u.source !== 'ambiguous';
}

/** The UID the rule writes (undefined for `set`, `vouched` and the unknown ones). */
export function writtenUser(u: ContainerUser): { user: number; group: number; fsGroup: number } | undefined {
  return u.source === 'given' || u.source === 'image' || u.source === 'preset' || u.source === 'fallback' ? u : undefined;
}

/** The numeric UID a container runs as, when the manifest or the rule says it. */
export function numericUser(u: ContainerUser): number | undefined {
  const w = writtenUser(u);
  if (w) return w.user;
  return u.source === 'set' && typeof u.user === 'number' ? u.user : undefined;
}

/** The container names a statement names that the pod does not have. */
export function unknownContainers(statements: UserStatements, names: readonly string[]): string[] {
  return [...statements.containers?.keys() ?? []].filter(n => !names.includes(n));
}

/** A `harden --user-for KIND/NAMESPACE/NAME[/CONTAINER]=UID[:GID]` statement. */
export interface UserFor {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** @default - every container of the object */
  readonly container?: string;
  readonly user: number;
  /** @default - the user */
  readonly group?: number;
  /** The flag as given, for messages. */
  readonly flag: string;
}

/**
 * The statements of `--user-for` flags about one object. The kind is compared case-insensitively;
 * an object without `metadata.namespace` is matched by the namespace `default`.
 * @param matched receives each flag that named the object
 */
export function userForStatements(list: readonly UserFor[], kind: unknown, namespace: unknown, name: unknown, matched?: Set<UserFor>): Pick<UserStatements, 'object' | 'containers'> {
  const ns = typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
  const mine = list.filter(u => typeof kind === 'string' && u.kind.toLowerCase() === kind.toLowerCase() && u.namespace === ns && u.name === name);
  mine.forEach(u => matched?.add(u));
  const objectUser = [...mine].reverse().find(u => u.container === undefined);
  const containers = new Map<string, GivenUser>();
  for (const u of mine) if (u.container !== undefined) containers.set(u.container, { user: u.user, group: u.group, from: u.flag });
  return {
    ...objectUser ? { object: { user: objectUser.user, group: objectUser.group, from: objectUser.flag } } : {},
    ...containers.size > 0 ? { containers } : {},
  };
}
