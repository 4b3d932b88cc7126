import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RESTRICTED_CONTAINER, container, error, exemptions, level, one, podSpec, refusedByKubelet, synth, template } from './util';
import { ImagePreset } from '../../../lib';
import { RootlessDeployment } from '../../../lib/constructs/plus/rootless-deployment';
import { Exemption } from '../../../lib/exemptions/exemption';
import { PodSecurity, PolicyLevel } from '../../../lib/policy';

const IMAGE = 'nginxinc/nginx-unprivileged:1.27';

describe('RootlessDeployment: minimal use (scenario 11: Service 80 -> container 8080)', () => {
  const build = () => synth(chart => {
    const web = new RootlessDeployment(chart, 'web', { user: 101, containers: [{ name: 'web', image: IMAGE, portNumber: 8080 }] });
    web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
  });

  test('snapshot', () => {
    expect(build()).toMatchSnapshot();
  });

  test('the pod template is restricted: every security field', () => {
    const d = one(build(), 'Deployment');
    const spec = podSpec(d);
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 101,
      runAsGroup: 101,
      fsGroup: 101,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.hostNetwork).toBe(false);
    expect(container(d, 'web').securityContext).toEqual(RESTRICTED_CONTAINER);
    expect(container(d, 'web').volumeMounts).toEqual([{ mountPath: '/tmp', name: 'web-tmp' }]);
    expect(spec.volumes).toEqual([{ name: 'web-tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(refusedByKubelet(d)).toEqual([]);
  });

  test('annotations are on the pod template (what admission reads), not on the Deployment', () => {
    const d = one(build(), 'Deployment');
    expect(d.metadata.annotations).toBeUndefined();
    expect(level(d)).toBe('restricted');
    expect(exemptions(d)).toEqual([]);
    expect(level(d)).toBe(PodSecurity.strictestLevel(d));
    expect(PodSecurity.evaluate(d, { level: PolicyLevel.RESTRICTED }).allowed).toBe(true);
  });

  test('the Service maps port 80 to targetPort 8080; the container binds only 8080', () => {
    const manifests = build();
    const svc = one(manifests, 'Service');
    expect(svc.spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
    expect(svc.spec.selector).toEqual(one(manifests, 'Deployment').spec.selector.matchLabels);
    expect(container(one(manifests, 'Deployment'), 'web').ports).toEqual([{ containerPort: 8080 }]);
  });

  test('a container port below 1024 fails synthesis with the fix (map the Service port)', () => {
    const message = error(chart => new RootlessDeployment(chart, 'web', { user: 101, containers: [{ name: 'web', image: IMAGE, portNumber: 80 }] }));
    expect(message).toContain('/web');
    expect(message).toContain('port 80 is below 1024');
    expect(message).toContain('targetPort');
  });

  test('exposing a targetPort no container declares is refused by cdk8s-plus', () => {
    const chart = Testing.chart();
    const web = new RootlessDeployment(chart, 'web', { user: 101, containers: [{ image: IMAGE, portNumber: 8080 }] });
    expect(() => web.exposeViaService({ ports: [{ port: 80 }] })).toThrow(/Port 80 is not exposed by any container/);
  });
});

describe('RootlessDeployment: cdk8s-plus Deployment features', () => {
  test('replicas, strategy, minReady, progressDeadline, podMetadata pass through', () => {
    const d = one(synth(chart => new RootlessDeployment(chart, 'web', {
      user: 1000,
      replicas: 5,
      strategy: kplus.DeploymentStrategy.recreate(),
      minReady: Duration.seconds(5),
      progressDeadline: Duration.minutes(5),
      podMetadata: { labels: { app: 'web' }, annotations: { team: 'a' } },
      containers: [{ image: 'app:1', portNumber: 8080 }],
    })), 'Deployment');
    expect(d.spec.replicas).toBe(5);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(d.spec.minReadySeconds).toBe(5);
    expect(d.spec.progressDeadlineSeconds).toBe(300);
    expect(template(d).metadata.labels.app).toBe('web');
    expect(template(d).metadata.annotations.team).toBe('a');
    expect(level(d)).toBe('restricted');
  });

  test('containers added later, init containers and attached containers are hardened', () => {
    const d = one(synth(chart => {
      const dep = new RootlessDeployment(chart, 'web', { preset: ImagePreset.nginxUnprivileged(), containers: [{ name: 'web', image: IMAGE, portNumber: 8080 }] });
      dep.hardening.addContainer({ name: 'sidecar', image: 'sidecar:1', user: 2000 });
      dep.addInitContainer({ name: 'init', image: 'init:1' });
      dep.attachContainer(new kplus.Container({ name: 'attached', image: 'attached:1' }));
    }), 'Deployment');
    for (const name of ['web', 'sidecar', 'init', 'attached']) {
      expect(container(d, name).securityContext).toMatchObject(RESTRICTED_CONTAINER);
    }
    expect(container(d, 'sidecar').securityContext.runAsUser).toBe(2000);
    expect(level(d)).toBe('restricted');
    expect(level(d)).toBe(PodSecurity.strictestLevel(d));
  });

  test('an exemption is annotated on the template with its reason, and the level follows the policy engine', () => {
    const d = one(synth(chart => new RootlessDeployment(chart, 'web', {
      user: 1000,
      exemptions: [Exemption.writableRootFilesystem('the legacy app writes its PID file next to the binary', { container: 'main' })],
      containers: [{ image: 'legacy:1', portNumber: 8080 }],
    })), 'Deployment');
    expect(container(d, 'main').securityContext.readOnlyRootFilesystem).toBe(false);
    expect(exemptions(d)).toEqual([expect.objectContaining({ id: 'writableRootFilesystem', container: 'main' })]);
    expect(level(d)).toBe(PodSecurity.strictestLevel(d));
  });

  test('bad props fail at construction with the construct path, the prop and the fix', () => {
    const message = error(chart => new RootlessDeployment(chart, 'web', { containers: [{ image: 'app:1' }] }));
    expect(message).toContain('RootlessDeployment test/web');
    expect(message).toContain('props.user');
    expect(message).toContain('Fix:');
  });
});
