/**
 * Red team (rtverify2) of session 8's cheaper verification path (issue 23): the glue `Hardening` is itself the one
 * verifier's check and the construct's validation (one object, methods instead of closures).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Lazy, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { writtenProblems } from './helpers';
import { RootlessHardening } from '../../lib';
import { RootlessDeployment } from '../../lib/constructs/plus';
import { adopt } from '../../lib/hardening/adopt/object';
import { CLI_DIALECT } from '../../lib/hardening/adopt/pod';

const IMAGE = 'registry.example/app:1';

// cdk8s-plus' spelling: KubeDeployment maps hostPid to hostPID
function build() {
  const chart = Testing.chart();
  const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] });
  ApiObject.of(d).addJsonPatch(JsonPatch.add('/spec/template/spec/hostPid', true));
  return { chart, d };
}

/** Synthesizes after `tamper` ran on the construct's validation objects (constructs' private list, reachable in JavaScript). */
function afterTampering(tamper: (validation: any) => void): { docs?: any[]; error?: string } {
  const { chart, d } = build();
  for (const v of (d.node as any)._validations as any[]) {
    try { tamper(v); } catch { /* refused: fine */ }
  }
  try {
    return { docs: Testing.synth(chart) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function expectNotWeakened(r: { docs?: any[]; error?: string }): void {
  if (r.error === undefined) expect(writtenProblems(r.docs!)).toEqual([]);
  else expect(r.error).toMatch(/\[test\/web\][^\n]*host/i);
}

describe('red team: the glue as check and validation (rtverify2)', () => {
  test('the check\'s verify replaced on the validation object: a weakened pod is not written', () => {
    expectNotWeakened(afterTampering(v => { v.verify = () => ({ errors: [], level: 'restricted' }); }));
  });

  test('the verifier\'s inner method replaced on the validation object: a weakened pod is not written', () => {
    expectNotWeakened(afterTampering(v => { v.verifyManifest = () => ({ errors: [], level: 'restricted' }); }));
  });

  test('the check\'s verify defined on the validation object, or reached through the construct\'s private fields: refused', () => {
    expectNotWeakened(afterTampering(v => { Object.defineProperty(v, 'verify', { value: () => ({ errors: [], level: 'restricted' }) }); }));
    const { chart, d } = build();
    const glue = (d as any).hardening?.glue;
    expect(glue).toBe(((d.node as any)._validations as any[]).find(v => typeof v.verify === 'function'));
    try { glue.verifyManifest = () => ({ errors: [], level: 'restricted' }); } catch { /* refused */ }
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\][^\n]*hostPID/);
  });

  test('the class\'s prototype method replaced: a weakened pod is not written', () => {
    const saved: [any, string, PropertyDescriptor | undefined][] = [];
    try {
      expectNotWeakened(afterTampering(v => {
        const proto = Object.getPrototypeOf(v);
        for (const m of ['verify', 'verifyManifest']) {
          saved.push([proto, m, Object.getOwnPropertyDescriptor(proto, m)]);
          proto[m] = () => ({ errors: [], level: 'restricted' });
        }
      }));
    } finally {
      for (const [proto, m, d] of saved) if (d !== undefined) try { Object.defineProperty(proto, m, d); } catch { /* frozen */ }
    }
  });

  test('held: verify called with a forged manifest changes nothing written', () => {
    const { chart, d } = build();
    for (const v of (d.node as any)._validations as any[]) {
      if (typeof v.verify === 'function') v.verify({ kind: 'Deployment', spec: { template: { spec: { containers: [] } } } });
      if (typeof v.serializationFailed === 'function') v.serializationFailed(new Error('x'));
    }
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\][^\n]*hostPID/);
  });
});

describe('red team: the plan stage\'s skipped loops (rtverify2)', () => {
  test('a pod securityContext of null (JavaScript) is no security context, as before: no TypeError', () => {
    const chart = Testing.chart();
    new RootlessDeployment(chart, 'web', { user: 1000, securityContext: null as any, containers: [{ image: IMAGE, portNumber: 8080 }] });
    const docs = Testing.synth(chart);
    expect(writtenProblems(docs)).toEqual([]);
    expect(docs[0].spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
  });

  test('a container securityContext of null, and a contradiction given at the pod level, still judged', () => {
    const chart = Testing.chart();
    new RootlessDeployment(chart, 'ok', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080, securityContext: null as any }] });
    expect(writtenProblems(Testing.synth(chart))).toEqual([]);
    expect(() => new RootlessDeployment(Testing.chart(), 'web', { user: 1000, securityContext: { user: 1001 }, containers: [{ image: IMAGE, portNumber: 8080 }] }))
      .toThrow(/props\.securityContext\.user: 1001 contradicts props\.user: 1000/);
    expect(() => new RootlessDeployment(Testing.chart(), 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080, user: 1000, securityContext: { user: 1001 } }] }))
      .toThrow(/securityContext\.user contradicts/);
  });

  test('an enumerable member added to Object.prototype (prototype pollution) is not taken for a props ID', () => {
    (Object.prototype as any).polluted = 'x';
    try {
      const chart = Testing.chart();
      new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] });
      expect(writtenProblems(Testing.synth(chart))).toEqual([]);
    } finally {
      delete (Object.prototype as any).polluted;
    }
  });
});

