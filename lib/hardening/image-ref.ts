/**
 * Internal: how an image reference is read, and the one image-pattern syntax (docs/migration.md,
 * "Which user a container runs as"). Used by `ImagePreset.forImage` and by the app-wide image maps
 * (`imageUsers`, `nonRootImages` on `RootlessHardening.applyTo`; `--image-user`, `--non-root-image`
 * on `harden`).
 *
 * A reference `[REGISTRY/]PATH[:TAG][@DIGEST]` is read as the container runtime reads it: the tag is
 * after the last `:` that follows the last `/`, the digest after `@`. The first path component is the
 * registry when it has a `.` or a `:`, is `localhost` or has an upper-case letter; otherwise the
 * registry is Docker Hub (`docker.io`; `index.docker.io` is its old name), where a one-component path
 * is in `library/`. So `redis`, `library/redis`, `docker.io/redis` and `index.docker.io/library/redis:7`
 * name the same repository, `docker.io/library/redis` (written `redis` in messages and preset tables).
 *
 * A pattern is a reference in which `*` matches any run of characters (`/`, `:` and `@` included);
 * there is no other special character. It is read like a reference, registry included, and matched
 * against the image's full name: a pattern that names no registry is about Docker Hub (`acme/*` is
 * `docker.io/acme/*`; `docker.io/*` and `library/*` are `docker.io/library/*`, the official images,
 * as the runtime reads `docker.io/redis`; two `*` components after `docker.io/` cover all of Docker
 * Hub), never about every registry. The full name is matched
 * - alone, when the pattern has neither a tag nor a digest: `ghcr.io/acme/*` matches
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
  /** The repository as Docker writes it for people: without `docker.io/` and `library/`, e.g. `redis`, `acme/api`, `ghcr.io/acme/api`. */
  readonly repository: string;
  /** @default - none (the runtime pulls `latest`) */
  readonly tag?: string;
  /** @default - none */
  readonly digest?: string;
}

/** The full name of a repository, registry included, as the runtime reads it (the module comment), e.g. `docker.io/library/redis`. */
export function fullName(repository: string): string {
  const slash = repository.indexOf('/');
  const first = slash >= 0 ? repository.slice(0, slash) : '';
  const registry = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const domain = !registry || first === 'index.docker.io' ? 'docker.io' : first;
  const path = registry ? repository.slice(slash + 1) : repository;
  return `${domain}/${domain === 'docker.io' && !path.includes('/') ? `library/${path}` : path}`;
}

/** Reads a reference (`[REGISTRY/]PATH[:TAG][@DIGEST]`). */
export function parseImageReference(image: string): ImageReference {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', slash + 1);
  const full = fullName(colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest);
  const hub = full.replace(/^docker\.io\//, '');
  const repository = full.startsWith('docker.io/') ? (/^library\/[^/]*$/.test(hub) ? hub.slice('library/'.length) : hub) : full;
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
  const glob = (g: string, s: string): boolean =>
    new RegExp(`^${g.split('*').map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`).test(s);
  const p = fullReference(pattern);
  const ref = fullReference(image);
  if (p.digest !== undefined) return glob(p.text, ref.text);
  if (p.tag !== undefined) return ref.tag !== undefined && glob(p.text, `${ref.name}:${ref.tag}`);
  return glob(p.name, ref.name);
}

/**
 * How specific a pattern is: the count of characters that are not `*` in its full form (registry
 * included, so `redis` and `docker.io/library/redis` are equally specific). Of several patterns that
 * match one image, the most specific decides.
 */
export function patternSpecificity(pattern: string): number {
  return fullReference(pattern).text.replace(/\*/g, '').length;
}

/** A reference or pattern with its full repository name, and its text in that form. */
function fullReference(image: string): { name: string; tag?: string; digest?: string; text: string } {
  const r = parseImageReference(image);
  const name = fullName(r.repository);
  return { name, tag: r.tag, digest: r.digest, text: `${name}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}` };
}
