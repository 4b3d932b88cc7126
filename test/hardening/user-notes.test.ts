/**
 * The user rule's notes that need a human (issue 20, points 3 and 7): a given user that a set runAsUser
 * overrides, and an arbitrary-UID image taking another UID, are tagged `user` (lib/hardening/notes.ts)
 * and reach a human through the one reporter: applyTo prints them once per synthesis (or fails on
 * them with HardeningNotes.FAIL), records them as metadata and in `report`; harden prints them once,
 * grouped, at the end of its report. An informational note (a preset's UID) is not such a note.
 */
import { ApiObject, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { captureStderr } from './util';
import { HardeningNotes, RootlessHardening, RootlessHardeningProps } from '../../lib';
import { groupNotes } from '../../lib/hardening/notes';
import { USER_RULE } from '../../lib/hardening/user-rule';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';
import { cli } from '../cli/helpers';


/** redis taking 1001 (arbitrary UID), a container whose set runAsUser overrides its given user, and a preset-only nginx. */
function app(props: RootlessHardeningProps): { chart: Chart; hardening: RootlessHardening } {
  const chart = new Chart(Testing.app(), 'app');
  const cache = new kplus.Deployment(chart, 'cache', { containers: [{ name: 'redis', image: 'redis:7-alpine', portNumber: 6379 }] });
  // its data directory on a claim: the data-path rule (data-path.ts) refuses redis with /data on the read-only root
  cache.containers[0].mount('/data', kplus.Volume.fromPersistentVolumeClaim(chart, 'cache-data',
    new kplus.PersistentVolumeClaim(chart, 'cache-claim', { storage: Size.gibibytes(1) })));
  new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'registry.example.com/api:1', portNumber: 8080, securityContext: { user: 1234 } }] });
  new kplus.Deployment(chart, 'proxy', { containers: [{ name: 'nginx', image: 'nginxinc/nginx-unprivileged:1.27', portNumber: 8080 }] });
  const hardening = RootlessHardening.applyTo(chart, { objects: { cache: { user: 1001 }, web: { user: 2000 } }, ...props });
  return { chart, hardening };
}

const OVERRIDDEN = 'container "app": props.objects[\'web\'].user is not used: runAsUser 1234 is set, and a set user is kept.';
const ARBITRARY = 'container "redis": user 1001:1001 from props.objects[\'cache\'].user; image "redis:7-alpine" is the redis-alpine image (UID 999)';

describe('the user rule\'s notes that need a human', () => {
  test('applyTo prints them once per synthesis under [user], records them as metadata and in report; the fields are unchanged', () => {
    const { chart, hardening } = app({});
    const { value: out, stderr } = captureStderr(() => Testing.synth(chart));
    // the security fields: the set user is kept, redis runs as the given UID with its fsGroup
    const spec = (name: string) => podTemplateOf(out.find(m => m.kind === 'Deployment' && m.metadata.name.includes(name)))!.spec;
    expect(spec('web').containers[0].securityContext.runAsUser).toBe(1234);
    expect(spec('cache').securityContext).toMatchObject({ runAsUser: 1001, fsGroup: 1001 });
    expect(spec('cache').containers[0].securityContext.runAsNonRoot).toBe(true);

    expect(stderr.match(/RootlessHardening.applyTo: notes that need a human/g)).toHaveLength(1);
    expect(stderr).toContain(`[${USER_RULE}] 2 objects:`);
    expect(stderr).toContain(OVERRIDDEN);
    expect(stderr).toContain(ARBITRARY);
    // a preset's UID is an assumption the report keeps, not a question for a human
    expect(stderr).not.toContain('nginx-unprivileged image preset');
    const proxy = hardening.report.find(r => r.path.includes('proxy'))!;
    expect(proxy.ruleNotes).toEqual([]);
    expect(proxy.notes.join('\n')).toContain('image preset');

    const web = hardening.report.find(r => r.path.includes('web'))!;
    expect(web.ruleNotes).toEqual([{ rule: USER_RULE, message: OVERRIDDEN }]);
    expect(web.notes).toContain(OVERRIDDEN);
    const obj = chart.node.findAll().find(c => ApiObject.isApiObject(c) && c.node.path.includes('web'))!;
    const recorded = obj.node.metadata.filter(m => m.type === RootlessHardening.NOTE_METADATA_TYPE).map(m => m.data);
    expect(recorded).toEqual([{ rule: USER_RULE, message: OVERRIDDEN }]);
    // once per synthesis: a second synthesis of the same app prints nothing more
    expect(captureStderr(() => Testing.synth(chart)).stderr).toBe('');
  });

  test('HardeningNotes.FAIL fails synthesis on each of them; NONE prints nothing and keeps them in report', () => {
    const failing = app({ notes: HardeningNotes.FAIL }).chart;
    expect(() => captureStderr(() => Testing.synth(failing))).toThrow(/\[user\] container "app": props.objects\['web'\].user is not used.*HardeningNotes.FAIL/);
    expect(() => captureStderr(() => Testing.synth(app({ notes: HardeningNotes.FAIL }).chart))).toThrow(/\[user\] container "redis": user 1001:1001/);
    const { chart, hardening } = app({ notes: HardeningNotes.NONE });
    expect(captureStderr(() => Testing.synth(chart)).stderr).toBe('');
    expect(hardening.report.flatMap(r => r.ruleNotes).map(n => n.rule)).toEqual([USER_RULE, USER_RULE]);
  });
});

describe('harden', () => {
  const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      automountServiceAccountToken: false
      containers:
        - name: api
          image: ghcr.io/acme/api:1.2
          securityContext: {runAsUser: 10001}
        - name: cache
          image: redis:7-alpine
          volumeMounts: [{name: data, mountPath: /data}]
      volumes:
        - name: data
          emptyDir: {}
`;

  test('prints them once, grouped under [user] at the end; they do not change the exit code', async () => {
    const r = await cli(['harden', '-', '--user-for', 'Deployment/shop/api/api=10002', '--user-for', 'Deployment/shop/api/cache=1001'], { stdin: APP });
    expect(r.code).toBe(0);
    const tail = r.stderr.slice(r.stderr.indexOf('notes that need a human:'));
    expect(r.stderr.match(/notes that need a human:/g)).toHaveLength(1);
    expect(tail).toContain('[user] 1 object:');
    expect(tail).toContain('container "api": --user-for Deployment/shop/api/api=10002 is not used: runAsUser 10001 is set, and a set user is kept.');
    expect(tail).toContain('container "cache": user 1001:1001 from --user-for Deployment/shop/api/cache=1001; image "redis:7-alpine" is the redis-alpine image');
    // each is printed once, not also as a note of the object
    expect(r.stderr.match(/is not used: runAsUser 10001/g)).toHaveLength(1);
  });
});

describe('groupNotes counts objects, not notes', () => {
  test('an object with two questions of one rule is one object; each message keeps its own places', () => {
    expect(groupNotes([
      { rule: USER_RULE, message: 'a', place: 'p1' },
      { rule: USER_RULE, message: 'b', place: 'p1' },
      { rule: USER_RULE, message: 'b', place: 'p2' },
    ])).toEqual(['[user] 2 objects:', '  a (1: p1)', '  b (2: p1, p2)']);
  });
});
