/**
 * Image checks: does a Dockerfile build an image that runs as a verifiable non-root user?
 *
 * The kubelet enforces `runAsNonRoot: true` on the image's user only when it is numeric: a
 * user *name* (`USER appuser`, `USER nobody`) cannot be resolved without the image's
 * /etc/passwd, so the kubelet refuses to start the container ("image has non-numeric user
 * (appuser), cannot verify user is non-root") unless the pod sets a numeric `runAsUser`.
 * So the final stage of an image meant for restricted pods must end with a numeric, non-zero
 * `USER` (`USER 10001` or `USER 10001:10001`).
 *
 * Parsed with dockerfile-ast (a real Dockerfile parser: continuation lines, escape
 * directive, heredocs, comments). Pure: text in, findings out; no file system access.
 */
import type { Instruction } from 'dockerfile-ast';
import { dockerfileAst } from './lazy';
import { imageIdProblem, imageNumericId } from '../policy/ids';

/** Rule: the final stage runs as root (UID 0, `root`, or no USER on a root base). */
export const DOCKERFILE_NONROOT_RULE = 'dockerfile-nonroot-user';
/** Rule: the final stage's user cannot be verified as non-root (a name, an unresolvable variable, an external base's user). */
export const DOCKERFILE_NUMERIC_RULE = 'dockerfile-numeric-user';
/** Rule: the final stage's USER has a UID or GID outside 0 … 2147483647 (CVE-2024-40635). */
export const DOCKERFILE_ID_RANGE_RULE = 'dockerfile-user-id-range';

/** The rules of the image checks, for SARIF. */
export const DOCKERFILE_RULES: readonly { readonly id: string; readonly description: string; readonly help: string }[] = [
  {
    id: DOCKERFILE_NONROOT_RULE,
    description: 'The final stage of the image must not run as root (USER 0, USER root, or no USER on a base that runs as root).',
    help: 'End the final stage with a numeric, non-zero USER, e.g. `USER 10001:10001`, and create that user in the image.',
  },
  {
    id: DOCKERFILE_NUMERIC_RULE,
    description: 'The final stage\'s USER must be numeric: the kubelet cannot verify a user name under runAsNonRoot.',
    help: 'Replace the user name with its numeric UID (and GID), e.g. `USER 10001:10001`; the kubelet refuses to start a '
      + 'runAsNonRoot container whose image user is not numeric unless the pod sets runAsUser.',
  },
  {
    id: DOCKERFILE_ID_RANGE_RULE,
    description: 'The final stage\'s USER UID and GID must be in 0 … 2147483647: containerd before 1.6.38 / 1.7.27 / 2.0.4 runs a larger '
      + 'image USER as UID 0 (CVE-2024-40635), and the kubelet\'s runAsNonRoot check lets it start.',
    help: 'Use a UID and GID in 1 … 2147483647, e.g. `USER 10001:10001`, and set the same runAsUser in the pod.',
  },
];

/**
 * What the final stage's user is, as far as the Dockerfile tells: `non-root` (a numeric, non-zero UID
 * in range), `root`, `unknown` (a user name, an unresolvable variable or the base image's user: the
 * kubelet cannot verify it, so it is never taken as non-root) or `out-of-range` (a UID or GID above
 * 2147483647).
 */
export type ImageUser = 'non-root' | 'root' | 'unknown' | 'out-of-range';

/** Where a stage's effective user comes from. */
export type UserOrigin =
  /** A USER instruction in the stage itself. */
  | 'stage'
  /** Inherited from an earlier stage the stage is built FROM. */
  | 'inherited'
  /** No USER anywhere in the chain: the base image's user (unknown to a static check). */
  | 'base-image'
  /** No USER, FROM scratch: root. */
  | 'scratch';

/** One build stage. */
export interface DockerfileStage {
  /** 0-based stage index. */
  readonly index: number;
  /** The `AS` name, if any. */
  readonly name: string | null;
  /** The FROM image as written (after substituting global ARG defaults when possible). */
  readonly from: string;
  /** The index of the earlier stage this stage is built FROM, if it is one. */
  readonly fromStage: number | null;
  /** 1-based line of the FROM instruction. */
  readonly line: number;
  /** The effective USER as written (`null` when none is set in the chain). */
  readonly user: string | null;
  /** The effective USER with variables substituted from their defaults (`null` when it cannot be resolved or none is set). */
  readonly resolvedUser: string | null;
  /** 1-based line of the USER instruction that sets it. */
  readonly userLine: number | null;
  readonly userOrigin: UserOrigin;
}

