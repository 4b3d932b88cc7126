/**
 * The run of `audit` over its inputs: reads them (streamed, see `manifest-reader.ts`), judges
 * every object (`audit-judge.ts`; with `--by-namespace` at its namespace's policy,
 * `audit-namespaces.ts`) and every Dockerfile, writes each record to the report as it is produced,
 * and ends the report with the counts.
 */
import { judgeObject, Judged, objectFindings, validatePolicy, withoutContainers } from './audit-judge';
import { ManifestError, ManifestObject, ManifestSource } from '../../manifests/manifest-objects';
import { classifyDifferences } from '../../manifests/yaml-differences';
import { PolicyLevel } from '../../policy';
import { auditNamespaces, dockerfile as dockerfileChecks, namespaces as namespacePolicies } from '../lazy';
import { ReadProgress, readManifests } from '../manifest-reader';
import type { ClusterPolicy } from './namespaces';
import { AuditEnd, AuditRecord, ReportWriter } from '../report/report';

/** Options of `auditManifests`. */
export interface AuditOptions {
  readonly level: PolicyLevel;
  /** `latest` or `v1.N`. */
  readonly version: string;
  /** Inputs are resolved against it. */
  readonly cwd: string;
  /** Read for `-`. */
  readonly stdin: NodeJS.ReadableStream;
  /** Cap on one document or List item. */
  readonly maxBytes?: number;
  /** `honor`: violations covered by valid declared exemptions are accepted. Default `ignore` (as PodSecurity admission). */
  readonly exemptions?: 'honor' | 'ignore';
  /** Judge each object at its namespace's policy (see `namespaces.ts`). */
  readonly byNamespace?: boolean;
  /** With `byNamespace`: the cluster defaults and exemptions (default: from `level` and `version`). */
  readonly cluster?: ClusterPolicy;
  /** Where the report goes, as it is produced. */
  readonly writer: ReportWriter;
  /** Called after each chunk of a streamed input. */
  readonly progress?: (progress: ReadProgress, objects: number) => void;
  /** Diagnostics (warnings). */
  readonly stderr?: { write(chunk: string): unknown };
}

/**
 * Reads the inputs and evaluates every object, writing each result to `options.writer` as it
 * is produced. Throws `UsageError` when the level or version is not valid; every problem with an
 * input is an error of the report. Resolves to what the report ended with.
 */
