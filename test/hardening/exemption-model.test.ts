/**
 * The exemption model end to end (docs/architecture.md, "The exemption model"): each attack on the
 * promise "every weakening is explicit, reasoned, visible and enforced" that worked before the
 * registry, the codec and the reason rule existed, as a regression test.
 */
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { REASON, container, synthError, synthPod } from './util';
import { Exemption, ExemptionKind, PolicyLevel, RestrictedNamespace, RootlessAnnotations } from '../../lib';
import { HardenedPod } from '../../lib/constructs/plus';
import { annotationGrammar, readAnnotation, writeAnnotation } from '../../lib/exemptions/codec';
import { declaredExemptions, revertExemptions } from '../../lib/exemptions/declared';
import { reasonProblem } from '../../lib/exemptions/reason';
import { EXEMPTION_KINDS, NEVER_EXEMPTABLE, validateExemptionKinds } from '../../lib/exemptions/registry';
import { SERVICE_ACCOUNT_TOKEN_PATH } from '../../lib/hardening/rootless-rules';
import { judgeRootless } from '../../lib/hardening/verify';
import { PodSecurity } from '../../lib/policy';

const KEY = RootlessAnnotations.EXEMPTIONS;

function vpn(chart: Chart, exemptions: Exemption[]): HardenedPod {
  return new HardenedPod(chart, 'vpn', {
    user: 0,
    exemptions: [Exemption.runAsRoot(REASON), ...exemptions],
    containers: [{ name: 'vpn', image: 'wireguard:1' }],
  });
}

describe('exemptions are immutable values', () => {
  test('changing the capabilities array read from an exemption changes nothing in the manifest', () => {
    const e = Exemption.addCapabilities(['NET_ADMIN'], REASON, { container: 'vpn' });
    const pod = synthPod(chart => {
      vpn(chart, [e]);
      e.capabilities!.push('SYS_ADMIN');
    });
    expect(container(pod, 'vpn').securityContext.capabilities.add).toEqual(['NET_ADMIN']);
    expect(e.capabilities).toEqual(['NET_ADMIN']);
    expect(JSON.parse(pod.metadata.annotations[KEY])[1].capabilities).toEqual(['NET_ADMIN']);
  });

  test('the array passed to the factory is copied', () => {
    const caps = ['NET_ADMIN'];
    const e = Exemption.addCapabilities(caps, REASON, { container: 'vpn' });
    caps.push('SYS_ADMIN');
    expect(e.capabilities).toEqual(['NET_ADMIN']);
  });

  test('from JavaScript, kind, container and reason cannot be reassigned', () => {
    const e = Exemption.runAsRoot(REASON, { container: 'init' });
    for (const [field, value] of [['container', undefined], ['kind', ExemptionKind.PRIVILEGED], ['reason', 'x']] as const) {
      try {
        (e as any)[field] = value;
      } catch { /* strict mode: a getter without a setter throws */ }
    }
    expect([e.kind, e.container, e.reason]).toEqual([ExemptionKind.RUN_AS_ROOT, 'init', REASON]);
    expect(JSON.stringify(e.toJson())).toBe(`{"id":"runAsRoot","container":"init","reason":"${REASON}"}`);
  });

  test('changing the exemptions array after construction changes nothing', () => {
    const exemptions = [Exemption.runAsRoot(REASON)];
    const pod = synthPod(chart => {
      new HardenedPod(chart, 'app', { user: 0, exemptions, containers: [{ name: 'app', image: 'app' }] });
      exemptions.push(Exemption.privileged(REASON));
    });
    expect(container(pod, 'app').securityContext.privileged).toBe(false);
    expect(JSON.parse(pod.metadata.annotations[KEY]).map((x: any) => x.id)).toEqual(['runAsRoot']);
  });

  test('a look-alike object is not an exemption', () => {
    const message = (() => {
      try {
        new HardenedPod(Testing.chart(), 'app', {
          user: 0,
          exemptions: [{ kind: 'runAsRoot', reason: REASON, container: undefined } as any],
          containers: [{ name: 'app', image: 'app' }],
        });
      } catch (e) {
        return (e as Error).message;
      }
      return 'constructed';
    })();
    expect(message).toContain('props.exemptions[0]: not an Exemption. Fix: make it with the Exemption factories');
  });
});

