/**
 * Red team of the service-account token rule (issue 20 point 4; test/redteam/FINDINGS.md, "Token rule").
 * The oracle is Kubernetes: which ways a token reaches a container (the kubelet resolves a Secret by
 * name for a secret volume, a projected volume's secret source, an env var's secretKeyRef and envFrom),
 * how kubectl reads the YAML (`kubectl label --local -f FILE x=y -o json`, go-yaml v2), and the RBAC
 * authorizer's reading of binding subjects. Each T-test failed before its fix; the others held.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Include, JsonPatch, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { HardeningNotes, RootlessHardening, RootlessHardeningProps } from '../../lib';
import { hardenText } from '../../lib/cli/harden/harden';
import { CLI_TOKEN_WORDS, TokenFacts, TokenSettings, decideToken } from '../../lib/hardening/token-rule';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';
import { cli } from '../cli/helpers';

jest.setTimeout(120_000);

const TOKEN_SECRET = `apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: builder-token
  namespace: shop
  annotations: {kubernetes.io/service-account.name: builder}
`;

const podYaml = (name: string, spec: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop}
spec:
  automountServiceAccountToken: false
${spec}`;

const runAs = 'securityContext: {runAsUser: 1000}';
/** Every other way a token Secret reaches a container, besides a plain secret volume. */
const REFERENCES: [string, string][] = [
  ['a projected volume\'s secret source', `  volumes: [{name: creds, projected: {sources: [{secret: {name: builder-token}}]}}]
  containers: [{name: app, image: x:1, ${runAs}, volumeMounts: [{name: creds, mountPath: /creds}]}]
`],
  ['an env var\'s secretKeyRef', `  containers: [{name: app, image: x:1, ${runAs}, env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: builder-token, key: token}}}]}]
`],
  ['envFrom', `  containers: [{name: app, image: x:1, ${runAs}, envFrom: [{secretRef: {name: builder-token}}]}]
`],
  ['an init container\'s env', `  initContainers: [{name: init, image: x:1, ${runAs}, env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: builder-token, key: token}}}]}]
  containers: [{name: app, image: x:1, ${runAs}}]
`],
];

const docsOf = (text: string) => YAML.parseAllDocuments(text).map(d => d.toJS());
const NONE: TokenSettings = { reasons: new Map(), strict: false };

function captureStderr<T>(fn: () => T): { value?: T; stderr: string; error?: string } {
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { value: fn(), stderr: spy.mock.calls.map(c => String(c[0])).join('') };
  } catch (e) {
    return { error: (e as Error).message, stderr: spy.mock.calls.map(c => String(c[0])).join('') };
  } finally {
    spy.mockRestore();
  }
}

