/**
 * The one reader reads YAML as `kubectl apply -f` sends it (each expectation below was checked with
 * kubectl 1.32: `kubectl label --local -f FILE x=y -o json`; the oracle test in test/manifests/oracle/
 * compares thousands of generated documents), and reports where a YAML 1.2 reader reads otherwise.
 * Every case here read differently before the reader followed go-yaml (the YAML 1.1 merge-key spec,
 * duplicate keys refused, `yaml`-package fallback).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { run } from '../../lib/cli/program';
import { ManifestError, ManifestObject } from '../../lib/manifests/manifest-objects';
import { parseManifests } from '../../lib/manifests/manifest-parser';
import { classifyDifferences } from '../../lib/manifests/yaml-differences';
import { RootlessValidation } from '../../lib/plugin';

function read(text: string): { objects: any[]; all: ManifestObject[]; errors: ManifestError[] } {
  const all: ManifestObject[] = [];
  const errors: ManifestError[] = [];
  parseManifests({ name: 'in.yaml', uri: 'in.yaml', text }, { object: o => all.push(o), error: e => errors.push(e) });
  return { objects: all.map(o => o.object), all, errors };
}

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n';

describe('merge keys as go-yaml v2 applies them (document order)', () => {
  test('a merge after an explicit key overrides it: privileged: false then <<: {privileged: true} is privileged', () => {
    const { objects, errors } = read(POD + '      privileged: false\n      <<: {privileged: true}\n');
    expect(errors).toEqual([]);
    expect(objects[0].spec.containers[0].securityContext.privileged).toBe(true);
  });

  test('an explicit key after a merge overrides the merge', () => {
    const { objects } = read(POD + '      <<: {privileged: true}\n      privileged: false\n');
    expect(objects[0].spec.containers[0].securityContext.privileged).toBe(false);
  });

  test('a second << overrides the first', () => {
    const { objects } = read(POD + '      <<: {runAsNonRoot: true}\n      <<: {runAsNonRoot: false}\n');
    expect(objects[0].spec.containers[0].securityContext.runAsNonRoot).toBe(false);
  });

  test('within <<: [a, b] the earlier map wins', () => {
    const { objects } = read('a: &a {runAsUser: 0}\nb: &b {runAsUser: 1000}\n' + POD.replace('apiVersion: v1\n', 'apiVersion: v1\n') + '      <<: [*a, *b]\n');
    expect(objects[0].spec.containers[0].securityContext.runAsUser).toBe(0);
  });

  test('a quoted "<<" is a plain key; <<: ~ is refused, as kubectl refuses it', () => {
    expect(read('kind: X\n"<<": {a: 1}\n').objects[0]).toEqual({ 'kind': 'X', '<<': { a: 1 } });
    expect(read('kind: X\nx:\n  <<: ~\n').errors[0].message).toMatch(/map merge requires map or sequence of maps/);
  });
});

describe('scalars, keys and documents as kubectl reads them', () => {
  test('duplicate keys: the last wins', () => {
    expect(read('kind: Pod\nspec:\n  hostPID: false\n  hostPID: true\n').objects[0].spec.hostPID).toBe(true);
  });

  test.each([
    ['0644', 420], ['0o17', 15], ['0x1F', 31], ['0b101', 5], ['1_000', 1000], ['09', 9], ['1e3', 1000], ['+12', 12],
    ['yes', true], ['Y', true], ['n', false], ['OFF', false], ['on', true], ['1:20', '1:20'], ['2001-12-14', '2001-12-14'], ['~', null],
    ['0xFFFFFFFFFFFFFFFFFF', '0xFFFFFFFFFFFFFFFF' + 'FF'], ['0o', '0o'],
  ])('%s reads as %j', (text, value) => {
    expect(read(`kind: X\nv: ${text}\n`).objects[0].v).toEqual(value);
  });

  test('keys become strings as sigs.k8s.io/yaml makes them (y is "true", 1e6 is "1e+06"); a null key is refused', () => {
    expect(Object.keys(read('kind: X\nm: {y: 1, 0x10: 2, 1e6: 3, 1.5: 4}\n').objects[0].m).sort()).toEqual(['1.5', '16', '1e+06', 'true']);
    expect(read('kind: X\nm: {~: 1}\n').errors[0].message).toMatch(/unsupported map key/);
  });

  test('.nan and .inf are refused only when they stay in the value (JSON has no such numbers)', () => {
    expect(read('kind: X\nv: .inf\n').errors[0].message).toMatch(/unsupported value/);
    expect(read('kind: X\nv: .inf\nv: 1\n').objects[0].v).toBe(1);
  });

  test('kubectl documents: nothing after a ... line until the next ---; an invalid --- line ends the stream; % directives refused', () => {
    expect(read('kind: A\n...\nkind: B\n---\nkind: C\n').objects.map(o => o.kind)).toEqual(['A', 'C']);
    const bad = read('kind: A\n---\nkind: B\n---x\nkind: C\n');
    expect(bad.objects.map(o => o.kind)).toEqual(['A']);
    expect(bad.errors[0].message).toMatch(/invalid document separator `---x`/);
    expect(read('%YAML 1.1\n---\nkind: A\n').errors[0].message).toMatch(/directive/);
  });

  test('concatenated JSON objects are read as kubectl reads them', () => {
    expect(read('{"kind":"A"} {"kind":"B"}\n').objects.map(o => o.kind)).toEqual(['A', 'B']);
  });

  test('kubernetes/dashboard init-container-error-pod.yaml: a single-quoted annotation less indented than its key', () => {
    const file = path.join(__dirname, '..', 'corpus', 'kubernetes__dashboard', 'hack__test-resources__init-container-error-pod.yaml');
    const { objects, errors } = read(fs.readFileSync(file, 'utf8'));
    expect(errors).toEqual([]);
    expect(objects).toHaveLength(1);
    expect(objects[0].kind).toBe('Pod');
  });

  test('a flow list closed at column 0 and a quoted scalar continued at column 1 (go-yaml does not check their indentation)', () => {
    const { objects, errors } = read('kind: X\nspec:\n  args: [a,\n]\n  note: "one\n two"\n');
    expect(errors).toEqual([]);
    expect(objects[0].spec).toEqual({ args: ['a'], note: 'one two' });
  });
});

describe('ambiguity: where a YAML 1.2 reader reads otherwise', () => {
  test('a YAML 1.1 boolean at a judged field is ambiguous; elsewhere only counted; an anchor shared in one object reads the same in 1.2', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {a: yes}\nspec:\n  hostNetwork: no\n'
      + '  securityContext: &sc {runAsNonRoot: true}\n  containers:\n  - name: app\n    image: nginx\n    securityContext: *sc\n';
    const { all } = read(text);
    const c = classifyDifferences(all[0].differences, 'Pod');
    expect(c.ambiguous.map(a => [a.kind, a.path, a.line])).toEqual([['yaml11', 'spec.hostNetwork', 7]]);
    expect(c.others).toBe(1); // metadata.annotations.a: yes
  });

  test('an anchor shared between List items of different kinds is ambiguous; between items of one kind it is not', () => {
    const list = (second: string): string => 'apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n  spec:\n    securityContext: &sc {runAsNonRoot: true}\n'
      + `- kind: ${second}\n  metadata: {name: b}\n  spec:\n    template:\n      spec:\n        securityContext: *sc\n`;
    const cross = read(list('Deployment')).all;
    expect(classifyDifferences(cross[1].differences, 'Deployment').ambiguous).toEqual([expect.objectContaining({ kind: 'alias', path: 'spec.template.spec.securityContext', line: 13 })]);
    expect(classifyDifferences(read(list('Pod')).all[1].differences, 'Pod').ambiguous).toEqual([]);
  });

  test('the same anchor shared by two containers is not ambiguous (one API type)', () => {
    const text = 'kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext: &sc {runAsNonRoot: true}\n  - name: b\n    securityContext: *sc\n';
    expect(classifyDifferences(read(text).all[0].differences, 'Pod').ambiguous).toEqual([]);
  });

  test('List items carry their own differences, re-rooted', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n- kind: Pod\n  metadata: {name: b}\n  spec:\n    hostPID: on\n';
    const { all } = read(text);
    expect(all[0].differences).toBeUndefined();
    expect(all[1].differences?.map(d => d.paths)).toEqual([[['spec', 'hostPID']]]);
  });

  async function audit(args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const sink = { write: (s: string) => { out += s; return true; } };
    const io = { stdin: Readable.from([]), stdout: sink, stderr: sink, cwd: os.tmpdir() };
    const code = await run(args, io as any);
    return { code, out };
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-reading-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const SAFE = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  automountServiceAccountToken: false\n'
    + '  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}\n'
    + '  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      capabilities: {drop: [ALL]}\n      readOnlyRootFilesystem: true\n';

  test('audit: an allowed object with a merge key gets a warning, exit 0; --strict makes it exit 1', async () => {
    const file = path.join(dir, 'merge.yaml');
    fs.writeFileSync(file, SAFE + '      allowPrivilegeEscalation: true\n      <<: {allowPrivilegeEscalation: false}\n');
    const plain = await audit(['audit', file]);
    expect(plain.out).toMatch(/merge\.yaml:15: doc 0 Pod p, spec\.containers\[0\]\.securityContext: warning: ambiguous YAML: a << merge key/);
    expect(plain.out).toMatch(/1 ambiguous place \(warnings\)/);
    expect(plain.code).toBe(0);
    expect((await audit(['audit', file, '--strict'])).code).toBe(1);
    const json = JSON.parse((await audit(['audit', file, '--format', 'json'])).out);
    expect(json.summary.ambiguousYaml).toBe(1);
    expect(json.results[0].ambiguous[0]).toMatchObject({ kind: 'merge', path: 'spec.containers[0].securityContext', line: 15 });
  });

  test('audit: the verdict is kubectl\'s reading (a merge that sets privileged: true after false is denied)', async () => {
    const file = path.join(dir, 'privileged.yaml');
    fs.writeFileSync(file, SAFE + '      allowPrivilegeEscalation: false\n      privileged: false\n      <<: {privileged: true}\n');
    const r = await audit(['audit', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/privileged: privileged/);
  });

  test('audit: a YAML 1.1 scalar outside judged fields (0644, 420 for kubectl) is only counted, no warning, --strict exit 0', async () => {
    const file = path.join(dir, 'counted.yaml');
    fs.writeFileSync(file, SAFE.replace('  automountServiceAccountToken: false\n', '  automountServiceAccountToken: false\n  terminationGracePeriodSeconds: 0644\n')
      + '      allowPrivilegeEscalation: false\n');
    const r = await audit(['audit', file, '--strict']);
    expect(r.out).not.toMatch(/warning: ambiguous/);
    expect(r.out).toMatch(/0 ambiguous places \(warnings\), 1 other YAML 1.1\/1.2 difference/);
    expect(r.code).toBe(0);
  });

  test('the plugin fails on ambiguous YAML (cdk8s output has no reason to be ambiguous)', async () => {
    const file = path.join(dir, 'chart.k8s.yaml');
    fs.writeFileSync(file, SAFE + '      allowPrivilegeEscalation: false\n      <<: {readOnlyRootFilesystem: true}\n');
    const violations: any[] = [];
    let status = '';
    await new RootlessValidation({}).validate({
      manifests: [file],
      metadata: {},
      report: { addViolation: (v: any) => violations.push(v), submit: (s: string) => { status = s; } },
      logger: { log: () => undefined },
    } as any);
    expect(status).toBe('failure');
    expect(violations.map(v => v.ruleName)).toEqual(['ambiguous-yaml']);
    expect(violations[0].violatingResources[0].locations[0]).toMatch(/line 15, spec\.containers\[0\]\.securityContext: a << merge key/);
  });

  test('harden: refuses (exit 2, document unchanged) to edit through a merge key; un-shares an anchor shared by pod and container; '
    + 'edits a document whose YAML differs elsewhere, keeping its bytes', async () => {
    const merged = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: merged\nspec:\n  containers:\n  - name: app\n    image: nginx\n'
      + '    securityContext:\n      privileged: false\n      <<: {privileged: true}\n';
    const shared = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: shared\nspec:\n  securityContext: &sc\n    runAsNonRoot: true\n    runAsUser: 1000\n'
      + '  containers:\n  - name: app\n    image: nginx\n    securityContext: *sc\n';
    const plain = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: plain\nspec:\n  terminationGracePeriodSeconds: 0644\n  containers:\n  - name: app\n    image: nginx\n';
    const file = path.join(dir, 'harden.yaml');
    fs.writeFileSync(file, [merged, shared, plain].join('---\n'));
    const r = await audit(['harden', file]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('error: doc 0: refused, left unchanged: Pod merged: harden would edit spec.containers[0].securityContext (line 11)');
    expect(r.out).toContain('*sc (line 24) written out as a copy of &sc, so that each side is edited on its own');
    const out = r.out.slice(r.out.indexOf('apiVersion: v1'));
    const docs = out.split('---\n');
    expect(docs[0]).toBe(merged);
    expect(docs[1]).not.toMatch(/[&*]sc/);
    const pod = read(docs[1]).objects[0];
    expect(pod.spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } }); // no container-only field
    expect(pod.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(docs[2]).toContain('  terminationGracePeriodSeconds: 0644\n'); // bytes harden does not touch are kept
    expect(docs[2]).toContain('allowPrivilegeEscalation: false');
  });

  test('harden edits a container that ends in comment lines followed by a shallower key (volumeClaimTemplates)', async () => {
    const text = 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  selector:\n    matchLabels: {app: db}\n'
      + '  template:\n    metadata:\n      labels: {app: db}\n    spec:\n      containers:\n      - name: db\n        image: registry.example.com/db:1\n'
      + '        securityContext:\n          runAsUser: 1000\n        # resources:\n        #   limits:\n        #     memory: 1Gi\n'
      + '  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n      accessModes: [ReadWriteOnce]\n';
    const file = path.join(dir, 'sts.yaml');
    fs.writeFileSync(file, text);
    const r = await audit(['harden', file]);
    expect(r.out).not.toContain('not edited');
    const out = r.out.slice(r.out.indexOf('apiVersion:'));
    const [obj] = read(out).objects;
    expect(obj.spec.template.spec.containers[0].securityContext).toMatchObject({ runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(obj.spec.volumeClaimTemplates).toEqual([{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }]);
    expect(out).toContain('        # resources:\n        #   limits:\n        #     memory: 1Gi\n  volumeClaimTemplates:\n');
  });
});