/** One failed image check. */
export interface DockerfileFinding {
  readonly check: string;
  readonly reason: string;
  readonly detail: string;
  readonly fix: string;
  /** 1-based line: the USER instruction, or the final FROM when no USER applies. */
  readonly line: number;
  /** The final stage's index. */
  readonly stage: number;
  /** The final stage's name, if any. */
  readonly stageName: string | null;
}

/** The image checks of one Dockerfile. */
export interface DockerfileAudit {
  readonly stages: DockerfileStage[];
  readonly findings: DockerfileFinding[];
  /** The final stage's user (`unknown` when there is no stage). */
  readonly user: ImageUser;
  /** Set when the file cannot be an image build (no FROM). */
  readonly malformed?: string;
}

export { isDockerfileName } from './dockerfile-name';

interface Variable {
  /** undefined: declared without a default (set by --build-arg only), or depends on such a variable. */
  readonly value: string | undefined;
  /** Derived from an ARG (a build argument can change it). */
  readonly arg: boolean;
}
type Scope = Map<string, Variable>;

interface StageState {
  readonly stage: DockerfileStage;
  readonly env: Scope;
  /** The effective USER of the stage (its own last USER, else its base stage's): raw, resolved (undefined when unresolvable), line, whether an ARG is involved. */
  readonly ownUser?: { raw: string; resolved: string | undefined; line: number; arg: boolean; unresolved?: string };
}

/**
 * Audits a Dockerfile's final stage user. Never throws for bad input.
 */
export function auditDockerfile(text: string): DockerfileAudit {
  const dockerfile = dockerfileAst().DockerfileParser.parse(text);
  const instructions = dockerfile.getInstructions();
  const globalArgs: Scope = new Map();
  const states: StageState[] = [];
  // the current stage being read
  let current: {
    index: number;
    name: string | null;
    from: string;
    fromStage: number | null;
    line: number;
    scope: Scope;
    env: Scope;
    user?: StageState['ownUser'];
  } | undefined;

  const finish = (): void => {
    if (!current) return;
    const c = current;
    const base = c.fromStage !== null ? states[c.fromStage] : undefined;
    // a state's ownUser is its effective user (its own USER, or its base stage's)
    const inherited = base?.ownUser;
    const user = c.user ?? inherited;
    const origin: UserOrigin = c.user ? 'stage'
      : inherited ? 'inherited'
        : base ? (base.stage.userOrigin === 'scratch' ? 'scratch' : 'base-image')
          : c.from.toLowerCase() === 'scratch' ? 'scratch' : 'base-image';
    states.push({
      stage: {
        index: c.index,
        name: c.name,
        from: c.from,
        fromStage: c.fromStage,
        line: c.line,
        user: user?.raw ?? null,
        resolvedUser: user?.resolved ?? null,
        userLine: user?.line ?? null,
        userOrigin: origin,
      },
      env: c.env,
      ownUser: user,
    });
  };

  for (const ins of instructions) {
    const keyword = ins.getKeyword();
    const line = ins.getRange().start.line + 1;
    if (keyword === 'FROM') {
      finish();
      const args = ins.getArguments().map(a => a.getValue());
      const flagsSkipped = args.filter(a => !a.startsWith('--'));
      const image = flagsSkipped[0] ?? '';
      const asIndex = flagsSkipped.findIndex(a => a.toUpperCase() === 'AS');
      const name = asIndex >= 0 ? flagsSkipped[asIndex + 1] ?? null : null;
      const resolvedImage = substitute(image, globalArgs).value ?? image;
      const fromStage = states.findIndex(s => s.stage.name !== null && s.stage.name.toLowerCase() === resolvedImage.toLowerCase());
      const base = fromStage >= 0 ? states[fromStage] : undefined;
      current = {
        index: states.length,
        name,
        from: resolvedImage,
        fromStage: fromStage >= 0 ? fromStage : null,
        line,
        // ENV is inherited from the stage built FROM; ARGs are not
        scope: new Map(base?.env ?? []),
        env: new Map(base?.env ?? []),
      };
      continue;
    }
    if (!current) {
      if (keyword === 'ARG') for (const [k, v] of argsOf(ins, globalArgs, undefined)) globalArgs.set(k, v);
      continue;
    }
    if (keyword === 'ARG') {
      for (const [k, v] of argsOf(ins, current.scope, globalArgs)) current.scope.set(k, v);
    } else if (keyword === 'ENV') {
      for (const [k, v] of envOf(ins, current.scope)) {
        current.scope.set(k, v);
        current.env.set(k, v);
      }
    } else if (keyword === 'USER') {
      const raw = (ins.getArgumentsContent() ?? '').trim();
      const s = substitute(raw, current.scope);
      current.user = { raw, resolved: s.value, line, arg: s.arg, unresolved: s.unresolved };
    }
  }
  finish();

  if (states.length === 0) {
    return { stages: [], findings: [], user: 'unknown', malformed: 'no FROM instruction: this is not a Dockerfile that builds an image' };
  }
  const final = states[states.length - 1];
  const findings = checkFinal(final, states, text);
  return { stages: states.map(s => s.stage), findings, user: imageUser(findings) };
}

