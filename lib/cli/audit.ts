/**
 * `audit`: evaluates every object of the inputs with `PodSecurity.evaluate` and reports
 * the findings as text, JSON or SARIF.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { auditDockerfile } from './dockerfile';
import { CliIo, ExitCode, UsageError } from './io';
import { ManifestError, ManifestObject, ManifestSource } from './manifest-parser';
import { DEFAULT_MAX_BYTES, readManifests } from './manifest-reader';
import { AuditRecord, AuditReport } from './report';
import { formatJson } from './report-json';
import { formatSarif } from './report-sarif';
import { formatText } from './report-text';
import { RootlessAnnotations } from '../hardening/annotations';
import { declaredExemptions } from '../hardening/declared-exemptions';
import { PodSecurity, PolicyLevel } from '../policy';
import { podTemplateOf } from '../policy/k8s-shapes';
import type { EvaluationResult } from '../policy/types';

export type AuditFormat = 'text' | 'json' | 'sarif';

/** Options of `auditManifests`. */
export interface AuditOptions {
  readonly level: PolicyLevel;
  /** `latest` or `v1.N`. */
  readonly version: string;
  /** Inputs are resolved against it. */
  readonly cwd: string;
  /** Read for `-`. */
  readonly stdin: NodeJS.ReadableStream;
  /** Cap on one input's size. */
  readonly maxBytes?: number;
}

/**
 * Reads the inputs and evaluates every object. Throws `UsageError` when the level or
 * version is not valid; every problem with an input is in the report's `errors`.
 */
export async function auditManifests(inputs: readonly string[], options: AuditOptions): Promise<AuditReport> {
  const evaluateOptions = { level: options.level, version: options.version };
  const version = validatePolicy(options.level, options.version);
  const records: AuditRecord[] = [];
  const errors: ManifestError[] = [];
  let allowed = 0;
  let denied = 0;
  let skipped = 0;
  const dockerfile = (source: ManifestSource): void => {
    const record = dockerfileRecord(source, options.level, version);
    if (record.result.allowed) allowed++;
    else denied++;
    records.push(record);
  };
  await readManifests(inputs, { cwd: options.cwd, stdin: options.stdin, maxBytes: options.maxBytes, dockerfile }, {
    object(o: ManifestObject): void {
      const obj = o.object;
      // A mapping without `kind` (a Helm values.yaml, a Chart.yaml found while recursing) is
      // not a Kubernetes object: the API server refuses it, so it creates no pod. Skipped.
      const result = obj.kind === undefined || obj.kind === null
        ? { allowed: true, applicable: false, level: options.level, version, violations: [] }
        : withExemptionProblems(obj, evaluate(obj, evaluateOptions, version));
      if (!result.applicable) skipped++;
      else if (result.allowed) allowed++;
      else denied++;
      const meta = obj.metadata as Record<string, unknown> | null | undefined;
      const isObject = typeof meta === 'object' && meta !== null;
      records.push({
        file: o.source.name,
        uri: o.source.uri,
        index: o.index,
        item: o.item,
        apiVersion: stringOrNull(obj.apiVersion),
        kind: stringOrNull(obj.kind),
        namespace: isObject ? stringOrNull(meta.namespace) : null,
        name: isObject ? stringOrNull(meta.name) : null,
        location: o.location,
        result,
      });
    },
    error(e: ManifestError): void {
      errors.push(e);
    },
  });
  return {
    level: options.level,
    version,
    summary: {
      objects: records.length,
      audited: allowed + denied,
      allowed,
      denied,
      skipped,
      errors: errors.length,
    },
    records,
    errors,
  };
}

/**
 * The audit record of a Dockerfile: the image checks' findings as violations of the restricted
 * level (an image user that is root, or that the kubelet cannot verify, fails `runAsNonRoot`).
 */
