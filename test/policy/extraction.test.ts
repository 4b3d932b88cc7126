/**
 * Pod template extraction for every workload kind, non-applicable kinds, and malformed input.
 */
import { evaluate, hardenedContainer, hardenedPod, violationOf, workload } from './fixtures';
import { PodSecurity, PolicyLevel } from '../../lib/policy';

const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'PodTemplate'];

function template(mutateSpec: (spec: any) => void = () => {}, metadata: any = { labels: { app: 'x' } }) {
  const spec = hardenedPod().spec;
  mutateSpec(spec);
  return { metadata, spec };
}

describe('workload kinds', () => {
  test.each(KINDS)('%s: a hardened template is allowed', kind => {
    expect(evaluate(workload(kind, template()))).toMatchObject({ allowed: true, applicable: true, violations: [] });
  });
  test.each(KINDS)('%s: the template spec is evaluated', kind => {
    const r = evaluate(workload(kind, template(s => { s.containers[0].securityContext.privileged = true; })), PolicyLevel.BASELINE);
    expect(r.allowed).toBe(false);
    expect(violationOf(r, 'privileged').detail).toBe('container "app" must not set securityContext.privileged=true');
  });
  test.each(KINDS)('%s: template annotations count, the workload\'s own annotations do not', kind => {
    const unconfined = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' };
    const onWorkload = workload(kind, template());
    onWorkload.metadata.annotations = unconfined;
    expect(evaluate(onWorkload).allowed).toBe(true);
    expect(evaluate(workload(kind, template(undefined, { annotations: unconfined }))).violations.map(v => v.check)).toEqual(['appArmorProfile']);
  });
  test('a Pod is evaluated on its own metadata and spec', () => {
    const pod = hardenedPod();
    pod.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' };
    expect(evaluate(pod).violations.map(v => v.check)).toEqual(['appArmorProfile']);
  });
  test.each(['apps/v1', 'extensions/v1beta1', undefined])('a Deployment of apiVersion %p is applicable', apiVersion => {
    const d = workload('Deployment', template(s => { s.hostNetwork = true; }));
    d.apiVersion = apiVersion;
    expect(evaluate(d)).toMatchObject({ applicable: true, allowed: false });
  });
});

describe('non-applicable objects', () => {
  test.each([
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } },
    { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } },
    { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', spec: {} },
    // same kind name, other API group: not a batch Job
    { apiVersion: 'batch.volcano.sh/v1alpha1', kind: 'Job', spec: { tasks: [] } },
    { apiVersion: 'example.com/v1', kind: 'Pod', spec: 'whatever' },
    { apiVersion: 'v1', kind: 'constructor' },
  ])('$kind ($apiVersion) is allowed and not applicable', manifest => {
    for (const level of Object.values(PolicyLevel)) {
      expect(PodSecurity.evaluate(manifest, { level })).toEqual({
        allowed: true, applicable: false, level, version: PodSecurity.latestVersion(), violations: [], malformed: undefined,
      });
    }
  });
});

