import { ApiObject, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ImagePreset, RootlessAnnotations } from '../../lib';
import { HardenedPod } from '../../lib/constructs/plus';
import { PodSecurity, PolicyLevel } from '../../lib/policy';
import { container, exemptions, level, synthError, synthPod } from '../hardening/util';

/** Every security field of a hardened container, as the issue lists them. */
function expectHardenedContainer(c: any, user?: number, group?: number) {
  expect(c.securityContext).toEqual({
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    ...user === undefined ? {} : { runAsUser: user },
    ...group === undefined ? {} : { runAsGroup: group },
  });
}

describe('HardenedPod secure defaults', () => {
  const build = () => synthPod(chart => new HardenedPod(chart, 'app', {
    user: 1000,
    containers: [{ image: 'app:v1.0', portNumber: 8080, writablePaths: ['/var/cache/app'] }],
  }));

  test('snapshot', () => {
    expect(build()).toMatchSnapshot();
  });

  test('pod security context: non-root, numeric ids, OnRootMismatch, RuntimeDefault seccomp', () => {
    const pod = build();
    expect(pod.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.hostNetwork).toBe(false);
    expect(pod.spec.hostPID).toBeUndefined();
    expect(pod.spec.hostIPC).toBeUndefined();
  });

  test('container security context: no escalation, not privileged, read-only root, drop ALL, non-root', () => {
    expectHardenedContainer(container(build(), 'main'));
  });

  test('writable paths: /tmp and each writablePath get their own size-limited emptyDir', () => {
    const pod = build();
    expect(container(pod, 'main').volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'main-tmp' },
      { mountPath: '/var/cache/app', name: 'main-var-cache-app' },
    ]);
    expect(pod.spec.volumes).toEqual([
      { name: 'main-tmp', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'main-var-cache-app', emptyDir: { sizeLimit: '256Mi' } },
    ]);
  });

  test('annotations: no exemptions, level restricted as the policy engine computes it', () => {
    const pod = build();
    expect(exemptions(pod)).toEqual([]);
    expect(level(pod)).toBe('restricted');
    expect(PodSecurity.evaluate(pod).allowed).toBe(true);
    expect(PodSecurity.strictestLevel(pod)).toBe(PolicyLevel.RESTRICTED);
  });

  test('the security fields survive cdk8s serialization (schema filter, no patches needed)', () => {
    const chart = Testing.chart();
    const pod = new HardenedPod(chart, 'app', { user: 1000, containers: [{ image: 'app' }] });
    const json = ApiObject.of(pod).toJson();
    expect(json.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(json.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(json.spec.volumes[0].emptyDir.sizeLimit).toBe('256Mi');
  });
});

