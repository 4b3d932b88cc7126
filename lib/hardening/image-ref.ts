/**
 * Internal: how an image reference is read, and the one image-pattern syntax (docs/migration.md,
 * "Which user a container runs as"). Used by `ImagePreset.forImage` and by the app-wide image maps
 * (`imageUsers`, `nonRootImages` on `RootlessHardening.applyTo`; `--image-user`, `--non-root-image`
 * on `harden`).
 *
 * A reference `[REGISTRY/]PATH[:TAG][@DIGEST]` is read as the container runtime reads it: the tag is
 * after the last `:` that follows the last `/`, the digest after `@`. `docker.io/` and `library/` are
 * dropped (Docker Hub's defaults), so `redis`, `library/redis` and `docker.io/library/redis:7` name
 * the same repository `redis`.
 *
 * A pattern is a reference in which `*` matches any run of characters (`/`, `:` and `@` included);
 * there is no other special character. It is normalized like a reference, then matched against
 * - the repository alone, when the pattern has neither a tag nor a digest: `ghcr.io/acme/*` matches
 *   `ghcr.io/acme/api:1.2` and `ghcr.io/acme/api@sha256:…`, and `redis` matches every tag of `redis`;
 * - `repository:tag`, when it has a tag: `gcr.io/distroless/*:nonroot` matches
 *   `gcr.io/distroless/static:nonroot` and `…:nonroot@sha256:…`, not an image without that tag;
 * - the whole reference, when it has a digest.
 * Matching is case-sensitive (references are lower-case, tags are not). A pattern must name some
 * registry or repository (a letter or digit): patterns made only of `*`, `/`, `:` and `@` are refused.
 *
 * Pure: no imports.
 */

/** An image reference, read as the runtime reads it. */
export interface ImageReference {
  /** The repository, without `docker.io/` and `library/`, e.g. `redis`, `ghcr.io/acme/api`. */
  readonly repository: string;
  /** @default - none (the runtime pulls `latest`) */
  readonly tag?: string;
  /** @default - none */
  readonly digest?: string;
}

/** Reads a reference (`[REGISTRY/]PATH[:TAG][@DIGEST]`). */
export function parseImageReference(image: string): ImageReference {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', slash + 1);
  const repository = (colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest).replace(/^(docker\.io\/)?(library\/)?/, '');
  const tag = colon >= 0 ? withoutDigest.slice(colon + 1) : undefined;
  return { repository, ...tag !== undefined ? { tag } : {}, ...digest !== undefined ? { digest } : {} };
}

/** What is wrong with a pattern, or undefined (for messages: "… is not an image pattern: <problem>"). */
export function imagePatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || pattern.trim() === '') return 'it is empty';
  if (/\s/.test(pattern)) return 'it contains white space';
  if (!/[A-Za-z0-9]/.test(pattern)) {
    return 'it names no registry or repository, so it would match nearly every image (name images one registry or repository at a time, e.g. ghcr.io/acme/*)';
  }
  return undefined;
}

/** Whether `image` matches `pattern` (the syntax of the module comment). */
export function matchesImage(pattern: string, image: string): boolean {
  if (typeof image !== 'string' || typeof pattern !== 'string') return false;
  const p = parseImageReference(pattern);
  const ref = parseImageReference(image);
  const glob = (g: string, s: string): boolean =>
    new RegExp(`^${g.split('*').map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`).test(s);
  if (p.digest !== undefined) {
    return glob(`${p.repository}${p.tag !== undefined ? `:${p.tag}` : ''}@${p.digest}`,
      `${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}@${ref.digest ?? ''}`);
  }
  if (p.tag !== undefined) return ref.tag !== undefined && glob(`${p.repository}:${p.tag}`, `${ref.repository}:${ref.tag}`);
  return glob(p.repository, ref.repository);
}

/**
 * How specific a pattern is: its count of characters that are not `*`. Of several patterns that
 * match one image, the most specific decides.
 */
export function patternSpecificity(pattern: string): number {
  return pattern.replace(/\*/g, '').length;
}
