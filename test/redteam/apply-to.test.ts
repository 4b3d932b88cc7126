/**
 * Red team of `RootlessHardening.applyTo` (test/redteam/FINDINGS.md, section "applyTo"): every
 * pod-bearing object under the scope is written restricted + the rootless rules (or at the level its
 * declared exemptions say), annotated and verified; or synthesis fails naming it. The findings'
 * tests failed before the fixes; the attacks that held are kept as regression tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Cron, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { REASON, synthesize, writtenProblems } from './helpers';
import { Exemption, RestrictedNamespace, RootlessHardening } from '../../lib';
import { RootlessCronJob, RootlessDaemonSet, RootlessJob } from '../../lib/constructs/plus';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';
import { tempDir } from '../temp-dir';

const EXEMPTIONS = 'rootless.cdk8s.io/exemptions';
const LEVEL = 'rootless.cdk8s.io/pss-level';
const RUNS_AS_1000 = { runAsUser: 1000 };

function rawPod(scope: Construct, id: string, container: any, spec: any = {}, metadata?: any): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [container], ...spec } } as any);
}

function rawDeployment(scope: Construct, id: string, template: any): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'apps/v1', kind: 'Deployment', spec: { selector: { matchLabels: { app: id } }, template } } as any);
}

/** The written objects, with the items of Lists as objects of their own (what kubectl applies). */
function flatten(docs: any[]): any[] {
  return docs.flatMap(d => (typeof d.kind === 'string' && d.kind.endsWith('List') && Array.isArray(d.items) ? d.items : [d]));
}

/** The secure outcome: synthesis fails naming `where`, or everything written (List items too) holds, annotated. */
function expectRefusedNamingOrSound(build: (chart: Chart) => void, where: string): void {
  const r = synthesize(build);
  if (r.error !== undefined) {
    expect(r.error).toContain(where);
    return;
  }
  const written = flatten(r.docs!);
  expect(writtenProblems(written)).toEqual([]);
  for (const d of written.filter(x => podTemplateOf(x))) {
    expect(Object.keys(podTemplateOf(d)!.metadata?.annotations ?? {})).toEqual(expect.arrayContaining([EXEMPTIONS, LEVEL]));
  }
}

/** A pod `web`, and a construct `late` whose validation adds a privileged pod `agent` (once): after applyTo's validation ran. */
function withLateAgent(chart: Chart): void {
  rawPod(chart, 'web', { name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 });
  const late = new Construct(chart, 'late');
  late.node.addValidation({
    validate: () => {
      if (!late.node.tryFindChild('agent')) rawPod(late, 'agent', { name: 'agent', image: 'agent:1', securityContext: { ...RUNS_AS_1000, privileged: true } });
      return [];
    },
  });
}

