/**
 * One rule set for the user (issue 20, point 1): generated containers — images from the presets and
 * unknown ones, runAsUser set or not at pod and container level, runAsNonRoot set or not, users given
 * for the object or the container (with or without customImage), app-wide image patterns and a
 * default user — go through
 * - the constructs' plan stage (a HardenedPod, synthesized),
 * - applyTo's adopt stage (adopt() with the JsonEditor, its JSON patch applied), and
 * - harden (hardenText on the same manifest as YAML, with the equivalent flags),
 * and each ends with the same effective runAsUser / runAsGroup / fsGroup, or the same refusal, wherever
 * their inputs agree. The constructs have no manifest of their own to keep a runAsUser from, nor
 * vouched-for images: those cases are compared between applyTo and harden only. Fixed seed (FC_SEED overrides).
 */
import { Chart, JsonPatch, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { ImagePreset } from '../../lib';
import { hardenText } from '../../lib/cli/harden/harden';
import { HardenedPod } from '../../lib/constructs/plus';
import { adopt } from '../../lib/hardening/adopt/object';
import { CLI_DIALECT } from '../../lib/hardening/adopt/pod';
import { matchesImage } from '../../lib/hardening/image-ref';
import { ImageUser, UserFor } from '../../lib/hardening/user-rule';

const IMAGES = [
  'postgres:16', 'postgres:16-alpine', 'redis:7', 'mysql:8.4', 'nginxinc/nginx-unprivileged:1.27', 'grafana/grafana:11.2.0',
  'node:20-alpine', 'gcr.io/distroless/static:nonroot', 'cgr.dev/chainguard/nginx:latest', 'registry.example.com/app:1', 'ghcr.io/acme/api:2',
];
const UIDS = [70, 101, 472, 999, 1000, 65532];
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Unset three times in four. */
const rare = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 1 });

const sample = fc.record({
  image: fc.constantFrom(...IMAGES),
  /** runAsUser already in the manifest */
  setUser: rare(fc.record({ at: fc.constantFrom('pod', 'container'), user: fc.constantFrom(999, 1234) })),
  podNonRoot: maybe(fc.constant(true)),
  containerNonRoot: maybe(fc.constant(true)),
  given: maybe(fc.record({ scope: fc.constantFrom('object', 'container'), user: fc.constantFrom(...UIDS), customImage: fc.boolean() })),
  imageUser: maybe(fc.record({ pattern: fc.constantFrom('ghcr.io/acme/*', 'node', 'grafana/*', 'registry.example.com/*'), user: fc.constantFrom(1500, 10002) })),
  nonRoot: rare(fc.constantFrom('registry.example.com/*', 'ghcr.io/*')),
  fallback: maybe(fc.constantFrom(10001, 999)),
});
type Sample = typeof sample extends fc.Arbitrary<infer T> ? T : never;

type Outcome = { refused: true } | { refused: false; user?: number; group?: number; fsGroup?: number };

const USER_PROBLEM = /no numeric user is known|does not fit image/;

function manifest(s: Sample): any {
  const csc: any = {};
  const psc: any = {};
  if (s.setUser?.at === 'container') csc.runAsUser = s.setUser.user;
  if (s.setUser?.at === 'pod') psc.runAsUser = s.setUser.user;
  if (s.containerNonRoot) csc.runAsNonRoot = true;
  if (s.podNonRoot) psc.runAsNonRoot = true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { securityContext: psc, containers: [{ name: 'app', image: s.image, securityContext: csc }] },
  };
}

function effective(spec: any): Outcome {
  const c = spec.containers[0].securityContext ?? {};
  const p = spec.securityContext ?? {};
  return { refused: false, user: c.runAsUser ?? p.runAsUser, group: c.runAsGroup ?? p.runAsGroup, fsGroup: p.fsGroup };
}

function images(s: Sample): ImageUser[] {
  return [
    ...s.imageUser ? [{ pattern: s.imageUser.pattern, user: s.imageUser.user, from: 'imageUsers' }] : [],
    ...s.nonRoot ? [{ pattern: s.nonRoot, from: 'nonRootImages' }] : [],
  ];
}

