/**
 * Where a YAML 1.2 reader reads a document otherwise than kubectl, and whether it matters.
 *
 * The reader (`kubectl-yaml.ts`) notes, while it builds a value, each `<<` merge key, each plain
 * scalar that YAML 1.1 and 1.2 read as different values (`yes`, `0644`, `1_000`) and each alias.
 * Here the notes get their paths in the document and a class. The value itself never depends on
 * them: every verdict is made on kubectl's reading; these only say that another tool (a YAML 1.2
 * reader such as kustomize's go-yaml v3, an editor, a linter) may read something else.
 *
 * A difference is *ambiguous* when it comes from a merge key, from an anchor shared between objects
 * (List items) of different kinds, or when it reaches a field a rule reads or `harden` edits
 * (`isJudgedPath`); other differences are only counted. An anchor shared between fields of different
 * API types in one object (a pod-level and a container securityContext) reads the same in YAML 1.1
 * and 1.2: `harden` writes it out before editing one side (`sharedAcrossTypes`).
 */
import { YamlNote, containerPaths } from './kubectl-yaml';

/** One place where the YAML text can be read two ways, or where an anchor is shared. */
export interface YamlDifference {
  /** `merge`: a `<<` key; `yaml11`: a YAML-1.1-only scalar; `duplicate`: a key set twice; `alias`: a value shared through an anchor. */
  readonly kind: 'merge' | 'yaml11' | 'duplicate' | 'alias';
  /** Where the value is, from the document's root (a value shared through aliases has several). */
  readonly paths: ReadonlyArray<ReadonlyArray<string | number>>;
  /** For `alias`: where its anchor is defined. */
  readonly anchorPaths?: ReadonlyArray<ReadonlyArray<string | number>>;
  /** For `alias`: the anchor's name. */
  readonly anchor?: string;
  /** For `alias`: the anchor is shared between objects (List items) of different kinds. */
  readonly crossObject?: boolean;
  /** 1-based line in the input. */
  readonly line: number;
  /** What differs, in words. */
  readonly detail: string;
}

/** The differences of a document value, with their paths (`line` turns a source offset into a line). */
export function yamlDifferences(root: unknown, notes: readonly YamlNote[], line: (offset: number) => number): YamlDifference[] {
  const wanted = new Set<object>();
  for (const n of notes) {
    wanted.add(n.container);
    if (n.anchorAt) wanted.add(n.anchorAt.container);
  }
  const where = containerPaths(root, wanted);
  const at = (container: object, key: string | number): Array<ReadonlyArray<string | number>> =>
    (where.get(container) ?? []).map(p => key === '<<' ? p : [...p, key]);
  // the kind of the List item a path is in (undefined outside a List's items)
  const items = root !== null && typeof root === 'object' && Array.isArray((root as any).items) ? (root as any).items as unknown[] : undefined;
  const itemKind = (p: ReadonlyArray<string | number>): string | undefined =>
    (items !== undefined && p[0] === 'items' && typeof p[1] === 'number' ? `${p[1]}:${String((items[p[1]] as any)?.kind)}` : undefined);
  const crossObject = (uses: ReadonlyArray<ReadonlyArray<string | number>>, anchors: ReadonlyArray<ReadonlyArray<string | number>>): boolean => {
    const kinds = new Set([...uses, ...anchors].map(itemKind).filter(k => k !== undefined).map(k => k!.slice(k!.indexOf(':') + 1)));
    return kinds.size > 1;
  };
  return notes.map(n => ({
    kind: n.kind,
    paths: at(n.container, n.key),
    anchorPaths: n.anchorAt ? at(n.anchorAt.container, n.anchorAt.key) : undefined,
    anchor: n.kind === 'alias' ? n.detail : undefined,
    crossObject: n.kind === 'alias' && n.anchorAt ? crossObject(at(n.container, n.key), at(n.anchorAt.container, n.anchorAt.key)) : undefined,
    line: line(n.offset),
    detail: n.kind === 'merge' ? `a << merge key${n.detail ? ` (of *${n.detail})` : ''}: kubectl applies it in document order, a YAML 1.2 reader keeps "<<" as a key`
      : n.kind === 'alias' ? `*${n.detail} shares the value of its anchor &${n.detail} between objects of different kinds` : n.detail,
  }));
}

