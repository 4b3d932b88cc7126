/**
 * Red team (FINDINGS.md, "CEL cost"): the API server stops a validation expression whose runtime
 * cost exceeds its per-call limit (celconfig.PerCallLimit, 1,000,000); under `failurePolicy: Ignore`
 * the stopped validation admits the object. lib/admission/limits.ts promises that no object within
 * the policy's limits can make an expression fail (test/admission/cost.test.ts models the whole
 * policy; these are independent checks of the two most expensive matches()). The engine used in tests has no cost model, so
 * the cost of the `matches()` calls is computed here with cel-go's runtime formula
 * (interpreter/runtimecost.go, overloads.MatchesString):
 *   ceil((1 + size(string)) * 0.1) * ceil(size(pattern) * 0.25)
 * — a lower bound of the expression's cost (iteration, has() and field access come on top).
 */
import { cel, pod } from './admission';
import { MAX_CONTAINERS, MAX_ITEMS, MAX_PATH } from '../../lib/admission/limits';
import { RootlessAdmissionPolicy } from '../../lib/constructs/admission-policy';
import { annotationGrammar, writeAnnotation } from '../../lib/exemptions/codec';
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';
import { ROOTLESS_RULES } from '../../lib/hardening/rootless-rules';

const PER_CALL_LIMIT = 1_000_000;
const codePoints = (s: string) => [...s].length;
const matchesCost = (subject: number, pattern: number) => Math.ceil((1 + subject) * 0.1) * Math.ceil(pattern * 0.25);

/** The pattern the token-mount condition matches every mount path against (the CEL literal, unescaped). */
function tokenPattern(): string {
  const rule = ROOTLESS_RULES.find(r => r.id === 'serviceAccountToken')!;
  const expr = Object.values(rule.cel.container ?? {}).join(' ');
  const literal = /matches\('((?:[^'\\]|\\.)*)'\)/.exec(expr)![1];
  return literal.replace(/\\(.)/g, '$1');
}

test('held (F5 before main\'s limits of 2026-11-27): long mount paths that made the token-mount validation cost over the limit are beyond the limits', () => {
  // 2 containers x 100 mounts x 4096-character paths: 1,230,000 for the matches() calls under the former limits
  const path = (i: number) => `/data/${String(i).padStart(3, '0')}/${'p'.repeat(4096 - 10)}`;
  const m = pod(spec => {
    spec.volumes = Array.from({ length: 100 }, (_, i) => ({ name: `v${i}`, emptyDir: {} }));
    for (const c of spec.containers) c.volumeMounts = spec.volumes.map((v: any, i: number) => ({ name: v.name, mountPath: path(i) }));
  });
  expect(cel(m)).toEqual({ failed: ['limits'], errors: [] });
});

test('held: the worst mount paths within the limits keep the token-mount matches() below the per-call limit', () => {
  const pattern = codePoints(tokenPattern());
  const mounts = MAX_CONTAINERS * MAX_ITEMS;
  const cost = mounts * matchesCost(MAX_PATH, pattern);
  expect(cost).toBeLessThanOrEqual(PER_CALL_LIMIT);
  // and such a pod is within the limits: the policy evaluates it
  const m = pod(spec => {
    spec.volumes = Array.from({ length: MAX_ITEMS }, (_, i) => ({ name: `v${i}`, emptyDir: {} }));
    spec.containers = Array.from({ length: MAX_CONTAINERS - 1 }, (_, k) => ({
      ...spec.containers[0],
      name: `c${k}`,
      volumeMounts: spec.volumes.map((v: any, i: number) => ({ name: v.name, mountPath: `/d/${String(i).padStart(3, '0')}/${'p'.repeat(MAX_PATH - 8)}` })),
    }));
  });
  expect(cel(m)).toEqual({ failed: [], errors: [] });
});

test('held (margin 16%): matching the grammar against the largest annotation honoured stays below the per-call limit', () => {
  const max = RootlessAdmissionPolicy.annotationMaxSize();
  const annotation = writeAnnotation(Array.from({ length: 110 }, (_, i) => ({
    kind: ExemptionKind.RUN_AS_ROOT, container: `c${i}`, reason: 'r'.repeat(20),
  })));
  expect(codePoints(annotation)).toBeLessThanOrEqual(max);
  const cost = matchesCost(max, codePoints(annotationGrammar()));
  expect(cost).toBeLessThanOrEqual(PER_CALL_LIMIT);
  // recorded in FINDINGS.md: ~839,000 — one more exemption kind or a few capabilities more would cross the limit
  expect(cost).toBeGreaterThan(0.8 * PER_CALL_LIMIT);
});
