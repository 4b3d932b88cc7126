/**
 * Red team of the one reader (issue 21): YAML or JSON that kubectl reads one way and the reader
 * (hence `audit`, `harden`'s judgement and the validation plugin) another. kubectl's reading of each
 * input here was taken with `kubectl label --local -f FILE x=1 -o json` (kubectl 1.32) and is also in
 * the oracle's cases (`test/manifests/oracle/cases/`), where it is recorded and compared live.
 * Findings: test/redteam/FINDINGS.md, "kubectl reading (issue 21)".
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { synthesize } from './helpers';
import { RootlessHardening } from '../../lib';
import { ManifestError, ManifestObject } from '../../lib/manifests/manifest-objects';
import { parseManifests } from '../../lib/manifests/manifest-parser';
import { ManifestStreamParser } from '../../lib/manifests/manifest-stream';
import { cli, cliJson, tmpDir, writeFiles } from '../cli/helpers';
import { readerOutcome } from '../manifests/oracle/outcome';

interface Read { readonly objects: Array<Record<string, unknown>>; readonly errors: ManifestError[] }

function read(text: string, name = 'in.yaml'): Read {
  const objects: ManifestObject[] = [];
  const errors: ManifestError[] = [];
  parseManifests({ name, uri: name, text }, { object: o => objects.push(o), error: e => errors.push(e) });
  return { objects: objects.map(o => o.object), errors };
}

function stream(text: string, name = 'in.json', chunk = 7): Read {
  const objects: ManifestObject[] = [];
  const errors: ManifestError[] = [];
  const p = new ManifestStreamParser({ name, uri: name }, { object: o => objects.push(o), error: e => errors.push(e) }, { maxBytes: 2 ** 30 });
  for (let i = 0; i < text.length; i += chunk) p.write(text.slice(i, i + chunk));
  p.end();
  return { objects: objects.map(o => o.object), errors };
}

const PRIVILEGED_POD = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evil' }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] } };

describe('R1 (high): kubectl reads every object with a kind and `items` as a list, whatever the kind', () => {
  // apimachinery's unstructured decoder detects a list by its `items` member alone; kubectl then
  // applies the items, not the object, and an item with neither kind nor apiVersion takes the
  // list's apiVersion and its kind without `List`.
  const deploymentWithItems = `apiVersion: apps/v1
kind: Deployment
metadata: {name: looks-fine}
spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: x}]}}}
items:
- ${JSON.stringify(PRIVILEGED_POD)}
`;

  test('a Deployment with items: kubectl sends the privileged Pod in items, not the Deployment', () => {
    const r = read(deploymentWithItems);
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([PRIVILEGED_POD]);
  });

  test('a PodList item without kind and apiVersion is a v1 Pod', () => {
    const r = read('apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: p}\n  spec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n');
    expect(r.objects).toHaveLength(1);
    expect(r.objects[0]).toMatchObject({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ securityContext: { privileged: true } }] } });
  });

  test('an item without kind in a Deployment with items is a Deployment (hostPID in its template)', () => {
    const r = read('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nitems:\n- metadata: {name: d2}\n  spec: {template: {spec: {hostPID: true, containers: [{name: c, image: x}]}}}\n');
    expect(r.objects).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd2' }, spec: { template: { spec: { hostPID: true, containers: [{ name: 'c', image: 'x' }] } } } }]);
  });

  test('a Pod with `items: null` or `items: []` is an empty list (kubectl applies nothing); `items: 5` is refused', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n';
    expect(read(`${pod}items: null\n`)).toEqual({ objects: [], errors: [] });
    expect(read(`${pod}items: []\n`)).toEqual({ objects: [], errors: [] });
    for (const v of ['5', '"x"', '{}', 'true']) {
      const r = read(`${pod}items: ${v}\n`);
      expect([v, r.objects]).toEqual([v, []]);
      expect(r.errors).toHaveLength(1);
    }
  });

  test('JSON, whole and streamed, kind after items (as `kubectl get -o json` orders it): the items take the list kind', () => {
    const json = JSON.stringify({ apiVersion: 'v1', items: [{ metadata: { name: 'p' }, spec: PRIVILEGED_POD.spec }], kind: 'PodList' });
    for (const r of [read(json, 'in.json'), stream(json), stream(json, 'in.json', 1)]) {
      expect(r.errors).toEqual([]);
      expect(r.objects).toEqual([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: PRIVILEGED_POD.spec }]);
    }
    const deployment = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, items: [PRIVILEGED_POD] });
    for (const r of [read(deployment, 'in.json'), stream(deployment)]) {
      expect(r.errors).toEqual([]);
      expect(r.objects).toEqual([PRIVILEGED_POD]);
    }
  });

  test('audit judges the items: exit 1, the privileged Pod denied', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'd.yaml': deploymentWithItems });
    const { code, report } = await cliJson(['audit', 'd.yaml'], { cwd: dir });
    expect(code).toBe(1);
    expect(JSON.stringify(report)).toMatch(/privileged/);
    expect(JSON.stringify(report)).toMatch(/evil/);
  });
});

describe('R2 (high): harden found pod-bearing objects by the kind written in the YAML, not the kind kubectl sends', () => {
  // A PodList item without kind is a Pod for kubectl (R1); harden walked the YAML, saw no kind,
  // reported nothing and exited 0 with the privileged Pod unchanged.
  test('harden on a PodList whose item has no kind: the Pod is hardened and judged (exit 1, privileged reported)', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'p.yaml': 'apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: p8}\n  spec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n' });
    const out = await cli(['harden', 'p.yaml', '--user', '1000'], { cwd: dir });
    expect(out.code).toBe(1);
    expect(out.stderr + out.stdout).toMatch(/Pod p8: still fails restricted/);
    expect(out.stdout).toMatch(/capabilities: \{drop: \[ALL\]\}/);
    expect(out.stdout).toMatch(/privileged: true/);
  });
});

describe('R6 (high): applyTo looked for pods only in objects whose kind ends in List', () => {
  // kubectl applies the items of any object with items: a ConfigMap (or Deployment) whose items hold a
  // privileged Pod was written unjudged, and synthesis passed; a kind-less PodList item is a Pod.
  const evil = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evil' }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] } };
  const itemsOf = (docs: any[]): any[] => docs.flatMap(d => (Array.isArray(d.items) ? d.items : []));

  test.each([
    ['a ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, items: [evil] }],
    ['a Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } }, items: [evil] }],
    ['a PodList with a kind-less item', { apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'evil' }, spec: evil.spec }] }],
  ])('%s with items: the items are hardened and verified, or synthesis fails', (_n, obj) => {
    const r = synthesize(c => {
      new ApiObject(c, 'o', obj as any);
      RootlessHardening.applyTo(c, { user: 10001 });
    });
    if (r.error !== undefined) {
      expect(r.error).toMatch(/privileged|items\[0\]/);
      return;
    }
    const items = itemsOf(r.docs!);
    expect(items).toHaveLength(1);
    expect(items[0].spec.containers[0].securityContext.privileged).not.toBe(true);
    expect(items[0].spec.containers[0].securityContext.allowPrivilegeEscalation).toBe(false);
  });
});

describe('R3 (critical): NEL, LS and PS are line breaks for kubectl (YAML 1.1), not for js-yaml', () => {
  // `# note<LS>      privileged: true`: js-yaml reads one comment line, kubectl's go-yaml a second key.
  const pod = (sc: string): string => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    securityContext:\n${sc}`;
  test.each([['LS', '\u2028'], ['PS', '\u2029'], ['NEL', '\u0085']])('a comment ended by %s hides `privileged: true` from the reader', (_n, br) => {
    const r = read(pod(`      runAsNonRoot: true # note${br}      privileged: true\n`));
    expect(r.errors).toEqual([]);
    expect(r.objects[0]).toMatchObject({ spec: { containers: [{ securityContext: { runAsNonRoot: true, privileged: true } }] } });
  });

  test('an LS inside a flow list adds SYS_ADMIN to capabilities.add', () => {
    const r = read(pod('      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE,\u2028 SYS_ADMIN]}\n'));
    expect(r.errors).toEqual([]);
    expect((r.objects[0] as any).spec.containers[0].securityContext.capabilities.add).toEqual(['NET_BIND_SERVICE', 'SYS_ADMIN']);
  });

  test('audit denies the pod hidden behind an LS (exit 1)', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'p.yaml': pod('      runAsNonRoot: true\n      allowPrivilegeEscalation: false\n      capabilities: {drop: [ALL]}\n      seccompProfile: {type: RuntimeDefault} # ok\u2028      privileged: true\n') });
    const { code, report } = await cliJson(['audit', 'p.yaml'], { cwd: dir });
    expect(code).toBe(1);
    expect(JSON.stringify(report)).toMatch(/privileged/);
  });
});

describe('R5 (critical): `! <<` and `! "<<"` (the non-specific tag) are merge keys for go-yaml', () => {
  // go-yaml's parser marks a scalar tagged `!` plain-implicit, quoted or not, and its isMerge takes
  // any implicit `<<`: the merge overrides the explicit `privileged: false` before it.
  const pod = (key: string): string => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    securityContext:\n      privileged: false\n      ${key}: {privileged: true}\n`;
  test.each(['! "<<"', '! <<', "! '<<'"])('%s merges', key => {
    const r = read(pod(key));
    expect(r.errors).toEqual([]);
    expect((r.objects[0] as any).spec.containers[0].securityContext).toEqual({ privileged: true });
  });

  test('`!!str <<` and `"<<"` stay keys (as for kubectl)', () => {
    for (const key of ['!!str <<', '"<<"']) expect((read(pod(key)).objects[0] as any).spec.containers[0].securityContext).toEqual({ 'privileged': false, '<<': { privileged: true } });
  });

  test('audit: denied (privileged) and the merge reported as ambiguous', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'p.yaml': pod('! "<<"') });
    const { code, report } = await cliJson(['audit', 'p.yaml'], { cwd: dir });
    expect(code).toBe(1);
    const text = JSON.stringify(report);
    expect(text).toMatch(/"check":"privileged"/);
    expect(text).toMatch(/merge/);
  });
});

describe('R4 (low): a byte order mark that starts a later document', () => {
  // kubectl hands go-yaml each document alone, and go-yaml drops a BOM first in its input; the reader
  // read `\ufeffspec` as another key, so the Pod had no spec (denied as malformed, not for privileged).
  test('`---` then BOM then `spec:`: the spec is the Pod\'s', () => {
    const r = read('kind: ConfigMap\napiVersion: v1\n---\n\ufeffspec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n');
    expect(r.errors).toEqual([]);
    expect(r.objects[1]).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] } });
  });

  test('a BOM at the start of a later line of a document stays a character of the key, as for kubectl', () => {
    const r = read('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n\ufeffspec: {}\n');
    expect(Object.keys(r.objects[0])).toContain('\ufeffspec');
  });
});

describe('attacks that held (kubectl and the reader agree, kubectl\'s reading recorded in the oracle)', () => {
  // `? privileged`, a quoted duplicate key, `on:`/`y:` keys, `!!bool "true"`, `!!int "0"`, `0x0`, `0b0`,
  // `+0`, `0_0`, `0.0`, `00`, `!!binary`, a custom tag, a tab before a value, `#` without a blank, `1e0`, `1_0:0`
  const recorded = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'manifests', 'oracle', 'recorded.json'), 'utf8'));
  test.each(['redteam-held-security-context.yaml', 'redteam-items-of-any-kind.yaml', 'redteam-yaml11-line-breaks.yaml', 'redteam-bom-starting-a-document.yaml', 'redteam-merge-with-non-specific-tag.yaml'])('%s: the reader reads what kubectl read', f => {
    const name = `cases/${f}`;
    const text = fs.readFileSync(path.join(__dirname, '..', 'manifests', 'oracle', name), 'utf8');
    const want = recorded.outcomes[name];
    expect(want).toBeDefined();
    const got = readerOutcome({ name, text });
    expect(got.objects).toEqual(want.objects);
    expect(got.error === undefined).toBe(want.error === undefined);
  });
});
