/**
 * The range of user and group IDs that the API server accepts (`runAsUser`, `runAsGroup`, `fsGroup`,
 * `supplementalGroups`: apimachinery's IsValidUserID / IsValidGroupID, 0 … 2147483647) and what an
 * ID outside it does. Pure; read by the API validation (`schema/validate.ts`) and the Dockerfile
 * check of the CLI. See docs/validation.md.
 */

/** The largest user or group ID the API server accepts (math.MaxInt32). */
export const MAX_ID = 2147483647;

/** Whether a value is an ID the API server accepts: an integer in 0 … 2147483647. */
export function isValidId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_ID;
}

/**
 * Why an ID written in an image's USER (a decimal string) is out of range, or undefined. containerd
 * before 1.6.38 / 1.7.27 / 2.0.4 converted an image USER above 2147483647 with 32-bit arithmetic and ran
 * the process as UID 0 (CVE-2024-40635), while the kubelet's runAsNonRoot check, which parses 64 bits,
 * let it start.
 */
export function imageIdProblem(digits: string, what: 'UID' | 'GID'): string | undefined {
  const id = imageNumericId(digits);
  if (id === undefined || (id >= 0n && id <= BigInt(MAX_ID))) return undefined;
  return `${what} ${digits} is ${id < 0n ? 'negative' : `above ${MAX_ID}`}: the API server accepts 0 … ${MAX_ID}, and containerd before 1.6.38 / 1.7.27 / 2.0.4 `
    + 'wraps such an image USER to a 32-bit value and can run the process as UID 0 (CVE-2024-40635, e.g. 4294967296 or -4294967296), '
    + 'while the kubelet\'s runAsNonRoot check, which parses 64 bits, lets it start';
}

/**
 * An image USER's UID or GID as numeric, the way containerd (strconv.Atoi) and the kubelet
 * (strconv.ParseInt) read it: decimal digits with an optional sign (`+0` is UID 0, `-1` a negative
 * number, not a user name), or undefined for a name.
 */
export function imageNumericId(text: string): bigint | undefined {
  return /^[+-]?\d+$/.test(text) ? BigInt(text.replace(/^\+/, '')) : undefined;
}
