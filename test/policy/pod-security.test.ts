/**
 * The public API: levels, versions, strictestLevel, latestVersion, checks().
 */
import { allVersions, container, evaluate, failedChecks, hardenedPod, hardenedWith } from './fixtures';
import { PodSecurity, PolicyLevel } from '../../lib/policy';

const { PRIVILEGED, BASELINE, RESTRICTED } = PolicyLevel;

describe('a fully hardened pod', () => {
  test('is allowed at restricted latest, with the resolved version', () => {
    const r = PodSecurity.evaluate(hardenedPod());
    expect(r).toEqual({
      allowed: true, applicable: true, level: RESTRICTED, version: PodSecurity.latestVersion(), violations: [], malformed: undefined,
    });
  });
  test.each(allVersions())('is allowed at restricted and baseline %s', version => {
    expect(evaluate(hardenedPod(), RESTRICTED, version)).toMatchObject({ allowed: true, version, violations: [] });
    expect(evaluate(hardenedPod(), BASELINE, version).allowed).toBe(true);
  });
});

describe('levels', () => {
  const privilegedPod = hardenedWith(p => {
    p.spec.hostPID = true;
    container(p, 'app').securityContext = { privileged: true };
  });
  test('privileged always allows, with no violations', () => {
    expect(evaluate(privilegedPod, PRIVILEGED)).toMatchObject({ allowed: true, applicable: true, level: PRIVILEGED, violations: [] });
  });
  test('baseline runs only baseline checks; restricted adds the restricted ones', () => {
    expect(failedChecks(evaluate(privilegedPod, BASELINE))).toEqual(['hostNamespaces', 'privileged']);
    expect(failedChecks(evaluate(privilegedPod, RESTRICTED))).toEqual(['hostNamespaces', 'privileged', 'allowPrivilegeEscalation', 'capabilities_restricted']);
    expect(evaluate(privilegedPod, RESTRICTED).violations.map(v => v.level)).toEqual([BASELINE, BASELINE, RESTRICTED, RESTRICTED]);
  });
  test('restricted is the default level', () => {
    expect(PodSecurity.evaluate(privilegedPod).level).toBe(RESTRICTED);
  });
  test.each(['strict', 'Restricted', '', 'latest'])('an invalid level %p throws a clear error', level => {
    expect(() => PodSecurity.evaluate(hardenedPod(), { level: level as PolicyLevel })).toThrow(/Invalid Pod Security level .*expected one of privileged, baseline, restricted/);
  });
});

describe('versions', () => {
  test('latestVersion() is the newest policy version of the table', () => {
    expect(PodSecurity.latestVersion()).toBe('v1.37');
  });
  test('latest resolves to the latest version', () => {
    expect(PodSecurity.evaluate(hardenedPod(), { version: 'latest' }).version).toBe('v1.37');
  });
  test('versions above the latest evaluate as the latest', () => {
    const userns = hardenedWith(p => { p.spec.hostUsers = false; delete p.spec.securityContext.runAsNonRoot; });
    expect(evaluate(userns, RESTRICTED, 'v1.99')).toMatchObject({ allowed: true, version: 'v1.37' });
    expect(evaluate(userns, RESTRICTED, 'v1.35').allowed).toBe(true);
    expect(evaluate(userns, RESTRICTED, 'v1.34').allowed).toBe(false);
  });
  test.each(['1.25', 'v2.0', 'v1.', 'v1', 'v1.025', 'V1.25', ' latest', 'LATEST', 'v1.25.0', 'v1.-1', ''])(
    'an invalid version %p throws a clear error', version => {
      expect(() => PodSecurity.evaluate(hardenedPod(), { version })).toThrow(/Invalid Pod Security policy version .*expected "latest" or "v1\.N"/);
      expect(() => PodSecurity.strictestLevel(hardenedPod(), version)).toThrow(/Invalid Pod Security policy version/);
    },
  );
  test('a non-string version throws', () => {
    expect(() => PodSecurity.evaluate(hardenedPod(), { version: 25 as any })).toThrow(/Invalid Pod Security policy version 25/);
  });
  test('v1.0 is valid', () => {
    expect(evaluate(hardenedPod(), RESTRICTED, 'v1.0').version).toBe('v1.0');
  });
});

describe('strictestLevel', () => {
  test('restricted for a hardened pod', () => {
    expect(PodSecurity.strictestLevel(hardenedPod())).toBe(RESTRICTED);
  });
  test('baseline for a default pod', () => {
    expect(PodSecurity.strictestLevel({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'app', image: 'nginx' }] } })).toBe(BASELINE);
  });
  test('privileged for a privileged pod', () => {
    expect(PodSecurity.strictestLevel(hardenedWith(p => { p.spec.hostNetwork = true; }))).toBe(PRIVILEGED);
  });
  test('depends on the version', () => {
    const pod = hardenedWith(p => { delete p.spec.securityContext.seccompProfile; });
    expect(PodSecurity.strictestLevel(pod, 'v1.18')).toBe(RESTRICTED);
    expect(PodSecurity.strictestLevel(pod, 'v1.19')).toBe(BASELINE);
  });
  test('restricted for objects without a pod spec, privileged for malformed ones', () => {
    expect(PodSecurity.strictestLevel({ apiVersion: 'v1', kind: 'ConfigMap', data: {} })).toBe(RESTRICTED);
    expect(PodSecurity.strictestLevel(null)).toBe(PRIVILEGED);
  });
});

describe('checks()', () => {
  const checks = PodSecurity.checks();
  test('lists every baseline and restricted check once', () => {
    expect(checks.map(c => c.id).sort()).toEqual([
      'allowPrivilegeEscalation', 'appArmorProfile', 'capabilities_baseline', 'capabilities_restricted', 'hostNamespaces',
      'hostPathVolumes', 'hostPorts', 'hostProbesAndHostLifecycle', 'privileged', 'procMount', 'procMount_restricted',
      'restrictedVolumes', 'runAsNonRoot', 'runAsUser', 'seLinuxOptions', 'seccompProfile_baseline', 'seccompProfile_restricted',
      'sysctls', 'windowsHostProcess',
    ]);
    for (const c of checks) {
      expect([BASELINE, RESTRICTED]).toContain(c.level);
      expect(c.description).toMatch(/^\S.+\.$/);
    }
  });
  test('names the baseline checks each restricted check overrides', () => {
    const overrides = Object.fromEntries(checks.filter(c => c.overrides).map(c => [c.id, c.overrides]));
    expect(overrides).toEqual({
      restrictedVolumes: ['hostPathVolumes'],
      seccompProfile_restricted: ['seccompProfile_baseline'],
      capabilities_restricted: ['capabilities_baseline'],
      procMount_restricted: ['procMount'],
    });
  });
  test('gives each check its first policy version', () => {
    const first = Object.fromEntries(checks.map(c => [c.id, c.minimumVersion]));
    expect(first).toMatchObject({
      allowPrivilegeEscalation: 'v1.8',
      seccompProfile_restricted: 'v1.19',
      capabilities_restricted: 'v1.22',
      runAsUser: 'v1.23',
      hostProbesAndHostLifecycle: 'v1.34',
      procMount_restricted: 'v1.35',
      privileged: 'v1.0',
    });
  });
  test('returns copies', () => {
    PodSecurity.checks().find(c => c.id === 'restrictedVolumes')?.overrides?.push('x');
    expect(PodSecurity.checks().find(c => c.id === 'restrictedVolumes')?.overrides).toEqual(['hostPathVolumes']);
  });
});
