/**
 * `audit`: evaluates every object of the inputs with `PodSecurity.evaluate` and reports
 * the findings as text, JSON or SARIF, as the objects are read (inputs are streamed: see
 * `manifest-stream.ts`).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { auditDockerfile } from './dockerfile';
import { CliIo, ExitCode, UsageError } from './io';
import { ManifestError, ManifestObject, ManifestSource } from './manifest-parser';
import { DEFAULT_MAX_BYTES, ReadProgress, readManifests } from './manifest-reader';
import { ClusterPolicy, LevelVersion, Policy, commandLineDefaults, policyFromLabels, pssLabels, readAdmissionConfig, resolveVersion } from './namespaces';
import { AcceptedViolation, AuditEnd, AuditRecord, ModePolicy, NamespaceJudgement, NamespaceSummary, ReportWriter } from './report';
import { JsonReportWriter } from './report-json';
import { SarifReportWriter } from './report-sarif';
import { TextReportWriter } from './report-text';
import { RootlessAnnotations } from '../hardening/annotations';
import { declaredExemptions } from '../hardening/declared-exemptions';
import { judge as judgeManifest } from '../hardening/verify';
import { PodSecurity, PolicyLevel } from '../policy';
import { podTemplateOf } from '../policy/k8s-shapes';
import type { EvaluationResult, Violation } from '../policy/types';

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

const POD_KINDS_NAMESPACE = 'Namespace';

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
  let dockerfiles = 0;
  let accepted = 0;
  const add = (record: AuditRecord): void => {
    objects++;
    if (!record.result.applicable) skipped++;
    else if (record.result.allowed) allowed++;
    else denied++;
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
  const namespaces = options.byNamespace ? new Namespaces(options.cluster ?? commandLineDefaults(options.level, options.version), error) : undefined;
  if (namespaces !== undefined) {
    const files = inputs.filter(i => i !== '-');
    if (files.length > 0) {
      await readManifests(files, { cwd: options.cwd, stdin: options.stdin, maxBytes: options.maxBytes }, {
        object: o => namespaces.declare(o),
        error: () => undefined, // reported by the second pass
      });
    }
  }

  const judge = (obj: Record<string, unknown>, level: PolicyLevel, v: string): Judged =>
    judgeObject(obj, level, v, honor);

  const summary = await readManifests(inputs, {
    cwd: options.cwd,
    stdin: options.stdin,
    maxBytes: options.maxBytes,
    dockerfile,
    progress: options.progress ? p => options.progress!(p, objects) : undefined,
  }, {
    object(o: ManifestObject): void {
      const obj = o.object;
      const meta = obj.metadata as Record<string, unknown> | null | undefined;
      const isObject = typeof meta === 'object' && meta !== null;
      const namespace = isObject ? stringOrNull(meta.namespace) : null;
      const base = {
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
      };
      // A mapping without `kind` (a Helm values.yaml, a Chart.yaml found while recursing) is
      // not a Kubernetes object: the API server refuses it, so it creates no pod. Skipped.
      if (obj.kind === undefined || obj.kind === null) {
        add({ ...base, notKubernetes: true, result: { allowed: true, applicable: false, level: options.level, version, violations: [] } });
        return;
      }
      if (namespaces !== undefined) {
        if (obj.kind === POD_KINDS_NAMESPACE) namespaces.declare(o, true);
        const j = namespaces.judge(obj, namespace, judge);
        add({ ...base, result: j.result, accepted: j.accepted, namespacePolicy: j.judgement });
        return;
      }
      const j = judge(obj, options.level, options.version);
      add({ ...base, result: j.result, accepted: j.accepted });
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
    summary: { objects, audited: allowed + denied, allowed, denied, skipped, errors: errors.length },
    errors,
    dockerfiles,
    accepted,
    namespaces: namespaces?.summaries(),
  };
  writer.end(end);
  return end;
}

/** An evaluation, with the violations declared exemptions cover (`--exemptions honor`). */
export interface Judged {
  readonly result: EvaluationResult;
  readonly accepted?: AcceptedViolation[];
}

/**
 * Evaluates an object at a level and version; with `honor`, violations covered by the valid
 * exemptions declared in its pod template are accepted (decided as at synthesis: revert what the
 * exemptions permit and evaluate again; what survives is not covered). Exemption annotations with
 * problems are violations at every level (rule `rootless-exemption`).
 */
