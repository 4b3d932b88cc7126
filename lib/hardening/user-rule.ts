/**
 * Internal: which user a container runs as, and whether a fallback UID (`harden --user`, a
 * later `RootlessHardening.applyTo`) may be applied to it. The one statement of the rule
 * (docs/cli.md, `harden`): a fallback applies only where the user is not known.
 *
 * In this order, the user of a container is
 * 1. `set`: a `runAsUser` is set on the container, or on the pod and not on the container
 *    (whatever its value: 0 is root and stays a finding, never replaced);
 * 2. `image`: no `runAsUser`, but `runAsNonRoot: true` is in effect (the container's, else the
 *    pod's): it already runs as its image's own non-root user, which the kubelet verifies;
 * 3. `preset`: the image is a well-known one (`ImagePreset.forImage`): the preset's UID and GID;
 * 4. `fallback`: the fallback UID and GID, when one is given;
 * 5. `unknown`: nobody knows it, and nothing may be guessed.
 *
 * Only 3 and 4 are written. A new UID can leave an application unable to read its own files,
 * so a known user is never replaced.
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports. Not exported from the package.
 */
import { ImagePreset } from './image-preset';

/** A fallback user: `harden --user UID [--group GID]`. */
export interface FallbackUser {
  readonly user: number;
  /** @default - the user */
  readonly group?: number;
}

/** The user of a container, and where it comes from (see the module comment). */
export type ContainerUser =
  | { readonly source: 'set'; readonly user: unknown; readonly at: 'container' | 'pod' }
  | { readonly source: 'image' }
  | { readonly source: 'preset'; readonly user: number; readonly group: number; readonly fsGroup: number; readonly preset: ImagePreset }
  | { readonly source: 'fallback'; readonly user: number; readonly group: number; readonly fsGroup: number }
  | { readonly source: 'unknown' };

const object = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x as Record<string, unknown> : {});
const present = (x: unknown): boolean => x !== undefined && x !== null;

/**
 * The user of one container (plain Kubernetes JSON), by the rule of the module comment.
 * @param container the container (`name`, `image`, `securityContext`)
 * @param podSecurityContext the pod's `spec.securityContext`
 * @param fallback the UID for containers whose user is not known
 */
export function containerUser(container: unknown, podSecurityContext: unknown, fallback?: FallbackUser): ContainerUser {
  const sc = object(object(container).securityContext);
  const pod = object(podSecurityContext);
  if (present(sc.runAsUser)) return { source: 'set', user: sc.runAsUser, at: 'container' };
  if (present(pod.runAsUser)) return { source: 'set', user: pod.runAsUser, at: 'pod' };
  if ((present(sc.runAsNonRoot) ? sc.runAsNonRoot : pod.runAsNonRoot) === true) return { source: 'image' };
  const image = object(container).image;
  const preset = typeof image === 'string' ? ImagePreset.forImage(image) : undefined;
  if (preset) return { source: 'preset', user: preset.user, group: preset.group, fsGroup: preset.fsGroup, preset };
  if (fallback) {
    const group = fallback.group ?? fallback.user;
    return { source: 'fallback', user: fallback.user, group, fsGroup: group };
  }
  return { source: 'unknown' };
}

/** The numeric UID a container runs as, when the manifest or the rule says it (undefined for `image` and `unknown`). */
export function numericUser(u: ContainerUser): number | undefined {
  if (u.source === 'preset' || u.source === 'fallback') return u.user;
  return u.source === 'set' && typeof u.user === 'number' ? u.user : undefined;
}