/** `text` brought into an app with Include, hardened by applyTo, synthesized. */
function applyToText(text: string, props: RootlessHardeningProps = {}, chartNamespace?: string) {
  const app = Testing.app();
  const chart = new Chart(app, 'c', chartNamespace ? { namespace: chartNamespace } : {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-token-'));
  fs.writeFileSync(path.join(dir, 'in.yaml'), text);
  new Include(chart, 'i', { url: path.join(dir, 'in.yaml') });
  const hardening = RootlessHardening.applyTo(app, props);
  const out = captureStderr(() => Testing.synth(chart));
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...out, hardening };
}

const keptIn = (messages: string[]) => [...new Set(messages.flatMap(m => [...m.matchAll(/token kept for ServiceAccount (\S+):/g)].map(x => x[1])))].sort();

describe('T1: a token Secret reaches a container through any reference, not only a secret volume', () => {
  test.each(REFERENCES)('decideToken: %s keeps the token of the Secret\'s account, reported, and strict fails', (_name, spec) => {
    const f = new TokenFacts();
    f.add(YAML.parse(TOKEN_SECRET));
    const podSpec = YAML.parse(podYaml('p', spec)).spec;
    const d = decideToken({ spec: podSpec, namespace: 'shop', facts: f, settings: NONE, words: CLI_TOKEN_WORDS });
    expect(d.kept).toEqual(['shop/builder']);
    expect(d.undeclared).toEqual(['shop/builder']);
    const strict = decideToken({ spec: podSpec, namespace: 'shop', facts: f, settings: { reasons: new Map(), strict: true }, words: CLI_TOKEN_WORDS });
    expect(strict.problems).toHaveLength(1);
    expect(strict.problems[0]).toContain('Secret shop/builder-token of type kubernetes.io/service-account-token');
  });

  test.each(REFERENCES)('harden --strict-tokens: %s is a finding (exit 1) and the note names the account', async (_name, spec) => {
    const input = `${TOKEN_SECRET}---\n${podYaml('p', spec)}`;
    const lax = await cli(['harden', '-'], { stdin: input });
    expect(keptIn([lax.stderr])).toEqual(['shop/builder']);
    const strict = await cli(['harden', '-', '--strict-tokens'], { stdin: input });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('the token of ServiceAccount shop/builder reaches its containers');
  });

  test.each(REFERENCES)('applyTo: %s is reported once, and strictTokens fails synthesis', (_name, spec) => {
    const input = `${TOKEN_SECRET}---\n${podYaml('p', spec)}`;
    const lax = applyToText(input);
    expect(lax.error).toBeUndefined();
    expect(keptIn(lax.hardening.report.flatMap(r => r.ruleNotes.map(n => n.message)))).toEqual(['shop/builder']);
    expect(lax.stderr.match(/token kept for ServiceAccount shop\/builder/g)).toHaveLength(1);
    expect(applyToText(input, { strictTokens: true }).error).toContain('the token of ServiceAccount shop/builder reaches its containers');
    // a human's reason for the account declares it: no note, no failure (and no exemption, which admission could not see)
    const declared = applyToText(input, { strictTokens: true, serviceAccountTokens: { 'shop/builder': 'pushes images with the builder token' } });
    expect(declared.error).toBeUndefined();
    expect(declared.stderr).toBe('');
  });

  test('held: a reference to an opaque Secret, or to a token Secret of another namespace, is no token', () => {
    const f = new TokenFacts();
    f.add({ ...YAML.parse(TOKEN_SECRET), type: 'Opaque' });
    f.add({ ...YAML.parse(TOKEN_SECRET), metadata: { name: 'builder-token', namespace: 'other', annotations: { 'kubernetes.io/service-account.name': 'builder' } } });
    for (const [, spec] of REFERENCES) {
      const d = decideToken({ spec: YAML.parse(podYaml('p', spec)).spec, namespace: 'shop', facts: f, settings: NONE, words: CLI_TOKEN_WORDS });
      expect(d.kept).toEqual([]);
    }
  });
});

/** A binding of the default account of `shop`, with kind and subject kind spelled with YAML escapes, which kubectl reads as RoleBinding / ServiceAccount. */
const ESCAPED_BINDING = `apiVersion: rbac.authorization.k8s.io/v1
kind: "Role\\x42inding"
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: "Service\\
  Account", name: default}]
`;
const DEFAULT_POD = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: x:1, securityContext: {runAsUser: 1000}}]
`;

describe('T2: harden reads a ServiceAccount or a binding as kubectl does, whatever its spelling', () => {
  test('the escapes spell RoleBinding and ServiceAccount for the reader kubectl shares (go-yaml; checked with kubectl label --local -o json)', () => {
    const doc = YAML.parse(ESCAPED_BINDING, { version: '1.1' });
    expect(doc.kind).toBe('RoleBinding');
    expect(doc.subjects[0].kind).toBe('ServiceAccount');
  });

  test('a binding of the default account in another file, spelled with escapes, keeps the token (the pod calls the API)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-token-cli-'));
    fs.writeFileSync(path.join(dir, 'a-web.yaml'), DEFAULT_POD);
    fs.writeFileSync(path.join(dir, 'b-rbac.yaml'), ESCAPED_BINDING);
    const out = await cli(['harden', 'a-web.yaml', 'b-rbac.yaml'], { cwd: dir });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(docsOf(out.stdout)[0].spec.template.spec.automountServiceAccountToken).toBeUndefined();
    expect(keptIn([out.stderr])).toEqual(['shop/default']);
  });

  test('a ServiceAccount spelled with a JSON escape that turns automount on keeps its value', async () => {
    const account = '{"apiVersion":"v1","kind":"\\u0053erviceAccount","metadata":{"name":"default","namespace":"shop"},"automountServiceAccountToken":true}';
    const out = await cli(['harden', '-'], { stdin: `${account}\n---\n${DEFAULT_POD}` });
    expect(docsOf(out.stdout).find(d => d?.kind === 'Deployment').spec.template.spec.automountServiceAccountToken).toBeUndefined();
    expect(keptIn([out.stderr])).toEqual(['shop/default']);
  });

  test('held: applyTo (Include) reads the same escapes and agrees', () => {
    const r = applyToText(`${ESCAPED_BINDING}---\n${DEFAULT_POD}`, { notes: HardeningNotes.NONE });
    expect(r.error).toBeUndefined();
    const web = r.value!.find((m: any) => m.kind === 'Deployment');
    expect(podTemplateOf(web)!.spec.automountServiceAccountToken).toBeUndefined();
  });
});

describe('T3: the notes are printed once per synthesis, also when a validation adds an object', () => {
  const rawPod = (account: string) => ({
    apiVersion: 'v1', kind: 'Pod', spec: { serviceAccountName: account, containers: [{ name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } }] },
  } as any);

  test('an object a chart\'s validation adds (adopted after the root\'s validation) is in the one printed group', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'a', { namespace: 'a' });
    new ApiObject(chart, 'p', rawPod('agent'));
    RootlessHardening.applyTo(app);
    chart.node.addValidation({
      validate: () => {
        if (!chart.node.tryFindChild('q')) new ApiObject(chart, 'q', rawPod('late-agent'));
        return [];
      },
    });
    const { stderr, error } = captureStderr(() => app.synthYaml());
    expect(error).toBeUndefined();
    expect(stderr.match(/notes that need a human/g)).toHaveLength(1);
    expect(stderr).toContain('[serviceAccountToken] 2 objects:');
    expect(keptIn([stderr])).toEqual(['a/agent', 'a/late-agent']);
  });

  test('held: app.synth() of two charts with a call each prints one group; a second synthesis prints nothing more', () => {
    const app = Testing.app();
    for (const ns of ['a', 'b']) {
      const chart = new Chart(app, ns, { namespace: ns });
      new ApiObject(chart, 'p', rawPod('agent'));
      RootlessHardening.applyTo(chart);
    }
    const first = captureStderr(() => app.synth());
    expect(first.error).toBeUndefined();
    expect(first.stderr.match(/notes that need a human/g)).toHaveLength(1);
    expect(keptIn([first.stderr])).toEqual(['a/agent', 'b/agent']);
    expect(captureStderr(() => app.synthYaml()).stderr).toBe('');
  });

  test('held: NONE prints nothing, FAIL fails naming each object, whatever the order of the calls', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'a' });
    const b = new Chart(app, 'b', { namespace: 'b' });
    new ApiObject(a, 'p', rawPod('agent'));
    new ApiObject(b, 'p', rawPod('agent'));
    RootlessHardening.applyTo(b, { notes: HardeningNotes.FAIL });
    RootlessHardening.applyTo(a, { notes: HardeningNotes.NONE });
    const r = captureStderr(() => app.synthYaml());
    expect(r.error).toContain('[b/p] [serviceAccountToken] token kept for ServiceAccount b/agent');
    expect(r.error).not.toContain('a/agent');
    expect(r.stderr).toBe('');
  });
});

describe('held: harden and applyTo agree on odd inputs, as kubectl reads them', () => {
  const C = 'containers: [{name: app, image: x:1, securityContext: {runAsUser: 1000}}]';
  const pod = (meta: string, spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${meta}}\nspec: {${spec}${C}}\n`;
  const rb = (meta: string, subjects: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b${meta}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: ${subjects}
`;
  /** input, then for each pod-bearing object: its written automountServiceAccountToken, and the accounts whose kept token is reported */
  const CASES: [string, string, (boolean | undefined)[], string[]][] = [
    ['an empty serviceAccountName falls back to the deprecated serviceAccount (API conversion)',
      pod(', namespace: shop', 'serviceAccountName: "", serviceAccount: agent, '), [undefined], ['shop/agent']],
    ['an empty namespace is the default namespace for the binding and the pod alike',
      `${rb(', namespace: ""', '[{kind: ServiceAccount, name: default}]')}---\n${pod(', namespace: ""', '')}`, [undefined], ['default/default']],
    ['a binding and a pod in one List',
      `apiVersion: v1\nkind: List\nitems:\n${[rb(', namespace: shop', '[{kind: ServiceAccount, name: default}]'), pod(', namespace: shop', '')]
        .map(d => `- ${d.trimEnd().split('\n').join('\n  ')}`).join('\n')}\n`, [undefined], ['shop/default']],
    ['a subject completed by a merge key before the explicit name (kubectl: the explicit name wins)',
      `${rb(', namespace: shop', '\n- <<: {kind: ServiceAccount, name: other}\n  name: default')}---\n${pod(', namespace: shop', '')}`, [undefined], ['shop/default']],
    ['a ServiceAccount with automountServiceAccountToken: off (YAML 1.1 false)',
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: agent, namespace: shop}\nautomountServiceAccountToken: off\n---\n${pod(', namespace: shop', 'serviceAccountName: agent, ')}`, [false], []],
    ['the default ServiceAccount with automountServiceAccountToken: yes, for a CronJob',
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: shop}\nautomountServiceAccountToken: yes\n---
apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: shop}\nspec:\n  schedule: "* * * * *"\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, ${C}}}}}\n`, [undefined], ['shop/default']],
    ['a pod\'s automountServiceAccountToken: null is unset (the API server defaults it): turned off',
      pod(', namespace: shop', 'automountServiceAccountToken: null, '), [false], []],
    ['a pod\'s automountServiceAccountToken: n is false to kubectl (go-yaml v2)', pod(', namespace: shop', 'automountServiceAccountToken: n, '), [false], []],
  ];
  const written = (ms: any[]) => ms.flatMap(m => (m?.kind === 'List' ? m.items : [m])).filter(m => m && podTemplateOf(m))
    .map(m => podTemplateOf(m)!.spec.automountServiceAccountToken);

  test.each(CASES)('%s', (_name, text, automount, kept) => {
    const hardened = hardenText(text);
    expect(written(YAML.parseAllDocuments(hardened.text, { version: '1.1' }).map(d => d.toJS()))).toEqual(automount);
    expect(keptIn(hardened.objects.flatMap(o => (o.ruleNotes ?? []).map(n => n.message)))).toEqual(kept);
    const applied = applyToText(text, { notes: HardeningNotes.NONE });
    expect(applied.error).toBeUndefined();
    expect(written(applied.value!)).toEqual(automount);
    expect(keptIn(applied.hardening.report.flatMap(r => r.ruleNotes.map(n => n.message)))).toEqual(kept);
  });

  const MALFORMED = [
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: 5\n',
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: [x]}\nautomountServiceAccountToken: {a: 1}\n',
    'apiVersion: v1\nkind: List\nitems: {a: 1}\n',
    'apiVersion: v1\nkind: List\nitems: [null, 5, [1], {kind: RoleBinding}]\n',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\nsubjects: {kind: ServiceAccount, name: default}\n',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nsubjects: [{kind: ServiceAccount, name: default}, {kind: User, name: [1]}, ~]\n',
    'apiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\nmetadata: {name: t, annotations: [1, 2]}\n',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {volumes: {a: 1}, containers: [{name: a, image: x, env: {a: 1}, envFrom: [null, {secretRef: 5}, {secretRef: {name: [1]}}]}]}\n',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {serviceAccountName: {a: 1}, volumes: [{name: v, projected: {sources: {a: 1}}}, {name: w, projected: {sources: [{secret: 5}, {secret: {name: 5}}]}}], '
      + 'containers: [{name: a, image: x, env: [null, 5, {name: e, valueFrom: 5}, {name: f, valueFrom: {secretKeyRef: null}}]}]}\n',
  ];
  test.each(MALFORMED.map((m, i) => [i, m]))('malformed token facts or references (%s): no TypeError, harden exits 0-2', async (_i, text) => {
    const out = await cli(['harden', '-', '--strict-tokens'], { stdin: text as string });
    expect(out.stderr).not.toMatch(/TypeError|internal error|Cannot read/);
    expect([0, 1, 2]).toContain(out.code);
  });

  test('malformed objects in an app: synthesis reports no TypeError', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'b', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b' }, subjects: 'x' } as any);
    new ApiObject(chart, 'l', { apiVersion: 'v1', kind: 'List', items: [null, 5, { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', subjects: [null] }] } as any);
    new ApiObject(chart, 's', { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 't', annotations: { 'kubernetes.io/service-account.name': '' } } } as any);
    new ApiObject(chart, 'p', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { volumes: [{ name: 'v', secret: { secretName: 't' } }], containers: [{ name: 'a', image: 'x', securityContext: { runAsUser: 1000 }, env: [null] }] } } as any);
    const hardening = RootlessHardening.applyTo(chart, { notes: HardeningNotes.NONE });
    const r = captureStderr(() => Testing.synth(chart));
    expect(r.error ?? '').not.toMatch(/TypeError|internal error|Cannot read/);
    // the token Secret without an account name is the pod's own account's
    expect(keptIn(hardening.report.flatMap(x => x.ruleNotes.map(n => n.message)))).toEqual(['default/default']);
  });
});

describe('T4: a call whose objects an enclosing call hardens does not drop its token settings silently', () => {
  const build = () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    new ApiObject(chart, 'q', {
      apiVersion: 'v1', kind: 'Pod', spec: { serviceAccountName: 'agent', containers: [{ name: 'a', image: 'x:1', securityContext: { runAsUser: 1000 } }] },
    } as any);
    return { app, chart };
  };

  test.each([['the enclosing call first', true], ['the enclosing call last', false]])('strictTokens and FAIL on a chart under applyTo(app) (%s) fail synthesis, naming both calls', (_name, appFirst) => {
    const { app, chart } = build();
    if (appFirst) RootlessHardening.applyTo(app, { notes: HardeningNotes.NONE });
    RootlessHardening.applyTo(chart, { strictTokens: true, notes: HardeningNotes.FAIL });
    if (!appFirst) RootlessHardening.applyTo(app, { notes: HardeningNotes.NONE });
    const r = captureStderr(() => Testing.synth(chart));
    expect(r.error).toContain('[c] RootlessHardening.applyTo: strictTokens, notes of this call differ from those of RootlessHardening.applyTo on the app, which hardens c/q');
  });

  test('held: a second call with the same props, or with none, changes nothing and fails nothing', () => {
    const { app, chart } = build();
    RootlessHardening.applyTo(app, { notes: HardeningNotes.NONE, strictTokens: false });
    RootlessHardening.applyTo(chart, { strictTokens: false, notes: HardeningNotes.NONE });
    RootlessHardening.applyTo(chart);
    const r = captureStderr(() => Testing.synth(chart));
    expect(r.error).toBeUndefined();
    expect(podTemplateOf(r.value!.find((m: any) => m.kind === 'Pod'))!.spec.automountServiceAccountToken).toBeUndefined();
  });
});

describe('held: harden never invents a token reason, and a reason it wrote is declared on the next run', () => {
  const INPUT = `apiVersion: v1
