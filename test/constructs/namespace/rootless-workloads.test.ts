/**
 * The classic case of issue 5: a RootlessStatefulSet with the root permission init container
 * (issue 4's construct) in a namespace that enforces restricted.
 */
import { Chart, Size, Testing } from 'cdk8s';
import { ImagePreset } from '../../../lib';
import { RootlessStatefulSet } from '../../../lib/constructs/plus/rootless-stateful-set';
import { RestrictedNamespace, RestrictedNamespaceProps } from '../../../lib/constructs/restricted-namespace';
import { NamespaceExemption } from '../../../lib/exemptions/namespace-exemption';
import { PolicyLevel } from '../../../lib/policy';

function elasticsearch(chart: Chart, namespace: string): void {
  new RootlessStatefulSet(chart, 'elasticsearch', {
    metadata: { name: 'elasticsearch', namespace },
    preset: ImagePreset.elasticsearch(),
    containers: [{ name: 'elasticsearch', image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.0', portNumber: 9200 }],
    volumeClaimTemplates: [{ name: 'data', mountPath: '/usr/share/elasticsearch/data', size: Size.gibibytes(10) }],
  });
}

function build(props: RestrictedNamespaceProps): Chart {
  const chart = Testing.chart();
  const ns = new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' }, ...props });
  elasticsearch(chart, ns.name);
  return chart;
}

test('a RootlessStatefulSet with a root permission init container fails synthesis in a restricted namespace', () => {
  let msg = '';
  try {
    Testing.synth(build({}));
  } catch (e) {
    msg = (e as Error).message;
  }
  expect(msg).toContain('it would reject StatefulSet "elasticsearch" (construct test/elasticsearch)');
  expect(msg).toContain('runAsNonRoot: container "volume-permissions" must not set securityContext.runAsNonRoot=false');
  expect(msg).toContain('runAsUser: container "volume-permissions" must not set runAsUser=0');
  // the exemptions are the construct's (issue 14): the message says so and names the one-line alternative
  expect(msg).toMatch(/The exemptions runAsRoot \(container "volume-permissions"\).* were declared by the construct, not by you/);
  expect(msg).toContain('Fix: set volumePermissions: VolumePermissions.FS_GROUP_ONLY');
  expect(msg).not.toContain('remove the exemptions');
});

test('the same StatefulSet is admitted by a namespace that enforces baseline through a reasoned exemption', () => {
  const chart = build({
    enforce: PolicyLevel.BASELINE,
    exemption: NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, 'elasticsearch data volumes need a root chown until the CSI driver honours fsGroup'),
  });
  const kinds = Testing.synth(chart).map((d: any) => d.kind);
  expect(kinds).toContain('StatefulSet');
});