export function judgeObject(obj: unknown, level: PolicyLevel, version: string, honor: boolean): Judged {
  const evaluated = evaluate(obj, { level, version });
  const annotations = podTemplateOf(obj)?.metadata?.annotations;
  if (!evaluated.applicable || annotations?.[RootlessAnnotations.EXEMPTIONS] === undefined) return { result: evaluated };
  const declared = declaredExemptions(obj);
  let result = withExemptionProblems(evaluated, declared.problems);
  if (!honor || declared.exemptions.length === 0 || evaluated.violations.length === 0) return { result };
  const options = { level, version, rootlessRules: false };
  const left = new Set(judgeManifest(obj, declared.exemptions, options).uncovered.violations.map(v => v.check));
  const accepted: AcceptedViolation[] = [];
  const violations: Violation[] = [];
  let byExemption: Set<string>[] | undefined;
  for (const v of result.violations) {
    if (left.has(v.check) || v.check === EXEMPTION_RULE_ID) {
      violations.push(v);
      continue;
    }
    // which exemptions cover it: those whose own revert removes the violation (else all of them)
    byExemption ??= declared.exemptions.map(e => {
      const remaining = new Set(judgeManifest(obj, [e], options).uncovered.violations.map(x => x.check));
      return new Set(evaluated.violations.map(x => x.check).filter(c => !remaining.has(c)));
    });
    const covering = declared.exemptions.filter((_, i) => byExemption![i].has(v.check));
    accepted.push({
      ...v,
      exemptions: (covering.length > 0 ? covering : declared.exemptions).map(e => ({ id: e.kind, container: e.container ?? null, reason: e.reason })),
    });
  }
  result = { ...result, violations, allowed: violations.length === 0 && result.malformed === undefined };
  return { result, accepted };
}

/** The Namespaces of the input and the judgement of each object at its namespace's policy. */
class Namespaces {
  private readonly known = new Map<string, { labels: string; where: string; policy: Policy; problems: string[]; fromStdin: boolean }>();
  /** Namespaces judged at the defaults because their Namespace had not been read yet (stdin). */
  private readonly judgedEarly = new Map<string, string>();
  private readonly missing = new Set<string>();
  private readonly counts = new Map<string, { source: NamespaceJudgement['source']; policy: Policy; audited: number; rejected: number; warned: number; audits: number; restricted: number }>();

  constructor(private readonly cluster: ClusterPolicy, private readonly error: (e: ManifestError) => void) {}

  /** Records a Namespace object (the first pass, or the second for standard input). */
  public declare(o: ManifestObject, secondPass = false): void {
    const obj = o.object;
    if (obj.kind !== POD_KINDS_NAMESPACE) return;
    const name = stringOrNull((obj.metadata as any)?.name);
    if (name === null) return;
    const stdin = o.source.uri === 'stdin';
    if (secondPass && !stdin) return; // files: read in the first pass
    const labels = (obj.metadata as any)?.labels;
    const where = `${o.source.name}:${o.location.line}`;
    const previous = this.known.get(name);
    if (previous !== undefined) {
      if (previous.labels !== pssLabels(labels)) {
        this.error({
          file: o.source.name,
          uri: o.source.uri,
          line: o.location.line,
          index: o.index,
          message: `conflicting Namespace ${name}: its Pod Security labels here differ from those at ${previous.where}; the first is used. Fix: audit one dump of the cluster.`,
        });
      }
      return;
    }
    const early = this.judgedEarly.get(name);
    if (early !== undefined) {
      this.error({
        file: o.source.name,
        uri: o.source.uri,
        line: o.location.line,
        index: o.index,
        message: `Namespace ${name} comes after objects in it (the first at ${early}): on standard input Namespaces must come first, so those objects were judged at the cluster defaults. Fix: kubectl get ns,pods -A -o json writes Namespaces first; or audit a file, which may be in any order.`,
      });
    }
    const { policy, problems } = policyFromLabels(labels, this.cluster.defaults);
    for (const problem of problems) {
      this.error({ file: o.source.name, uri: o.source.uri, line: o.location.line, index: o.index, message: `Namespace ${name}: ${problem}` });
    }
    this.known.set(name, { labels: pssLabels(labels), where, policy, problems, fromStdin: stdin });
  }

