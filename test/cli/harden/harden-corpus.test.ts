/**
 * harden over the real-world corpus (test/corpus/, public projects' manifests byte for byte): a second run over its own
 * output gives the same exit code and the same findings, and changes no byte; nothing is weakened (every value of the
 * input is still in the output, and every field the first run set is still set after the second). The rules judge the
 * pod that results, not who wrote a field: a finding that fired only when harden itself made the root read-only would
 * show here as a first-run finding missing from the second run.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { exitCodeOf, hardenText } from '../../../lib/cli/harden/harden';

const CORPUS = path.join(__dirname, '..', '..', 'corpus');
const sources: { file: string }[] = JSON.parse(fs.readFileSync(path.join(CORPUS, 'sources.json'), 'utf8')).files;

/** The documents as kubectl reads them (YAML 1.1, merge keys). */
const documents = (text: string): unknown[] => YAML.parseAllDocuments(text, { version: '1.1', merge: true }).map(d => d.toJS());

/** Every scalar of a JSON value with its path (arrays by index: harden only appends to them). */
function leaves(value: unknown, at = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) leaves(v, `${at}/${k}`, out);
  } else {
    out.set(at, value);
  }
  return out;
}

/** The leaves of `before` whose value is not the same in `after`. */
function lost(before: unknown, after: unknown): string[] {
  const a = leaves(after);
  return [...leaves(before)].filter(([p, v]) => !a.has(p) || !Object.is(a.get(p), v)).map(([p, v]) => `${p}: ${JSON.stringify(v)}`);
}

const findings = (r: ReturnType<typeof hardenText>) => r.objects.map(o => ({ object: `${o.index}/${o.item ?? ''} ${o.kind} ${o.name}`, problems: o.problems, remaining: o.remaining }));

const verdicts: Record<number, number> = {};

test.each(sources.map(s => s.file))('%s: a second run agrees with the first, byte for byte; nothing is weakened', (file) => {
  const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
  const first = hardenText(text);
  const second = hardenText(first.text);
  expect(second.text).toBe(first.text);
  expect(exitCodeOf(second)).toBe(exitCodeOf(first));
  expect(findings(second)).toEqual(findings(first));
  expect(second.objects.flatMap(o => o.changes)).toEqual([]);
  // nothing weakened: every value of the input is kept; every field the first run set is still set after the second
  expect(lost(documents(text), documents(first.text))).toEqual([]);
  expect(lost(documents(first.text), documents(second.text))).toEqual([]);
  verdicts[exitCodeOf(first)] = (verdicts[exitCodeOf(first)] ?? 0) + 1;
});

test('the corpus is not trivial: harden edits most files, and both "startable" (0) and "findings" (1) occur', () => {
  const edited = sources.filter(s => {
    const text = fs.readFileSync(path.join(CORPUS, s.file), 'utf8');
    return hardenText(text).text !== text;
  });
  expect(edited.length).toBeGreaterThan(sources.length / 2);
  expect(Object.keys(verdicts).map(Number)).toEqual(expect.arrayContaining([0, 1]));
});
