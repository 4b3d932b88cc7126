/**
 * `audit`: evaluates every object of the inputs with `PodSecurity.evaluate` and reports
 * the findings as text, JSON or SARIF, as the objects are read (inputs are streamed: see
 * `manifest-stream.ts`). This module is the command: its options, the report writer of each
 * format, progress on a terminal and the exit code. The run over the inputs is
 * `audit-manifests.ts`, the verdict on one object `audit-judge.ts`, `--by-namespace`
 * `audit-namespaces.ts`.
 */
import type { Command } from 'commander';
import { validatePolicy } from './audit-judge';
import { auditManifests } from './audit-manifests';
import { PolicyLevel } from '../../policy';
import { CliIo, ExitCode, UsageError } from '../io';
import { commander, namespaces, reportJson, reportSarif } from '../lazy';
import { DEFAULT_MAX_BYTES, ReadProgress } from '../manifest-reader';
import { AuditEnd, DEFAULT_SARIF_CATEGORY, ReportWriter } from '../report/report';
import type { SarifOptions } from '../report/report-sarif';
import { TextReportWriter } from '../report/report-text';

export type AuditFormat = 'text' | 'json' | 'sarif';

/**
 * The exit code of a report: 2 when an input could not be read or parsed, else 1 when something is
 * denied or invalid (the API server would reject it), or, with `strict`, when the YAML of an object is
 * ambiguous, else 0.
 */
export function exitCodeOf(end: Pick<AuditEnd, 'summary'> & Partial<Pick<AuditEnd, 'yaml'>>, strict = false): ExitCode {
  if (end.summary.errors > 0) return ExitCode.ERROR;
  if (end.summary.denied > 0 || end.summary.invalid > 0) return ExitCode.DENIED;
  if (strict && (end.yaml?.ambiguous ?? 0) > 0) return ExitCode.DENIED;
  return ExitCode.OK;
}

/** The reporter of a format, writing to `out`. */
export function reportWriter(format: AuditFormat, out: { write(chunk: string): unknown }, cwd: string, sarif: Omit<SarifOptions, 'cwd'> = {}): ReportWriter {
  switch (format) {
    case 'json':
      return new (reportJson().JsonReportWriter)(out);
    case 'sarif':
      return new (reportSarif().SarifReportWriter)(out, { ...sarif, cwd });
    default:
      return new TextReportWriter(out);
  }
}

/** Context a command gets from the program. */
export interface CommandContext {
  readonly io: CliIo;
  readonly cwd: string;
  /** Records the command's exit code (`ExitCode`; `harden`: `HardenExitCode`). */
  setExitCode(code: number): void;
}

