/**
 * SARIF 2.1.0 audit report, in the shape GitHub code scanning accepts as it is (0 errors and 0
 * warnings from Microsoft's validator, Multitool 5.7.0, rule kinds Sarif and Gh: `.ci/sarif-validate`):
 * the rules are the Pod Security checks (`PodSecurity.checks()`), the Dockerfile rules, the
 * exemption rule and the malformed rule, each with a PascalCase `name` that differs from its `id`
 * even ignoring case (`PodSecurityRunAsNonRoot`), descriptions, help (text and markdown), tags and a
 * `security-severity`. Each violation is one result located at the file, by a URI relative to the
 * repository root (`%SRCROOT%`: `--sarif-root`, default the git top-level of the working directory;
 * forward slashes, never absolute nor `../`), and the line of the offending field (`positions.ts`;
 * computed only for objects with findings), else where the object's document or List item starts.
 * Standard input has a physical location only when `--stdin-path` names its file in the
 * repository; otherwise its results have logical locations only. When the input's folder holds
 * cdk8s' `construct-metadata.json` (synthesized with `CDK8S_RECORD_CONSTRUCT_METADATA=true`),
 * each result also names the object's construct path. Violations covered by a
 * declared exemption (`--exemptions honor`) are results with an accepted in-source suppression
 * and the exemption's reason as justification. Inputs that could not be read or parsed are tool
 * execution notifications of the run's invocation.
 *
 * Written as the objects are audited: `results` first, then the tool and its rules (JSON
 * objects are unordered), the invocation and the summary.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type * as sarif from 'sarif';
import type { ManifestError } from '../../manifests/manifest-objects';
import { PodSecurity } from '../../policy';
import { DOCKERFILE_RULES } from '../dockerfile';
import { UsageError } from '../io';
import { FieldLines } from './positions';
import {
  AcceptedViolation, AuditEnd, AuditRecord, DEFAULT_SARIF_CATEGORY, DockerfileViolation, INFORMATION_URI, PSS_URI, ReportWriter,
  documentRef, objectName, toolVersion,
} from './report';
import type { Violation } from '../../policy/types';

/** The rule of objects the engine reports as malformed (not a check of the standard). */
export const MALFORMED_RULE_ID = 'malformed';
/** The rule of objects the API server would reject (lib/policy/schema; not a Pod Security denial). */
export const INVALID_RULE_ID = 'api-invalid';
/** The rule of exemption annotations that are malformed or lack a real reason. */
const EXEMPTION_RULE_ID = 'rootless-exemption';

const SRCROOT = '%SRCROOT%';
/** The URI the manifest reader gives standard input (`uriOf` in `manifest-reader.ts`). */
const STDIN_URI = 'stdin';

export { DEFAULT_SARIF_CATEGORY }; // defined in report.ts: `audit` reads it without loading this module

/** GitHub's severity scale (0-10) for the `security-severity` property. */
const SECURITY_SEVERITY: Record<string, string> = {
  baseline: '7.5', // baseline checks block known privilege escalations: high
  restricted: '5.0', // restricted checks are hardening best practice: medium
};
/** The exemption rule, the Dockerfile rules, malformed and invalid objects: medium. */
const OTHER_SEVERITY = '5.0';

export interface SarifOptions {
  /** The working directory: input names are relative to it. */
  readonly cwd: string;
  /** The repository root the result URIs are relative to (`%SRCROOT%`). @default the git top-level of `cwd`, else `cwd` (`sarifRootOf`) */
  readonly root?: string;
  /** The path, relative to `root`, of the file standard input holds (`--stdin-path`). @default none: stdin results have logical locations only */
  readonly stdinPath?: string;
  /** The `automationDetails` category. @default DEFAULT_SARIF_CATEGORY */
  readonly category?: string;
}

/** The default SARIF root: the nearest folder at or above `cwd` that holds `.git` (a folder, or a worktree's file), else `cwd`. */
export function sarifRootOf(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(cwd);
    dir = parent;
  }
}

