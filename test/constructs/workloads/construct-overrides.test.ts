/**
 * The six constructs share one hardening facet (`PodHardening`, issue 24 point 3): each class keeps only
 * its constructor and the one-line overrides that having no mixins forces, the same in every class, with
 * the same JSDoc. A seventh construct copies them from any of these.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Cron, Testing } from 'cdk8s';
import * as ts from 'typescript';
import { synth } from './util';
import { HardenedPod, PodHardening, RootlessCronJob, RootlessDaemonSet, RootlessDeployment, RootlessJob, RootlessStatefulSet } from '../../../lib/constructs/plus';

const LIB = path.join(__dirname, '..', '..', '..', 'lib', 'constructs', 'plus');
const CONSTRUCTS = [
  ['hardened-pod.ts', 'HardenedPod'],
  ['rootless-deployment.ts', 'RootlessDeployment'],
  ['rootless-stateful-set.ts', 'RootlessStatefulSet'],
  ['rootless-job.ts', 'RootlessJob'],
  ['rootless-cron-job.ts', 'RootlessCronJob'],
  ['rootless-daemon-set.ts', 'RootlessDaemonSet'],
] as const;
const ROUTED = ['addContainer', 'addInitContainer', 'attachContainer', '_toPodSpec'];

/** The routed methods of a class and the `hardening` property: name, JSDoc and source text (whitespace folded). */
function members(file: string, cls: string): Map<string, { doc: string; text: string }> {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(LIB, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const out = new Map<string, { doc: string; text: string }>();
  const visit = (node: ts.Node) => {
    if (ts.isClassDeclaration(node) && node.name?.getText(source) === cls) {
      for (const m of node.members) {
        const name = m.name?.getText(source);
        if (name === undefined || !(ROUTED.includes(name) || name === 'hardening')) continue;
        const doc = ts.getJSDocCommentsAndTags(m).map(d => d.getText(source)).join('\n');
        const text = m.getText(source).replace(/\s+/g, ' ').trim();
        out.set(name, { doc, text });
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

test('the six classes have the same routed overrides and facet, with the same JSDoc, one line each', () => {
  const all = CONSTRUCTS.map(([file, cls]) => ({ cls, m: members(file, cls) }));
  const [first, ...rest] = all;
  expect([...first.m.keys()].sort()).toEqual([...ROUTED, 'hardening'].sort());
  for (const { cls, m } of rest) {
    expect([cls, [...m.keys()].sort()]).toEqual([cls, [...first.m.keys()].sort()]);
    for (const [name, { doc, text }] of first.m) {
      expect([cls, name, m.get(name)]).toEqual([cls, name, { doc, text }]);
    }
  }
  // one statement each: a delegate into the facet
  for (const name of ROUTED) expect(first.m.get(name)!.text).toMatch(/\{ (return )?this\.hardening\._\w+\([^;]*\); \}$/);
  expect(first.m.get('_toPodSpec')!.doc).toContain('@internal');
});

test('no class keeps a method of its own with hardening options (the facet owns them)', () => {
  for (const [file] of CONSTRUCTS) {
    expect([file, fs.readFileSync(path.join(LIB, file), 'utf8')]).not.toEqual([file, expect.stringMatching(/addHardened/)]);
  }
});

describe('construct.hardening', () => {
  test.each([
    ['HardenedPod', (c: any) => new HardenedPod(c, 'w', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] })],
    ['RootlessDeployment', (c: any) => new RootlessDeployment(c, 'w', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] })],
    ['RootlessStatefulSet', (c: any) => new RootlessStatefulSet(c, 'w', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] })],
    ['RootlessJob', (c: any) => new RootlessJob(c, 'w', { user: 1000, containers: [{ image: 'a:1' }] })],
    ['RootlessCronJob', (c: any) => new RootlessCronJob(c, 'w', { user: 1000, schedule: Cron.daily(), containers: [{ image: 'a:1' }] })],
    ['RootlessDaemonSet', (c: any) => new RootlessDaemonSet(c, 'w', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] })],
  ])('%s: the facet adds containers with hardening options, and gives the user, fsGroup and the verified object', (_, make) => {
    const chart = Testing.chart();
    const w = make(chart);
    const h: PodHardening = w.hardening;
    expect(h).toBeInstanceOf(PodHardening);
    expect(h.pod).toBe(w);
    expect([h.user, h.fsGroup]).toEqual([1000, 1000]);
    h.addContainer({ name: 'side', image: 'side:1', user: 2000, writablePaths: ['/var/cache/side'] });
    h.addInitContainer({ name: 'init', image: 'init:1', user: 3000 });
    const json = h.apiObject.toJson();
    const spec = (json.kind === 'CronJob' ? json.spec.jobTemplate.spec.template : json.kind === 'Pod' ? json : json.spec.template).spec;
    const side = spec.containers.find((c: any) => c.name === 'side');
    expect(side.securityContext.runAsUser).toBe(2000);
    expect(side.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/tmp', '/var/cache/side']));
    expect(spec.initContainers.find((c: any) => c.name === 'init').securityContext.runAsUser).toBe(3000);
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('the facet cannot be made detached from a pod (no public constructor)', () => {
    const source = fs.readFileSync(path.join(LIB, 'pod-hardening.ts'), 'utf8');
    expect(source).toMatch(/private constructor\(/);
    expect(source).toMatch(/@internal\s*\*\/\s*public static _create\(/);
  });

  test('its public surface names no cdk8s-plus type', () => {
    const source = ts.createSourceFile('pod-hardening.ts', fs.readFileSync(path.join(LIB, 'pod-hardening.ts'), 'utf8'), ts.ScriptTarget.ES2022, true);
    const publicTexts: string[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isClassDeclaration(node)) {
        for (const m of node.members) {
          const name = m.name?.getText(source) ?? '';
          const modifiers = ts.canHaveModifiers(m) ? ts.getModifiers(m) ?? [] : [];
          const isPublic = !modifiers.some(x => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword);
          if (isPublic && !name.startsWith('_') && !ts.isConstructorDeclaration(m)) {
            // the signature only: parameters and type
            const sig = m.getText(source).split('{')[0];
            publicTexts.push(sig);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(publicTexts.length).toBeGreaterThanOrEqual(6);
    expect(publicTexts.filter(t => /kplus\./.test(t))).toEqual([]);
  });

  test('synthesis output is the same as before the facet (a sidecar through the facet)', () => {
    const [d] = synth(chart => new RootlessDeployment(chart, 'w', { user: 1000 }).hardening.addContainer({ name: 's', image: 's:1', user: 2000 }));
    expect(d.spec.template.spec.containers[0].securityContext).toMatchObject({ runAsUser: 2000, runAsNonRoot: true, readOnlyRootFilesystem: true });
  });
});
