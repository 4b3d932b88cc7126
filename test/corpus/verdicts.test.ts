/**
 * `audit`'s verdicts on the real-world corpus, recorded in `verdicts.json` (issue 21, "Done when"): a change of any
 * verdict — an object allowed or denied at another level, another check, an object the API server would reject,
 * not evaluable or not read, ambiguous YAML — fails this test until a reviewer re-records the file with
 * `UPDATE_CORPUS_VERDICTS=1 npx jest test/corpus/verdicts.test.ts` and the diff is reviewed. What `audit` reads there
 * is the kubectl oracle's business (test/manifests/oracle); this file records what it concludes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { run } from '../../lib/cli/program';

const ROOT = path.join(__dirname, '..', '..');
const RECORDED = path.join(__dirname, 'verdicts.json');
const sources: { file: string }[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'sources.json'), 'utf8')).files;

async function audit(file: string, level: string): Promise<{ code: number; report: any }> {
  let out = '';
  const code = await run(['audit', path.join('test', 'corpus', file), '--level', level, '--format', 'json'], {
    stdin: Readable.from([]),
    stdout: { write: (s: string) => { out += s; return true; } },
    stderr: { write: () => true },
    cwd: ROOT,
  });
  return { code, report: JSON.parse(out) };
}

/** One line per object: where, what, and the verdict with the checks, the API problems and the YAML warnings. */
function verdictLines(report: any): string[] {
  const lines = report.results.map((r: any) => {
    const where = `doc ${r.index}${r.item !== undefined ? ` items[${r.item}]` : ''} ${r.kind} ${r.namespace ?? '-'}/${r.name}`;
    const verdict = r.notEvaluable ? 'not evaluable' : !r.applicable ? 'no pod template' : r.allowed ? 'allowed' : 'denied';
    const checks = [...new Set((r.violations ?? []).map((v: any) => v.check))].sort();
    const extra = [
      ...r.malformed ? [`malformed: ${r.malformed}`] : [],
      ...(r.invalid ?? []).map((p: any) => `invalid: ${typeof p === 'string' ? p : p.message ?? JSON.stringify(p)}`),
      ...r.ambiguous ? ['ambiguous YAML'] : [],
    ];
    return [`${where}: ${verdict}`, ...checks.length > 0 ? [`[${checks.join(', ')}]`] : [], ...extra].join(' ');
  });
  return [...lines, ...report.errors.map((e: any) => `error: ${e.message}`)];
}

test('audit\'s verdicts on every corpus file, at baseline and restricted, are the recorded ones', async () => {
  const actual: Record<string, Record<string, { exit: number; objects: string[] }>> = {};
  for (const { file } of sources) {
    actual[file] = {};
    for (const level of ['baseline', 'restricted']) {
      const { code, report } = await audit(file, level);
      actual[file][level] = { exit: code, objects: verdictLines(report) };
    }
  }
  if (process.env.UPDATE_CORPUS_VERDICTS === '1') fs.writeFileSync(RECORDED, JSON.stringify(actual, null, 2) + '\n');
  const recorded = JSON.parse(fs.readFileSync(RECORDED, 'utf8'));
  expect(actual).toEqual(recorded);
  // the corpus is read: no file is an error at either level, and both verdicts occur
  const all = Object.values(actual).flatMap(l => Object.values(l));
  expect(all.filter(v => v.exit === 2)).toEqual([]);
  expect(all.some(v => v.objects.some(o => o.includes(': allowed')))).toBe(true);
  expect(all.some(v => v.objects.some(o => o.includes(': denied')))).toBe(true);
}, 120000);