/** What app.synth() writes (cdk8s' YAML writer, which calls `toJSON` on every value), after `pollute` ran and was undone. */
function writtenByApp(make: (chart: Chart) => void, pollute: () => () => void): { docs?: any[]; error?: string } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'rtverify2-')) });
  make(new Chart(app, 'c'));
  const undo = pollute();
  try {
    app.synth();
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    undo();
  }
  return { docs: fs.readdirSync(app.outdir).flatMap(f => YAML.parseAllDocuments(fs.readFileSync(path.join(app.outdir, f), 'utf8')).map(d => d.toJSON())) };
}

/** Defines `name` on a built-in prototype (non-enumerable, as a library would); returns the undo. */
function defineOn(proto: object, name: string, value: unknown): () => void {
  Object.defineProperty(proto, name, { value, configurable: true, writable: true });
  return () => { delete (proto as any)[name]; };
}

describe('red team: the JSON-data snapshot and cdk8s\' YAML writer (rtverify2)', () => {
  const weakened = function (this: any) {
    return this?.kind === 'Deployment' ? { ...this, spec: { ...this.spec, template: { ...this.spec.template, spec: { ...this.spec.template.spec, hostPID: true } } } } : this;
  };

  for (const [label, proto] of [['Object', Object.prototype], ['Array', Array.prototype], ['String', String.prototype]] as const) {
    test(`a toJSON on ${label}.prototype (the YAML writer calls it, the verifier read the data): refused, naming the path`, () => {
      const addOne = function (this: any) { return proto === Object.prototype ? weakened.call(this) : this; };
      const r = writtenByApp(chart => { new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] }); },
        () => defineOn(proto, 'toJSON', addOne));
      if (r.error === undefined) expect(writtenProblems(r.docs!)).toEqual([]);
      expect(r.error).toMatch(new RegExp(`\\[c/web\\][^\\n]*${label}\\.prototype\\.toJSON`));
    });
  }

  test('held: an Object.prototype accessor named like a field (getter and swallowing setter) set before synthesis: what is written is what was verified', () => {
    const r = writtenByApp(chart => {
      const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] });
      ApiObject.of(d).addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/securityContext/seccompProfile'),
        JsonPatch.remove('/spec/template/spec/securityContext/seccompProfile'));
    }, () => {
      Object.defineProperty(Object.prototype, 'seccompProfile', { get: () => ({ type: 'RuntimeDefault' }), set: () => undefined, configurable: true });
      return () => { delete (Object.prototype as any).seccompProfile; };
    });
    if (r.error === undefined) expect(writtenProblems(r.docs!)).toEqual([]);
  });
});

/** A plain Deployment as a raw ApiObject, hardened by applyTo with a user. */
function rawDeploymentHardened(chart: Chart): void {
  new ApiObject(chart, 'raw', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'raw' },
    spec: { selector: { matchLabels: { app: 'raw' } }, template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'app', image: IMAGE }] } } },
  });
  RootlessHardening.applyTo(chart, { user: 1000 });
}

test('an object applyTo adopted, with Object.prototype.toJSON defined before synthesis: refused, naming the path', () => {
  const r = writtenByApp(chart => {
    rawDeploymentHardened(chart);
  }, () => defineOn(Object.prototype, 'toJSON', function (this: any) { return this?.kind === 'Deployment' ? { ...this, spec: { ...this.spec, paused: true } } : this; }));
  expect(r.error).toMatch(/\[c\/raw\][^\n]*Object\.prototype\.toJSON/);
});

describe('red team: the identity index\'s early return (rtverify2)', () => {
  const web = (chart: Chart, id: string, metadata?: any) =>
    new RootlessDeployment(chart, id, { user: 1000, metadata, containers: [{ image: IMAGE, portNumber: 8080 }] });

  test('held: a Lazy name that renders as another workload\'s name fails synthesis (both hardened by the construct)', () => {
    const chart = Testing.chart();
    web(chart, 'a', { name: 'same' });
    web(chart, 'b', { name: Lazy.any({ produce: () => 'same' }) as any });
    expect(() => Testing.synth(chart)).toThrow(/Deployment default\/same \(apps\) is defined twice/);
  });

  test('held: two Lazy names that render alike, and a JSON patch giving one the other\'s namespace and name', () => {
    const chart = Testing.chart();
    web(chart, 'a', { name: Lazy.any({ produce: () => 'same' }) as any });
    web(chart, 'b', { name: Lazy.any({ produce: () => 'same' }) as any });
    expect(() => Testing.synth(chart)).toThrow(/defined twice/);
    const chart2 = Testing.chart();
    web(chart2, 'a', { name: 'x', namespace: 'prod' });
    const b = web(chart2, 'b', { name: 'y' });
    ApiObject.of(b).addJsonPatch(JsonPatch.add('/metadata/namespace', 'prod'), JsonPatch.replace('/metadata/name', 'x'));
    expect(() => Testing.synth(chart2)).toThrow(/Deployment prod\/x \(apps\) is defined twice/);
  });

  test('held: a JSON patch renaming a workload onto another\'s name is judged by its rendered identity', () => {
    const chart = Testing.chart();
    web(chart, 'a', { name: 'x' });
    const b = web(chart, 'b', { name: 'x2' });
    ApiObject.of(b).addJsonPatch(JsonPatch.replace('/metadata/name', 'x'));
    expect(() => Testing.synth(chart)).toThrow(/defined twice/);
  });
});

