/**
 * The CEL facets: every registered check has CEL for every version range, the rootless rules have
 * theirs, what each exemption kind relaxes in CEL is exactly what the exemption registry says it
 * relaxes, and the limits are the same in CEL and in JavaScript.
 */
import { parse } from '@bufbuild/cel';
import { Testing } from 'cdk8s';
import { checkOf, evaluatePolicy } from './cel';
import { RELAXATIONS } from '../../lib/admission/exemptions-cel';
import { MAX_ADDED_CAPABILITIES, MAX_ANNOTATIONS, MAX_CONTAINERS, MAX_ITEMS, MAX_NAME, MAX_PATH, MAX_PROFILE, MAX_VOLUMES, limitsProblem } from '../../lib/admission/limits';
import { RootlessAdmissionPolicy, RootlessAdmissionPolicyProps } from '../../lib/constructs/admission-policy';
import { MAX_ANNOTATION_LENGTH } from '../../lib/exemptions/codec';
import { EXEMPTION_KINDS } from '../../lib/exemptions/registry';
import { ROOTLESS_RULES } from '../../lib/hardening/rootless-rules';
import { PodSecurity } from '../../lib/policy';
import { CheckCel } from '../../lib/policy/checks/cel';
import { CHECKS, validateChecks } from '../../lib/policy/checks/registry';
import { CheckDefinition } from '../../lib/policy/checks/util';
import { PolicyLevel } from '../../lib/policy/types';

function conditions(cel: CheckCel): string[] {
  return [...Object.values(cel.pod ?? {}), ...Object.values(cel.container ?? {}),
    ...(cel.capability ? [cel.capability] : []), ...(cel.volume ? [cel.volume] : [])];
}

describe('every check revision carries its CEL', () => {
  const revisions = CHECKS.flatMap(c => c.versions.map(v => [c.id, v.minimumVersion, v.cel] as const));
  test.each(revisions)('%s from %s: conditions that parse', (_id, _version, cel) => {
    expect(conditions(cel).length).toBeGreaterThan(0);
    for (const e of conditions(cel)) expect(() => parse(e)).not.toThrow();
  });

  test('every registered check is covered, at every version range', () => {
    expect(revisions.length).toBe(CHECKS.reduce((n, c) => n + c.versions.length, 0));
    expect(new Set(revisions.map(r => r[0]))).toEqual(new Set(PodSecurity.checks().map(c => c.id)));
  });

  test('the registry refuses a revision without CEL', () => {
    const bad: CheckDefinition = { id: 'x', level: PolicyLevel.BASELINE, description: 'd.', versions: [{ minimumVersion: 'v1.0', checkPod: () => undefined, cel: {} }] };
    expect(() => validateChecks([bad])).toThrow(/x v1.0: no CEL conditions/);
  });

  test.each(ROOTLESS_RULES.map(r => [r.id, r]))('rootless rule %s has CEL that parses', (_id, rule) => {
    expect(conditions(rule.cel).length).toBeGreaterThan(0);
    for (const e of conditions(rule.cel)) expect(() => parse(e)).not.toThrow();
  });
});

describe('what an exemption relaxes in CEL is what the registry says', () => {
  const facets = [
    ...CHECKS.map(c => ({ id: c.id, cels: c.versions.map(v => v.cel) })),
    ...ROOTLESS_RULES.map(r => ({ id: r.id, cels: [r.cel] })),
  ];
  test.each(EXEMPTION_KINDS.map(k => [k.id, k]))('%s', (_id, kind) => {
    const r = RELAXATIONS[kind.id];
    const keys = (cel: CheckCel) => [...Object.keys(cel.pod ?? {}), ...Object.keys(cel.container ?? {})];
    const relaxed = facets.filter(f => f.cels.some(cel => keys(cel).some(field => r.fields?.includes(field))
      || (r.capabilities && cel.capability !== undefined) || (r.volumeSource !== undefined && cel.volume !== undefined))).map(f => f.id);
    expect(relaxed.sort()).toEqual([...kind.relaxes].sort());
  });
});

describe('the limits: the same in CEL and in JavaScript, at each boundary', () => {
  const chart = Testing.chart();
  new RootlessAdmissionPolicy(chart, 'p', {} as RootlessAdmissionPolicyProps);
  const policy = Testing.synth(chart).find((d: any) => d.kind === 'ValidatingAdmissionPolicy');
  const container = (name: string, more: any = {}) => ({
    name,
    image: 'i',
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, ...more.securityContext },
    ...more.fields,
  });
  const pod = (spec: any, annotations: any = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', annotations },
    spec: { automountServiceAccountToken: false, securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container('app')], ...spec },
  });
  const names = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
  const cases: [string, number, (n: number) => any][] = [
    ['exemptions annotation', MAX_ANNOTATION_LENGTH, n => pod({}, { 'rootless.cdk8s.io/exemptions': 'x'.repeat(n) })],
    ['annotations', MAX_ANNOTATIONS, n => pod({}, Object.fromEntries(names(n).map(k => [k, 'v'])))],
    ['an AppArmor annotation value', MAX_PROFILE, n => pod({}, { 'container.apparmor.security.beta.kubernetes.io/app': `localhost/${'p'.repeat(n - 10)}` })],
    ['containers', MAX_CONTAINERS, n => pod({ initContainers: names(n - 1).map(x => container(x)) })],
    ['volumes', MAX_VOLUMES, n => pod({ volumes: names(n).map(x => ({ name: x, emptyDir: {} })) })],
    ['sysctls', MAX_ITEMS, n => pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' }, sysctls: names(n).map(() => ({ name: 'kernel.shm_rmid_forced', value: '1' })) } })],
    ['ports', MAX_ITEMS, n => pod({ containers: [container('app', { fields: { ports: names(n).map((_, i) => ({ containerPort: 1000 + i })) } })] })],
    ['added capabilities', MAX_ADDED_CAPABILITIES, n => pod({ containers: [container('app', { securityContext: { capabilities: { drop: ['ALL'], add: names(n).map(() => 'NET_BIND_SERVICE') } } })] })],
    ['a capability name', MAX_NAME, n => pod({ containers: [container('app', { securityContext: { capabilities: { drop: ['ALL'], add: ['N'.repeat(n)] } } })] })],
    ['a mount path', MAX_PATH, n => pod({ containers: [container('app', { fields: { volumeMounts: [{ name: 'v', mountPath: `/${'m'.repeat(n - 1)}` }] } })], volumes: [{ name: 'v', emptyDir: {} }] })],
    ['projected sources', MAX_ITEMS, n => pod({ volumes: [{ name: 'v', projected: { sources: names(n).map(x => ({ configMap: { name: x } })) } }] })],
  ];
  test.each(cases)('%s: %d is accepted, one more is not', (_name, max, make) => {
    const limited = (m: any) => evaluatePolicy(policy, m).failed.map(checkOf).includes('limits');
    expect(limited(make(max))).toBe(false);
    expect(limitsProblem(make(max))).toBeUndefined();
    expect(limited(make(max + 1))).toBe(true);
    expect(limitsProblem(make(max + 1))).toBeDefined();
    expect(evaluatePolicy(policy, make(max + 1)).errors).toEqual([]);
  });
});
