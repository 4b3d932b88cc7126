/**
 * Which user a container runs as (issue 20, points 3 and 9): the one rule (lib/hardening/user-rule.ts),
 * the image-pattern syntax (lib/hardening/image-ref.ts), the presets' arbitrary-UID facts, and the rule
 * as RootlessHardening.applyTo applies it to cdk8s-plus objects, whose containers all carry
 * `runAsNonRoot: true` without a user. Each claim is asserted on the synthesized fields, and the bad
 * inputs fail naming the prop and the fix.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Exemption, ImagePreset, RootlessHardening, RootlessHardeningProps } from '../../lib';
import { matchesImage, parseImageReference } from '../../lib/hardening/image-ref';
import { checkGivenUser, containerUser } from '../../lib/hardening/user-rule';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

const REASON = 'the vendor image starts as root and drops to its own user after chown';

function synth(build: (chart: Chart) => void, props: RootlessHardeningProps): any[] {
  const chart = new Chart(Testing.app(), 'app');
  build(chart);
  RootlessHardening.applyTo(chart, props);
  return Testing.synth(chart);
}

function synthError(build: (chart: Chart) => void, props: RootlessHardeningProps): string {
  try {
    synth(build, props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synthesis did not fail');
}

/** A cdk8s-plus Deployment "web" with one container "app" per image (cdk8s-plus sets runAsNonRoot: true, no user). */
/** An emptyDir where a preset image keeps its data (the data-path rule refuses a read-only container without one). */
const dataMounts = (chart: Chart, image: string, id: string): kplus.VolumeMount[] => {
  const data = ImagePreset.forImage(image)?.dataPath;
  return data === undefined ? [] : [{ path: data, volume: kplus.Volume.fromEmptyDir(chart, id, id) }];
};

const deployment = (...images: string[]) => (chart: Chart) => new kplus.Deployment(chart, 'web', {
  containers: images.map((image, i) => ({ name: i === 0 ? 'app' : `c${i}`, image, portNumber: 8080, volumeMounts: dataMounts(chart, image, `data${i}`) })),
});

/** The effective user, group and the pod's fsGroup of each container. */
function users(out: any[]): { user?: number; group?: number; fsGroup?: number }[] {
  const spec = podTemplateOf(out.find(m => podTemplateOf(m)))!.spec;
  return spec.containers.map((c: any) => ({
    user: c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser,
    group: c.securityContext?.runAsGroup ?? spec.securityContext?.runAsGroup,
    fsGroup: spec.securityContext?.fsGroup,
  }));
}

describe('the image pattern syntax (image-ref.ts)', () => {
  test('references are read as the runtime reads them', () => {
    expect(parseImageReference('docker.io/library/redis:7')).toEqual({ repository: 'redis', tag: '7' });
    expect(parseImageReference('localhost:5000/app')).toEqual({ repository: 'localhost:5000/app' });
    expect(parseImageReference('ghcr.io/acme/api:1.2@sha256:abc')).toEqual({ repository: 'ghcr.io/acme/api', tag: '1.2', digest: 'sha256:abc' });
  });

  test.each([
    ['ghcr.io/acme/*', 'ghcr.io/acme/api:1.2', true],
    ['ghcr.io/acme/*', 'ghcr.io/acme/team/api@sha256:abc', true],
    ['ghcr.io/acme/*', 'ghcr.io/acmecorp/api:1', false],
    ['ghcr.io/acme/*', 'quay.io/acme/api', false],
    ['redis', 'docker.io/library/redis:7-alpine', true],
    ['redis', 'redis-stack:7', false],
    ['library/redis:7*', 'redis:7.2', true],
    ['redis:7*', 'redis', false], // a pattern with a tag needs a tag
    ['gcr.io/distroless/*:nonroot', 'gcr.io/distroless/static-debian12:nonroot@sha256:abc', true],
    ['gcr.io/distroless/*:nonroot', 'gcr.io/distroless/static-debian12:latest', false],
    ['ghcr.io/acme/api@sha256:*', 'ghcr.io/acme/api:1@sha256:abc', false], // a digest pattern is matched on the whole reference
    ['ghcr.io/acme/api*@sha256:*', 'ghcr.io/acme/api:1@sha256:abc', true],
    ['GHCR.io/acme/*', 'ghcr.io/acme/api', false],
  ])('%s ~ %s: %s', (pattern, image, expected) => {
    expect(matchesImage(pattern, image)).toBe(expected);
  });
});

