/**
 * Red team of the one verifier (lib/constructs/internal/output-verifier.ts; issue 23 point 3, issue 24 point 3): attacks a
 * cdk8s user can make to get a weakened manifest written without an error, or a wrong or placeholder
 * level written. Findings V1–V4 in test/redteam/FINDINGS.md ("One verifier"); each failed before its fix.
 * The attacks that held are kept below as regression tests.
 */
import { ApiObject, App, Chart, Cron, IResolver, JsonPatch, Lazy, ResolutionContext, Size, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { synthesize, writtenProblems, REASON } from './helpers';
import { Exemption, HardeningNotes, RootlessHardening } from '../../lib';
import { RootlessCronJob, RootlessDeployment, RootlessStatefulSet, VolumePermissions } from '../../lib/constructs/plus';
import { LEVEL_PLACEHOLDER, RootlessAnnotations } from '../../lib/hardening/annotations';
import { PodSecurity } from '../../lib/policy';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

const IMAGE = 'registry.example/app:1';
const LEVEL = RootlessAnnotations.PSS_LEVEL;

function web(scope: Construct, id = 'web'): RootlessDeployment {
  return new RootlessDeployment(scope, id, { user: 1000, containers: [{ name: 'app', image: IMAGE, portNumber: 8080 }] });
}

/** A redis StatefulSet given another UID than its image's: a note that needs a human (construct-notes.test.ts). */
function redis(scope: Construct, notes: HardeningNotes): RootlessStatefulSet {
  return new RootlessStatefulSet(scope, 'redis', {
    user: 1001,
    notes,
    volumePermissions: VolumePermissions.FS_GROUP_ONLY,
    volumeClaimTemplates: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(1) }],
    containers: [{ name: 'redis', image: 'redis:7-alpine', portNumber: 6379 }],
  });
}

const HOST_PID = JsonPatch.add('/spec/template/spec/hostPid', true); // cdk8s-plus' spelling: KubeDeployment maps it to hostPID

/** A construct whose validation runs `act` once (cdk8s validates again per chart in app.synth()). */
function inValidation(scope: Construct, id: string, act: () => void): void {
  let done = false;
  new Construct(scope, id).node.addValidation({ validate: () => { if (!done) { done = true; act(); } return []; } });
}

function placeholders(value: unknown): number {
  return JSON.stringify(value).split(JSON.stringify(LEVEL_PLACEHOLDER)).length - 1;
}

