import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RootlessAdmissionPolicy } from '../../../lib/constructs/admission-policy';
import { IdentityIndex } from '../../../lib/constructs/internal/identity-index';
import { HardenedPod } from '../../../lib/constructs/plus/hardened-pod';
import { RootlessDeployment } from '../../../lib/constructs/plus/rootless-deployment';
import { RestrictedNamespace } from '../../../lib/constructs/restricted-namespace';
import { RootlessHardening } from '../../../lib/constructs/rootless-hardening';

/** The error of synthesizing every chart of the app, or undefined. */
function synthError(app: App): string | undefined {
  try {
    for (const chart of app.charts) Testing.synth(chart);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

const notes = (obj: ApiObject): string[] => obj.node.metadata.filter(m => m.type === IdentityIndex.NOTE).map(m => String(m.data));

describe('one identity index at synthesis (group, kind, namespace, name across the app)', () => {
  test('a second Namespace of a RestrictedNamespace\'s name in another chart fails synthesis, naming both construct paths', () => {
    const app = Testing.app();
    new RestrictedNamespace(new Chart(app, 'platform'), 'apps', { metadata: { name: 'apps' } });
    new ApiObject(new Chart(app, 'vendor'), 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } });
    const error = synthError(app);
    expect(error).toMatch(/Namespace apps is defined twice: by construct platform\/apps and by construct vendor\/ns, and they differ: kubectl apply keeps only the one applied last/);
    expect(error).toContain('Fix: give one of them another name or namespace, or remove one of them.');
  });

  test('a JSON patch that renames another Namespace to the RestrictedNamespace\'s name is caught (objects are read as cdk8s writes them)', () => {
    const app = Testing.app();
    new RestrictedNamespace(new Chart(app, 'platform'), 'apps', { metadata: { name: 'apps' } });
    const vendor = new ApiObject(new Chart(app, 'vendor'), 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vendor' } });
    vendor.addJsonPatch(JsonPatch.replace('/metadata/name', 'apps'));
    expect(synthError(app)).toMatch(/Namespace apps is defined twice: by construct platform\/apps and by construct vendor\/ns/);
  });

  test('a Namespace inside a List (an Include of kubectl get output) counts too', () => {
    const app = Testing.app();
    new RestrictedNamespace(new Chart(app, 'platform'), 'apps', { metadata: { name: 'apps' } });
    new ApiObject(new Chart(app, 'dump'), 'list', { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } }] } as any);
    expect(synthError(app)).toMatch(/Namespace apps is defined twice: by construct platform\/apps and by construct dump\/list \(items\[0\]\)/);
  });

  test('two workloads of one name in one namespace fail; the chart namespace, else default, is their namespace', () => {
    const app = Testing.app();
    new RootlessDeployment(new Chart(app, 'a', { namespace: 'shop' }), 'web', { metadata: { name: 'web' }, user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] });
    new RootlessDeployment(new Chart(app, 'b'), 'web', { metadata: { name: 'web', namespace: 'shop' }, user: 1000, containers: [{ image: 'b:1', portNumber: 8080 }] });
    expect(synthError(app)).toMatch(/Deployment shop\/web \(apps\) is defined twice: by construct a\/web and by construct b\/web/);

    const other = Testing.app();
    new RootlessDeployment(new Chart(other, 'a', { namespace: 'shop' }), 'web', { metadata: { name: 'web' }, user: 1000, containers: [{ image: 'a:1', portNumber: 8080 }] });
    new RootlessDeployment(new Chart(other, 'b'), 'web', { metadata: { name: 'web' }, user: 1000, containers: [{ image: 'b:1', portNumber: 8080 }] });
    expect(synthError(other)).toBeUndefined(); // shop/web and default/web
  });

  test('a List item without a namespace is in default (cdk8s gives items no chart namespace), not in its chart\'s', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    new RestrictedNamespace(chart, 'ns', { metadata: { name: 'shop' } });
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    new ApiObject(chart, 'shop-web', { ...pod('web'), spec: { containers: [{ name: 'c', image: 'other' }] } } as any);
    new ApiObject(chart, 'dump', { apiVersion: 'v1', kind: 'List', items: [pod('web')] } as any);
    // default/web and shop/web: not a duplicate (the RestrictedNamespace may still judge shop/web)
    expect(synthError(app) ?? '').not.toContain('defined twice');
    const other = Testing.app();
    const c2 = new Chart(other, 'c', { namespace: 'shop' });
    new RestrictedNamespace(c2, 'ns', { metadata: { name: 'tools' } });
    new ApiObject(c2, 'dump', { apiVersion: 'v1', kind: 'List', items: [pod('web'), { ...pod('web'), spec: { containers: [{ name: 'c', image: 'x' }] } }] } as any);
    expect(synthError(other)).toMatch(/Pod default\/web is defined twice: by construct c\/dump \(items\[0\]\) and by construct c\/dump \(items\[1\]\)/);
  });

  test('one name in different groups, kinds or namespaces is not a duplicate', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new HardenedPod(chart, 'p', { metadata: { name: 'x', namespace: 'a' }, user: 1000, containers: [{ image: 'a:1' }] });
    new ApiObject(chart, 'q', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'b' }, spec: { containers: [{ name: 'c', image: 'i' }] } } as any);
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'a' } });
    new ApiObject(chart, 'crd', { apiVersion: 'example.com/v1', kind: 'Pod', metadata: { name: 'x', namespace: 'a' } });
    expect(synthError(app)).toBeUndefined();
  });

  test('identical duplicates pass, with a note (construct metadata)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new HardenedPod(chart, 'keep', { user: 1000, containers: [{ image: 'a:1' }] }); // registers the index
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools' } };
    new ApiObject(chart, 'one', ns);
    const two = new ApiObject(chart, 'two', ns);
    expect(synthError(app)).toBeUndefined();
    expect(notes(two)).toEqual(['Namespace tools is defined twice: by construct c/one and by construct c/two (identical).']);
  });

  test('other kinds are reported, not failed: a note on the later object', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new RestrictedNamespace(chart, 'ns', { metadata: { name: 'shop' } });
    new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: '1' } } as any);
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: '2' } } as any);
    expect(synthError(app)).toBeUndefined();
    expect(notes(b)).toEqual(['ConfigMap shop/cfg is defined twice: by construct c/a and by construct c/b, and they differ: kubectl apply keeps only the one applied last.']);
    Testing.synth(chart); // a second synthesis adds no second note
    expect(notes(b)).toHaveLength(1);
  });

  test('RBAC objects and the library\'s admission objects fail; ClusterRoles are cluster-scoped whatever namespace they say', () => {
    const app = Testing.app();
    new RootlessAdmissionPolicy(new Chart(app, 'a'), 'policy', { name: 'rootless', bindingName: 'rootless-a' });
    new RootlessAdmissionPolicy(new Chart(app, 'b'), 'policy', { name: 'rootless', bindingName: 'rootless-b', honorExemptions: false });
    expect(synthError(app)).toMatch(/ValidatingAdmissionPolicy rootless \(admissionregistration\.k8s\.io\) is defined twice: by construct a\/policy\/\S+ and by construct b\/policy\/\S+, and they differ/);

    const rbac = Testing.app();
    new RestrictedNamespace(new Chart(rbac, 'x'), 'ns', { metadata: { name: 'x' } });
    new ApiObject(new Chart(rbac, 'a'), 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'one' }, rules: [] } as any);
    new ApiObject(new Chart(rbac, 'b'), 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] } as any);
    expect(synthError(rbac)).toMatch(/ClusterRole r \(rbac\.authorization\.k8s\.io\) is defined twice: by construct a\/role and by construct b\/role/);
  });

  test('applyTo registers it too (an app of plain cdk8s-plus workloads)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [{ image: 'a:1', portNumber: 8080, securityContext: { user: 1000 } }] });
    new kplus.Deployment(chart, 'web2', { metadata: { name: 'web' }, containers: [{ image: 'b:1', portNumber: 8080, securityContext: { user: 1000 } }] });
    RootlessHardening.applyTo(chart, { user: 1000 });
    expect(synthError(app)).toMatch(/Deployment default\/web \(apps\) is defined twice: by construct c\/web and by construct c\/web2/);
  });
});

describe('RestrictedNamespace judges List items in its namespace', () => {
  test('a privileged Pod inside a List in the namespace fails synthesis, naming the item', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new RestrictedNamespace(chart, 'ns', { metadata: { name: 'shop' } });
    new ApiObject(chart, 'dump', {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] } },
      ],
    } as any);
    expect(synthError(app)).toMatch(/Namespace "shop" \(c\/ns\) enforces Pod Security "restricted".*it would reject Pod "debug" \(construct c\/dump items\[1\]\)/s);
  });

  test('List items in other namespaces are not its business', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new RestrictedNamespace(chart, 'ns', { metadata: { name: 'shop' } });
    new ApiObject(chart, 'dump', {
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'kube-system' }, spec: { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] } }],
    } as any);
    expect(synthError(app)).toBeUndefined();
  });
});
