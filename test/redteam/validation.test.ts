/**
 * Red team (FINDINGS.md, "API validation and identity (issue 21)"): API-server validation from the
 * generated schema table, the identity index at synthesis, RestrictedNamespace and List items,
 * capability names as containerd reads them, the Dockerfile USER range. The oracle is Kubernetes'
 * behaviour (API server strict decoding, containerd's setOCICapabilities, containerd/kubelet USER
 * parsing), not the library's code.
 */
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { synthesize } from './helpers';
import { RestrictedNamespace } from '../../lib';
import { auditDockerfile } from '../../lib/cli/dockerfile';
import { RootlessDeployment } from '../../lib/constructs/plus/rootless-deployment';
import { runtimeCapability } from '../../lib/hardening/capabilities';
import { holdsNetBindService } from '../../lib/hardening/runtime-checks';
import { validateApiObject } from '../../lib/policy/schema/validate';
import { cliJson } from '../cli/helpers';
import { hardenedContainer } from '../policy/fixtures';

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec } };
}
const codes = (o: unknown) => validateApiObject(o).problems.map(p => `${p.code} ${p.path}`);

describe('API validation: the API server would reject', () => {
  test('a number where the API reads a string (env value, label value, image) is invalid', () => {
    // the API server's decoder: json: cannot unmarshal number into Go struct field EnvVar.value of type string
    expect(codes(pod({ containers: [{ name: 'app', image: 'nginx', env: [{ name: 'PORT', value: 8080 }] }] })))
      .toContain('type spec.containers[0].env[0].value');
    expect(codes(pod({}, { name: 'p', labels: { version: 1 } }))).toContain('type metadata.labels["version"]');
    expect(codes(pod({ containers: [{ name: 'app', image: 5 }] }))).toContain('type spec.containers[0].image');
    expect(codes(pod({ containers: [{ name: 'app', image: 'nginx', args: ['--port', 80] }] }))).toContain('type spec.containers[0].args[1]');
    expect(codes(pod({ securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: 0 }] } })))
      .toContain('type spec.securityContext.sysctls[0].value');
  });
  test('a number beyond 32 bits in an int32 field, or a fraction in an int-or-string, is invalid', () => {
    // json: cannot unmarshal number 4294967376 into Go struct field ContainerPort.containerPort of type int32
    expect(codes(pod({ containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 4294967376 }] }] })))
      .toContain('type spec.containers[0].ports[0].containerPort');
    expect(codes(pod({ containers: [{ name: 'app', image: 'nginx', livenessProbe: { tcpSocket: { port: 80.5 } } }] })))
      .toContain('type spec.containers[0].livenessProbe.tcpSocket.port');
    // int64 fields hold more: terminationGracePeriodSeconds of 2^32 is valid
    expect(codes(pod({ terminationGracePeriodSeconds: 4294967296 }))).toEqual([]);
  });
});

describe('API validation: held (valid objects stay valid)', () => {
  test('quantities as numbers, int-or-string ports, status, metadata fields', () => {
    expect(codes(pod({
      containers: [{
        name: 'app',
        image: 'nginx',
        resources: { limits: { cpu: 0.5, memory: 1e9 }, requests: { cpu: '100m' } },
        ports: [{ containerPort: 80, name: 'http' }],
        readinessProbe: { httpGet: { port: 'http', path: '/' } },
        livenessProbe: { tcpSocket: { port: 80 } },
      }],
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: 64 } }],
      overhead: { cpu: 1 },
    }, { name: 'p', labels: { a: 'b' }, annotations: { x: 'y' }, generateName: 'p-', finalizers: ['f'] })))
      .toEqual([]);
    expect(codes({ ...pod({}), status: { phase: 'Running' } })).toEqual([]);
    // status types are not in the OpenAPI imports that tell quantities apart: their strings read numbers too
    expect(codes({ ...pod({}), status: { containerStatuses: [{ name: 'app', allocatedResources: { cpu: 1 } }] } })).toEqual([]);
    expect(codes({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        serviceName: 's',
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: 10 } } } }],
      },
    })).toEqual([]);
  });
  test('apiVersion variants the pinned version does not serve are schema unknown, not invalid', () => {
    for (const [apiVersion, kind] of [['apps/v1beta2', 'Deployment'], ['batch/v1beta1', 'CronJob'], ['example.com/v1', 'Widget']]) {
      const v = validateApiObject({ apiVersion, kind, metadata: { name: 'x' }, spec: { anything: 1 } });
      expect(v.schema).toBe('unknown');
      expect(v.problems).toEqual([]);
    }
  });
  test('odd input is not a TypeError', () => {
    for (const o of [null, 1, 'x', [], { kind: 'Pod' }, { apiVersion: 'v1', kind: 'Pod', spec: null },
      { apiVersion: 'v1', kind: 'Pod', spec: { containers: [null, 1, 'x'] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: 'x' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { labels: null }, spec: { containers: [{ name: 'a', volumeMounts: [null, { name: 1 }] }] } }]) {
      expect(() => validateApiObject(o)).not.toThrow();
    }
  });
});