describe('synthesis verifies the emitted annotation against what was declared', () => {
  test('an annotation forged with podMetadata.addAnnotation fails synthesis', () => {
    const message = synthError(chart => {
      const pod = new HardenedPod(chart, 'app', { user: 1000, containers: [{ name: 'app', image: 'app' }] });
      pod.podMetadata.addAnnotation(KEY, JSON.stringify([{ id: 'runAsRoot', container: null, reason: REASON }]));
    });
    expect(message).toContain(`pod template annotation ${KEY} is`);
    expect(message).toContain('was changed after construction');
  });

  test('erasing a real exemption with a JSON patch fails synthesis, though the weakening stays', () => {
    const message = synthError(chart => {
      const pod = vpn(chart, [Exemption.addCapabilities(['NET_ADMIN'], REASON, { container: 'vpn' })]);
      ApiObject.of(pod).addJsonPatch(JsonPatch.replace(`/metadata/annotations/${KEY.replace('/', '~1')}`, '[]'));
    });
    expect(message).toContain('was changed after construction');
  });
});

describe('synthesis verifies the rootless rules, not only Pod Security', () => {
  const app = (chart: Chart) => new HardenedPod(chart, 'app', { user: 1000, containers: [{ name: 'app', image: 'app' }] });

  test.each([
    ['readOnlyRootFilesystem: false', '/spec/containers/0/securityContext/readOnlyRootFilesystem', false, 'rootless rule readOnlyRootFilesystem'],
    ['automountServiceAccountToken: true', '/spec/automountServiceAccountToken', true, 'rootless rule serviceAccountToken'],
  ])('a patch to %s fails synthesis', (_, path, value, expected) => {
    const message = synthError(chart => ApiObject.of(app(chart)).addJsonPatch(JsonPatch.replace(path, value)));
    expect(message).toContain(expected);
    expect(message).toContain('no exemption covers it');
  });

  test('a patch that removes runAsNonRoot from a container fails synthesis', () => {
    const message = synthError(chart => ApiObject.of(app(chart)).addJsonPatch(JsonPatch.remove('/spec/containers/0/securityContext/runAsNonRoot')));
    expect(message).toContain('container "app": securityContext.runAsNonRoot is not set explicitly');
  });

  test('a service-account token Secret mounted at the token path through the typed API fails synthesis', () => {
    const message = synthError(chart => {
      const pod = app(chart);
      const token = new kplus.ServiceAccountTokenSecret(chart, 'token', { serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'default') });
      pod.containers[0].mount(SERVICE_ACCOUNT_TOKEN_PATH, kplus.Volume.fromSecret(chart, 'token-volume', token));
    });
    expect(message).toContain(`where it can reach the token path ${SERVICE_ACCOUNT_TOKEN_PATH}`);
    expect(message).toContain('Exemption.serviceAccountToken(reason)');
  });

  test('with their exemptions the same settings pass, and the pod stays restricted', () => {
    const pod = synthPod(chart => new HardenedPod(chart, 'app', {
      user: 1000,
      exemptions: [Exemption.serviceAccountToken(REASON), Exemption.writableRootFilesystem(REASON, { container: 'app' })],
      containers: [{ name: 'app', image: 'app' }],
    }));
    expect(pod.spec.automountServiceAccountToken).toBe(true);
    expect(container(pod, 'app').securityContext.readOnlyRootFilesystem).toBe(false);
    expect(pod.metadata.annotations[RootlessAnnotations.PSS_LEVEL]).toBe('restricted');
  });

  test('a "<<" key in the emitted object fails synthesis (kubectl would merge it)', () => {
    const message = synthError(chart => app(chart).podMetadata.addAnnotation('<<', 'x'));
    expect(message).toContain('metadata.annotations.<<: a "<<" key is a merge key');
  });
});