describe('presets: the user facts', () => {
  test('distroless nonroot tags and chainguard images run as 65532; their root tags and chainguard postgres have no preset', () => {
    for (const image of ['gcr.io/distroless/static:nonroot', 'gcr.io/distroless/base-debian12:debug-nonroot', 'gcr.io/distroless/static:nonroot-amd64']) {
      expect(ImagePreset.forImage(image)).toMatchObject({ name: 'distroless-nonroot', user: 65532, group: 65532, fsGroup: 65532 });
    }
    expect(ImagePreset.forImage('cgr.dev/chainguard/nginx:latest')).toMatchObject({ name: 'chainguard', user: 65532 });
    expect(ImagePreset.forImage('gcr.io/distroless/static:latest')).toBeUndefined();
    expect(ImagePreset.forImage('gcr.io/distroless/static')).toBeUndefined();
    expect(ImagePreset.forImage('cgr.dev/chainguard/postgres:latest')).toBeUndefined();
    expect(ImagePreset.distrolessNonroot()._source).toBe('ImagePreset.distrolessNonroot()');
  });

  test('checkGivenUser: the preset\'s own UID, unknown images, root and customImage are ok; arbitrary-UID images take another; others refuse', () => {
    expect(checkGivenUser('redis:7', 999)).toMatchObject({ verdict: 'ok' });
    expect(checkGivenUser('registry.example.com/app', 1234)).toEqual({ verdict: 'ok' });
    expect(checkGivenUser('grafana/grafana', 0)).toEqual({ verdict: 'ok' });
    expect(checkGivenUser('grafana/grafana', 1000, true)).toEqual({ verdict: 'ok' });
    expect(checkGivenUser('postgres:16-alpine', 1000)).toMatchObject({ verdict: 'arbitrary', preset: { name: 'postgres-alpine' } });
    expect(checkGivenUser('grafana/grafana', 1000)).toMatchObject({ verdict: 'refused', preset: { name: 'grafana' } });
  });
});

describe('the order of the rule (user-rule.ts)', () => {
  const given = (user: number, from = 'objects[\'web\'].user') => ({ user, from });
  test('set > given (container, then object) > image patterns > preset > fallback > unknown', () => {
    const all = {
      object: given(2000),
      containers: new Map([['app', given(3000, 'containers')]]),
      images: [{ pattern: 'redis', user: 4000, from: 'imageUsers' }],
      fallback: { user: 5000 },
    };
    expect(containerUser({ name: 'app', image: 'redis:7', securityContext: { runAsUser: 1000 } }, {}, all)).toMatchObject({ source: 'set', user: 1000 });
    expect(containerUser({ name: 'app', image: 'redis:7' }, { runAsUser: 1001 }, all)).toMatchObject({ source: 'set', user: 1001, at: 'pod' });
    expect(containerUser({ name: 'app', image: 'redis:7' }, {}, all)).toMatchObject({ source: 'given', user: 3000, scope: 'container' });
    expect(containerUser({ name: 'other', image: 'redis:7' }, {}, all)).toMatchObject({ source: 'given', user: 2000, scope: 'object' });
    expect(containerUser({ name: 'other', image: 'redis:7' }, {}, { ...all, object: undefined })).toMatchObject({ source: 'image', user: 4000 });
    expect(containerUser({ name: 'other', image: 'redis:7' }, {}, { fallback: all.fallback })).toMatchObject({ source: 'preset', user: 999 });
    expect(containerUser({ name: 'other', image: 'app:1' }, {}, { fallback: all.fallback })).toMatchObject({ source: 'fallback', user: 5000 });
    expect(containerUser({ name: 'other', image: 'app:1', securityContext: { runAsNonRoot: true } }, { runAsNonRoot: true })).toEqual({ source: 'unknown' });
  });

  test('image patterns: the most specific decides; equally specific patterns that disagree are ambiguous', () => {
    const images = [
      { pattern: 'ghcr.io/acme/*', user: 10001, from: 'a' },
      { pattern: 'ghcr.io/acme/legacy*', from: 'b' },
    ];
    expect(containerUser({ image: 'ghcr.io/acme/api:1' }, {}, { images })).toMatchObject({ source: 'image', user: 10001 });
    expect(containerUser({ image: 'ghcr.io/acme/legacy-api:1' }, {}, { images })).toEqual({ source: 'vouched', from: 'b' });
    expect(containerUser({ image: 'ghcr.io/x/y' }, {}, { images: [{ pattern: 'ghcr.io/*/y', user: 1, from: 'p' }, { pattern: 'ghcr.io/x/*', user: 2, from: 'q' }] }))
      .toEqual({ source: 'ambiguous', from: ['p', 'q'] });
  });
});

