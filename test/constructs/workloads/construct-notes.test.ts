/**
 * The constructs' notes that need a human reach the one reporter (issue 20, point 7): a construct that
 * makes the decision applyTo makes (an image that runs under a given UID which is not its own, with
 * fsGroup) records the same note, with the same wording (user-rule.ts `arbitraryUserNote`), as
 * construct metadata, prints it once per synthesis with applyTo's notes, or fails on it (props.notes).
 */
import { ApiObject, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HardeningNotes, ImagePreset, RootlessHardening } from '../../../lib';
import { RootlessStatefulSet, VolumePermissions } from '../../../lib/constructs/plus';
import { USER_RULE, arbitraryUserNote } from '../../../lib/hardening/user-rule';
import { captureStderr } from '../../hardening/util';

const REDIS = 'redis:7-alpine';

function redis(chart: Chart, id: string, notes?: HardeningNotes): RootlessStatefulSet {
  return new RootlessStatefulSet(chart, id, {
    user: 1001,
    notes,
    volumePermissions: VolumePermissions.FS_GROUP_ONLY,
    volumeClaimTemplates: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(1) }],
    containers: [{ name: 'redis', image: REDIS, portNumber: 6379 }],
  });
}

const NOTE = arbitraryUserNote({
  container: 'redis', user: 1001, group: 1001, from: 'props.user', image: REDIS, preset: ImagePreset.forImage(REDIS)!, fsGroup: 1001, podFsGroup: 1001,
});

describe('a construct\'s notes that need a human', () => {
  test('an arbitrary-UID image given another UID: printed once per synthesis under [user], recorded as metadata', () => {
    const chart = new Chart(Testing.app(), 'app');
    const set = redis(chart, 'cache');
    const { value: docs, stderr } = captureStderr(() => Testing.synth(chart));
    expect(NOTE).toBe('container "redis": user 1001:1001 from props.user; image "redis:7-alpine" is the redis-alpine image (UID 999), '
      + 'which runs under another UID when its data directory is writable for it: fsGroup 1001 makes its volumes writable '
      + '(a volume whose driver ignores fsGroup needs its files owned by that UID).');
    expect(stderr.match(/notes that need a human:/g)).toHaveLength(1);
    expect(stderr).toContain(`[${USER_RULE}] 1 object:`);
    expect(stderr).toContain(`${NOTE} (1: app/cache)`);
    const recorded = set.node.metadata.filter(m => m.type === RootlessHardening.NOTE_METADATA_TYPE).map(m => m.data);
    expect(recorded).toEqual([{ rule: USER_RULE, message: NOTE }]);
    // the fields the note speaks of
    const sts = docs.find(d => d.kind === 'StatefulSet');
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 1001, fsGroup: 1001 });
    // once per synthesis, and not again as metadata
    expect(captureStderr(() => Testing.synth(chart)).stderr).toBe('');
    expect(set.node.metadata.filter(m => m.type === RootlessHardening.NOTE_METADATA_TYPE)).toHaveLength(1);
  });

  test('the same decision through applyTo gives the same wording (only where the user came from differs)', () => {
    const chart = new Chart(Testing.app(), 'app');
    redis(chart, 'built');
    // a Deployment: a cdk8s-plus-32+ StatefulSet without claim templates of its own drops its pod volumes (upstream
    // cdk8s-team/cdk8s-plus#6735; docs/lines.md), and the verifier then refuses the adopted object before any note
    const adopted = new kplus.Deployment(chart, 'adopted', { containers: [{ name: 'redis', image: REDIS, portNumber: 6379 }] });
    adopted.containers[0].mount('/data', kplus.Volume.fromPersistentVolumeClaim(chart, 'data',
      new kplus.PersistentVolumeClaim(chart, 'claim', { storage: Size.gibibytes(1) })));
    RootlessHardening.applyTo(chart, { objects: { adopted: { user: 1001 } } });
    const { stderr } = captureStderr(() => Testing.synth(chart));
    expect(stderr.match(/notes that need a human:/g)).toHaveLength(1);
    expect(stderr).toContain(`[${USER_RULE}] 2 objects:`);
    expect(stderr).toContain(NOTE);
    expect(stderr).toContain(NOTE.replace('from props.user', 'from props.objects[\'adopted\'].user'));
  });

  test('props.notes: FAIL fails synthesis naming the construct; NONE prints nothing and still records it', () => {
    const failing = new Chart(Testing.app(), 'app');
    redis(failing, 'cache', HardeningNotes.FAIL);
    expect(() => captureStderr(() => Testing.synth(failing)))
      .toThrow(/\[app\/cache\] \[user\] container "redis": user 1001:1001 from props\.user.*\(props\.notes: HardeningNotes\.FAIL/);
    const quiet = new Chart(Testing.app(), 'app');
    const set = redis(quiet, 'cache', HardeningNotes.NONE);
    expect(captureStderr(() => Testing.synth(quiet)).stderr).toBe('');
    const recorded = set.node.metadata.filter(m => m.type === RootlessHardening.NOTE_METADATA_TYPE).map(m => m.data);
    expect(recorded).toEqual([{ rule: USER_RULE, message: NOTE }]);
  });

  test('an invalid props.notes fails at construction, naming the prop and the fix', () => {
    expect(() => redis(Testing.chart(), 'cache', 'loud' as HardeningNotes)).toThrow(/props\.notes: "loud" is not a HardeningNotes\. Fix: give HardeningNotes\.PRINT/);
  });

  test('no note where nothing needs a human (the image\'s own UID)', () => {
    const chart = new Chart(Testing.app(), 'app');
    const set = new RootlessStatefulSet(chart, 'cache', {
      preset: ImagePreset.forImage(REDIS),
      volumePermissions: VolumePermissions.FS_GROUP_ONLY,
      volumeClaimTemplates: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(1) }],
      containers: [{ name: 'redis', image: REDIS, portNumber: 6379 }],
    });
    expect(captureStderr(() => Testing.synth(chart)).stderr).toBe('');
    expect(set.node.metadata.filter(m => m.type === RootlessHardening.NOTE_METADATA_TYPE)).toEqual([]);
    expect(ApiObject.of(set).toJson().spec.template.spec.securityContext.runAsUser).toBe(999);
  });
});
