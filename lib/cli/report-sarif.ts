/**
 * SARIF 2.1.0 audit report, in the shape GitHub code scanning accepts: the rules are the
 * Pod Security checks (`PodSecurity.checks()`), the Dockerfile rules, the exemption rule and the
 * malformed rule, each with a readable `name` (`RunAsNonRoot`) and a `fullDescription`. Each
 * violation is one result located at the file (relative URI, forward slashes, under
 * `%SRCROOT%`) and the line of the offending field (`positions.ts`; computed only for objects with
 * findings), else where the object's document or List item starts. Violations covered by a
 * declared exemption (`--exemptions honor`) are results with an accepted in-source suppression
 * and the exemption's reason as justification. Inputs that could not be read or parsed are tool
 * execution notifications of the run's invocation.
 *
 * Written as the objects are audited: `results` first, then the tool and its rules (JSON
 * objects are unordered), the invocation and the summary.
 */
import { createHash } from 'crypto';
import { pathToFileURL } from 'url';
import type * as sarif from 'sarif';
import { PodSecurity } from '../policy';
import { DOCKERFILE_RULES } from './dockerfile';
import type { ManifestError } from './manifest-objects';
import { FieldLines } from './positions';
import {
  AcceptedViolation, AuditEnd, AuditRecord, DockerfileViolation, INFORMATION_URI, PSS_URI, ReportWriter, documentRef, objectName, toolVersion,
} from './report';
import type { Violation } from '../policy/types';

/** The rule of objects the engine reports as malformed (not a check of the standard). */
export const MALFORMED_RULE_ID = 'malformed';
/** The rule of objects the API server would reject (lib/policy/schema; not a Pod Security denial). */
export const INVALID_RULE_ID = 'api-invalid';

const SRCROOT = '%SRCROOT%';

/** GitHub's severity scale (0-10) for the `security-severity` property. */
const SECURITY_SEVERITY: Record<string, string> = {
  baseline: '7.5', // baseline checks block known privilege escalations: high
  restricted: '5.0', // restricted checks are hardening best practice: medium
};

export interface SarifOptions {
  /** The directory the result URIs are relative to (`%SRCROOT%`). */
  readonly cwd: string;
}

/** The SARIF reporter (see the file comment). */
export class SarifReportWriter implements ReportWriter {
  private readonly rules = sarifRules();
  private readonly ruleIndex = new Map<string, number>(this.rules.map((r, i) => [r.id, i]));
  private readonly errors: ManifestError[] = [];
  private first = true;

  constructor(private readonly out: { write(chunk: string): unknown }, private readonly options: SarifOptions) {
    out.write('{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"results":[\n');
  }

  public record(record: AuditRecord): void {
    const accepted = record.accepted ?? [];
    const invalid = record.invalid ?? [];
    if (record.result.allowed && accepted.length === 0 && invalid.length === 0) return;
    const lines = record.text !== undefined && record.dockerfile === undefined ? new FieldLines(record.text, record.kind) : undefined;
    const lineOf = (v: Violation): number | undefined => lines?.lineOf(v);
    if (record.result.malformed !== undefined) {
      this.write(sarifResult(record, MALFORMED_RULE_ID, this.ruleIndex,
        `${subject(record)}: malformed: ${record.result.malformed}. Fix: make the manifest well formed (see the Kubernetes API reference).`, [], undefined, undefined));
    }
    for (const p of invalid) {
      this.write(sarifResult(record, INVALID_RULE_ID, this.ruleIndex,
        `${subject(record)}: invalid (the API server would reject it): ${p.message}. Fix: ${p.fix}`, [], undefined, undefined));
    }
    for (const v of record.result.violations) {
      this.ensureRule(v);
      this.write(sarifResult(record, v.check, this.ruleIndex, `${subject(record)}: ${v.reason} (${v.detail}). Fix: ${v.fix}`, v.containers ?? [], v, lineOf(v)));
    }
    for (const v of accepted) {
      this.ensureRule(v);
      const result = sarifResult(record, v.check, this.ruleIndex, `${subject(record)}: ${v.reason} (${v.detail}); accepted through a declared exemption`,
        v.containers ?? [], v, lineOf(v));
      result.suppressions = [{ kind: 'inSource', status: 'accepted', justification: justification(v) }];
      this.write(result);
    }
  }

  public error(e: ManifestError): void {
    this.errors.push(e);
  }

  public end(end: AuditEnd): void {
    const notifications: sarif.Notification[] = this.errors.map(e => ({
      level: 'error',
      message: { text: `${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ${e.message}` },
      locations: [{ physicalLocation: physicalLocation(e.uri, e.line) }],
    }));
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
      originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(this.options.cwd.endsWith('/') ? this.options.cwd : this.options.cwd + '/').href } },
      invocations: [{ executionSuccessful: this.errors.length === 0, toolExecutionNotifications: notifications }],
      properties: { level: end.level, policyVersion: end.version, summary: end.summary, accepted: end.accepted, namespaces: end.namespaces },
    };
    this.out.write('\n],' + JSON.stringify(rest).slice(1) + ']}\n');
  }

  private ensureRule(v: Violation): void {
    if (this.ruleIndex.has(v.check)) return;
    // A check the engine reports but does not list: keep the log valid (every ruleId has a rule).
    this.ruleIndex.set(v.check, this.rules.length);
    this.rules.push({ id: v.check, name: readableName(v.check), shortDescription: { text: v.reason }, fullDescription: { text: v.reason }, defaultConfiguration: { level: 'error' } });
  }

  private write(result: sarif.Result): void {
    this.out.write((this.first ? '' : ',\n') + JSON.stringify(result));
    this.first = false;
  }
}

