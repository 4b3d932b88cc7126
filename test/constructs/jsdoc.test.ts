/**
 * The JSDoc a new user reads in their editor tells the truth (issue 14): `addContainer` points to
 * `hardening.addContainer`, and the `securityContext` fields listed as managed on `HardenedContainerProps`
 * fail as documented, naming the exemption the JSDoc names.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { HardenedPod } from '../../lib/constructs/plus';
import { synthPod } from '../hardening/util';

const LIB = path.join(__dirname, '..', '..', 'lib', 'constructs', 'plus');

/** The JSDoc comment text of a declaration named `name` (an interface or a class method) in a source file. */
function jsdoc(file: string, name: string, within?: string): string {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(LIB, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node, inside: boolean) => {
    const named = (node as any).name?.getText?.(source);
    const enter = within === undefined || inside || (ts.isClassDeclaration(node) && named === within);
    if (enter && named === name && (ts.isInterfaceDeclaration(node) || ts.isMethodDeclaration(node))) {
      found.push(ts.getJSDocCommentsAndTags(node).map(d => d.getText(source)).join('\n'));
    }
    ts.forEachChild(node, child => visit(child, enter));
  };
  visit(source, false);
  expect(found).toHaveLength(1);
  return found[0];
}

test.each([
  ['hardened-pod.ts', 'HardenedPod'],
  ['rootless-deployment.ts', 'RootlessDeployment'],
  ['rootless-stateful-set.ts', 'RootlessStatefulSet'],
  ['rootless-job.ts', 'RootlessJob'],
  ['rootless-cron-job.ts', 'RootlessCronJob'],
  ['rootless-daemon-set.ts', 'RootlessDaemonSet'],
])('%s: addContainer and addInitContainer point to the hardening facet', (file, cls) => {
  expect(jsdoc(file, 'addContainer', cls)).toMatch(/use `hardening\.addContainer`/);
  expect(jsdoc(file, 'addInitContainer', cls)).toMatch(/use `hardening\.addInitContainer`/);
  expect(jsdoc(file, 'attachContainer', cls)).toMatch(/`readOnlyRootFilesystem: false`, `allowPrivilegeEscalation: true`/);
});

describe('HardenedContainerProps lists the managed securityContext fields and the exemption that unlocks each', () => {
  const doc = jsdoc('options.ts', 'HardenedContainerProps');
  /** "- `field: value`: ... `Exemption.kind(...)`" bullets, with their continuation lines (seccomp has no cdk8s-plus field). */
  const lines = doc.split('\n').map(l => l.replace(/^\s*(\/\*\*|\*\/|\*) ?/, ''));
  const items: string[] = [];
  for (const line of lines) {
    if (line.startsWith('- ')) items.push(line.slice(2));
    else if (line.startsWith('  ') && items.length > 0) items[items.length - 1] += ` ${line.trim()}`;
  }
  const bullets = items.map(i => /^`(\w+)(?::[^`]*)?`: (.*)$/.exec(i)).filter(m => m !== null).map(m => ({ field: m![1], text: m![2] }));

  test('every field the hardening manages is listed', () => {
    expect(bullets.map(b => b.field)).toEqual(['ensureNonRoot', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'privileged', 'capabilities']);
    expect(doc).toContain('accepts only `user` and `group`');
    expect(doc).toMatch(/seccomp[\s\S]*Exemption\.seccompLocalhost[\s\S]*Exemption\.seccompUnconfined/);
  });

  test.each([
    ['ensureNonRoot', false], ['readOnlyRootFilesystem', false], ['allowPrivilegeEscalation', true], ['privileged', true], ['capabilities', { drop: [] }],
  ] as const)('%s: setting it fails, naming the exemption the JSDoc names', (field, value) => {
    const bullet = bullets.find(b => b.field === field)!;
    const exemption = /`(Exemption\.\w+)\(/.exec(bullet.text)![1];
    let message = '';
    try {
      synthPod(chart => new HardenedPod(chart, 'app', { user: 1000, containers: [{ name: 'app', image: 'app', securityContext: { [field]: value } as any }] }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`containers[app].securityContext.${field}`);
    expect(message).toContain(`${exemption}(`);
  });
});