describe('malformed input never throws and says what is malformed', () => {
  const pod = (spec: any) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
  test.each<[string, any, string]>([
    ['null', null, 'manifest is not an object (got null)'],
    ['an array', [hardenedPod()], 'manifest is not an object (got an array)'],
    ['a string', 'kind: Pod', 'manifest is not an object (got a string)'],
    ['a number', 5, 'manifest is not an object (got a number)'],
    ['undefined', undefined, 'manifest is not an object (got undefined)'],
    ['no kind', { apiVersion: 'v1', spec: {} }, 'kind is missing'],
    ['a non-string kind', { kind: 42 }, 'kind is not a string'],
    ['a Pod without spec', { apiVersion: 'v1', kind: 'Pod' }, 'spec is missing'],
    ['a Pod with a string spec', pod('x'), 'spec is not an object'],
    ['a Deployment without template', { apiVersion: 'apps/v1', kind: 'Deployment', spec: {} }, 'spec.template is missing'],
    ['a Deployment with an array template', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: [] } }, 'spec.template is not an object'],
    ['a CronJob without jobTemplate', { apiVersion: 'batch/v1', kind: 'CronJob', spec: { schedule: '@daily' } }, 'spec.jobTemplate is missing'],
    ['a PodTemplate without template spec', { apiVersion: 'v1', kind: 'PodTemplate', template: { metadata: {} } }, 'template.spec is missing'],
    ['containers = "x"', pod({ containers: 'x' }), 'spec.containers is not an array'],
    ['no containers', pod({}), 'spec.containers is missing'],
    ['container = 5', pod({ containers: [hardenedContainer('a'), 5] }), 'spec.containers[1] is not an object'],
    ['a container without name', pod({ containers: [{ image: 'x' }] }), 'spec.containers[0].name is missing'],
    ['securityContext = "x"', pod({ containers: [{ name: 'a', securityContext: 'x' }] }), 'spec.containers[0].securityContext is not an object'],
    ['capabilities.drop = "ALL"', pod({ containers: [{ name: 'a', securityContext: { capabilities: { drop: 'ALL' } } }] }),
      'spec.containers[0].securityContext.capabilities.drop is not an array'],
    ['runAsUser = "0"', pod({ securityContext: { runAsUser: '0' }, containers: [] }), 'spec.securityContext.runAsUser is not an integer'],
    ['runAsNonRoot = "true"', pod({ securityContext: { runAsNonRoot: 'true' }, containers: [] }), 'spec.securityContext.runAsNonRoot is not a boolean'],
    ['hostPort = "80"', pod({ containers: [{ name: 'a', ports: [{ hostPort: '80' }] }] }), 'spec.containers[0].ports[0].hostPort is not an integer'],
    ['volumes = {}', pod({ containers: [], volumes: {} }), 'spec.volumes is not an array'],
    ['a volume with two sources', pod({ containers: [], volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/' } }] }),
      'spec.volumes[0] sets more than one volume source (emptyDir, hostPath)'],
    ['a sysctl without name', pod({ securityContext: { sysctls: [{ value: '1' }] }, containers: [] }), 'spec.securityContext.sysctls[0].name is missing'],
    ['a non-string annotation', { apiVersion: 'v1', kind: 'Pod', metadata: { annotations: { a: 1 } }, spec: { containers: [] } },
      'metadata.annotations["a"] is not a string'],
    ['template metadata = "x"', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { metadata: 'x', spec: { containers: [] } } } },
      'spec.template.metadata is not an object'],
    ['a nested container = 5', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: [hardenedContainer('a'), 5] } } } },
      'spec.template.spec.containers[1] is not an object'],
    ['seccompProfile = "RuntimeDefault"', pod({ securityContext: { seccompProfile: 'RuntimeDefault' }, containers: [] }),
      'spec.securityContext.seccompProfile is not an object'],
  ])('%s', (_name, manifest, expected) => {
    for (const level of Object.values(PolicyLevel)) {
      const r = PodSecurity.evaluate(manifest, { level });
      expect(r).toMatchObject({ allowed: false, applicable: true, level });
      expect(r.malformed).toContain(expected);
    }
    expect(PodSecurity.strictestLevel(manifest)).toBe(PolicyLevel.PRIVILEGED);
  });

  test('the checks still evaluate the well-formed parts', () => {
    const r = evaluate({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { template: { spec: { hostIPC: 'yes', containers: [5, { name: 'app', securityContext: { privileged: true, capabilities: { drop: 'ALL' } } }] } } },
    });
    expect(r.malformed).toBe('spec.template.spec.hostIPC is not a boolean; spec.template.spec.containers[0] is not an object; '
      + 'spec.template.spec.containers[1].securityContext.capabilities.drop is not an array');
    expect(r.violations.map(v => v.check)).toEqual(['privileged', 'allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted']);
  });

  test('null fields count as unset, not as malformed', () => {
    const p = hardenedPod();
    Object.assign(p.spec, { hostNetwork: null, volumes: null, initContainers: null, ephemeralContainers: null });
    p.metadata.annotations = null;
    p.spec.containers[0].securityContext.seLinuxOptions = null;
    expect(evaluate(p)).toMatchObject({ allowed: true, malformed: undefined });
  });

  test('null list items are malformed and dropped; the rest is still evaluated', () => {
    const r = evaluate({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [null, { name: 'app', securityContext: { privileged: true } }] } },
      PolicyLevel.BASELINE);
    expect(r.malformed).toBe('spec.containers[0] is not an object');
    expect(violationOf(r, 'privileged').containers).toEqual(['app']);
  });

  test('inherited properties are never read', () => {
    const sc = Object.create({ privileged: true, allowPrivilegeEscalation: true });
    const p = hardenedPod();
    Object.assign(sc, p.spec.containers[0].securityContext);
    p.spec.containers[0].securityContext = sc;
    p.spec.containers[0].securityContext.capabilities = Object.create({ add: ['SYS_ADMIN'] }, { drop: { value: ['ALL'], enumerable: true } });
    expect(evaluate(p)).toMatchObject({ allowed: true, malformed: undefined, violations: [] });
  });

  test('malformed fields are dropped from a copy, never from the manifest', () => {
    const p = hardenedPod();
    p.spec.hostIPC = 'yes';
    p.spec.containers[0].securityContext.runAsUser = '0';
    p.spec.volumes = [{ emptyDir: {} }];
    const before = JSON.stringify(p);
    const r = evaluate(p);
    expect(r.malformed).toBe('spec.hostIPC is not a boolean; spec.volumes[0].name is missing; spec.containers[0].securityContext.runAsUser is not an integer');
    expect(r.violations).toEqual([]);
    expect(JSON.stringify(p)).toBe(before);
  });

  test('a missing container name is shown by its path', () => {
    const r = evaluate({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ image: 'x', securityContext: { privileged: true } }] } }, PolicyLevel.BASELINE);
    expect(violationOf(r, 'privileged').containers).toEqual(['spec.containers[0]']);
  });

  test('hostile objects do not throw', () => {
    const throwing = { kind: 'Pod', get spec(): any { throw new Error('boom'); } };
    expect(evaluate(throwing)).toMatchObject({ allowed: false, applicable: true, malformed: 'manifest could not be read: boom' });
    const cyclic: any = hardenedPod();
    cyclic.spec.containers[0].self = cyclic;
    expect(evaluate(cyclic).allowed).toBe(true);
    const protoKeys = JSON.parse('{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"a","__proto__":{"securityContext":{"privileged":true}}}]}}');
    expect(() => evaluate(protoKeys)).not.toThrow();
  });
});
