/**
 * Red team (rtonce) on applyTo's reuse of the adoption-time verification (issue 23, `verifyAdoptedAgain`,
 * lib/hardening/adopt/object.ts): whatever cdk8s writes for an adopted object is what was verified; a weakening by
 * any later means fails synthesis naming the construct path. Judged against cdk8s' real serialization.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Lazy, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { RootlessHardening } from '../../lib';

const IMAGE = 'registry.example/app:1';

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

function pod(name: string): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: IMAGE, ports: [{ containerPort: 8080 }] }] } };
}

/** An app whose chart `c` has the objects `build` makes, applyTo on the chart, and `later` run by a validation after applyTo's. */
function synth(build: (chart: Chart) => void, later: () => void): { app: App; written: () => any[] } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(Testing.app().outdir, 'rt-')) });
  const chart = new Chart(app, 'c');
  build(chart);
  RootlessHardening.applyTo(chart, { user: 1000 });
  let ran = false; // cdk8s may validate more than once (app.synth() per chart): the change is made once
  new Construct(chart, 'late').node.addValidation({ validate: () => { if (!ran) later(); ran = true; return []; } });
  return { app, written: () => fs.readdirSync(app.outdir).flatMap(f => YAML.parseAllDocuments(fs.readFileSync(path.join(app.outdir, f), 'utf8')).map((d: any) => d.toJSON())) };
}

describe('red team: the reused verification (rtonce)', () => {
  test('props held by the user, mutated after adoption (a weakened field): synthesis fails naming the path', () => {
    const props = deployment('raw');
    const { app } = synth(chart => { new ApiObject(chart, 'raw', props); }, () => {
      props.spec.template.spec.hostNetwork = true;
    });
    expect(() => app.synth()).toThrow(/\[c\/raw\][^\n]*hostNetwork/);
  });

  test('an array in the props (containers) given a new container after adoption: verified', () => {
    const props = deployment('raw');
    const { app } = synth(chart => { new ApiObject(chart, 'raw', props); }, () => {
      props.spec.template.spec.containers.push({ name: 'evil', image: IMAGE, securityContext: { privileged: true } });
    });
    expect(() => app.synth()).toThrow(/\[c\/raw\]/);
  });

  test('a List given a new pod-bearing item after adoption (its items array is the user\'s): synthesis fails', () => {
    const props: any = { apiVersion: 'v1', kind: 'List', items: [pod('a')] };
    const { app, written } = synth(chart => { new ApiObject(chart, 'list', props); }, () => {
      props.items.push({ ...pod('evil'), spec: { hostNetwork: true, containers: [{ name: 'x', image: IMAGE, securityContext: { privileged: true } }] } });
    });
    let error: unknown;
    try { app.synth(); } catch (e) { error = e; }
    if (error === undefined) console.log(JSON.stringify(written(), null, 1));
    expect(String(error)).toMatch(/\[c\/list\]/);
  });

  test('a List whose items a Lazy value answers with more items later: synthesis fails', () => {
    let late = false;
    const { app } = synth(chart => {
      new ApiObject(chart, 'list', { apiVersion: 'v1', kind: 'List', items: Lazy.any({ produce: () => late ? [pod('a'), { ...pod('evil'), spec: { hostPID: true, containers: [{ name: 'x', image: IMAGE }] } }] : [pod('a')] }) });
    }, () => { late = true; });
    expect(() => app.synth()).toThrow(/\[c\/list\]/);
  });

  test('a List whose adopted item moved (a Pod inserted before it): the unpatched one is named, synthesis fails', () => {
    const props: any = { apiVersion: 'v1', kind: 'List', items: [pod('a')] };
    const { app } = synth(chart => { new ApiObject(chart, 'list', props); }, () => {
      // the inserted Pod takes the patches made for `a` (and passes); `a`, moved to items[1], would be written as it came
      props.items.unshift(pod('b'));
    });
    expect(() => app.synth()).toThrow(/\[c\/list\] items\[1\] \(Pod "a"\): this pod-bearing item was added to the object \(or moved\)/);
  });

  test('a List whose adopted item moved (a ConfigMap inserted before it): a clear error naming the path, not a TypeError alone', () => {
    const props: any = { apiVersion: 'v1', kind: 'List', items: [pod('a')] };
    const { app } = synth(chart => { new ApiObject(chart, 'list', props); }, () => {
      props.items.unshift({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    });
    expect(() => app.synth()).toThrow(/\[c\/list\] RootlessHardening.applyTo's patches of its items could not be applied[^\n]*moved[^\n]*Fix:/);
  });

  test('a workload made a List after adoption (kind and items in the props): synthesis fails', () => {
    const props = deployment('raw');
    const { app } = synth(chart => { new ApiObject(chart, 'raw', props); }, () => {
      (props as any).items = [{ ...pod('evil'), spec: { hostPID: true, containers: [{ name: 'x', image: IMAGE }] } }];
    });
    expect(() => app.synth()).toThrow(/\[c\/raw\]/);
  });
});
