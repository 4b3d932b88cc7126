/**
 * `harden` on one manifest text: plans the edits of every pod-bearing object (the adopt stage, lib/hardening/adopt/),
 * applies them as text insertions (harden-edit.ts), and checks the result document by
 * document before keeping it. A document is left exactly as it was when
 * - `audit`'s reader cannot read it (what harden edits, audit must be able to check), or
 * - the edited document does not verify: an original value changed, a second run would
 *   change it again, `audit`'s reader cannot read it back, the policy engine finds it
 *   malformed where the original was not, or the API server would reject it for a reason the
 *   original did not have (lib/policy/schema/validate.ts: e.g. a container-only field written into
 *   the pod's securityContext through a shared anchor). A reason the input already had is
 *   reported as a problem (it needs a human).
 * The edits that were not made are then reported as problems. A text with duplicate keys is
 * not edited at all (which value wins depends on the reader).
 *
 * A document is refused (left unchanged, `refused` set: exit 2) when an edit would go through
 * ambiguous YAML (`lib/manifests/yaml-differences.ts`): into a mapping that holds a `<<` merge key or
 * a YAML-1.1-only scalar at a judged field, or into a value that a `<<` merges. A value shared through
 * an anchor between fields of different API types (a pod-level and a container securityContext:
 * editing it would edit both) is first un-shared (`harden-unshare.ts`) and the text hardened again.
 * An anchor shared between fields of one type (two containers) is edited once, for all of them.
 * Documents whose YAML only differs elsewhere are edited, and the bytes harden does not touch are kept.
 */
import type * as YAML from 'yaml';
import { Cursor, EditPlan, applyPlans, detectLayout } from './harden-edit';
import { writtenEffects } from './harden-effects';
import { InvalidAnnotation, invalidAnnotationRefusal, judgeWithDeclared } from './harden-exemptions';
import { capabilityNotes, runtimeProblems } from './harden-runtime';
import { unshareAnchors } from './harden-unshare';
import { acceptsOf, templateDeclaration } from '../../hardening/adopt/declared';
import { HardenOptions, NOW_READ_ONLY, PodReport, WritablePath, hardenPod } from '../../hardening/adopt/pod';
import { RootlessAnnotations } from '../../hardening/annotations';
import { matchesImage } from '../../hardening/image-ref';
import { startabilityProblems } from '../../hardening/startability';
import { DEFAULT_NAMESPACE, TokenFacts, tokenStartability } from '../../hardening/token-rule';
import { UserFor, userForStatements } from '../../hardening/user-rule';
import { ManifestError, ManifestObject, ManifestSource } from '../../manifests/manifest-objects';
import { parseManifests } from '../../manifests/manifest-parser';
import { errorMessage } from '../../manifests/text-lines';
import { classifyDifferences, sharedAcrossTypes } from '../../manifests/yaml-differences';
import { inheritListKind, isKubectlList, podTemplateOf, podTemplatePath } from '../../policy/k8s-shapes';
import { PodSecurity } from '../../policy/pod-security';
import { validateApiObject } from '../../policy/schema/validate';
import { PolicyLevel } from '../../policy/types';
import { HardenExitCode } from '../io';
import { yaml } from '../lazy';

/** What `harden` did to, and found in, one object. */
export interface HardenedObject extends PodReport {
  /** 0-based document index. */
  readonly index: number;
  /** 0-based List item index. */
  readonly item?: number;
  readonly kind: string;
  readonly name: string;
  /** Violations of `restricted` left after hardening (`check: detail`), empty when it passes. */
  readonly remaining: string[];
  /**
   * What the written fields would break if applied as they are, per container (for an object that needs a human:
   * e.g. a container whose user is unknown now runs with every capability dropped and a read-only root).
   */
  readonly effects: string[];
  /** Whether harden refused to edit the object's document and left it exactly as it was (exit 2). */
  readonly refused: boolean;
}

