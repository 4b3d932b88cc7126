/**
 * applyTo evaluates an adopted workload once per synthesis when cdk8s writes what the adoption verified (issue 23):
 * the adopt stage verifies the hardened object as its patches write it (level annotation included), and the one
 * verifier answers with that verification for a serialization that is the same by value (`verifyAdoptedAgain`,
 * lib/hardening/adopt/object.ts). Anything else that is written (a later patch, a Lazy value, an undefined member)
 * is verified in full.
 */
import { ApiObject, App, Chart, Cron, JsonPatch, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Exemption, RootlessHardening } from '../../../lib';
import { adopt, verifyAdopted, verifyAdoptedAgain } from '../../../lib/hardening/adopt/object';
import { CLI_DIALECT } from '../../../lib/hardening/adopt/pod';
import * as verify from '../../../lib/hardening/verify';
import { podTemplateOf } from '../../../lib/policy/k8s-shapes';

const IMAGE = 'registry.example/app:1';
const LEVEL = 'rootless.cdk8s.io/pss-level';

/** Counts the verify stage's evaluations of a manifest (verifyConstruct) while `run` runs. */
function evaluations<T>(run: () => T): { result: T; count: number } {
  const spy = jest.spyOn(verify, 'verifyConstruct');
  try {
    const result = run();
    return { result, count: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

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

function hardened(manifest: any) {
  const adoption = adopt(manifest, { writablePaths: [], exemptions: [], user: 1000, dialect: CLI_DIALECT });
  expect(adoption.errors).toEqual([]);
  return adoption;
}

describe('applyTo: one evaluation per adopted workload', () => {
  test('every workload kind is evaluated once (at adoption), a Pod twice (its annotations are not patches); output unchanged', () => {
    const build = () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c');
      const security = { user: 1000, group: 1000 };
      const containers = [{ image: IMAGE, portNumber: 8080 }];
      new kplus.Deployment(chart, 'dep', { securityContext: security, containers });
      new kplus.StatefulSet(chart, 'sts', { service: new kplus.Service(chart, 'svc', { ports: [{ port: 80, targetPort: 8080 }] }), securityContext: security, containers });
      new kplus.DaemonSet(chart, 'ds', { securityContext: security, containers });
      new kplus.Job(chart, 'job', { securityContext: security, containers });
      new kplus.CronJob(chart, 'cron', { schedule: Cron.daily(), securityContext: security, containers });
      new kplus.Pod(chart, 'pod', { securityContext: security, containers });
      RootlessHardening.applyTo(chart, { user: 1000 });
      return chart;
    };
    const { result: manifests, count } = evaluations(() => Testing.synth(build()));
    const pods = manifests.filter(m => podTemplateOf(m) !== undefined);
    expect(pods.map(m => m.kind).sort()).toEqual(['CronJob', 'DaemonSet', 'Deployment', 'Job', 'Pod', 'StatefulSet']);
    expect(count).toBe(pods.length + 1);
    for (const m of pods) expect(podTemplateOf(m)!.metadata.annotations[LEVEL]).toBe('restricted');
  });

  test('an exemption that lowers the level: the level written is the level verified (verified again with it)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new kplus.Deployment(chart, 'agent', {
      securityContext: { user: 1000, group: 1000 },
      containers: [{ image: IMAGE, portNumber: 8080 }],
      volumes: [kplus.Volume.fromHostPath(chart, 'logs', 'logs', { path: '/var/log' })],
    });
    ApiObject.of(chart.node.findChild('agent')).addJsonPatch(
      JsonPatch.add('/spec/template/spec/containers/0/volumeMounts', [{ name: 'logs', mountPath: '/var/log', readOnly: true }]));
    const hardening = RootlessHardening.applyTo(chart, {
      user: 1000,
      objects: { agent: { exemptions: [Exemption.hostPath('reads the node logs', { paths: ['/var/log'] })] } },
    });
    const { result: manifests, count } = evaluations(() => Testing.synth(chart));
    const dep = manifests.find(m => m.kind === 'Deployment');
    // a hostPath volume is not even baseline
    expect(podTemplateOf(dep)!.metadata.annotations[LEVEL]).toBe('privileged');
    expect(hardening.report[0].level).toBe('privileged');
    // restricted first (the usual level), again with privileged; the serialization is the adopted object: no third
    expect(count).toBe(2);
  });

  test('what differs from the adopted object when cdk8s writes it is verified in full: a Lazy value that changes fails synthesis', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const chart = new Chart(app, 'c');
    let renders = 0;
    const raw = deployment('raw');
    raw.spec.template.spec.hostNetwork = Lazy.any({ produce: () => (renders++ === 0 ? undefined : true) });
    new ApiObject(chart, 'raw', raw);
    RootlessHardening.applyTo(chart, { user: 1000 });
    expect(() => app.synth()).toThrow(/\[c\/raw\][^\n]*hostNetwork/);
  });

  test('what applyTo verified cannot be changed through its own patches: a patch value changed after adoption fails synthesis', () => {
    // the patches' values are the hardened object's members; changing one (cdk8s' private state, reachable in JavaScript)
    // must not change what the verification is compared with
    const app = new App({ outdir: Testing.app().outdir });
    const chart = new Chart(app, 'c');
    const obj = new ApiObject(chart, 'raw', deployment('raw'));
    RootlessHardening.applyTo(chart, { user: 1000 });
    let changed = 0;
    new Construct(chart, 'late').node.addValidation({
      validate: () => {
        for (const patch of (obj as any).patches) {
          const op = patch._toJson();
          if (typeof op.value === 'object' && op.value !== null && op.value.allowPrivilegeEscalation === false) {
            op.value.allowPrivilegeEscalation = true;
            changed++;
          }
        }
        return [];
      },
    });
    expect(() => app.synth()).toThrow(/\[c\/raw\][^\n]*allowPrivilegeEscalation/);
    expect(changed).toBeGreaterThan(0);
  });
});

