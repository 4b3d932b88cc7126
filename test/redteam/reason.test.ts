/**
 * Red team (FINDINGS.md, "Reason rule"): placeholders, invisible and look-alike characters, lone
 * surrogates; and the same rule in JavaScript and in RE2 (the admission policy's CEL).
 */
import { RE2JS } from '@bufbuild/re2';
import { asRoot, cel, js, pod } from './admission';
import { REASON, synthesize, writtenProblems } from './helpers';
import { Exemption } from '../../lib';
import { HardenedPod } from '../../lib/constructs/plus';
import { readAnnotation, writeAnnotation } from '../../lib/exemptions/codec';
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';
import { ReasonPatterns, placeholderReason, reasonProblem } from '../../lib/exemptions/reason';

/** The reason rule as the admission policy runs it (RE2, as in CEL matches()). */
function re2Accepts(reason: string): boolean {
  const m = (p: string) => RE2JS.compile(p).test(reason);
  return !m(ReasonPatterns.FORBIDDEN) && m(ReasonPatterns.LENGTH) && m(ReasonPatterns.WORD) && !m(`(?i)${ReasonPatterns.PLACEHOLDER}`);
}

describe('findings', () => {
  test.each([
    ['F6a a zero-width space inside TODO', 'TO\u200bDO: explain why the container runs as root'],
    ['F6b a soft hyphen inside FIXME', 'FIX\u00adME before the release, the daemon needs it'],
    ['F6c a word joiner inside n/a', 'n\u2060/a — not applicable for this legacy daemon'],
    ['F6d fullwidth TODO (NFKC folds it to TODO)', '\uff34\uff2f\uff24\uff2f: explain why the container runs as root'],
  ])('%s is refused as a placeholder, by JavaScript and by the policy alike', (_name, reason) => {
    expect(reasonProblem(reason)).toMatch(/placeholder/);
    expect(re2Accepts(reason)).toBe(false);
  });

  test('F7 harden\'s own placeholder text, with only its TODO marker deleted, is refused', () => {
    const text = placeholderReason('container "app" runs as root').replace(/^TODO:\s*/, '');
    expect(text).toBe('explain why container \'app\' runs as root');
    expect(reasonProblem(text)).toBeDefined();
  });

  test('F8 a reason with a lone surrogate: the construct accepts it, but the annotation it writes is void everywhere else', () => {
    const reason = 'the daemon needs root \ud800 during its start';
    const r = synthesize(chart => new HardenedPod(chart, 'p', {
      user: 0,
      exemptions: [Exemption.runAsRoot(reason)],
      containers: [{ name: 'app', image: 'registry.example/app:1' }],
    }));
    // secure outcome: refused at construction or synthesis, or an annotation the one reader (audit, plugin, policy) honours
    if (r.error !== undefined) return;
    expect(writtenProblems(r.docs!)).toEqual([]);
  });
});

describe('held', () => {
  test.each([
    ['TODO', 'TODO: explain why the container runs as root'],
    ['lower case', 'todo: explain why the container runs as root'],
    ['a combining accent after TODO', 'TODO\u0301 explain why the container runs as root'],
    ['none', 'none, it just needs the permission'],
    ['N/A', 'N/A for this workload, it is legacy'],
    ['ten zero-width spaces and abc', `${'\u200b'.repeat(10)}abc`],
    ['BOMs and abc', `${'\ufeff'.repeat(10)}abc`],
    ['soft hyphens and xyz', `xyz${'\u00ad'.repeat(10)}`],
    ['a double quote', 'needs "root" for the daemon start'],
    ['a backslash', 'needs root\\for the daemon start'],
    ['a line feed', 'needs root\nfor the daemon start'],
    ['NEL (U+0085, a control character)', 'needs root\u0085for the daemon start'],
  ])('%s: refused by JavaScript and RE2 alike', (_name, reason) => {
    expect(reasonProblem(reason)).toBeDefined();
    expect(re2Accepts(reason)).toBe(false);
  });

  test.each([
    ['Kelvin sign (folds to k in both engines)', 'the \u212aernel module loader needs it'],
    ['long s (folds to s in both)', 'the \u017fyslog daemon binds the socket'],
    ['dotted capital I (folds in neither)', 'F\u0130XME is not a placeholder here, the daemon needs it'],
    ['Japanese', 'ボリュームの所有者を変更するために必要です'],
    ['Greek', 'χρειάζεται για την αλλαγή ιδιοκτήτη'],
    ['U+2028 inside', 'needs root\u2028for the daemon start'],
  ])('%s: JavaScript and RE2 agree', (_name, reason) => {
    expect(re2Accepts(reason)).toBe(reasonProblem(reason) === undefined);
  });

  test('the policy and the judgement agree on an annotation whose reason holds U+2028', () => {
    const m = pod(spec => asRoot(spec.containers[0]), writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: 'needs root\u2028for the daemon start' }]));
    expect(js(m)).toEqual([]);
    expect(cel(m)).toEqual({ failed: [], errors: [] });
  });

  test('a well-formed reason round-trips through the codec', () => {
    expect(readAnnotation(writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, reason: REASON }])).problems).toEqual([]);
  });
});