/** The result of hardening one text. */
export interface HardenResult {
  readonly text: string;
  readonly objects: HardenedObject[];
  /** Set when the text could not be parsed, or has duplicate keys (it is then left unchanged). */
  readonly error?: string;
  /** Whether `error` is a refusal (duplicate keys: readable, but harden will not edit the file; exit 2) rather than a read error (exit 3). */
  readonly refusedFile?: boolean;
  /** Documents left unchanged because an edit would go through ambiguous YAML (see the file comment): one message each. */
  readonly refused?: readonly string[];
}

/** `harden`'s options: the adopt stage's, and the `--user-for` statements, resolved per object. */
export interface HardenTextOptions extends HardenOptions {
  /** `--user-for KIND/NAMESPACE/NAME[/CONTAINER]=UID[:GID]`. */
  readonly userFor?: readonly UserFor[];
}

type Report = Omit<HardenedObject, 'remaining' | 'effects' | 'refused'> & { changes: string[]; problems: string[]; refused?: boolean };

/** The plan of one document and the reports of its objects. */
interface DocumentPlan {
  plan: EditPlan;
  readonly reports: Report[];
}

/**
 * Hardens one manifest text. Never throws for bad input: a text that cannot be parsed is
 * returned unchanged with `error` set.
 * @param used receives each container-scoped `--writable-path` that named a container, and each `--user-for` that named an object
 */
export function hardenText(input: string, options: HardenTextOptions = {}, used: Set<WritablePath | UserFor> = new Set()): HardenResult {
  if (!options.tokens) {
    // alone (not from the command, which collects them across its inputs): the ServiceAccounts and bindings of this text
    const facts = new TokenFacts();
    collectTokenFacts({ name: 'harden', uri: 'harden', text: input }, facts);
    options = { ...options, tokens: { facts, settings: { reasons: new Map(), strict: false } } };
  }
  const unshare = new Set<string>();
  const first = hardenOnce(input, options, new Set(used), unshare);
  if (unshare.size === 0) return commit(first, used);
  // an edit would reach a value shared through an anchor between fields of different API types:
  // write the anchor out at its aliases (harden-unshare.ts) and harden that, if it reads the same
  const unshared = unshareAnchors(input, unshare, detectLayout(input).indent);
  if (unshared === undefined || !readsTheSame(input, unshared.text)) return commit(first, used);
  const second = hardenOnce(unshared.text, options, new Set(used), new Set());
  for (const o of second.result.objects) {
    o.notes.push(...unshared.notes.filter(n => n.index === o.index).map(n => `${n.note}, so that each side is edited on its own`));
  }
  return commit(second, used);
}

/** One run of `hardenUnshared`, with the container-scoped writable paths it used. */
type Run = { result: HardenResult; used: Set<WritablePath | UserFor> };

function hardenOnce(text: string, options: HardenTextOptions, used: Set<WritablePath | UserFor>, unshare: Set<string>): Run {
  return { result: hardenUnshared(text, options, used, unshare), used };
}

function commit(run: Run, used: Set<WritablePath | UserFor>): HardenResult {
  for (const w of run.used) used.add(w);
  return run.result;
}

/** Whether two texts read (as audit reads them) as the same objects and errors. */
function readsTheSame(a: string, b: string): boolean {
  const [x, y] = [readBack(a), readBack(b)];
  if (x.errors.length !== y.errors.length || x.objects.size !== y.objects.size) return false;
  for (const [k, o] of x.objects) if (JSON.stringify(y.objects.get(k)?.object) !== JSON.stringify(o.object)) return false;
  return true;
}

/**
 * Hardens `text` as it is. `unshare` receives the anchors shared between fields of different API types
 * that an edit would go through (the document is then refused, unless the caller un-shares them).
 */
