/**
 * Writable paths and data paths, one rule in both modes (issue 20, points 1, 2 and 5): a container of a well-known
 * image gets the same writable mounts from the constructs (plan stage) as from `applyTo` over a plain cdk8s-plus
 * workload that cdk8s-plus already made read-only (adopt stage), and the pod that results passes the startability
 * checklist in both modes.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HardenedPod, RootlessHardening } from '../../lib';
import { startabilityProblems } from '../../lib/hardening/startability';

const mountsOf = (pod: any, name: string) => pod.spec.containers.find((c: any) => c.name === name).volumeMounts.map((m: any) => m.mountPath).sort();

describe.each([
  ['nginx:1.27', 101, ['/tmp', '/var/cache/nginx', '/var/run']],
  ['nginxinc/nginx-unprivileged:1.27', 101, ['/tmp']],
  ['memcached:1.6', 11211, ['/tmp']],
])('%s', (image, user, paths) => {
  test('the constructs add /tmp and the preset\'s paths for the image without a preset prop; customImage opts out', () => {
    const chart = Testing.chart();
    new HardenedPod(chart, 'p', { user, containers: [{ name: 'web', image, portNumber: 8080 }] });
    const pod = Testing.synth(chart).find((m: any) => m.kind === 'Pod');
    expect(mountsOf(pod, 'web')).toEqual(paths);
    expect(startabilityProblems(pod)).toEqual([]);

    const custom = Testing.chart();
    new HardenedPod(custom, 'p', { user: 4242, containers: [{ name: 'web', image, portNumber: 8080, customImage: true }] });
    expect(mountsOf(Testing.synth(custom).find((m: any) => m.kind === 'Pod'), 'web')).toEqual(['/tmp']);
  });

  test('applyTo gives a container that cdk8s-plus already made read-only the same mounts', () => {
    const chart = Testing.chart();
    const pod = new kplus.Pod(chart, 'p', { securityContext: { user } });
    pod.addContainer({ name: 'web', image, portNumber: 8080 });
    RootlessHardening.applyTo(chart, { user });
    const out = Testing.synth(chart).find((m: any) => m.kind === 'Pod');
    expect(out.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(mountsOf(out, 'web')).toEqual(paths);
    expect(startabilityProblems(out).filter(r => !/token/.test(r))).toEqual([]);
  });
});