/** The final stage's user, from its finding (the one check decides both). */
function imageUser(findings: readonly DockerfileFinding[]): ImageUser {
  switch (findings[0]?.check) {
    case undefined: return 'non-root';
    case DOCKERFILE_NONROOT_RULE: return 'root';
    case DOCKERFILE_ID_RANGE_RULE: return 'out-of-range';
    default: return 'unknown';
  }
}

function checkFinal(final: StageState, states: readonly StageState[], text: string): DockerfileFinding[] {
  const stage = final.stage;
  const where = `the final stage${stage.name ? ` "${stage.name}"` : ''} (stage ${stage.index}, FROM ${stage.from})`;
  const finding = (check: string, reason: string, detail: string, fix: string, line: number): DockerfileFinding[] =>
    [{ check, reason, detail, fix, line, stage: stage.index, stageName: stage.name }];
  const user = final.ownUser;
  const numericFix = (name?: string): string => {
    const uid = name ? uidOf(text, name) : undefined;
    return uid !== undefined
      ? `write the numeric UID: \`USER ${uid}:${uid}\` (${name} is created with UID ${uid}), and set runAsUser: ${uid} in the pod.`
      : 'end the final stage with a numeric, non-zero USER such as `USER 10001:10001` (create that user in the image), '
        + 'and set the same runAsUser in the pod.';
  };
  if (!user) {
    if (stage.userOrigin === 'scratch') {
      return finding(DOCKERFILE_NONROOT_RULE, 'image runs as root',
        `${where} sets no USER, and a stage FROM scratch runs as root (UID 0)`, numericFix(), stage.line);
    }
    const base = stage.fromStage !== null ? rootBase(states, stage) : stage;
    return finding(DOCKERFILE_NUMERIC_RULE, 'image user cannot be verified',
      `${where} sets no USER${base !== stage ? ` and neither does the stage chain down to FROM ${base.from}` : ''}: the image runs as `
      + `whatever user ${base.from} declares, which this check cannot see (many images, e.g. node, run as root)`,
      numericFix(), stage.line);
  }
  const inherited = stage.userOrigin === 'inherited' ? ` (inherited from an earlier stage, line ${user.line})` : '';
  if (user.resolved === undefined) {
    return finding(DOCKERFILE_NUMERIC_RULE, 'image user cannot be verified',
      `${where} runs as USER ${user.raw}${inherited}, and ${user.unresolved ?? 'a variable in it'} has no default value: `
      + 'only --build-arg decides the user', `give the build argument a numeric, non-zero default, or ${numericFix()}`, user.line);
  }
  const [userPart, groupPart] = user.resolved.split(':').map(p => p.trim());
  const via = user.resolved !== user.raw ? ` (= ${user.resolved} from the defaults${user.arg ? '; --build-arg can change it' : ''})` : '';
  const range = imageIdProblem(userPart, 'UID') ?? (groupPart !== undefined ? imageIdProblem(groupPart, 'GID') : undefined);
  if (range !== undefined) {
    return finding(DOCKERFILE_ID_RANGE_RULE, 'image user ID out of range', `${where} runs as USER ${user.raw}${via}${inherited}: ${range}`,
      numericFix(), user.line);
  }
  if (userPart === '') {
    return finding(DOCKERFILE_NONROOT_RULE, 'image runs as root', `${where} has an empty USER ${user.raw}${via}`, numericFix(), user.line);
  }
  const uid = imageNumericId(userPart);
  if (uid !== undefined) {
    if (uid === 0n) {
      return finding(DOCKERFILE_NONROOT_RULE, 'image runs as root', `${where} runs as USER ${user.raw}${via}${inherited}: UID 0 is root`,
        numericFix(), user.line);
    }
    return [];
  }
  if (userPart === 'root') {
    return finding(DOCKERFILE_NONROOT_RULE, 'image runs as root', `${where} runs as USER ${user.raw}${via}${inherited}`, numericFix(), user.line);
  }
  return finding(DOCKERFILE_NUMERIC_RULE, 'image user is not numeric',
    `${where} runs as USER ${user.raw}${via}${inherited}: a user name is unknown (not non-root) until resolved in the image, and the kubelet cannot verify it under runAsNonRoot `
    + `(it refuses to start the container: "image has non-numeric user (${userPart}), cannot verify user is non-root") unless the pod sets runAsUser`,
    numericFix(userPart), user.line);
}