function hardenUnshared(text: string, options: HardenTextOptions, used: Set<WritablePath | UserFor>, unshare: Set<string>): HardenResult {
  const parsed = parse(text);
  if (!Array.isArray(parsed)) return { text, objects: [], ...parsed };
  const docs = parsed.map((doc, index) => planDocument(doc, index, options, used));
  const objects = docs.flatMap(d => d.reports);
  if (objects.length === 0) return { text, objects: [] };
  const original = readBack(text);
  docs.forEach((d, i) => leaveUnreadUnchanged(text, parsed[i], d, original));
  const refused = docs.map((d, i) => refuseAmbiguousEdits(text, i, d, original, unshare)).filter((r): r is string => r !== undefined);
  const withRefused = (r: HardenResult): HardenResult => (refused.length > 0 ? { ...r, refused } : r);
  if (docs.every(d => d.plan.empty)) return withRefused({ text, objects: withRemaining(objects, original, original, options) });

  let out = text;
  let after = original;
  for (let round = 0; round < 3; round++) {
    out = applyDocs(text, docs);
    after = readBack(out);
    const bad = unverified(parsed, out, after, original, docs, options);
    if (bad.size === 0) break;
    for (const [index, why] of bad) leaveUnchanged(docs[index], why);
  }
  return withRefused({ text: out, objects: withRemaining(objects, after, original, options) });
}

/**
 * Refuses the edits of a document that would go through ambiguous YAML (see the file comment):
 * leaves it unchanged and returns why, or returns undefined.
 */
function refuseAmbiguousEdits(text: string, index: number, doc: DocumentPlan, original: ReadBack, unshare: Set<string>): string | undefined {
  if (doc.plan.empty) return undefined;
  const targets: Array<readonly [number, number]> = [];
  for (const node of [...doc.plan.mapAdds.keys(), ...doc.plan.seqAdds.keys(), ...doc.plan.replaces.keys(), ...doc.plan.scalarSets.keys()]) {
    if (node.range) targets.push([node.range[0], node.range[1]]);
  }
  const lineOf = (offset: number): number => countLines(text, offset);
  const lines = targets.map(([a, b]) => [lineOf(a), lineOf(Math.max(a, b - 1))] as const);
  // ambiguous places inside an edited mapping (a << key, a YAML 1.1 scalar at a judged field)
  const crossType = new Set<string>(); // anchors shared between fields of different API types, or objects of different kinds
  for (const r of doc.reports) {
    const o = original.objects.get(key(r.index, r.item));
    for (const d of o?.differences ?? []) if (d.anchor !== undefined && (sharedAcrossTypes(d) || d.crossObject)) crossType.add(d.anchor);
    for (const a of classifyDifferences(o?.differences, o?.object.kind).ambiguous) {
      if (a.kind === 'alias') continue; // below, by the anchored node itself
      if (lines.some(([from, to]) => a.line >= from && a.line <= to)) {
        return refuse(doc, index, `${r.kind} ${r.name}: harden would edit ${a.path} (line ${a.line}), where the YAML is ambiguous: ${a.detail}`);
      }
    }
  }
  // edits into a value shared through an anchor between different API types, or merged with <<
  // (an anchor shared between fields of one type, e.g. two containers' securityContext, is edited once, for all)
  const shared = sharedAnchors(doc.plan.document).filter(([name, , merged]) => merged || crossType.has(name));
  for (const t of targets) {
    const hit = shared.find(([, r]) => r[0] <= t[0] && t[1] <= r[1]);
    if (hit === undefined) continue;
    const [name, anchored, merged] = hit;
    if (!merged) unshare.add(name);
    return refuse(doc, index, `harden would edit a value shared through the anchor &${name} (line ${lineOf(anchored[0])}), which a << merges or fields of `
      + `different API types use: the edit would reach every place that uses *${name}. Fix: write the shared value out where it is used (no anchor), then run harden again`);
  }
  return undefined;
}

function refuse(doc: DocumentPlan, index: number, why: string): string {
  leaveUnchanged(doc, `the YAML is ambiguous where harden would edit it (${why})`);
  return `doc ${index}: refused, left unchanged: ${why}`;
}

