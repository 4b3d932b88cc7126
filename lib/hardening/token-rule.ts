/**
 * Internal: the service-account token rule of the adopt stage (`cdk8s-rootless harden` and
 * `RootlessHardening.applyTo`; docs/migration.md, "The service-account token"). One decision, per
 * ServiceAccount (namespace/name), never per pod:
 *
 * - a token is any way the API credential reaches a container: the automounted token
 *   (`automountServiceAccountToken`, the pod's value over its ServiceAccount's, true when neither
 *   sets it), a projected `serviceAccountToken` volume source, or any reference to a Secret (in the
 *   input) of type `kubernetes.io/service-account-token` — a secret volume, a projected volume's
 *   secret source, an env var's `secretKeyRef`, `envFrom` — wherever it is mounted;
 * - a value that a pod or a ServiceAccount of the input sets is kept;
 * - a pod of its namespace's `default` account gets `automountServiceAccountToken: false`, unless a
 *   RoleBinding or ClusterRoleBinding of the input names that account (as a ServiceAccount subject,
 *   as the user `system:serviceaccount:<ns>:default`, or through the groups `system:serviceaccounts`,
 *   `system:serviceaccounts:<ns>` or `system:authenticated`): without one, the default account has
 *   only what every authenticated identity has;
 * - a pod of any other account keeps its token. A token that is kept is declared with a human's
 *   reason per account (the serviceAccountToken exemption, with that reason), or reported once per
 *   account; the strict setting makes an undeclared kept token a problem.
 *
 * The inputs' accounts and bindings are collected first (`TokenFacts`), then each pod is decided
 * (`decideToken`). Pure: plain Kubernetes JSON; no cdk8s, cdk8s-plus or constructs imports.
 */
import { atTokenPath, projectsToken } from './rootless-rules';
import { reasonProblem } from '../exemptions/reason';
import { containersOf, isListKind } from '../policy/k8s-shapes';

/** The rule id that tags the notes of this rule (lib/hardening/notes.ts). */
export const TOKEN_RULE = 'serviceAccountToken';

/** The account a pod runs as when it names none. */
export const DEFAULT_ACCOUNT = 'default';

/** The namespace of an object that says none and has no chart namespace. */
export const DEFAULT_NAMESPACE = 'default';

/** The type of a Secret that holds a service-account token. */
export const TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

const isMap = (x: unknown): x is Record<string, any> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

/** What the inputs say about service accounts: the accounts, the bindings that name them, the token Secrets. */
export class TokenFacts {
  /** `ns/name` → the account's `automountServiceAccountToken` (undefined: not set). */
  private readonly accounts = new Map<string, boolean | undefined>();
  /** `ns/name`, or a group name → the bindings that name it (`RoleBinding ns/name`). */
  private readonly subjects = new Map<string, string[]>();
  /** `ns/secret` → the account the token belongs to (`ns/name`, or undefined when the Secret does not say). */
  private readonly secrets = new Map<string, string | undefined>();

