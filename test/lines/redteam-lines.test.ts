/**
 * Red team of the line packages (issue 25, helper rt25; test/redteam/FINDINGS.md, "Lines"): a RootlessStatefulSet
 * changed after construction, on the line of the run (test/lines/jest.config.js, CDK8S_PLUS_LINE=NN), asserted on what
 * is written. Each test failed before its fix.
 */
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PodHardening, RootlessStatefulSet, VolumePermissions, VolumeClaimTemplate } from '../../lib/constructs/plus';
import { checkCoreVersion } from '../../lib/constructs/plus/internal/core-version';
import { KPLUS_HAS_CLAIM_TEMPLATES } from '../../lib/constructs/plus/internal/line-differences';
import { RootlessHardening } from '../../lib/constructs/rootless-hardening';
import { Exemption } from '../../lib/exemptions/exemption';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

const IMAGE = 'registry.example.com/db:3.1.0';
const data = { name: 'data', mountPath: '/var/lib/db', size: Size.gibibytes(2) };

function sts(chart: Chart, claims: VolumeClaimTemplate[], volumePermissions?: VolumePermissions): RootlessStatefulSet {
  return new RootlessStatefulSet(chart, 'db', {
    user: 1001,
    volumePermissions,
    volumeClaimTemplates: claims,
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, writablePaths: ['/var/cache/db'] }],
  });
}