describe('red team: restrictsVolume\'s verdicts by content, and the adoption\'s copies (rtverify2)', () => {
  const withVolume = (name: string, volume: any): any => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: IMAGE }], volumes: [volume] } } },
  });
  const adoptOne = (m: any) => adopt(m, { writablePaths: [], exemptions: [], user: 1000, dialect: CLI_DIALECT });

  test('held: volumes whose remembered keys collide (null and NaN, undefined and missing, another name) are each judged as they are', () => {
    // JSON.stringify writes NaN as null and leaves undefined out: the first verdict is remembered under the key of the second
    expect(adoptOne(withVolume('a', { name: 'a', nfs: null })).errors).toEqual([]);
    expect(adoptOne(withVolume('b', { name: 'b', nfs: NaN })).errors.join('\n')).toMatch(/volume "b"[^\n]*nfs[^\n]*restricted|restricted volume/);
    expect(adoptOne(withVolume('c', { name: 'c', nfs: { server: 's', path: '/' } })).errors.join('\n')).toMatch(/volume "c"[^\n]*nfs/);
    expect(adoptOne(withVolume('d', { name: 'd', nfs: undefined, emptyDir: {} })).errors).toEqual([]);
    expect(adoptOne(withVolume('e', { nfs: { server: 's', path: '/' }, name: 'e' })).errors.join('\n')).toMatch(/volume "e"[^\n]*nfs/);
  });

  test('held: the kept manifest shares nothing with the input, the operations or each other (an object aliased twice in the input)', () => {
    const shared = { type: 'RuntimeDefault' };
    const m = withVolume('w', { name: 'v', emptyDir: {} });
    m.spec.template.spec.containers.push({ name: 'two', image: IMAGE, securityContext: { seccompProfile: shared } });
    m.spec.template.spec.containers[0].securityContext = { seccompProfile: shared };
    const a = adoptOne(m);
    expect(a.errors).toEqual([]);
    const kept = a.verified!.manifest as any;
    const containers = kept.spec.template.spec.containers;
    expect(containers[0].securityContext.seccompProfile).not.toBe(containers[1].securityContext.seccompProfile);
    expect(containers[0].securityContext.seccompProfile).not.toBe(shared);
    const reachable = new Set<unknown>();
    const walk = (x: any): void => { if (x !== null && typeof x === 'object') { reachable.add(x); Object.values(x).forEach(walk); } };
    for (const o of a.operations) walk(o.value);
    const inKept: unknown[] = [];
    const find = (x: any): void => { if (x !== null && typeof x === 'object') { if (reachable.has(x)) inKept.push(x); Object.values(x).forEach(find); } };
    find(kept);
    expect(inKept).toEqual([]);
  });
});

describe('red team: a field inherited from Object.prototype (rtverify2)', () => {
  test('held: Object.prototype.runAsNonRoot set before synthesis and the field removed by patches: not written as restricted', () => {
    const r = writtenByApp(chart => {
      const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ image: IMAGE, portNumber: 8080 }] });
      ApiObject.of(d).addJsonPatch(JsonPatch.remove('/spec/template/spec/securityContext/runAsNonRoot'),
        JsonPatch.remove('/spec/template/spec/containers/0/securityContext/runAsNonRoot'));
    }, () => defineOn(Object.prototype, 'runAsNonRoot', true));
    if (r.error === undefined) expect(writtenProblems(r.docs!)).toEqual([]);
    else expect(r.error).toMatch(/\[c\/web\]/);
  });

  test('held: Object.prototype.runAsNonRoot set before synthesis, a plain Deployment without it adopted by applyTo: not written as restricted', () => {
    const r = writtenByApp(chart => {
      rawDeploymentHardened(chart);
    }, () => defineOn(Object.prototype, 'runAsNonRoot', true));
    if (r.error === undefined) expect(writtenProblems(r.docs!)).toEqual([]);
    else expect(r.error).toMatch(/\[c\/raw\][^\n]*runAsNonRoot/); // the policy reads own members only: the pod has none
  });
});
