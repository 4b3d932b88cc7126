/**
 * A volume of the user's named like an emptyDir the construct makes for a writable path (`<container>-tmp`, ...): every
 * construct, every way a volume reaches the pod (props.volumes, a container's volumeMounts, addVolume, a container added
 * or mounted later), app and init containers. cdk8s-plus refused it at synthesis with "At least two different volumes have the same
 * name", naming neither the construct's volume nor the fix; the construct's validation now fails naming the construct path, where the
 * volume comes from, the writable path it collides with and the fix.
 */
import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HardenedPod, RootlessCronJob, RootlessDaemonSet, RootlessDeployment, RootlessJob, RootlessStatefulSet } from '../../../lib/constructs/plus';

const IMAGE = 'registry.example.com/app:1.0.0';
type Workload = kplus.AbstractPod;
const CONSTRUCTS: [string, (chart: Chart, props: any) => Workload][] = [
  ['HardenedPod', (c, p) => new HardenedPod(c, 'w', p)],
  ['RootlessDeployment', (c, p) => new RootlessDeployment(c, 'w', p)],
  ['RootlessStatefulSet', (c, p) => new RootlessStatefulSet(c, 'w', p)],
  ['RootlessJob', (c, p) => new RootlessJob(c, 'w', p)],
  ['RootlessCronJob', (c, p) => new RootlessCronJob(c, 'w', { schedule: Cron.daily(), ...p }) as unknown as Workload],
  ['RootlessDaemonSet', (c, p) => new RootlessDaemonSet(c, 'w', p)],
];
const app = { name: 'app', image: IMAGE, portNumber: 8080 };

describe.each(CONSTRUCTS)('%s', (_kind, make) => {
  const message = (where: string) => new RegExp(`\\[test/w\\] ${where}: volume "app-tmp" has the name of the emptyDir `
    + 'the construct made for writable path "/tmp" of container "app"[\\s\\S]*Fix: give that volume another name');

  test('in props.volumes', () => {
    const chart = new Chart(Testing.app(), 'test');
    make(chart, { user: 1000, containers: [app], volumes: [kplus.Volume.fromEmptyDir(chart, 'mine', 'app-tmp')] });
    expect(() => Testing.synth(chart)).toThrow(message('props.volumes\\[app-tmp\\]'));
  });

  test('mounted by another container\'s volumeMounts', () => {
    const chart = new Chart(Testing.app(), 'test');
    make(chart, { user: 1000, containers: [app, { name: 'side', image: IMAGE, volumeMounts: [{ path: '/data', volume: kplus.Volume.fromEmptyDir(chart, 'mine', 'app-tmp') }] }] });
    expect(() => Testing.synth(chart)).toThrow(message('container "side" volumeMounts\\[/data\\]'));
  });

  test('added after construction (addVolume, a mount of a container added later)', () => {
    const chart = new Chart(Testing.app(), 'test');
    const w = make(chart, { user: 1000, containers: [app] });
    w.addVolume(kplus.Volume.fromEmptyDir(chart, 'mine', 'app-tmp'));
    expect(() => Testing.synth(chart)).toThrow(message('props.volumes\\[app-tmp\\]'));
    const chart2 = new Chart(Testing.app(), 'test');
    const w2 = make(chart2, { user: 1000, containers: [app] });
    w2.addInitContainer({ name: 'init', image: IMAGE, volumeMounts: [{ path: '/seed', volume: kplus.Volume.fromEmptyDir(chart2, 'mine', 'app-tmp') }] });
    expect(() => Testing.synth(chart2)).toThrow(message('container "init" volumeMounts\\[/seed\\]'));
  });

  test('the same volume object mounted twice, and other names, are fine', () => {
    const chart = new Chart(Testing.app(), 'test');
    const shared = kplus.Volume.fromEmptyDir(chart, 'mine', 'shared');
    make(chart, { user: 1000, containers: [app, { name: 'side', image: IMAGE, volumeMounts: [{ path: '/data', volume: shared }] }], volumes: [shared] });
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});
