/**
 * Human-readable audit report: one line per finding as the object is audited, each error as it
 * is met, then a summary.
 *
 *   k8s/web.yaml:14: doc 2 Deployment shop/web, container "app": allowPrivilegeEscalation: allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false). Fix: ...
 *
 * With `--exemptions honor`, a violation a declared exemption covers is a line `… CHECK: accepted: …`
 * with the exemption's reason; with `--by-namespace`, warn and audit findings are lines
 * `… warn (baseline:v1.30): CHECK: …`, and the summary has a table per namespace.
 */
import { AuditEnd, AuditRecord, DockerfileViolation, ReportWriter, documentRef, objectName } from './report';
import { AMBIGUITY_FIX } from '../../manifests/yaml-differences';
import type { Violation } from '../../policy/types';

/** The text reporter (see the file comment). */
export class TextReportWriter implements ReportWriter {
  private written = false;

  constructor(private readonly out: { write(chunk: string): unknown }) {}

  public record(record: AuditRecord): void {
    const lines = recordLines(record);
    if (lines.length > 0) this.write(lines.join('\n') + '\n');
  }

  public error(e: { file: string; line?: number; message: string }): void {
    this.write(`${e.file}${e.line !== undefined ? `:${e.line}` : ''}: error: ${e.message}\n`);
  }

