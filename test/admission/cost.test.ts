/**
 * The policy's CEL stays within the API server's cost limits on any input (cost.ts computes the
 * worst case under Kubernetes' cost rules; @bufbuild/cel has no cost model).
 */
import { Testing } from 'cdk8s';
import { CostEstimator, Sizes } from './cost';
import { ANNOTATION_MAX_SIZE } from '../../lib/admission/exemptions-cel';
import { MAX_ADDED_CAPABILITIES, MAX_ANNOTATIONS, MAX_CONTAINERS, MAX_HOST_PATH_VOLUMES, MAX_ITEMS, MAX_NAME, MAX_PATH, MAX_PROFILE, MAX_VOLUMES } from '../../lib/admission/limits';
import { RootlessAdmissionPolicy } from '../../lib/constructs/admission-policy';
import { writeAnnotation } from '../../lib/exemptions/codec';
import { MAX_HOST_PATHS } from '../../lib/exemptions/kinds/host-path';
import { EXEMPTION_KINDS } from '../../lib/exemptions/registry';

/** k8s.io/apiserver/pkg/apis/cel: PerCallLimit, RuntimeCELCostBudget, RuntimeCELCostBudgetMatchConditions, MaxRequestSizeBytes. */
const PER_EXPRESSION_LIMIT = 1_000_000;
const POLICY_BUDGET = 10_000_000;
const MATCH_CONDITIONS_BUDGET = 2_500_000;
const MAX_REQUEST = 3 * 1024 * 1024;

/** The shortest canonical entry (the shortest id, a pod-wide scope, a 10-character reason), plus its comma. */
const MIN_ENTRY = Math.min(...EXEMPTION_KINDS.filter(k => !k.field).map(k => writeAnnotation([{ kind: k.id, reason: 'abcdefghij' }]).length - 2)) + 1;
const ENTRIES = Math.floor(ANNOTATION_MAX_SIZE / MIN_ENTRY) + 1;
/**
 * The shape of a canonical entry after `{"id":"`: split on ',', its first part is the id and a
 * quote, its second the scope (`"container":"<DNS label>"` or `"container":null`).
 */
const ENTRY_PARTS = { ',': [Math.max(...EXEMPTION_KINDS.map(k => k.id.length)) + 1, '"container":""'.length + 63] };

const SIZES: Sizes = {
  fields: {
    containers: MAX_CONTAINERS,
    initContainers: MAX_CONTAINERS,
    ephemeralContainers: MAX_CONTAINERS,
    volumes: MAX_VOLUMES,
    annotations: MAX_ANNOTATIONS,
    sysctls: MAX_ITEMS,
    ports: MAX_ITEMS,
    volumeMounts: MAX_ITEMS,
    add: MAX_ADDED_CAPABILITIES,
    drop: MAX_ITEMS,
    sources: MAX_ITEMS,
    // a DNS label (container), a DNS subdomain (sysctl, volume names): the API validates them
    name: 253,
    mountPath: MAX_PATH,
    // hostPath.path (limits.ts)
    path: MAX_PATH,
  },
  elements: {
    // annotation keys: a qualified name (253-character prefix, '/', 63-character name)
    annotations: 317,
    add: MAX_NAME,
    drop: MAX_REQUEST,
    // a volume is a map of its fields: name and at most one of ~30 sources
    volumes: 32,
  },
  values: { annotations: MAX_PROFILE },
  variables: {
    exemptions: { size: ANNOTATION_MAX_SIZE },
    containers: { size: MAX_CONTAINERS },
    exemptionEntries: { size: ENTRIES, element: ANNOTATION_MAX_SIZE, total: ANNOTATION_MAX_SIZE, elementParts: ENTRY_PARTS },
    exempt: { size: ENTRIES, element: ANNOTATION_MAX_SIZE, total: ANNOTATION_MAX_SIZE + ENTRIES },
    // one key per listed capability: each takes at least 6 characters of the annotation (`,"BPF"`)
    capabilityKeys: { size: Math.floor(ANNOTATION_MAX_SIZE / 6) + 1, element: ANNOTATION_MAX_SIZE },
    // read (by hostPathCovered) only when the annotation is valid, which bounds them to MAX_HOST_PATHS paths in all
    hostPathsReadOnly: { size: MAX_HOST_PATHS, element: ANNOTATION_MAX_SIZE, total: ANNOTATION_MAX_SIZE },
    hostPathsWritable: { size: MAX_HOST_PATHS, element: ANNOTATION_MAX_SIZE, total: ANNOTATION_MAX_SIZE },
    hostPathVolumes: { size: MAX_HOST_PATH_VOLUMES, element: 32 },
    hostPathCovered: { size: MAX_HOST_PATH_VOLUMES, element: 253 },
    exemptionsSizeOk: { size: 1 },
    exemptionsCanonical: { size: 1 },
    exemptionsValid: { size: 1 },
    withinLimits: { size: 1 },
  },
  unbounded: MAX_REQUEST,
};

