/**
 * Internal: what counts as a reason for an exemption — the one rule, used by workload exemptions
 * (the constructs), namespace exemptions (RestrictedNamespace), the annotation codec (audit,
 * harden, the plugin, synthesis verification) and, compiled from the same pattern strings, the
 * admission policy's CEL (`matches()`). See docs/architecture.md, "The reason rule".
 *
 * A reason is a string that
 * - holds no `"`, `\` and no control character (`\p{Cc}`): the exemptions annotation then needs no
 *   JSON escape, so the admission policy (Kubernetes CEL cannot parse JSON) reads it exactly;
 * - has at least MIN_REASON_LENGTH code points that count: whitespace and format characters
 *   (`\p{Z}`, `\p{Cf}`: spaces, zero-width characters, the BOM) never count, wherever they stand;
 * - contains a word: 3 consecutive letters of any script (`\p{L}{3}`);
 * - contains no placeholder (TODO, FIXME, TBD, XXX, CHANGEME, n/a, none) as a whole word, in any case.
 *
 * The patterns are written once, in the syntax both engines share (RE2, which Kubernetes CEL's
 * `matches()` uses, and JavaScript's with the `u` flag): Unicode classes `\p{…}`, no look-around,
 * no back-references. Lengths are code points on both sides (CEL's `size()` counts code points;
 * JavaScript's `.length` would count UTF-16 units, so it is never used here).
 *
 * Pure and import-free. Not exported from the package.
 */

/** The minimum number of code points of a reason that count (not whitespace, not format characters). */
export const MIN_REASON_LENGTH = 10;

/** The placeholders refused as whole words (case-insensitive). `harden` writes reasons that start with the first. */
export const REASON_PLACEHOLDERS: readonly string[] = ['TODO', 'FIXME', 'TBD', 'XXX', 'CHANGEME', 'n/a', 'none'];

/**
 * The reason rule as patterns, each a string valid in RE2 (CEL `matches()`) and in JavaScript
 * (`new RegExp(p, 'u')`, or `'iu'` for `placeholder`, whose RE2 form carries `(?i)`).
 */
export class ReasonPatterns {
  /**
   * Matches when the reason holds a character it must not: `"`, `\`, a control character or a lone
   * surrogate (which JSON can only write as an escape; RE2 never sees one).
   */
  public static readonly FORBIDDEN = '["\\\\\\p{Cc}\\p{Cs}]';
  /** Matches when the reason has at least MIN_REASON_LENGTH code points that are not `\p{Z}` / `\p{Cf}`. */
  public static readonly LENGTH = `^[\\p{Z}\\p{Cf}]*(?:[^\\p{Z}\\p{Cf}][\\p{Z}\\p{Cf}]*){${MIN_REASON_LENGTH},}$`;
  /** Matches when the reason contains a word (3 consecutive letters of any script). */
  public static readonly WORD = '\\p{L}{3}';
  /**
   * Matches (case-insensitively) when the reason contains a placeholder as a whole word — also when
   * invisible format characters (`\p{Cf}`) are slipped between its letters, or it is written in
   * fullwidth forms — or starts with `explain why` (what `harden` writes after `TODO: `).
   */
  public static readonly PLACEHOLDER = `(?:^|[^\\p{L}\\p{N}_])(?:${REASON_PLACEHOLDERS.map(spread).join('|')})(?:[^\\p{L}\\p{N}_]|$)`
    + `|^[\\p{Z}\\p{Cf}]*${spread('explain')}[\\p{Z}\\p{Cf}]+${spread('why')}(?:[^\\p{L}\\p{N}_]|$)`;

  /**
   * The CEL condition under which the CEL string expression `expr` is a reason: the same patterns,
   * through `matches()` (RE2; case-insensitivity as `(?i)`).
   */
  public static cel(expr: string): string {
    const lit = (pattern: string) => `'${pattern.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    return `(!${expr}.matches(${lit(ReasonPatterns.FORBIDDEN)}) && ${expr}.matches(${lit(ReasonPatterns.LENGTH)}) `
      + `&& ${expr}.matches(${lit(ReasonPatterns.WORD)}) && !${expr}.matches(${lit(`(?i)${ReasonPatterns.PLACEHOLDER}`)}))`;
  }

  private constructor() {}
}

const FORBIDDEN = new RegExp(ReasonPatterns.FORBIDDEN, 'u');
const LENGTH = new RegExp(ReasonPatterns.LENGTH, 'u');
const WORD = new RegExp(ReasonPatterns.WORD, 'u');
const PLACEHOLDER = new RegExp(ReasonPatterns.PLACEHOLDER, 'iu');

/**
 * A placeholder word as a pattern: each character as a class of its ASCII and fullwidth forms (case
 * folding adds the other case), with format characters allowed between them.
 */
function spread(word: string): string {
  return [...word.toLowerCase()].map(ch => {
    const code = ch.codePointAt(0)!;
    const full = code >= 0x21 && code <= 0x7e ? String.fromCodePoint(code + 0xfee0) : '';
    return `[${ch === '/' ? '/' : ch}${full}]`;
  }).join('[\\p{Cf}]*');
}

/** The reason `harden --add-exemptions` writes for a human to replace; refused by the reason rule (it is a placeholder). */
export function placeholderReason(what: string): string {
  return `TODO: explain why ${what}`.replace(/["\\\p{Cc}]/gu, "'");
}

/**
 * The problem with `reason`, phrased for a props or annotation error (`<where>: <problem>`), or
 * undefined when it is a reason.
 */
export function reasonProblem(reason: unknown): string | undefined {
  const fix = `Fix: say in at least ${MIN_REASON_LENGTH} characters, in words, why it is needed (reviewers, the audit and the admission policy read it).`;
  if (typeof reason !== 'string') return `${describe(reason)} is not a reason. ${fix}`;
  const placeholder = PLACEHOLDER.exec(reason);
  if (placeholder) {
    return `${describe(reason)} is a placeholder (${placeholder[0].replace(/^[^\p{L}]+|[^\p{L}/]+$/gu, '')}). `
      + 'Fix: a human must confirm the exemption and replace it with the real reason (or remove the exemption and fix the workload).';
  }
  if (FORBIDDEN.test(reason)) {
    return `${describe(reason)} holds a double quote, a backslash or a control character (a line break, a tab…), which a reason must not. `
      + 'Fix: write it on one line, with single quotes instead of double quotes.';
  }
  if (!LENGTH.test(reason) || !WORD.test(reason)) return `${describe(reason)} is not a reason. ${fix}`;
  return undefined;
}

/** Whether `reason` satisfies the reason rule. */
export function isReason(reason: unknown): reason is string {
  return reasonProblem(reason) === undefined;
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  const shown = [...value].length > 80 ? `${[...value].slice(0, 77).join('')}...` : value;
  return JSON.stringify(shown);
}