export function dockerfileRecord(source: ManifestSource, level: PolicyLevel, version: string): AuditRecord {
  const audit = auditDockerfile(source.text);
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

/** The rule of declared exemptions without a real reason (e.g. the `TODO:` placeholders `harden` writes). */
export const EXEMPTION_RULE_ID = 'rootless-exemption';

/**
 * Adds a violation for every entry of the pod template's `rootless.cdk8s.io/exemptions`
 * annotation that has no real reason (a placeholder, too short) or is malformed: such an
 * exemption was never confirmed by a human, so the object fails at every level until it is.
 */
function withExemptionProblems(obj: unknown, result: EvaluationResult): EvaluationResult {
  if (!result.applicable || podTemplateOf(obj)?.metadata?.annotations?.[RootlessAnnotations.EXEMPTIONS] === undefined) return result;
  const { problems } = declaredExemptions(obj);
  if (problems.length === 0) return result;
  return {
    ...result,
    allowed: false,
    violations: [...result.violations, ...problems.map(detail => ({
      check: EXEMPTION_RULE_ID,
      level: result.level,
      reason: 'exemption not confirmed',
      detail,
      fix: `Write the real reason into the ${RootlessAnnotations.EXEMPTIONS} annotation of the pod template, or remove the exemption and fix what it exempts.`,
      podLevel: true,
    }))],
  };
}

/** Checks a level and version with the engine; returns the concrete version (`latest` resolved). */
function validatePolicy(level: PolicyLevel, version: string): string {
  try {
    return PodSecurity.evaluate({}, { level, version }).version;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** `PodSecurity.evaluate`, which never throws for a manifest; should it, the object is reported as malformed. */
function evaluate(obj: unknown, options: { level: PolicyLevel; version: string }, version: string): EvaluationResult {
  try {
    return PodSecurity.evaluate(obj, options);
  } catch (e) {
    return {
      allowed: false,
      applicable: true,
      level: options.level,
      version,
      violations: [],
      malformed: `the policy engine failed on this object: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** The exit code of a report: 2 when an input could not be read or parsed, else 1 when something is denied, else 0. */
export function exitCodeOf(report: AuditReport): ExitCode {
  if (report.summary.errors > 0) return ExitCode.ERROR;
  if (report.summary.denied > 0) return ExitCode.DENIED;
  return ExitCode.OK;
}

/** Formats a report. */
export function formatReport(report: AuditReport, format: AuditFormat, cwd: string): string {
  switch (format) {
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, { cwd });
    default:
      return formatText(report);
  }
}

/** Context a command gets from the program. */
export interface CommandContext {
  readonly io: CliIo;
  readonly cwd: string;
  /** Records the command's exit code. */
  setExitCode(code: ExitCode): void;
}

/** Parses `--max-bytes`: bytes, or with a `K`/`M`/`G` (or `Ki`/`Mi`/`Gi`) suffix (powers of 1024). */
export function parseByteSize(value: string): number {
  const match = /^(\d+)\s*(?:([KMG])i?B?)?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError('Expected a number of bytes, e.g. 1048576, 512Ki, 64Mi or 1Gi.');
  const unit = (match[2] ?? '').toUpperCase();
  const bytes = Number(match[1]) * (unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new InvalidArgumentError('Expected a positive size.');
  return bytes;
}

/** Adds `audit` to the program. */
export function registerAuditCommand(program: Command, ctx: CommandContext): void {
  program
    .command('audit')
    .summary('audit Kubernetes manifests against the Pod Security Standards')
    .description(
      'Evaluates every pod and pod template (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, '
      + 'ReplicationController, Job, CronJob, PodTemplate) in the given manifests as the '
      + 'PodSecurity admission controller would, and reports each violation with a fix. '
      + 'Reads multi-document YAML, JSON, `kind: List` (kubectl get -o json|yaml) and Helm template output.',
    )
    .argument('[paths...]', 'manifest files, Dockerfiles or folders (recursing into *.yaml, *.yml, *.json and Dockerfile, Containerfile, '
      + '*.Dockerfile, Dockerfile.*); - reads standard input')
    .addOption(new Option('-l, --level <level>', 'Pod Security Standards level to enforce').choices(['restricted', 'baseline']).default('restricted'))
    .addOption(new Option('--version <version>', 'policy version: latest or v1.N (as the enforce-version namespace label)').default('latest'))
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--max-bytes <size>', 'largest input read, in bytes (suffixes Ki, Mi, Gi)').argParser(parseByteSize).default(DEFAULT_MAX_BYTES, '256Mi'))
    .addHelpText('after', [
      '',
      'Text findings read FILE:LINE: doc N [items[M]] KIND NAMESPACE/NAME, CONTAINERS: CHECK: REASON (DETAIL). Fix: ...',
      '(N and M count from 0; LINE is where the document or List item starts).',
      '',
      'Dockerfiles: the final stage must end with a numeric, non-zero USER (e.g. USER 10001:10001); a user name',
      'cannot be verified by the kubelet under runAsNonRoot. Findings read FILE:LINE: Dockerfile stage N ["NAME"]: CHECK: ...',
      '(LINE is the USER instruction, or the final FROM when no USER applies). Checked at --level restricted.',
      '',
      'Exit codes: 0 nothing denied, 1 something denied, 2 an input could not be read or parsed',
      '(the other inputs are still audited and reported) or invalid usage.',
      '',
      'Examples:',
      '  $ cdk8s-rootless audit dist/',
      '  $ helm template my-release ./chart | cdk8s-rootless audit -',
      '  $ kubectl get pods -A -o json | kubectl rootless audit - --level baseline',
      '  $ cdk8s-rootless audit k8s/ --format sarif > pss.sarif',
      '  $ cdk8s-rootless audit Dockerfile k8s/',
      '',
    ].join('\n'))
    .action(async (paths: string[], opts: { level: string; version: string; format: AuditFormat; maxBytes: number }) => {
      validatePolicy(opts.level as PolicyLevel, opts.version);
      if (paths.length === 0) {
        throw new UsageError('no input: give one or more files or folders, or - to read standard input');
      }
      const report = await auditManifests(paths, {
        level: opts.level as PolicyLevel,
        version: opts.version,
        cwd: ctx.cwd,
        stdin: ctx.io.stdin,
        maxBytes: opts.maxBytes,
      });
      ctx.io.stdout.write(formatReport(report, opts.format, ctx.cwd));
      if (opts.format !== 'text') {
        for (const e of report.errors) ctx.io.stderr.write(`error: ${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ${e.message}\n`);
      }
      ctx.setExitCode(exitCodeOf(report));
    });
}