function includeFile(content: unknown): string {
  const file = path.join(tempDir('redteam-apply-to-'), 'vendor.yaml');
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('applyTo findings', () => {
  test('A1 an Include\'d List: its pod-bearing items were written as they were, unhardened and unverified', () => {
    const list = includeFile({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: 'b' } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 }] } } } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tool' }, spec: { containers: [{ name: 'tool', image: 'tool:1', ports: [{ containerPort: 80 }] }] } },
      ],
    });
    // hardened like top-level objects: the Deployment and the Pod (with the default user and the low-port sysctl)
    const chart = new Chart(Testing.app(), 'c');
    new Include(chart, 'vendor', { url: list });
    const h = RootlessHardening.applyTo(chart, { user: 10001 });
    const [written] = Testing.synth(chart);
    const [config, web, tool] = written.items;
    expect(config).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: 'b' } });
    expect(writtenProblems([web, tool])).toEqual([]);
    expect(web.spec.template.metadata.annotations).toEqual({ [EXEMPTIONS]: '[]', [LEVEL]: 'restricted' });
    expect(web.spec.template.spec.containers[0].securityContext)
      .toMatchObject({ runAsUser: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(tool.metadata.annotations).toEqual({ [EXEMPTIONS]: '[]', [LEVEL]: 'restricted' });
    expect(tool.spec.securityContext).toMatchObject({ runAsUser: 10001, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }] });
    expect(h.report.map(r => [r.path, r.kind, r.level])).toEqual([['c/vendor/object0-list/items[1]', 'Deployment', 'restricted'], ['c/vendor/object0-list/items[2]', 'Pod', 'restricted']]);
    // idempotent
    expect(Testing.synth(chart)).toEqual([written]);

    // what needs a human fails synthesis, naming the List and the item
    const privileged = includeFile({ apiVersion: 'v1', kind: 'PodList', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'a', image: 'x:1', securityContext: { runAsUser: 1000, privileged: true } }] } }] });
    const r = synthesize(c => { new Include(c, 'vendor', { url: privileged }); RootlessHardening.applyTo(c); });
    expect(r.error).toContain('[test/vendor/object0-podlist] items[0] (Pod "x"): container "a": privileged: true');
  });

  test('A2a an object added by a validation that runs after applyTo\'s is written unhardened by Testing.synth (app.synth() validates twice)', () => {
    expectRefusedNamingOrSound(chart => {
      RootlessHardening.applyTo(chart, { user: 10001 });
      withLateAgent(chart);
    }, '[test/late/agent]');
  });

  test('A2b an object added by a validation that runs before applyTo\'s: adopted, but its errors were never reported', () => {
    const app = Testing.app();
    // validated first (construct order): it adds a privileged pod to the chart that applyTo's validation then adopts
    const early = new Construct(app, 'early');
    const chart = new Chart(app, 'c');
    early.node.addValidation({
      validate: () => {
        if (!chart.node.tryFindChild('agent')) rawPod(chart, 'agent', { name: 'agent', image: 'agent:1', securityContext: { ...RUNS_AS_1000, privileged: true } });
        return [];
      },
    });
    rawPod(chart, 'web', { name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 });
    RootlessHardening.applyTo(chart);
    expect(() => Testing.synth(chart)).toThrow(/\[c\/agent\] container "agent": privileged: true/);
  });

  test('A3 an object of a custom resource whose kind is Pod (another API group) is not a pod: applyTo failed synthesis on it', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ApiObject(chart, 'cache', { apiVersion: 'cache.example.com/v1', kind: 'Pod', metadata: { name: 'cache' }, spec: { size: 3 } } as any);
    rawPod(chart, 'web', { name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 });
    RootlessHardening.applyTo(chart);
    const [cache, web] = Testing.synth(chart);
    expect(cache).toEqual({ apiVersion: 'cache.example.com/v1', kind: 'Pod', metadata: { name: 'cache' }, spec: { size: 3 } });
    expect(web.metadata.annotations[LEVEL]).toBe('restricted');
  });

  test('A4 a stale pss-level annotation that came with the object failed synthesis, blaming a change after applyTo', () => {
    const chart = new Chart(Testing.app(), 'c');
    rawPod(chart, 'pod', { name: 'app', image: 'app:1', securityContext: RUNS_AS_1000 }, {}, { annotations: { [LEVEL]: 'privileged' } });
    rawDeployment(chart, 'web', { metadata: { annotations: { [LEVEL]: 'baseline' } }, spec: { containers: [{ name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 }] } });
    RootlessHardening.applyTo(chart);
    const [pod, web] = Testing.synth(chart);
    expect(pod.metadata.annotations[LEVEL]).toBe('restricted');
    expect(web.spec.template.metadata.annotations[LEVEL]).toBe('restricted');
    expect(writtenProblems([pod, web])).toEqual([]);
  });

  test('A5 a later patch that removes a workload\'s level annotation is written without it', () => {
    expectRefusedNamingOrSound(chart => {
      const web = rawDeployment(chart, 'web', { spec: { containers: [{ name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 }] } });
      RootlessHardening.applyTo(chart);
      web.node.addValidation({ validate: () => { web.addJsonPatch(JsonPatch.remove('/spec/template/metadata/annotations/rootless.cdk8s.io~1pss-level')); return []; } });
    }, '[test/web]');
  });

  test('A6 an exemptions annotation that declares one exemption twice is written again as it came', () => {
    const twice = JSON.stringify([{ id: 'hostNetwork', container: null, reason: REASON }, { id: 'hostNetwork', container: null, reason: REASON }]);
    const r = synthesize(chart => {
      rawPod(chart, 'pod', { name: 'app', image: 'app:1', securityContext: RUNS_AS_1000 }, { hostNetwork: true }, { annotations: { [EXEMPTIONS]: twice } });
      RootlessHardening.applyTo(chart);
    });
    expect(r.error).toContain('[test/pod] the rootless.cdk8s.io/exemptions annotation declares hostNetwork twice');
  });

  test('A8 a later addAnnotation of the level key replaced the verification hook: a forged pod and template were written unverified', () => {
    // a raw Pod: hostPID declared with a reason, then the annotations overwritten by a construct validated later
    expectRefusedNamingOrSound(chart => {
      const pod = rawPod(chart, 'pod', { name: 'app', image: 'app:1', securityContext: RUNS_AS_1000 }, { hostPID: true });
      RootlessHardening.applyTo(chart, { objects: { pod: { exemptions: [Exemption.hostPID(REASON)] } } });
      new Construct(chart, 'later').node.addValidation({
        validate: () => {
          pod.metadata.addAnnotation(EXEMPTIONS, '[]');
          pod.metadata.addAnnotation(LEVEL, 'restricted');
          return [];
        },
      });
    }, '[test/pod]');
    // a Deployment: the hook sat in its own metadata; once replaced, a later patch went unverified
    expectRefusedNamingOrSound(chart => {
      const web = rawDeployment(chart, 'web', { spec: { containers: [{ name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 }] } });
      RootlessHardening.applyTo(chart);
      new Construct(chart, 'later').node.addValidation({
        validate: () => {
          web.metadata.addAnnotation(LEVEL, 'restricted');
          web.addJsonPatch(JsonPatch.add('/spec/template/spec/hostPID', true));
          return [];
        },
      });
    }, '[test/web]');
  });

  test.each([
    ['Deployment', (c: Construct) => new kplus.Deployment(c, 'w', { containers: [{ image: 'w:1', securityContext: { user: 1000 } }] })],
    ['Job', (c: Construct) => new kplus.Job(c, 'w', { containers: [{ image: 'w:1', securityContext: { user: 1000 } }] })],
    ['CronJob', (c: Construct) => new kplus.CronJob(c, 'w', { schedule: Cron.daily(), containers: [{ image: 'w:1', securityContext: { user: 1000 } }] })],
    ['DaemonSet', (c: Construct) => new kplus.DaemonSet(c, 'w', { containers: [{ image: 'w:1', securityContext: { user: 1000 } }] })],
    ['raw Pod', (c: Construct) => rawPod(c, 'w', { name: 'main', image: 'w:1', securityContext: RUNS_AS_1000 })],
  ])('A9 a writable path on a cdk8s-plus %s lost its emptyDir size limit (the Kube* classes read quantities as { value })', (_kind, build) => {
    const r = synthesize(chart => { build(chart); RootlessHardening.applyTo(chart, { writablePaths: ['/var/cache/app'] }); });
    const spec = podTemplateOf(r.docs![0])!.spec;
    const mount = spec.containers[0].volumeMounts.find((m: any) => m.mountPath === '/var/cache/app');
    expect(spec.volumes.find((v: any) => v.name === mount.name)).toEqual({ name: mount.name, emptyDir: { sizeLimit: '256Mi' } });
  });

  test('A10 props changed after the call were read at synthesis, unvalidated (a writable path "/", another user)', () => {
    const build = (mutate: boolean) => synthesize(chart => {
      rawPod(chart, 'pod', { name: 'app', image: 'app:1' });
      const props = { user: 10001, writablePaths: ['/var/cache/app'] };
      RootlessHardening.applyTo(chart, props);
      if (mutate) {
        props.writablePaths.push('/');
        props.user = 4242;
      }
    });
    expect(build(true)).toEqual(build(false));
  });

  test('A11 a containerWritablePaths key that names no container of the object was ignored silently', () => {
    const r = synthesize(chart => {
      rawPod(chart, 'pod', { name: 'app', image: 'app:1', securityContext: RUNS_AS_1000 });
      RootlessHardening.applyTo(chart, { objects: { pod: { containerWritablePaths: { nginx: ['/var/cache/nginx'] } } } });
    });
    expect(r.error).toContain("[test/pod] RootlessHardening.applyTo: objects['pod'].containerWritablePaths names container \"nginx\", which the object does not have (containers: app)");
  });

  test('A12 an objects key naming one of the library\'s own workloads was ignored silently; two keys naming one object, misreported', () => {
    const own = synthesize(chart => {
      new RootlessJob(chart, 'migrate', { user: 1000, containers: [{ image: 'migrate:1' }] });
      RootlessHardening.applyTo(chart, { objects: { migrate: { user: 2000 } } });
    });
    expect(own.error).toContain("[test] RootlessHardening.applyTo: objects['migrate'] names test/migrate/Resource, which a construct of this library hardens itself");
    const twice = synthesize(chart => {
      rawPod(chart, 'pod', { name: 'app', image: 'app:1', securityContext: RUNS_AS_1000 });
      RootlessHardening.applyTo(chart, { objects: { 'pod': { user: 2000 }, 'test/pod': { user: 3000 } } });
    });
    expect(twice.error).toContain("[test] RootlessHardening.applyTo: objects['pod'] and objects['test/pod'] name the same object (test/pod)");
  });

  test('A13 an ApiObject class whose toJson ignores cdk8s\' serialization (patches, metadata) was written unhardened and unverified', () => {
    /** e.g. a hand-written class that renders a stored manifest itself */
    class Frozen extends ApiObject {
      public constructor(scope: Construct, id: string, private readonly manifest: any) {
        super(scope, id, manifest);
      }
      public toJson(): any {
        return JSON.parse(JSON.stringify(this.manifest));
      }
    }
    expectRefusedNamingOrSound(chart => {
      new Frozen(chart, 'frozen', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'frozen' }, spec: { containers: [{ name: 'a', image: 'a:1', securityContext: RUNS_AS_1000 }] } });
      RootlessHardening.applyTo(chart);
    }, '[test/frozen]');
  });

  test('A14 a RestrictedNamespace validated before applyTo\'s scope judged the workloads unhardened: synthesis failed on an app applyTo hardens', () => {
    const app = Testing.app();
    const infra = new Chart(app, 'infra');
    new RestrictedNamespace(infra, 'ns', { metadata: { name: 'shop' } });
    const apps = new Chart(app, 'apps', { namespace: 'shop' });
    rawPod(apps, 'pod', { name: 'app', image: 'app:1', securityContext: RUNS_AS_1000 });
    new kplus.Deployment(apps, 'web', { containers: [{ image: 'web:1', securityContext: { user: 1000 } }] });
    RootlessHardening.applyTo(apps);
    const written = Testing.synth(apps);
    expect(writtenProblems(written)).toEqual([]);
    expect(written.map(m => podTemplateOf(m)!.metadata.annotations[LEVEL])).toEqual(['restricted', 'restricted']);
  });

  test('A15 a member set during synthesis where applyTo adds one was overwritten silently (a later mount and its volume were lost)', () => {
    const r = synthesize(chart => {
      const web = new kplus.Deployment(chart, 'web', { containers: [{ image: 'web:1', securityContext: { user: 1000 } }] });
      RootlessHardening.applyTo(chart, { writablePaths: ['/var/cache/web'] });
      new Construct(chart, 'later').node.addValidation({
        validate: () => {
          if (web.containers[0].mounts.length === 0) web.containers[0].mount('/data', kplus.Volume.fromEmptyDir(chart, 'data', 'data'));
          return [];
        },
      });
    });
    if (r.error === undefined) {
      // written: the author's mount, with its volume
      const spec = r.docs![0].spec.template.spec;
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
      expect(spec.volumes).toContainEqual({ name: 'data', emptyDir: {} });
    } else {
      expect(r.error).toContain('[test/web/Resource] /spec/template/spec/containers/0/volumeMounts: a value was set there after RootlessHardening.applyTo hardened the object');
    }
  });

  test('A7 a kind changed by a JSON patch hid a pod from applyTo', () => {
    expectRefusedNamingOrSound(chart => {
      const o = new ApiObject(chart, 'sneaky', { apiVersion: 'v1', kind: 'Template', spec: { containers: [{ name: 'a', image: 'a:1', securityContext: { privileged: true } }] } } as any);
      o.addJsonPatch(JsonPatch.replace('/kind', 'Pod'));
      rawPod(chart, 'web', { name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 });
      RootlessHardening.applyTo(chart);
    }, '[test/sneaky]');
  });
});

