/**
 * Internal: the one normalization module of the values the hardening rules compare: container
 * paths (writable paths, mount paths, data directories) cleaned as the kubelet reads them, and (from
 * lib/policy/ids.ts, the one definition) the numeric ID range the API server accepts. Nothing else cleans paths.
 *
 * Pure: no cdk8s, cdk8s-plus, constructs or CLI imports. Not exported from the package.
 */
import { posix } from 'path';

/** Whether `v` is an ID the API server accepts: an integer in 0…2147483647 (one definition: `isValidId`, lib/policy/ids.ts). */
export { isValidId as isNumericId } from '../policy/ids';

/**
 * A container path as the kubelet mounts it: made absolute (the kubelet joins a relative
 * `mountPath` to `/`), `.`, `..` and repeated slashes resolved (path.posix semantics), no trailing
 * slash (`/` stays `/`).
 */
export function cleanPath(path: string): string {
  const p = posix.normalize(posix.join('/', path));
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/**
 * The place a path names in a typical image, for comparing paths: cleaned, with `/var/run`
 * read as `/run` (a symbolic link to it in Debian, Alpine and most distroless bases; the runtime
 * follows it when it mounts).
 */
export function placeOf(path: string): string {
  const p = cleanPath(path);
  return p === '/var/run' || p.startsWith('/var/run/') ? `/run${p.slice('/var/run'.length)}` : p;
}

/** Whether `path` is `dir` or below it, compared segment by segment as places (`/data` holds `/data/db`, not `/database`). */
export function isAtOrBelow(path: string, dir: string): boolean {
  return pathWithin(placeOf(path), placeOf(dir));
}

/**
 * What is wrong with a container path given as an option (absolute, already clean, not `/`), or
 * undefined. Options must be written clean: a path the kubelet would read differently is refused,
 * not silently rewritten.
 * @param rootHint appended in parentheses when the path is the root directory
 */
export function pathProblem(path: string, rootHint?: string): string | undefined {
  if (typeof path !== 'string' || !path.startsWith('/')) return 'is not an absolute path';
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (p === '/') return `is the root directory${rootHint ? ` (${rootHint})` : ''}`;
  if (cleanPath(p) !== p) return 'is not normalized (empty, "." or ".." segments)';
  return undefined;
}

/**
 * A host path as a `hostPath` exemption names it and as a covered `hostPath` volume must spell it:
 * absolute and clean (no empty, `.` or `..` segment, no trailing `/`), not `/`, each segment of
 * letters, digits and `-._~+@=:%`. One pattern (no anchors), read the same way by RE2 (CEL
 * `matches()`, the admission policy) and JavaScript: the exemptions codec's grammar embeds it.
 * A segment is not `.` or `..`: it starts with a character other than `.`, or is `.` and a
 * character other than `.`, or `..` and at least one more character.
 */
export const CLEAN_HOST_PATH = (() => {
  // \w is [0-9A-Za-z_] in RE2 and in JavaScript (u flag, no i flag)
  const c = '[\\w~+@=:%.-]';
  const notDot = '[\\w~+@=:%-]';
  return `(?:/(?:${notDot}${c}*|\\.${notDot}${c}*|\\.\\.${c}+))+`;
})();

const CLEAN_HOST_PATH_RE = new RegExp(`^${CLEAN_HOST_PATH}$`);

/** Whether `path` is a host path spelled as `CLEAN_HOST_PATH` requires. */
export function isCleanHostPath(path: unknown): path is string {
  return typeof path === 'string' && CLEAN_HOST_PATH_RE.test(path);
}

/**
 * Whether `path` is `root` or below it, compared by whole segments (`/var/log` holds
 * `/var/log/pods`, not `/var/logs`). Both are expected clean (no trailing `/`); `/` holds everything.
 * As written: `/var/run` and `/run` are different here (host paths); `isAtOrBelow` compares places.
 */
export function pathWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
}