  public judge(
    obj: Record<string, unknown>,
    namespace: string | null,
    judge: (obj: Record<string, unknown>, level: PolicyLevel, version: string) => Judged,
  ): Judged & { judgement?: NamespaceJudgement } {
    const ns = namespace ?? 'default'; // kubectl apply puts an object without a namespace there
    const known = this.known.get(ns);
    const runtimeClass = (podTemplateOf(obj)?.spec as any)?.runtimeClassName;
    const exempt = this.cluster.exemptNamespaces.has(ns) || (typeof runtimeClass === 'string' && this.cluster.exemptRuntimeClasses.has(runtimeClass));
    const source: NamespaceJudgement['source'] = exempt ? 'exempt' : known !== undefined && known.labels !== '[]' ? 'labels' : 'defaults';
    const policy = known?.policy ?? this.cluster.defaults;
    if (known === undefined && obj.kind !== POD_KINDS_NAMESPACE) {
      this.missing.add(ns);
      if (!this.judgedEarly.has(ns)) this.judgedEarly.set(ns, `${String(obj.kind)} ${String((obj.metadata as any)?.name)}`);
    }
    const mode = (m: LevelVersion): ModePolicy => ({ level: exempt ? PolicyLevel.PRIVILEGED : m.level, version: resolveVersion(m.version) });
    const enforce = mode(policy.enforce);
    const j = judge(obj, enforce.level, enforce.version);
    if (!j.result.applicable) return j;
    const warn = mode(policy.warn);
    const audit = mode(policy.audit);
    const same = (m: ModePolicy): boolean => m.level === enforce.level && m.version === enforce.version;
    const at = (m: ModePolicy): Violation[] => {
      if (m.level === PolicyLevel.PRIVILEGED) return [];
      return same(m) ? j.result.violations : judge(obj, m.level, m.version).result.violations;
    };
    const warnings = at(warn);
    const audits = at(audit);
    const latest = PodSecurity.latestVersion();
    const restrictedWouldReject = enforce.level === PolicyLevel.RESTRICTED && enforce.version === latest
      ? !j.result.allowed
      : !judge(obj, PolicyLevel.RESTRICTED, latest).result.allowed;
    const podsRejected = obj.kind !== 'Pod';
    const c = this.counts.get(ns) ?? { source, policy, audited: 0, rejected: 0, warned: 0, audits: 0, restricted: 0 };
    c.audited++;
    if (!j.result.allowed) c.rejected++;
    if (warnings.length > 0) c.warned++;
    if (audits.length > 0) c.audits++;
    if (restrictedWouldReject) c.restricted++;
    this.counts.set(ns, c);
    return { ...j, judgement: { namespace: ns, source, enforce, warn, audit, podsRejected, warnings, audits, restrictedWouldReject } };
  }

  public finish(stderr: { write(chunk: string): unknown } | undefined): void {
    const missing = [...this.missing].filter(n => !this.known.has(n));
    if (missing.length > 0 && stderr !== undefined) {
      stderr.write(`warning: --by-namespace: no Namespace object in the input for ${missing.length} namespace${missing.length === 1 ? '' : 's'} (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}): `
        + 'judged at the cluster defaults. Fix: include them: kubectl get ns,pods -A -o json\n');
    }
  }

