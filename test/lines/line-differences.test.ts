/**
 * lib/constructs/plus/internal/line-differences.ts on the line of the run: what a RootlessStatefulSet does where
 * cdk8s-plus-32+ have claim templates of their own (and drop a StatefulSet's pod volumes without them), checked by what
 * the installed line has, so every line run asserts its side.
 */
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessStatefulSet, VolumePermissions } from '../../lib/constructs/plus';
import { KPLUS_HAS_CLAIM_TEMPLATES } from '../../lib/constructs/plus/internal/line-differences';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

const IMAGE = 'registry.example.com/db:3.1.0';
const claim = { name: 'data', mountPath: '/var/lib/db', size: Size.gibibytes(2) };

function sts(chart: Chart, claims = [claim], volumePermissions = VolumePermissions.FS_GROUP_ONLY): RootlessStatefulSet {
  return new RootlessStatefulSet(chart, 'db', {
    user: 1001,
    volumePermissions,
    volumeClaimTemplates: claims,
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, writablePaths: ['/var/cache/db'] }],
  });
}
const synthSts = (chart: Chart) => Testing.synth(chart).find((d: any) => d.kind === 'StatefulSet');

test('the line is detected by what its StatefulSet has (32+: addVolumeClaimTemplate), not by its number', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const major = Number(/^cdk8s-plus-(\d+)$/.exec(require('cdk8s-plus-27/package.json').name)![1]);
  expect(KPLUS_HAS_CLAIM_TEMPLATES).toBe(major >= 32);
});

test('the construct\'s claims are its own on every line: property claimTemplates, never cdk8s-plus\' templates', () => {
  const chart = new Chart(Testing.app(), 'test');
  const set = sts(chart);
  expect(set.claimTemplates).toEqual([claim]);
  const own = (set as unknown as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates;
  expect(own).toEqual(KPLUS_HAS_CLAIM_TEMPLATES ? [] : undefined);
  const out = synthSts(chart);
  expect(out.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data']);
});

test('without claim templates the pod keeps its volumes (32+ would drop them, upstream #6735) and writes no empty template list', () => {
  const chart = new Chart(Testing.app(), 'test');
  sts(chart, []);
  const out = synthSts(chart);
  expect(out.spec.volumeClaimTemplates).toBeUndefined();
  const spec = podTemplateOf(out)!.spec;
  const volumes = spec.volumes.map((v: any) => v.name);
  for (const m of spec.containers[0].volumeMounts) expect(volumes).toContain(m.name);
  expect(volumes.length).toBeGreaterThan(0);
});

(KPLUS_HAS_CLAIM_TEMPLATES ? describe : describe.skip)('a line with claim templates of its own (32+)', () => {
  test('a template added with cdk8s-plus\' addVolumeClaimTemplate is kept beside the construct\'s, and its container is hardened', () => {
    const chart = new Chart(Testing.app(), 'test');
    const set = sts(chart) as unknown as kplus.StatefulSet & { addVolumeClaimTemplate(t: { name: string; storage?: Size }): void };
    const extra = kplus.Volume.fromEmptyDir(chart, 'extra', 'extra');
    set.addContainer({ name: 'backup', image: IMAGE, volumeMounts: [{ path: '/backup', volume: extra }] });
    set.addVolumeClaimTemplate({ name: 'extra', storage: Size.gibibytes(1) });
    const out = synthSts(chart);
    expect(out.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['extra', 'data']);
    const spec = podTemplateOf(out)!.spec;
    expect(spec.volumes.map((v: any) => v.name)).not.toContain('extra');
    const backup = spec.containers.find((c: any) => c.name === 'backup');
    expect(backup.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  test('a cdk8s-plus template named like one of the construct\'s fails synthesis naming the construct and both', () => {
    const chart = new Chart(Testing.app(), 'test');
    const set = sts(chart) as unknown as kplus.StatefulSet & { addVolumeClaimTemplate(t: { name: string }): void };
    set.addContainer({ name: 'other', image: IMAGE, volumeMounts: [{ path: '/other', volume: kplus.Volume.fromEmptyDir(chart, 'd', 'data') }] });
    set.addVolumeClaimTemplate({ name: 'data' });
    expect(() => Testing.synth(chart)).toThrow(/RootlessStatefulSet test\/db: invalid props:[\s\S]*volumeClaimTemplates\[data\]\.name: "data" is also the name of a claim template added with cdk8s-plus' addVolumeClaimTemplate/);
  });

  test.each([VolumePermissions.FS_GROUP_ONLY, VolumePermissions.INIT_CONTAINER])('a cdk8s-plus template named like an emptyDir the construct made for a writable path fails synthesis (cdk8s-plus would drop the volume and mount a per-replica claim there): %s', mode => {
    // every writable volume of the construct, of every container (the app's /tmp and writable path, and the init container's /tmp)
    const plainChart = new Chart(Testing.app(), 'test');
    sts(plainChart, [claim], mode);
    const spec = podTemplateOf(synthSts(plainChart))!.spec;
    const writable = [...spec.initContainers ?? [], ...spec.containers].flatMap((c: any) => (c.volumeMounts ?? [])
      .filter((m: any) => spec.volumes.find((v: any) => v.name === m.name)?.emptyDir !== undefined)
      .map((m: any) => ({ container: c.name, path: m.mountPath, volume: m.name })));
    expect(writable.map(w => w.path)).toEqual(expect.arrayContaining(['/tmp', '/var/cache/db']));
    if (mode === VolumePermissions.INIT_CONTAINER) expect(new Set(writable.map(w => w.container)).size).toBe(2);
    for (const w of writable) {
      const chart = new Chart(Testing.app(), 'test');
      const set = sts(chart, [claim], mode) as unknown as kplus.StatefulSet & { addVolumeClaimTemplate(t: { name: string; storage?: Size }): void };
      set.addVolumeClaimTemplate({ name: w.volume, storage: Size.gibibytes(1) });
      const fails = () => Testing.synth(chart);
      expect(fails).toThrow(/RootlessStatefulSet test\/db: invalid props:/);
      expect(fails).toThrow(`addVolumeClaimTemplate({ name: "${w.volume}" }): "${w.volume}" is the emptyDir the construct made for writable path "${w.path}" of container "${w.container}"`);
      expect(fails).toThrow(/Fix: give the claim its own name/);
    }
  });
});
