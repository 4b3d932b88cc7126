/**
 * RootlessHardening.applyTo: an existing cdk8s app (plain cdk8s-plus workloads, raw ApiObjects,
 * Include'd YAML) hardened in code, with explicit checks of the security fields, idempotency,
 * the bad inputs and attempts to get a weakening past it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Cron, Include, JsonPatch, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Exemption, RootlessHardening } from '../../../lib';
import { RootlessDeployment } from '../../../lib/constructs/plus';
import { declaredExemptions } from '../../../lib/exemptions/declared';
import { judge } from '../../../lib/hardening/verify';
import { podTemplateOf } from '../../../lib/policy/k8s-shapes';
import { tempDir } from '../../temp-dir';

const EXEMPTIONS = 'rootless.cdk8s.io/exemptions';
const LEVEL = 'rootless.cdk8s.io/pss-level';

/** A plain cdk8s-plus app as teams have them: Deployment, Job, CronJob and a raw Pod. */
function plainChart(app = Testing.app(), id = 'shop'): Chart {
  const chart = new Chart(app, id);
  new kplus.Deployment(chart, 'web', { containers: [{ image: 'registry.example.com/web:1', portNumber: 8080, securityContext: { user: 1000 } }] });
  new kplus.Job(chart, 'migrate', { containers: [{ image: 'registry.example.com/migrate:1', securityContext: { user: 1000 } }] });
  new kplus.CronJob(chart, 'nightly', { schedule: Cron.daily(), containers: [{ image: 'registry.example.com/batch:1' }] });
  rawPod(chart, 'debug', { name: 'app', image: 'registry.example.com/app:1', ports: [{ containerPort: 443 }] });
  return chart;
}

function rawPod(scope: Chart, id: string, container: any, spec: any = {}): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind: 'Pod', spec: { containers: [container], ...spec } } as any);
}

function podSpec(m: any): any {
  return podTemplateOf(m)!.spec;
}

/** The verdict the admission policy reaches: restricted + the rootless rules, with the exemptions the annotation declares. */
function verdict(m: any) {
  const declared = declaredExemptions(m);
  expect(declared.problems).toEqual([]);
  return judge(m, declared.exemptions);
}

function synthError(chart: Chart): string {
  try {
    Testing.synth(chart);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('synthesis did not fail');
}

describe('a plain cdk8s-plus chart, one call', () => {
  test('every pod-bearing object comes out restricted, annotated, with the hardened fields explicit', () => {
    const chart = plainChart();
    RootlessHardening.applyTo(chart, { user: 10001 });
    const out = Testing.synth(chart);
    expect(out.map(m => m.kind)).toEqual(['Deployment', 'Job', 'CronJob', 'Pod']);
    for (const m of out) {
      const template = podTemplateOf(m)!;
      expect(template.metadata.annotations[EXEMPTIONS]).toBe('[]');
      expect(template.metadata.annotations[LEVEL]).toBe('restricted');
      const v = verdict(m);
      expect(v.uncovered.violations).toEqual([]);
      expect(v.rootless).toEqual([]);
      const spec = template.spec;
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
        });
        expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
      }
    }
  });

  test('known users are kept; the default user goes only where no user is known', () => {
    const out = Testing.synth(withHardening(plainChart(), { user: 10001 }));
    const [web, job, cron, pod] = out.map(podSpec);
    expect(web.containers[0].securityContext.runAsUser).toBe(1000);
    expect(job.containers[0].securityContext.runAsUser).toBe(1000);
    // cdk8s-plus sets runAsNonRoot: true without a user, which says nothing about the image (issue 20, point 3): the default user
    expect(cron.containers[0].securityContext.runAsUser).toBeUndefined();
    expect(cron.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
    // the raw pod had no user at all: the default user
    expect(pod.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
  });

  test('a raw pod gets a read-only root with an emptyDir at /tmp, and the low-port sysctl', () => {
    const pod = Testing.synth(withHardening(plainChart(), { user: 10001 }))[3];
    expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: 'app-tmp', mountPath: '/tmp' }]);
    expect(pod.spec.volumes).toEqual([{ name: 'app-tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(pod.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '443' }]);
    expect(pod.metadata.annotations).toEqual({ [EXEMPTIONS]: '[]', [LEVEL]: 'restricted' });
  });

  test('the report says what was added, per object', () => {
    const chart = plainChart();
    const h = RootlessHardening.applyTo(chart, { user: 10001 });
    expect(h.report).toEqual([]);
    Testing.synth(chart);
    expect(h.report.map(r => [r.path, r.kind, r.level])).toEqual([
      ['shop/web/Resource', 'Deployment', 'restricted'], ['shop/migrate/Resource', 'Job', 'restricted'],
      ['shop/nightly/Resource', 'CronJob', 'restricted'], ['shop/debug', 'Pod', 'restricted'],
    ]);
    expect(h.report[3].changes.join('\n')).toContain('sysctl net.ipv4.ip_unprivileged_port_start=443');
    expect(h.report[3].notes.join('\n')).toContain('the root filesystem is now read-only; writable: /tmp');
  });
});

