/**
 * Internal: Pod Security policy versions (`latest` or `v1.N`, as in the
 * `pod-security.kubernetes.io/enforce-version` namespace label), handled as minor numbers.
 */

const VERSION = /^v1\.(0|[1-9][0-9]{0,3})$/;

/** The minor number of `v1.N`; throws a descriptive Error for anything else. */
export function parseMinor(version: string): number {
  const match = typeof version === 'string' ? VERSION.exec(version) : null;
  if (!match) {
    throw new Error(`Invalid Pod Security policy version ${JSON.stringify(version)}: expected "latest" or "v1.N" (e.g. "v1.30")`);
  }
  return Number(match[1]);
}

export function formatMinor(minor: number): string {
  return `v1.${minor}`;
}
