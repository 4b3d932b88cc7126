/**
 * examples/pulumi/: the Pulumi program runs in-process with Pulumi's mocks (no engine, no
 * cluster, no provider plugin) and hands the ConfigGroup the chart's YAML, which is restricted.
 * (Its types are checked with the other examples by `tsc -p examples/tsconfig.json`.)
 */
import * as pulumi from '@pulumi/pulumi';
import { loadAll } from 'js-yaml';
import { PodSecurity } from '../../lib/policy';

interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: any;
}

const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks({
    newResource(args: pulumi.runtime.MockResourceArgs) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: { ...args.inputs, resources: [] } };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      return args.inputs;
    },
  }, 'cdk8s-rootless-example', 'test', false);
});

test('the program registers one yaml/v2 ConfigGroup fed with the synthesized chart', async () => {
  // loaded after setMocks (the program registers its resources when it is loaded)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program: typeof import('../../examples/pulumi') = require('../../examples/pulumi');
  // let the resource registrations settle
  await new Promise<void>(resolve => program.resourceCount.apply(() => resolve()));
  const groups = registered.filter(r => r.type === 'kubernetes:yaml/v2:ConfigGroup');
  expect(groups.map(g => g.name)).toEqual(['rootless']);
  const docs = loadAll(groups[0].inputs.yaml) as any[];
  expect(docs.map(d => `${d.kind}/${d.metadata.name}`)).toEqual(expect.arrayContaining(['Namespace/rootless-demo']));
  const workloads = docs.filter(d => ['Deployment', 'Pod', 'StatefulSet'].includes(d.kind));
  expect(workloads.length).toBeGreaterThan(0);
  for (const w of workloads) {
    expect(w.metadata.namespace).toBe('rootless-demo');
    expect(PodSecurity.evaluate(w).allowed).toBe(true);
  }
  expect(docs.some(d => d.kind === 'Service')).toBe(true);
});
