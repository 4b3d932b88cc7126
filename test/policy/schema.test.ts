import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { API_SCHEMA_VERSION, validateApiObject } from '../../lib/policy/schema/validate';

const root = path.join(__dirname, '..', '..');

function pod(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec }, ...extra };
}
function deployment(podSpec: Record<string, unknown>): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'n' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec } },
  };
}
const codes = (o: unknown): string[] => validateApiObject(o).problems.map(p => `${p.code} ${p.path}`);

describe('the schema table', () => {
  test('is what the generator derives from @kubernetes/client-node (npm run schema:generate)', () => {
    const generated = execFileSync(process.execPath, [path.join(root, 'scripts', 'schema-generate.mjs'), '--stdout'], { encoding: 'utf8' });
    expect(generated).toBe(fs.readFileSync(path.join(root, 'lib', 'policy', 'schema', 'table.generated.ts'), 'utf8'));
  });

  test('pins one Kubernetes version', () => {
    expect(API_SCHEMA_VERSION).toMatch(/^1\.\d+\.\d+$/);
  });
});

describe('validateApiObject', () => {
  test('a complete, valid pod and deployment have no problems', () => {
    const spec = {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000, supplementalGroups: [3000], seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'c',
        image: 'nginx',
        ports: [{ containerPort: 8080 }],
        resources: { limits: { cpu: 1, memory: '128Mi' } }, // a quantity may be a number
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        livenessProbe: { httpGet: { port: 'http', path: '/' } },
      }],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    };
    expect(validateApiObject(pod(spec))).toEqual({ schema: 'known', problems: [] });
    expect(validateApiObject(deployment(spec))).toEqual({ schema: 'known', problems: [] });
  });

  test('a kubectl get -o yaml dump (status, managedFields, null timestamps) is valid', () => {
    const dumped = pod({}, {
      metadata: { name: 'p', creationTimestamp: null, managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:x': {} } } }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(codes(dumped)).toEqual([]);
  });

  test.each(['allowPrivilegeEscalation', 'capabilities', 'privileged', 'readOnlyRootFilesystem', 'procMount'])(
    'the container-only field %s at pod level is an unknown field, with the fix', field => {
      const v = validateApiObject(deployment({ securityContext: { [field]: field === 'capabilities' ? { drop: ['ALL'] } : field === 'procMount' ? 'Default' : false }, containers: [{ name: 'c', image: 'i' }] }));
      expect(v.problems).toHaveLength(1);
      expect(v.problems[0]).toMatchObject({ code: 'unknown-field', path: `spec.template.spec.securityContext.${field}` });
      expect(v.problems[0].message).toContain('container securityContext field');
      expect(v.problems[0].fix).toContain('Move');
    });

  test('unknown fields anywhere, misspellings included, are reported with their path', () => {
    expect(codes(pod({ hostNetwrok: true }))).toEqual(['unknown-field spec.hostNetwrok']);
    expect(codes(pod({ containers: [{ name: 'c', image: 'i', securityContext: { runAsNonroot: true } }] })))
      .toEqual(['unknown-field spec.containers[0].securityContext.runAsNonroot']);
    expect(codes({ ...pod({}), extra: 1 })).toEqual(['unknown-field extra']);
  });

  test('maps and fields that preserve unknown fields stay open', () => {
    expect(codes(pod({}, { metadata: { name: 'p', labels: { anything: 'x' }, annotations: { 'a/b': 'c' } } }))).toEqual([]);
  });

  test('shapes and scalar types as the decoder reads them', () => {
    expect(codes(pod({ securityContext: 'restricted' }))).toEqual(['type spec.securityContext']);
    expect(codes(pod({ containers: { name: 'c' } }))).toEqual(['type spec.containers', 'no-containers spec.containers']);
    expect(codes(pod({ securityContext: { runAsNonRoot: 'true' } }))).toEqual(['type spec.securityContext.runAsNonRoot']);
    expect(codes(pod({ securityContext: { runAsUser: '1000' } }))).toEqual(['type spec.securityContext.runAsUser']);
    expect(codes(pod({ securityContext: { runAsUser: 1000.5 } }))).toEqual(['type spec.securityContext.runAsUser']);
    expect(codes(pod({}, { metadata: { labels: ['a'] } }))).toEqual(['type metadata.labels']);
  });

  test('user and group IDs outside 0 … 2147483647 are invalid, at pod and container level', () => {
    expect(codes(pod({ securityContext: { runAsUser: 2147483647, runAsGroup: 0 } }))).toEqual([]);
    const out = { runAsUser: 2147483648, runAsGroup: -1, fsGroup: 4294967296, supplementalGroups: [1, 2 ** 31] };
    expect(codes(pod({ securityContext: out }))).toEqual([
      'id-range spec.securityContext.runAsUser',
      'id-range spec.securityContext.runAsGroup',
      'id-range spec.securityContext.fsGroup',
      'id-range spec.securityContext.supplementalGroups[1]',
    ]);
    expect(codes(deployment({ containers: [{ name: 'c', image: 'i', securityContext: { runAsUser: 4294967296, runAsGroup: 4294967296 } }] }))).toEqual([
      'id-range spec.template.spec.containers[0].securityContext.runAsUser',
      'id-range spec.template.spec.containers[0].securityContext.runAsGroup',
    ]);
  });

  test('a pod or template without containers is invalid', () => {
    expect(codes(pod({ containers: [] }))).toEqual(['no-containers spec.containers']);
    expect(codes(deployment({ securityContext: { runAsNonRoot: true } }))).toEqual(['no-containers spec.template.spec.containers']);
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: {} } } } } };
    expect(codes(cron)).toEqual(['no-containers spec.jobTemplate.spec.template.spec.containers']);
  });

  test('a volumeMount naming no volume is invalid, in every container list', () => {
    const spec = {
      volumes: [{ name: 'data', emptyDir: {} }],
      initContainers: [{ name: 'i', image: 'i', volumeMounts: [{ name: 'data', mountPath: '/d' }, { name: 'cache', mountPath: '/c' }] }],
      containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'tokn', mountPath: '/t' }] }],
    };
    expect(codes(pod(spec))).toEqual([
      'volume-not-found spec.initContainers[0].volumeMounts[1].name',
      'volume-not-found spec.containers[0].volumeMounts[0].name',
    ]);
  });

  test('a StatefulSet\'s claim templates count as volumes of its pods', () => {
    const sts = (claim: string): any => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] } },
        volumeClaimTemplates: [{ metadata: { name: claim }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    expect(codes(sts('data'))).toEqual([]);
    expect(codes(sts('other'))).toEqual(['volume-not-found spec.template.spec.containers[0].volumeMounts[0].name']);
  });

  test('custom resources, kinds out of scope and unserved versions are "schema unknown", not valid or invalid', () => {
    expect(validateApiObject({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { anything: 1 } })).toMatchObject({ schema: 'unknown', problems: [] });
    const old = validateApiObject({ apiVersion: 'extensions/v1beta1', kind: 'Deployment', spec: {} });
    expect(old.schema).toBe('unknown');
    expect(old.unknownReason).toContain('not a version');
  });

  test('Namespaces, RBAC and admission policies are checked too', () => {
    expect(codes({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } })).toEqual([]);
    expect(codes({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'x' }, roleRef: { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespce: 'x' }] }))
      .toEqual(['unknown-field subjects[0].namespce']);
    expect(codes({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'x' }, spec: { validations: [{ expression: 'true' }] } })).toEqual([]);
  });
});
