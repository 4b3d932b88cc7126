/**
 * Every pod of `npm run examples`' output passes the startability checklist (lib/hardening/startability.ts,
 * docs/migration.md "Will it start?"), and so does the examples' migration step: `harden --user 1000` on the
 * reference article's scenario 1 (examples/run.js, step 3).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { hardenText } from '../../lib/cli/harden/harden';
import { startabilityProblems } from '../../lib/hardening/startability';
import { podBearingKind } from '../../lib/policy/k8s-shapes';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const names = fs.readdirSync(EXAMPLES).filter(f => f.endsWith('.ts')).map(f => path.basename(f, '.ts')).sort();

function synth(name: string): any[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { build } = require(path.join(EXAMPLES, name)) as { build: (app: App) => Chart };
  return Testing.synth(build(Testing.app()));
}

test.each(names)('example %s: every pod passes the startability checklist', (name) => {
  const problems = synth(name).filter(m => podBearingKind(m.kind)).flatMap(m => startabilityProblems(m).map(p => `${m.kind}/${m.metadata?.name}: ${p}`));
  expect(problems).toEqual([]);
});

test('the compliant sample manifests pass the checklist', () => {
  const dir = path.join(EXAMPLES, 'manifests', 'compliant');
  const objects = [
    ...YAML.parseAllDocuments(fs.readFileSync(path.join(dir, 'webserver.yaml'), 'utf8')).map(d => d.toJS()),
    ...JSON.parse(fs.readFileSync(path.join(dir, 'pods.list.json'), 'utf8')).items,
  ];
  expect(objects.length).toBeGreaterThan(1);
  expect(objects.flatMap(m => startabilityProblems(m))).toEqual([]);
});

describe('the migration step: harden --user 1000 on the article\'s scenario 1', () => {
  const text = fs.readFileSync(path.join(EXAMPLES, 'manifests', 'article', 'secure-app.yaml'), 'utf8');

  test('the original would not start as restricted wants it: runAsNonRoot alone on an unknown image', () => {
    expect(startabilityProblems(YAML.parse(text))).toEqual([expect.stringContaining('no numeric runAsUser')]);
  });

  test('writes a numeric user, and the result passes the checklist', () => {
    const out = hardenText(text, { user: 1000 });
    const hardened = YAML.parse(out.text);
    expect(hardened.spec.securityContext.runAsUser ?? hardened.spec.containers[0].securityContext?.runAsUser).toBe(1000);
    expect(startabilityProblems(hardened)).toEqual([]);
  });
});
