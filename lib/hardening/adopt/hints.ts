/**
 * Internal: how the adopt rules name the exemption kind that would keep what they report, derived from
 * the exemption registry (lib/exemptions/): the rules ask by the field or the Pod Security check they
 * judge, or by the kind of a detected need, never by a kind's name, so that adding a kind needs no edit
 * here. Each wording dialect (the CLI's annotation ids, `applyTo`'s `Exemption` factories) is one
 * `ExemptionWords` function of the kind (`HardenDialect.exemption`, pod.ts).
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports.
 */
import type { ExemptionKindSpec } from '../../exemptions/kind';
import { EXEMPTION_KINDS, kindOf, kindsRelaxing } from '../../exemptions/registry';

/** How a dialect names one exemption kind in a fix, e.g. `exemption privileged`. */
export type ExemptionWords = (kind: ExemptionKindSpec) => string;

/** The CLI's words: the kind's id, as the annotation and `--add-exemptions` write it (`exemption hostPID`). */
export const CLI_EXEMPTION_WORDS: ExemptionWords = k => `exemption ${k.id}`;

/** `applyTo`'s words: the id and how to declare it in code (`exemption hostPID (Exemption.hostPID(reason))`). */
export const CODE_EXEMPTION_WORDS: ExemptionWords = k => `exemption ${k.id} (${k.hint})`;

const join = (words: ExemptionWords, kinds: readonly ExemptionKindSpec[]): string => {
  if (kinds.length === 0) throw new Error('exemption registry: no kind to name in a fix (a rule asks about a field no kind relaxes)');
  return kinds.map(words).join(' or ');
};

/** The kinds relaxing `field` (its API name, as the kinds' CEL condition keys name it), in registry order; `besides`: not those relaxing that field too. */
export function kindsForField(field: string, besides?: string): ExemptionKindSpec[] {
  return EXEMPTION_KINDS.filter(k => k.cel.fields?.includes(field) && !(besides !== undefined && k.cel.fields.includes(besides)));
}

/** The kinds that relax `field`, in the dialect's words, joined with "or". */
export function exemptionsForField(words: ExemptionWords, field: string, besides?: string): string {
  return join(words, kindsForField(field, besides));
}

/** The kinds that relax the Pod Security check or rootless rule `check`, in the dialect's words. */
export function exemptionsForCheck(words: ExemptionWords, check: string): string {
  return join(words, kindsRelaxing(check));
}

/** The kind of a detected need (its id), in the dialect's words. */
export function exemptionOf(words: ExemptionWords, kind: string): string {
  return words(kindOf(kind as ExemptionKindSpec['id']));
}

/** The `Exemption` factories of the kinds that relax `field`, e.g. `Exemption.writableRootFilesystem`. */
export function factoriesForField(field: string): string {
  return join(k => `Exemption.${k.id}`, kindsForField(field));
}
