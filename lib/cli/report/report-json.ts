/**
 * Machine-readable audit report, written as the objects are audited:
 *
 *   { results: [{ file, line, index, item?, apiVersion, kind, namespace, name, applicable, allowed, level, version,
 *                 violations, malformed?, notEvaluable?, invalid?, schema?, notes?, accepted?, ambiguous?, namespacePolicy? }],
 *     errors: [{ file, line?, index?, message }],
 *     summary: { objects, audited, allowed, denied, skipped, notEvaluable, invalid, notKubernetes, errors, level, version,
 *                accepted?, ambiguousYaml?, yamlDifferences? },
 *     namespaces?: [{ namespace, source, enforce, warn, audit, audited, rejected, warned, audits, restrictedWouldReject }] }
 *
 * `results` holds every object read (skipped ones with `applicable: false`; documents without `kind`
 * are not objects and are only counted, `notKubernetes`), in input order; `invalid` lists why the API
 * server would reject an object (each: code, path, message, fix);
 * the summary comes last because it is known last. `line` is where the object's document, or
 * its List item, starts. A Dockerfile is a result of kind `Dockerfile` with `stages` (each: index,
 * name, from, fromStage, line, user, resolvedUser, userLine, userOrigin); its violations carry
 * `line`, `stage` and `stageName`. With `--exemptions honor`, `accepted` lists the violations
 * declared exemptions cover, each with its `exemptions` (id, container, reason). With
 * `--by-namespace`, `level` and `version` are the namespace's enforce policy and `namespacePolicy`
 * says where it came from, with the warn and audit findings. Errors are kept until the end (they
 * are few); results are not kept.
 */
import { AuditEnd, AuditRecord, ReportWriter } from './report';
import type { ManifestError } from '../../manifests/manifest-objects';

/**
 * Results are written in chunks of about this many characters rather than one write per object: to a
 * file, standard output is written synchronously, one system call per write (bench/profile.js:
 * 10,000 objects, a fifth of the audit of a JSON List was these writes). Memory stays bounded.
 */
const CHUNK = 64 * 1024;

/** The JSON reporter (see the file comment). */
export class JsonReportWriter implements ReportWriter {
  private first = true;
  private readonly errors: ManifestError[] = [];
  private pending = '';

  constructor(private readonly out: { write(chunk: string): unknown }) {
    out.write('{"results":[');
  }

  public record(r: AuditRecord): void {
    const result = r.result;
    const json = JSON.stringify({
      file: r.file,
      line: r.location.line,
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
      notEvaluable: r.notEvaluable,
      invalid: r.invalid,
      schema: r.schema,
      notes: r.notes,
      accepted: r.accepted,
      ambiguous: r.ambiguous,
      namespacePolicy: r.namespacePolicy,
      stages: r.dockerfile?.stages,
    });
    this.pending += this.first ? json : ',' + json;
    this.first = false;
    if (this.pending.length >= CHUNK) {
      this.out.write(this.pending);
      this.pending = '';
    }
  }

  public error(e: ManifestError): void {
    this.errors.push(e);
  }

  public end(end: AuditEnd): void {
    const errors = this.errors.map(e => ({ file: e.file, line: e.line, index: e.index, message: e.message }));
    // Compact: a machine format (pipe it through `jq` to read it).
    const pending = this.pending;
    this.pending = '';
    this.out.write(pending + '],"errors":' + JSON.stringify(errors) + ',"summary":' + JSON.stringify({
      ...end.summary,
      level: end.level,
      version: end.version,
      accepted: end.accepted > 0 ? end.accepted : undefined,
      ambiguousYaml: end.yaml?.ambiguous,
      yamlDifferences: end.yaml?.otherDifferences,
    }) + (end.namespaces !== undefined ? ',"namespaces":' + JSON.stringify(end.namespaces) : '') + '}\n');
  }
}
