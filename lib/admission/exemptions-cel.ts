/**
 * Internal: the `rootless.cdk8s.io/exemptions` annotation in CEL. Kubernetes CEL has no JSON
 * parser, so the policy reads the annotation as text, exactly:
 *
 * 1. Its size is checked first (`ANNOTATION_MAX_SIZE`, see limits.ts): nothing below runs on a
 *    larger value, which a validation rejects.
 * 2. The whole value must match the canonical grammar (`CANONICAL_GRAMMAR`, one `matches()`):
 *    `JSON.stringify` of the entries, keys in the order id, container, capabilities | profile,
 *    reason; known ids; a container name (DNS label) or null, null for the pod-only kinds;
 *    no whitespace, no escapes. A reason or profile then contains no `"`, so `{"id":"` occurs
 *    only where an entry starts and `"reason":"` only where its reason starts.
 * 3. Every reason passes the reason rule (reason-patterns.ts, the same RE2 patterns as JS),
 *    entries are unique by (id, container), an entry's capabilities are distinct.
 * 4. Only then are entries honoured: one bad entry voids the whole annotation (fail closed).
 *
 * An entry is looked up by its canonical key, the text between `{"id":"` and the second comma
 * (`runAsRoot","container":"app"` or `hostPath","container":null`): a container-scoped entry
 * relaxes that container only, a pod-wide one the pod level and every container.
 * `addCapabilities` relaxes only the capabilities it lists (whole quoted names are compared).
 */
import { LINUX_CAPABILITIES } from '../hardening/capabilities';
import { POD_ONLY } from '../hardening/declared-exemptions';
import { ExemptionKind } from '../hardening/exemption';
import { celString } from '../policy/checks/cel';
import { REASON_FORBIDDEN, REASON_REQUIRED } from './reason-patterns';

const ENTRY_START = '{"id":"';
const REASON_START = '"reason":"';

/** A DNS-1123 label (a container name). */
const LABEL = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
/** Text of a reason or profile: no `"`, `\` or control character (the reason rule checks the rest). */
const TEXT = '[^"\\\\\\p{Cc}]';

function alternatives(items: Iterable<string>): string {
  return `(?:${[...items].join('|')})`;
}

/** The canonical grammar of the annotation (RE2 and JavaScript `u` syntax), built from the exemption kinds. */
export function canonicalGrammar(): string {
  const kinds = Object.values(ExemptionKind) as string[];
  const scope = (id: string) => (POD_ONLY.has(id) ? 'null' : `(?:null|"${LABEL}")`);
  const fields = (id: string) => {
    if (id === ExemptionKind.ADD_CAPABILITIES) {
      const cap = `"${alternatives([...LINUX_CAPABILITIES].sort())}"`;
      return `"capabilities":\\[${cap}(?:,${cap})*\\],`;
    }
    if (id === ExemptionKind.SECCOMP_LOCALHOST) return `"profile":"${TEXT}+",`;
    return '';
  };
  // kinds with the same scope and fields share one alternative
  const groups = new Map<string, string[]>();
  for (const id of kinds) {
    const key = `${scope(id)}\u0000${fields(id)}`;
    groups.set(key, [...groups.get(key) ?? [], id]);
  }
  const entry = alternatives([...groups.entries()].map(([key, ids]) => {
    const [s, f] = key.split('\u0000');
    return `\\{"id":"${alternatives(ids)}","container":${s},${f}"reason":"${TEXT}*"\\}`;
  }));
  return `^\\[(?:${entry}(?:,${entry})*)?\\]$`;
}

export const CANONICAL_GRAMMAR = canonicalGrammar();

/** The CEL variables that read the annotation (`annotation` is a CEL string expression, '' when absent). */
export function exemptionVariables(annotation: string, maxSize: number): { name: string; expression: string }[] {
  const reason = `p.split(${celString(REASON_START)})[1].split('"')[0]`;
  const reasonOk = [...REASON_REQUIRED.map(r => `${reason}.matches(${celString(r)})`), `!${reason}.matches(${celString(REASON_FORBIDDEN)})`].join(' && ');
  const caps = `p.split(']')[0].split('[')[1].split(',')`;
  return [
    { name: 'exemptions', expression: annotation },
    { name: 'exemptionsSizeOk', expression: `size(variables.exemptions) <= ${maxSize}` },
    {
      // the entries, each from its id to the end of the annotation's text for it (the text
      // before the first entry, '[' or '[]', starts with '[', which no entry does)
      name: 'exemptionEntries',
      expression: `variables.exemptionsSizeOk && variables.exemptions.matches(${celString(CANONICAL_GRAMMAR)}) ? `
        + `variables.exemptions.split(${celString(ENTRY_START)}).filter(p, !p.startsWith('[')) : []`,
    },
    { name: 'exemptionKeys', expression: "variables.exemptionEntries.map(p, p.split(',')[0] + ',' + p.split(',')[1])" },
    {
      name: 'exemptionsValid',
      expression: 'variables.exemptionsSizeOk && variables.exemptions.matches(' + celString(CANONICAL_GRAMMAR) + ')'
        + ` && variables.exemptionEntries.all(p, ${reasonOk})`
        + ' && variables.exemptionKeys.all(k, variables.exemptionKeys.filter(x, x == k).size() == 1)'
        + ` && variables.exemptionEntries.all(p, !p.startsWith('${ExemptionKind.ADD_CAPABILITIES}"') || ${caps}.all(x, ${caps}.filter(y, y == x).size() == 1))`,
    },
    { name: 'exempt', expression: 'variables.exemptionsValid ? variables.exemptionKeys : []' },
    {
      name: 'capabilityExemptions',
      expression: `variables.exemptionsValid ? variables.exemptionEntries.filter(p, p.startsWith('${ExemptionKind.ADD_CAPABILITIES}"')).map(p, p.split(']')[0]) : []`,
    },
  ];
}

