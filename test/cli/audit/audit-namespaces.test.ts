/**
 * `audit --by-namespace` and objects that are not judged at a namespace's policy: cluster-scoped
 * objects (no namespace: ClusterRole, CustomResourceDefinition, ...) and namespaced objects that
 * carry no pod (ConfigMap, Service). They must not cause the "no Namespace object" warning, nor
 * the "Namespace after objects in it" error on standard input.
 */
import { cli, cliJson, tmpDir, writeFiles } from '../helpers';

function pod(name: string, ns: string | undefined): object {
  const securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(ns ? { namespace: ns } : {}) }, spec: { containers: [{ name: 'app', image: 'app:1', securityContext }] } };
}
const namespace = (name: string): object => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
const clusterScoped: object[] = [
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: {} },
  { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'x' },
];
const list = (items: object[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2) + '\n';

describe('--by-namespace is silent about objects it does not judge', () => {
  test('cluster-scoped objects: no "missing default namespace" warning (file and stdin)', async () => {
    const input = list([namespace('shop'), ...clusterScoped, pod('web', 'shop')]);
    const dir = tmpDir();
    writeFiles(dir, { 'all.json': input });
    for (const argv of [['audit', 'all.json', '--by-namespace'], ['audit', '-', '--by-namespace']]) {
      const { code, report, stderr } = await cliJson(argv, { cwd: dir, stdin: input });
      expect([argv, code, stderr]).toEqual([argv, 0, '']);
      expect(report.namespaces.map((n: any) => n.namespace)).toEqual(['shop']);
      expect(report.errors).toEqual([]);
    }
  });

  test('a ConfigMap in a namespace without a Namespace object: no warning; on stdin a ConfigMap before its Namespace is no error', async () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: {} };
    const out = await cliJson(['audit', '-', '--by-namespace'], { stdin: list([configMap, namespace('shop'), pod('web', 'shop')]) });
    expect([out.code, out.stderr, out.report.errors]).toEqual([0, '', []]);
    const alone = await cliJson(['audit', '-', '--by-namespace'], { stdin: list([{ ...configMap, metadata: { name: 'c', namespace: 'elsewhere' } }]) });
    expect([alone.code, alone.stderr]).toEqual([0, '']);
  });

  test('still warns for pods it judged at the defaults, the default namespace included (a pod without namespace goes there)', async () => {
    const { stderr, report } = await cliJson(['audit', '-', '--by-namespace'], { stdin: list([...clusterScoped, pod('a', undefined), pod('b', 'elsewhere')]) });
    expect(stderr).toMatch(/warning: --by-namespace: no Namespace object in the input for 2 namespaces \(default, elsewhere\): judged at the cluster defaults/);
    expect(report.namespaces.map((n: any) => n.namespace)).toEqual(['default', 'elsewhere']);
  });

  test('and still reports a Namespace that comes after pods in it on stdin', async () => {
    const out = await cli(['audit', '-', '--by-namespace'], { stdin: list([pod('web', 'shop'), namespace('shop')]) });
    expect(out.code).toBe(2);
    expect(out.stdout).toMatch(/Namespace shop comes after objects in it \(the first at Pod web\)/);
  });
});