/** `file` (absolute or relative to `cwd`) relative to `root`, forward slashes; undefined when it is outside `root`. */
export function pathUnderRoot(root: string, cwd: string, file: string): string | undefined {
  const relative = path.relative(root, path.resolve(cwd, file));
  if (relative === '' || path.isAbsolute(relative) || relative === '..' || relative.startsWith('..' + path.sep)) return undefined;
  return relative.split(path.sep).join('/');
}

/** The SARIF options of `audit`, checked: every input and `--stdin-path` lie inside the root, so no URI is absolute or `../`. */
export function sarifOptions(
  opts: { format: string; sarifRoot?: string; stdinPath?: string; sarifCategory: string },
  paths: readonly string[],
  cwd: string,
): Omit<SarifOptions, 'cwd'> {
  const given = [opts.sarifRoot !== undefined ? '--sarif-root' : '', opts.stdinPath !== undefined ? '--stdin-path' : '',
    opts.sarifCategory !== DEFAULT_SARIF_CATEGORY ? '--sarif-category' : ''].filter(o => o !== '');
  if (opts.format !== 'sarif') {
    if (given.length > 0) throw new UsageError(`${given.join(', ')}: read with --format sarif only. Fix: add --format sarif, or drop ${given.join(', ')}`);
    return {};
  }
  if (opts.sarifRoot !== undefined && !isFolder(path.resolve(cwd, opts.sarifRoot))) {
    throw new UsageError(`--sarif-root ${opts.sarifRoot}: not a folder. Fix: name the repository's root folder`);
  }
  const root = path.resolve(cwd, opts.sarifRoot ?? sarifRootOf(cwd));
  const rootHint = opts.sarifRoot !== undefined ? `--sarif-root ${opts.sarifRoot}` : `the repository root ${root} (the git top-level)`;
  for (const input of paths) {
    if (input !== '-' && pathUnderRoot(root, cwd, input) === undefined && path.resolve(cwd, input) !== root) {
      throw new UsageError(`${input} is outside ${rootHint}: SARIF URIs are relative to the root, never absolute or ../. `
        + 'Fix: set --sarif-root to a folder that holds every input');
    }
  }
  let stdinPath: string | undefined;
  if (opts.stdinPath !== undefined) {
    if (!paths.includes('-')) throw new UsageError('--stdin-path names the file standard input holds: it needs - among the inputs');
    stdinPath = pathUnderRoot(root, cwd, opts.stdinPath);
    if (stdinPath === undefined) {
      throw new UsageError(`--stdin-path ${opts.stdinPath} is not a file inside ${rootHint}. Fix: give the path of the file in the repository, relative to the working directory`);
    }
  }
  const category = opts.sarifCategory.replace(/\/+$/, '');
  if (category === '') throw new UsageError('--sarif-category: empty. Fix: give a name, e.g. pss-restricted');
  return { root, stdinPath, category };
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The SARIF reporter (see the file comment). */
export class SarifReportWriter implements ReportWriter {
  private readonly rules = sarifRules();
  private readonly ruleIndex = new Map<string, number>(this.rules.map((r, i) => [r.id, i]));
  private readonly errors: ManifestError[] = [];
  private readonly root: string;
  private readonly constructPaths: ConstructMetadata;
  private first = true;

  constructor(private readonly out: { write(chunk: string): unknown }, private readonly options: SarifOptions) {
    this.root = path.resolve(options.cwd, options.root ?? sarifRootOf(options.cwd));
    this.constructPaths = new ConstructMetadata(this.root);
    out.write('{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"results":[\n');
  }

  public record(record: AuditRecord): void {
    const accepted = record.accepted ?? [];
    const invalid = record.invalid ?? [];
    if (record.result.allowed && accepted.length === 0 && invalid.length === 0) return;
    const lines = record.text !== undefined && record.dockerfile === undefined ? new FieldLines(record.text, record.kind) : undefined;
    const lineOf = (v: Violation): number | undefined => lines?.lineOf(v);
    const where: Where = {
      uri: this.uriOf(record.file, record.uri),
      constructPath: record.uri !== STDIN_URI && record.name !== null
        ? this.constructPaths.pathOf(path.resolve(this.options.cwd, record.file), record.name)
        : undefined,
    };
    if (record.result.malformed !== undefined) {
      this.write(sarifResult(record, where, MALFORMED_RULE_ID, this.ruleIndex,
        `${subject(record)}: malformed: ${record.result.malformed}. Fix: make the manifest well formed (see the Kubernetes API reference).`, [], undefined, undefined));
    }
    for (const p of invalid) {
      this.write(sarifResult(record, where, INVALID_RULE_ID, this.ruleIndex,
        `${subject(record)}: invalid (the API server would reject it): ${p.message}. Fix: ${p.fix}`, [], undefined, undefined, `${p.code} ${p.path}`));
    }
    for (const v of record.result.violations) {
      this.ensureRule(v);
      this.write(sarifResult(record, where, v.check, this.ruleIndex, `${subject(record)}: ${v.reason} (${v.detail}). Fix: ${v.fix}`, v.containers ?? [], v, lineOf(v)));
    }
    for (const v of accepted) {
      this.ensureRule(v);
      const result = sarifResult(record, where, v.check, this.ruleIndex, `${subject(record)}: ${v.reason} (${v.detail}); accepted through a declared exemption`,
        v.containers ?? [], v, lineOf(v));
      result.suppressions = [{ kind: 'inSource', status: 'accepted', justification: justification(v) }];
      this.write(result);
    }
  }

  public error(e: ManifestError): void {
    this.errors.push(e);
  }

  public end(end: AuditEnd): void {
    const notifications: sarif.Notification[] = this.errors.map(e => {
      const uri = e.uri === '' ? undefined : this.uriOf(e.file, e.uri);
      return {
        level: 'error',
        message: { text: `${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ${e.message}` },
        ...(uri !== undefined ? { locations: [{ physicalLocation: physicalLocation(uri, e.line) }] } : {}),
      };
    });
    const category = (this.options.category ?? DEFAULT_SARIF_CATEGORY).replace(/\/+$/, '');
    const rest = {
      tool: {
        driver: {
          name: 'cdk8s-rootless',
          informationUri: INFORMATION_URI,
          version: toolVersion(),
          semanticVersion: toolVersion(),
          rules: this.rules,
        },
      },
      automationDetails: { id: `${category}/` },
      originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(this.root.endsWith(path.sep) ? this.root : this.root + path.sep).href } },
      invocations: [{ executionSuccessful: this.errors.length === 0, toolExecutionNotifications: notifications }],
      properties: { level: end.level, policyVersion: end.version, summary: end.summary, accepted: end.accepted, namespaces: end.namespaces },
    };
    this.out.write('\n],' + JSON.stringify(rest).slice(1) + ']}\n');
  }

  /** The URI of an input relative to the root (percent-encoded segments), or undefined (stdin without `--stdin-path`, outside the root). */
  private uriOf(file: string, uri: string): string | undefined {
    const relative = uri === STDIN_URI ? this.options.stdinPath : pathUnderRoot(this.root, this.options.cwd, file);
    return relative?.split('/').map(encodeURIComponent).join('/');
  }

  private ensureRule(v: Violation): void {
    if (this.ruleIndex.has(v.check)) return;
    // A check the engine reports but does not list: keep the log valid (every ruleId has a rule).
    this.ruleIndex.set(v.check, this.rules.length);
    this.rules.push({
      id: v.check,
      name: ruleName(v.check),
      shortDescription: { text: v.reason },
      fullDescription: { text: v.reason },
      help: { text: v.fix, markdown: v.fix },
      defaultConfiguration: { level: 'error' },
      properties: { 'tags': ['security', 'kubernetes', 'pod-security'], 'precision': 'very-high', 'problem.severity': 'error', 'security-severity': OTHER_SEVERITY },
    });
  }

  private write(result: sarif.Result): void {
    this.out.write((this.first ? '' : ',\n') + JSON.stringify(result));
    this.first = false;
  }
}

