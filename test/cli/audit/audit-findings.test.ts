import { exitCodeOf } from '../../../lib/cli/audit/audit';
import { cli, cliJson, expectAccounted, fixture } from '../helpers';

const RESTRICTED_SPEC = `
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: app
        image: nginx
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}`;

const deployment = (name: string, podSpec: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}${podSpec}
`;

describe('audit: not evaluable (no template, no containers)', () => {
  const patch = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations: {a: b}
`;

  test('a kustomize patch is reported as not evaluable, not denied, and does not fail the audit', async () => {
    const { code, report } = await cliJson(['audit', '-'], { stdin: patch });
    expect(code).toBe(0);
    expect(report.results.map((r: any) => [r.applicable, r.allowed, r.violations.length, r.malformed, r.notEvaluable !== undefined])).toEqual([
      [false, true, 0, undefined, true],
      [false, true, 0, undefined, true],
    ]);
    expect(report.results[0].notEvaluable).toContain('no pod template (spec.template)');
    expect(report.results[1].notEvaluable).toContain('no containers in spec.template.spec');
    expect(report.summary).toMatchObject({ objects: 2, audited: 0, skipped: 2, notEvaluable: 2, denied: 0, invalid: 0 });
    expectAccounted(report);
    const text = await cli(['audit', '-'], { stdin: patch });
    expect(text.stdout).toContain('doc 0 Deployment web: not evaluable: no pod template');
    expect(text.stdout).toContain('OK: Pod Security Standards restricted');
    expect(text.stdout).toContain('2 skipped (0 no pod template, 2 not evaluable: no containers)');
  });

  test('a container-less template whose pod-level fields violate the level is still denied (as admission judges it)', async () => {
    const { code, report } = await cliJson(['audit', '-'], { stdin: deployment('net', '\n    spec:\n      hostNetwork: true') });
    expect(code).toBe(1);
    expect(report.results[0].applicable).toBe(true);
    expect(report.results[0].violations.map((v: any) => v.check)).toContain('hostNamespaces');
  });

  test('init containers without containers: evaluated (they are checked), and invalid, not hidden as not evaluable', async () => {
    const pod = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"initContainers": [{"name": "i", "image": "i", "securityContext": {"privileged": true}}]}}';
    const { code, report } = await cliJson(['audit', '-'], { stdin: pod });
    expect(code).toBe(1);
    expect(report.results[0].notEvaluable).toBeUndefined();
    expect(report.results[0].violations.map((v: any) => v.check)).toContain('privileged');
    expect(report.results[0].invalid.map((p: any) => p.code)).toEqual(['no-containers']);
  });

  test('a container list that is not a list stays malformed', async () => {
    const { code, report } = await cliJson(['audit', '-'], { stdin: '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": 3}}' });
    expect(code).toBe(1);
    expect(report.results[0].malformed).toBeDefined();
    expect(report.results[0].notEvaluable).toBeUndefined();
  });
});