const estimator = new CostEstimator(SIZES);

/**
 * capabilityKeys builds strings from the annotation (replace, join), whose sizes the estimator
 * cannot relate to the annotation's; its bound is derived by hand, per operation, with A the
 * annotation's size, E its entries, and a capability list `"A","B"` of n ≥ 1 names taking at
 * least 6n - 1 characters:
 * - filter: per entry, startsWith ceil(0.1 |p|) and 6 more: 0.1 A + 7 E;
 * - per addCapabilities entry: three split(',') / split(',"capabilities":[') / split(']') of at most
 *   |p| (0.2 |p| + 1 each), replace on the list (0.2 |list| + 1), whose result r holds the list plus
 *   n scopes of at most 79 characters (|r| <= 14 |list|), two concatenations (0.1 (|r| + 80) + 1
 *   each), and 20 for the selections, calls and list appends: 0.6 A + 0.2 A + 2.8 A + 40 E;
 * - join (0.2 x the joined size, <= 14 A + E) and split(',') of it (the same): 5.6 A + 0.4 E;
 * - the ternary and the variables read: 10.
 */
function capabilityKeysBound(): number {
  const A = ANNOTATION_MAX_SIZE;
  const E = ENTRIES;
  return Math.ceil(0.1 * A + 7 * E + 0.6 * A + 0.2 * A + 2.8 * A + 40 * E + 5.6 * A + 0.4 * E + 10);
}

/**
 * hostPathsReadOnly and hostPathsWritable, like capabilityKeys, build strings from the annotation (join,
 * split); with A and E as above, and P <= A + E + 1 the parts of the joined paths split on '"':
 * - filter: per entry, startsWith (0.1 |p| + 1), split('],"writable":') (0.2 |p| + 1), an index, startsWith
 *   on the part (0.1 |p| + 1), and 6 for the selections, calls and appends: 0.4 A + 10 E;
 * - map: per kept entry, two splits (0.2 |p| + 1 each), two indexes and 4 more: 0.4 A + 8 E;
 * - join(',') and split('"') of at most A + E characters: 0.4 (A + E) + 2;
 * - filter: per part, startsWith (0.1 |d| + 1) and 5 more: 0.1 (A + E) + 6 P;
 * - the ternary and the variables read: 10.
 */
function hostPathsBound(): number {
  const A = ANNOTATION_MAX_SIZE;
  const E = ENTRIES;
  const P = A + E + 1;
  return Math.ceil(0.4 * A + 10 * E + 0.4 * A + 8 * E + 0.4 * (A + E) + 2 + 0.1 * (A + E) + 6 * P + 10);
}

const HAND_BOUNDS: Record<string, () => number> = {
  capabilityKeys: capabilityKeysBound,
  hostPathsReadOnly: hostPathsBound,
  hostPathsWritable: hostPathsBound,
};

function policyAt(version?: string, honorExemptions?: boolean): any {
  const chart = Testing.chart();
  new RootlessAdmissionPolicy(chart, 'p', { version, honorExemptions });
  return Testing.synth(chart).find((d: any) => d.kind === 'ValidatingAdmissionPolicy');
}

/**
 * The cost of each expression on its own (Kubernetes evaluates a variable once, as its own program,
 * and adds its cost to the policy's budget: k8s.io/apiserver/pkg/admission/plugin/cel/composition.go),
 * and the policy's total: every validation plus every variable once.
 */
