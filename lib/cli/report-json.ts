/**
 * Machine-readable audit report:
 *
 *   { summary: { objects, audited, allowed, denied, skipped, errors, level, version },
 *     results: [{ file, line?, index, item?, apiVersion, kind, namespace, name, applicable, allowed, level, version, violations, malformed? }],
 *     errors: [{ file, line?, index?, message }] }
 *
 * `results` holds every object read (skipped ones with `applicable: false`), in input order.
 * A Dockerfile is a result of kind `Dockerfile` with `stages` (each: index, name, from,
 * fromStage, line, user, resolvedUser, userLine, userOrigin); its violations carry `line`,
 * `stage` and `stageName`.
 * `line` is where the object's document starts; it is left out for the items of a List
 * (`item` set), whose positions would cost a scan of the whole List text (text and SARIF
 * reports compute them for the denied items).
 */
import { AuditReport } from './report';

export function formatJson(report: AuditReport): string {
  const results = new Array<unknown>(report.records.length);
  for (let i = 0; i < report.records.length; i++) {
    const r = report.records[i];
    const result = r.result;
    results[i] = {
      file: r.file,
      line: r.item === undefined ? r.location.line : undefined,
      index: r.index,
      item: r.item,
      apiVersion: r.apiVersion,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      applicable: result.applicable,
      allowed: result.allowed,
      level: result.level,
      version: result.version,
      violations: result.violations,
      malformed: result.malformed,
      stages: r.dockerfile?.stages,
    };
  }
  const errors = report.errors.map(e => ({ file: e.file, line: e.line, index: e.index, message: e.message }));
  // Compact: a machine format (pipe it through `jq` to read it); a third smaller and faster
  // to write than indented JSON for large audits.
  return JSON.stringify({
    summary: { ...report.summary, level: report.level, version: report.version },
    results,
    errors,
  }) + '\n';
}