kind: ServiceAccount
metadata: {name: agent, namespace: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: shop}
spec:
  serviceAccountName: agent
  containers: [{name: app, image: x:1, securityContext: {runAsUser: 1000}}]
`;

  test('--add-exemptions writes no serviceAccountToken entry: the token stays undeclared and --strict-tokens fails', async () => {
    const out = await cli(['harden', '-', '--add-exemptions', '--strict-tokens'], { stdin: INPUT });
    expect(out.code).toBe(1);
    expect(out.stdout).not.toContain('serviceAccountToken');
  });

  test('a --token-reason run, then a --strict-tokens run over its output: exit 0, the same bytes', async () => {
    const first = await cli(['harden', '-', '--token-reason', 'shop/agent=renews its leader lease through the API'], { stdin: INPUT });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('"reason":"renews its leader lease through the API"');
    const second = await cli(['harden', '-', '--strict-tokens'], { stdin: first.stdout });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });
});

describe('T5: a token kept and reported does not let a token added later through', () => {
  const build = (late: (p: ApiObject) => void) => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    new ApiObject(chart, 's', YAML.parse(TOKEN_SECRET));
    // the default account's token is turned off; the builder's token Secret, read through an env var, is kept and reported
    const p = new ApiObject(chart, 'p', {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: { containers: [{ name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 }, env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'builder-token', key: 'token' } } }] }] },
    } as any);
    RootlessHardening.applyTo(chart, { notes: HardeningNotes.NONE });
    chart.node.addValidation({ validate: () => { late(p); return []; } });
    return captureStderr(() => Testing.synth(chart));
  };

  test('a projected token of the default account, added by a later validation, fails synthesis', () => {
    const r = build(p => p.addJsonPatch(JsonPatch.add('/spec/volumes/-', { name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } })));
    expect(r.error).toContain('volume "t" projects a service-account token (rootless rule serviceAccountToken)');
  });

  test('automountServiceAccountToken turned back on by a later validation fails synthesis', () => {
    const r = build(p => p.addJsonPatch(JsonPatch.replace('/spec/automountServiceAccountToken', true)));
    expect(r.error).toContain('automountServiceAccountToken is true (rootless rule serviceAccountToken)');
  });

  test('held: without a later change, the pod is written with its automount off and synthesis passes', () => {
    const r = build(() => undefined);
    expect(r.error).toBeUndefined();
    expect(r.value!.find((m: any) => m.kind === 'Pod').spec.automountServiceAccountToken).toBe(false);
  });
});

describe('held: a reason already in the annotation declares the token for both tools', () => {
  test('the default account, no binding, a valid serviceAccountToken entry: neither turns the token off nor reports it', () => {
    const reason = 'lists the pods of its namespace for the dashboard';
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {rootless.cdk8s.io/exemptions: '[{"id":"serviceAccountToken","container":null,"reason":"${reason}"}]'}
    spec:
      containers: [{name: web, image: x:1, securityContext: {runAsUser: 1000}}]
`;
    const hardened = hardenText(text);
    const h = docsOf(hardened.text)[0];
    expect(podTemplateOf(h)!.spec.automountServiceAccountToken).toBeUndefined();
    expect(hardened.objects.flatMap(o => o.ruleNotes ?? [])).toEqual([]);
    const applied = applyToText(text, { strictTokens: true });
    expect(applied.error).toBeUndefined();
    const a = applied.value!.find((m: any) => m.kind === 'Deployment');
    expect(podTemplateOf(a)!.spec.automountServiceAccountToken).toBeUndefined();
    expect(applied.stderr).toBe('');
  });
});