function costs(policy: any): { expressions: { name: string; cost: number }[]; validations: number[]; total: number; matchConditions: number } {
  const variableCost = (v: any) => (HAND_BOUNDS[v.name] ? HAND_BOUNDS[v.name]() : estimator.cost(v.expression));
  const variables = new Map<string, { cost: number; uses: string[] }>(
    policy.spec.variables.map((v: any) => [v.name, { cost: variableCost(v), uses: CostEstimator.variablesOf(v.expression) }]));
  const validations: number[] = policy.spec.validations.map((v: any) => estimator.cost(v.expression));
  const expressions = [
    ...[...variables.entries()].map(([name, v]) => ({ name: `variable ${name}`, cost: v.cost })),
    ...policy.spec.validations.map((v: any, i: number) => ({ name: v.message.slice(0, 80), cost: validations[i] })),
  ];
  const total = expressions.reduce((s, e) => s + e.cost, 0);
  const matchConditions = policy.spec.matchConditions.reduce((s: number, c: any) => s + estimator.cost(c.expression), 0);
  return { expressions, validations, total, matchConditions };
}

describe('the cost estimate follows the API server\'s rules', () => {
  // `variables.x` is charged 2 (the identifier and the selection; cel-go charges an attribute 1 or 2)
  test.each<[string, number]>([
    ["'abc'.startsWith('a')", 1],
    ['variables.exemptions.matches(\'^a+$\')', 2 + Math.ceil(0.1 * (ANNOTATION_MAX_SIZE + 1)) * Math.ceil(0.25 * 4)],
    ['variables.exemptions.contains(\'abcdefghijk\')', 2 + Math.ceil(0.1 * ANNOTATION_MAX_SIZE) * 2],
    // per container: the loop condition (2), @result, c, .name and == (4)
    ['variables.containers.all(c, c.name == \'a\')', 2 + MAX_CONTAINERS * 6 + 1],
    ["'x' in variables.exempt", 2 + ENTRIES],
    ["size(variables.exemptions.split(','))", 2 + Math.ceil(0.2 * ANNOTATION_MAX_SIZE) + 1],
  ])('%s costs %d', (expression, cost) => {
    expect(estimator.cost(expression)).toBe(cost);
  });

  test('elements that share a total are charged by the total, not by count x largest', () => {
    const perElement = estimator.cost('variables.exemptionEntries.all(p, p.matches(\'^abcdefgh$\'))');
    expect(perElement).toBeLessThan(ENTRIES * Math.ceil(0.1 * ANNOTATION_MAX_SIZE) * 3);
    expect(perElement).toBeGreaterThanOrEqual(Math.ceil(0.1 * ANNOTATION_MAX_SIZE) * 3);
  });
});

describe.each([['latest', undefined], ['v1.34', 'v1.34'], ['v1.0', 'v1.0']])('policy %s', (_name, version) => {
  const policy = policyAt(version);
  const { expressions, total, matchConditions } = costs(policy);

  test('every variable and validation stays within the per-expression limit', () => {
    expect(expressions.filter(e => e.cost > PER_EXPRESSION_LIMIT)).toEqual([]);
    const largest = expressions.reduce((m, e) => (e.cost > m.cost ? e : m));
    // eslint-disable-next-line no-console
    console.log(`policy ${version ?? 'latest'}: largest expression ${largest.cost} (${largest.name}), total ${total}, match conditions ${matchConditions}`);
  });

  test('the whole policy stays within the budget of one evaluation, and the match conditions within theirs', () => {
    expect(total).toBeLessThanOrEqual(POLICY_BUDGET);
    expect(matchConditions).toBeLessThanOrEqual(MATCH_CONDITIONS_BUDGET);
  });

  test('every validation but the limits one starts with the limits guard', () => {
    expect(policy.spec.validations[0].expression).toBe('variables.withinLimits');
    for (const v of policy.spec.validations.slice(1)) expect(v.expression.startsWith('!variables.withinLimits || (')).toBe(true);
  });
});