describe('findings (each failed before its fix)', () => {
  test('V1 a construct created in another construct\'s validation and weakened is not written (Testing.synth validates once)', () => {
    const r = synthesize(chart => inValidation(chart, 'maker', () => ApiObject.of(web(chart, 'late')).addJsonPatch(HOST_PID)));
    expect(r.error).toMatch(/\[test\/late\] .*hostPID/);
  });

  test('V1 its notes with HardeningNotes.FAIL fail synthesis too', () => {
    const r = synthesize(chart => inValidation(chart, 'maker', () => redis(chart, HardeningNotes.FAIL)));
    expect(r.error).toMatch(/\[test\/redis\] .*\[user\].*HardeningNotes\.FAIL/);
  });

  test('V2 toJson replaced in a later validation (after the verifier\'s validation ran) fails, naming the path and the fix', () => {
    const r = synthesize(chart => {
      const obj = ApiObject.of(web(chart));
      inValidation(chart, 'late', () => {
        const verified = obj.toJson;
        obj.toJson = () => ({ ...verified.call(obj), weakened: true });
      });
    });
    expect(r.error).toMatch(/toJson\(\) of test\/web\/Resource cannot be replaced.*Fix:/);
  });

  test('V2 toJson redefined by a getter that answers the verifier\'s own only during validation cannot be installed', () => {
    const chart = Testing.chart();
    const obj = ApiObject.of(web(chart));
    const verified = obj.toJson;
    expect(() => Object.defineProperty(obj, 'toJson', { get: () => verified })).toThrow(/toJson/);
    expect(() => { delete (obj as any).toJson; }).toThrow(/toJson/);
    expect(() => Reflect.set(obj, 'toJson', () => ({}))).toThrow(/cannot be replaced/);
    expect(obj.toJson).toBe(verified);
  });

  test('V2 applyTo\'s objects likewise, once adopted (a later validation replaces the toJson of an adopted kplus Deployment)', () => {
    const r = synthesize(chart => {
      const d = new kplus.Deployment(chart, 'k', { securityContext: { user: 1000 }, containers: [{ image: IMAGE, portNumber: 8080 }] });
      RootlessHardening.applyTo(chart);
      inValidation(chart, 'late', () => {
        const obj = ApiObject.of(d);
        const verified = obj.toJson;
        obj.toJson = () => { const j = verified.call(obj); j.spec.template.spec.hostPID = true; return j; };
      });
    });
    expect(r.error).toMatch(/toJson\(\) of test\/k\/Resource cannot be replaced/);
  });

  test('V3 a direct toJson() of a weakened construct (Yaml.stringify of it, before any synthesis) throws, naming the construct', () => {
    const chart = Testing.chart();
    const d = web(chart);
    ApiObject.of(d).addJsonPatch(HOST_PID);
    expect(() => Yaml.stringify(ApiObject.of(d).toJson())).toThrow(/\[test\/web\] .*hostPID/);
  });

  test('V3 toJson twice: a Lazy that weakens the object on the second render is caught on that render', () => {
    const chart = Testing.chart();
    const obj = ApiObject.of(web(chart));
    let renders = 0;
    obj.metadata.addAnnotation('x', Lazy.any({ produce: () => { if (++renders === 2) obj.addJsonPatch(HOST_PID); return 'y'; } }) as any);
    const first = obj.toJson();
    expect(podTemplateOf(first)!.metadata.annotations[LEVEL]).toBe('restricted');
    expect(() => obj.toJson()).toThrow(/\[test\/web\] .*hostPID/);
  });

  test('V4 a copy of the template\'s annotations onto the object\'s own metadata carries the level, not the placeholder', () => {
    const r = synthesize(chart => {
      ApiObject.of(web(chart)).addJsonPatch(JsonPatch.copy('/spec/template/metadata/annotations', '/metadata/annotations'));
    });
    expect(r.error).toBeUndefined();
    expect(placeholders(r.docs)).toBe(0);
    expect(r.docs![0].metadata.annotations[LEVEL]).toBe('restricted');
  });

  test('V4 a RootlessCronJob whose template annotations are copied to its jobTemplate metadata: the level there too', () => {
    const r = synthesize(chart => {
      const c = new RootlessCronJob(chart, 'cron', { user: 1000, schedule: Cron.daily(), containers: [{ name: 'app', image: IMAGE }] });
      ApiObject.of(c).addJsonPatch(JsonPatch.add('/spec/jobTemplate/metadata', {}),
        JsonPatch.copy('/spec/jobTemplate/spec/template/metadata/annotations', '/spec/jobTemplate/metadata/annotations'));
    });
    expect(r.error).toBeUndefined();
    expect(placeholders(r.docs)).toBe(0);
    expect(r.docs![0].spec.jobTemplate.metadata.annotations[LEVEL]).toBe('restricted');
  });
});

