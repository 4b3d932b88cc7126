/**
 * Internal: the `rootless.cdk8s.io/exemptions` annotation in CEL. Kubernetes CEL has no JSON
 * parser, so the policy reads the annotation as text, exactly as the one codec
 * (lib/exemptions/codec.ts) reads it in JavaScript:
 *
 * 1. Its size is checked first (`MAX_ANNOTATION_LENGTH` code points): nothing below runs on a
 *    longer value, which a validation rejects (limits.ts).
 * 2. The whole value must match the codec's canonical grammar (`annotationGrammar()`, one
 *    `matches()`, built from the exemption registry). In a canonical annotation a reason or
 *    profile holds no `"`, so `{"id":"` occurs only where an entry starts and `"reason":"` only
 *    where its reason starts.
 * 3. Every reason passes the one reason rule (`ReasonPatterns.cel`, the same patterns as JS).
 * 4. Only then are entries honoured: one bad entry voids the whole annotation (fail closed).
 *
 * An entry is looked up by its key, the text between `{"id":"` and the second comma of the entry
 * (`runAsRoot","container":"app"`, `hostPath","container":null`), which in a canonical annotation
 * identifies exactly the entries starting with the codec's `entryPrefix(id, container)`: a
 * container-scoped entry relaxes that container only, a pod-wide one the pod level and every
 * container. `addCapabilities` relaxes only the capabilities it lists (whole quoted names are
 * compared). Keys are looked up with `in` on a list rather than `contains()` on the annotation:
 * the same answer at a fraction of the cost. A kind may add variables of its own (`cel.variables`, e.g.
 * hostPath's covered volumes), a condition on the volumes it allows (`cel.volumeCondition`), and a
 * condition a canonical annotation must also meet (`cel.valid`, e.g. no hostPath entry naming a node
 * path, which RE2's grammar cannot exclude and the codec's reader refuses), with the variables it reads
 * (`cel.entryVariables`).
 */
import { MAX_ANNOTATION_LENGTH, annotationGrammar } from '../exemptions/codec';
import type { CelRelaxation } from '../exemptions/kind';
import { ReasonPatterns } from '../exemptions/reason';
import { EXEMPTION_KINDS, exemptionKind } from '../exemptions/registry';
import { celString } from '../policy/checks/cel';

const ENTRY_START = '{"id":"';
const REASON_START = '"reason":"';

/** The longest annotation honoured (the codec's limit), in code points. */
export const ANNOTATION_MAX_SIZE = MAX_ANNOTATION_LENGTH;

/** The CEL variables that read the annotation (`annotation` is a CEL string expression, '' when absent). */
export function exemptionVariables(annotation: string): { name: string; expression: string }[] {
  return [
    { name: 'exemptions', expression: annotation },
    { name: 'exemptionsSizeOk', expression: `size(variables.exemptions) <= ${ANNOTATION_MAX_SIZE}` },
    { name: 'exemptionsCanonical', expression: `variables.exemptionsSizeOk && variables.exemptions.matches(${celString(annotationGrammar())})` },
    {
      // the entries, each from its id on (the text before the first entry, '[' or '[]', starts with '[', which no entry does)
      name: 'exemptionEntries',
      expression: `variables.exemptionsCanonical ? variables.exemptions.split(${celString(ENTRY_START)}).filter(p, !p.startsWith('[')) : []`,
    },
    ...EXEMPTION_KINDS.flatMap(k => (k.cel.entryVariables ?? []).map(v => ({ name: v.name, expression: v.expression }))),
    {
      name: 'exemptionsValid',
      expression: `variables.exemptionsCanonical${VALID.map(v => ` && ${v}`).join('')} `
        + `&& variables.exemptionEntries.all(p, ${ReasonPatterns.cel(`p.split(${celString(REASON_START)})[1].split('"')[0]`)})`,
    },
    { name: 'exempt', expression: "variables.exemptionsValid ? variables.exemptionEntries.map(p, p.split(',')[0] + ',' + p.split(',')[1]) : []" },
    {
      // one key per capability an addCapabilities entry lists: `"NET_ADMIN"/"container":"app"`, `"SYS_TIME"/"container":null`
      // (the list `"A","B"` becomes `"A"/scope,"B"/scope`: no comma inside a name or a scope)
      name: 'capabilityKeys',
      expression: `variables.exemptionsValid ? variables.exemptionEntries.filter(p, ${CAPABILITY_KINDS.map(k => `p.startsWith('${k}"')`).join(' || ')})`
        + '.map(p, p.split(\',"capabilities":[\')[1].split(\']\')[0].replace(\',\', \'/\' + p.split(\',\')[1] + \',\') + \'/\' + p.split(\',\')[1])'
        + '.join(\',\').split(\',\') : []',
    },
    ...EXEMPTION_KINDS.flatMap(k => (k.cel.variables ?? []).map(v => ({ name: v.name, expression: v.expression }))),
  ];
}

/** The conditions a canonical annotation must also meet to be honoured (each kind's `cel.valid`). */
const VALID: readonly string[] = EXEMPTION_KINDS.flatMap(k => (k.cel.valid !== undefined ? [`(${k.cel.valid})`] : []));

/** What each exemption kind permits in CEL: its `cel` facet (exemptions/kinds/), by id. */
export const RELAXATIONS: Readonly<Record<string, CelRelaxation>> = Object.fromEntries(EXEMPTION_KINDS.map(k => [k.id, k.cel]));

const KIND_IDS = EXEMPTION_KINDS.map(k => k.id);

/** The exemption kinds that relax the condition on `field`. */
export function kindsRelaxing(field: string): string[] {
  return KIND_IDS.filter(k => RELAXATIONS[k].fields?.includes(field));
}

/** The kinds that allow listed capabilities. */
export const CAPABILITY_KINDS = KIND_IDS.filter(k => RELAXATIONS[k].capabilities);

/** The volume sources some kind allows, with the kinds and the condition on the volume `v` that must hold too. */
export const VOLUME_RELAXATIONS = KIND_IDS.flatMap(k => (RELAXATIONS[k].volumeSource
  ? [{ kind: k, source: RELAXATIONS[k].volumeSource!, condition: RELAXATIONS[k].volumeCondition }] : []));

/** CEL: a pod-wide entry of `kind` is honoured. */
export function podWide(kind: string): string {
  return `${celString(`${kind}","container":null`)} in variables.exempt`;
}

/** CEL: an entry of `kind` covers container `c` (scoped to it, or pod-wide). */
export function forContainer(kind: string): string {
  if (exemptionKind(kind)?.podOnly) return podWide(kind);
  return `(${celString(`${kind}","container":"`)} + c.name + '"' in variables.exempt || ${podWide(kind)})`;
}

/** CEL: the added capability `cap` of container `c` is listed by an addCapabilities entry covering `c` (whole quoted names compared). */
export function capabilityListed(): string {
  return '(\'"\' + cap + \'"/"container":"\' + c.name + \'"\' in variables.capabilityKeys || \'"\' + cap + \'"/"container":null\' in variables.capabilityKeys)';
}