/** The differences of one object of a document: all of them, or those under `items[i]` (re-rooted). */
export function differencesUnder(all: readonly YamlDifference[] | undefined, prefix: ReadonlyArray<string | number>): YamlDifference[] | undefined {
  if (all === undefined) return undefined;
  if (prefix.length === 0) return all.length === 0 ? undefined : [...all];
  const under = (p: ReadonlyArray<string | number>) => prefix.every((s, i) => p[i] === s);
  const strip = (ps: ReadonlyArray<ReadonlyArray<string | number>>) => ps.filter(under).map(p => p.slice(prefix.length));
  const out: YamlDifference[] = [];
  for (const d of all) {
    const paths = strip(d.paths);
    if (paths.length === 0) continue;
    out.push({ ...d, paths, anchorPaths: d.anchorPaths?.map(p => under(p) ? p.slice(prefix.length) : ['(another object)', ...p]) });
  }
  return out.length === 0 ? undefined : out;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const JUDGED = new Set(['securityContext', 'volumes', 'volumeMounts', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken', ...CONTAINER_LISTS]);

/**
 * Whether a path reaches a field a rule reads or `harden` edits: a securityContext, `host*`, volumes
 * and mounts, containers, `serviceAccount*`, `rootless.cdk8s.io/` annotations, and the name,
 * namespace and labels of a Namespace.
 */
export function isJudgedPath(path: ReadonlyArray<string | number>, kind: unknown): boolean {
  if (path.length === 0) return true; // the whole object
  for (let i = 0; i < path.length; i++) {
    const s = path[i];
    if (typeof s !== 'string') continue;
    if (JUDGED.has(s) || s.startsWith('host')) return true;
    if (s === 'annotations' && typeof path[i + 1] === 'string' && (path[i + 1] as string).startsWith('rootless.cdk8s.io/')) return true;
  }
  if (kind === 'Namespace' && path[0] === 'metadata' && (path.length === 1 || path[1] === 'name' || path[1] === 'namespace' || path[1] === 'labels')) return true;
  if (path[0] === 'kind' || path[0] === 'apiVersion') return true;
  return false;
}

/** The API type a path names, for shared anchors: the path without indices, container lists as one, pod templates as one. */
function typeOf(path: ReadonlyArray<string | number>): string {
  const names = path.filter((s): s is string => typeof s === 'string').map(s => CONTAINER_LISTS.has(s) ? 'containers' : s);
  const spec = names.lastIndexOf('spec');
  return (spec === -1 ? names : names.slice(spec)).join('.');
}

/** Whether an alias shares its anchor's value between fields of different API types (a pod's and a container's securityContext). */
export function sharedAcrossTypes(d: YamlDifference): boolean {
  if (d.kind !== 'alias') return false;
  return new Set([...d.paths, ...(d.anchorPaths ?? [])].map(typeOf)).size > 1;
}

/** Whether a difference makes the object ambiguous (see the module comment). */
export function isAmbiguous(d: YamlDifference, kind: unknown): boolean {
  if (d.kind === 'merge') return true;
  if (d.kind === 'alias') return d.crossObject === true;
  return d.paths.some(p => isJudgedPath(p, kind));
}

/** A path as text: `spec.containers[0].securityContext`. */
export function pathText(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out === '' ? '(the object)' : out;
}

/** One ambiguous place of an object, for reports. */
export interface AmbiguousPlace {
  readonly kind: YamlDifference['kind'];
  /** Where (`spec.containers[0].securityContext.privileged`); the first path when there are several. */
  readonly path: string;
  readonly line: number;
  readonly detail: string;
  /** For `alias`: the anchor's name. */
  readonly anchor?: string;
}

/** The ambiguous places of an object, and how many other differences it has (only counted). */
export function classifyDifferences(
  differences: readonly YamlDifference[] | undefined,
  kind: unknown,
): { ambiguous: AmbiguousPlace[]; others: number } {
  const ambiguous: AmbiguousPlace[] = [];
  let others = 0;
  for (const d of differences ?? []) {
    if (isAmbiguous(d, kind)) ambiguous.push({ kind: d.kind, path: pathText(d.paths[0] ?? []), line: d.line, detail: d.detail, anchor: d.anchor });
    else if (d.kind !== 'alias') others++;
  }
  return { ambiguous, others };
}

/** The fix a report gives for an ambiguous place. */
export const AMBIGUITY_FIX = 'write it so that every YAML reader reads what kubectl sends: no << merge keys, no anchor shared between '
  + 'different kinds of fields, no duplicate keys, and true/false, 0o644 or quoted text instead of yes/no/on/off and 0644';