describe('applyTo attacks that held', () => {
  test.each([
    ['a "<<" key in a container', { 'name': 'a', 'image': 'a:1', 'securityContext': RUNS_AS_1000, '<<': { securityContext: { privileged: true } } }, {}, 'spec.containers[0].<<: a "<<" key'],
    ['a pod-level runAsUser 0 under containers of UID 1000', { name: 'a', image: 'a:1', securityContext: RUNS_AS_1000 }, { securityContext: { runAsUser: 0 } }, 'pod must not set runAsUser=0'],
    ['a privileged ephemeral container', { name: 'a', image: 'a:1', securityContext: RUNS_AS_1000 }, { ephemeralContainers: [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }] }, 'container "debug": privileged: true'],
    ['containers without names', { image: 'a:1', securityContext: RUNS_AS_1000 }, {}, 'spec.containers[0].name is missing'],
    ['a hostPort', { name: 'a', image: 'a:1', securityContext: RUNS_AS_1000, ports: [{ containerPort: 8080, hostPort: 8080 }] }, {}, 'hostPort 8080'],
  ])('%s fails synthesis, naming the object', (_name, container, spec, expected) => {
    const r = synthesize(chart => { rawPod(chart, 'pod', container, spec); RootlessHardening.applyTo(chart, { user: 10001 }); });
    expect(r.error).toContain('[test/pod]');
    expect(r.error).toContain(expected);
  });

  test('exemptions naming a container the pod does not have (in props or in the annotation) fail synthesis', () => {
    const inProps = synthesize(chart => {
      rawPod(chart, 'pod', { name: 'a', image: 'a:1', securityContext: { ...RUNS_AS_1000, privileged: true } });
      RootlessHardening.applyTo(chart, { objects: { pod: { exemptions: [Exemption.privileged(REASON, { container: 'ghost' })] } } });
    });
    expect(inProps.error).toContain('[test/pod] exemptions: Exemption.privileged() for container "ghost" names a container that is not in the pod');
    const inAnnotation = synthesize(chart => {
      rawPod(chart, 'pod', { name: 'a', image: 'a:1', securityContext: RUNS_AS_1000 }, {},
        { annotations: { [EXEMPTIONS]: JSON.stringify([{ id: 'privileged', container: 'ghost', reason: REASON }]) } });
      RootlessHardening.applyTo(chart);
    });
    expect(inAnnotation.error).toContain('[test/pod] annotation rootless.cdk8s.io/exemptions[0] (privileged for container "ghost") names a container the pod does not have (containers: a)');
  });

  test('an exemptions annotation on the Deployment itself (not its template) exempts nothing', () => {
    const r = synthesize(chart => {
      new ApiObject(chart, 'web', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { annotations: { [EXEMPTIONS]: JSON.stringify([{ id: 'hostNetwork', container: null, reason: REASON }]) } },
        spec: { selector: {}, template: { spec: { hostNetwork: true, containers: [{ name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 }] } } },
      } as any);
      RootlessHardening.applyTo(chart);
    });
    expect(r.error).toContain('[test/web] pod: hostNetwork: true shares the node\'s namespace');
  });

  test('a Windows pod gets no Linux-only field and is verified', () => {
    const r = synthesize(chart => {
      rawPod(chart, 'win', { name: 'app', image: 'app:1', securityContext: { windowsOptions: { runAsUserName: 'ContainerUser' } } }, { os: { name: 'windows' } });
      RootlessHardening.applyTo(chart, { user: 10001 });
    });
    const [pod] = r.docs!;
    expect(pod.spec.containers[0].securityContext).toEqual({ windowsOptions: { runAsUserName: 'ContainerUser' }, runAsNonRoot: true });
    expect(pod.spec.securityContext).toBeUndefined();
    expect(writtenProblems(r.docs!)).toEqual([]);
  });

  test('the library\'s own workloads under a plain construct are left as they are', () => {
    const build = (harden: boolean) => synthesize(chart => {
      const group = new Construct(chart, 'group');
      new RootlessJob(group, 'job', { user: 1000, containers: [{ image: 'job:1' }] });
      new RootlessCronJob(group, 'cron', { user: 1000, schedule: Cron.daily(), containers: [{ image: 'cron:1' }] });
      new RootlessDaemonSet(group, 'agent', { user: 1000, containers: [{ image: 'agent:1' }] });
      if (harden) RootlessHardening.applyTo(chart);
    }).docs;
    expect(build(true)).toEqual(build(false));
  });

  test('a kplus Deployment with spread and colocate keeps each affinity term once', () => {
    const build = (harden: boolean) => synthesize(chart => {
      const web = new kplus.Deployment(chart, 'web', { spread: true, containers: [{ image: 'web:1', securityContext: { user: 1000 } }] });
      const cache = new kplus.Deployment(chart, 'cache', { containers: [{ image: 'cache:1', securityContext: { user: 1000 } }] });
      web.scheduling.colocate(cache);
      if (harden) RootlessHardening.applyTo(chart);
    }).docs![0].spec.template.spec.affinity;
    expect(build(true)).toEqual(build(false));
    expect(build(true).podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(2);
  });

  test('Include\'d YAML 1.1: a "<<" merge key and "yes" are read as kubectl reads them (privileged, hostNetwork: true)', () => {
    const file = path.join(tempDir('redteam-apply-to-'), 'merge.yaml');
    fs.writeFileSync(file, ['apiVersion: v1', 'kind: Pod', 'metadata: { name: m }', 'x-base: &base { privileged: true }', 'spec:', '  hostNetwork: yes',
      '  containers:', '  - name: a', '    image: a:1', '    securityContext:', '      <<: *base', '      runAsUser: 1000', ''].join('\n'));
    const r = synthesize(chart => { new Include(chart, 'vendor', { url: file }); RootlessHardening.applyTo(chart); });
    expect(r.error).toContain('[test/vendor/m-pod] container "a": privileged: true');
    expect(r.error).toContain('[test/vendor/m-pod] pod: hostNetwork: true');
  });

  test('CDK8S_DISABLE_SORT changes no field applyTo writes', () => {
    const build = () => synthesize(chart => {
      new kplus.Deployment(chart, 'web', { spread: true, containers: [{ image: 'web:1', portNumber: 80, securityContext: { user: 1000 } }] });
      rawPod(chart, 'pod', { name: 'app', image: 'app:1', ports: [{ containerPort: 443 }] });
      RootlessHardening.applyTo(chart, { user: 10001, writablePaths: ['/var/cache/app'] });
    }).docs!;
    const sorted = build();
    process.env.CDK8S_DISABLE_SORT = 'true';
    try {
      const unsorted = build();
      expect(unsorted).toEqual(sorted);
      expect(writtenProblems(unsorted)).toEqual([]);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test.each([
    ['PodTemplate', 'v1', (spec: any) => ({ template: { spec } })],
    ['ReplicationController', 'v1', (spec: any) => ({ spec: { template: { spec } } })],
    ['ReplicaSet', 'extensions/v1beta1', (spec: any) => ({ spec: { template: { spec } } })],
    ['DaemonSet', 'extensions/v1beta1', (spec: any) => ({ spec: { template: { spec } } })],
  ])('a raw %s (%s) is hardened and annotated on its template', (kind, apiVersion, body) => {
    const r = synthesize(chart => {
      new ApiObject(chart, 'obj', { apiVersion, kind, ...body({ containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 80 }] }] }) } as any);
      RootlessHardening.applyTo(chart, { user: 10001 });
    });
    const [written] = r.docs!;
    expect(writtenProblems([written])).toEqual([]);
    expect(podTemplateOf(written)!.metadata.annotations).toEqual({ [EXEMPTIONS]: '[]', [LEVEL]: 'restricted' });
    expect(podTemplateOf(written)!.spec.securityContext).toMatchObject({ runAsUser: 10001, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }] });
  });

  test('a later patch that weakens the template and rewrites both annotations to match is refused (the exemptions were fixed at adoption)', () => {
    const forged = JSON.stringify([{ id: 'hostPID', container: null, reason: REASON }]);
    expectRefusedNamingOrSound(chart => {
      const web = rawDeployment(chart, 'web', { spec: { containers: [{ name: 'web', image: 'web:1', securityContext: RUNS_AS_1000 }] } });
      RootlessHardening.applyTo(chart);
      new Construct(chart, 'later').node.addValidation({
        validate: () => {
          web.addJsonPatch(JsonPatch.add('/spec/template/spec/hostPID', true),
            JsonPatch.replace('/spec/template/metadata/annotations', { [EXEMPTIONS]: forged, [LEVEL]: 'baseline' }));
          return [];
        },
      });
    }, '[test/web]');
  });

  test('app.synth() refuses an object added by a late validation too', () => {
    const app = new App({ outdir: tempDir('redteam-apply-to-') });
    const chart = new Chart(app, 'c');
    RootlessHardening.applyTo(chart);
    withLateAgent(chart);
    expect(() => app.synth()).toThrow(/\[c\/late\/agent\].*privileged/s);
  });
});