describe('capabilities as containerd reads them', () => {
  const root = (caps: unknown) => ({ name: 'app', securityContext: { runAsUser: 0, capabilities: caps } });
  test('containerd applies individual drops after adds: add and drop NET_BIND_SERVICE leaves it dropped', () => {
    expect(holdsNetBindService(root({ add: ['NET_BIND_SERVICE'], drop: ['NET_BIND_SERVICE'] }), {})).toBe(false);
    expect(holdsNetBindService(root({ add: ['net_bind_service'], drop: ['NET_BIND_SERVICE'] }), {})).toBe(false);
  });
  test('containerd applies drop ALL after add ALL: add [ALL] drop [ALL] holds nothing', () => {
    expect(holdsNetBindService(root({ add: ['ALL'], drop: ['all'] }), {})).toBe(false);
  });
  test('names are upper-cased rune by rune as Go does: a ligature is no capability at run time', () => {
    // Go's strings.ToUpper leaves U+FB06 (st ligature); JavaScript's toUpperCase makes it "ST"
    expect(runtimeCapability('net_broadca\ufb06')).toBeUndefined();
    expect(runtimeCapability('net_raw')).toBe('NET_RAW');
    expect(runtimeCapability('aLl')).toBe('ALL');
  });
  test('held: drop ALL then add NET_BIND_SERVICE holds it; add ALL drop CHOWN holds it; default holds it', () => {
    expect(holdsNetBindService(root({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] }), {})).toBe(true);
    expect(holdsNetBindService(root({ add: ['ALL'], drop: ['CHOWN'] }), {})).toBe(true);
    expect(holdsNetBindService(root({}), {})).toBe(true);
    expect(holdsNetBindService(root({ drop: ['all'] }), {})).toBe(false);
  });
});

describe('Dockerfile USER', () => {
  const user = (text: string) => auditDockerfile(text).user;
  test('held: root spellings are root or unknown, never non-root', () => {
    for (const u of ['0', '0:0', 'root', '00', '0:1000', ' 0 ', 'root:root', '+0', '-0', '0x0', '-4294967296', '4294967296', '1:4294967296']) {
      expect([u, user(`FROM alpine\nUSER ${u}\n`)]).not.toEqual([u, 'non-root']);
    }
    expect(user('FROM alpine\nARG U=0\nUSER ${U}\n')).not.toBe('non-root');
    expect(user('FROM alpine\nENV U=0\nUSER $U\n')).not.toBe('non-root');
    expect(user('FROM alpine\nARG U=1000\nUSER ${U:+0}\n')).not.toBe('non-root');
    expect(user('FROM alpine\nUSER 1000\nFROM --platform=$BUILDPLATFORM alpine\n')).not.toBe('non-root');
    expect(user('FROM alpine AS a\nUSER 1000\nFROM a\nUSER 0\n')).toBe('root');
    expect(user('FROM alpine\nuser 0\n')).toBe('root');
    expect(user('FROM alpine\nUSER 1000\nONBUILD USER 0\nUSER 0\n')).toBe('root');
    expect(user('FROM alpine\nUSER 10001:10001\n')).toBe('non-root');
  });
  test('a negative UID is named for what it is: containerd wraps -4294967296 to UID 0, the kubelet lets it start', () => {
    const a = auditDockerfile('FROM alpine\nUSER -4294967296\n');
    expect(a.user).toBe('out-of-range');
    expect(a.findings[0].detail).toMatch(/negative/);
    expect(auditDockerfile('FROM alpine\nUSER 1000:-1\n').user).toBe('out-of-range');
    // strconv.Atoi / ParseInt read a sign: +0 is UID 0 (root), +1000 is UID 1000
    expect(auditDockerfile('FROM alpine\nUSER +0\n').user).toBe('root');
    expect(auditDockerfile('FROM alpine\nUSER +1000\n').user).toBe('non-root');
  });
});

function ns(chart: Chart, id: string, obj: Record<string, unknown>): ApiObject {
  return new ApiObject(chart, id, obj as any);
}