  public end(end: AuditEnd): void {
    const lines: string[] = [];
    if (this.written) lines.push('');
    if (end.namespaces !== undefined && end.namespaces.length > 0) {
      lines.push('By namespace (rejected: by its enforce label, or by the cluster defaults; what if restricted: what enforce=restricted would reject):');
      const rows = [['NAMESPACE', 'POLICY', 'ENFORCE', 'AUDITED', 'REJECTED', 'WARN', 'AUDIT', 'WHAT IF RESTRICTED']];
      for (const n of end.namespaces) {
        const counts = [n.audited, n.rejected, n.warned, n.audits, n.restrictedWouldReject].map(String);
        rows.push([n.namespace, n.source, n.enforce, ...counts]);
      }
      const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
      for (const r of rows) lines.push('  ' + r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
      lines.push('');
    }
    lines.push(summaryLine(end));
    this.out.write(lines.join('\n') + '\n');
  }

  private write(text: string): void {
    this.written = true;
    this.out.write(text);
  }
}

/** The finding lines of one record (none for an allowed object without accepted or warn/audit findings). */
function recordLines(record: AuditRecord): string[] {
  const lines: string[] = [];
  if (record.dockerfile) {
    if (!record.result.allowed) lines.push(...dockerfileLines(record));
    return lines;
  }
  const where = `${record.file}:${record.location.line}: ${documentRef(record)} ${record.kind ?? '(no kind)'} ${objectName(record)}`;
  const ns = record.namespacePolicy;
  const rejected = ns?.podsRejected ? `its pods would be rejected by enforce (${ns.enforce.level}:${ns.enforce.version}): ` : '';
  if (record.result.malformed !== undefined) {
    lines.push(`${where}, pod: ${rejected}malformed: ${record.result.malformed}. Fix: make the manifest well formed (see the Kubernetes API reference).`);
  }
  for (const v of record.result.violations) {
    lines.push(`${where}, ${subjects(v)}: ${rejected}${v.check}: ${v.reason} (${v.detail}). Fix: ${v.fix}`);
  }
  for (const p of record.invalid ?? []) lines.push(`${where}: invalid (the API server would reject it): ${p.message}. Fix: ${p.fix}`);
  if (record.notEvaluable !== undefined) lines.push(`${where}: not evaluable: ${record.notEvaluable}`);
  for (const n of record.notes ?? []) lines.push(`${where}: note: ${n}`);
  for (const v of record.accepted ?? []) {
    const by = v.exemptions.map(e => `${e.id}${e.container ? ` (container ${JSON.stringify(e.container)})` : ''}: ${JSON.stringify(e.reason)}`).join(', ');
    lines.push(`${where}, ${subjects(v)}: ${v.check}: accepted (exemption ${by}): ${v.reason} (${v.detail})`);
  }
  for (const a of record.ambiguous ?? []) {
    lines.push(`${record.file}:${a.line}: ${documentRef(record)} ${record.kind ?? '(no kind)'} ${objectName(record)}, ${a.path}: warning: ambiguous YAML: ${a.detail}. Fix: ${AMBIGUITY_FIX}.`);
  }
  if (ns !== undefined) {
    for (const v of ns.warnings) lines.push(`${where}, ${subjects(v)}: warn (${ns.warn.level}:${ns.warn.version}): ${v.check}: ${v.reason} (${v.detail})`);
    for (const v of ns.audits) lines.push(`${where}, ${subjects(v)}: audit (${ns.audit.level}:${ns.audit.version}): ${v.check}: ${v.reason} (${v.detail})`);
  }
  return lines;
}

/** `Dockerfile:12: Dockerfile stage 1 "runtime": dockerfile-numeric-user: REASON (DETAIL). Fix: ...` */
function dockerfileLines(record: AuditRecord): string[] {
  if (record.result.malformed !== undefined) {
    return [`${record.file}:1: Dockerfile: malformed: ${record.result.malformed}. Fix: start the build with a FROM instruction.`];
  }
  return record.result.violations.map(v => {
    const f = v as DockerfileViolation;
    return `${record.file}:${f.line ?? record.location.line}: Dockerfile stage ${f.stage ?? '?'}${f.stageName ? ` "${f.stageName}"` : ''}: `
      + `${v.check}: ${v.reason} (${v.detail}). Fix: ${v.fix}`;
  });
}

/** `container "app"`, `containers "a", "b"`, `pod`, `pod, container "app"`. */
function subjects(v: Violation): string {
  const parts: string[] = [];
  const containers = v.containers ?? [];
  if (v.podLevel || containers.length === 0) parts.push('pod');
  if (containers.length === 1) parts.push(`container ${JSON.stringify(containers[0])}`);
  if (containers.length > 1) parts.push(`containers ${containers.map(c => JSON.stringify(c)).join(', ')}`);
  return parts.join(', ');
}

function summaryLine(end: AuditEnd): string {
  const s = end.summary;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const verdict = s.errors > 0 ? 'ERRORS' : s.denied > 0 ? 'DENIED' : s.invalid > 0 ? 'INVALID' : 'OK';
  const policy = end.namespaces !== undefined ? 'each namespace\'s policy' : `Pod Security Standards ${end.level} (policy ${end.version})`;
  const skipped = s.notEvaluable > 0
    ? `${s.skipped} skipped (${s.skipped - s.notEvaluable} no pod template, ${s.notEvaluable} not evaluable: no containers)`
    : `${s.skipped} skipped (no pod template)`;
  return `${verdict}: ${policy}: ${plural(s.objects, 'object')}: `
    + `${s.audited} audited (${s.allowed} allowed, ${s.denied} denied), ${skipped}; ${plural(s.errors, 'error')}`
    + (s.invalid > 0 ? `; ${s.invalid} invalid (the API server would reject ${s.invalid === 1 ? 'it' : 'them'})` : '')
    + (s.notKubernetes > 0 ? `; ${plural(s.notKubernetes, 'document')} not Kubernetes objects (no kind), not counted` : '')
    + (end.accepted > 0 ? `; ${plural(end.accepted, 'violation')} accepted through exemptions` : '')
    + (end.dockerfiles > 0 ? ` (the objects include ${plural(end.dockerfiles, 'Dockerfile')})` : '')
    + (end.yaml !== undefined ? `; YAML read as kubectl reads it: ${plural(end.yaml.ambiguous, 'ambiguous place')} (warnings), `
      + `${plural(end.yaml.otherDifferences, 'other YAML 1.1/1.2 difference')}` : '');
}