describe('applyTo on cdk8s-plus objects (runAsNonRoot: true, no user)', () => {
  test('runAsNonRoot alone is not a known user: a container on an unknown image fails, naming object, container, image and every fix', () => {
    const e = synthError(deployment('registry.example.com/api:1'), {});
    expect(e).toContain('[app/web/Resource] container "app": no numeric user is known for image "registry.example.com/api:1"');
    for (const fix of ["objects['web'].containers['app'].user", "objects['web'].user", "imageUsers: { 'PATTERN': UID }", "nonRootImages: ['PATTERN']", 'props.user']) {
      expect(e).toContain(fix);
    }
  });

  test('the issue\'s app: node, redis and postgres get their presets\' UIDs; nginx-unprivileged its own', () => {
    const out = synth(chart => {
      new kplus.Deployment(chart, 'api', { containers: [{ image: 'node:20-alpine', portNumber: 8080 }] });
      new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }] });
    }, {});
    expect(users([out[0]])).toEqual([{ user: 1000, group: 1000, fsGroup: 1000 }]);
    expect(users([out[1]])).toEqual([{ user: 101, group: 101, fsGroup: 101 }]);
  });

  test('objects[path].user is used over the preset (it was ignored under runAsNonRoot): redis takes 1001 with fsGroup and a note', () => {
    const chart = new Chart(Testing.app(), 'app');
    new kplus.Deployment(chart, 'cache', { containers: [{ name: 'redis', image: 'redis:7-alpine', portNumber: 6379, volumeMounts: dataMounts(chart, 'redis:7', 'data') }] });
    const h = RootlessHardening.applyTo(chart, { objects: { cache: { user: 1001 } } });
    const out = Testing.synth(chart);
    expect(users(out)).toEqual([{ user: 1001, group: 1001, fsGroup: 1001 }]);
    expect(h.report[0].notes.join('\n')).toContain('container "redis": user 1001:1001 from props.objects[\'cache\'].user; image "redis:7-alpine" is the redis-alpine image (UID 999), '
      + 'which runs under another UID when its data directory is writable for it: fsGroup 1001');
    // its own UID is simply used
    expect(users(synth(chart2 => new kplus.Deployment(chart2, 'cache', { containers: [{ image: 'redis:7', volumeMounts: dataMounts(chart2, 'redis:7', 'data') }] }),
      { objects: { cache: { user: 999 } } })))
      .toEqual([{ user: 999, group: 999, fsGroup: 999 }]);
  });

  test('a given user that the image does not take is refused, naming the preset and the customImage escape; customImage accepts it', () => {
    const e = synthError(deployment('grafana/grafana:11.2.0'), { objects: { web: { user: 1000 } } });
    expect(e).toContain('container "app": user 1000 from props.objects[\'web\'].user does not fit image "grafana/grafana:11.2.0": it is the grafana image '
      + '(ImagePreset.grafana()), which runs as UID 472 and does not run under another UID');
    expect(e).toContain("customImage: true in objects['web'].containers['app'] (or objects['web'].customImage)");
    // adversarial: the default user does not get past the preset either (the preset wins over it)
    expect(users(synth(deployment('grafana/grafana:11.2.0'), { user: 1000 }))).toEqual([{ user: 472, group: 0, fsGroup: 472 }]);
    expect(users(synth(deployment('grafana/grafana:11.2.0'), { objects: { web: { user: 1000, customImage: true } } })))
      .toEqual([{ user: 1000, group: 1000, fsGroup: 1000 }]);
    expect(users(synth(deployment('grafana/grafana:11.2.0'), { objects: { web: { containers: { app: { user: 1000, customImage: true } } } } })))
      .toEqual([{ user: 1000, group: 1000, fsGroup: 1000 }]);
  });

  test('per container users win over the object\'s, and are written on their containers', () => {
    const out = synth(deployment('registry.example.com/api:1', 'registry.example.com/worker:1'),
      { objects: { web: { user: 2000, containers: { c1: { user: 3000, group: 3001 } } } } });
    expect(users(out)).toEqual([{ user: 2000, group: 2000, fsGroup: undefined }, { user: 3000, group: 3001, fsGroup: undefined }]);
    const spec = podTemplateOf(out[0])!.spec;
    expect(spec.containers[1].securityContext).toMatchObject({ runAsUser: 3000, runAsGroup: 3001 });
  });

  test('a set runAsUser is kept: neither objects[path].user nor props.user replaces it, and the unused statement is noted', () => {
    const chart = new Chart(Testing.app(), 'app');
    new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'registry.example.com/api:1', securityContext: { user: 1234 } }] });
    const h = RootlessHardening.applyTo(chart, { user: 10001, objects: { web: { user: 2000 } } });
    expect(users(Testing.synth(chart))).toEqual([{ user: 1234, group: undefined, fsGroup: undefined }]);
    expect(h.report[0].notes).toContain('container "app": props.objects[\'web\'].user is not used: runAsUser 1234 is set, and a set user is kept.');
  });

  test('imageUsers and nonRootImages: app-wide statements about images', () => {
    const out = synth(deployment('ghcr.io/acme/api:1.2'), { imageUsers: { 'ghcr.io/acme/*': 10001 } });
    expect(users(out)).toEqual([{ user: 10001, group: 10001, fsGroup: 10001 }]);
    // a statement about the image wins over its preset (the user says it is a custom build)
    expect(users(synth(deployment('node:20-alpine'), { imageUsers: { 'node:*': 1500 } }))).toEqual([{ user: 1500, group: 1500, fsGroup: 1500 }]);
    const vouched = synth(deployment('ghcr.io/acme/api:1.2'), { nonRootImages: ['ghcr.io/acme/*'] });
    const c = podTemplateOf(vouched[0])!.spec.containers[0];
    expect(c.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext.runAsUser).toBeUndefined();
    expect(podTemplateOf(vouched[0])!.spec.securityContext.runAsUser).toBeUndefined();
    // a pattern that does not match leaves the user unknown
    expect(synthError(deployment('ghcr.io/other/api:1'), { nonRootImages: ['ghcr.io/acme/*'] })).toContain('no numeric user is known');
  });

  test('the default user fills only what is still unknown; an accepted runAsRoot gets none', () => {
    const out = synth(deployment('registry.example.com/api:1', 'redis:7'), { user: 10001 });
    expect(users(out)).toEqual([{ user: 10001, group: 10001, fsGroup: undefined }, { user: 999, group: 999, fsGroup: undefined }]);
    const root = synth(chart => new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'registry.example.com/api:1', securityContext: { ensureNonRoot: false } }] }),
      { user: 10001, objects: { web: { exemptions: [Exemption.runAsRoot(REASON, { container: 'app' })] } } });
    expect(users(root)[0].user).toBeUndefined();
  });

  test('bad inputs fail at the call, naming the prop and the fix', () => {
    const chart = new Chart(Testing.app(), 'app');
    const call = (props: any) => () => RootlessHardening.applyTo(chart, props);
    expect(call({ imageUsers: { '': 1000 } })).toThrow(/props\.imageUsers\[''\]: "" is not an image pattern: it is empty\. Fix:/);
    // adversarial: patterns that would vouch for (nearly) every image
    for (const p of ['*', '*/*', '*:*', '**@*']) expect(call({ imageUsers: { [p]: 1000 } })).toThrow(/would match nearly every image/);
    expect(call({ nonRootImages: ['*/*'] })).toThrow(/props\.nonRootImages\[0\]: "\*\/\*" is not an image pattern: it names no registry or repository/);
    expect(call({ imageUsers: { 'ghcr.io/acme/*': 0 } })).toThrow(/props\.imageUsers\['ghcr\.io\/acme\/\*'\]: 0 is not a non-root numeric ID\. Fix:/);
    expect(call({ imageUsers: ['x'] })).toThrow(/props\.imageUsers: is not a map\. Fix:/);
    expect(call({ nonRootImages: 'ghcr.io/acme/*' })).toThrow(/props\.nonRootImages: is not a list\. Fix:/);
    expect(call({ nonRootImages: ['ghcr.io/acme/ *'] })).toThrow(/props\.nonRootImages\[0\]: .* white space/);
    expect(call({ objects: { web: { containers: { app: { group: 1000 } } } } })).toThrow(/props\.objects\['web'\]\.containers\['app'\]\.user: is missing\. Fix:/);
    expect(call({ objects: { web: { containers: { App_1: { user: 1000 } } } } })).toThrow(/"App_1" is not a container name/);
    expect(call({ objects: { web: { customImage: true } } })).toThrow(/customImage: says the image runs as the given user, but no user is given/);
    expect(call({ objects: { web: { containers: { app: { user: -1 } } } } })).toThrow(/containers\['app'\]\.user: -1 is not a non-root numeric ID/);
  });

  test('a container user for a container the object does not have fails, naming it', () => {
    const e = synthError(deployment('registry.example.com/api:1'), { user: 1000, objects: { web: { containers: { worker: { user: 2000 } } } } });
    expect(e).toContain('props.objects[\'web\'].containers[\'worker\'].user names container "worker", which the pod does not have (containers: app)');
  });

  test('adversarial: no statement gets a root user or runAsNonRoot: false past the rule', () => {
    // an explicit root pod user is set: a given user does not replace it, and it still fails
    const root = (chart: Chart) => new ApiObject(chart, 'p', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { securityContext: { runAsUser: 0 }, containers: [{ name: 'app', image: 'ghcr.io/acme/api:1' }] },
    } as any);
    expect(synthError(root, { objects: { p: { user: 1000 } }, imageUsers: { 'ghcr.io/acme/*': 1000 } })).toContain('container "app": runs as root (runAsUser 0)');
    // a vouched-for image with runAsNonRoot: false still fails
    const off = (chart: Chart) => new ApiObject(chart, 'p', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/api:1', securityContext: { runAsNonRoot: false } }] },
    } as any);
    expect(synthError(off, { nonRootImages: ['ghcr.io/acme/*'] })).toContain('container "app": runAsNonRoot: false is set explicitly');
    // a vouched-for image is not written a user: the kubelet still checks its USER, which runAsNonRoot keeps in force
    const out = synth(deployment('ghcr.io/acme/api:1'), { user: 10001, nonRootImages: ['ghcr.io/acme/*'] });
    expect(podTemplateOf(out[0])!.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true });
    expect(users(out)[0].user).toBeUndefined();
  });

  test('raw ApiObjects: a vouched image keeps its own USER, an unknown one under runAsNonRoot is refused', () => {
    const raw = (chart: Chart) => new ApiObject(chart, 'p', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', image: 'myapp:v1.0' }] },
    } as any);
    expect(synthError(raw, {})).toContain('container "app": no numeric user is known for image "myapp:v1.0"');
    const out = synth(raw, { nonRootImages: ['myapp'] });
    expect(out[0].spec.securityContext.runAsUser).toBeUndefined();
    expect(out[0].spec.containers[0].securityContext.runAsUser).toBeUndefined();
  });
});