/** applyTo's adopt stage: adopt() on the JSON, its patch applied as cdk8s applies it. */
function viaApplyTo(s: Sample): Outcome {
  const m = manifest(s);
  const given = s.given ? { user: s.given.user, customImage: s.given.customImage, from: 'objects[p]' } : undefined;
  const a = adopt(m, {
    writablePaths: [],
    exemptions: [],
    user: s.fallback,
    users: {
      object: s.given?.scope === 'object' ? given : undefined,
      containers: s.given?.scope === 'container' ? new Map([['app', given!]]) : undefined,
      images: images(s),
    },
    dialect: CLI_DIALECT,
  });
  if (a.report.problems.some(p => USER_PROBLEM.test(p))) return { refused: true };
  const out = JsonPatch.apply(structuredClone(m), ...a.operations.map(o => (o.op === 'test' ? JsonPatch.test(o.path, o.value)
    : o.op === 'add' ? JsonPatch.add(o.path, o.value) : JsonPatch.replace(o.path, o.value))));
  return effective(out.spec);
}

/** harden: the same manifest as YAML, with the flags that say the same (customImage has no --user-for counterpart). */
function viaHarden(s: Sample): Outcome | undefined {
  if (s.given?.customImage) return undefined;
  const userFor: UserFor[] = s.given ? [{
    kind: 'Pod', namespace: 'default', name: 'p', container: s.given.scope === 'container' ? 'app' : undefined, user: s.given.user, flag: '--user-for',
  }] : [];
  const r = hardenText(YAML.stringify(manifest(s)), { user: s.fallback, userFor, users: { images: images(s) } });
  if (r.objects[0].problems.some(p => USER_PROBLEM.test(p))) return { refused: true };
  return effective(YAML.parse(r.text).spec);
}

/**
 * The constructs, given what the adopt inputs say (undefined where they cannot say it: a runAsUser already in a
 * manifest, a vouched-for image): the given user as `user` (with customImage), else an image pattern's UID as a
 * `user` with customImage (a statement about the image), else the image's preset, else the default user.
 */
function viaConstructs(s: Sample): Outcome | undefined {
  if (s.setUser) return undefined;
  const known = images(s).filter(i => matchesImage(i.pattern, s.image));
  if (!s.given && known.some(i => i.user === undefined)) return undefined;
  let props: any;
  if (s.given) {
    props = { user: s.given.user, containers: [{ name: 'app', image: s.image, customImage: s.given.customImage, ...s.given.scope === 'container' ? { user: s.given.user } : {} }] };
  } else if (known.length > 0) {
    props = { user: known[0].user, containers: [{ name: 'app', image: s.image, customImage: true }] };
  } else if (ImagePreset.forImage(s.image)) {
    props = { preset: ImagePreset.forImage(s.image), containers: [{ name: 'app', image: s.image }] };
  } else {
    props = { user: s.fallback, containers: [{ name: 'app', image: s.image }] };
  }
  // a writable volume where a preset image keeps its data (the data-path rule refuses a read-only container without one)
  const data = ImagePreset.forImage(s.image)?.dataPath;
  if (data !== undefined) props.containers[0].writablePaths = [data];
  const app = Testing.app();
  const chart = new Chart(app, 'c');
  try {
    new HardenedPod(chart, 'p', props);
    const [pod] = Testing.synth(chart);
    return effective(pod.spec);
  } catch (e) {
    const message = (e as Error).message;
    if (/no user is set|is the image of/.test(message)) return { refused: true };
    throw e;
  }
}

test('the constructs, applyTo and harden give a container the same user, group and fsGroup, or the same refusal', () => {
  const seen = { constructs: 0, refused: 0, written: 0, kept: 0 };
  fc.assert(fc.property(sample, s => {
    const applied = viaApplyTo(s);
    const hardened = viaHarden(s);
    if (hardened) expect({ harden: hardened, s }).toEqual({ harden: applied, s });
    const built = viaConstructs(s);
    if (built) {
      seen.constructs++;
      expect({ constructs: built, s }).toEqual({ constructs: applied, s });
    }
    // invariants of the adopt stage: a set runAsUser is kept and nothing else is written over it
    if (s.setUser) {
      seen.kept++;
      expect(applied).toMatchObject({ refused: false, user: s.setUser.user });
    }
    if (applied.refused) seen.refused++;
    else if (applied.user !== undefined) seen.written++;
    // runAsNonRoot alone never makes a user known: without any statement, preset or runAsUser, it is refused
    if (!s.setUser && !s.given && images(s).every(i => !matchesImage(i.pattern, s.image))
      && !ImagePreset.forImage(s.image) && s.fallback === undefined) {
      expect(applied).toEqual({ refused: true });
    }
  }), { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20) });
  // every outcome occurs (the generators are not all refusals, nor all trivial)
  expect(seen.constructs).toBeGreaterThan(100);
  expect(seen.refused).toBeGreaterThan(20);
  expect(seen.written).toBeGreaterThan(100);
  expect(seen.kept).toBeGreaterThan(20);
});
