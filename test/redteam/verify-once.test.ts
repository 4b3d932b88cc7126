/**
 * Red team (rtonce) on applyTo's reuse of the adoption-time verification (issue 23, `verifyAdoptedAgain`,
 * lib/hardening/adopt/object.ts): whatever cdk8s writes for an adopted object is what was verified; a weakening by
 * any later means fails synthesis naming the construct path. Judged against cdk8s' real serialization.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { ApiObject, App, Chart, Lazy, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { RootlessHardening } from '../../lib';
import { adopt, verifyAdoptedAgain } from '../../lib/hardening/adopt/object';
import { CLI_DIALECT } from '../../lib/hardening/adopt/pod';
import * as verify from '../../lib/hardening/verify';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

const IMAGE = 'registry.example/app:1';

function deployment(name = 'web'): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: IMAGE, ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

function pod(name: string): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: IMAGE, ports: [{ containerPort: 8080 }] }] } };
}

/** An app whose chart `c` has the objects `build` makes, applyTo on the chart, and `later` run by a validation after applyTo's. */
function synth(build: (chart: Chart) => void, later: () => void): { app: App; written: () => any[] } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(Testing.app().outdir, 'rt-')) });
  const chart = new Chart(app, 'c');
  build(chart);
  RootlessHardening.applyTo(chart, { user: 1000 });
  let ran = false; // cdk8s may validate more than once (app.synth() per chart): the change is made once
  new Construct(chart, 'late').node.addValidation({ validate: () => { if (!ran) later(); ran = true; return []; } });
  return { app, written: () => fs.readdirSync(app.outdir).flatMap(f => YAML.parseAllDocuments(fs.readFileSync(path.join(app.outdir, f), 'utf8')).map((d: any) => d.toJSON())) };
}