/** Parses `--max-bytes`: bytes, or with a `K`/`M`/`G` (or `Ki`/`Mi`/`Gi`) suffix (powers of 1024). */
export function parseByteSize(value: string): number {
  const match = /^(\d+)\s*(?:([KMG])i?B?)?$/i.exec(value.trim());
  if (!match) throw new (commander().InvalidArgumentError)('Expected a number of bytes, e.g. 1048576, 512Ki, 64Mi or 1Gi.');
  const unit = (match[2] ?? '').toUpperCase();
  const bytes = Number(match[1]) * (unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new (commander().InvalidArgumentError)('Expected a positive size.');
  return bytes;
}

/** The options of `audit`, as commander gives them to its action. */
export interface AuditOptions {
  readonly level: string;
  readonly version: string;
  readonly format: AuditFormat;
  readonly maxBytes: number;
  readonly exemptions: 'honor' | 'ignore';
  readonly byNamespace?: boolean;
  readonly admissionConfig?: string;
  readonly strict?: boolean;
  readonly sarifRoot?: string;
  readonly stdinPath?: string;
  readonly sarifCategory: string;
  readonly quiet?: boolean;
}

/**
 * The options of `audit` when none is given: the defaults of the commander options below (they are
 * declared with these values) and what `audit PATH...` runs with.
 */
export const AUDIT_DEFAULTS: Readonly<Pick<AuditOptions, 'level' | 'version' | 'format' | 'maxBytes' | 'exemptions' | 'sarifCategory'>> = Object.freeze({
  level: 'restricted',
  version: 'latest',
  format: 'text',
  maxBytes: DEFAULT_MAX_BYTES,
  exemptions: 'ignore',
  sarifCategory: DEFAULT_SARIF_CATEGORY,
});

/**
 * The paths of `audit PATH...` with no option (each argument after `audit` is an operand: `-` or
 * does not start with `-`), else undefined. The program runs such a command line without building
 * the commander program (issue 23: start-up; commander loads `child_process` and its help texts),
 * with AUDIT_DEFAULTS, as commander would (test/cli/audit/plain-audit.test.ts compares them).
 */
export function plainAuditPaths(argv: readonly string[]): string[] | undefined {
  if (argv.length < 2 || argv[0] !== 'audit') return undefined;
  const paths = argv.slice(1);
  return paths.every(a => a === '-' || !a.startsWith('-')) ? paths : undefined;
}

/**
 * Adds `audit` to the program.
 *
 * @param action what the command runs (tests pass a spy)
 * @default action runAudit
 */
export function registerAuditCommand(
  program: Command,
  ctx: CommandContext,
  action: (paths: string[], opts: AuditOptions, ctx: CommandContext) => Promise<void> = runAudit,
): void {
  const { Option } = commander();
  program
    .command('audit')
    .summary('audit Kubernetes manifests against the Pod Security Standards')
    .description(
      'Evaluates every pod and pod template (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, '
      + 'ReplicationController, Job, CronJob, PodTemplate) in the given manifests as the '
      + 'PodSecurity admission controller would, and reports each violation with a fix. '
      + 'Reads multi-document YAML, JSON, `kind: List` (kubectl get -o json|yaml) and Helm template output, '
      + 'streamed object by object (a whole cluster\'s `kubectl get pods -A -o json` included).',
    )
    .argument('[paths...]', 'manifest files, Dockerfiles or folders (recursing into *.yaml, *.yml, *.json and Dockerfile, Containerfile, '
      + '*.Dockerfile, Dockerfile.*); - reads standard input')
    .addOption(new Option('-l, --level <level>', 'Pod Security Standards level to enforce (with --by-namespace: for namespaces without labels)').choices(['restricted', 'baseline']).default(AUDIT_DEFAULTS.level))
    .addOption(new Option('--version <version>', 'policy version: latest or v1.N (as the enforce-version namespace label)').default(AUDIT_DEFAULTS.version))
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'sarif']).default(AUDIT_DEFAULTS.format))
    .addOption(new Option('--max-bytes <size>', 'largest YAML document or List item read, in bytes (suffixes Ki, Mi, Gi); a larger one is an error and skipped')
      .argParser(parseByteSize).default(AUDIT_DEFAULTS.maxBytes, '256Mi'))
    .addOption(new Option('--exemptions <mode>', 'ignore: declared exemptions never make a violation pass (as PodSecurity admission); '
      + 'honor: violations a valid rootless.cdk8s.io/exemptions entry covers are accepted findings').choices(['ignore', 'honor']).default(AUDIT_DEFAULTS.exemptions))
    .addOption(new Option('--by-namespace', 'judge each object at its namespace\'s pod-security.kubernetes.io labels (include the Namespaces: kubectl get ns,pods -A -o json)'))
    .addOption(new Option('--admission-config <file>', 'with --by-namespace: the API server\'s PodSecurityConfiguration (defaults per mode, exempt namespaces and runtime classes) for namespaces without labels'))
    .addOption(new Option('--strict', 'exit 1 also when YAML is ambiguous: read otherwise by a YAML 1.2 reader than by kubectl at a field the rules read, '
      + 'or through a << merge key (without it, a warning)'))
    .addOption(new Option('--sarif-root <dir>', 'with --format sarif: the repository root the result URIs are relative to (default: the git top-level of the working directory, else the working directory)'))
    .addOption(new Option('--stdin-path <path>', 'with --format sarif: the file in the repository that standard input holds (default: none; its results then have logical locations only)'))
    .addOption(new Option('--sarif-category <category>', 'with --format sarif: the automationDetails category (one per analysis of the same commit)').default(AUDIT_DEFAULTS.sarifCategory))
    .addOption(new Option('-q, --quiet', 'no progress on standard error'))
    .addHelpText('after', [
      '',
      'Text findings read FILE:LINE: doc N [items[M]] KIND NAMESPACE/NAME, CONTAINERS: CHECK: REASON (DETAIL). Fix: ...',
      '(N and M count from 0; LINE is where the document or List item starts).',
      '',
      'Dockerfiles: the final stage must end with a numeric, non-zero USER (e.g. USER 10001:10001); a user name',
      'cannot be verified by the kubelet under runAsNonRoot. Findings read FILE:LINE: Dockerfile stage N ["NAME"]: CHECK: ...',
      '(LINE is the USER instruction, or the final FROM when no USER applies). Checked at --level restricted.',
      '',
      'YAML is read as kubectl reads it (go-yaml v2: << merges in document order, the last of duplicate keys, YAML 1.1',
      'scalars such as yes and 0644). Where a YAML 1.2 reader would read a field the rules read otherwise, or a << merge',
      'key, the object gets a warning "ambiguous YAML" (with --strict: exit 1).',
      '',
      'Exit codes: 0 nothing denied, 1 something denied or invalid (the API server would reject it), 2 an input could not be read or parsed',
      '(the other inputs are still audited and reported), no manifests found, or invalid usage. With --strict, ambiguous YAML exits 1.',
      '',
      'Examples:',
      '  $ cdk8s-rootless audit dist/',
      '  $ helm template my-release ./chart | cdk8s-rootless audit -',
      '  $ kubectl get pods -A -o json | kubectl rootless audit - --level baseline',
      '  $ kubectl get ns,pods -A -o json | kubectl rootless audit - --by-namespace',
      '  $ cdk8s-rootless audit k8s/ --format sarif > pss.sarif',
      '  $ helm template web ./chart | cdk8s-rootless audit - --format sarif --stdin-path chart/rendered.yaml > pss.sarif',
      '  $ cdk8s-rootless audit Dockerfile k8s/',
      '',
    ].join('\n'))
    .action((paths: string[], opts: AuditOptions) => action(paths, opts, ctx));
}

