/**
 * `harden`: applies the hardening of the constructs to existing manifests (Helm output,
 * kustomize builds, `kubectl get -o yaml` dumps): adds the secure defaults that are missing
 * (lib/hardening/defaults.ts, shared with the constructs), keeps every other byte, never
 * weakens a field that is already set, and is idempotent.
 *
 * What it cannot decide safely it reports with the fix instead of guessing (the adopt stage, lib/hardening/adopt/),
 * and exits 1 whenever something needs a human. With `--add-exemptions` it also declares
 * what needs an exemption (lib/hardening/adopt/needs.ts) in the pod template's `rootless.cdk8s.io/exemptions`
 * annotation with a `TODO:` reason, which the audit flags until a human replaces it.
 *
 * The text itself is handled by harden-text.ts (plan, apply, verify, read back as `audit`
 * reads it); this module is the command line.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type * as HardenTextModule from './harden-text';
import { isContainerName } from '../../exemptions/codec';
import { CLI_EXEMPTION_WORDS, exemptionsForField } from '../../hardening/adopt/hints';
import type { WritablePath } from '../../hardening/adopt/pod';
import { MAX_ID } from '../../hardening/defaults';
import { imagePatternProblem } from '../../hardening/image-ref';
import { PlacedNote, groupNotes } from '../../hardening/notes';
import { isNumericId, pathProblem } from '../../hardening/paths';
import { TokenFacts, tokenReasonProblem } from '../../hardening/token-rule';
import type { ImageUser, UserFor } from '../../hardening/user-rule';
import { ManifestError, ManifestSource } from '../../manifests/manifest-objects';
import { CommandContext, parseByteSize } from '../audit/audit';
import { HardenExitCode, UsageError } from '../io';
import { DEFAULT_MAX_BYTES, readManifests } from '../manifest-reader';

export type { HardenOptions, PodReport, WritablePath } from '../../hardening/adopt/pod';
export type { HardenResult, HardenedObject } from './harden-text';
type HardenResult = HardenTextModule.HardenResult;
type HardenTextOptions = HardenTextModule.HardenTextOptions;

let textModule: typeof HardenTextModule | undefined;
/** harden-text.ts and what it loads, on first use: every `cdk8s-rootless` run (an audit too) loads this module. */
function textModuleOf(): typeof HardenTextModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (textModule ??= require('./harden-text') as typeof HardenTextModule);
}

/** Hardens one manifest text (harden-text.ts). */
export function hardenText(text: string, options?: HardenTextOptions, used?: Set<WritablePath | UserFor>): HardenResult {
  return textModuleOf().hardenText(text, options, used);
}

/** The text report of one input (harden-text.ts). */
export function formatHardenReport(file: string, result: HardenResult): string {
  return textModuleOf().formatHardenReport(file, result);
}

/** Whether a result needs a human (harden-text.ts). */
export function needsHuman(result: HardenResult): boolean {
  return textModuleOf().needsHuman(result);
}

/** The exit code of one input (harden-text.ts, docs/cli.md). */
export function exitCodeOf(result: HardenResult): HardenExitCode {
  return textModuleOf().exitCodeOf(result);
}

/** Parses `--user` / `--group`: a numeric ID. */
function parseId(value: string): number {
  if (!/^\d+$/.test(value) || !isNumericId(Number(value))) throw new InvalidArgumentError(`Expected a numeric ID (0..${MAX_ID}), e.g. 10001.`);
  return Number(value);
}

/** Parses one `--token-reason NAMESPACE/NAME=REASON` and collects it. */
function parseTokenReason(value: string, previous: Map<string, string> = new Map()): Map<string, string> {
  const eq = value.indexOf('=');
  const key = eq > 0 ? value.slice(0, eq) : value;
  const reason = eq > 0 ? value.slice(eq + 1) : undefined;
  const problem = eq > 0 ? tokenReasonProblem(key, reason) : 'has no reason.';
  if (problem) throw new InvalidArgumentError(`${problem} Expected NAMESPACE/NAME=REASON, e.g. monitoring/metrics-server='reads node metrics through the API'.`);
  if (previous.has(key)) throw new InvalidArgumentError(`${key} is given twice. Expected one --token-reason per ServiceAccount.`);
  return new Map([...previous, [key, reason!]]);
}

