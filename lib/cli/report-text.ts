/**
 * Human-readable audit report: one line per finding, then the errors, then a summary.
 *
 *   k8s/web.yaml:14: doc 2 Deployment shop/web, container "app": allowPrivilegeEscalation: allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false). Fix: ...
 */
import { AuditRecord, AuditReport, DockerfileViolation, documentRef, objectName } from './report';
import type { Violation } from '../policy/types';

export function formatText(report: AuditReport): string {
  const lines: string[] = [];
  for (const record of report.records) {
    if (record.result.allowed) continue;
    if (record.dockerfile) {
      lines.push(...dockerfileLines(record));
      continue;
    }
    const where = `${record.file}:${record.location.line}: ${documentRef(record)} ${record.kind ?? '(no kind)'} ${objectName(record)}`;
    if (record.result.malformed !== undefined) {
      lines.push(`${where}, pod: malformed: ${record.result.malformed}. Fix: make the manifest well formed (see the Kubernetes API reference).`);
    }
    for (const v of record.result.violations) {
      lines.push(`${where}, ${subjects(v)}: ${v.check}: ${v.reason} (${v.detail}). Fix: ${v.fix}`);
    }
  }
  for (const e of report.errors) {
    lines.push(`${e.file}${e.line !== undefined ? `:${e.line}` : ''}: error: ${e.message}`);
  }
  if (lines.length > 0) lines.push('');
  lines.push(summaryLine(report));
  return lines.join('\n') + '\n';
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

function summaryLine(report: AuditReport): string {
  const s = report.summary;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const dockerfiles = report.records.filter(r => r.dockerfile !== undefined).length;
  const verdict = s.errors > 0 ? 'ERRORS' : s.denied > 0 ? 'DENIED' : 'OK';
  return `${verdict}: Pod Security Standards ${report.level} (policy ${report.version}): ${plural(s.objects, 'object')}: `
    + `${s.audited} audited (${s.allowed} allowed, ${s.denied} denied), ${s.skipped} skipped (no pod template); ${plural(s.errors, 'error')}`
    + (dockerfiles > 0 ? ` (the objects include ${plural(dockerfiles, 'Dockerfile')})` : '');
}