/**
 * cdk8s' `construct-metadata.json` (written into the output folder when the app is synthesized with
 * `recordConstructMetadata` / `CDK8S_RECORD_CONSTRUCT_METADATA=true`): `metadata.name` → construct
 * path. The nearest one in the manifest's folder or above it, up to the root (cdk8s' folder-per-chart
 * output puts the manifests one level below it), read once per folder. cdk8s keys it by name only,
 * as cdk8s-cli reads it.
 */
class ConstructMetadata {
  private readonly byFolder = new Map<string, ReadonlyMap<string, string> | undefined>();

  constructor(private readonly root: string) {}

  public pathOf(file: string, name: string): string | undefined {
    return this.of(path.dirname(file))?.get(name);
  }

  private of(folder: string): ReadonlyMap<string, string> | undefined {
    if (this.byFolder.has(folder)) return this.byFolder.get(folder);
    const parent = path.dirname(folder);
    const inside = folder !== this.root && parent !== folder && pathUnderRoot(this.root, this.root, folder) !== undefined;
    const found = readConstructMetadata(path.join(folder, 'construct-metadata.json')) ?? (inside ? this.of(parent) : undefined);
    this.byFolder.set(folder, found);
    return found;
  }
}

function readConstructMetadata(file: string): ReadonlyMap<string, string> | undefined {
  let parsed: any;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined; // absent or unreadable: no construct paths
  }
  if (parsed?.version !== '1.0.0' || typeof parsed.resources !== 'object' || parsed.resources === null) return undefined;
  const paths = new Map<string, string>();
  for (const [name, entry] of Object.entries(parsed.resources)) {
    const p = (entry as any)?.path;
    if (typeof p === 'string' && p !== '') paths.set(name, p);
  }
  return paths;
}

