/**
 * RootlessHardening.applyTo on generated cdk8s-plus apps: every pod-bearing object comes out
 * restricted (with the rootless rules) and says so, or synthesis fails naming the object and the
 * fix. Never a TypeError, never a manifest weaker than its level annotation says.
 */
import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { HardeningNotes, RootlessHardening } from '../../../lib';
import { declaredExemptions } from '../../../lib/exemptions/declared';
import { judge } from '../../../lib/hardening/verify';
import { podTemplateOf } from '../../../lib/policy/k8s-shapes';

const LEVEL = 'rootless.cdk8s.io/pss-level';

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Mostly unset: each weakening is rare, so that apps of several workloads also come out clean. */
const rare = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: a, weight: 1 });

const securityContext = fc.record({
  user: fc.oneof(maybe(fc.constantFrom(1000, 65532)), rare(fc.constant(0))),
  group: maybe(fc.constantFrom(0, 1000)),
  ensureNonRoot: maybe(fc.boolean()),
  privileged: fc.oneof(fc.constant(false), rare(fc.constant(true))),
  readOnlyRootFilesystem: fc.oneof(fc.constant(true), rare(fc.constant(false))),
  allowPrivilegeEscalation: fc.oneof(fc.constant(false), rare(fc.constant(true))),
});

const container = fc.record({
  image: fc.constantFrom('registry.example.com/app:1', 'nginx:1.27', 'postgres:16-alpine', 'redis:7', 'busybox:1.36'),
  securityContext: maybe(securityContext),
  portNumber: maybe(fc.constantFrom(80, 443, 8080)),
});

const workload = fc.record({
  kind: fc.constantFrom('Deployment', 'Job', 'CronJob', 'DaemonSet', 'Pod'),
  containers: fc.array(container, { minLength: 1, maxLength: 2 }),
  hostNetwork: rare(fc.boolean()),
  hostPath: fc.oneof({ arbitrary: fc.constant(false), weight: 8 }, { arbitrary: fc.constant(true), weight: 1 }),
  automountServiceAccountToken: rare(fc.boolean()),
});

type Workload = typeof workload extends fc.Arbitrary<infer T> ? T : never;

function build(chart: Chart, id: string, w: Workload): void {
  const containers = w.containers.map((c, i) => ({ ...c, name: `c${i}` }));
  const props = { containers, hostNetwork: w.hostNetwork, automountServiceAccountToken: w.automountServiceAccountToken };
  let pod: kplus.AbstractPod;
  switch (w.kind) {
    case 'Deployment': pod = new kplus.Deployment(chart, id, props); break;
    case 'Job': pod = new kplus.Job(chart, id, props); break;
    case 'CronJob': pod = new kplus.CronJob(chart, id, { ...props, schedule: Cron.daily() }); break;
    case 'DaemonSet': pod = new kplus.DaemonSet(chart, id, props); break;
    default: pod = new kplus.Pod(chart, id, props);
  }
  if (w.hostPath) {
    const volume = kplus.Volume.fromHostPath(chart, `${id}-logs`, 'logs', { path: '/var/log' });
    pod.containers[0].mount('/logs', volume);
  }
}

test('any generated cdk8s-plus app under applyTo is restricted, or fails naming the object and the fix', () => {
  const seen = { restricted: 0, failed: 0 };
  fc.assert(fc.property(fc.array(workload, { minLength: 1, maxLength: 3 }), maybe(fc.constantFrom(10001, 4242)), (workloads, user) => {
    const chart = new Chart(Testing.app(), 'app');
    workloads.forEach((w, i) => build(chart, `w${i}`, w));
    RootlessHardening.applyTo(chart, { user, notes: HardeningNotes.NONE });
    let out: any[];
    try {
      out = Testing.synth(chart);
    } catch (e) {
      expect(e).not.toBeInstanceOf(TypeError);
      const message = (e as Error).message;
      // cdk8s' format, each error naming the object's construct path and its fix
      expect(message).toMatch(/^Validation failed with the following errors:\n {2}\[app\/w\d+(\/Resource)?\] /);
      for (const line of message.split('\n').slice(1)) expect(line).toMatch(/^ {2}\[app\/w\d+(\/Resource)?\] .*(Fix|fix):/);
      seen.failed++;
      return;
    }
    for (const m of out) {
      const template = podTemplateOf(m);
      if (!template) continue;
      const declared = declaredExemptions(m);
      expect(declared.exemptions).toEqual([]);
      const v = judge(m, []);
      const found = { name: m.metadata.name, violations: v.uncovered.violations, rootless: v.rootless.map(f => f.rule) };
      // a token the pod asks for is kept (the token rule: the pod's own value wins) and reported, and only then
      const w = workloads[Number(/^app-w(\d+)-/.exec(m.metadata.name)![1])];
      const kept = w.automountServiceAccountToken === true;
      expect(found).toEqual({ name: m.metadata.name, violations: [], rootless: kept ? ['serviceAccountToken'] : [] });
      expect(template.spec.automountServiceAccountToken).toBe(kept);
      expect(template.metadata.annotations[LEVEL]).toBe('restricted');
    }
    seen.restricted++;
  }), { numRuns: 200, seed: Number(process.env.FC_SEED ?? 13) });
  // both outcomes are exercised (the generators are not all failures, nor all trivially clean); the seed is fixed so that
  // CI is deterministic (FC_SEED=<n> explores others)
  expect(seen.restricted).toBeGreaterThan(15);
  expect(seen.failed).toBeGreaterThan(15);
});
