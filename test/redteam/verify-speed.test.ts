/**
 * Red team (rtverify2) of session 8's cheaper verification path (issue 23): the glue `Hardening` is itself the one
 * verifier's check and the construct's validation (one object, methods instead of closures).
 */
import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { writtenProblems } from './helpers';
import { RootlessDeployment } from '../../lib/constructs/plus';

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