describe('audit: invalid as the API server validates', () => {
  test('container-only fields at pod level are invalid, a finding of its own; the Pod Security verdict is separate', async () => {
    const bad = deployment('web', RESTRICTED_SPEC.replace('runAsUser: 1000', 'runAsUser: 1000\n        allowPrivilegeEscalation: false'));
    const { code, report } = await cliJson(['audit', '-'], { stdin: bad });
    expect(code).toBe(1);
    const r = report.results[0];
    expect(r.allowed).toBe(true); // Pod Security allows it: not a denial
    expect(r.schema).toBe('known');
    expect(r.invalid).toEqual([expect.objectContaining({ code: 'unknown-field', path: 'spec.template.spec.securityContext.allowPrivilegeEscalation' })]);
    expect(report.summary).toMatchObject({ allowed: 1, denied: 0, invalid: 1 });
    const text = await cli(['audit', '-'], { stdin: bad });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('invalid (the API server would reject it): strict decoding error: unknown field "spec.template.spec.securityContext.allowPrivilegeEscalation"');
    expect(text.stdout).toMatch(/^INVALID: .*; 1 invalid \(the API server would reject it\)$/m);
  });

  test('SARIF: an invalid finding is a result of the api-invalid rule', async () => {
    const bad = deployment('web', RESTRICTED_SPEC.replace('runAsUser: 1000', 'runAsUser: 1000\n        privileged: false'));
    const out = await cli(['audit', '-', '--format', 'sarif'], { stdin: bad });
    const run = JSON.parse(out.stdout).runs[0];
    expect(run.results.map((r: any) => r.ruleId)).toEqual(['api-invalid']);
    expect(run.results[0].message.text).toContain('unknown field "spec.template.spec.securityContext.privileged"');
    expect(run.tool.driver.rules.map((r: any) => r.id)).toContain('api-invalid');
  });

  test('runAsUser above 2147483647 and a volumeMount naming no volume are invalid', async () => {
    const bad = deployment('web', RESTRICTED_SPEC.replace('runAsUser: 1000', 'runAsUser: 4294967296') + '\n        volumeMounts: [{name: cache, mountPath: /cache}]');
    const { report } = await cliJson(['audit', '-'], { stdin: bad });
    expect(report.results[0].invalid.map((p: any) => `${p.code} ${p.path}`)).toEqual([
      'id-range spec.template.spec.securityContext.runAsUser',
      'volume-not-found spec.template.spec.containers[0].volumeMounts[0].name',
    ]);
  });

  test('a valid object has no invalid findings; a custom resource is schema unknown, not invalid', async () => {
    const { code, report } = await cliJson(['audit', '-'], { stdin: deployment('ok', RESTRICTED_SPEC) + '---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {x: 1}\n' });
    expect(code).toBe(0);
    expect(report.results.map((r: any) => [r.kind, r.schema, r.invalid])).toEqual([['Deployment', 'known', undefined], ['Widget', 'unknown', undefined]]);
  });

  test('the existing restricted fixtures are valid', async () => {
    const { report } = await cliJson(['audit', '-'], { stdin: fixture('restricted-pod.yaml') });
    expect(report.summary.invalid).toBe(0);
  });
});

describe('audit: capability names read differently by Pod Security and the runtime', () => {
  test('drop: [all] is denied by restricted and noted: the runtime drops everything', async () => {
    const { code, report } = await cliJson(['audit', '-'], { stdin: deployment('caps', RESTRICTED_SPEC.replace('drop: [ALL]', 'drop: [all]')) });
    expect(code).toBe(1);
    expect(report.results[0].violations.map((v: any) => v.check)).toContain('capabilities_restricted');
    expect(report.results[0].notes).toEqual([expect.stringContaining('container "app": capabilities.drop "all": the runtime (containerd) reads it as ALL')]);
  });
});

describe('exit code: invalid and --strict ambiguity both fail, errors come first', () => {
  const summary = { objects: 1, audited: 1, allowed: 1, denied: 0, skipped: 0, notEvaluable: 0, invalid: 0, notKubernetes: 0, errors: 0 };
  test.each([
    [{}, false, 0],
    [{ invalid: 1 }, false, 1],
    [{ invalid: 1 }, true, 1],
    [{ denied: 1 }, false, 1],
    [{ errors: 1, invalid: 1 }, false, 2],
  ])('summary %p, strict %p: exit %p', (s, strict, code) => {
    expect(exitCodeOf({ summary: { ...summary, ...s } }, strict)).toBe(code);
  });
  test('ambiguous YAML fails only with --strict, and does not hide an invalid object without it', () => {
    const yaml = { ambiguous: 1, otherDifferences: 0 };
    expect(exitCodeOf({ summary, yaml }, false)).toBe(0);
    expect(exitCodeOf({ summary, yaml }, true)).toBe(1);
    expect(exitCodeOf({ summary: { ...summary, invalid: 1 }, yaml }, false)).toBe(1);
  });
});