describe('RestrictedNamespace verifies what it emits', () => {
  const ns = (chart: Chart, name = 'apps') => new RestrictedNamespace(chart, 'ns', { metadata: { name } });

  test('a label overwritten with metadata.addLabel fails synthesis', () => {
    const message = synthError(chart => ns(chart).metadata.addLabel('pod-security.kubernetes.io/enforce', 'privileged'));
    expect(message).toContain('label pod-security.kubernetes.io/enforce is "privileged" in the synthesized Namespace, but the construct sets "restricted"');
  });

  test('a label patched or added fails synthesis', () => {
    expect(synthError(chart => ApiObject.of(ns(chart)).addJsonPatch(JsonPatch.replace('/metadata/labels/pod-security.kubernetes.io~1warn-version', 'v1.0'))))
      .toContain('label pod-security.kubernetes.io/warn-version is "v1.0"');
    expect(synthError(chart => ns(chart).metadata.addLabel('pod-security.kubernetes.io/exempt', 'true')))
      .toContain('label pod-security.kubernetes.io/exempt is "true" in the synthesized Namespace, but the construct sets no such label');
  });

  const rootPod = (chart: Chart, metadata: any) => new ApiObject(chart, 'raw', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { containers: [{ name: 'app', image: 'app', securityContext: { runAsUser: 0 } }] },
  });

  test('a "<<" key in a raw object\'s metadata is reported instead of moving the object out of the check', () => {
    const message = synthError(chart => {
      ns(chart);
      rootPod(chart, { 'name': 'sneaky', '<<': { namespace: 'apps' } });
    });
    expect(message).toContain('has "<<" keys (metadata.<<)');
  });

  test('a namespace named default checks objects without a namespace', () => {
    const message = synthError(chart => {
      ns(chart, 'default');
      rootPod(chart, { name: 'rooted' });
    });
    expect(message).toContain('it would reject Pod "rooted"');
    // the same pod in a chart whose namespace is another one is not this namespace's business
    const chart = Testing.chart();
    ns(chart, 'apps');
    rootPod(chart, { name: 'rooted' });
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});

describe('the reason rule', () => {
  test.each([
    ['TODO: fix this later', 'placeholder'],
    ['FIXME before the release, please', 'placeholder'],
    ['none needed really, trust me', 'placeholder'],
    ['n/a for this workload anyway', 'placeholder'],
    ["TODO: explain why container 'app' runs as root", 'placeholder'],
    ['\u200b'.repeat(10) + 'abc', 'is not a reason'],
    ['\ufeff          abc', 'is not a reason'],
    ['1234567890', 'is not a reason'],
    ['needs "root" to chown the volume', 'double quote'],
    ['needs root to chown\nthe volume', 'control character'],
  ])('%j is refused (%s)', (reason, problem) => {
    expect(reasonProblem(reason)).toContain(problem);
    expect(() => new HardenedPod(Testing.chart(), 'app', { user: 0, exemptions: [Exemption.runAsRoot(reason)], containers: [{ name: 'app', image: 'app' }] }))
      .toThrow(problem);
  });

  test.each([
    ['the image writes its pid file to /run'],
    ['アプリがルート権限を必要とするため'],
    ['Το image γράφει στο /run κατά την εκκίνηση'],
    ['todolist service needs it: xxxl fonts'],
  ])('%j is a reason', reason => {
    expect(reasonProblem(reason)).toBeUndefined();
  });

  test('lengths count code points that are not whitespace or format characters, as CEL size() does', () => {
    expect(reasonProblem('𝔞𝔟𝔠𝔡𝔢𝔣𝔤𝔥𝔦')).toBeDefined(); // 9 code points (18 UTF-16 units)
    expect(reasonProblem('𝔞𝔟𝔠𝔡𝔢𝔣𝔤𝔥𝔦𝔧')).toBeUndefined();
    expect(reasonProblem('abc d e f g h i j')).toBeUndefined();
    expect(reasonProblem('a b c d e f g h i j')).toContain('is not a reason'); // no word
    expect(reasonProblem('a\u200bb\u200bc\u200bd\u200be\u200bf\u200bg\u200bh\u200bi')).toBeDefined();
  });
});

describe('the annotation codec: one strict reader', () => {
  const valid = `[{"id":"runAsRoot","container":"init","reason":"${REASON}"}]`;

  test('the canonical form is read back exactly', () => {
    const values = [
      { kind: ExemptionKind.RUN_AS_ROOT, container: 'init', reason: REASON },
      { kind: ExemptionKind.ADD_CAPABILITIES, container: 'vpn', capabilities: ['NET_ADMIN'], reason: REASON },
      { kind: ExemptionKind.SECCOMP_LOCALHOST, profile: 'profiles/app.json', reason: REASON },
      { kind: ExemptionKind.HOST_PID, reason: REASON },
    ];
    const text = writeAnnotation(values);
    const read = readAnnotation(text);
    expect(read.problems).toEqual([]);
    expect(read.exemptions.map(({ index, ...e }) => e)).toEqual(values.map(v => ({ container: undefined, ...v })));
    expect(readAnnotation(valid).exemptions).toHaveLength(1);
    expect(readAnnotation('[]')).toEqual({ exemptions: [], problems: [] });
    expect(readAnnotation(undefined)).toEqual({ exemptions: [], problems: [] });
  });

  test.each([
    ['duplicate keys', `[{"id":"runAsRoot","container":"init","container":null,"reason":"${REASON}"}]`, '[0] is not in the canonical form'],
    ['\\u0020 escapes in the reason', `[{"id":"runAsRoot","container":null,"reason":"${'\\u0020'.repeat(12)}"}]`, '[0] (runAsRoot).reason'],
    ['escaped letters spelling a reason', `[{"id":"runAsRoot","container":null,"reason":"${'\\u0061'.repeat(12)}"}]`, '[0] is not in the canonical form'],
    ['a BOM', `\ufeff${valid}`, 'is not JSON'],
    ['harden\'s TODO placeholder', '[{"id":"runAsRoot","container":null,"reason":"TODO: explain why the pod runs as root"}]', 'is a placeholder'],
    ['no reason but a nested "reason" key', `[{"id":"runAsRoot","container":null,"extra":{"reason":"${REASON}"}}]`, 'unknown key "extra"'],
    ['truncated JSON', valid.slice(0, -3), 'is not JSON'],
    ['whitespace', valid.replace(',', ', '), 'is not in the canonical form'],
    ['another key order', `[{"container":"init","id":"runAsRoot","reason":"${REASON}"}]`, 'is not in the canonical form'],
    ['an unknown id', `[{"id":"runAsAdmin","container":null,"reason":"${REASON}"}]`, 'is not an exemption'],
    ['a container on a pod-only kind', `[{"id":"hostPID","container":"app","reason":"${REASON}"}]`, 'applies to the whole pod'],
    ['a container that is not a name', `[{"id":"runAsRoot","container":"App_1","reason":"${REASON}"}]`, 'is not a container name'],
    ['a wrong type', `[{"id":"runAsRoot","container":7,"reason":"${REASON}"}]`, 'is not a container name'],
    ['capabilities on another kind', `[{"id":"runAsRoot","container":null,"capabilities":["SYS_ADMIN"],"reason":"${REASON}"}]`, 'unknown key "capabilities"'],
    ['not an array', `{"id":"runAsRoot","container":null,"reason":"${REASON}"}`, 'is not a JSON array'],
  ])('%s: voided, and the problem names the entry', (_, text, problem) => {
    const read = readAnnotation(text);
    expect(read.exemptions).toEqual([]);
    expect(read.problems.join('\n')).toContain(problem);
    expect(read.problems.join('\n')).toContain('No exemption of the annotation is honoured');
  });

  test('one bad entry voids the whole annotation (fail closed)', () => {
    const text = `[{"id":"runAsRoot","container":"init","reason":"${REASON}"},{"id":"privileged","container":"app","reason":"TODO"}]`;
    const read = readAnnotation(text);
    expect(read.exemptions).toEqual([]);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toContain(`annotation ${KEY}[1] (privileged for container "app").reason`);
  });

  test('an annotation over the size limit is refused without being parsed', () => {
    const entries = Array.from({ length: 200 }, (_, i) => ({ kind: ExemptionKind.RUN_AS_ROOT, container: `c${i}`, reason: REASON }));
    expect(readAnnotation(writeAnnotation(entries)).problems[0]).toContain('is longer than 8192 characters');
  });

  test('property: the grammar (as the admission policy matches it) accepts exactly what the reader accepts, given valid reasons', () => {
    const grammar = new RegExp(annotationGrammar(), 'u');
    const canonical = fc.array(fc.record({
      kind: fc.constantFrom(ExemptionKind.RUN_AS_ROOT, ExemptionKind.HOST_PID, ExemptionKind.ADD_CAPABILITIES, ExemptionKind.SECCOMP_LOCALHOST),
      container: fc.option(fc.constantFrom('app', 'init', 'a-1'), { nil: undefined }),
      reason: fc.constantFrom(REASON, 'TODO later', 'short', 'needs the node network for metrics'),
    }), { maxLength: 3 }).map(list => writeAnnotation(list.map(e => ({
      ...e,
      ...(e.kind === ExemptionKind.HOST_PID ? { container: undefined } : {}),
      ...(e.kind === ExemptionKind.ADD_CAPABILITIES ? { capabilities: ['NET_ADMIN'] } : {}),
      ...(e.kind === ExemptionKind.SECCOMP_LOCALHOST ? { profile: 'p.json' } : {}),
    }))));
    const mutated = fc.tuple(canonical, fc.nat(), fc.constantFrom(' ', '"', '\\', '{', '}', ',', ':', 'x', '')).map(([s, at, ch]) => {
      const i = s.length === 0 ? 0 : at % s.length;
      return s.slice(0, i) + ch + s.slice(i + 1);
    });
    fc.assert(fc.property(fc.oneof(canonical, mutated), text => {
      const read = readAnnotation(text);
      const reasons = text.split('"reason":"').slice(1).map(p => p.split('"')[0]);
      const celVerdict = grammar.test(text) && reasons.every(r => reasonProblem(r) === undefined);
      expect(read.problems.length === 0).toBe(celVerdict);
    }), { numRuns: 2000 });
  });
});

describe('scope: an exemption relaxes only its container, and addCapabilities only its capabilities', () => {
  const statefulSetPod = (annotation: string, app: any) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db', annotations: { [KEY]: annotation } },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [{
        name: 'volume-permissions',
        image: 'busybox',
        securityContext: {
          runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['CHOWN'] },
        },
      }],
      containers: [{
        name: 'app',
        image: 'db',
        securityContext: {
          runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, ...app,
        },
      }],
    },
  });
  const annotation = writeAnnotation([
    { kind: ExemptionKind.RUN_AS_ROOT, container: 'volume-permissions', reason: REASON },
    { kind: ExemptionKind.ADD_CAPABILITIES, container: 'volume-permissions', capabilities: ['CHOWN'], reason: REASON },
  ]);

  test('the init container\'s declared exemptions cover it', () => {
    const pod = statefulSetPod(annotation, {});
    expect(PodSecurity.evaluate(pod).allowed).toBe(false);
    expect(judgeRootless(pod, declaredExemptions(pod).exemptions).allowed).toBe(true);
  });

  test.each([
    ['the app container edited to run as root', { runAsUser: 0, runAsNonRoot: false }, ['runAsNonRoot', 'runAsUser']],
    ['the app container adding CHOWN too', { capabilities: { drop: ['ALL'], add: ['CHOWN'] } }, ['capabilities_restricted']],
  ])('%s is not covered', (_, app, checks) => {
    const pod = statefulSetPod(annotation, app);
    expect(judgeRootless(pod, declaredExemptions(pod).exemptions).uncovered.violations.map(v => v.check)).toEqual(checks);
  });

  test('NET_ADMIN declared does not cover SYS_ADMIN on the same container', () => {
    const pod = statefulSetPod(writeAnnotation([
      { kind: ExemptionKind.RUN_AS_ROOT, container: 'volume-permissions', reason: REASON },
      { kind: ExemptionKind.ADD_CAPABILITIES, container: 'volume-permissions', capabilities: ['NET_ADMIN'], reason: REASON },
    ]), {});
    (pod.spec.initContainers[0].securityContext.capabilities.add as string[]).push('NET_ADMIN', 'SYS_ADMIN');
    pod.spec.initContainers[0].securityContext.capabilities.add = ['NET_ADMIN', 'SYS_ADMIN'];
    const reverted = revertExemptions(pod, declaredExemptions(pod).exemptions);
    expect(reverted.spec.initContainers[0].securityContext.capabilities.add).toEqual(['SYS_ADMIN']);
    expect(judgeRootless(pod, declaredExemptions(pod).exemptions).allowed).toBe(false);
  });

  test('a privilegeEscalation exemption does not cover privileged: true', () => {
    const pod = statefulSetPod(writeAnnotation([{ kind: ExemptionKind.PRIVILEGE_ESCALATION, container: 'app', reason: REASON }]),
      { privileged: true, allowPrivilegeEscalation: true });
    pod.spec.initContainers = [];
    expect(judgeRootless(pod, declaredExemptions(pod).exemptions).uncovered.violations.map(v => v.check)).toEqual(['privileged']);
  });
});

