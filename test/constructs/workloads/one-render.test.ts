/**
 * The one verifier (lib/constructs/internal/output-verifier.ts): each object is rendered once per synthesis, by cdk8s, and
 * that render is what is verified and written (issue 23 point 3, issue 24 "one verifier"). Renders are
 * counted as calls of cdk8s' own serialization (`ApiObject.prototype.toJson`, which the generated
 * classes' toJson call through super) per object.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Cron, JsonPatch, Lazy, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { level } from './util';
import { RootlessHardening } from '../../../lib';
import { HardenedPod, RootlessCronJob, RootlessDaemonSet, RootlessDeployment, RootlessJob, RootlessStatefulSet } from '../../../lib/constructs/plus';
import { PodSecurity } from '../../../lib/policy';
import { podTemplateOf } from '../../../lib/policy/k8s-shapes';

const IMAGE = 'registry.example/app:1';

/** Counts cdk8s' serializations of each object while `run` runs. */
function renders<T>(run: () => T): { result: T; count: (obj: ApiObject) => number } {
  const counts = new Map<ApiObject, number>();
  const original = ApiObject.prototype.toJson;
  const spy = jest.spyOn(ApiObject.prototype, 'toJson').mockImplementation(function (this: ApiObject) {
    counts.set(this, (counts.get(this) ?? 0) + 1);
    return original.call(this);
  });
  try {
    return { result: run(), count: obj => counts.get(obj) ?? 0 };
  } finally {
    spy.mockRestore();
  }
}

function allSix(chart: Chart): Construct[] {
  const containers = [{ name: 'app', image: IMAGE, portNumber: 8080 }];
  return [
    new HardenedPod(chart, 'pod', { user: 1000, containers }),
    new RootlessDeployment(chart, 'deploy', { user: 1000, containers }),
    new RootlessStatefulSet(chart, 'sts', { user: 1000, containers }),
    new RootlessJob(chart, 'job', { user: 1000, containers }),
    new RootlessCronJob(chart, 'cron', { user: 1000, schedule: Cron.daily(), containers }),
    new RootlessDaemonSet(chart, 'ds', { user: 1000, containers }),
  ];
}

describe('one render per object per synthesis', () => {
  test('Testing.synth: each of the six constructs\' objects is rendered once, and the written level is the level of what was written', () => {
    const chart = Testing.chart();
    const constructs = allSix(chart);
    const { result: docs, count } = renders(() => Testing.synth(chart));
    for (const c of constructs) expect([c.node.path, count(ApiObject.of(c))]).toEqual([c.node.path, 1]);
    const pods = docs.filter(d => podTemplateOf(d) !== undefined);
    expect(pods).toHaveLength(6);
    for (const d of pods) expect(level(d)).toBe(PodSecurity.strictestLevel(d));
  });

  test('app.synth() (which validates once per chart): once per object, in every chart; the files carry the level', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'one-render-'));
    const app = new App({ outdir });
    const a = new RootlessDeployment(new Chart(app, 'a'), 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] });
    const b = new RootlessDeployment(new Chart(app, 'b'), 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] });
    const { count } = renders(() => app.synth());
    expect([count(ApiObject.of(a)), count(ApiObject.of(b))]).toEqual([1, 1]);
    const written = Yaml.load(path.join(outdir, 'a.k8s.yaml'));
    expect(level(written[0])).toBe('restricted');
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('applyTo: an adopted object is rendered when it is adopted and when it is written, nothing more', () => {
    const chart = Testing.chart();
    const deployments = [0, 1, 2].map(i => new kplus.Deployment(chart, `d${i}`, { securityContext: { user: 1000 }, containers: [{ image: IMAGE, portNumber: 8080 }] }));
    const pod = new ApiObject(chart, 'raw', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'app', image: IMAGE, securityContext: { runAsUser: 1000 } }] } });
    RootlessHardening.applyTo(chart);
    const { result: docs, count } = renders(() => Testing.synth(chart));
    // the first object of a class that overrides toJson is probed once more (does its class write cdk8s' patches?)
    expect(deployments.slice(1).map(d => count(ApiObject.of(d)))).toEqual([2, 2]);
    expect(count(ApiObject.of(deployments[0]))).toBeLessThanOrEqual(3);
    expect(count(pod)).toBe(2);
    for (const d of docs) expect(level(d)).toBe(PodSecurity.strictestLevel(d));
  });

  test('a direct toJson() outside synthesis renders once and writes the level; Yaml.stringify of it carries it', () => {
    const chart = Testing.chart();
    const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] });
    const { result: json, count } = renders(() => ApiObject.of(d).toJson());
    expect(count(ApiObject.of(d))).toBe(1);
    expect(Yaml.stringify(json)).toContain('rootless.cdk8s.io/pss-level: restricted');
  });
});

describe('what is written is what was verified', () => {
  test('a weakening JSON patch added after construction fails synthesis, naming the construct', () => {
    const chart = Testing.chart();
    const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] });
    ApiObject.of(d).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation', true));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\] .*allowPrivilegeEscalation/);
  });

  test('a weakening JSON patch added by a later validation, after applyTo adopted the object, fails synthesis', () => {
    const chart = Testing.chart();
    const d = new kplus.Deployment(chart, 'web', { securityContext: { user: 1000 }, containers: [{ image: IMAGE, portNumber: 8080 }] });
    RootlessHardening.applyTo(chart);
    new Construct(chart, 'late').node.addValidation({
      validate: () => {
        ApiObject.of(d).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation', true));
        return [];
      },
    });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\/Resource\] .*allowPrivilegeEscalation/);
  });

  test('a weakening Lazy value produced at serialization, after applyTo, fails synthesis', () => {
    const chart = Testing.chart();
    let weak = false;
    new ApiObject(chart, 'raw', {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: { hostNetwork: Lazy.any({ produce: () => (weak ? true : undefined) }), containers: [{ name: 'app', image: IMAGE, securityContext: { runAsUser: 1000 } }] },
    });
    RootlessHardening.applyTo(chart);
    new Construct(chart, 'late').node.addValidation({ validate: () => { weak = true; return []; } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/raw\] .*hostNetwork/);
  });

  test('replacing toJson on a verified object (which would write it unverified) fails where it is replaced, naming the object and the fix', () => {
    const chart = Testing.chart();
    const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] });
    const obj = ApiObject.of(d);
    const verified = obj.toJson;
    expect(() => {
      obj.toJson = () => {
        const json = verified.call(obj);
        json.spec.template.spec.hostNetwork = true;
        return json;
      };
    }).toThrow(/toJson\(\) of test\/web\/Resource cannot be replaced: .* Fix: map the output in a subclass that calls super\.toJson\(\)/);
    expect(obj.toJson).toBe(verified);
    expect(level(Testing.synth(chart)[0])).toBe('restricted');
  });

  test('the output of cdk8s is not changed in place: the level is written into a copy (a raw Pod that applyTo adopts)', () => {
    const chart = Testing.chart();
    const pod = new ApiObject(chart, 'raw', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'app', image: IMAGE, securityContext: { runAsUser: 1000 } }] } });
    RootlessHardening.applyTo(chart);
    let inner: any;
    const original = ApiObject.prototype.toJson;
    const spy = jest.spyOn(ApiObject.prototype, 'toJson').mockImplementation(function (this: ApiObject) {
      const json = original.call(this);
      if (this === pod) inner = json;
      return json;
    });
    try {
      const [out] = Testing.synth(chart);
      expect(level(out)).toBe('restricted');
      expect(level(inner)).toBe('unverified');
    } finally {
      spy.mockRestore();
    }
  });
});