/** The first stage of the chain that is not built FROM an earlier stage. */
function rootBase(states: readonly StageState[], stage: DockerfileStage): DockerfileStage {
  let s = stage;
  while (s.fromStage !== null) s = states[s.fromStage].stage;
  return s;
}

/** The UID a RUN instruction gives `name` (`adduser -u 1000 … name`, `useradd --uid 1000 name`), if one does. */
function uidOf(text: string, name: string): number | undefined {
  const commands = text.replace(/\\\r?\n/g, ' ').split(/&&|\|\||;|\||\r?\n/);
  for (const command of commands) {
    const tokens = command.trim().split(/\s+/);
    const at = tokens.findIndex(t => /(^|\/)(adduser|useradd)$/.test(t));
    if (at < 0 || !tokens.slice(at + 1).includes(name)) continue;
    for (let i = at + 1; i < tokens.length; i++) {
      const eq = /^--uid=(\d+)$/.exec(tokens[i]);
      if (eq) return Number(eq[1]);
      if ((tokens[i] === '-u' || tokens[i] === '--uid') && /^\d+$/.test(tokens[i + 1] ?? '')) return Number(tokens[i + 1]);
    }
  }
  return undefined;
}

/** `ARG NAME[=default] ...`: inside a stage, `ARG NAME` without a default takes the global ARG's default. */
function argsOf(ins: Instruction, scope: Scope, globals: Scope | undefined): [string, Variable][] {
  const out: [string, Variable][] = [];
  for (const token of ins.getArguments().map(a => a.getValue())) {
    const eq = token.indexOf('=');
    const name = eq < 0 ? token : token.slice(0, eq);
    if (eq < 0) {
      const global = globals?.get(name);
      out.push([name, { value: global?.value, arg: true }]);
    } else {
      const s = substitute(unquote(token.slice(eq + 1)), scope);
      out.push([name, { value: s.value, arg: true }]);
    }
  }
  return out;
}

/** `ENV NAME=value ...` or the legacy `ENV NAME value`. */
function envOf(ins: Instruction, scope: Scope): [string, Variable][] {
  const tokens = ins.getArguments().map(a => a.getValue());
  const pairs: [string, string][] = tokens.length >= 2 && !tokens[0].includes('=')
    ? [[tokens[0], (ins.getArgumentsContent() ?? '').trim().slice(tokens[0].length).trim()]]
    : tokens.filter(t => t.includes('=')).map(t => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]);
  return pairs.map(([name, raw]) => {
    const s = substitute(unquote(raw), scope);
    return [name, { value: s.value, arg: s.arg }];
  });
}

function unquote(s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === '\'') && s[s.length - 1] === s[0] ? s.slice(1, -1) : s;
}

/**
 * Substitutes `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}` from the scope's defaults.
 * `value` is undefined when a variable has no known value (`unresolved` names it).
 */
export function substitute(text: string, scope: Scope): { value: string | undefined; arg: boolean; unresolved?: string } {
  let arg = false;
  let unresolved: string | undefined;
  const value = text.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      if (match === '\\$') return '$';
      const name = braced ?? bare!;
      const v = scope.get(name);
      if (v?.arg) arg = true;
      const known = v !== undefined && v.value !== undefined;
      if (op === '-') return known && v.value !== '' ? v.value! : v === undefined || v.value === '' ? word ?? '' : fail();
      if (op === '+') return known ? (v.value !== '' ? word ?? '' : '') : v === undefined ? '' : fail();
      return known ? v.value! : fail();
      function fail(): string {
        unresolved ??= `\${${name}}`;
        return '';
      }
    });
  return { value: unresolved ? undefined : value, arg, unresolved };
}