describe('HardenedPod containers', () => {
  test('multi-container: app inherits the pod user, helper overrides it (scenario 4)', () => {
    const pod = synthPod(chart => new HardenedPod(chart, 'multi', {
      user: 1000,
      containers: [{ name: 'app', image: 'app:v1.0' }, { name: 'helper', image: 'helper:v1.0', user: 2000, group: 2000 }],
    }));
    expect(pod.spec.securityContext.runAsUser).toBe(1000);
    expectHardenedContainer(container(pod, 'app'));
    expectHardenedContainer(container(pod, 'helper'), 2000, 2000);
    expect(level(pod)).toBe('restricted');
  });

  test('group and fsGroup can differ from the user', () => {
    const pod = synthPod(chart => new HardenedPod(chart, 'app', { user: 1000, group: 3000, fsGroup: 4000, containers: [{ image: 'app' }] }));
    expect(pod.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 3000, fsGroup: 4000 });
  });

  test('init containers are hardened too', () => {
    const pod = synthPod(chart => new HardenedPod(chart, 'app', {
      user: 1000, initContainers: [{ name: 'migrate', image: 'migrate:1', user: 1001 }], containers: [{ image: 'app' }],
    }));
    expectHardenedContainer(container(pod, 'migrate'), 1001);
    expect(container(pod, 'migrate').volumeMounts).toEqual([{ mountPath: '/tmp', name: 'migrate-tmp' }]);
  });

  test('containers added later, by any route, stay hardened', () => {
    const pod = synthPod(chart => {
      const p = new HardenedPod(chart, 'app', { user: 1000, containers: [{ image: 'app' }] });
      p.addContainer({ name: 'plain', image: 'plain:1' });
      p.hardening.addContainer({ name: 'typed', image: 'typed:1', user: 1500, writablePaths: ['/data'] });
      p.addInitContainer({ name: 'init', image: 'init:1' });
      p.attachContainer(new kplus.Container({ name: 'attached', image: 'attached:1', securityContext: { user: 1600 } }));
    });
    for (const name of ['main', 'plain', 'init']) expectHardenedContainer(container(pod, name));
    expectHardenedContainer(container(pod, 'typed'), 1500);
    expectHardenedContainer(container(pod, 'attached'), 1600);
    expect(container(pod, 'typed').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/data']);
    expect(container(pod, 'attached').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp']);
    expect(level(pod)).toBe('restricted');
  });

  test('cdk8s-plus features keep working: volumes, env, resources, probes, termination grace', () => {
    const pod = synthPod(chart => {
      const cm = new kplus.ConfigMap(chart, 'cm', { data: { a: 'b' } });
      const config = kplus.Volume.fromConfigMap(chart, 'config', cm);
      const p = new HardenedPod(chart, 'app', {
        user: 1000,
        terminationGracePeriod: Duration.seconds(10),
        containers: [{
          image: 'app',
          portNumber: 8080,
          envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('info') },
          resources: { memory: { limit: Size.mebibytes(128) } },
          readiness: kplus.Probe.fromHttpGet('/healthz'),
          volumeMounts: [{ path: '/etc/app', volume: config }],
        }],
      });
      p.containers[0].env.addVariable('MODE', kplus.EnvValue.fromValue('prod'));
    });
    const main = container(pod, 'main');
    expect(main.env).toEqual([{ name: 'LOG_LEVEL', value: 'info' }, { name: 'MODE', value: 'prod' }]);
    expect(main.resources.limits.memory).toBe('128Mi');
    expect(main.readinessProbe.httpGet.path).toBe('/healthz');
    expect(main.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/etc/app', '/tmp']);
    expect(pod.spec.terminationGracePeriodSeconds).toBe(10);
    expect(level(pod)).toBe('restricted');
  });

  test('writable volumes: medium Memory and size limits, per pod and per container', () => {
    const pod = synthPod(chart => new HardenedPod(chart, 'app', {
      user: 1000,
      writableVolumes: { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(32) },
      containers: [
        { name: 'a', image: 'a' },
        { name: 'b', image: 'b', writableTmp: false, writablePaths: ['/cache/'], writableVolumes: { sizeLimit: Size.gibibytes(1) } },
      ],
    }));
    expect(pod.spec.volumes).toEqual([
      { name: 'a-tmp', emptyDir: { medium: 'Memory', sizeLimit: '32Mi' } },
      { name: 'b-cache', emptyDir: { medium: 'Memory', sizeLimit: '1024Mi' } },
    ]);
    expect(container(pod, 'b').volumeMounts).toEqual([{ mountPath: '/cache', name: 'b-cache' }]);
  });

  test('unprivilegedPortStart lets a non-root container listen on port 80 and stays restricted', () => {
    const pod = synthPod(chart => new HardenedPod(chart, 'web', {
      user: 101, unprivilegedPortStart: 80, containers: [{ image: 'nginxinc/nginx-unprivileged', portNumber: 80 }],
    }));
    expect(pod.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }]);
    expect(level(pod)).toBe('restricted');
  });

  test('cdk8s-plus securityContext: user/group aliases, sysctls and fsGroupChangePolicy are honored', () => {
    const pod = synthPod(chart => new HardenedPod(chart, 'app', {
      securityContext: { user: 1000, sysctls: [{ name: 'net.ipv4.ping_group_range', value: '0 0' }], fsGroupChangePolicy: kplus.FsGroupChangePolicy.ALWAYS },
      containers: [{ image: 'app', securityContext: { user: 1100 } }],
    }));
    expect(pod.spec.securityContext).toMatchObject({ runAsUser: 1000, fsGroupChangePolicy: 'Always', sysctls: [{ name: 'net.ipv4.ping_group_range', value: '0 0' }] });
    expect(container(pod, 'main').securityContext.runAsUser).toBe(1100);
  });
});