function withHardening(chart: Chart, props = {}): Chart {
  RootlessHardening.applyTo(chart, props);
  return chart;
}

describe('idempotent', () => {
  test('synthesizing twice, calling twice, or on the app and the chart gives the same manifests', () => {
    const once = Testing.synth(withHardening(plainChart(), { user: 10001 }));
    const chart = withHardening(plainChart(), { user: 10001 });
    expect(Testing.synth(chart)).toEqual(once);
    expect(Testing.synth(chart)).toEqual(once);
    const twice = plainChart();
    RootlessHardening.applyTo(twice, { user: 10001 });
    RootlessHardening.applyTo(twice, { user: 10001 });
    expect(Testing.synth(twice)).toEqual(once);
    const app = Testing.app();
    const nested = plainChart(app);
    RootlessHardening.applyTo(app, { user: 10001 });
    RootlessHardening.applyTo(nested, { user: 4242 });
    // the app's call reaches the objects first (validation runs parents first): its user wins, once
    expect(Testing.synth(nested)).toEqual(once);
  });

  test('app.synth() writes what Testing.synth returns', () => {
    const outdir = tempDir('apply-to-');
    const app = new App({ outdir });
    const chart = withHardening(plainChart(app), { user: 10001 });
    app.synth();
    const written = fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8');
    expect(written.match(/net.ipv4.ip_unprivileged_port_start/g)).toHaveLength(1);
    expect(written.match(/pss-level: restricted/g)).toHaveLength(4);
    expect(Testing.synth(chart).length).toBe(4);
  });

  test('objects of this library are left as they are', () => {
    const build = (harden: boolean) => {
      const chart = new Chart(Testing.app(), 'c');
      new RootlessDeployment(chart, 'api', { user: 1000, containers: [{ image: 'registry.example.com/api:1', portNumber: 8080 }] });
      rawPod(chart, 'raw', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } });
      if (harden) RootlessHardening.applyTo(chart);
      return Testing.synth(chart);
    };
    expect(build(true)[0]).toEqual(build(false)[0]);
    expect(build(true)[1]).not.toEqual(build(false)[1]);
  });
});

describe('what it reaches', () => {
  test('objects added after the call, and objects of Include\'d YAML', () => {
    const dir = tempDir('apply-to-');
    const file = path.join(dir, 'vendor.yaml');
    fs.writeFileSync(file, [
      'apiVersion: apps/v1', 'kind: DaemonSet', 'metadata: { name: agent }',
      'spec:', '  selector: { matchLabels: { app: agent } }', '  template:', '    metadata: { labels: { app: agent } }',
      '    spec:', '      containers:', '      - name: agent', '        image: vendor/agent:2', '        securityContext: { runAsUser: 2000 }',
      '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: settings }', 'data: { a: b }', '',
    ].join('\n'));
    const chart = new Chart(Testing.app(), 'c');
    RootlessHardening.applyTo(chart);
    new Include(chart, 'vendor', { url: file });
    rawPod(chart, 'later', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } });
    const out = Testing.synth(chart);
    const agent = out.find(m => m.kind === 'DaemonSet');
    const agentContainer = agent.spec.template.spec.containers[0];
    expect(agentContainer.securityContext).toMatchObject({ runAsUser: 2000, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(verdict(agent).allowed).toBe(true);
    expect(verdict(out.find(m => m.kind === 'Pod')).allowed).toBe(true);
    expect(out.find(m => m.kind === 'ConfigMap')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: 'b' } });
  });
});

