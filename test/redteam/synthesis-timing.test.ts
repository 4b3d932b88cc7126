/**
 * Red team (test/redteam/FINDINGS.md, "Synthesis timing"): what cdk8s writes must be what the
 * construct verified. cdk8s runs every validation first and serializes afterwards, rendering each
 * object again; anything that changes the pod between the two renders is written unverified.
 */
import { ApiObject, Chart, JsonPatch, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { REASON, expectRefusedOrSound, synthesize, writtenProblems } from './helpers';
import { RootlessAnnotations } from '../../lib';
import { RootlessDeployment } from '../../lib/constructs/plus';

const KEY = RootlessAnnotations.EXEMPTIONS;
const web = (scope: Construct) => new RootlessDeployment(scope, 'web', {
  user: 1000,
  containers: [{ name: 'app', image: 'registry.example/app:1', portNumber: 8080 }],
});

describe('findings: the written manifest differs from the verified one', () => {
  test('F1 a construct validated after the workload patches it: runAsUser 0 is written unverified', () => {
    expectRefusedOrSound(chart => {
      const d = web(chart);
      // e.g. a third-party construct doing its "late binding" in a validation
      new Construct(chart, 'late').node.addValidation({
        validate: () => {
          ApiObject.of(d).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/runAsUser', 0));
          return [];
        },
      });
    });
  });

  test('F2 a Lazy value of an object serialized earlier patches the workload after its verification: hostPID is written', () => {
    expectRefusedOrSound(chart => {
      let d: RootlessDeployment | undefined;
      new ApiObject(chart, 'config', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        data: {
          x: Lazy.any({
            produce: () => {
              ApiObject.of(d!).addJsonPatch(JsonPatch.add('/spec/template/spec/hostPid', true));
              return 'x';
            },
          }),
        },
      });
      d = web(chart);
    });
  });

  test('F3 a Lazy annotation and a late patch: an undeclared hostPID with a forged exemption, written with pss-level "restricted"', () => {
    const forged = JSON.stringify([{ id: 'hostPID', container: null, reason: REASON }]);
    let calls = 0;
    const r = synthesize(chart => {
      const d = web(chart);
      // the first render (the validation) sees what was declared; the written one sees the forgery
      d.podMetadata.addAnnotation(KEY, Lazy.any({ produce: () => (calls++ === 0 ? '[]' : forged) }) as unknown as string);
      new Construct(chart, 'late').node.addValidation({
        validate: () => { ApiObject.of(d).addJsonPatch(JsonPatch.add('/spec/template/spec/hostPid', true)); return []; },
      });
    });
    if (r.error !== undefined) return; // refused: secure
    const written = r.docs!.find(o => o.kind === 'Deployment');
    // what was declared is what is written: no exemption, and no host PID namespace
    expect(written.spec.template.metadata.annotations[KEY]).toBe('[]');
    expect(written.spec.template.spec.hostPID).toBeUndefined();
  });
});

describe('held: routes that are verified', () => {
  test('a kplus Container mutated after it was added (a token Secret mounted at the token path) fails synthesis', () => {
    const r = synthesize(chart => {
      const d = web(chart);
      const secret = kplus.Secret.fromSecretName(chart, 'tok', 'app-token');
      d.containers[0].mount('/var/run/secrets/kubernetes.io/serviceaccount', kplus.Volume.fromSecret(chart, 'v', secret));
    });
    expect(r.error).toMatch(/serviceAccountToken/);
  });

  test('an annotation forged with podMetadata.addAnnotation after construction fails synthesis', () => {
    const r = synthesize(chart => {
      web(chart).podMetadata.addAnnotation(KEY, JSON.stringify([{ id: 'hostPID', container: null, reason: REASON }]));
    });
    expect(r.error).toMatch(/rootless\.cdk8s\.io\/exemptions/);
  });

  test('a JSON patch with the API spelling hostPID vanishes (cdk8s-plus re-filters to its own field names): nothing weaker is written', () => {
    const r = synthesize(chart => { ApiObject.of(web(chart)).addJsonPatch(JsonPatch.add('/spec/template/spec/hostPID', true)); });
    expect(r.error).toBeUndefined();
    expect(writtenProblems(r.docs!)).toEqual([]);
  });

  test('a JSON patch with the cdk8s spelling hostPid fails synthesis', () => {
    const r = synthesize(chart => { ApiObject.of(web(chart)).addJsonPatch(JsonPatch.add('/spec/template/spec/hostPid', true)); });
    expect(r.error).toMatch(/hostPID|hostNamespaces/);
  });

  test('a second synthesis of the same chart validates again', () => {
    const chart = Testing.chart();
    const d = web(chart);
    expect(writtenProblems(Testing.synth(chart))).toEqual([]);
    ApiObject.of(d).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/runAsUser', 0));
    expect(() => Testing.synth(chart)).toThrow(/runAsUser/);
  });

  test('a workload in a second chart is verified too', () => {
    const app = Testing.app();
    new Chart(app, 'first');
    const second = new Chart(app, 'second');
    const d = web(second);
    ApiObject.of(d).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/privileged', true));
    expect(() => app.synth()).toThrow(/privileged/);
  });
});
