import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { articleElasticsearch } from './fixtures';
import { HardenedPod } from '../../../lib/constructs/plus/hardened-pod';
import { RestrictedNamespace, RestrictedNamespaceProps } from '../../../lib/constructs/restricted-namespace';
import { NamespaceExemption } from '../../../lib/exemptions/namespace-exemption';
import { PodSecurity, PolicyLevel } from '../../../lib/policy';

const LATEST = PodSecurity.latestVersion();
const REASON = 'elasticsearch needs a root init container until the CSI driver honours fsGroup';

function namespaceManifest(props: RestrictedNamespaceProps = {}): any {
  const chart = Testing.chart();
  new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' }, ...props });
  const docs = Testing.synth(chart);
  expect(docs).toHaveLength(1);
  return docs[0];
}

function podSecurityLabels(manifest: any): Record<string, string> {
  return Object.fromEntries(Object.entries(manifest.metadata.labels ?? {}).filter(([k]) => k.startsWith('pod-security.kubernetes.io/'))) as any;
}

function constructionError(props: RestrictedNamespaceProps): string {
  const chart = Testing.chart();
  try {
    new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' }, ...props });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('construction succeeded');
}

function synthError(build: (chart: Chart) => void): string {
  const chart = Testing.chart();
  build(chart);
  try {
    Testing.synth(chart);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synthesis succeeded');
}

describe('labels', () => {
  test('default: every mode restricted, pinned to the latest version the engine knows (not "latest")', () => {
    const ns = namespaceManifest();
    expect(LATEST).toMatch(/^v1\.\d+$/);
    expect(podSecurityLabels(ns)).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': LATEST,
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': LATEST,
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': LATEST,
    });
    expect(ns.metadata.annotations).toBeUndefined();
    expect(ns).toMatchSnapshot();
  });

  test('one version for every mode', () => {
    const labels = podSecurityLabels(namespaceManifest({ version: 'v1.30' }));
    for (const mode of ['enforce', 'audit', 'warn']) expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.30');
  });

  test('per-mode versions override the common one; "latest" only when asked', () => {
    const labels = podSecurityLabels(namespaceManifest({ version: 'v1.30', warnVersion: 'latest', auditVersion: 'v1.31' }));
    expect(labels['pod-security.kubernetes.io/enforce-version']).toBe('v1.30');
    expect(labels['pod-security.kubernetes.io/audit-version']).toBe('v1.31');
    expect(labels['pod-security.kubernetes.io/warn-version']).toBe('latest');
  });

  test.each([
    [PolicyLevel.BASELINE, PolicyLevel.BASELINE],
    [PolicyLevel.PRIVILEGED, PolicyLevel.BASELINE],
    [PolicyLevel.PRIVILEGED, PolicyLevel.PRIVILEGED],
  ])('enforce %s with an exemption down to %s... (warn and audit stay restricted)', (exemptTo, enforce) => {
    const ns = namespaceManifest({ enforce, exemption: NamespaceExemption.lowerLevel(exemptTo, REASON) });
    const labels = podSecurityLabels(ns);
    expect(labels['pod-security.kubernetes.io/enforce']).toBe(enforce);
    expect(labels['pod-security.kubernetes.io/warn']).toBe('restricted');
    expect(labels['pod-security.kubernetes.io/audit']).toBe('restricted');
    expect(JSON.parse(ns.metadata.annotations['rootless.cdk8s.io/exemptions'])).toEqual([
      { id: 'namespaceLevel', container: null, reason: REASON, level: exemptTo },
    ]);
  });

  test('exposes the resolved settings', () => {
    const chart = Testing.chart();
    const ns = new RestrictedNamespace(chart, 'ns', { version: 'v1.29', warn: PolicyLevel.BASELINE, exemption: NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, REASON) });
    expect([ns.enforceLevel, ns.enforceVersion, ns.auditLevel, ns.auditVersion, ns.warnLevel, ns.warnVersion])
      .toEqual(['restricted', 'v1.29', 'restricted', 'v1.29', 'baseline', 'v1.29']);
  });
});

describe('bad input names the construct path, the prop and the fix', () => {
  test('lowering without an exemption', () => {
    const msg = constructionError({ enforce: PolicyLevel.BASELINE });
    expect(msg).toContain('test/applications');
    expect(msg).toContain('props.enforce: "baseline" is below restricted');
    expect(msg).toContain('Fix: keep restricted, or declare exemption: NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, reason)');
  });

  test.each(['', '   ', 'because', '1234567890!'])('a reason that is not one: %j', (reason) => {
    const msg = constructionError({ enforce: PolicyLevel.BASELINE, exemption: NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, reason) });
    expect(msg).toContain('test/applications');
    expect(msg).toContain(`props.exemption.reason: ${JSON.stringify(reason)} is not a reason`);
    expect(msg).toContain('Fix: say in at least 10 characters');
  });

  test('unknown level', () => {
    const msg = constructionError({ audit: 'strict' as PolicyLevel });
    expect(msg).toContain('props.audit: "strict" is not a Pod Security level. Fix: use PolicyLevel.RESTRICTED, BASELINE or PRIVILEGED.');
  });

  test.each(['1.30', 'v2.0', 'v1.030', 'v1', 'Latest', 'v1.30.1', ''])('version %j is neither "latest" nor "v1.N"', (version) => {
    const msg = constructionError({ version });
    expect(msg).toContain('test/applications');
    expect(msg).toContain(`props.version: ${JSON.stringify(version)} is not a Pod Security policy version. Fix: use "v1.N"`);
  });

  test('per-mode version errors name their prop', () => {
    expect(constructionError({ enforceVersion: 'v1.x' })).toContain('props.enforceVersion: "v1.x"');
    expect(constructionError({ warnVersion: '1.29' })).toContain('props.warnVersion: "1.29"');
  });

  test('an exemption that relaxes nothing', () => {
    expect(constructionError({ exemption: NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, REASON) }))
      .toContain('props.exemption: NamespaceExemption.lowerLevel("baseline") relaxes nothing');
    expect(constructionError({ exemption: NamespaceExemption.lowerLevel(PolicyLevel.RESTRICTED, REASON) }))
      .toContain('props.exemption.level: "restricted" lowers nothing');
  });

  test('a mode below the exemption level', () => {
    const msg = constructionError({ enforce: PolicyLevel.PRIVILEGED, exemption: NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, REASON) });
    expect(msg).toContain('props.enforce: "privileged" is below the exemption\'s "baseline"');
  });

  test('every problem is reported at once', () => {
    const msg = constructionError({ enforce: PolicyLevel.BASELINE, version: 'v9', audit: 'x' as PolicyLevel });
    expect(msg.split('\n').filter(l => l.startsWith('  props.'))).toHaveLength(3);
  });
});

