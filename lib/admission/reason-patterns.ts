/**
 * Internal: the reason rule of an exemption as RE2-compatible patterns, used by JavaScript (with
 * the `u` flag) and by the admission policy's CEL `matches()` alike.
 *
 * Interim copy for the admission policy: the one reason rule lives in lib/hardening/reason.ts;
 * these strings follow its contract (issue 11) and move there when it exposes its patterns.
 *
 * A reason: has no `"`, `\` or control character; at least 10 code points that are not
 * whitespace or format characters (`[\p{Z}\p{Cf}]`: spaces, zero-width characters, BOM);
 * 3 consecutive letters of any script; none of the placeholders TODO, FIXME, TBD, XXX,
 * CHANGEME, n/a, none as a whole word, in any case.
 */

/** Patterns a reason must match (all of them). */
export const REASON_REQUIRED: readonly string[] = [
  '^[^"\\\\\\p{Cc}]*$',
  '^[\\p{Z}\\p{Cf}]*(?:[^\\p{Z}\\p{Cf}][\\p{Z}\\p{Cf}]*){10,}$',
  '\\p{L}{3}',
];

const PLACEHOLDERS = ['TODO', 'FIXME', 'TBD', 'XXX', 'CHANGEME', 'N/A', 'NONE'];

/** Case-insensitive without flags (RE2's `(?i)` has no JavaScript equivalent in every Node version). */
function anyCase(word: string): string {
  return [...word].map(ch => (ch.toLowerCase() !== ch.toUpperCase() ? `[${ch.toUpperCase()}${ch.toLowerCase()}]` : ch)).join('');
}

/** The pattern a reason must not match: a placeholder as a whole word. */
export const REASON_FORBIDDEN = `(?:^|[^\\p{L}\\p{N}_])(?:${PLACEHOLDERS.map(anyCase).join('|')})(?:$|[^\\p{L}\\p{N}_])`;

const REQUIRED = REASON_REQUIRED.map(p => new RegExp(p, 'u'));
const FORBIDDEN = new RegExp(REASON_FORBIDDEN, 'u');

/** Whether `reason` passes the reason rule. */
export function isCanonicalReason(reason: unknown): boolean {
  return typeof reason === 'string' && REQUIRED.every(r => r.test(reason)) && !FORBIDDEN.test(reason);
}