  public summaries(): NamespaceSummary[] {
    const lv = (m: LevelVersion): string => `${m.level}:${m.version}`;
    return [...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([namespace, c]) => ({
      namespace,
      source: c.source,
      enforce: c.source === 'exempt' ? 'exempt' : lv(c.policy.enforce),
      warn: lv(c.policy.warn),
      audit: lv(c.policy.audit),
      audited: c.audited,
      rejected: c.rejected,
      warned: c.warned,
      audits: c.audits,
      restrictedWouldReject: c.restricted,
    }));
  }
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
 * Adds a violation for every problem of the pod template's `rootless.cdk8s.io/exemptions`
 * annotation (an entry without a real reason, a placeholder, malformed): such an exemption was
 * never confirmed by a human, so the object fails at every level until it is.
 */
function withExemptionProblems(result: EvaluationResult, problems: readonly string[]): EvaluationResult {
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
function evaluate(obj: unknown, options: { level: PolicyLevel; version: string }): EvaluationResult {
  try {
    return PodSecurity.evaluate(obj, options);
  } catch (e) {
    return {
      allowed: false,
      applicable: true,
      level: options.level,
      version: options.version,
      violations: [],
      malformed: `the policy engine failed on this object: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** The exit code of a report: 2 when an input could not be read or parsed, else 1 when something is denied, else 0. */
export function exitCodeOf(end: Pick<AuditEnd, 'summary'>): ExitCode {
  if (end.summary.errors > 0) return ExitCode.ERROR;
  if (end.summary.denied > 0) return ExitCode.DENIED;
  return ExitCode.OK;
}

/** The reporter of a format, writing to `out`. */
export function reportWriter(format: AuditFormat, out: { write(chunk: string): unknown }, cwd: string): ReportWriter {
  switch (format) {
    case 'json':
      return new JsonReportWriter(out);
    case 'sarif':
      return new SarifReportWriter(out, { cwd });
    default:
      return new TextReportWriter(out);
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
      + 'Reads multi-document YAML, JSON, `kind: List` (kubectl get -o json|yaml) and Helm template output, '
      + 'streamed object by object (a whole cluster\'s `kubectl get pods -A -o json` included).',
    )
    .argument('[paths...]', 'manifest files, Dockerfiles or folders (recursing into *.yaml, *.yml, *.json and Dockerfile, Containerfile, '
      + '*.Dockerfile, Dockerfile.*); - reads standard input')
    .addOption(new Option('-l, --level <level>', 'Pod Security Standards level to enforce (with --by-namespace: for namespaces without labels)').choices(['restricted', 'baseline']).default('restricted'))
    .addOption(new Option('--version <version>', 'policy version: latest or v1.N (as the enforce-version namespace label)').default('latest'))
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--max-bytes <size>', 'largest YAML document or List item read, in bytes (suffixes Ki, Mi, Gi); a larger one is an error and skipped')
      .argParser(parseByteSize).default(DEFAULT_MAX_BYTES, '256Mi'))
    .addOption(new Option('--exemptions <mode>', 'ignore: declared exemptions never make a violation pass (as PodSecurity admission); '
      + 'honor: violations a valid rootless.cdk8s.io/exemptions entry covers are accepted findings').choices(['ignore', 'honor']).default('ignore'))
    .addOption(new Option('--by-namespace', 'judge each object at its namespace\'s pod-security.kubernetes.io labels (include the Namespaces: kubectl get ns,pods -A -o json)'))
    .addOption(new Option('--admission-config <file>', 'with --by-namespace: the API server\'s PodSecurityConfiguration (defaults per mode, exempt namespaces and runtime classes) for namespaces without labels'))
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
      'Exit codes: 0 nothing denied, 1 something denied, 2 an input could not be read or parsed',
      '(the other inputs are still audited and reported), no manifests found, or invalid usage.',
      '',
      'Examples:',
      '  $ cdk8s-rootless audit dist/',
      '  $ helm template my-release ./chart | cdk8s-rootless audit -',
      '  $ kubectl get pods -A -o json | kubectl rootless audit - --level baseline',
      '  $ kubectl get ns,pods -A -o json | kubectl rootless audit - --by-namespace',
      '  $ cdk8s-rootless audit k8s/ --format sarif > pss.sarif',
      '  $ cdk8s-rootless audit Dockerfile k8s/',
      '',
    ].join('\n'))
    .action(async (paths: string[], opts: {
      level: string;
      version: string;
      format: AuditFormat;
      maxBytes: number;
      exemptions: 'honor' | 'ignore';
      byNamespace?: boolean;
      admissionConfig?: string;
      quiet?: boolean;
    }) => {
      const version = validatePolicy(opts.level as PolicyLevel, opts.version);
      if (paths.length === 0) {
        throw new UsageError('no input: give one or more files or folders, or - to read standard input');
      }
      if (opts.admissionConfig !== undefined && !opts.byNamespace) throw new UsageError('--admission-config is read with --by-namespace only');
      if (opts.version !== 'latest' && version !== opts.version) {
        ctx.io.stderr.write(`warning: --version ${opts.version} is newer than the newest policy version this tool knows: auditing at ${version} `
          + '(PodSecurity admission also treats future versions as the latest it knows)\n');
      }
      const cluster = opts.admissionConfig !== undefined ? readAdmissionConfig(opts.admissionConfig, ctx.cwd) : undefined;
      const progress = !opts.quiet && ctx.io.stderr.isTTY === true ? new Progress(ctx.io.stderr) : undefined;
      const end = await auditManifests(paths, {
        level: opts.level as PolicyLevel,
        version: opts.version,
        cwd: ctx.cwd,
        stdin: ctx.io.stdin,
        maxBytes: opts.maxBytes,
        exemptions: opts.exemptions,
        byNamespace: opts.byNamespace === true,
        cluster,
        writer: reportWriter(opts.format, ctx.io.stdout, ctx.cwd),
        progress: progress ? (p, n) => progress.update(p, n) : undefined,
        stderr: ctx.io.stderr,
      });
      progress?.clear();
      if (opts.format !== 'text') {
        for (const e of end.errors) ctx.io.stderr.write(`error: ${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ${e.message}\n`);
      }
      ctx.setExitCode(exitCodeOf(end));
    });
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
