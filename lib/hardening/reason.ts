/**
 * Internal: what counts as a reason for an exemption. One rule for workload exemptions
 * (lib/hardening/hardening.ts), namespace exemptions (RestrictedNamespace) and the admission
 * policy's escape hatch (RootlessAdmissionPolicy compiles the same rule to CEL).
 *
 * Not exported from the package.
 */

/** The minimum length of a reason, after trimming whitespace. */
export const MIN_REASON_LENGTH = 10;

/** A reason must contain a word: at least this many consecutive ASCII letters. */
export const REASON_WORD = '[A-Za-z]{3}';

/** Whether `reason` is a reason (at least MIN_REASON_LENGTH characters once trimmed, with a word in it). */
export function isReason(reason: unknown): boolean {
  return typeof reason === 'string' && reason.trim().length >= MIN_REASON_LENGTH && new RegExp(REASON_WORD).test(reason);
}

/**
 * The problem with `reason`, phrased for a props error (`<prop>: <problem>`), or undefined when it is one.
 */
export function reasonProblem(reason: unknown): string | undefined {
  if (isReason(reason)) return undefined;
  return `${JSON.stringify(reason)} is not a reason. `
    + `Fix: say in at least ${MIN_REASON_LENGTH} characters why it is needed (reviewers and the audit read it).`;
}