describe('verifyAdoptedAgain', () => {
  test('the adoption verified its object as the patches write it (level annotation included), and found nothing', () => {
    const adoption = hardened(deployment());
    expect(adoption.verified).toBeDefined();
    const written = adoption.verified!.manifest as any;
    expect(podTemplateOf(written)!.metadata.annotations[LEVEL]).toBe('restricted');
    // what the serialization would find on it, level required or not: the same
    for (const required of [true, false]) {
      expect(verifyAdopted(written, adoption.exemptions, required, adoption.tokenTolerated)).toEqual(adoption.verified!.verification);
    }
  });

  test('a manifest equal by value in another key order (and another realm: jest\'s structuredClone) is not evaluated again', () => {
    const adoption = hardened(deployment());
    const reordered = reverseKeys(structuredClone(adoption.verified!.manifest));
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(adoption.verified!.manifest));
    const { result, count } = evaluations(() => verifyAdoptedAgain(reordered, adoption, true));
    expect(count).toBe(0);
    expect(result).toEqual({ errors: [], level: 'restricted' });
  });

  test.each([
    ['a weakened field', (m: any) => { podTemplateOf(m)!.spec.containers[0].securityContext.allowPrivilegeEscalation = true; }, /allowPrivilegeEscalation/],
    ['an undefined member', (m: any) => { podTemplateOf(m)!.spec.hostNetwork = undefined; }, undefined],
    ['a removed level annotation', (m: any) => { delete podTemplateOf(m)!.metadata.annotations[LEVEL]; }, /pss-level is missing/],
    ['another level annotation', (m: any) => { podTemplateOf(m)!.metadata.annotations[LEVEL] = 'privileged'; }, /pss-level says "privileged"/],
    ['an added container', (m: any) => { podTemplateOf(m)!.spec.containers.push({ name: 'side', image: IMAGE }); }, /side/],
  ])('%s: verified in full', (_name, change, error) => {
    const adoption = hardened(deployment());
    const changed = structuredClone(adoption.verified!.manifest) as any;
    change(changed);
    const { result, count } = evaluations(() => verifyAdoptedAgain(changed, adoption, true));
    expect(count).toBe(1);
    if (error) expect(result.errors.join('\n')).toMatch(error);
    else expect(result.errors).toEqual([]);
  });

  test('an adoption that found errors is not reused', () => {
    const m = deployment();
    m.spec.template.spec.hostPID = true;
    const adoption = adopt(m, { writablePaths: [], exemptions: [], user: 1000, dialect: CLI_DIALECT });
    expect(adoption.errors.join('\n')).toMatch(/hostPID/);
    expect(adoption.verified).toBeUndefined();
  });
});

function reverseKeys(x: any): any {
  if (Array.isArray(x)) return x.map(reverseKeys);
  if (typeof x !== 'object' || x === null) return x;
  return Object.fromEntries(Object.keys(x).reverse().map(k => [k, reverseKeys(x[k])]));
}
