/**
 * Internal: container paths (writable paths, claim mount paths) as the constructs accept them.
 * Pure: no cdk8s, cdk8s-plus or constructs imports. Not exported from the package.
 */

/** The path without trailing slashes (`/` stays `/`). */
export function normalizePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * What is wrong with a container path (absolute, normalized, not `/`), or undefined.
 * @param rootHint appended in parentheses when the path is the root directory
 */
export function pathProblem(path: string, rootHint?: string): string | undefined {
  if (typeof path !== 'string' || !path.startsWith('/')) return 'is not an absolute path';
  const p = normalizePath(path);
  if (p === '/') return `is the root directory${rootHint ? ` (${rootHint})` : ''}`;
  if (p.split('/').slice(1).some(s => s === '' || s === '.' || s === '..')) return 'is not normalized (empty, "." or ".." segments)';
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
 */
export function pathWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
}