describe('what needs a human fails synthesis, naming the object, the field and the fix', () => {
  test('an unknown user', () => {
    const chart = new Chart(Testing.app(), 'c');
    rawPod(chart, 'p', { name: 'app', image: 'registry.example.com/app:1' });
    RootlessHardening.applyTo(chart);
    const e = synthError(chart);
    expect(e).toContain('[c/p] container "app": no numeric user is known for image "registry.example.com/app:1"');
    // every fix, naming this object and container
    for (const fix of ["objects['p'].containers['app'].user", "objects['p'].user", 'imageUsers', 'nonRootImages', 'props.user']) expect(e).toContain(fix);
  });

  test.each([
    ['privileged', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000, privileged: true } }, {}, 'privileged: true gives it the node\'s full privileges'],
    ['hostPath', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } }, { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }, 'volume "logs" is a hostPath (/var/log)'],
    ['hostNetwork', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } }, { hostNetwork: true }, 'hostNetwork: true shares the node\'s namespace'],
    ['hostPID', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } }, { hostPID: true }, 'hostPID: true shares the node\'s namespace'],
    ['root', { name: 'app', image: 'x:1', securityContext: { runAsUser: 0 } }, {}, 'runs as root (runAsUser 0)'],
    ['capabilities', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000, capabilities: { add: ['NET_ADMIN'] } } }, {}, 'adds capabilities NET_ADMIN'],
    ['escalation', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000, allowPrivilegeEscalation: true } }, {}, 'allowPrivilegeEscalation: true'],
    ['writable root', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000, readOnlyRootFilesystem: false } }, {}, 'readOnlyRootFilesystem'],
  ])('%s', (_name, container, spec, expected) => {
    const chart = new Chart(Testing.app(), 'c');
    rawPod(chart, 'p', container, spec);
    RootlessHardening.applyTo(chart, { user: 10001 });
    const e = synthError(chart);
    expect(e).toContain('[c/p]');
    expect(e).toContain(expected);
    expect(e).toContain('Fix:');
  });

  test('a low port on the host network cannot take the sysctl', () => {
    const chart = new Chart(Testing.app(), 'c');
    rawPod(chart, 'p', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 }, ports: [{ containerPort: 80 }] }, { hostNetwork: true });
    RootlessHardening.applyTo(chart, { objects: { p: { exemptions: [Exemption.hostNetwork('binds the node address for the VRRP agent')] } } });
    const e = synthError(chart);
    expect(e).toContain('container "app": port 80 is below 1024');
    expect(e).not.toContain('net.ipv4.ip_unprivileged_port_start=');
  });
});