/**
 * What each exemption kind relaxes, in terms of the CEL conditions of the checks and rootless
 * rules (keyed by field, see lib/policy/checks/cel.ts): the admission policy's view of what
 * `revertExemptions` undoes for each kind (the exemption registry's CEL facet, issue 11).
 */
interface Relaxation {
  /** Condition keys (fields) relaxed within the scope. */
  readonly fields?: readonly string[];
  /** Volumes of this source are allowed (pod-wide). */
  readonly volumeSource?: string;
  /** The listed capabilities are allowed in `capabilities.add`. */
  readonly capabilities?: boolean;
}

const RELAXATIONS: Readonly<Record<ExemptionKind, Relaxation>> = {
  [ExemptionKind.RUN_AS_ROOT]: { fields: ['runAsNonRoot', 'runAsUser'] },
  [ExemptionKind.PRIVILEGE_ESCALATION]: { fields: ['allowPrivilegeEscalation'] },
  [ExemptionKind.PRIVILEGED]: { fields: ['privileged', 'allowPrivilegeEscalation'] },
  [ExemptionKind.ADD_CAPABILITIES]: { capabilities: true },
  [ExemptionKind.SECCOMP_UNCONFINED]: { fields: ['seccompProfile'] },
  [ExemptionKind.HOST_NETWORK]: { fields: ['hostNetwork'] },
  [ExemptionKind.HOST_PID]: { fields: ['hostPID'] },
  [ExemptionKind.HOST_IPC]: { fields: ['hostIPC'] },
  [ExemptionKind.HOST_PATH]: { volumeSource: 'hostPath' },
  [ExemptionKind.WRITABLE_ROOT_FILESYSTEM]: { fields: ['readOnlyRootFilesystem'] },
  [ExemptionKind.SECCOMP_LOCALHOST]: {},
  [ExemptionKind.SERVICE_ACCOUNT_TOKEN]: { fields: ['automountServiceAccountToken', 'serviceAccountTokenVolume', 'serviceAccountTokenMount'] },
};

/** The exemption kinds that relax the condition on `field`. */
export function kindsRelaxing(field: string): ExemptionKind[] {
  return (Object.keys(RELAXATIONS) as ExemptionKind[]).filter(k => RELAXATIONS[k].fields?.includes(field));
}

/** The kinds relaxing added capabilities / volumes of a source. */
export const CAPABILITY_KINDS = (Object.keys(RELAXATIONS) as ExemptionKind[]).filter(k => RELAXATIONS[k].capabilities);
export function kindsAllowingVolume(source: string): ExemptionKind[] {
  return (Object.keys(RELAXATIONS) as ExemptionKind[]).filter(k => RELAXATIONS[k].volumeSource === source);
}
export const VOLUME_SOURCES_RELAXED = [...new Set(Object.values(RELAXATIONS).flatMap(r => (r.volumeSource ? [r.volumeSource] : [])))];

/** CEL: a pod-wide entry of `kind` is honoured. */
export function podWide(kind: string): string {
  return `${celString(`${kind}","container":null`)} in variables.exempt`;
}

/** CEL: an entry of `kind` covers container `c` (scoped to it, or pod-wide). */
export function forContainer(kind: string): string {
  if (POD_ONLY.has(kind)) return podWide(kind);
  return `(${celString(`${kind}","container":"`)} + c.name + '"' in variables.exempt || ${podWide(kind)})`;
}

/** CEL: the added capability `cap` of container `c` is listed by an addCapabilities entry covering `c`. */
export function capabilityListed(kind: string): string {
  const prefix = `${kind}","container":`;
  return `variables.capabilityExemptions.exists(e, (e.startsWith(${celString(`${prefix}"`)} + c.name + '",') || e.startsWith(${celString(`${prefix}null,`)})) `
    + '&& e.split(\'[\')[1].split(\',\').exists(x, x == \'"\' + cap + \'"\'))';
}