  /**
   * Records an object (and the items of a List) if it is a ServiceAccount, a RoleBinding, a
   * ClusterRoleBinding or a token Secret.
   * @param namespace the namespace of an object that says none (the chart's, else `default`)
   */
  public add(obj: unknown, namespace: string = DEFAULT_NAMESPACE): void {
    if (!isMap(obj)) return;
    if (isListKind(obj.kind) && Array.isArray(obj.items)) {
      for (const item of obj.items) this.add(item, namespace);
      return;
    }
    const group = typeof obj.apiVersion === 'string' && obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
    const ns = str(obj.metadata?.namespace) ?? namespace;
    const name = str(obj.metadata?.name);
    if (group === '' && obj.kind === 'ServiceAccount' && name) {
      const automount = obj.automountServiceAccountToken;
      this.accounts.set(`${ns}/${name}`, typeof automount === 'boolean' ? automount : undefined);
    } else if (group === '' && obj.kind === 'Secret' && name && obj.type === TOKEN_SECRET_TYPE) {
      const account = str(obj.metadata?.annotations?.['kubernetes.io/service-account.name']);
      this.secrets.set(`${ns}/${name}`, account && `${ns}/${account}`);
    } else if (group === RBAC_GROUP && (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding')) {
      const binding = `${obj.kind} ${obj.kind === 'RoleBinding' ? `${ns}/` : ''}${name ?? '(unnamed)'}`;
      for (const s of Array.isArray(obj.subjects) ? obj.subjects : []) {
        const key = subjectKey(s, obj.kind === 'RoleBinding' ? ns : undefined);
        if (key) this.subjects.set(key, [...this.subjects.get(key) ?? [], binding]);
      }
    }
  }

  /** Whether the input has the ServiceAccount, and its `automountServiceAccountToken`. */
  public account(key: string): { found: boolean; automount?: boolean } {
    return { found: this.accounts.has(key), automount: this.accounts.get(key) };
  }

  /** The bindings that name the account `ns/name`, directly or through a group it is in. */
  public bindingsOf(namespace: string, name: string): string[] {
    const keys = [`${namespace}/${name}`, 'group:system:serviceaccounts', `group:system:serviceaccounts:${namespace}`, 'group:system:authenticated'];
    return [...new Set(keys.flatMap(k => this.subjects.get(k) ?? []))];
  }

  /** Whether `ns/secret` is a token Secret of the input, and whose token it holds. */
  public tokenSecret(key: string): { found: boolean; account?: string } {
    return { found: this.secrets.has(key), account: this.secrets.get(key) };
  }
}

/**
 * The key of a binding subject: `ns/name` for a ServiceAccount (a RoleBinding's own namespace when
 * the subject names none, as the RBAC authorizer reads it) or its user name, `group:NAME` for a group.
 */
function subjectKey(s: unknown, bindingNamespace: string | undefined): string | undefined {
  if (!isMap(s) || typeof s.name !== 'string') return undefined;
  if (s.kind === 'ServiceAccount') {
    const ns = str(s.namespace) ?? bindingNamespace;
    return ns ? `${ns}/${s.name}` : undefined;
  }
  if (s.kind === 'User') {
    const m = SA_USER.exec(s.name);
    return m ? `${m[1]}/${m[2]}` : undefined;
  }
  return s.kind === 'Group' ? `group:${s.name}` : undefined;
}

/** The token settings: a human's reason per account, and whether an undeclared kept token is a problem. */
export interface TokenSettings {
  /** `ns/name` → the reason the pods of that account need its token. */
  readonly reasons: ReadonlyMap<string, string>;
  /** An undeclared kept token is a problem (`strictTokens`, `--strict-tokens`). */
  readonly strict: boolean;
}

/** How the rule words its fixes: the CLI names its flags, `applyTo` its props. */
export interface TokenWords {
  /** The strict setting, e.g. `--strict-tokens`. */
  readonly strictOption: string;
  /** How to declare a reason for `account` (`ns/name`), e.g. `--token-reason ns/name=REASON`. */
  reasonFix(account: string): string;
}

/** The CLI's words (`cdk8s-rootless harden`). */
export const CLI_TOKEN_WORDS: TokenWords = {
  reasonFix: account => `rerun with --token-reason ${account}=REASON`,
  strictOption: '--strict-tokens',
};

/** The problem with a `ns/name` key and its reason, or undefined when both are valid. */
export function tokenReasonProblem(key: string, reason: unknown): string | undefined {
  const [ns, name, ...rest] = key.split('/');
  if (rest.length > 0 || !ns || !name || !DNS_LABEL.test(ns) || ns.length > 63 || !DNS_SUBDOMAIN.test(name) || name.length > 253) {
    return `${JSON.stringify(key)} does not name a ServiceAccount. Fix: write NAMESPACE/NAME, e.g. monitoring/metrics-server.`;
  }
  return reasonProblem(reason);
}

/** How one pod's containers get a token, and what the rule does about it. */
export interface TokenDecision {
  /** The pod's account, `ns/name`. */
  readonly account: string;
  /** Set `automountServiceAccountToken: false` on the pod (it is not set there). */
  readonly disable: boolean;
  /** The accounts whose token still reaches a container (empty: none reaches). */
  readonly kept: readonly string[];
  /** How the tokens reach the containers, one phrase each. */
  readonly via: readonly string[];
  /**
   * The serviceAccountToken exemption to declare, with the human's reason: every kept account has
   * one, and the rootless rule sees the token (a token Secret is invisible to it and to admission).
   */
  readonly reason?: string;
  /** The accounts kept without a declared reason: each is reported once (tagged TOKEN_RULE). */
  readonly undeclared: readonly string[];
  /** Notes about this pod (why its token was turned off, or kept). */
  readonly notes: readonly string[];
  /** Problems (strict: an undeclared kept token). */
  readonly problems: readonly string[];
}

/** What `decideToken` reads of a pod. */
export interface TokenInput {
  /** The pod spec (API field names). */
  readonly spec: any;
  /** The pod's namespace (its own, the chart's, or `default`). */
  readonly namespace: string;
  readonly facts: TokenFacts;
  readonly settings: TokenSettings;
  readonly words: TokenWords;
  /**
   * The reason of a serviceAccountToken exemption the pod already declares (code, or a valid
   * annotation): its token is declared, whatever its account.
   * @default - none
   */
  readonly declared?: string;
}

/** The account a pod runs as: `serviceAccountName`, else the deprecated `serviceAccount`, else `default`. */
export function podAccount(spec: any): string {
  return str(spec?.serviceAccountName) ?? str(spec?.serviceAccount) ?? DEFAULT_ACCOUNT;
}

/** A reference of a pod to a Secret by name, and where it is (for the note). */
interface SecretReference {
  readonly name: string;
  readonly where: string;
}

/**
 * Every Secret a pod's containers can read: secret volumes, the secret sources of projected volumes,
 * `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` of every container (init, regular, ephemeral).
 */
function secretReferences(spec: any): SecretReference[] {
  const out: SecretReference[] = [];
  const add = (name: unknown, where: string) => {
    if (typeof name === 'string' && name !== '') out.push({ name, where });
  };
  for (const v of Array.isArray(spec?.volumes) ? spec.volumes : []) {
    if (!isMap(v)) continue;
    add(v.secret?.secretName, `volume "${v.name}"`);
    for (const s of Array.isArray(v.projected?.sources) ? v.projected.sources : []) {
      if (isMap(s)) add(s.secret?.name, `projected volume "${v.name}"`);
    }
  }
  for (const c of containersOf(spec)) {
    for (const e of Array.isArray(c.env) ? c.env : []) {
      if (isMap(e)) add(e.valueFrom?.secretKeyRef?.name, `env ${e.name} of container "${c.name}"`);
    }
    for (const e of Array.isArray(c.envFrom) ? c.envFrom : []) {
      if (isMap(e)) add(e.secretRef?.name, `envFrom of container "${c.name}"`);
    }
  }
  return out;
}

/** The note of a kept, undeclared token: the same text for every pod of the account, so it is printed once. */
export function keptTokenNote(account: string, words: TokenWords): string {
  return `token kept for ServiceAccount ${account}: the full admission policy denies it until a reason is declared. `
    + `Fix: if its pods call the Kubernetes API, declare why (${words.reasonFix(account)}); if they do not, set automountServiceAccountToken: false `
    + `on the ServiceAccount or the pods, and remove any projected token or token Secret they mount or read (${words.strictOption} makes an undeclared token fail).`;
}

/** Decides the token of one pod (see the module comment). */
export function decideToken(input: TokenInput): TokenDecision {
  const { spec, namespace, facts, settings, words } = input;
  const name = podAccount(spec);
  const account = `${namespace}/${name}`;
  const notes: string[] = [];
  const sa = facts.account(account);
  const podValue = typeof spec?.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken as boolean : undefined;
  let disable = false;
  let automount: boolean;
  if (podValue !== undefined) {
    automount = podValue;
  } else if (sa.automount !== undefined) {
    automount = sa.automount;
    // the account's false, made explicit on the pod (the rootless rule and admission read the pod only)
    disable = !automount;
  } else if (name === DEFAULT_ACCOUNT && !settings.reasons.has(account) && input.declared === undefined) {
    const bindings = facts.bindingsOf(namespace, name);
    automount = bindings.length > 0;
    disable = !automount;
    notes.push(automount
      ? `the token of ServiceAccount ${account} stays mounted: ${bindings.join(', ')} in the input name${bindings.length === 1 ? 's' : ''} it, so the pod may call the API with it.`
      : `automountServiceAccountToken false: the pod runs as ServiceAccount ${account}, which no RoleBinding or ClusterRoleBinding of the input names, so its token `
        + 'gives only what every authenticated identity has (API discovery, self-reviews, public information). Fix, if it does call the API: '
        + 'give it a ServiceAccount of its own, bound to the Role it needs.');
  } else {
    automount = true;
  }

  const via: string[] = [];
  const kept = new Set<string>();
  if (automount) {
    via.push(`automounted (automountServiceAccountToken ${podValue === true ? 'true on the pod' : sa.automount === true ? 'true on the ServiceAccount' : 'not set'})`);
    kept.add(account);
  }
  let visible = automount;
  const volumes: any[] = Array.isArray(spec?.volumes) ? spec.volumes : [];
  for (const v of volumes) {
    if (projectsToken(v)) {
      via.push(`projected by volume "${v?.name}"`);
      kept.add(account);
      visible = true;
    }
  }
  // a token Secret reaches a container through any reference to it: a secret volume, a projected volume's secret
  // source, an env var's secretKeyRef, envFrom's secretRef (the kubelet resolves each in the pod's namespace)
  for (const ref of secretReferences(spec)) {
    const secret = facts.tokenSecret(`${namespace}/${ref.name}`);
    if (!secret.found) continue;
    via.push(`Secret ${namespace}/${ref.name} of type ${TOKEN_SECRET_TYPE} in ${ref.where}`);
    kept.add(secret.account ?? account);
  }
  if (containersOf(spec).some(c => Array.isArray(c.volumeMounts) && c.volumeMounts.some((m: any) => atTokenPath(m?.mountPath)))) visible = true;

  const reasons = [...kept].map(a => settings.reasons.get(a));
  const undeclared = input.declared !== undefined ? [] : [...kept].filter(a => !settings.reasons.has(a));
  const problems = settings.strict ? undeclared.map(a => `pod: the token of ServiceAccount ${a} reaches its containers (${via.join('; ')}) and no reason is declared `
    + `(${words.strictOption}). Fix: ${words.reasonFix(a)}, or set automountServiceAccountToken: false and mount no token.`) : [];
  const all = reasons.every((r): r is string => r !== undefined);
  const reason = input.declared === undefined && kept.size > 0 && all && visible ? [...new Set(reasons)].join('; ') : undefined;
  if (kept.size > 0 && all && !visible && input.declared === undefined) {
    notes.push(`the token reaches the pod only through a Secret (${via.join('; ')}): the declared reason is noted, and no exemption is written, `
      + 'since neither the rootless rule nor the admission policy can see a Secret\'s type.');
  }
  return { account, disable, kept: [...kept], via, reason, undeclared, notes, problems };
}

/**
 * The token part of the startability checklist (startability.ts, `StartabilityOptions.token`): a pod whose
 * account a binding of the input grants API access needs a token; when none reaches its containers
 * (`automountServiceAccountToken: false` on the pod, or on its account with the pod silent, and no projected
 * `serviceAccountToken` volume) it starts and fails its first API call.
 * @param facts the ServiceAccounts and bindings of the input
 * @param namespaceOf the namespace of a manifest that says none (the chart's, else `default`)
 */
export function tokenStartability(facts: TokenFacts,
  namespaceOf: (manifest: any) => string = () => DEFAULT_NAMESPACE): (spec: any, manifest: any) => string[] {
  return (spec, manifest) => {
    const ns = str(manifest?.metadata?.namespace) ?? namespaceOf(manifest);
    const name = podAccount(spec);
    const bindings = facts.bindingsOf(ns, name);
    if (bindings.length === 0) return [];
    const automount = typeof spec?.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken : facts.account(`${ns}/${name}`).automount;
    const projected = (Array.isArray(spec?.volumes) ? spec.volumes : [])
      .some((v: any) => Array.isArray(v?.projected?.sources) && v.projected.sources.some((s: any) => isMap(s?.serviceAccountToken)));
    if (automount !== false || projected) return [];
    return [`pod: it runs as ServiceAccount ${ns}/${name}, to which ${bindings.join(', ')} grant${bindings.length === 1 ? 's' : ''} API access, but no token `
      + 'reaches its containers (automountServiceAccountToken: false): it starts and fails its first API call. Fix: remove automountServiceAccountToken: false '
      + '(and declare the token: a serviceAccountToken exemption with a reason), or mount a projected serviceAccountToken volume.'];
  };
}