/** `runAsNonRoot` → `RunAsNonRoot`, `capabilities_restricted` → `CapabilitiesRestricted`, `dockerfile-numeric-user` → `DockerfileNumericUser`. */
export function readableName(id: string): string {
  return id.split(/[-_]/).filter(p => p !== '').map(p => p[0].toUpperCase() + p.slice(1)).join('');
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
      name: readableName(check.id),
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
      name: readableName(rule.id),
      shortDescription: { text: rule.description },
      fullDescription: { text: `${rule.description} ${rule.help}` },
      help: { text: rule.help, markdown: rule.help },
      helpUri: 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      defaultConfiguration: { level: 'error' },
      properties: { 'tags': ['security', 'container-image', 'dockerfile', 'restricted'], 'precision': 'very-high', 'problem.severity': 'error', 'security-severity': '5.0' },
    });
  }
  rules.push({
    id: 'rootless-exemption',
    name: readableName('rootless-exemption'),
    shortDescription: { text: 'A declared cdk8s-rootless exemption has no real reason (a TODO placeholder, too short) or is malformed.' },
    fullDescription: {
      text: 'The pod template\'s rootless.cdk8s.io/exemptions annotation has an entry that is malformed, not in the canonical form, or '
        + 'whose reason is a placeholder or too short. A malformed annotation voids all of its exemptions. Every exemption needs a real '
        + 'reason written by a human.',
    },
    help: { text: 'A human must confirm every exemption in the rootless.cdk8s.io/exemptions annotation with a real reason, or remove it.' },
    helpUri: INFORMATION_URI,
    defaultConfiguration: { level: 'error' },
    properties: { 'tags': ['security', 'kubernetes', 'review'], 'precision': 'very-high', 'problem.severity': 'error' },
  });
  rules.push({
    id: MALFORMED_RULE_ID,
    name: readableName(MALFORMED_RULE_ID),
    shortDescription: { text: 'The object is malformed: its pod spec cannot be read, so no level allows it.' },
    fullDescription: { text: 'The object\'s pod spec (or pod template) has fields of the wrong type or shape, so the Pod Security checks cannot read it; no level allows it, as the API server would refuse it.' },
    help: { text: 'Make the manifest well formed (see the Kubernetes API reference for PodSpec).' },
    helpUri: 'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/',
    defaultConfiguration: { level: 'error' },
    properties: { 'tags': ['kubernetes', 'correctness'], 'precision': 'very-high', 'problem.severity': 'error' },
  });
  rules.push({
    id: INVALID_RULE_ID,
    name: readableName(INVALID_RULE_ID),
    shortDescription: { text: 'The API server would reject the object (an unknown field, a wrong type, an ID out of range, a mount of no volume).' },
    fullDescription: {
      text: 'Validated as the API server validates, with the field sets of the pinned Kubernetes version: strict field validation '
      + 'rejects unknown fields (e.g. a container-only securityContext field at pod level), IDs must be in 0 … 2147483647, and a volumeMount '
      + 'must name a volume of its pod. Not a Pod Security denial: such an object never reaches admission.',
    },
    help: { text: 'Fix the field named in the finding (see the Kubernetes API reference).' },
    helpUri: 'https://kubernetes.io/docs/reference/kubernetes-api/',
    defaultConfiguration: { level: 'error' },
    properties: { 'tags': ['kubernetes', 'correctness'], 'precision': 'very-high', 'problem.severity': 'error' },
  });
  return rules;
}

function sarifResult(
  record: AuditRecord,
  ruleId: string,
  ruleIndex: ReadonlyMap<string, number>,
  text: string,
  containers: readonly string[],
  violation: Violation | undefined,
  fieldLine: number | undefined,
): sarif.Result {
  // Stable across line moves: the object's identity (kind, namespace, name), not its position.
  const identity = record.name !== null
    ? [record.uri, record.kind, record.namespace, record.name]
    : [record.uri, record.kind, documentRef(record)];
  const fingerprint = createHash('sha256').update(JSON.stringify([...identity, ruleId, ...containers])).digest('hex').slice(0, 32);
  const dockerfile = record.dockerfile !== undefined ? violation as DockerfileViolation | undefined : undefined;
  const stageName = dockerfile?.stage !== undefined ? `stage ${dockerfile.stage}${dockerfile.stageName ? ` "${dockerfile.stageName}"` : ''}` : undefined;
  return {
    ruleId,
    ruleIndex: ruleIndex.get(ruleId),
    level: 'error',
    message: { text },
    locations: [{
      physicalLocation: physicalLocation(record.uri, dockerfile?.line ?? fieldLine ?? record.location.line),
      logicalLocations: stageName !== undefined
        ? [{ name: stageName, kind: 'module', fullyQualifiedName: `Dockerfile/${stageName}` }]
        : [{ name: objectName(record), kind: 'object', fullyQualifiedName: `${record.kind ?? ''}/${objectName(record)}` }],
    }],
    partialFingerprints: { 'cdk8sRootlessObject/v1': fingerprint },
    properties: violation ? {
      containers: violation.containers ?? [],
      podLevel: violation.podLevel ?? false,
      level: record.result.level,
      policyVersion: record.result.version,
      namespaceSource: record.namespacePolicy?.source,
    } : undefined,
  };
}

function physicalLocation(uri: string, line: number | undefined): sarif.PhysicalLocation {
  return {
    artifactLocation: uri === 'stdin' ? { uri } : { uri, uriBaseId: SRCROOT },
    region: line !== undefined ? { startLine: line } : undefined,
  };
}

/** `Deployment shop/web (doc 2)`, `Dockerfile`. */
function subject(record: AuditRecord): string {
  if (record.dockerfile) return 'Dockerfile';
  return `${record.kind ?? '(no kind)'} ${objectName(record)} (${documentRef(record)})`;
}
