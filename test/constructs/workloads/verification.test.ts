import { ApiObject, Chart, JsonPatch, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { level, one, podSpec } from './util';
import { RootlessAnnotations } from '../../../lib';
import { HardenedPod } from '../../../lib/constructs/plus/hardened-pod';
import { RootlessDeployment } from '../../../lib/constructs/plus/rootless-deployment';
import * as verifyStage from '../../../lib/hardening/verify';
import { PodSecurity } from '../../../lib/policy';

/**
 * The synthesis-time verification is done once per synthesis, in the construct's validation, on the
 * final manifest as cdk8s serializes it (ApiObject.of(x).toJson(): patches and resolvers included).
 */
describe('verification of the emitted manifest', () => {
  let spy: jest.SpyInstance;
  beforeEach(() => { spy = jest.spyOn(verifyStage, 'verifyConstruct'); });
  afterEach(() => spy.mockRestore());

  test('one verification per workload and synthesis; the emitted manifest is the one verified', () => {
    const chart = Testing.chart();
    new RootlessDeployment(chart, 'a', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] });
    new RootlessDeployment(chart, 'b', { user: 1000, containers: [{ image: 'b:1', portNumber: 8080 }] });
    const manifests = Testing.synth(chart);
    expect(spy).toHaveBeenCalledTimes(2);
    for (const m of manifests) expect(level(m)).toBe(PodSecurity.strictestLevel(m));
  });

  test('a change between two syntheses is verified by the next one, and a violation fails it', () => {
    const chart = Testing.chart();
    const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] });
    expect(level(one(Testing.synth(chart), 'Deployment'))).toBe('restricted');
    d.containers[0].addPort({ number: 8443, hostPort: 8443 });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\].*hostPort/s);
  });

  test('a weakening JSON patch is caught (validation verifies the real manifest when there are patches)', () => {
    const chart = Testing.chart();
    const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] });
    ApiObject.of(d).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/privileged', true));
    expect(() => Testing.synth(chart)).toThrow(/privileged/);
  });

  test('a harmless JSON patch is emitted, and the level is computed from the patched manifest', () => {
    const chart = Testing.chart();
    const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] });
    ApiObject.of(d).addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'high'));
    const m = one(Testing.synth(chart), 'Deployment');
    expect(podSpec(m).priorityClassName).toBe('high');
    expect(level(m)).toBe('restricted');
  });

  test('a Lazy value in the spec is produced, and the emitted manifest is verified', () => {
    const chart = Testing.chart();
    new RootlessDeployment(chart, 'web', {
      user: 1000,
      containers: [{ image: 'a:1', portNumber: 8080, envVariables: { A: kplus.EnvValue.fromValue(Lazy.any({ produce: () => 'x' }) as any) } }],
    });
    const m = one(Testing.synth(chart), 'Deployment');
    expect(podSpec(m).containers[0].env).toEqual([{ name: 'A', value: 'x' }]);
    expect(level(m)).toBe('restricted');
  });

  test('direct ApiObject.toJson (no validation) is verified and annotated, and throws what synthesis would (FINDINGS V3)', () => {
    const chart = Testing.chart();
    const ok = new HardenedPod(chart, 'ok', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] });
    expect(ApiObject.of(ok).toJson().metadata.annotations[RootlessAnnotations.PSS_LEVEL]).toBe('restricted');
    const pod = new HardenedPod(chart, 'p', { user: 1000, containers: [{ image: 'a:1', portNumber: 80 }] });
    expect(() => ApiObject.of(pod).toJson()).toThrow(/\[test\/p\] .*port 80 is below 1024/);
    expect(() => Testing.synth(chart)).toThrow(/port 80 is below 1024/);
  });

  test('annotations stay sorted like cdk8s sorts them', () => {
    const chart = Testing.chart();
    new RootlessDeployment(chart, 'web', {
      user: 1000, podMetadata: { annotations: { 'a.example/x': '1', 'z.example/y': '2' } }, containers: [{ image: 'a:1', portNumber: 8080 }],
    });
    const keys = Object.keys(one(Testing.synth(chart), 'Deployment').spec.template.metadata.annotations);
    expect(keys).toEqual(['a.example/x', RootlessAnnotations.EXEMPTIONS, RootlessAnnotations.PSS_LEVEL, 'z.example/y']);
  });

  test('with CDK8S_DISABLE_SORT, the level annotation follows the exemptions annotation', () => {
    const chart = Testing.chart();
    new RootlessDeployment(chart, 'web', {
      user: 1000, podMetadata: { annotations: { 'rootless.cdk8s.io/extra': '2' } }, containers: [{ image: 'a:1', portNumber: 8080 }],
    });
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const keys = Object.keys(one(Testing.synth(chart), 'Deployment').spec.template.metadata.annotations);
      // cdk8s' own order (the construct adds its annotations; cdk8s serializes them): nothing is re-sorted by the library
      expect(keys).toEqual([RootlessAnnotations.EXEMPTIONS, 'rootless.cdk8s.io/extra', RootlessAnnotations.PSS_LEVEL]);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('Lazy pod metadata: one verification, and the emitted values are produced', () => {
    const chart = Testing.chart();
    const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] });
    d.podMetadata.addAnnotation('a.example/x', Lazy.any({ produce: () => 'x' }) as unknown as string);
    d.podMetadata.addLabel('tier', Lazy.any({ produce: () => 'web' }) as unknown as string);
    const m = one(Testing.synth(chart), 'Deployment');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(m.spec.template.metadata.annotations['a.example/x']).toBe('x');
    expect(m.spec.template.metadata.labels.tier).toBe('web');
    expect(level(m)).toBe('restricted');
  });
});

describe('a level annotation set after construction does not replace the verification', () => {
  test('a restricted lie on a privileged pod fails synthesis, naming the annotation', () => {
    const chart = new Chart(Testing.app(), 'lie');
    const d = new RootlessDeployment(chart, 'web', {
      user: 1000,
      containers: [{ name: 'app', image: 'registry.example.com/app:1' }],
    });
    // weaken it and cover the lie: the level's Lazy (which verifies) is replaced by a static string
    d.podMetadata.addAnnotation(RootlessAnnotations.PSS_LEVEL, 'restricted');
    ApiObject.of(d).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/privileged', true));
    expect(() => Testing.synth(chart)).toThrow(/\[lie\/web\][\s\S]*privileged/);
  });

  test('a wrong level without any weakening fails too, naming the annotation', () => {
    const chart = new Chart(Testing.app(), 'lie');
    const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ name: 'app', image: 'registry.example.com/app:1' }] });
    d.podMetadata.addAnnotation(RootlessAnnotations.PSS_LEVEL, 'baseline');
    expect(() => Testing.synth(chart)).toThrow('pod template annotation rootless.cdk8s.io/pss-level is "baseline", but the pod is restricted');
  });

  test('the hook writes nothing', () => {
    const chart = new Chart(Testing.app(), 'ok');
    new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ name: 'app', image: 'registry.example.com/app:1' }] });
    const [d] = Testing.synth(chart);
    expect(Object.keys(d.spec.template.metadata.annotations)).toEqual([RootlessAnnotations.EXEMPTIONS, RootlessAnnotations.PSS_LEVEL]);
  });
});
