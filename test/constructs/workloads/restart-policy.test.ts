/**
 * Deployments, StatefulSets and DaemonSets keep their pods running: the API server accepts only
 * `restartPolicy: Always` in their pod templates, so anything else fails at construction, named.
 */
import * as kplus from 'cdk8s-plus-27';
import { error, synth } from './util';
import { RootlessDaemonSet, RootlessDeployment, RootlessStatefulSet } from '../../../lib/constructs/plus';

const IMAGE = 'registry.example.com/app:1.0.0';

describe.each([
  ['RootlessDeployment', 'Deployment', (chart: any, props: any) => new RootlessDeployment(chart, 'w', props)],
  ['RootlessStatefulSet', 'StatefulSet', (chart: any, props: any) => new RootlessStatefulSet(chart, 'w', props)],
  ['RootlessDaemonSet', 'DaemonSet', (chart: any, props: any) => new RootlessDaemonSet(chart, 'w', props)],
])('%s', (construct, kind, build) => {
  test.each([kplus.RestartPolicy.NEVER, kplus.RestartPolicy.ON_FAILURE])('restartPolicy %s is refused, naming the prop and the fix', policy => {
    expect(error(chart => build(chart, { user: 1000, restartPolicy: policy, containers: [{ image: IMAGE, portNumber: 8080 }] }))).toBe(`${construct} test/w: invalid props:\n`
      + `  props.restartPolicy: "${policy}" is not allowed for the pods of a ${kind} (the API server accepts only Always: the ${kind} keeps `
      + 'its pods running). Fix: leave it unset. For a task that runs to completion, use RootlessJob.');
  });

  test('Always, or unset, is accepted and written as Always', () => {
    for (const restartPolicy of [kplus.RestartPolicy.ALWAYS, undefined]) {
      const out = synth(chart => build(chart, { user: 1000, restartPolicy, containers: [{ image: IMAGE, portNumber: 8080 }] }));
      const workload = out.find((m: any) => m.kind === kind);
      expect(workload.spec.template.spec.restartPolicy).toBe('Always');
    }
  });
});
