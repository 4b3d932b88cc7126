/**
 * The check table: its validation, version resolution and the guarantee that a failing
 * check implementation is reported instead of thrown.
 */
import { evaluate, hardenedPod } from './fixtures';
import { PodSecurity, PolicyLevel } from '../../lib/policy';
import { CHECKS, LATEST_MINOR, checksFor, upstreamOrder, validateChecks } from '../../lib/policy/checks/registry';
import { CheckDefinition } from '../../lib/policy/checks/util';

const allowAll = () => undefined;
const check = (id: string, level: PolicyLevel.BASELINE | PolicyLevel.RESTRICTED, versions: string[], overrides?: string[]): CheckDefinition =>
  ({ id, level, description: 'd.', overrides, versions: versions.map(minimumVersion => ({ minimumVersion, checkPod: allowAll, cel: { pod: { any: 'true' } } })) });

describe('validateChecks', () => {
  test('accepts the table', () => {
    expect(() => validateChecks(CHECKS)).not.toThrow();
  });
  test.each<[string, CheckDefinition[], RegExp]>([
    ['duplicate ids', [check('a', PolicyLevel.BASELINE, ['v1.0']), check('a', PolicyLevel.BASELINE, ['v1.1'])], /registered twice/],
    ['no versions', [check('a', PolicyLevel.BASELINE, [])], /no versions/],
    ['decreasing versions', [check('a', PolicyLevel.BASELINE, ['v1.5', 'v1.3'])], /strictly increasing/],
    ['duplicate versions', [check('a', PolicyLevel.BASELINE, ['v1.5', 'v1.5'])], /strictly increasing/],
    ['latest as a version', [check('a', PolicyLevel.BASELINE, ['latest'])], /Invalid Pod Security policy version/],
    ['a baseline override', [check('a', PolicyLevel.BASELINE, ['v1.0'], ['b']), check('b', PolicyLevel.BASELINE, ['v1.0'])], /only a restricted check/],
    ['an override of a restricted check', [check('a', PolicyLevel.RESTRICTED, ['v1.0'], ['b']), check('b', PolicyLevel.RESTRICTED, ['v1.0'])], /only a restricted check/],
    ['an override of an unknown check', [check('a', PolicyLevel.RESTRICTED, ['v1.0'], ['nope'])], /only a restricted check/],
  ])('rejects %s', (_name, table, error) => {
    expect(() => validateChecks(table)).toThrow(error);
  });
});

describe('upstreamOrder', () => {
  test('the table is in upstream order: baseline ids sorted (byte order), then restricted ids sorted', () => {
    expect(CHECKS.map(c => c.id)).toEqual([
      'appArmorProfile', 'capabilities_baseline', 'hostNamespaces', 'hostPathVolumes', 'hostPorts', 'hostProbesAndHostLifecycle',
      'privileged', 'procMount', 'seLinuxOptions', 'seccompProfile_baseline', 'sysctls', 'windowsHostProcess',
      'allowPrivilegeEscalation', 'capabilities_restricted', 'procMount_restricted', 'restrictedVolumes', 'runAsNonRoot',
      'runAsUser', 'seccompProfile_restricted',
    ]);
    expect(PodSecurity.checks().map(c => c.id)).toEqual(CHECKS.map(c => c.id));
  });
  test('sorts a check added anywhere into place', () => {
    const table = [check('zz', PolicyLevel.RESTRICTED, ['v1.0']), check('b', PolicyLevel.BASELINE, ['v1.0']),
      check('aRestricted', PolicyLevel.RESTRICTED, ['v1.0']), check('Z', PolicyLevel.BASELINE, ['v1.0'])];
    expect(upstreamOrder(table).map(c => c.id)).toEqual(['Z', 'b', 'aRestricted', 'zz']);
  });
});

describe('checksFor', () => {
  const ids = (level: PolicyLevel.BASELINE | PolicyLevel.RESTRICTED, minor: number) => checksFor(level, minor).map(c => c.definition.id);
  test('latest is the newest minimum version', () => {
    expect(LATEST_MINOR).toBe(37);
    expect(PodSecurity.latestVersion()).toBe('v1.37');
  });
  test('runs only the checks that have a revision at the version', () => {
    expect(ids(PolicyLevel.RESTRICTED, 0)).toEqual([
      'appArmorProfile', 'capabilities_baseline', 'hostNamespaces', 'hostPorts', 'privileged', 'procMount', 'seLinuxOptions',
      'seccompProfile_baseline', 'sysctls', 'windowsHostProcess', 'restrictedVolumes', 'runAsNonRoot',
    ]);
    expect(ids(PolicyLevel.BASELINE, 33)).not.toContain('hostProbesAndHostLifecycle');
    expect(ids(PolicyLevel.BASELINE, 34)).toContain('hostProbesAndHostLifecycle');
  });
  test('restricted skips the overridden baseline checks from the version of the overriding check', () => {
    expect(ids(PolicyLevel.RESTRICTED, 35)).toEqual([
      'appArmorProfile', 'hostNamespaces', 'hostPorts', 'hostProbesAndHostLifecycle', 'privileged', 'seLinuxOptions', 'sysctls',
      'windowsHostProcess', 'allowPrivilegeEscalation', 'capabilities_restricted', 'procMount_restricted', 'restrictedVolumes',
      'runAsNonRoot', 'runAsUser', 'seccompProfile_restricted',
    ]);
    expect(ids(PolicyLevel.RESTRICTED, 34)).toContain('procMount');
    expect(ids(PolicyLevel.RESTRICTED, 18)).toContain('seccompProfile_baseline');
    expect(ids(PolicyLevel.RESTRICTED, 19)).not.toContain('seccompProfile_baseline');
    expect(ids(PolicyLevel.BASELINE, 35)).toEqual(CHECKS.filter(c => c.level === PolicyLevel.BASELINE).map(c => c.id));
  });
  test('clamps versions above the latest', () => {
    expect(checksFor(PolicyLevel.RESTRICTED, 99)).toBe(checksFor(PolicyLevel.RESTRICTED, LATEST_MINOR));
  });
});

test('a check implementation that throws is reported as a violation, never thrown', () => {
  const resolved = checksFor(PolicyLevel.RESTRICTED, LATEST_MINOR);
  const broken: CheckDefinition = { ...check('broken', PolicyLevel.RESTRICTED, ['v1.0']), description: 'Throws.' };
  resolved.push({ definition: broken, checkPod: () => { throw new TypeError('cannot read x of undefined'); }, cel: broken.versions[0].cel });
  try {
    const r = evaluate(hardenedPod());
    expect(r.allowed).toBe(false);
    expect(r.violations).toEqual([expect.objectContaining({
      check: 'broken', reason: 'check failed', detail: 'check broken could not evaluate the pod: cannot read x of undefined',
    })]);
  } finally {
    resolved.pop();
  }
  expect(evaluate(hardenedPod()).allowed).toBe(true);
});
