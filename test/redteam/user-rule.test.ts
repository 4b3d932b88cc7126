/**
 * Red team of the user rule (issue 20, point 3; test/redteam/FINDINGS.md, "User rule"). The oracle is
 * the kubelet's start-up check and the real images' USER (checked in their Dockerfiles / apko
 * configs), not the library's code: a pod that the library writes must either start, or the library
 * must refuse it naming the fix. Each test either held (a regression test) or failed before its fix.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as YAML from 'yaml';
import { Exemption, ImagePreset, RootlessHardening, RootlessHardeningProps } from '../../lib';
import { hardenText } from '../../lib/cli/harden/harden';
import { exitCodeOf } from '../../lib/cli/harden/harden-text';
import { HardenedPod } from '../../lib/constructs/plus';
import { matchesImage, parseImageReference } from '../../lib/hardening/image-ref';
import { containerUser } from '../../lib/hardening/user-rule';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

jest.setTimeout(60_000);

/**
 * The image's own USER as its build declares it (undefined: no USER, i.e. root). Sources:
 * docker-library/node Dockerfiles (no USER; user node 1000 exists), chainguard-images/images
 * images/jenkins/config/template.apko.yaml (`run-as: 1000`, /var/jenkins_home and /usr/share/jenkins
 * owned by 1000, 0755), images/wolfi-base/configs/latest.apko.yaml (no accounts: root),
 * images/postgres/config/template.apko.yaml (`run-as: 0`, the entrypoint switches to 70).
 */
const IMAGE_USER: Record<string, string | undefined> = {
  'node': undefined,
  'cgr.dev/chainguard/jenkins': '1000',
  'cgr.dev/chainguard/wolfi-base': undefined,
  'cgr.dev/chainguard/postgres': '0',
  'registry.example.com/app': undefined, // an unknown image: assume the worst (root)
  'quay.io/vendor/agent': undefined,
  'ghcr.io/other/tool': undefined,
};
const imageUserOf = (image: string): string | undefined => {
  const repo = Object.keys(IMAGE_USER).find(r => image === r || image.startsWith(`${r}:`) || image.startsWith(`${r}@`)
    || image.replace(/^(index\.)?docker\.io\/(library\/)?/, '').split(/[:@]/)[0] === r);
  return repo === undefined ? undefined : IMAGE_USER[repo];
};

/** What the kubelet (and the API server before it) does with one container: undefined when it starts. */
function kubeletRefuses(spec: any, c: any): string | undefined {
  const sc = c.securityContext ?? {};
  const psc = spec.securityContext ?? {};
  const uid = sc.runAsUser ?? psc.runAsUser;
  const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  if (uid !== undefined) {
    if (!Number.isInteger(uid) || uid < 0 || uid > 2147483647) return `the API server rejects runAsUser ${JSON.stringify(uid)}`;
    if (nonRoot === true && uid === 0) return 'runAsNonRoot with runAsUser 0';
    return undefined;
  }
  if (nonRoot !== true) return undefined;
  const user = imageUserOf(c.image);
  if (user === undefined) return 'container has runAsNonRoot and image will run as root';
  if (!/^\d+$/.test(user)) return `container has runAsNonRoot and image has non-numeric user (${user})`;
  if (Number(user) === 0) return 'container has runAsNonRoot and image will run as root';
  return undefined;
}