describe('ImagePreset', () => {
  test.each([
    [ImagePreset.postgres(), 999, 999, 999, '/var/lib/postgresql'],
    [ImagePreset.postgresAlpine(), 70, 70, 70, '/var/lib/postgresql'],
    [ImagePreset.redis(), 999, 999, 999, '/data'],
    [ImagePreset.redisAlpine(), 999, 1000, 1000, '/data'],
    [ImagePreset.nginxUnprivileged(), 101, 101, 101, undefined],
    [ImagePreset.elasticsearch(), 1000, 0, 1000, '/usr/share/elasticsearch/data'],
    [ImagePreset.grafana(), 472, 0, 472, '/var/lib/grafana'],
    [ImagePreset.prometheus(), 65534, 65534, 65534, '/prometheus'],
    [ImagePreset.node(), 1000, 1000, 1000, undefined],
    [ImagePreset.mysql(), 999, 999, 999, '/var/lib/mysql'],
    [ImagePreset.mongo(), 999, 999, 999, '/data/db'],
  ])('%s data', (preset, user, group, fsGroup, dataPath) => {
    expect([preset.user, preset.group, preset.fsGroup, preset.dataPath]).toEqual([user, group, fsGroup, dataPath]);
  });

  test('nginx-unprivileged listens on 8080', () => {
    expect(ImagePreset.nginxUnprivileged().port).toBe(8080);
  });

  test('a pod preset supplies the ids and the writable paths of the containers that run as the pod user', () => {
    const pod = synthPod(chart => new HardenedPod(chart, 'db', {
      preset: ImagePreset.postgresAlpine(),
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'postgres', image: 'postgres:17-alpine', writablePaths: ['/var/lib/postgresql'] }, { name: 'exporter', image: 'exporter', user: 65534 }],
    }));
    expect(pod.spec.securityContext).toMatchObject({ runAsUser: 70, runAsGroup: 70, fsGroup: 70 });
    expect(container(pod, 'postgres').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/run/postgresql', '/var/lib/postgresql']);
    expect(container(pod, 'exporter').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp']);
    expect(container(pod, 'init').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp']);
    expect(level(pod)).toBe('restricted');
  });

  test('a container preset supplies that container\'s ids and paths; explicit props win', () => {
    const pod = synthPod(chart => new HardenedPod(chart, 'mon', {
      user: 1000,
      group: 1000,
      containers: [{ name: 'grafana', image: 'grafana/grafana', preset: ImagePreset.grafana(), writablePaths: ['/var/lib/grafana'] }],
    }));
    expect(container(pod, 'grafana').securityContext).toMatchObject({ runAsUser: 472, runAsGroup: 0 });
    expect(container(pod, 'grafana').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/log/grafana', '/var/lib/grafana']);
    expect(pod.spec.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000 });
  });

  test('ImagePreset.of for other images', () => {
    const preset = ImagePreset.of({ name: 'app', user: 10001, group: 10001, writablePaths: ['/var/run/app'] });
    const pod = synthPod(chart => new HardenedPod(chart, 'app', { preset, containers: [{ image: 'app' }] }));
    expect(pod.spec.securityContext.runAsUser).toBe(10001);
    expect(container(pod, 'main').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/run/app']);
  });
});

describe('verification at synthesis sees the final manifest', () => {
  test('a JSON patch that weakens the pod fails synthesis', () => {
    const message = synthError(chart => {
      const pod = new HardenedPod(chart, 'app', { user: 1000, containers: [{ name: 'app', image: 'app' }] });
      ApiObject.of(pod).addJsonPatch(JsonPatch.replace('/spec/containers/0/securityContext/privileged', true));
    });
    expect(message).toContain('[test/app]');
    expect(message).toContain('container "app"');
    expect(message).toContain('privileged');
    expect(message).toContain('Exemption.privileged(reason, { container })');
  });

  test('changes after a synthesis are verified again (no stale result)', () => {
    const chart = Testing.chart();
    const pod = new HardenedPod(chart, 'app', { user: 1000, containers: [{ image: 'app' }] });
    expect(level(Testing.synth(chart)[0])).toBe('restricted');
    pod.containers[0].addPort({ number: 8081, hostPort: 8081 });
    expect(() => Testing.synth(chart)).toThrow(/hostPort/);
  });

  test('the level annotation is computed from the final manifest, also without validation', () => {
    const chart = Testing.chart();
    const pod = new HardenedPod(chart, 'app', { user: 1000, containers: [{ image: 'app' }] });
    const json = ApiObject.of(pod).toJson();
    expect(json.metadata.annotations[RootlessAnnotations.PSS_LEVEL]).toBe('restricted');
    expect(json.metadata.annotations[RootlessAnnotations.EXEMPTIONS]).toBe('[]');
  });
});

test('a pod that cannot be synthesized is reported by the validation, with its path', () => {
  expect(synthError(chart => new HardenedPod(chart, 'empty', { user: 1000 })))
    .toContain('[test/empty] cannot synthesize the pod: ');
});
