/**
 * Writable paths and data paths, one rule in both modes (issue 20, points 1, 2 and 5): a container of a well-known
 * image gets the same writable mounts from the constructs (plan stage) as from `applyTo` over a plain cdk8s-plus
 * workload that cdk8s-plus already made read-only (adopt stage), and the pod that results passes the startability
 * checklist in both modes.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { synthError } from './util';
import { RootlessHardening } from '../../lib';
import { hardenText } from '../../lib/cli/harden/harden';
import { HardenedPod } from '../../lib/constructs/plus';
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

describe('the data-path rule gives the same finding in both modes', () => {
  test.each([
    ['redis:7', 999, 'redis keeps its data in /data, which is not mounted: with the read-only root filesystem it cannot write it'],
    ['postgres:18', 999, 'postgres keeps its data in /var/lib/postgresql/18/docker (the default of "postgres:18"), which is not mounted'],
  ])('%s without a volume: refused by the constructs, by applyTo and by harden, with the same words', (image, user, words) => {
    expect(synthError(chart => new HardenedPod(chart, 'p', { user, containers: [{ name: 'db', image, portNumber: 6379 }] }))).toContain(`container "db": ${words}`);
    expect(synthError(chart => {
      const pod = new kplus.Pod(chart, 'p', { securityContext: { user } });
      pod.addContainer({ name: 'db', image, portNumber: 6379 });
      RootlessHardening.applyTo(chart, { user });
    })).toContain(`container "db": ${words}`);
    const r = hardenText(`apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: ${user}}\n  containers:\n    - {name: db, image: "${image}"}\n`);
    expect(r.objects[0].problems.join('\n')).toContain(`container "db": ${words}`);
  });

  test('a client of the image keeps no data: a pg_dump container without a data volume is accepted', () => {
    const chart = Testing.chart();
    new HardenedPod(chart, 'p', { user: 999, containers: [{ name: 'dump', image: 'postgres:16', command: ['pg_dump', '-f', '/backups/db.sql'] }] });
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});
