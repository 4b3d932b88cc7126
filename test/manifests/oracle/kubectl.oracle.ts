/**
 * kubectl as the oracle of the reader (docs/architecture.md, "One reading"): the objects the
 * library reads from a YAML file must be the JSON `kubectl apply -f` sends, on generated YAML
 * (`generate.ts`: anchors, aliases, merge keys, duplicates, tags, YAML 1.1 scalars, styles, CRLF,
 * BOM, comments, Lists), on the hand-written edge cases in `cases/` and on the real-world corpus
 * (`test/corpus/`).
 *
 * kubectl's outcomes are recorded in `recorded.json` with the kubectl version that produced them
 * (`npm run oracle:record` rewrites it), so CI needs no kubectl. When a kubectl of at least that
 * minor is on PATH, the test also asks it live, and with `FC_SEED` it also compares freshly
 * generated cases live. Run: `npx projen oracle` (its own jest config: not part of every jest run).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_SEED, generateCases } from './generate';
import { OracleCase, Outcome, atLeastMinor, kubectlOutcomes, kubectlVersion, readerOutcome, sameOutcome } from './outcome';

const HERE = __dirname;
const CORPUS = path.join(HERE, '..', '..', 'corpus');
const RECORDED = path.join(HERE, 'recorded.json');
const GENERATED_COUNT = 300;

/**
 * Inputs the reader reads and kubectl refuses (never the other way round), each for a reason:
 * the reader reads no value differently, it reads something kubectl does not apply at all.
 */
const READS_MORE: Record<string, string> = {
  'cases/top-level-json-array.yaml': 'a top-level array of objects (the output of `jq "[.items[]]"`) is read as a List; kubectl refuses it',
  'cases/json-then-yaml.yaml': 'after a JSON object, kubectl reads no YAML document (its JSON decoder fails on ---); the reader reads them all',
  'cases/alias-as-metadata-name.yaml': 'kubectl decodes metadata into its Go type (a number as metadata.name fails); that is API validation, not reading',
};

interface Recorded {
  readonly kubectl: string;
  readonly seed: number;
  readonly count: number;
  /** sha256 of each generated case's text, to catch a changed generator. */
  readonly generatedHashes: Record<string, string>;
  readonly outcomes: Record<string, Outcome>;
}

function fileCases(): OracleCase[] {
  const fixed = fs.readdirSync(path.join(HERE, 'cases')).filter(f => f.endsWith('.yaml')).sort()
    // git may normalize line breaks: a `.lf-to-crlf.yaml` file is stored with LF and read with CRLF
    .map(f => ({ name: `cases/${f}`, text: crlf(f, fs.readFileSync(path.join(HERE, 'cases', f), 'utf8')) }));
  const corpus = fs.readdirSync(CORPUS, { withFileTypes: true }).filter(d => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(d => fs.readdirSync(path.join(CORPUS, d.name)).filter(f => /\.ya?ml$/.test(f)).sort()
      .map(f => ({ name: `corpus/${d.name}/${f}`, text: fs.readFileSync(path.join(CORPUS, d.name, f), 'utf8') })));
  return [...fixed, ...corpus];
}

const crlf = (file: string, text: string): string => (file.endsWith('.lf-to-crlf.yaml') ? text.replace(/\r?\n/g, '\r\n') : text);
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

const generated = generateCases(DEFAULT_SEED, GENERATED_COUNT);
const files = fileCases();

/** kubectl's outcomes for the generated cases (one call) and the files (one call each). */
async function askKubectl(gen: readonly OracleCase[], fixed: readonly OracleCase[]): Promise<Map<string, Outcome>> {
  const [a, b] = await Promise.all([kubectlOutcomes(gen, true), kubectlOutcomes(fixed, false)]);
  return new Map([...a, ...b]);
}

function differences(cases: readonly OracleCase[], expected: (name: string) => Outcome | undefined): string[] {
  const out: string[] = [];
  for (const c of cases) {
    const want = expected(c.name);
    if (want === undefined) {
      out.push(`${c.name}: no recorded outcome (run npm run oracle:record)`);
      continue;
    }
    const got = readerOutcome(c);
    const same = sameOutcome(got, want);
    const reason = READS_MORE[c.name];
    if (reason !== undefined) {
      // the one accepted difference: kubectl refuses, the reader reads (and reads nothing else differently)
      if (same || want.error === undefined || got.error !== undefined) out.push(`${c.name}: listed in READS_MORE but the outcome is ${same ? 'the same' : 'another difference'}`);
      continue;
    }
    if (!same) out.push(`${c.name}:\n  kubectl: ${JSON.stringify(want)}\n  reader:  ${JSON.stringify(got)}`);
  }
  return out;
}

if (process.env.ORACLE_RECORD) {
  test('record kubectl outcomes', async () => {
    const version = kubectlVersion();
    if (version === undefined) throw new Error('oracle:record needs kubectl on PATH');
    const outcomes = await askKubectl(generated, files);
    const recorded: Recorded = {
      kubectl: version,
      seed: DEFAULT_SEED,
      count: GENERATED_COUNT,
      generatedHashes: Object.fromEntries(generated.map(c => [c.name, sha(c.text)])),
      outcomes: Object.fromEntries([...outcomes].sort(([a], [b]) => a.localeCompare(b))),
    };
    fs.writeFileSync(RECORDED, JSON.stringify(recorded, null, 1) + '\n');
  });
} else {
  const recorded: Recorded = JSON.parse(fs.readFileSync(RECORDED, 'utf8'));

  describe('the reader reads what kubectl sends', () => {
    test('the generated cases are the recorded ones (else: npm run oracle:record)', () => {
      expect(recorded.seed).toBe(DEFAULT_SEED);
      expect(Object.fromEntries(generated.map(c => [c.name, sha(c.text)]))).toEqual(recorded.generatedHashes);
    });

    test(`recorded outcomes: generated YAML (seed ${DEFAULT_SEED}), edge cases and the corpus, zero differences`, () => {
      expect(differences([...generated, ...files], n => recorded.outcomes[n])).toEqual([]);
      // the generator reaches both outcomes, and every file of the corpus is read without error
      const outcomes = generated.map(c => recorded.outcomes[c.name]);
      expect(outcomes.filter(o => o.error === undefined).length).toBeGreaterThan(GENERATED_COUNT / 2);
      expect(outcomes.filter(o => o.error !== undefined).length).toBeGreaterThan(10);
      for (const f of files.filter(c => c.name.startsWith('corpus/'))) expect([f.name, recorded.outcomes[f.name].error]).toEqual([f.name, undefined]);
    });

    const live = kubectlVersion();
    const liveOk = live !== undefined && atLeastMinor(live, recorded.kubectl);
    (liveOk ? test : test.skip)(`live: kubectl ${live ?? '(none)'} on the same cases${process.env.FC_SEED ? ` and on seed ${process.env.FC_SEED}` : ''}`, async () => {
      const extra = process.env.FC_SEED !== undefined ? generateCases(Number(process.env.FC_SEED), GENERATED_COUNT) : [];
      const outcomes = await askKubectl([...generated, ...extra], files);
      expect(differences([...generated, ...extra, ...files], n => outcomes.get(n))).toEqual([]);
    });
  });
}
