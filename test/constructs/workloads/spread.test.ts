/**
 * spread: true renders the two anti-affinity terms exactly once, the same in Testing.synth and in
 * the files app.synth() writes, however often cdk8s renders the pod spec (cdk8s-plus-27 itself
 * appends them on every render).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { one, podSpec } from './util';
import { RestrictedNamespace } from '../../../lib';
import { RootlessDeployment, RootlessStatefulSet } from '../../../lib/constructs/plus';

const build = (chart: Chart) => {
  new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
  new RootlessDeployment(chart, 'web', {
    metadata: { namespace: 'apps' }, spread: true, user: 101, containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }],
  });
  new RootlessStatefulSet(chart, 'db', {
    metadata: { namespace: 'apps' }, spread: true, user: 999, containers: [{ name: 'db', image: 'redis:7', portNumber: 6379, writablePaths: ['/data'] }],
  });
};

function terms(workload: any): any[] {
  return podSpec(workload).affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

test('Testing.synth: two terms per workload (hostname and zone)', () => {
  const chart = Testing.chart();
  build(chart);
  const docs = Testing.synth(chart);
  for (const kind of ['Deployment', 'StatefulSet']) {
    const t = terms(one(docs, kind));
    expect(t).toHaveLength(2);
    expect(t.map((x: any) => x.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
  }
  // rendering again changes nothing
  expect(Testing.synth(chart)).toEqual(docs);
});

test('app.synth() writes the same two terms', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'spread-'));
  try {
    const app = new App({ outdir });
    build(new Chart(app, 'chart'));
    app.synth();
    const docs = Yaml.load(path.join(outdir, 'chart.k8s.yaml'));
    for (const kind of ['Deployment', 'StatefulSet']) expect(terms(one(docs, kind))).toHaveLength(2);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('the headless Service of a RootlessStatefulSet is the one its serviceName names, with the container ports', () => {
  const chart = Testing.chart();
  build(chart);
  const docs = Testing.synth(chart);
  const sts = one(docs, 'StatefulSet');
  const services = docs.filter((d: any) => d.kind === 'Service');
  expect(services).toHaveLength(1);
  expect(services[0].metadata.name).toBe(sts.spec.serviceName);
  expect(services[0].spec).toMatchObject({ clusterIP: 'None', ports: [{ port: 6379, targetPort: 6379 }] });
  expect(services[0].metadata.namespace).toBe('apps');
});

test('documented cdk8s-plus-27 behaviour: a plain kplus Deployment with spread gets its terms once per render', () => {
  // RestrictedNamespace renders every object once more to check it; kplus appends the terms again.
  const chart = Testing.chart();
  new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
  new kplus.Deployment(chart, 'plain', { metadata: { namespace: 'other' }, spread: true, containers: [{ image: 'app', securityContext: { user: 1000 } }] });
  const plain = terms(one(Testing.synth(chart), 'Deployment'));
  expect(plain.length).toBeGreaterThan(2);
});