describe('held', () => {
  test('a Lazy that adds a weakening patch while it resolves: the patch is in the render that is verified', () => {
    const r = synthesize(chart => {
      const obj = ApiObject.of(web(chart));
      obj.metadata.addAnnotation('x', Lazy.any({ produce: () => { obj.addJsonPatch(HOST_PID); return 'y'; } }) as any);
    });
    expect(r.error).toMatch(/\[test\/web\] .*hostPID/);
  });

  test('a custom IResolver (App resolvers) that weakens at resolve time fails app.synthYaml() and Testing.synth()', () => {
    class Weaken implements IResolver {
      public resolve(ctx: ResolutionContext): void {
        if (ctx.key[ctx.key.length - 1] === 'allowPrivilegeEscalation' && ctx.value === false) ctx.replaceValue(true);
      }
    }
    for (const run of [(app: App) => app.synthYaml(), (app: App) => Testing.synth(app.charts[0])]) {
      const app = new App({ resolvers: [new Weaken()] });
      web(new Chart(app, 'c'));
      expect(() => run(app)).toThrow(/\[c\/web\] .*allowPrivilegeEscalation/);
    }
  });

  test('patches that move the template, remove the exemptions annotation or rewrite the level fail', () => {
    const patches = [
      JsonPatch.move('/spec/template', '/spec/moved'),
      JsonPatch.remove('/spec/template/metadata/annotations/rootless.cdk8s.io~1exemptions'),
      JsonPatch.remove('/spec/template/metadata/annotations/rootless.cdk8s.io~1pss-level'),
      JsonPatch.replace('/spec/template/metadata/annotations/rootless.cdk8s.io~1pss-level', 'restricted'), // the pod is privileged (hostNetwork)
      JsonPatch.copy('/spec/template/spec/containers/0', '/spec/template/spec/initContainers'),
    ];
    for (const p of patches) {
      const r = synthesize(chart => {
        const d = new RootlessDeployment(chart, 'web', { user: 1000, exemptions: [Exemption.hostNetwork(REASON)], containers: [{ name: 'app', image: IMAGE, portNumber: 8080 }] });
        ApiObject.of(d).addJsonPatch(p);
      });
      expect([p, r.error]).toEqual([p, expect.stringMatching(/\[test\/web\] /)]);
    }
  });

  test('CDK8S_DISABLE_SORT: a weakening patch still fails', () => {
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      expect(synthesize(chart => ApiObject.of(web(chart)).addJsonPatch(HOST_PID)).error).toMatch(/hostPID/);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('a nested chart: Testing.synth of the child fails on its weakened object (the parent does not write it)', () => {
    const app = Testing.app();
    const parent = new Chart(app, 'p');
    ApiObject.of(web(new Chart(parent, 'c'))).addJsonPatch(HOST_PID);
    expect(Testing.synth(parent)).toEqual([]);
    expect(() => Testing.synth(parent.node.findChild('c') as Chart)).toThrow(/\[p\/c\/web\] .*hostPID/);
  });

  test('toJson twice without change: identical results, each with the verified level', () => {
    const chart = Testing.chart();
    const obj = ApiObject.of(web(chart));
    const [a, b] = [obj.toJson(), obj.toJson()];
    expect(b).toEqual(a);
    expect(podTemplateOf(a)!.metadata.annotations[LEVEL]).toBe(PodSecurity.strictestLevel(a));
  });

  test('applyTo on an app with constructs, applyTo twice: one verifier per object, all written at their level', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    web(chart);
    new kplus.Deployment(chart, 'k', { securityContext: { user: 1000 }, containers: [{ image: IMAGE, portNumber: 8080 }] });
    RootlessHardening.applyTo(app);
    RootlessHardening.applyTo(chart);
    RootlessHardening.applyTo(app);
    const docs = Testing.synth(chart);
    expect(docs.map(d => podTemplateOf(d)!.metadata.annotations[LEVEL])).toEqual(['restricted', 'restricted']);
    expect(writtenProblems(docs)).toEqual([]);
  });

  test('escaping the facet: kplus addContainer and attachContainer called on the base class, addVolume of a hostPath', () => {
    const privileged = { privileged: true, user: 0, ensureNonRoot: false };
    const add = synthesize(chart => {
      kplus.Deployment.prototype.addContainer.call(web(chart), { name: 'evil', image: IMAGE, securityContext: privileged });
    });
    expect(add.error).toMatch(/containers\[evil\]\.user: 0 runs the container as root/);
    const facet = synthesize(chart => web(chart).hardening.addContainer({ name: 'evil', image: IMAGE, securityContext: privileged } as any));
    expect(facet.error).toMatch(/containers\[evil\]\.user: 0 runs the container as root/);
    // attached through the base class, the container is not registered, but the pod spec is hardened as a whole
    const attach = synthesize(chart => {
      kplus.Deployment.prototype.attachContainer.call(web(chart), new kplus.Container({ name: 'evil', image: IMAGE, securityContext: privileged }));
    });
    expect(attach.error).toBeUndefined();
    expect(writtenProblems(attach.docs!)).toEqual([]);
    expect(attach.docs![0].spec.template.spec.containers[1].securityContext).toMatchObject({ privileged: false, runAsNonRoot: true });
    const volume = synthesize(chart => web(chart).addVolume(kplus.Volume.fromHostPath(chart, 'hp', 'hp', { path: '/' })));
    expect(volume.error).toMatch(/\[test\/web\] .*hostPath/);
  });

  test('notes: FAIL fails synthesis; NONE and PRINT write no note into the manifests', () => {
    expect(synthesize(chart => redis(chart, HardeningNotes.FAIL)).error).toMatch(/\[test\/redis\] \[user\]/);
    for (const notes of [HardeningNotes.NONE, HardeningNotes.PRINT]) {
      const r = synthesize(chart => redis(chart, notes));
      expect(JSON.stringify(r.docs)).not.toMatch(/redis-alpine image|need a human|rootless\.cdk8s\.io\/note/);
    }
  });

  test('ApiObject.prototype.toJson.call bypasses the verifier from the public surface, and says so: the level it carries is the placeholder', () => {
    // nothing in cdk8s (App.synth, synthYaml, _synthChart) or cdk8s-plus calls it so; one-render.test.ts counts cdk8s' calls
    const chart = Testing.chart();
    const raw = ApiObject.prototype.toJson.call(ApiObject.of(web(chart)));
    expect(podTemplateOf(raw)!.metadata.annotations[LEVEL]).toBe(LEVEL_PLACEHOLDER);
  });
});