describe('identity index', () => {
  test('a vendor Namespace in another chart with the RestrictedNamespace\'s name fails synthesis', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b', { namespace: 'other' });
    new RestrictedNamespace(a, 'ns', { metadata: { name: 'apps' } });
    ns(b, 'vendor', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } });
    expect(() => app.synth()).toThrow(/defined twice/);
  });
  test('a vendor Namespace renamed by a JSON patch into the RestrictedNamespace\'s name fails synthesis', () => {
    const r = synthesize(chart => {
      new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
      const v = ns(chart, 'vendor', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vendor' } });
      v.addJsonPatch(JsonPatch.replace('/metadata/name', 'apps'));
    });
    expect(r.error).toMatch(/defined twice/);
  });
  test('a Namespace inside a List with the RestrictedNamespace\'s name fails synthesis', () => {
    const r = synthesize(chart => {
      new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
      ns(chart, 'list', { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }] });
    });
    expect(r.error).toMatch(/defined twice/);
  });
  test('a Namespace in a NamespaceList with the RestrictedNamespace\'s name fails synthesis', () => {
    const r = synthesize(chart => {
      new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
      ns(chart, 'list', { apiVersion: 'v1', kind: 'NamespaceList', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }] });
    });
    expect(r.error).toMatch(/defined twice|List/);
  });
  test('a ClusterRole given a namespace is still one ClusterRole', () => {
    const r = synthesize(chart => {
      new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
      ns(chart, 'r1', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'a' }, rules: [] });
      ns(chart, 'r2', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'b' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] });
    });
    expect(r.error).toMatch(/defined twice/);
  });
  test('a Deployment with namespace "" and one in the chart namespace are one object', () => {
    const app = Testing.app();
    const c = new Chart(app, 'c', { namespace: 'apps' });
    new RestrictedNamespace(c, 'ns', { metadata: { name: 'apps' } });
    const d = (id: string, meta: Record<string, unknown>, user: number) => {
      const k = hardenedContainer('app');
      k.securityContext.runAsUser = user;
      ns(c, id, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta,
        spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [k] } } },
      });
    };
    d('d1', { name: 'web' }, 1000);
    d('d2', { name: 'web', namespace: 'apps' }, 2000);
    expect(() => app.synth()).toThrow(/defined twice/);
  });
  test('a pod in a List in the RestrictedNamespace is judged', () => {
    const r = synthesize(chart => {
      new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
      ns(chart, 'list', {
        apiVersion: 'v1',
        kind: 'List',
        items: [{
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p', namespace: 'apps' },
          spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] },
        }],
      });
    });
    expect(r.error).toMatch(/privileged/);
  });
});

describe('any object with an items key is a list to kubectl', () => {
  // apimachinery's unstructured decoder: an object with `items` is decoded as a list and its items are
  // applied, whatever its kind (`kubectl label --local -f` on such a ConfigMap prints the Pod)
  const privilegedPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'apps' },
    spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] },
  };
  const carrier = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'apps' }, data: { a: 'b' }, items: [privilegedPod] };
  test('audit judges the items of a ConfigMap with items', async () => {
    for (const stdin of [YAML.stringify(carrier), JSON.stringify(carrier)]) {
      const { code, report } = await cliJson(['audit', '-'], { stdin });
      expect(code).not.toBe(0);
      expect(JSON.stringify(report)).toMatch(/privileged/);
    }
  });
  test('RestrictedNamespace judges the items of a ConfigMap with items in its namespace', () => {
    const r = synthesize(chart => {
      new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
      ns(chart, 'carrier', carrier);
    });
    expect(r.error).toMatch(/privileged/);
  });
  test('the identity index keys the items of a ConfigMap with items', () => {
    const r = synthesize(chart => {
      new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
      ns(chart, 'carrier', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }] });
    });
    expect(r.error).toMatch(/Namespace apps is defined twice/);
  });
});

describe('identity of the library\'s own workloads', () => {
  test('a RootlessDeployment renamed by a JSON patch onto another Deployment fails synthesis', () => {
    const r = synthesize(chart => {
      const web = new RootlessDeployment(chart, 'web', { user: 101, containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }] });
      new RootlessDeployment(chart, 'other', { user: 101, containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }] });
      const other = chart.node.findAll().find(c => ApiObject.isApiObject(c) && c.kind === 'Deployment' && c.node.path.includes('other')) as ApiObject;
      const mine = ApiObject.of(web);
      mine.addJsonPatch(JsonPatch.replace('/metadata/name', other.name));
    });
    expect(r.error).toMatch(/defined twice/);
  });
});

describe('audit wording', () => {
  test('a document whose kind is not a string is not a Kubernetes object, not a denied pod', async () => {
    // kubectl cannot decode it (TypeMeta.kind is a string; an empty kind is "Object 'Kind' is missing")
    for (const stdin of ['apiVersion: 1\nkind: 5\n', 'apiVersion: v1\nkind: ""\nspec: {containers: [{name: a, image: b}]}\n']) {
      const { report } = await cliJson(['audit', '-'], { stdin });
      expect(report.summary).toMatchObject({ objects: 0, denied: 0, notKubernetes: 1 });
    }
  });
});