/** Parses one `--writable-path [CONTAINER=]PATH` and collects it. */
function parseWritablePath(value: string, previous: WritablePath[] = []): WritablePath[] {
  const eq = value.indexOf('=');
  const container = eq > 0 && !value.slice(0, eq).includes('/') ? value.slice(0, eq) : undefined;
  const p = container !== undefined ? value.slice(eq + 1) : value;
  if (container !== undefined && !isContainerName(container)) {
    throw new InvalidArgumentError(`${JSON.stringify(container)} is not a container name (lower-case letters, digits and -, at most 63). Expected [CONTAINER=]PATH, e.g. web=/var/cache/nginx.`);
  }
  const problem = pathProblem(p, `make the whole root filesystem writable with ${exemptionsForField(CLI_EXEMPTION_WORDS, 'readOnlyRootFilesystem')} instead`);
  if (problem) throw new InvalidArgumentError(`${JSON.stringify(p)} ${problem}. Expected [CONTAINER=]PATH, e.g. /var/cache/nginx or web=/var/run.`);
  return [...previous, { container, path: p }];
}

/** A non-root numeric ID (`--user-for`, `--image-user`): 0 is root, which these flags never state. */
function nonRootId(value: string, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0 || !isNumericId(Number(value))) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a non-root numeric ${what} (1..${MAX_ID}).`);
  }
  return Number(value);
}

/** Parses one `--user-for KIND/NAMESPACE/NAME[/CONTAINER]=UID[:GID]` and collects it. */
function parseUserFor(value: string, previous: UserFor[] = []): UserFor[] {
  const eq = value.lastIndexOf('=');
  const parts = eq > 0 ? value.slice(0, eq).split('/') : [];
  const expected = 'Expected KIND/NAMESPACE/NAME[/CONTAINER]=UID[:GID], e.g. Deployment/shop/api=1000 or StatefulSet/shop/db/postgres=999 '
    + '(an object without metadata.namespace is in namespace default).';
  if (eq <= 0 || parts.length < 3 || parts.length > 4 || parts.some(p => p === '')) throw new InvalidArgumentError(expected);
  const [kind, namespace, name, container] = parts;
  if (container !== undefined && !isContainerName(container)) throw new InvalidArgumentError(`${JSON.stringify(container)} is not a container name. ${expected}`);
  const [uid, gid, ...rest] = value.slice(eq + 1).split(':');
  if (rest.length > 0) throw new InvalidArgumentError(expected);
  const user = nonRootId(uid, 'UID');
  const group = gid !== undefined ? nonRootId(gid, 'GID') : undefined;
  return [...previous, { kind, namespace, name, container, user, group, flag: `--user-for ${value}` }];
}

/** Parses one `--image-user PATTERN=UID` and collects it. */
function parseImageUser(value: string, previous: ImageUser[] = []): ImageUser[] {
  const eq = value.lastIndexOf('=');
  const pattern = eq > 0 ? value.slice(0, eq) : '';
  const problem = imagePatternProblem(pattern);
  if (eq <= 0 || problem) throw new InvalidArgumentError(`${eq <= 0 ? 'no =UID' : problem}. Expected PATTERN=UID, e.g. 'ghcr.io/acme/*=10001' (* matches any text).`);
  return [...previous, { pattern, user: nonRootId(value.slice(eq + 1), 'UID'), from: `--image-user ${value}` }];
}

/** Parses one `--non-root-image PATTERN` and collects it. */
function parseNonRootImage(value: string, previous: ImageUser[] = []): ImageUser[] {
  const problem = imagePatternProblem(value);
  if (problem) throw new InvalidArgumentError(`${problem}. Expected an image pattern, e.g. 'ghcr.io/acme/*' (* matches any text).`);
  return [...previous, { pattern: value, from: `--non-root-image ${value}` }];
}

interface HardenCommandOptions {
  readonly userFor?: UserFor[];
  readonly imageUser?: ImageUser[];
  readonly nonRootImage?: ImageUser[];
  readonly user?: number;
  readonly group?: number;
  readonly addExemptions?: boolean;
  readonly tokenReason?: Map<string, string>;
  readonly strictTokens?: boolean;
  readonly writablePath?: WritablePath[];
  readonly write?: boolean;
  readonly output?: string;
  readonly check?: boolean;
  readonly maxBytes: number;
}

/** Adds `harden` to the program. */
export function registerHardenCommand(program: Command, ctx: CommandContext): void {
  program
    .command('harden')
    .summary('add the missing restricted securityContext settings to existing manifests')
    .description(
      'Applies the hardening of the cdk8s-rootless constructs to existing manifests (Pod, Deployment, StatefulSet, DaemonSet, '
      + 'ReplicaSet, ReplicationController, Job, CronJob, PodTemplate; Lists; Helm output): adds what is missing, keeps every other '
      + 'byte (comments, anchors, order), never weakens what is set, and is idempotent. Reports what it cannot decide with the fix, '
      + 'and what still keeps each object from passing `audit --level restricted`.',
    )
    .argument('[paths...]', 'manifest files or folders (recursing into *.yaml, *.yml, *.json); - reads standard input')
    .option('--user <uid>', 'default numeric UID, for containers whose user is still unknown after the rule below (the image\'s numeric USER)', parseId)
    .option('--group <gid>', 'numeric GID with --user (default: the UID, as in the constructs)', parseId)
    .option('--user-for <kind/namespace/name[/container]=uid[:gid]>', 'the UID of one object\'s containers, or of one container (repeatable; before --image-user, presets and --user)', parseUserFor)
    .option('--image-user <pattern=uid>', 'the UID of the images a pattern matches, * matching any text, e.g. ghcr.io/acme/*=10001 (repeatable)', parseImageUser)
    .option('--non-root-image <pattern>', 'images whose numeric non-root USER you vouch for: runAsNonRoot without runAsUser is accepted (repeatable)', parseNonRootImage)
    .option('--add-exemptions', 'declare what needs a human as exemptions with TODO reasons (the audit fails until they are replaced)')
    .option('--token-reason <namespace/name=reason>', 'why the pods of a ServiceAccount call the Kubernetes API: their token is kept and declared with this reason '
      + `(${exemptionsForField(CLI_EXEMPTION_WORDS, 'automountServiceAccountToken')}; repeatable)`, parseTokenReason)
    .option('--strict-tokens', 'a token kept without a --token-reason is a finding (exit 1)')
    .option('--writable-path <[container=]path>', 'an emptyDir at PATH in every container with a read-only root filesystem, or only in CONTAINER (repeatable)', parseWritablePath)
    .option('-w, --write', 'rewrite the files in place (default: print the hardened manifests to standard output)')
    .option('-o, --output <file>', 'write the hardened manifests to this file')
    .option('--check', 'write nothing: report what harden would do, with the same exit code')
    .addOption(new Option('--max-bytes <size>', 'largest input read, in bytes (suffixes Ki, Mi, Gi)').argParser(parseByteSize).default(DEFAULT_MAX_BYTES, '256Mi'))
    .addHelpText('after', [
      '',
      'The hardened manifests go to standard output (or --output / --write); the report goes to standard error:',
      '  + added   ! needs a human (with the fix)   - note   x still fails restricted',
      '',
      '  ~ what the written fields would break if applied as they are (for a human to confirm)',
      '',
      'Exit codes (the highest over all inputs wins):',
      '  0 written: every object passes restricted and would start, nothing needs a human',
      '  1 written, with findings a human must confirm (! lines, x lines, and the ~ lines)',
      '  2 refused: a document harden will not edit (duplicate keys, an edit that does not verify) is left as it was',
      '  3 invalid usage, or an input that could not be read or parsed',
      '--check writes nothing and exits with the same code.',
      '',
      'The user of a container, in this order: a runAsUser that is set (kept); --user-for (the container\'s, else the',
      'object\'s; an image preset whose image does not run under another UID refuses it); --image-user / --non-root-image',
      '(the most specific pattern); the image preset; --user. runAsNonRoot: true alone does not make a user known.',
      'Otherwise no user is written and the container is reported (!).',
      '',
      'Examples:',
      '  $ helm template my-release ./chart | cdk8s-rootless harden - > hardened.yaml',
      '  $ cdk8s-rootless harden k8s/ --user 10001 --write',
      '  $ cdk8s-rootless harden k8s/ --user-for StatefulSet/shop/db/postgres=70 --image-user \'ghcr.io/acme/*=10001\' -o hardened.yaml',
      '  $ cdk8s-rootless harden deploy.yaml --add-exemptions -o deploy.hardened.yaml && cdk8s-rootless audit deploy.hardened.yaml',
      '',
    ].join('\n'))
    .action(async (paths: string[], opts: HardenCommandOptions) => {
      if (paths.length === 0) throw new UsageError('no input: give one or more files or folders, or - to read standard input');
      if (opts.write && opts.output) throw new UsageError('--write and --output cannot be used together');
      if (opts.check && (opts.write || opts.output)) throw new UsageError('--check writes nothing: it cannot be used with --write or --output');
      if (opts.write && paths.includes('-')) throw new UsageError('--write rewrites files: it cannot be used with - (standard input)');
      if (opts.group !== undefined && opts.user === undefined) throw new UsageError('--group needs --user');
      if (opts.user === 0) throw new UsageError('--user 0 is root: give the image\'s non-root numeric UID');
      const target = (u: UserFor) => `${u.kind.toLowerCase()}/${u.namespace}/${u.name}${u.container !== undefined ? `/${u.container}` : ''}`;
      for (const [i, u] of (opts.userFor ?? []).entries()) {
        const twice = (opts.userFor ?? []).slice(0, i).find(x => target(x) === target(u));
        if (twice) throw new UsageError(`${twice.flag} and ${u.flag} name the same target: give one UID for it`);
      }
      const facts = new TokenFacts();
      const options: HardenTextOptions = {
        user: opts.user,
        group: opts.group,
        userFor: opts.userFor,
        users: { images: [...opts.imageUser ?? [], ...opts.nonRootImage ?? []] },
        addExemptions: opts.addExemptions,
        writablePaths: opts.writablePath,
        tokens: { facts, settings: { reasons: opts.tokenReason ?? new Map(), strict: opts.strictTokens === true } },
      };
      const outputs: string[] = [];
      const errors: ManifestError[] = [];
      const used = new Set<WritablePath | UserFor>();
      let code: HardenExitCode = HardenExitCode.OK;
      const notes: PlacedNote[] = [];
      // every input is read first: the ServiceAccounts and bindings of all of them decide the tokens (token-rule.ts)
      const sources: ManifestSource[] = [];
      await readManifests(paths, {
        cwd: ctx.cwd,
        stdin: ctx.io.stdin,
        maxBytes: opts.maxBytes,
        // Dockerfiles in folders are left alone; one given directly is said to be skipped
        dockerfile: (source: ManifestSource) => {
          if (paths.includes(source.name)) ctx.io.stderr.write(`${source.name}: skipped: a Dockerfile (harden edits manifests; \`audit\` checks Dockerfiles)\n`);
        },
        text: (source: ManifestSource) => {
          sources.push(source);
          textModuleOf().collectTokenFacts(source, facts);
        },
      }, {
        object: () => undefined,
        error: (e: ManifestError) => {
          errors.push(e);
          ctx.io.stderr.write(`${e.file}${e.line !== undefined ? `:${e.line}` : ''}: error: ${e.message}\n`);
        },
      });
      const results: HardenResult[] = [];
      for (const source of sources) {
        const result = hardenText(source.text, options, used);
        results.push(result);
        ctx.io.stderr.write(formatHardenReport(source.name, result));
        // refused documents are reported here and exit 2 (exitCodeOf); they are passed through unchanged
        for (const refused of result.refused ?? []) ctx.io.stderr.write(`${source.name}: error: ${refused}\n`);
        code = Math.max(code, exitCodeOf(result));
        for (const o of result.objects) {
          const place = `${source.name}: doc ${o.index}${o.item !== undefined ? ` items[${o.item}]` : ''} ${o.kind} ${o.name}`;
          notes.push(...(o.ruleNotes ?? []).map(n => ({ ...n, place })));
        }
        if (opts.check) {
          // nothing is written
        } else if (opts.write) {
          if (result.text !== source.text) fs.writeFileSync(path.resolve(ctx.cwd, source.name), result.text);
        } else {
          outputs.push(result.text); // unchanged when it could not be hardened: the stream loses nothing
        }
      }
      // what needs a human once per question (a kept token: once per ServiceAccount), grouped by rule
      if (notes.length > 0) ctx.io.stderr.write(`notes that need a human:\n${groupNotes(notes).map(l => `  ${l}`).join('\n')}\n`);
      const accounts = new Set(results.flatMap(r => r.objects.flatMap(o => o.tokenAccounts ?? [])));
      for (const account of opts.tokenReason?.keys() ?? []) {
        if (accounts.has(account)) continue;
        errors.push({ file: '--token-reason', uri: '', message: `no pod of ServiceAccount ${account} in the input` });
        ctx.io.stderr.write(`error: --token-reason ${account}: no pod in the input runs as ServiceAccount ${account} (pods run as: ${[...accounts].sort().join(', ') || 'none'}). `
          + 'Fix: write the NAMESPACE/NAME of the pods\' ServiceAccount (an object without metadata.namespace is in default), or remove it.\n');
      }
      for (const w of opts.writablePath ?? []) {
        if (w.container !== undefined && !used.has(w)) {
          errors.push({ file: '--writable-path', uri: '', message: `no container named "${w.container}" in the input` });
          ctx.io.stderr.write(`error: --writable-path ${w.container}=${w.path}: no container named "${w.container}" with a read-only root filesystem in the input `
            + '(nothing was mounted). Fix: use the name of a container (spec.containers[].name), or give the path alone for every container.\n');
        }
      }
      for (const u of opts.userFor ?? []) {
        if (!used.has(u)) {
          errors.push({ file: '--user-for', uri: '', message: `no ${u.kind} ${u.namespace}/${u.name} in the input` });
          ctx.io.stderr.write(`error: ${u.flag}: no ${u.kind} named "${u.name}" in namespace "${u.namespace}" in the input (nothing was written for it). `
            + 'Fix: use the kind, namespace (default for an object without metadata.namespace) and name of a pod-bearing object.\n');
        }
      }
      if (!opts.write && !opts.check) {
        const joined = joinOutputs(outputs);
        if (opts.output) fs.writeFileSync(path.resolve(ctx.cwd, opts.output), joined);
        else ctx.io.stdout.write(joined);
      }
      ctx.setExitCode(errors.length > 0 ? HardenExitCode.ERROR : code);
    });
}

/**
 * The outputs as one YAML stream: one input comes back byte for byte; between inputs a `---`
 * line (and the newline a text without a final one needs before it). Nothing is added at the end.
 */
export function joinOutputs(outputs: readonly string[]): string {
  let joined = '';
  outputs.forEach((t, i) => {
    if (i > 0 && joined !== '' && t !== '') {
      if (!joined.endsWith('\n')) joined += '\n';
      if (!/^---/.test(t)) joined += '---\n';
    }
    joined += t;
  });
  return joined;
}