describe('red team: the reused verification (rtonce)', () => {
  test('props held by the user, mutated after adoption (a weakened field): synthesis fails naming the path', () => {
    const props = deployment('raw');
    const { app } = synth(chart => { new ApiObject(chart, 'raw', props); }, () => {
      props.spec.template.spec.hostNetwork = true;
    });
    expect(() => app.synth()).toThrow(/\[c\/raw\][^\n]*hostNetwork/);
  });

  test('an array in the props (containers) given a new container after adoption: verified', () => {
    const props = deployment('raw');
    const { app } = synth(chart => { new ApiObject(chart, 'raw', props); }, () => {
      props.spec.template.spec.containers.push({ name: 'evil', image: IMAGE, securityContext: { privileged: true } });
    });
    expect(() => app.synth()).toThrow(/\[c\/raw\]/);
  });

  test('a List given a new pod-bearing item after adoption (its items array is the user\'s): synthesis fails', () => {
    const props: any = { apiVersion: 'v1', kind: 'List', items: [pod('a')] };
    const { app, written } = synth(chart => { new ApiObject(chart, 'list', props); }, () => {
      props.items.push({ ...pod('evil'), spec: { hostNetwork: true, containers: [{ name: 'x', image: IMAGE, securityContext: { privileged: true } }] } });
    });
    let error: unknown;
    try { app.synth(); } catch (e) { error = e; }
    if (error === undefined) console.log(JSON.stringify(written(), null, 1));
    expect(String(error)).toMatch(/\[c\/list\]/);
  });

  test('a List whose items a Lazy value answers with more items later: synthesis fails', () => {
    let late = false;
    const { app } = synth(chart => {
      new ApiObject(chart, 'list', { apiVersion: 'v1', kind: 'List', items: Lazy.any({ produce: () => late ? [pod('a'), { ...pod('evil'), spec: { hostPID: true, containers: [{ name: 'x', image: IMAGE }] } }] : [pod('a')] }) });
    }, () => { late = true; });
    expect(() => app.synth()).toThrow(/\[c\/list\]/);
  });

  test('a List whose adopted item moved (a Pod inserted before it): the unpatched one is named, synthesis fails', () => {
    const props: any = { apiVersion: 'v1', kind: 'List', items: [pod('a')] };
    const { app } = synth(chart => { new ApiObject(chart, 'list', props); }, () => {
      // the inserted Pod takes the patches made for `a` (and passes); `a`, moved to items[1], would be written as it came
      props.items.unshift(pod('b'));
    });
    expect(() => app.synth()).toThrow(/\[c\/list\] items\[1\] \(Pod "a"\): this pod-bearing item was added to the object \(or moved\)/);
  });

  test('a List whose adopted item moved (a ConfigMap inserted before it): a clear error naming the path, not a TypeError alone', () => {
    const props: any = { apiVersion: 'v1', kind: 'List', items: [pod('a')] };
    const { app } = synth(chart => { new ApiObject(chart, 'list', props); }, () => {
      props.items.unshift({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    });
    expect(() => app.synth()).toThrow(/\[c\/list\] RootlessHardening.applyTo's patches of its items could not be applied[^\n]*moved[^\n]*Fix:/);
  });

  test('a workload made a List after adoption (kind and items in the props): synthesis fails', () => {
    const props = deployment('raw');
    const { app } = synth(chart => { new ApiObject(chart, 'raw', props); }, () => {
      (props as any).items = [{ ...pod('evil'), spec: { hostPID: true, containers: [{ name: 'x', image: IMAGE }] } }];
    });
    expect(() => app.synth()).toThrow(/\[c\/raw\]/);
  });

  test('a class whose toJson returns an accessor that answers the YAML writer otherwise: what is written is what was verified', () => {
    // before the fix the verifier read the accessor (hardened) and cdk8s' YAML writer read it again: hostPID was written
    class Lying extends ApiObject {
      public toJson(): any {
        const j = quantities(super.toJson());
        const spec = j.spec;
        const weak = structuredClone(spec);
        weak.template.spec.hostPID = true;
        delete weak.template.spec.containers[0].securityContext;
        const yamlReads = () => /node_modules[\\/]yaml[\\/]/.test(new Error().stack ?? '');
        return Object.defineProperty({ ...j }, 'spec', { enumerable: true, get: () => (yamlReads() ? weak : spec) });
      }
    }
    const { app, written } = synth(chart => { new Lying(chart, 'raw', deployment('raw')); }, () => undefined);
    app.synth();
    const [out] = written();
    expect(out.spec.template.spec.hostPID).toBeUndefined();
    expect(out.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation).toBe(false);
  });

  test('a class whose toJson returns a member with toJSON (YAML would write another value): a clear error naming the path', () => {
    class WithToJSON extends ApiObject {
      public toJson(): any {
        const j = quantities(super.toJson());
        return { ...j, spec: { ...j.spec, toJSON: () => ({ template: { spec: { hostPID: true, containers: [] } } }) } };
      }
    }
    const { app } = synth(chart => { new WithToJSON(chart, 'raw', deployment('raw')); }, () => undefined);
    expect(() => app.synth()).toThrow(/\[c\/raw\][^\n]*toJson\(\) returned a function at \/spec\/toJSON[^\n]*Fix: return plain JSON data/);
  });

  test('CDK8S_DISABLE_SORT (another key order) and a weakened field: still verified', () => {
    const before = process.env.CDK8S_DISABLE_SORT;
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const ok = synth(chart => { new ApiObject(chart, 'raw', deployment('raw')); }, () => undefined);
      ok.app.synth();
      expect(ok.written()[0].spec.template.metadata.annotations['rootless.cdk8s.io/pss-level']).toBe('restricted');
      const props = deployment('raw');
      const bad = synth(chart => { new ApiObject(chart, 'raw', props); }, () => { props.spec.template.spec.hostIPC = true; });
      expect(() => bad.app.synth()).toThrow(/\[c\/raw\][^\n]*hostIPC/);
    } finally {
      if (before === undefined) delete process.env.CDK8S_DISABLE_SORT; else process.env.CDK8S_DISABLE_SORT = before;
    }
  });
});

describe('red team: verifyAdoptedAgain compares by value, and nothing else passes for equal (rtonce)', () => {
  const adoption = adopt(deployment(), { writablePaths: [], exemptions: [], user: 1000, dialect: CLI_DIALECT });
  const verified = () => structuredClone(adoption.verified!.manifest) as any;
  const sc = (m: any) => podTemplateOf(m)!.spec.containers[0].securityContext;

  test('the adoption verified it and found nothing', () => {
    expect(adoption.errors).toEqual([]);
    expect(verifyAdoptedAgain(verified(), adoption, true).errors).toEqual([]);
  });

  test.each([
    ['a Date for a field', (m: any) => { sc(m).runAsUser = new Date(0); }],
    ['a class instance with toJSON', (m: any) => { sc(m).capabilities = new (class { toJSON() { return { add: ['SYS_ADMIN'] }; } })(); }],
    ['a Buffer', (m: any) => { sc(m).runAsUser = Buffer.from('0'); }],
    ['NaN for a number', (m: any) => { sc(m).runAsUser = NaN; }],
    ['a string for a boolean', (m: any) => { sc(m).allowPrivilegeEscalation = 'false'; }],
    ['an own __proto__ member', (m: any) => { Object.defineProperty(sc(m), '__proto__', { value: { privileged: true }, enumerable: true }); }],
    ['an inherited weakening (another prototype)', (m: any) => { Object.setPrototypeOf(podTemplateOf(m)!.spec, { hostPID: true }); }],
    ['a sparse array grown', (m: any) => { podTemplateOf(m)!.spec.containers.length = 2; }],
    ['an undefined member added', (m: any) => { sc(m).privileged = undefined; }],
  ])('%s: not equal to what was verified', (_n, change) => {
    const m = verified();
    change(m);
    // not the kept verification: the verify stage evaluates it in full
    expect(evaluations(() => verifyAdoptedAgain(m, adoption, true))).toBe(1);
  });

  test('a symbol-keyed member (neither cdk8s nor YAML writes it): equal by value, the same JSON, the kept verification', () => {
    const m = verified();
    (sc(m) as any)[Symbol('x')] = { privileged: true };
    expect(JSON.stringify(m)).toBe(JSON.stringify(adoption.verified!.manifest));
    expect(evaluations(() => expect(verifyAdoptedAgain(m, adoption, true).errors).toEqual([]))).toBe(0);
  });

  test('a manifest of another realm (vm context) equal by value is equal; weakened there, it is verified in full', () => {
    const other = vm.runInNewContext(`(${JSON.stringify(adoption.verified!.manifest)})`);
    expect(Object.getPrototypeOf(other)).not.toBe(Object.prototype);
    expect(verifyAdoptedAgain(other, adoption, true).errors).toEqual([]);
    other.spec.template.spec.hostNetwork = true;
    expect(verifyAdoptedAgain(other, adoption, true).errors.join('\n')).toMatch(/hostNetwork/);
  });
});

/** The verify stage's evaluations of a manifest while `run` runs. */
function evaluations(run: () => unknown): number {
  const spy = jest.spyOn(verify, 'verifyConstruct');
  try {
    run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

/** cdk8s' generated classes write a Quantity as its value: a class of its own that overrides toJson does the same. */
function quantities(x: any): any {
  if (Array.isArray(x)) return x.map(quantities);
  if (typeof x !== 'object' || x === null) return x;
  return Object.fromEntries(Object.entries(x).map(([k, v]: [string, any]) => [k, k === 'sizeLimit' && typeof v === 'object' ? v.value : quantities(v)]));
}