describe('the registry of exemption kinds', () => {
  test('every kind is registered once, with every facet its scope needs', () => {
    expect(EXEMPTION_KINDS.map(k => k.id).sort()).toEqual(Object.values(ExemptionKind).sort());
    for (const k of EXEMPTION_KINDS) {
      expect(k.hint).toMatch(/Exemption\./);
      expect(k.fields.length).toBeGreaterThan(0);
      if (k.podOnly) expect(k.revertPod).toBeDefined();
      else expect(k.revertContainer).toBeDefined();
    }
  });

  test('every restricted check is relaxed by some kind or documented as never exemptable', () => {
    const relaxed = new Set(EXEMPTION_KINDS.flatMap(k => k.relaxes));
    for (const c of PodSecurity.checks()) {
      expect([c.id, relaxed.has(c.id) || c.id in NEVER_EXEMPTABLE]).toEqual([c.id, true]);
    }
  });

  test('every kind that relaxes something says how harden detects it, and what it relaxes in CEL', () => {
    for (const k of EXEMPTION_KINDS) {
      expect([k.id, typeof k.cel]).toEqual([k.id, 'object']);
      if (k.relaxes.length > 0) expect([k.id, typeof k.detect]).toEqual([k.id, 'function']);
    }
    const noDetect = EXEMPTION_KINDS.map(k => k.id === ExemptionKind.HOST_PID ? { ...k, detect: undefined } : k);
    expect(() => validateExemptionKinds(noDetect)).toThrow('kind "hostPID" relaxes checks but does not say how harden detects');
  });

  test('a broken registry is refused when it loads', () => {
    const without = EXEMPTION_KINDS.filter(k => k.id !== ExemptionKind.HOST_PID);
    expect(() => validateExemptionKinds(without)).toThrow('kind "hostPID" is registered 0 times');
    const unknown = EXEMPTION_KINDS.map(k => k.id === ExemptionKind.HOST_PID ? { ...k, relaxes: ['hostPid'] } : k);
    expect(() => validateExemptionKinds(unknown)).toThrow('relaxes "hostPid", which is neither a Pod Security check nor a rootless rule');
    const scoped = EXEMPTION_KINDS.map(k => k.id === ExemptionKind.HOST_PATH ? { ...k, revertContainer: () => undefined } : k);
    expect(() => validateExemptionKinds(scoped)).toThrow('is pod-only but acts on containers');
  });

  test('each kind reverts exactly what it applies: a pod with only that weakening is restricted again', () => {
    for (const k of EXEMPTION_KINDS) {
      // hostPath adds no volume of its own; seccompLocalhost relaxes nothing the profile forbids
      if (k.id === ExemptionKind.HOST_PATH || k.relaxes.length === 0) continue;
      const exemption = k.id === ExemptionKind.ADD_CAPABILITIES
        ? Exemption.addCapabilities(['NET_ADMIN'], REASON, { container: 'app' })
        : (Exemption as any)[k.id](REASON) as Exemption;
      const root = k.id === ExemptionKind.RUN_AS_ROOT || k.id === ExemptionKind.ADD_CAPABILITIES;
      const pod = synthPod(chart => new HardenedPod(chart, 'p', {
        user: root ? 0 : 1000,
        exemptions: [exemption, ...k.id === ExemptionKind.ADD_CAPABILITIES ? [Exemption.runAsRoot(REASON)] : []],
        containers: [{ name: 'app', image: 'app' }],
      }));
      const declared = declaredExemptions(pod);
      expect([k.id, declared.problems]).toEqual([k.id, []]);
      expect([k.id, judgeRootless(pod, declared.exemptions).allowed]).toEqual([k.id, true]);
      expect([k.id, judgeRootless(pod, []).allowed]).toEqual([k.id, false]);
    }
  });
});

test('a pod-level level annotation is computed, not declared', () => {
  const pod = synthPod(chart => vpn(chart, []));
  expect(pod.metadata.annotations[RootlessAnnotations.PSS_LEVEL]).toBe(PolicyLevel.BASELINE);
});
