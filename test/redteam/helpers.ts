/**
 * Helpers of the red-team tests (test/redteam/FINDINGS.md): the secure outcome of a synthesis is
 * either an error, or a written manifest that the library's own judgement accepts with the
 * exemptions it actually declares.
 */
import { Chart, Testing } from 'cdk8s';
import { declaredExemptions } from '../../lib/exemptions/declared';
import { judgeRootless } from '../../lib/hardening/verify';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

// the first test of a file compiles the policy (or cdk8s-plus) on a machine shared with other suites
jest.setTimeout(60_000);

export const REASON = 'a reason that is long enough for review';

/** What a synthesis wrote, or the error that construction or synthesis threw. */
export function synthesize(build: (chart: Chart) => void): { docs?: any[]; error?: string } {
  const chart = Testing.chart();
  try {
    build(chart);
    return { docs: Testing.synth(chart) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * The problems of every written pod-bearing object: what the one judgement finds on it with the
 * exemptions its annotation validly declares (empty: the written manifest is what the library promises).
 */
export function writtenProblems(docs: any[]): string[] {
  const out: string[] = [];
  for (const d of docs) {
    if (!podTemplateOf(d)) continue;
    const declared = declaredExemptions(d);
    out.push(...declared.problems);
    const v = judgeRootless(d, declared.exemptions);
    out.push(...v.uncovered.violations.map(x => `${d.kind}/${d.metadata?.name}: ${x.check}: ${x.detail}`));
    out.push(...v.rootless.map(x => `${d.kind}/${d.metadata?.name}: ${x.rule}: ${x.detail}`));
  }
  return out;
}

/** Asserts the secure outcome: synthesis fails, or everything it wrote holds. */
export function expectRefusedOrSound(build: (chart: Chart) => void): void {
  const r = synthesize(build);
  if (r.error !== undefined) return;
  expect(writtenProblems(r.docs!)).toEqual([]);
}