export async function auditManifests(inputs: readonly string[], options: AuditOptions): Promise<AuditEnd> {
  const version = validatePolicy(options.level, options.version);
  const writer = options.writer;
  const honor = options.exemptions === 'honor';
  const errors: ManifestError[] = [];
  let objects = 0;
  let allowed = 0;
  let denied = 0;
  let skipped = 0;
  let notEvaluable = 0;
  let invalid = 0;
  let notKubernetes = 0;
  let dockerfiles = 0;
  let accepted = 0;
  let ambiguous = 0;
  let otherDifferences = 0;
  const add = (record: AuditRecord): void => {
    objects++;
    if (!record.result.applicable) skipped++;
    else if (record.result.allowed) allowed++;
    else denied++;
    if (record.notEvaluable !== undefined && !record.result.applicable) notEvaluable++;
    if ((record.invalid?.length ?? 0) > 0) invalid++;
    accepted += record.accepted?.length ?? 0;
    writer.record(record);
  };
  const error = (e: ManifestError): void => {
    errors.push(e);
    writer.error(e);
  };
  const dockerfile = (source: ManifestSource): void => {
    dockerfiles++;
    add(dockerfileRecord(source, options.level, version));
  };

  // --by-namespace: the Namespaces of files are read first (a file may be in any order);
  // on standard input they must come before the objects in them.
  const cluster = (): ClusterPolicy => options.cluster ?? namespacePolicies().commandLineDefaults(options.level, options.version);
  const namespaces = options.byNamespace ? new (auditNamespaces().Namespaces)(cluster(), error) : undefined;
  if (namespaces !== undefined) {
    const files = inputs.filter(i => i !== '-');
    if (files.length > 0) {
      await readManifests(files, { cwd: options.cwd, get stdin() { return options.stdin; }, maxBytes: options.maxBytes }, {
        object: o => namespaces.declare(o),
        error: () => undefined, // reported by the second pass
      });
    }
  }

  const judge = (obj: Record<string, unknown>, level: PolicyLevel, v: string): Judged =>
    judgeObject(obj, level, v, honor);

  const summary = await readManifests(inputs, {
    cwd: options.cwd,
    get stdin() { return options.stdin; }, // read only for `-`: process.stdin loads net/tty streams
    maxBytes: options.maxBytes,
    dockerfile,
    progress: options.progress ? p => options.progress!(p, objects) : undefined,
  }, {
    object(o: ManifestObject): void {
      const obj = o.object;
      const yaml = o.differences === undefined ? undefined : classifyDifferences(o.differences, obj.kind);
      ambiguous += yaml?.ambiguous.length ?? 0;
      otherDifferences += yaml?.others ?? 0;
      const meta = obj.metadata as Record<string, unknown> | null | undefined;
      const isObject = typeof meta === 'object' && meta !== null;
      const namespace = isObject ? stringOrNull(meta.namespace) : null;
      // A mapping without `kind` (a Helm values.yaml, a Chart.yaml found while recursing) is
      // not a Kubernetes object: the API server refuses it, so it creates no pod. Not an object: counted apart.
      // So is a kind that is not a non-empty string (`kind: 5`, `kind: ""`): kubectl cannot decode it.
      if (typeof obj.kind !== 'string' || obj.kind === '') {
        notKubernetes++;
        return;
      }
      // no containers (a kustomize patch): judged as admission judges it, an empty pod; allowed means not evaluable
      const empty = withoutContainers(obj);
      const findings = objectFindings(obj, empty !== undefined);
      const judged = empty?.judged ?? obj;
      const notApplicable = (j: Judged): Judged => empty !== undefined && j.result.allowed && j.result.violations.length === 0
        ? { ...j, result: { ...j.result, applicable: false } } : j;
      // one object literal, every field in the same order (no spread of partial records): every
      // record of a run has the same shape, which the reports read and JSON.stringify writes fast
      const record = (j: Judged, namespacePolicy?: AuditRecord['namespacePolicy']): AuditRecord => ({
        file: o.source.name,
        uri: o.source.uri,
        index: o.index,
        item: o.item,
        apiVersion: stringOrNull(obj.apiVersion),
        kind: stringOrNull(obj.kind),
        namespace,
        name: isObject ? stringOrNull(meta.name) : null,
        location: o.location,
        text: { text: o.source.text, start: o.range[0], end: o.range[1], line: o.rangeLine, path: o.path },
        ambiguous: yaml !== undefined && yaml.ambiguous.length > 0 ? yaml.ambiguous : undefined,
        invalid: findings.invalid.length > 0 ? findings.invalid : undefined,
        schema: findings.schema,
        notes: findings.notes.length > 0 ? findings.notes : undefined,
        notEvaluable: empty?.reason,
        result: j.result,
        accepted: j.accepted,
        namespacePolicy,
      });
      if (namespaces !== undefined) {
        namespaces.declare(o, true); // a Namespace on standard input
        const j = namespaces.judge(judged, namespace, (x, l, v) => notApplicable(judge(x, l, v)));
        add(record(j, j.judgement));
        return;
      }
      add(record(notApplicable(judge(judged, options.level, options.version))));
    },
    error,
  });
  if (summary.inputs === 0 && errors.length === 0) {
    error({ file: inputs.join(' '), uri: '', message: 'no manifests found: no input held a manifest file. Fix: point at the files or folders that hold the manifests.' });
  }
  namespaces?.finish(options.stderr);
  const end: AuditEnd = {
    level: options.level,
    version,
    summary: { objects, audited: allowed + denied, allowed, denied, skipped, notEvaluable, invalid, notKubernetes, errors: errors.length },
    errors,
    dockerfiles,
    accepted,
    yaml: ambiguous + otherDifferences > 0 ? { ambiguous, otherDifferences } : undefined,
    namespaces: namespaces?.summaries(),
  };
  writer.end(end);
  return end;
}

/**
 * The audit record of a Dockerfile: the image checks' findings as violations of the restricted
 * level (an image user that is root, or that the kubelet cannot verify, fails `runAsNonRoot`).
 */
export function dockerfileRecord(source: ManifestSource, level: PolicyLevel, version: string): AuditRecord {
  const audit = dockerfileChecks().auditDockerfile(source.text);
  const final = audit.stages[audit.stages.length - 1];
  const violations = level === PolicyLevel.RESTRICTED
    ? audit.findings.map(f => ({
      check: f.check,
      level: PolicyLevel.RESTRICTED,
      reason: f.reason,
      detail: f.detail,
      fix: f.fix,
      podLevel: false,
      line: f.line,
      stage: f.stage,
      stageName: f.stageName,
    }))
    : [];
  return {
    file: source.name,
    uri: source.uri,
    index: 0,
    apiVersion: null,
    kind: 'Dockerfile',
    namespace: null,
    name: final?.name ?? null,
    location: { line: audit.findings[0]?.line ?? final?.line ?? 1 },
    result: {
      allowed: audit.malformed === undefined && violations.length === 0,
      applicable: true,
      level,
      version,
      violations,
      malformed: audit.malformed,
    },
    dockerfile: audit,
  };
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