/** The anchored nodes of a document that an alias refers to, with their ranges, and whether a `<<` merges one. */
function sharedAnchors(doc: YAML.Document.Parsed): Array<[string, readonly [number, number], boolean]> {
  const y = yaml();
  const anchored = new Map<string, readonly [number, number]>();
  const used = new Set<string>();
  const merged = new Set<string>();
  const isMergePair = (p: unknown): boolean => y.isPair(p) && y.isScalar(p.key) && p.key.value === '<<';
  y.visit(doc, {
    Alias: (_k, node, path) => {
      used.add(node.source);
      const parent = path[path.length - 1];
      if (isMergePair(parent) || (y.isSeq(parent) && isMergePair(path[path.length - 2]))) merged.add(node.source);
    },
    Node: (_k, node) => {
      if (node.anchor && node.range) anchored.set(node.anchor, [node.range[0], node.range[1]]);
    },
  });
  return [...anchored].filter(([name]) => used.has(name)).map(([name, range]) => [name, range, merged.has(name)]);
}

/** 1-based line of `offset`. */
function countLines(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function applyDocs(text: string, docs: readonly DocumentPlan[]): string {
  return applyPlans(text, docs.map(d => d.plan));
}

/** Drops the edits of a document and turns what they would have added into problems. */
function leaveUnchanged(doc: DocumentPlan, why: string): void {
  doc.plan = new EditPlan(doc.plan.document);
  for (const r of doc.reports) {
    const kept = r.notes.filter(n => !n.includes(NOW_READ_ONLY));
    r.notes.splice(0, r.notes.length, ...kept);
    const missing = r.changes.splice(0);
    r.refused = true;
    r.problems.push(`not edited: ${why}${missing.length > 0 ? `. Add by hand: ${missing.join('; ')}` : ''}.`);
  }
}

function parse(text: string): YAML.Document.Parsed[] | { error: string; refusedFile?: boolean } {
  try {
    const docs = yaml().parseAllDocuments(text, { version: '1.1', merge: true, uniqueKeys: true, keepSourceTokens: false });
    if (!Array.isArray(docs)) return { error: 'not a YAML stream' };
    const duplicates = docs.flatMap(d => d.errors.filter(e => e.code === 'DUPLICATE_KEY'));
    if (duplicates.length > 0) {
      return {
        refusedFile: true,
        error: `duplicate keys (${duplicates.map(e => `line ${e.linePos?.[0].line ?? '?'}`).join(', ')}): harden does not edit a file with duplicate keys, `
        + 'since readers disagree on which value wins (kubectl --validate=strict rejects it). Fix: remove the duplicates.',
      };
    }
    for (const d of docs) {
      if (d.errors.length > 0) return { error: `YAML error: ${d.errors[0].message}` };
    }
    return docs;
  } catch (e) {
    return { error: `cannot parse: ${errorMessage(e)}` };
  }
}

/** The text as `audit` reads it: its objects by `index/item`, and its errors. */
interface ReadBack {
  readonly objects: ReadonlyMap<string, ManifestObject>;
  readonly errors: readonly ManifestError[];
}

function readBack(text: string): ReadBack {
  const objects = new Map<string, ManifestObject>();
  const errors: ManifestError[] = [];
  parseManifests({ name: 'harden', uri: 'harden', text }, { object: o => objects.set(key(o.index, o.item), o), error: e => errors.push(e) });
  return { objects, errors };
}

/**
 * A text that may hold a ServiceAccount, a binding or a token Secret (not the pod fields that name them): the others are not
 * parsed twice. A backslash may spell any of them otherwise (a YAML or JSON escape such as `"Role\x42inding"`, or a
 * double-quoted line continuation, which kubectl reads as `RoleBinding`): such a text is always parsed.
 */
const TOKEN_FACT_TEXT = /ServiceAccount(?!Token|Name)|RoleBinding|service-account-token|\\/;

/** Adds the ServiceAccounts, bindings and token Secrets of a text to `facts` (its errors are reported when it is hardened). */
export function collectTokenFacts(source: ManifestSource, facts: TokenFacts): void {
  if (!TOKEN_FACT_TEXT.test(source.text)) return;
  parseManifests(source, { object: o => facts.add(o.object), error: () => undefined });
}

const key = (index: number, item: number | undefined): string => `${index}/${item ?? ''}`;

function planDocument(doc: YAML.Document.Parsed, index: number, options: HardenTextOptions, used: Set<WritablePath | UserFor>): DocumentPlan {
  const plan = new EditPlan(doc);
  const reports: Report[] = [];
  const invalid: InvalidAnnotation[] = [];
  forEachObject(plan, doc, (obj, item, kind) => hardenObject(plan, obj, kind, options, index, item, reports, used, invalid));
  // an invalid exemptions annotation: the document is refused, left as it was (harden-exemptions.ts)
  if (invalid.length > 0) leaveUnchanged({ plan, reports }, invalidAnnotationRefusal(invalid));
  return { plan, reports };
}

/** What `audit`'s reader cannot read (`original`), harden does not edit: audit must be able to check what harden wrote. */
function leaveUnreadUnchanged(text: string, doc: YAML.Document.Parsed, plan: DocumentPlan, original: ReadBack): void {
  if (plan.reports.every(r => original.objects.has(key(r.index, r.item)))) return;
  // the reader's error about this document: the last one that starts before its end
  const [first, last] = [doc.range[0], doc.range[2]].map(o => text.slice(0, o).split('\n').length);
  const error = original.errors.filter(e => e.line === undefined || e.line <= last).pop() ?? original.errors[0];
  const why = error ? `${error.line !== undefined && error.line >= first ? `line ${error.line}: ` : ''}${error.message}` : 'unreadable';
  leaveUnchanged(plan, `audit's reader cannot read this document (${why}), so harden does not edit it. Fix: make it valid YAML`);
}

/**
 * Calls `fn` for the document's object, or for each item of a list as kubectl reads it (any object
 * with a kind and items), with the object's kind as kubectl sends it (`inheritListKind`).
 */
function forEachObject(plan: EditPlan, doc: YAML.Document.Parsed, fn: (obj: Cursor, item: number | undefined, kind: unknown) => void): void {
  const root = plan.cursor(doc.contents);
  if (!root) return;
  const kind = plan.get(root, 'kind');
  const items = plan.get(root, 'items');
  if (isKubectlList({ kind, items }) && Array.isArray(items)) {
    const seq = plan.resolve(plan.lookup((root as { node: any }).node, 'items'));
    if (!yaml().isSeq(seq)) return;
    seq.items.forEach((node, item) => {
      const c = plan.cursor(node);
      if (!c) return;
      const own = { kind: plan.get(c, 'kind'), apiVersion: plan.get(c, 'apiVersion') };
      inheritListKind(own, kind, plan.get(root, 'apiVersion'));
      fn(c, item, own.kind);
    });
  } else {
    fn(root, undefined, kind);
  }
}

/**
 * Which documents' edits do not verify, with why: the edited document must keep every
 * original value, be a fixed point of a second run, and read back (audit's reader) without
 * a new malformation.
 */
function unverified(before: readonly YAML.Document.Parsed[], out: string, after: ReadBack, original: ReadBack,
  docs: readonly DocumentPlan[], options: HardenTextOptions): Map<number, string> {
  const bad = new Map<number, string>();
  const changed = docs.map((d, i) => (d.plan.empty ? -1 : i)).filter(i => i >= 0);
  const reparsed = parse(out);
  if (!Array.isArray(reparsed) || reparsed.length !== before.length) {
    for (const i of changed) bad.set(i, `its edits did not produce valid YAML (${!Array.isArray(reparsed) ? reparsed.error : 'documents split'})`);
    return bad;
  }
  for (const i of changed) {
    if (!keeps(before[i].toJS({ maxAliasCount: -1 }), reparsed[i].toJS({ maxAliasCount: -1 }))) {
      bad.set(i, 'its edits would change an existing value');
      continue;
    }
    const again = new EditPlan(reparsed[i]);
    forEachObject(again, reparsed[i], (obj, item, kind) => hardenObject(again, obj, kind, options, i, item, [], new Set()));
    if (!again.empty) {
      bad.set(i, 'its edits could not be verified (a second run would edit it again)');
      continue;
    }
    for (const r of docs[i].reports) {
      const now = after.objects.get(key(r.index, r.item));
      if (!now) {
        bad.set(i, 'audit\'s reader could not read the edited document back');
        break;
      }
      const was = original.objects.get(key(r.index, r.item));
      const malformed = PodSecurity.evaluate(now.object, { level: PolicyLevel.RESTRICTED }).malformed;
      if (malformed !== undefined && (!was || malformed !== PodSecurity.evaluate(was.object, { level: PolicyLevel.RESTRICTED }).malformed)) {
        bad.set(i, `the edited document would be malformed (${malformed})`);
        break;
      }
      // valid as the API server validates (lib/policy/schema): an edit never gives it a reason to reject the object
      // (what the input already had is reported by withRemaining)
      const known = new Set(was ? validateApiObject(was.object).problems.map(p => `${p.code} ${p.path}`) : []);
      const invalid = validateApiObject(now.object).problems.filter(p => !known.has(`${p.code} ${p.path}`));
      if (invalid.length > 0) {
        bad.set(i, `the API server would reject the edited document (${invalid.map(p => p.message).join('; ')})`);
        break;
      }
    }
  }
  return bad;
}

/**
 * Whether `after` has every value of `before` unchanged (it may add keys and append items; the
 * exemptions annotation may get entries appended to its array).
 */
function keeps(before: unknown, after: unknown): boolean {
  if (before === after) return true;
  if (typeof before !== 'object' || before === null || typeof after !== 'object' || after === null) return false;
  if (Array.isArray(before)) return Array.isArray(after) && after.length >= before.length && before.every((v, i) => keeps(v, after[i]));
  if (Array.isArray(after)) return false;
  return Object.entries(before).every(([k, v]) => {
    const now = (after as any)[k];
    if (v === null) return k in after;
    if (k === RootlessAnnotations.EXEMPTIONS && typeof v === 'string' && typeof now === 'string') {
      return now === v || (v === '[]' ? now.startsWith('[{') : v.endsWith('}]') && now.startsWith(`${v.slice(0, -1)},{`));
    }
    return keeps(v, now);
  });
}

function hardenObject(plan: EditPlan, obj: Cursor, kind: unknown, options: HardenTextOptions, index: number, item: number | undefined,
  out: Report[], used: Set<WritablePath | UserFor>, invalid: InvalidAnnotation[] = []): void {
  const templatePath = podTemplatePath(kind);
  if (typeof kind !== 'string' || templatePath === undefined) return;
  const meta = plan.get(obj, 'metadata') as any;
  const name = `${typeof meta?.namespace === 'string' ? meta.namespace + '/' : ''}${typeof meta?.name === 'string' ? meta.name : '(unnamed)'}`;
  let template: Cursor | undefined = obj;
  for (const k of templatePath) template = template && typeof plan.get(template, k) === 'object' ? plan.child(template, k) : undefined;
  const report: Report = { index, item, kind, name, changes: [], problems: [], notes: [] };
  out.push(report);
  if (!template) {
    report.problems.push('no pod template: the object is malformed. Fix: make it well formed (see the Kubernetes API reference).');
    return;
  }
  const spec = typeof plan.get(template, 'spec') === 'object' ? plan.child(template, 'spec') : undefined;
  if (!spec) {
    report.problems.push('the pod spec is not a mapping. Fix: make the manifest well formed.');
    return;
  }
  const given = userForStatements(options.userFor ?? [], kind, meta?.namespace, meta?.name, used as Set<UserFor>);
  const users = { ...options.users, ...given };
  const namespace = typeof meta?.namespace === 'string' && meta.namespace !== '' ? meta.namespace : DEFAULT_NAMESPACE;
  // the exemptions the template declares, read as applyTo reads them (adopt/declared.ts): honoured when valid
  const declared = templateDeclaration(plan.json(template));
  if (declared.problems.length > 0) return void invalid.push({ kind, name, problems: declared.problems });
  hardenPod(plan, template, spec, { ...options, users, namespace, accepts: acceptsOf(declared.exemptions) }, report, used as Set<WritablePath>);
}

/** Evaluates the hardened objects as `audit` reads them, at restricted, and records what still fails. */
function withRemaining(objects: readonly Report[], read: ReadBack, original: ReadBack, options: HardenOptions): HardenedObject[] {
  // the images a human vouches for (--non-root-image): runAsNonRoot alone is their user
  const vouched = (image: string) => (options.users?.images ?? []).some(i => i.user === undefined && matchesImage(i.pattern, image));
  return objects.map(o => {
    const refused = o.refused === true;
    const match = read.objects.get(key(o.index, o.item));
    if (!match) return { ...o, refused, effects: [], remaining: ['the document could not be read as audit reads it'] };
    // at restricted, honouring the valid exemptions the pod template declares (harden-exemptions.ts)
    const { remaining, accepted, problems: uncovered } = judgeWithDeclared(match.object);
    const spec = podTemplateOf(match.object)?.spec;
    const invalid = validateApiObject(match.object).problems.map(p => `invalid: the API server would reject it as it is: ${p.message}. Fix: ${p.fix}`);
    const problems = [...o.problems, ...uncovered.filter(p => !o.problems.includes(p)), ...invalid, ...runtimeProblems(spec)];
    // the startability checklist on the result (exit 0 means startable): what the rules did not already report
    const token = options.tokens ? tokenStartability(options.tokens.facts) : undefined;
    for (const reason of startabilityProblems(match.object, { vouched, token })) {
      const container = /^container "([^"]*)": no numeric runAsUser/.exec(reason)?.[1];
      const reported = problems.includes(reason) || (container !== undefined && problems.some(p => p.startsWith(`container "${container}": no numeric user`)));
      if (!reported) problems.push(`would not start: ${reason}`);
    }
    const before = podTemplateOf(original.objects.get(key(o.index, o.item))?.object)?.spec;
    const effects = problems.length > 0 || remaining.length > 0 ? writtenEffects(before, spec) : [];
    return { ...o, refused, problems, notes: [...o.notes, ...accepted, ...capabilityNotes(spec)], remaining, effects };
  });
}