describe('R1 claimTemplates changed after construction', () => {
  // Before: a claim pushed into the public array (or a claim of it edited) was rendered and mounted, skipping every
  // construction check (a mount path "/", a name that is no DNS label) and the permission init container.
  test.each([
    ['a claim mounted at "/" (refused in props: runc refuses a mount on the rootfs)', { name: 'root', mountPath: '/', size: Size.gibibytes(1) }],
    ['a claim whose name is no DNS label (the API server rejects it)', { name: 'BAD_name', mountPath: '/late', size: Size.gibibytes(1) }],
    ['a valid claim the permission init container would not chown', { name: 'late', mountPath: '/late', size: Size.gibibytes(1) }],
  ])('pushed: %s fails synthesis naming claimTemplates, never written', (_what, claim) => {
    const chart = new Chart(Testing.app(), 'test');
    const set = sts(chart, [data]);
    set.claimTemplates.push(claim);
    expect(() => Testing.synth(chart)).toThrow(/test\/db.*claimTemplates.*changed after construction.*props\.volumeClaimTemplates/s);
  });

  test('an element edited in place (mountPath "/") fails synthesis, never written', () => {
    const chart = new Chart(Testing.app(), 'test');
    const set = sts(chart, [{ ...data }], VolumePermissions.FS_GROUP_ONLY);
    (set.claimTemplates[0] as { mountPath: string }).mountPath = '/';
    expect(() => Testing.synth(chart)).toThrow(/claimTemplates.*changed after construction/s);
  });

  test('the props array changed after construction changes nothing: the claims are those checked at construction', () => {
    const chart = new Chart(Testing.app(), 'test');
    const claims = [{ ...data }];
    sts(chart, claims, VolumePermissions.FS_GROUP_ONLY);
    claims.push({ name: 'late', mountPath: '/', size: Size.gibibytes(1) });
    (claims[0] as { mountPath: string }).mountPath = '/';
    const out = Testing.synth(chart).find((d: any) => d.kind === 'StatefulSet');
    expect(out.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data']);
    const mounts = podTemplateOf(out)!.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
    expect(mounts).toContain('/var/lib/db');
    expect(mounts).not.toContain('/');
  });

  test('unchanged claims synthesize as before (the public list still reads the claims)', () => {
    const chart = new Chart(Testing.app(), 'test');
    const set = sts(chart, [data]);
    expect(set.claimTemplates).toEqual([data]);
    const out = Testing.synth(chart).find((d: any) => d.kind === 'StatefulSet');
    expect(out.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data']);
  });
});

(KPLUS_HAS_CLAIM_TEMPLATES ? describe : describe.skip)('R2 cdk8s-plus\' own list reset after construction (32+)', () => {
  // Before: `set.volumeClaimTemplates = undefined` (a public mutable property of cdk8s-plus-32+) made cdk8s-plus drop every
  // pod volume (upstream #6735): synthesis failed with "volumeMounts[0].name: Not found" naming neither the line nor the fix.
  test('the writable paths keep their volumes, and the pod is written with every mount backed', () => {
    const chart = new Chart(Testing.app(), 'test');
    const set = sts(chart, [data], VolumePermissions.FS_GROUP_ONLY);
    (set as unknown as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates = undefined;
    const out = Testing.synth(chart).find((d: any) => d.kind === 'StatefulSet');
    const spec = podTemplateOf(out)!.spec;
    const volumes = (spec.volumes ?? []).map((v: any) => v.name);
    const claims = out.spec.volumeClaimTemplates.map((t: any) => t.metadata.name);
    for (const m of spec.containers[0].volumeMounts) expect([...volumes, ...claims]).toContain(m.name);
    expect(spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/tmp', '/var/cache/db', '/var/lib/db']));
  });
});

describe('R3 a line package on a core of another version (an install forced past the exact peer)', () => {
  // Before: nothing compared them; the line package ran on core internals it was not built with (tarball test:
  // test/release/lines.ci.ts). The check reads the version jsii writes into each class (Symbol.for('jsii.rtti')).
  const rtti = (fqn: string, version: string) => ({ [Symbol.for('jsii.rtti')]: { fqn, version } });

  test('another version fails naming both packages, both versions and the install that fixes it', () => {
    expect(() => checkCoreVersion(rtti('cdk8s-rootless-plus-33.PodHardening', '1.4.0'), rtti('cdk8s-rootless.Exemption', '1.5.0')))
      .toThrow(/cdk8s-rootless-plus-33 1\.4\.0 runs only on cdk8s-rootless 1\.4\.0.*cdk8s-rootless 1\.5\.0 is installed.*--legacy-peer-deps.*npm install cdk8s-rootless@1\.4\.0 cdk8s-rootless-plus-33@1\.4\.0/s);
  });

  test('the same version, or a class without jsii type information (the sources, as here), passes', () => {
    expect(() => checkCoreVersion(rtti('cdk8s-rootless-plus-33.PodHardening', '1.4.0'), rtti('cdk8s-rootless.Exemption', '1.4.0'))).not.toThrow();
    expect(() => checkCoreVersion(rtti('cdk8s-rootless-plus-33.PodHardening', '1.4.0'), class {})).not.toThrow();
    expect(() => checkCoreVersion(class {})).not.toThrow();
  });

  test('every construct is checked: a RootlessStatefulSet of a line package released with another core fails at construction', () => {
    const own = PodHardening as unknown as Record<symbol, unknown>;
    const key = Symbol.for('jsii.rtti');
    const before = Object.getOwnPropertyDescriptor(PodHardening, key);
    const core = Exemption as unknown as Record<symbol, unknown>;
    const coreBefore = Object.getOwnPropertyDescriptor(Exemption, key);
    try {
      Object.defineProperty(own, key, { value: { fqn: 'cdk8s-rootless-plus-34.PodHardening', version: '2.0.0' }, configurable: true });
      Object.defineProperty(core, key, { value: { fqn: 'cdk8s-rootless.Exemption', version: '2.1.0' }, configurable: true });
      expect(() => sts(new Chart(Testing.app(), 'test'), [data])).toThrow(/cdk8s-rootless-plus-34 2\.0\.0 runs only on cdk8s-rootless 2\.0\.0/);
    } finally {
      if (before) Object.defineProperty(own, key, before); else delete own[key];
      if (coreBefore) Object.defineProperty(core, key, coreBefore); else delete core[key];
    }
  });
});

describe('R4 applyTo on a plain cdk8s-plus StatefulSet with a volume: refused on 32+ naming the line\'s cause and the fix', () => {
  // Before: refused with "volumeMounts[0].name: Not found ... Fix: Add a volume named ..." only: the volume IS in the app,
  // cdk8s-plus 32+ dropped it (upstream #6735), and the documented fix (docs/lines.md) was not named.
  const plain = (chart: Chart) => new kplus.StatefulSet(chart, 'plain', {
    containers: [{ name: 'app', image: IMAGE, portNumber: 5432, volumeMounts: [{ path: '/etc/app', volume: kplus.Volume.fromEmptyDir(chart, 'config', 'config') }] }],
  });

  test('as written: refused on 32+ (naming #6735 and volumeClaimTemplates = []), hardened with its volume on 27 and 28', () => {
    const chart = new Chart(Testing.app(), 'test');
    plain(chart);
    RootlessHardening.applyTo(chart, { user: 1001 });
    if (KPLUS_HAS_CLAIM_TEMPLATES) {
      expect(() => Testing.synth(chart)).toThrow(/test\/plain\/Resource.*volumeMounts\[0\]\.name: Not found.*cdk8s-plus-\d+ drops every pod volume.*#6735.*volumeClaimTemplates = \[\]/s);
    } else {
      const spec = podTemplateOf(Testing.synth(chart).find((d: any) => d.kind === 'StatefulSet'))!.spec;
      expect(spec.volumes.map((v: any) => v.name)).toContain('config');
    }
  });

  test('with the documented fix (volumeClaimTemplates = [] on 32+) it is hardened, its volume kept, on every line', () => {
    const chart = new Chart(Testing.app(), 'test');
    const set = plain(chart);
    if (KPLUS_HAS_CLAIM_TEMPLATES) (set as unknown as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates = [];
    RootlessHardening.applyTo(chart, { user: 1001 });
    const spec = podTemplateOf(Testing.synth(chart).find((d: any) => d.kind === 'StatefulSet'))!.spec;
    expect(spec.volumes.map((v: any) => v.name)).toContain('config');
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1001 });
  });
});