/** applyTo: the error, or the written pod specs. */
function applyTo(build: (chart: Chart) => void, props: RootlessHardeningProps): { specs?: any[]; error?: string } {
  const chart = new Chart(Testing.app(), 'app');
  try {
    build(chart);
    RootlessHardening.applyTo(chart, props);
    return { specs: Testing.synth(chart).map(m => podTemplateOf(m)?.spec).filter(s => s !== undefined) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const deployment = (image: string) => (chart: Chart) => new kplus.Deployment(chart, 'web', {
  containers: [{ name: 'app', image, portNumber: 8080 }],
});

const podYaml = (image: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
spec:
  securityContext:
    runAsNonRoot: true${extra}
  containers:
    - name: app
      image: ${image}
`;

/** Either the library refuses (applyTo throws / harden reports a problem), or every container it wrote starts. */
function expectStartsOrRefused(r: { specs?: any[]; error?: string }): void {
  if (r.error !== undefined) return;
  for (const spec of r.specs!) {
    for (const c of spec.containers) {
      const who = { container: c.name, image: c.image };
      expect({ ...who, refusal: kubeletRefuses(spec, c) }).toEqual({ ...who, refusal: undefined });
    }
  }
}

function harden(yaml: string, options: Parameters<typeof hardenText>[1]): { spec: any; problems: string[]; notes: string[] } {
  const r = hardenText(yaml, options);
  const spec = YAML.parse(r.text).spec;
  return { spec, problems: r.objects.flatMap(o => o.problems), notes: r.objects.flatMap(o => o.notes) };
}

describe('U1: a pattern over Docker Hub vouches for every registry', () => {
  test.each(['docker.io/*', 'library/*', 'docker.io/library/*', 'index.docker.io/*'])('%s does not match images of other registries', pattern => {
    for (const image of ['registry.example.com/app:1', 'quay.io/vendor/agent:2', 'ghcr.io/other/tool@sha256:abc']) {
      expect({ pattern, image, matches: matchesImage(pattern, image) }).toEqual({ pattern, image, matches: false });
    }
    expect(matchesImage(pattern, 'docker.io/library/busybox:1')).toBe(true);
  });

  test('applyTo: nonRootImages [\'docker.io/*\'] does not let an unknown image of another registry run under runAsNonRoot alone', () => {
    const r = applyTo(deployment('registry.example.com/app:1'), { nonRootImages: ['docker.io/*'] });
    expect(r.error).toContain('no numeric user is known for image "registry.example.com/app:1"');
    expectStartsOrRefused(r);
    // and imageUsers over Docker Hub does not give a quay.io image a UID
    expect(applyTo(deployment('quay.io/vendor/agent:2'), { imageUsers: { 'library/*': 10001 } }).error).toContain('no numeric user is known');
  });

  test('harden --non-root-image docker.io/* likewise', () => {
    const r = harden(podYaml('quay.io/vendor/agent:2'), { users: { images: [{ pattern: 'docker.io/*', from: '--non-root-image docker.io/*' }] } });
    expect(r.problems.join('\n')).toContain('no numeric user is known for image "quay.io/vendor/agent:2"');
  });

  test('index.docker.io is Docker Hub: presets and patterns read it as docker.io', () => {
    expect(ImagePreset.forImage('index.docker.io/library/node:20')).toMatchObject({ name: 'node', user: 1000 });
    expect(ImagePreset.forImage('docker.io/node:20')).toMatchObject({ name: 'node' });
    expect(matchesImage('node', 'index.docker.io/library/node:20')).toBe(true);
  });

  test('two patterns that name the same repository are equally specific: disagreeing, they are ambiguous (not the longer spelling winning)', () => {
    const images = [{ pattern: 'redis', user: 1000, from: 'a' }, { pattern: 'docker.io/library/redis', user: 2000, from: 'b' }];
    expect(containerUser({ image: 'redis:7' }, {}, { images })).toEqual({ source: 'ambiguous', from: ['a', 'b'] });
  });

  test('held: look-alike references of preset images get no preset (unknown is refused, never guessed)', () => {
    for (const image of ['localhost:5000/postgres:16', 'registry.example.com/library/postgres:16', 'ghcr.io/acme/postgres:16',
      'Postgres:16', 'postgres-exporter:1', 'myregistry:5000/redis', 'docker.io.evil.com/library/redis:7']) {
      expect({ image, preset: ImagePreset.forImage(image)?.name }).toEqual({ image, preset: undefined });
    }
    expect(parseImageReference('localhost:5000/postgres:16')).toMatchObject({ repository: 'localhost:5000/postgres', tag: '16' });
  });
});

describe('U2: a vouch for an image whose USER the library knows is root or a name', () => {
  test('applyTo: nonRootImages covering node (no USER: root) writes the preset\'s UID instead of runAsNonRoot alone', () => {
    const r = applyTo(deployment('node:20-alpine'), { nonRootImages: ['node'] });
    expectStartsOrRefused(r);
    expect(r.specs?.[0].containers[0].securityContext.runAsUser ?? r.specs?.[0].securityContext.runAsUser).toBe(1000);
  });

  test('harden: --non-root-image over Docker Hub official images on node:20 still writes 1000, with a note', () => {
    const r = harden(podYaml('node:20'), { users: { images: [{ pattern: 'docker.io/library/*', from: '--non-root-image docker.io/library/*' }] } });
    expect(r.spec.securityContext.runAsUser ?? r.spec.containers[0].securityContext?.runAsUser).toBe(1000);
    expect(r.notes.join('\n')).toContain('--non-root-image docker.io/library/* is not used for image "node:20"');
    expect(kubeletRefuses(r.spec, r.spec.containers[0])).toBeUndefined();
  });

  test('held: a vouch for an image whose USER is numeric (distroless nonroot) keeps runAsNonRoot alone', () => {
    const r = applyTo(deployment('gcr.io/distroless/static:nonroot'), { nonRootImages: ['gcr.io/distroless/*'] });
    expect(r.error).toBeUndefined();
    expect(r.specs![0].containers[0].securityContext.runAsUser).toBeUndefined();
  });
});

describe('U3: the chainguard preset claims 65532 for images that run as another user', () => {
  test.each([
    ['cgr.dev/chainguard/jenkins:latest'],
    ['cgr.dev/chainguard/wolfi-base:latest'],
    ['cgr.dev/chainguard/postgres:latest'],
    // chainguard-images/images tf configs: airflow run-as 50000, nifi run-as 1000, falco and the CSI drivers run-as 0
    ['cgr.dev/chainguard/airflow:latest'],
    ['cgr.dev/chainguard/apache-nifi:latest'],
    ['cgr.dev/chainguard/falco:latest'],
    ['cgr.dev/chainguard/secrets-store-csi-driver:latest'],
  ])('%s has no 65532 preset', image => {
    expect(ImagePreset.forImage(image)?.user).not.toBe(65532);
  });

  test('applyTo with the default user does not give cgr.dev/chainguard/jenkins 65532', () => {
    const r = applyTo(deployment('cgr.dev/chainguard/jenkins:latest'), {});
    expect(r.error).toContain('no numeric user is known for image "cgr.dev/chainguard/jenkins:latest"');
  });

  test('held: chainguard images that run as 65532 keep the preset', () => {
    expect(ImagePreset.forImage('cgr.dev/chainguard/nginx:latest')).toMatchObject({ user: 65532 });
    expect(ImagePreset.forImage('cgr.dev/chainguard/static@sha256:abc')).toMatchObject({ user: 65532 });
    for (const name of ['node:latest-dev', 'python:latest', 'grafana:latest', 'mariadb:latest', 'kafka:latest']) {
      expect(ImagePreset.forImage(`cgr.dev/chainguard/${name}`)).toMatchObject({ name: 'chainguard', user: 65532 });
    }
  });
});

describe('U4: runAsUser out of the API server\'s range, or not a number', () => {
  const raw = (sc: any) => (chart: Chart) => new ApiObject(chart, 'p', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1', securityContext: sc }] },
  } as any);
  test.each([[2147483648], [4294967296], [-1], [1.5], ['1000']])('applyTo refuses a set runAsUser %p, naming it', uid => {
    const r = applyTo(raw({ runAsUser: uid }), { user: 10001 });
    expect(r.error).toMatch(/runAsUser/);
    expectStartsOrRefused(r);
  });

  test.each([['2147483648'], ['-1'], ['"1000"']])('harden reports a set runAsUser %s', uid => {
    const r = harden(podYaml('registry.example.com/app:1', `\n    runAsUser: ${uid}`), { user: 10001 });
    expect(r.problems.join('\n')).toMatch(/runAsUser/);
  });

  test('held: a set runAsUser 0 stays a finding (no statement replaces it)', () => {
    const r = harden(podYaml('registry.example.com/app:1', '\n    runAsUser: 0'), {
      user: 10001, users: { images: [{ pattern: 'registry.example.com/*', user: 2000, from: '--image-user registry.example.com/*=2000' }] },
    });
    expect(r.problems.join('\n')).toContain('runs as root (runAsUser 0)');
    expect(r.spec.securityContext.runAsUser).toBe(0);
  });
});

describe('U5: a digest-only reference to an image with variants', () => {
  test('postgres@sha256 may be the Alpine image (70) or the Debian one (999): no preset guesses which', () => {
    expect(ImagePreset.forImage('postgres@sha256:0123456789abcdef')).toBeUndefined();
    expect(ImagePreset.forImage('httpd@sha256:0123456789abcdef')).toBeUndefined();
    // with a tag, the tag says which
    expect(ImagePreset.forImage('postgres:16-alpine@sha256:0123456789abcdef')).toMatchObject({ user: 70 });
    expect(ImagePreset.forImage('postgres:16@sha256:0123456789abcdef')).toMatchObject({ user: 999 });
    // an image without variants keeps its preset
    expect(ImagePreset.forImage('node@sha256:0123456789abcdef')).toMatchObject({ user: 1000 });
  });
});

describe('U6: statements that JavaScript callers pass as a Map are silently ignored', () => {
  test('objects[path].containers as a Map fails at the call instead of giving the default user', () => {
    const chart = new Chart(Testing.app(), 'app');
    deployment('registry.example.com/app:1')(chart);
    expect(() => RootlessHardening.applyTo(chart, { user: 10001, objects: { web: { containers: new Map([['app', { user: 2000 }]]) as any } } }))
      .toThrow(/props\.objects\['web'\]\.containers: is not a map of container names/);
    expect(() => RootlessHardening.applyTo(chart, { imageUsers: new Map([['registry.example.com/*', 2000]]) as any }))
      .toThrow(/props\.imageUsers: is not a map/);
    expect(() => RootlessHardening.applyTo(chart, { objects: new Map([['web', { user: 2000 }]]) as any }))
      .toThrow(/props\.objects: is not a map/);
  });
});

describe('held: statements are not silently replaced', () => {
  test('a container user for an init container is used on it', () => {
    const r = applyTo(chart => new kplus.Deployment(chart, 'web', {
      initContainers: [{ name: 'init', image: 'registry.example.com/app:1' }],
      containers: [{ name: 'app', image: 'registry.example.com/app:1' }],
    }), { user: 10001, objects: { web: { containers: { init: { user: 2000 } } } } });
    expect(r.error).toBeUndefined();
    const spec = r.specs![0];
    expect(spec.initContainers[0].securityContext.runAsUser ?? spec.securityContext.runAsUser).toBe(2000);
    expect(spec.containers[0].securityContext.runAsUser ?? spec.securityContext.runAsUser).toBe(10001);
  });

  test('the constructs and applyTo agree on a user given for a preset image that refuses other UIDs', () => {
    const construct = (() => {
      try {
        const chart = new Chart(Testing.app(), 'c');
        new HardenedPod(chart, 'p', { user: 1000, containers: [{ image: 'grafana/grafana:11.2.0' }] });
        Testing.synth(chart);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(construct).toContain('grafana');
    expect(applyTo(deployment('grafana/grafana:11.2.0'), { objects: { web: { user: 1000 } } }).error).toContain('does not fit image');
  });

  test('the :nonroot tag decides the distroless preset; root tags and other registries get none', () => {
    expect(ImagePreset.forImage('gcr.io/distroless/static:debug')).toBeUndefined();
    expect(ImagePreset.forImage('gcr.io/distroless/static@sha256:abc')).toBeUndefined();
    expect(ImagePreset.forImage('gcr.io/distroless-evil/static:nonroot')).toBeUndefined();
    expect(ImagePreset.forImage('evil.io/gcr.io/distroless/static:nonroot')).toBeUndefined();
    expect(ImagePreset.forImage('gcr.io/distroless/static:nonroot')).toMatchObject({ user: 65532 });
  });
});

describe('U7: a container that the app declares to run as root gets a UID written anyway', () => {
  // the docker-library pattern: an init container of the postgres image chowns the claim as root, the server runs as 999
  const chown = (chart: Chart) => new ApiObject(chart, 'db', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          initContainers: [{
            name: 'chown',
            image: 'postgres:16',
            command: ['chown', '-R', '999:999', '/var/lib/postgresql'],
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }],
          }],
          containers: [{ name: 'postgres', image: 'postgres:16', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }] }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
    },
  } as any);
  const REASON = 'chowns the claim to 999 before the server starts; runs no other code';

  test('applyTo: the init container under an accepted runAsRoot is not given the preset\'s UID (chown as 999 fails)', () => {
    const r = applyTo(chown, { objects: { db: { exemptions: [Exemption.runAsRoot(REASON, { container: 'chown' })] } } });
    expect(r.error).toBeUndefined();
    const spec = r.specs![0];
    expect(spec.initContainers[0].securityContext?.runAsUser ?? spec.securityContext?.runAsUser).toBeUndefined();
    expect(spec.containers[0].securityContext?.runAsUser ?? spec.securityContext?.runAsUser).toBe(999);
  });

  test('applyTo: nor the object\'s user', () => {
    const r = applyTo(chown, { objects: { db: { user: 1001, exemptions: [Exemption.runAsRoot(REASON, { container: 'chown' })] } } });
    expect(r.error).toBeUndefined();
    const spec = r.specs![0];
    expect(spec.initContainers[0].securityContext?.runAsUser ?? spec.securityContext?.runAsUser).toBeUndefined();
    expect(spec.containers[0].securityContext?.runAsUser ?? spec.securityContext?.runAsUser).toBe(1001);
  });
});

describe('U8: constructs and CLI refuse out-of-range ids', () => {
  test.each([[-5], [2147483648], [1.5]])('HardenedPod container user %p fails naming the prop', user => {
    const chart = new Chart(Testing.app(), 'c');
    expect(() => {
      new HardenedPod(chart, 'p', { user: 1000, containers: [{ image: 'registry.example.com/app:1', user } as any] });
      Testing.synth(chart);
    }).toThrow(/user/);
  });
});

describe('U2 (continued): vouches and presets', () => {
  test('a vouch for an image whose preset may have a named USER (grafana 7: USER grafana) writes the preset\'s own UID', () => {
    // (with an emptyDir where grafana keeps its data: the data-path rule)
    const r = applyTo(deployment('grafana/grafana:7.5.0'), { nonRootImages: ['grafana/grafana'], writablePaths: ['/var/lib/grafana'] });
    expect(r.error).toBeUndefined();
    expect(r.specs![0].containers[0].securityContext.runAsUser ?? r.specs![0].securityContext.runAsUser).toBe(472);
  });

  test('applyTo records the note', () => {
    const chart = new Chart(Testing.app(), 'app');
    deployment('node:20')(chart);
    const h = RootlessHardening.applyTo(chart, { nonRootImages: ['node:*'] });
    Testing.synth(chart);
    expect(h.report[0].notes.join('\n')).toContain('props.nonRootImages[0] (node:*) is not used for image "node:20"');
  });
});

describe('U9: a tag next to a digest is not what runs', () => {
  test('nonRootImages over distroless: a :nonroot tag pinned to a digest gets the preset\'s UID written (the digest may name a root tag)', () => {
    const r = applyTo(deployment('gcr.io/distroless/static:nonroot@sha256:0123456789abcdef'), { nonRootImages: ['gcr.io/distroless/*'] });
    expect(r.error).toBeUndefined();
    expect(r.specs![0].containers[0].securityContext.runAsUser ?? r.specs![0].securityContext.runAsUser).toBe(65532);
    // held: without a digest the vouch stands
    const plain = applyTo(deployment('gcr.io/distroless/static:nonroot'), { nonRootImages: ['gcr.io/distroless/*'] });
    expect(plain.specs![0].containers[0].securityContext.runAsUser).toBeUndefined();
  });
});

describe('U10 (fixed): harden honours a runAsRoot exemption declared in the manifest, as applyTo does', () => {
  const DB = `apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  annotations:
    rootless.cdk8s.io/exemptions: '[{"id":"runAsRoot","container":"chown","reason":"chowns the claim to 999 before the server starts; runs no other code"}]'
spec:
  initContainers:
    - name: chown
      image: postgres:16
      command: [chown, -R, "999:999", /var/lib/postgresql]
      volumeMounts: [{name: data, mountPath: /var/lib/postgresql}]
  containers:
    - name: postgres
      image: postgres:16
      volumeMounts: [{name: data, mountPath: /var/lib/postgresql}]
  volumes:
    - name: data
      persistentVolumeClaim: {claimName: data}
`;
  test('harden writes no UID on the declared-root chown init container (it wrote the preset\'s 999, and chown as 999 fails), and the pod starts', () => {
    const first = hardenText(DB, { user: 10001 });
    const spec = YAML.parse(first.text).spec;
    expect(spec.containers[0].securityContext?.runAsUser ?? spec.securityContext?.runAsUser).toBe(999);
    expect(spec.initContainers[0].securityContext?.runAsUser ?? spec.securityContext?.runAsUser).toBeUndefined();
    expect(spec.initContainers[0].securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot).not.toBe(true);
    // what the exemption relaxes is accepted with its reason, not left as a finding: written and startable
    const [o] = first.objects;
    expect(o.problems).toEqual([]);
    expect(o.remaining).toEqual([]);
    expect(o.notes.join('\n')).toContain('accepted: runAsNonRoot');
    expect(exitCodeOf(first)).toBe(0);
    // the same verdict on its own output, byte for byte
    const again = hardenText(first.text, { user: 10001 });
    expect(again.text).toBe(first.text);
    expect(exitCodeOf(again)).toBe(0);
  });

  test('applyTo on the same manifest agrees: no UID on the chown container, 999 on the server', () => {
    const r = applyTo((chart: Chart) => new ApiObject(chart, 'db', YAML.parse(DB)), { user: 10001 });
    expect(r.error).toBeUndefined();
    const spec = r.specs![0];
    expect(spec.containers[0].securityContext.runAsUser ?? spec.securityContext.runAsUser).toBe(999);
    expect(spec.initContainers[0].securityContext?.runAsUser ?? spec.securityContext?.runAsUser).toBeUndefined();
  });
});

describe('U11: a preset image on a claim, next to a container of another user', () => {
  const db = (chart: Chart) => new ApiObject(chart, 'db', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          containers: [
            { name: 'postgres', image: 'postgres:16', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }] },
            { name: 'exporter', image: 'registry.example.com/exporter:1' },
          ],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
    },
  } as any);
  const fsGroupOf = (spec: any) => spec.securityContext?.fsGroup;

  test('applyTo: postgres (999) next to an exporter (10001): the claim must be writable for 999, or synthesis must say so', () => {
    const chart = new Chart(Testing.app(), 'app');
    db(chart);
    const h = RootlessHardening.applyTo(chart, { user: 10001 });
    let error: string | undefined;
    let spec: any;
    try {
      spec = podTemplateOf(Testing.synth(chart)[0])!.spec;
    } catch (e) {
      error = (e as Error).message;
    }
    const reported = (error ?? '') + h.report.flatMap(r => [...r.notes]).join('\n');
    if (spec && fsGroupOf(spec) !== 999) expect(reported).toMatch(/fsGroup/);
  });

  test('applyTo: a given user for postgres (arbitrary UID) next to an exporter: no note promises an fsGroup that is not written', () => {
    const chart = new Chart(Testing.app(), 'app');
    db(chart);
    const h = RootlessHardening.applyTo(chart, { user: 10001, objects: { db: { containers: { postgres: { user: 1001 } } } } });
    const spec = podTemplateOf(Testing.synth(chart)[0])!.spec;
    const notes = h.report.flatMap(r => [...r.notes]).join('\n');
    if (fsGroupOf(spec) !== 1001) expect(notes).not.toContain('fsGroup 1001 makes its volumes writable');
  });
});

describe('U11 (continued)', () => {
  const pod = (containers: any[]) => (chart: Chart) => new ApiObject(chart, 'p', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers, volumes: [{ name: 'pg', persistentVolumeClaim: { claimName: 'pg' } }, { name: 'r', persistentVolumeClaim: { claimName: 'r' } }] },
  } as any);
  test('the claim is written writable for postgres (fsGroup 999), and the exporter keeps its own user', () => {
    const r = applyTo(pod([
      { name: 'postgres', image: 'postgres:16', volumeMounts: [{ name: 'pg', mountPath: '/var/lib/postgresql' }] },
      { name: 'exporter', image: 'registry.example.com/exporter:1' },
    ]), { user: 10001 });
    expect(r.error).toBeUndefined();
    expect(r.specs![0].securityContext.fsGroup).toBe(999);
    expect(r.specs![0].containers[1].securityContext.runAsUser ?? r.specs![0].securityContext.runAsUser).toBe(10001);
  });

  test('two data containers of different groups in one pod fail, naming both and the fix', () => {
    const r = applyTo(pod([
      { name: 'postgres', image: 'postgres:16', volumeMounts: [{ name: 'pg', mountPath: '/var/lib/postgresql' }] },
      { name: 'redis', image: 'redis:7-alpine', volumeMounts: [{ name: 'r', mountPath: '/data' }] },
    ]), {});
    expect(r.error).toContain('containers "postgres", "redis" keep data on their volumes as different groups (999, 1000)');
  });

  test('harden: the same fsGroup, exit 0 on a second run', () => {
    const yaml = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: postgres
      image: postgres:16
      volumeMounts: [{name: pg, mountPath: /var/lib/postgresql}]
    - name: exporter
      image: registry.example.com/exporter:1
  volumes:
    - name: pg
      persistentVolumeClaim: {claimName: pg}
`;
    const first = hardenText(yaml, { user: 10001 });
    expect(YAML.parse(first.text).spec.securityContext.fsGroup).toBe(999);
    const second = hardenText(first.text, { user: 10001 });
    expect(second.text).toBe(first.text);
  });
});
