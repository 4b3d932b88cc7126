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
