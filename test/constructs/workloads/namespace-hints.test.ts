/**
 * RestrictedNamespace names, in its fix for a workload it would reject, the rootless construct that
 * builds a workload of that kind.
 */
import { ApiObject, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RestrictedNamespace } from '../../../lib';
import { HardenedPod, RootlessCronJob, RootlessDaemonSet, RootlessDeployment, RootlessJob, RootlessStatefulSet } from '../../../lib/constructs/plus';

const container = { image: 'app:1', securityContext: { user: 1000 } };

/** The fix line of the namespace's message about the plain cdk8s-plus workload built by `add`. */
function hint(add: (chart: any) => void): string {
  const chart = Testing.chart();
  new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
  add(chart);
  try {
    Testing.synth(chart);
  } catch (e) {
    const fix = (e as Error).message.split('\n').find(l => l.startsWith('    Fix the workload'));
    if (fix) return fix;
    throw e;
  }
  throw new Error('synthesis succeeded');
}

const metadata = { namespace: 'apps' };

test.each([
  ['Pod', (c: any) => new kplus.Pod(c, 'w', { metadata, containers: [container] }), HardenedPod.name],
  ['Deployment', (c: any) => new kplus.Deployment(c, 'w', { metadata, containers: [container] }), RootlessDeployment.name],
  ['StatefulSet', (c: any) => new kplus.StatefulSet(c, 'w', {
    metadata, containers: [{ ...container, portNumber: 8080 }], service: new kplus.Service(c, 's', { metadata, ports: [{ port: 8080 }] }),
  }), RootlessStatefulSet.name],
  ['Job', (c: any) => new kplus.Job(c, 'w', { metadata, containers: [container] }), RootlessJob.name],
  ['CronJob', (c: any) => new kplus.CronJob(c, 'w', { metadata, schedule: Cron.daily(), containers: [container] }), RootlessCronJob.name],
  ['DaemonSet', (c: any) => new kplus.DaemonSet(c, 'w', { metadata, containers: [container] }), RootlessDaemonSet.name],
])('a plain kplus %s: the fix names the construct for its kind', (_kind, add, construct) => {
  expect(hint(add)).toBe(`    Fix the workload (e.g. build it with ${construct}, which meets restricted, or harden it where it is with RootlessHardening.applyTo(chart)), or, if it must run below the namespace level, `
    + 'move it to another namespace or lower this one with NamespaceExemption.lowerLevel(level, reason).');
});

test('a bare ReplicaSet: the fix names the construct that manages ReplicaSets', () => {
  const line = hint(c => new ApiObject(c, 'rs', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs', ...metadata },
    spec: { selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: { containers: [{ name: 'a', image: 'a' }] } } },
  }));
  expect(line).toContain('no construct builds a bare ReplicaSet: build it as a RootlessDeployment, which manages its ReplicaSets');
});
