import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RESTRICTED_CONTAINER, container, error, exemptions, level, one, podSpec, refusedByKubelet, restrictedPodSecurityContext, synth, template } from './util';
import { ImagePreset } from '../../../lib';
import { RootlessJob } from '../../../lib/constructs/plus/rootless-job';
import { Exemption } from '../../../lib/exemptions/exemption';
import { PodSecurity, PolicyLevel } from '../../../lib/policy';

const IMAGE = 'registry.example.com/app:1.4.2';

describe('RootlessJob: minimal use', () => {
  const build = () => synth(chart => new RootlessJob(chart, 'migrate', {
    user: 1000,
    containers: [{ name: 'migrate', image: IMAGE, args: ['migrate'] }],
  }));

  test('snapshot', () => {
    expect(build()).toMatchSnapshot();
  });

  test('the pod template is restricted: every security field', () => {
    const job = one(build(), 'Job');
    const spec = podSpec(job);
    expect(spec.securityContext).toEqual(restrictedPodSecurityContext(1000));
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.hostNetwork).toBe(false);
    expect(container(job, 'migrate').securityContext).toEqual(RESTRICTED_CONTAINER);
    expect(container(job, 'migrate').volumeMounts).toEqual([{ mountPath: '/tmp', name: 'migrate-tmp' }]);
    expect(spec.volumes).toEqual([{ name: 'migrate-tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(refusedByKubelet(job)).toEqual([]);
  });

  test('its pods do not restart in place (Never), and the Job controller selects them (no selector of its own)', () => {
    const job = one(build(), 'Job');
    expect(podSpec(job).restartPolicy).toBe('Never');
    expect(job.spec.selector).toBeUndefined();
    // only cdk8s-plus' own address label (as on a plain kplus Job), which the Job does not select on
    expect(Object.keys(template(job).metadata.labels)).toEqual(['cdk8s.io/metadata.addr']);
  });

  test('annotations are on the pod template (what admission reads), not on the Job', () => {
    const job = one(build(), 'Job');
    expect(job.metadata.annotations).toBeUndefined();
    expect(level(job)).toBe('restricted');
    expect(exemptions(job)).toEqual([]);
    expect(level(job)).toBe(PodSecurity.strictestLevel(job));
    expect(PodSecurity.evaluate(job, { level: PolicyLevel.RESTRICTED }).allowed).toBe(true);
  });
});

describe('RootlessJob: cdk8s-plus Job features', () => {
  test('backoffLimit, activeDeadline, ttlAfterFinished, restartPolicy OnFailure and podMetadata pass through', () => {
    const job = one(synth(chart => new RootlessJob(chart, 'batch', {
      user: 1000,
      backoffLimit: 2,
      activeDeadline: Duration.hours(1),
      ttlAfterFinished: Duration.days(1),
      restartPolicy: kplus.RestartPolicy.ON_FAILURE,
      podMetadata: { labels: { app: 'batch' }, annotations: { team: 'data' } },
      containers: [{ name: 'batch', image: IMAGE }],
    })), 'Job');
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 86400 });
    expect(podSpec(job).restartPolicy).toBe('OnFailure');
    expect(template(job).metadata.labels.app).toBe('batch');
    expect(template(job).metadata.annotations.team).toBe('data');
    expect(level(job)).toBe('restricted');
  });

  test('containers added later, init containers and attached containers are hardened', () => {
    const job = one(synth(chart => {
      const j = new RootlessJob(chart, 'job', { preset: ImagePreset.postgres(), containers: [{ name: 'dump', image: 'postgres:16', command: ['pg_dumpall'] }] });
      j.hardening.addContainer({ name: 'upload', image: 'uploader:1', user: 2000, writablePaths: ['/var/cache/upload'] });
      j.addInitContainer({ name: 'wait', image: 'busybox:1.36.1' });
      j.attachContainer(new kplus.Container({ name: 'attached', image: 'attached:1' }));
    }), 'Job');
    for (const name of ['dump', 'upload', 'wait', 'attached']) expect(container(job, name).securityContext).toMatchObject(RESTRICTED_CONTAINER);
    expect(podSpec(job).securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999 });
    expect(container(job, 'upload').securityContext.runAsUser).toBe(2000);
    expect(container(job, 'upload').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/cache/upload']);
    expect(level(job)).toBe('restricted');
  });

  test('an exemption is annotated on the pod template with its reason, and the level follows the policy engine', () => {
    const job = one(synth(chart => new RootlessJob(chart, 'legacy', {
      user: 1000,
      exemptions: [Exemption.writableRootFilesystem('the legacy exporter writes its lock file next to the binary', { container: 'export' })],
      containers: [{ name: 'export', image: IMAGE }],
    })), 'Job');
    expect(container(job, 'export').securityContext.readOnlyRootFilesystem).toBe(false);
    expect(exemptions(job)).toEqual([{ id: 'writableRootFilesystem', container: 'export', reason: 'the legacy exporter writes its lock file next to the binary' }]);
    expect(level(job)).toBe(PodSecurity.strictestLevel(job));
  });

  test('spread: true adds the two anti-affinity terms once, in every render', () => {
    const chart = Testing.chart();
    new RootlessJob(chart, 'par', { user: 1000, spread: true, containers: [{ name: 'w', image: IMAGE }] });
    const first = Testing.synth(chart);
    const terms = podSpec(one(first, 'Job')).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    expect(terms.map((t: any) => t.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    expect(Testing.synth(chart)).toEqual(first);
  });
});

describe('RootlessJob: bad input', () => {
  test('restartPolicy Always, which the API server refuses for a Job', () => {
    expect(error(chart => new RootlessJob(chart, 'job', {
      user: 1000, restartPolicy: kplus.RestartPolicy.ALWAYS, containers: [{ image: IMAGE }],
    }))).toBe('RootlessJob test/job: invalid props:\n  props.restartPolicy: "Always" is not allowed for the pods of a Job (the API server '
      + 'accepts only Never or OnFailure: a Job counts pods that finish). Fix: leave it unset (RestartPolicy.NEVER) or use RestartPolicy.ON_FAILURE.');
  });

  test('negative or fractional backoffLimit, a zero or fractional activeDeadline, a fractional ttlAfterFinished: all reported together', () => {
    const message = error(chart => new RootlessJob(chart, 'job', {
      user: 1000, backoffLimit: -1, activeDeadline: Duration.seconds(0), ttlAfterFinished: Duration.millis(1500), containers: [{ image: IMAGE }],
    }));
    expect(message).toContain('RootlessJob test/job: invalid props:');
    expect(message).toContain('props.backoffLimit: -1 is not a non-negative integer. Fix: use the number of retries, e.g. 3');
    expect(message).toContain('props.activeDeadline: is 0 seconds: the Job would fail as soon as it starts. Fix: use a positive whole number of seconds');
    expect(message).toContain('props.ttlAfterFinished: is not a whole number of seconds');
    expect(error(chart => new RootlessJob(chart, 'job', { user: 1000, backoffLimit: 1.5, containers: [{ image: IMAGE }] })))
      .toContain('props.backoffLimit: 1.5 is not a non-negative integer');
  });

  test('an exemption naming a container that does not exist fails synthesis, naming the containers there are', () => {
    expect(error(chart => new RootlessJob(chart, 'job', {
      user: 1000,
      exemptions: [Exemption.writableRootFilesystem('the exporter writes its lock file next to the binary', { container: 'exporter' })],
      containers: [{ name: 'export', image: IMAGE }],
    }))).toBe('Validation failed with the following errors:\n  [test/job] exemptions: Exemption.writableRootFilesystem() for container "exporter" '
      + 'names a container that is not in the pod (containers: export). Fix: use the name of an init or regular container, or remove the exemption.');
  });

  test('the hardening props are validated as for every rootless workload (no user)', () => {
    const message = error(chart => new RootlessJob(chart, 'job', { containers: [{ image: IMAGE }] }));
    expect(message).toContain('RootlessJob test/job: invalid props:');
    expect(message).toContain('props.user: no user is set. Fix:');
  });
});