/**
 * A rule's `name`: PascalCase, and never equal to its `id` ignoring case (the validator's SARIF1001):
 * Pod Security checks get the prefix `PodSecurity` (`runAsNonRoot` → `PodSecurityRunAsNonRoot`,
 * `capabilities_restricted` → `PodSecurityCapabilitiesRestricted`); the others are their id in
 * PascalCase (`dockerfile-numeric-user` → `DockerfileNumericUser`), `malformed` is `MalformedObject`,
 * `api-invalid` is `ApiServerWouldReject`.
 */
export function ruleName(id: string): string {
  const pascal = id.split(/[-_]/).filter(p => p !== '').map(p => p[0].toUpperCase() + p.slice(1)).join('');
  if (id === MALFORMED_RULE_ID) return 'MalformedObject';
  if (id === INVALID_RULE_ID) return 'ApiServerWouldReject';
  if (id === EXEMPTION_RULE_ID || DOCKERFILE_RULES.some(r => r.id === id)) return pascal;
  return `PodSecurity${pascal}`;
}

function justification(v: AcceptedViolation): string {
  return v.exemptions.map(e => `${e.id}${e.container ? ` (container "${e.container}")` : ''}: ${e.reason}`).join('; ');
}

/** One rule per check of the engine, the Dockerfile rules, the exemption rule and the `malformed` rule. */
export function sarifRules(): sarif.ReportingDescriptor[] {
  const rules: sarif.ReportingDescriptor[] = PodSecurity.checks().map(check => {
    const overrides = check.overrides?.length ? ` At the restricted level it replaces ${check.overrides.join(', ')}.` : '';
    const text = `${check.description} (Pod Security Standards ${check.level} level, policy ${check.minimumVersion} and later.)${overrides}`;
    return {
      id: check.id,
      name: ruleName(check.id),
      shortDescription: { text: check.description },
      fullDescription: { text },
      help: {
        text: `${text} See ${PSS_URI}`,
        markdown: `${check.description}\n\nPod Security Standards **${check.level}** level, policy ${check.minimumVersion} and later.${overrides}\n\nSee [Pod Security Standards](${PSS_URI}).`,
      },
      helpUri: PSS_URI,
      defaultConfiguration: { level: 'error' },
      properties: {
        'tags': ['security', 'kubernetes', 'pod-security', check.level],
        'precision': 'very-high',
        'problem.severity': 'error',
        'security-severity': SECURITY_SEVERITY[check.level] ?? '5.0',
      },
    };
  });
  for (const rule of DOCKERFILE_RULES) {
    rules.push({
      id: rule.id,
      name: ruleName(rule.id),
      shortDescription: { text: rule.description },
      fullDescription: { text: `${rule.description} ${rule.help}` },
      help: { text: rule.help, markdown: rule.help },
      helpUri: 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      defaultConfiguration: { level: 'error' },
      properties: { 'tags': ['security', 'container-image', 'dockerfile', 'restricted'], 'precision': 'very-high', 'problem.severity': 'error', 'security-severity': OTHER_SEVERITY },
    });
  }
  rules.push({
    id: EXEMPTION_RULE_ID,
    name: ruleName(EXEMPTION_RULE_ID),
    shortDescription: { text: 'A declared cdk8s-rootless exemption has no real reason (a TODO placeholder, too short) or is malformed.' },
    fullDescription: {
      text: 'The pod template\'s rootless.cdk8s.io/exemptions annotation has an entry that is malformed, not in the canonical form, or '
        + 'whose reason is a placeholder or too short. A malformed annotation voids all of its exemptions. Every exemption needs a real '
        + 'reason written by a human.',
    },
    help: {
      text: 'A human must confirm every exemption in the rootless.cdk8s.io/exemptions annotation with a real reason, or remove it.',
      markdown: 'A human must confirm every exemption in the `rootless.cdk8s.io/exemptions` annotation with a real reason, or remove it.',
    },
    helpUri: INFORMATION_URI,
    defaultConfiguration: { level: 'error' },
    properties: { 'tags': ['security', 'kubernetes', 'review'], 'precision': 'very-high', 'problem.severity': 'error', 'security-severity': OTHER_SEVERITY },
  });
  rules.push({
    id: MALFORMED_RULE_ID,
    name: ruleName(MALFORMED_RULE_ID),
    shortDescription: { text: 'The object is malformed: its pod spec cannot be read, so no level allows it.' },
    fullDescription: { text: 'The object\'s pod spec (or pod template) has fields of the wrong type or shape, so the Pod Security checks cannot read it; no level allows it, as the API server would refuse it.' },
    help: {
      text: 'Make the manifest well formed (see the Kubernetes API reference for PodSpec).',
      markdown: 'Make the manifest well formed (see the [Kubernetes API reference for PodSpec](https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/)).',
    },
    helpUri: 'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/',
    defaultConfiguration: { level: 'error' },
    // Unjudgeable means unverified: a pod spec the checks cannot read is treated as failing them.
    properties: { 'tags': ['security', 'kubernetes', 'correctness'], 'precision': 'very-high', 'problem.severity': 'error', 'security-severity': OTHER_SEVERITY },
  });
  rules.push({
    id: INVALID_RULE_ID,
    name: ruleName(INVALID_RULE_ID),
    shortDescription: { text: 'The API server would reject the object (an unknown field, a wrong type, an ID out of range, a mount of no volume).' },
    fullDescription: {
      text: 'Validated as the API server validates, with the field sets of the pinned Kubernetes version: strict field validation '
      + 'rejects unknown fields (e.g. a container-only securityContext field at pod level), IDs must be in 0 … 2147483647, and a volumeMount '
      + 'must name a volume of its pod. Not a Pod Security denial: such an object never reaches admission.',
    },
    help: {
      text: 'Fix the field named in the finding (see the Kubernetes API reference); the finding says what the API server would reject and how to fix it.',
      markdown: 'Fix the field named in the finding (see the [Kubernetes API reference](https://kubernetes.io/docs/reference/kubernetes-api/)); '
        + 'the finding says what the API server would reject and how to fix it. A container-only field (e.g. `allowPrivilegeEscalation`, '
        + '`capabilities`) belongs in `containers[].securityContext`, not in the pod\'s `spec.securityContext`.',
    },
    helpUri: 'https://kubernetes.io/docs/reference/kubernetes-api/',
    defaultConfiguration: { level: 'error' },
    // A security setting written where the API server does not read it is a setting not applied; the object never deploys.
    properties: { 'tags': ['security', 'kubernetes', 'correctness'], 'precision': 'very-high', 'problem.severity': 'error', 'security-severity': OTHER_SEVERITY },
  });
  return rules;
}