describe('exemptions keep what they relax, with a reason, annotated and verified', () => {
  test('a log shipper keeps its hostPath; its level is honestly privileged', () => {
    const chart = new Chart(Testing.app(), 'c');
    rawPod(chart, 'shipper', { name: 'ship', image: 'x:1', securityContext: { runAsUser: 1000 }, volumeMounts: [{ name: 'logs', mountPath: '/var/log', readOnly: true }] },
      { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] });
    RootlessHardening.applyTo(chart, { objects: { shipper: { exemptions: [Exemption.hostPath('ships the node logs to the central store', { paths: ['/var/log'] })] } } });
    const [pod] = Testing.synth(chart);
    expect(pod.metadata.annotations[LEVEL]).toBe('privileged');
    expect(JSON.parse(pod.metadata.annotations[EXEMPTIONS])).toEqual([{ id: 'hostPath', container: null, paths: ['/var/log'], writable: false, reason: 'ships the node logs to the central store' }]);
    expect(verdict(pod).allowed).toBe(true);
    const shipper = pod.spec.containers[0];
    expect(shipper.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
  });

  test('writableRootFilesystem and serviceAccountToken stop applyTo from adding what they relax', () => {
    const chart = new Chart(Testing.app(), 'c');
    rawPod(chart, 'op', { name: 'op', image: 'x:1', securityContext: { runAsUser: 1000 } });
    RootlessHardening.applyTo(chart, {
      objects: {
        op: {
          exemptions: [
            Exemption.writableRootFilesystem('the legacy operator unpacks plugins into its own tree', { container: 'op' }),
            Exemption.serviceAccountToken('the operator watches its custom resources'),
          ],
        },
      },
    });
    const [pod] = Testing.synth(chart);
    expect(pod.spec.automountServiceAccountToken).toBeUndefined();
    expect(pod.spec.containers[0].securityContext.readOnlyRootFilesystem).toBeUndefined();
    expect(pod.spec.volumes).toBeUndefined();
    expect(pod.metadata.annotations[LEVEL]).toBe('restricted');
    expect(verdict(pod).allowed).toBe(true);
    // without the exemptions, the same object is not accepted as is
    expect(judge(pod, []).allowed).toBe(false);
  });

  test('runAsRoot keeps a root container and says runAsNonRoot: false over the pod\'s true', () => {
    const chart = new Chart(Testing.app(), 'c');
    new kplus.Deployment(chart, 'legacy', { containers: [{ image: 'x:1', securityContext: { user: 0, ensureNonRoot: false } }] });
    RootlessHardening.applyTo(chart, { objects: { legacy: { exemptions: [Exemption.runAsRoot('the vendor image chowns its data at start', { container: 'main' })] } } });
    const [d] = Testing.synth(chart);
    const c = d.spec.template.spec.containers[0];
    expect(c.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
    expect(d.spec.template.metadata.annotations[LEVEL]).toBe('baseline');
    expect(verdict(d).allowed).toBe(true);
  });

  test('an exemption that covers nothing fails, naming it', () => {
    const chart = new Chart(Testing.app(), 'c');
    rawPod(chart, 'p', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } });
    RootlessHardening.applyTo(chart, { objects: { p: { exemptions: [Exemption.hostPath('reads the node logs for shipping', { paths: ['/var/log'] })] } } });
    expect(synthError(chart)).toContain('[c/p] exemptions: Exemption.hostPath({ paths: ["/var/log"] }) covers nothing');
  });

  test('an exemptions annotation already on the template is honoured when valid, and fails synthesis when not', () => {
    const good = JSON.stringify([{ id: 'hostNetwork', container: null, reason: 'binds the node address for the VRRP agent' }]);
    const chart = new Chart(Testing.app(), 'c');
    new ApiObject(chart, 'p', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { annotations: { [EXEMPTIONS]: good } },
      spec: { hostNetwork: true, containers: [{ name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } }] },
    });
    RootlessHardening.applyTo(chart);
    const [pod] = Testing.synth(chart);
    expect(pod.metadata.annotations[EXEMPTIONS]).toBe(good);
    expect(pod.metadata.annotations[LEVEL]).toBe('privileged');

    const todo = JSON.stringify([{ id: 'hostNetwork', container: null, reason: 'TODO: explain why the pod needs hostNetwork' }]);
    const bad = new Chart(Testing.app(), 'c');
    new ApiObject(bad, 'p', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { annotations: { [EXEMPTIONS]: todo } },
      spec: { hostNetwork: true, containers: [{ name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } }] },
    });
    RootlessHardening.applyTo(bad);
    const e = synthError(bad);
    expect(e).toContain('[c/p]');
    expect(e).toContain('hostNetwork: true shares the node\'s namespace');
  });
});

describe('a weakening added after applyTo does not get past it', () => {
  test('a JSON patch added by a later validation', () => {
    const chart = new Chart(Testing.app(), 'c');
    const pod = rawPod(chart, 'p', { name: 'app', image: 'x:1', securityContext: { runAsUser: 1000 } });
    RootlessHardening.applyTo(chart);
    // a construct validated after the chart's (children after parents) patches the object
    pod.node.addValidation({ validate: () => { pod.addJsonPatch(JsonPatch.replace('/spec/containers/0/securityContext/allowPrivilegeEscalation', true)); return []; } });
    expect(synthError(chart)).toMatch(/\[c\/p\].*allowPrivilegeEscalation/s);
  });

  test('a Lazy value that turns privileged on after the validation', () => {
    const chart = new Chart(Testing.app(), 'c');
    let validated = false;
    chart.node.addValidation({ validate: () => { validated = true; return []; } });
    new ApiObject(chart, 'p', {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: { containers: [{ name: 'app', image: 'x:1', securityContext: { runAsUser: 1000, privileged: Lazy.any({ produce: () => (validated ? true : undefined) }) } }] },
    } as any);
    RootlessHardening.applyTo(chart);
    // rendered during the validation, privileged was unset: the verification at serialization sees it
    expect(synthError(chart)).toMatch(/\[c\/p\].*privileged/s);
  });
});