describe('cross-construct verification at synthesis', () => {
  test('the article\'s elasticsearch (root permission init container, raw ApiObject) fails synthesis in a restricted namespace', () => {
    const msg = synthError(chart => {
      const ns = new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' } });
      articleElasticsearch(chart, ns.name);
    });
    expect(msg).toContain(`Namespace "applications" (test/applications) enforces Pod Security "restricted" at ${LATEST}`);
    expect(msg).toContain('it would reject StatefulSet "elasticsearch" (construct test/elasticsearch)');
    expect(msg).toContain('runAsUser: container "fix-permissions" must not set runAsUser=0');
    expect(msg).toContain('Fix: Set runAsUser to a non-zero UID');
    for (const check of ['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']) expect(msg).toContain(`- ${check}:`);
    expect(msg).toContain('NamespaceExemption.lowerLevel(level, reason)');
  });

  test('the same StatefulSet is admitted by a namespace lowered to baseline with a reason', () => {
    const chart = Testing.chart();
    const ns = new RestrictedNamespace(chart, 'applications', {
      metadata: { name: 'applications' },
      enforce: PolicyLevel.BASELINE,
      exemption: NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, REASON),
    });
    articleElasticsearch(chart, ns.name);
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('a cdk8s-plus Deployment (defaults lack drop ALL and seccomp) is rejected, with the construct path', () => {
    const msg = synthError(chart => {
      const ns = new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' } });
      new kplus.Deployment(chart, 'web', {
        metadata: { namespace: ns.name },
        containers: [{ image: 'nginxinc/nginx-unprivileged:1.25', portNumber: 8080, securityContext: { user: 101 } }],
      });
    });
    expect(msg).toMatch(/it would reject Deployment "test-web-c8[0-9a-z]+" \(construct test\/web\)/);
    expect(msg).toContain('capabilities_restricted: container "main" must set securityContext.capabilities.drop=["ALL"]');
    expect(msg).toContain('seccompProfile_restricted: pod or container "main" must set securityContext.seccompProfile.type');
    expect(msg).not.toContain('- runAsNonRoot:');
    expect(msg).not.toContain('- allowPrivilegeEscalation:');
  });

  test('a HardenedPod is admitted', () => {
    const chart = Testing.chart();
    const ns = new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' } });
    new HardenedPod(chart, 'app', { metadata: { namespace: ns.name }, user: 1000, containers: [{ name: 'app', image: 'app:v1' }] });
    const docs = Testing.synth(chart);
    expect(docs.map((d: any) => d.kind)).toEqual(['Namespace', 'Pod']);
  });

  test('objects in other namespaces, without a namespace, or without pods are not verified', () => {
    const chart = Testing.chart();
    new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' } });
    articleElasticsearch(chart, 'legacy');
    new ApiObject(chart, 'no-namespace', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } });
    new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'applications' }, data: { a: 'b' } });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('objects in another chart of the same app are verified', () => {
    const app = Testing.app();
    const infra = new Chart(app, 'infra');
    const apps = new Chart(app, 'apps', { namespace: 'applications' });
    new RestrictedNamespace(infra, 'applications', { metadata: { name: 'applications' } });
    new kplus.Deployment(apps, 'web', { containers: [{ image: 'web:v1', securityContext: { user: 1000 } }] });
    expect(() => app.synth()).toThrow(/it would reject Deployment "apps-web-c8[0-9a-z]+" \(construct apps\/web\)/);
  });

  test('the enforce version is used: before v1.19 seccomp and before v1.22 capabilities are not restricted', () => {
    const chart = Testing.chart();
    const ns = new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' }, enforceVersion: 'v1.18' });
    new kplus.Deployment(chart, 'web', { metadata: { namespace: ns.name }, containers: [{ image: 'web:v1', securityContext: { user: 1000 } }] });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('every rejected workload is reported', () => {
    const msg = synthError(chart => {
      const ns = new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' } });
      articleElasticsearch(chart, ns.name);
      new kplus.Deployment(chart, 'web', { metadata: { namespace: ns.name }, containers: [{ image: 'web:v1', securityContext: { user: 1000 } }] });
    });
    expect(msg).toContain('construct test/elasticsearch');
    expect(msg).toContain('construct test/web');
  });

  test('verifyWorkloads: false turns the verification off', () => {
    const chart = Testing.chart();
    const ns = new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' }, verifyWorkloads: false });
    articleElasticsearch(chart, ns.name);
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});
