import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { one, podSpec } from './util';
import { RootlessHardening } from '../../../lib';
import { RootlessDeployment } from '../../../lib/constructs/plus/rootless-deployment';

/** Synthesis verifies that the API server would accept what is emitted (lib/policy/schema), as its own finding. */
describe('synthesis: valid as the API server validates', () => {
  const web = () => {
    const chart = Testing.chart();
    const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] });
    return { chart, d };
  };

  test('the hardened output is valid', () => {
    const { chart } = web();
    expect(one(Testing.synth(chart), 'Deployment').kind).toBe('Deployment');
  });

  test('cdk8s-plus-27 filters unknown fields out of its own objects: a container-only field patched in at pod level is not emitted', () => {
    const { chart, d } = web();
    ApiObject.of(d).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/allowPrivilegeEscalation', false));
    expect(podSpec(one(Testing.synth(chart), 'Deployment')).securityContext.allowPrivilegeEscalation).toBeUndefined();
  });

  test('a container-only field at pod level of an object applyTo adopts fails synthesis, naming the path and the fix', () => {
    const chart = new Chart(Testing.app(), 'shop');
    new ApiObject(chart, 'debug', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug' },
      spec: { securityContext: { privileged: false }, containers: [{ name: 'app', image: 'registry.example.com/app:1' }] },
    } as any);
    RootlessHardening.applyTo(chart, { user: 10001 });
    expect(() => Testing.synth(chart)).toThrow(/\[shop\/debug\].*invalid: the API server would reject the synthesized object: strict decoding error: unknown field "spec\.securityContext\.privileged".*Move privileged into the securityContext of each container/s);
  });

  test('a runAsUser above 2147483647 fails synthesis', () => {
    const { chart, d } = web();
    ApiObject.of(d).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/runAsUser', 4294967296));
    expect(() => Testing.synth(chart)).toThrow(/invalid: .*runAsUser: Invalid value: 4294967296: must be between 0 and 2147483647/s);
  });

  test('a volumeMount naming no volume fails synthesis', () => {
    const { chart, d } = web();
    ApiObject.of(d).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'nothing', mountPath: '/x' }));
    expect(() => Testing.synth(chart)).toThrow(/invalid: .*volumeMounts\[\d+\]\.name: Not found: "nothing"/s);
  });

  test('a misspelt field of a raw object fails synthesis', () => {
    const chart = new Chart(Testing.app(), 'shop');
    new ApiObject(chart, 'debug', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug' },
      spec: { hostNetwrok: false, containers: [{ name: 'app', image: 'registry.example.com/app:1' }] },
    } as any);
    RootlessHardening.applyTo(chart, { user: 10001 });
    expect(() => Testing.synth(chart)).toThrow(/unknown field "spec\.hostNetwrok"/);
  });
});