describe('bad input', () => {
  test('props: a root or non-numeric user, relative paths, not an Exemption, a bad container name', () => {
    const chart = new Chart(Testing.app(), 'c');
    expect(() => RootlessHardening.applyTo(chart, {
      user: 0,
      group: 1.5,
      writablePaths: ['var/cache'],
      objects: { p: { exemptions: [{ kind: 'hostPath', reason: 'looks like one' } as any], containerWritablePaths: { Bad_Name: ['/x'] } } },
    })).toThrow([
      'RootlessHardening.applyTo(c): invalid props:',
      '  props.user: 0 is not a non-root numeric ID. Fix: use an integer in 1..2147483647 (the image\'s numeric USER); to keep a container that runs as root, declare Exemption.runAsRoot(reason, { container }) for its object.',
      '  props.group: 1.5 is not a non-root numeric ID. Fix: use an integer in 1..2147483647 (the image\'s numeric USER); to keep a container that runs as root, declare Exemption.runAsRoot(reason, { container }) for its object.',
      '  props.writablePaths[0]: "var/cache" is not an absolute path. Fix: give an absolute, normalized path such as /var/cache/app.',
      '  props.objects[\'p\'].containerWritablePaths: "Bad_Name" is not a container name. Fix: use the name of a container of the object.',
      '  props.objects[\'p\'].exemptions[0]: not an Exemption. Fix: make it with the Exemption factories, e.g. Exemption.runAsRoot(reason).',
    ].join('\n'));
  });

  test('a placeholder reason is refused at the call', () => {
    const chart = new Chart(Testing.app(), 'c');
    expect(() => RootlessHardening.applyTo(chart, { objects: { p: { exemptions: [Exemption.hostPath('TODO: explain why', { paths: ['/var/log'] })] } } }))
      .toThrow("props.objects['p'].exemptions[0] (Exemption.hostPath({ paths: [\"/var/log\"] })).reason: \"TODO: explain why\" is a placeholder (TODO)");
  });

  test('an object key that names nothing', () => {
    const chart = plainChart();
    RootlessHardening.applyTo(chart, { user: 10001, objects: { wbe: { user: 1000 } } });
    expect(synthError(chart)).toContain("[shop] RootlessHardening.applyTo: objects['wbe'] names no pod-bearing object under shop "
      + '(pod-bearing objects: web, migrate, nightly, debug). Fix: use the construct path of the workload, or remove the key.');
  });

  test('a scope without pod-bearing objects', () => {
    const chart = new Chart(Testing.app(), 'c');
    new kplus.ConfigMap(chart, 'settings', { data: { a: 'b' } });
    RootlessHardening.applyTo(chart);
    expect(synthError(chart)).toContain('[c] RootlessHardening.applyTo: there is no pod-bearing object (Pod, PodTemplate, ReplicationController, ReplicaSet, '
      + 'Deployment, DaemonSet, StatefulSet, Job, CronJob) under c. Fix: call it on the app or the chart that holds the workloads, or remove the call.');
  });

  test('settings for an object another call already hardens', () => {
    const app = Testing.app();
    const chart = plainChart(app);
    RootlessHardening.applyTo(app, { user: 10001 });
    RootlessHardening.applyTo(chart, { objects: { web: { user: 2000 } } });
    expect(synthError(chart)).toContain("objects['web'] names shop/web/Resource, which RootlessHardening.applyTo on the app already hardens. Fix: give its settings in that call.");
  });

  test('a malformed object', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ApiObject(chart, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: 'nope' } } as any);
    RootlessHardening.applyTo(chart, { user: 10001 });
    expect(synthError(chart)).toContain('[c/d] the object has no pod template with a spec (it is malformed)');
  });
});

describe('cdk8s-plus spread', () => {
  test('a plain kplus Deployment with spread: true keeps its two terms once, though applyTo renders it again', () => {
    const build = (harden: boolean) => {
      const app = Testing.app();
      const chart = new Chart(app, 'c');
      new kplus.Deployment(chart, 'web', { spread: true, containers: [{ image: 'x:1', securityContext: { user: 1000 } }] });
      if (harden) RootlessHardening.applyTo(chart);
      return Testing.synth(chart)[0].spec.template.spec.affinity;
    };
    const plain = build(false);
    expect(plain.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(2);
    expect(build(true)).toEqual(plain);
  });
});