/** Where a record's results are: its URI under the root (if any) and its construct path (if recorded). */
interface Where {
  readonly uri: string | undefined;
  readonly constructPath: string | undefined;
}

function sarifResult(
  record: AuditRecord,
  where: Where,
  ruleId: string,
  ruleIndex: ReadonlyMap<string, number>,
  text: string,
  containers: readonly string[],
  violation: Violation | undefined,
  fieldLine: number | undefined,
  /** What tells apart results of one rule on one object (an API problem's code and path), else none. */
  distinct?: string,
): sarif.Result {
  // Stable across line moves: the object's identity (kind, namespace, name), not its position.
  const file = where.uri ?? record.uri;
  const identity = record.name !== null
    ? [file, record.kind, record.namespace, record.name]
    : [file, record.kind, documentRef(record)];
  const fingerprint = createHash('sha256').update(JSON.stringify([...identity, ruleId, ...containers, ...distinct !== undefined ? [distinct] : []]))
    .digest('hex').slice(0, 32);
  const dockerfile = record.dockerfile !== undefined ? violation as DockerfileViolation | undefined : undefined;
  const stageName = dockerfile?.stage !== undefined ? `stage ${dockerfile.stage}${dockerfile.stageName ? ` "${dockerfile.stageName}"` : ''}` : undefined;
  const logical: sarif.LogicalLocation[] = stageName !== undefined
    ? [{ name: stageName, kind: 'module', fullyQualifiedName: `Dockerfile/${stageName}` }]
    : [{ name: objectName(record), kind: 'object', fullyQualifiedName: `${record.kind ?? ''}/${objectName(record)}` }];
  if (where.constructPath !== undefined) {
    logical.push({ name: where.constructPath.split('/').pop(), kind: 'declaration', fullyQualifiedName: where.constructPath });
  }
  const location: sarif.Location = where.uri !== undefined
    ? { physicalLocation: physicalLocation(where.uri, dockerfile?.line ?? fieldLine ?? record.location.line), logicalLocations: logical }
    : { logicalLocations: logical };
  return {
    ruleId,
    ruleIndex: ruleIndex.get(ruleId),
    level: 'error',
    message: { text },
    locations: [location],
    partialFingerprints: { 'cdk8sRootlessObject/v1': fingerprint },
    properties: violation ? {
      containers: violation.containers ?? [],
      podLevel: violation.podLevel ?? false,
      level: record.result.level,
      policyVersion: record.result.version,
      namespaceSource: record.namespacePolicy?.source,
      constructPath: where.constructPath,
    } : where.constructPath !== undefined ? { constructPath: where.constructPath } : undefined,
  };
}

function physicalLocation(uri: string, line: number | undefined): sarif.PhysicalLocation {
  return {
    artifactLocation: { uri, uriBaseId: SRCROOT },
    region: line !== undefined ? { startLine: line } : undefined,
  };
}

/** `Deployment shop/web (doc 2)`, `Dockerfile`. */
function subject(record: AuditRecord): string {
  if (record.dockerfile) return 'Dockerfile';
  return `${record.kind ?? '(no kind)'} ${objectName(record)} (${documentRef(record)})`;
}