/** The text report of one input. */
export function formatHardenReport(file: string, result: HardenResult): string {
  const lines: string[] = [];
  if (result.error) return `${file}: error: ${result.error}\n`;
  for (const o of result.objects) {
    const ref = `doc ${o.index}${o.item !== undefined ? ` items[${o.item}]` : ''}`;
    const verdict = o.remaining.length > 0 ? `still fails restricted (${o.remaining.length})`
      : o.problems.length > 0 ? `passes restricted, needs a human (${o.problems.length})` : 'passes restricted';
    lines.push(`${file}: ${ref} ${o.kind} ${o.name}: ${verdict}`);
    for (const c of o.changes) lines.push(`  + ${c}`);
    for (const p of o.problems) lines.push(`  ! ${p}`);
    for (const e of o.effects) lines.push(`  ~ if applied as written: ${e}`);
    for (const n of o.notes) lines.push(`  - ${n}`);
    for (const r of o.remaining) lines.push(`  x ${r}`);
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** Whether a result needs a human: an object still fails restricted or has a problem (notes do not count). */
export function needsHuman(result: HardenResult): boolean {
  return result.objects.some(o => o.remaining.length > 0 || o.problems.length > 0);
}

/**
 * The exit code of one input (docs/cli.md, "Exit codes"): 3 it could not be read; 2 harden refused to edit a document
 * and left it as it was; 1 written, with findings a human must confirm; 0 written and startable.
 */
export function exitCodeOf(result: HardenResult): HardenExitCode {
  if (result.error !== undefined) return result.refusedFile ? HardenExitCode.REFUSED : HardenExitCode.ERROR;
  if (result.objects.some(o => o.refused) || (result.refused ?? []).length > 0) return HardenExitCode.REFUSED;
  return needsHuman(result) ? HardenExitCode.FINDINGS : HardenExitCode.OK;
}