/** Runs `audit` on `paths` with `opts` (the action of the command). */
export async function runAudit(paths: string[], opts: AuditOptions, ctx: CommandContext): Promise<void> {
  const version = validatePolicy(opts.level as PolicyLevel, opts.version);
  if (paths.length === 0) {
    throw new UsageError('no input: give one or more files or folders, or - to read standard input');
  }
  if (opts.admissionConfig !== undefined && !opts.byNamespace) throw new UsageError('--admission-config is read with --by-namespace only');
  if (opts.version !== 'latest' && version !== opts.version) {
    ctx.io.stderr.write(`warning: --version ${opts.version} is newer than the newest policy version this tool knows: auditing at ${version} `
      + '(PodSecurity admission also treats future versions as the latest it knows)\n');
  }
  // the SARIF module checks its options (also that they are not given without --format sarif)
  const sarifGiven = opts.format === 'sarif' || opts.sarifRoot !== undefined || opts.stdinPath !== undefined || opts.sarifCategory !== DEFAULT_SARIF_CATEGORY;
  const sarif = sarifGiven ? reportSarif().sarifOptions(opts, paths, ctx.cwd) : {};
  const cluster = opts.admissionConfig !== undefined ? namespaces().readAdmissionConfig(opts.admissionConfig, ctx.cwd) : undefined;
  const progress = !opts.quiet && ctx.io.stderr.isTTY === true ? new Progress(ctx.io.stderr) : undefined;
  const end = await auditManifests(paths, {
    level: opts.level as PolicyLevel,
    version: opts.version,
    cwd: ctx.cwd,
    get stdin() { return ctx.io.stdin; }, // read only for `-` (processIo: process.stdin on first use)
    maxBytes: opts.maxBytes,
    exemptions: opts.exemptions,
    byNamespace: opts.byNamespace === true,
    cluster,
    writer: reportWriter(opts.format, ctx.io.stdout, ctx.cwd, sarif),
    progress: progress ? (p, n) => progress.update(p, n) : undefined,
    stderr: ctx.io.stderr,
  });
  progress?.clear();
  if (opts.format !== 'text') {
    for (const e of end.errors) ctx.io.stderr.write(`error: ${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ${e.message}\n`);
  }
  ctx.setExitCode(exitCodeOf(end, opts.strict === true));
}

/** Progress on a terminal's standard error: objects per second, and bytes read of the total when known. */
export class Progress {
  private readonly started = Date.now();
  private last = 0;
  private shown = false;

  constructor(private readonly out: { write(chunk: string): unknown }, private readonly everyMs = 500) {}

  public update(p: ReadProgress, objects: number): void {
    const now = Date.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;
    const bytes = p.total !== undefined ? `${mb(p.bytes)} of ${mb(p.total)} (${Math.floor((p.bytes / Math.max(p.total, 1)) * 100)}%)` : mb(p.bytes);
    this.out.write(`\r\x1b[2Kaudit: ${objects} objects (${Math.round(objects / seconds)}/s), ${p.name}: ${bytes} read`);
    this.shown = true;
  }

  public clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
  }
}
