/**
 * SARIF 2.1.0 audit report, in the shape GitHub code scanning accepts: the rules are the
 * Pod Security checks (`PodSecurity.checks()`), each violation is one result located at the
 * file (relative URI, forward slashes, under `%SRCROOT%`) and the line where the object's
 * document (or List item) starts. Inputs that could not be read or parsed are tool
 * execution notifications of the run's invocation.
 */
import { createHash } from 'crypto';
import { pathToFileURL } from 'url';
import type * as sarif from 'sarif';
import { PodSecurity } from '../policy';
import { DOCKERFILE_RULES } from './dockerfile';
import { AuditRecord, AuditReport, DockerfileViolation, INFORMATION_URI, PSS_URI, documentRef, objectName, toolVersion } from './report';
import type { Violation } from '../policy/types';

/** The rule of objects the engine reports as malformed (not a check of the standard). */
export const MALFORMED_RULE_ID = 'malformed';

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

export function formatSarif(report: AuditReport, options: SarifOptions): string {
  return JSON.stringify(buildSarif(report, options), null, 2) + '\n';
}

export function buildSarif(report: AuditReport, options: SarifOptions): sarif.Log {
  const rules = sarifRules();
  const ruleIndex = new Map<string, number>(rules.map((r, i) => [r.id, i]));
  const results: sarif.Result[] = [];
  for (const record of report.records) {
    if (record.result.allowed) continue;
    if (record.result.malformed !== undefined) {
      results.push(sarifResult(record, MALFORMED_RULE_ID, ruleIndex,
        `${subject(record)}: malformed: ${record.result.malformed}. Fix: make the manifest well formed (see the Kubernetes API reference).`, []));
    }
    for (const v of record.result.violations) {
      if (!ruleIndex.has(v.check)) {
        // A check the engine reports but does not list: keep the log valid (every ruleId has a rule).
        ruleIndex.set(v.check, rules.length);
        rules.push({ id: v.check, shortDescription: { text: v.reason }, defaultConfiguration: { level: 'error' } });
      }
      results.push(sarifResult(record, v.check, ruleIndex, `${subject(record)}: ${v.reason} (${v.detail}). Fix: ${v.fix}`, v.containers ?? [], v));
    }
  }
  const notifications: sarif.Notification[] = report.errors.map(e => ({
    level: 'error',
    message: { text: `${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ${e.message}` },
    locations: [{ physicalLocation: physicalLocation(e.uri, e.line) }],
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'cdk8s-rootless',
          informationUri: INFORMATION_URI,
          version: toolVersion(),
          semanticVersion: toolVersion(),
          rules,
        },
      },
      originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(options.cwd.endsWith('/') ? options.cwd : options.cwd + '/').href } },
      invocations: [{
        executionSuccessful: report.errors.length === 0,
        toolExecutionNotifications: notifications,
      }],
      results,
      properties: {
        level: report.level,
        policyVersion: report.version,
        summary: report.summary,
      },
    }],
  };
}

/** One rule per check of the engine, plus the `malformed` rule. */
export function sarifRules(): sarif.ReportingDescriptor[] {
  const rules: sarif.ReportingDescriptor[] = PodSecurity.checks().map(check => {
    const overrides = check.overrides?.length ? ` At the restricted level it replaces ${check.overrides.join(', ')}.` : '';
    const text = `${check.description} (Pod Security Standards ${check.level} level, policy ${check.minimumVersion} and later.)${overrides}`;
    return {
      id: check.id,
      name: check.id,
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
      name: rule.id,
      shortDescription: { text: rule.description },
      help: { text: rule.help, markdown: rule.help },
      helpUri: 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      defaultConfiguration: { level: 'error' },
      properties: { 'tags': ['security', 'container-image', 'dockerfile', 'restricted'], 'precision': 'very-high', 'problem.severity': 'error', 'security-severity': '5.0' },
    });
  }
  rules.push({
    id: 'rootless-exemption',
    name: 'rootless-exemption',
    shortDescription: { text: 'A declared cdk8s-rootless exemption has no real reason (a TODO placeholder, too short) or is malformed.' },
    help: { text: 'A human must confirm every exemption in the rootless.cdk8s.io/exemptions annotation with a real reason, or remove it.' },
    helpUri: INFORMATION_URI,
    defaultConfiguration: { level: 'error' },
    properties: { 'tags': ['security', 'kubernetes', 'review'], 'precision': 'very-high', 'problem.severity': 'error' },
  });
  rules.push({
    id: MALFORMED_RULE_ID,
    name: MALFORMED_RULE_ID,
    shortDescription: { text: 'The object is malformed: its pod spec cannot be read, so no level allows it.' },
    help: { text: 'Make the manifest well formed (see the Kubernetes API reference for PodSpec).' },
    helpUri: 'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/',
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
  violation?: Violation,
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
      physicalLocation: physicalLocation(record.uri, dockerfile?.line ?? record.location.line),
      logicalLocations: stageName !== undefined
        ? [{ name: stageName, kind: 'module', fullyQualifiedName: `Dockerfile/${stageName}` }]
        : [{ name: objectName(record), kind: 'object', fullyQualifiedName: `${record.kind ?? ''}/${objectName(record)}` }],
    }],
    partialFingerprints: { 'cdk8sRootlessObject/v1': fingerprint },
    properties: violation ? { containers: violation.containers ?? [], podLevel: violation.podLevel ?? false } : undefined,
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
