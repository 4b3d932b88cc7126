import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { REASON, container, exemptions, level, synthError, synthPod } from './util';
import { Exemption, ExemptionKind } from '../../lib';
import { HardenedPod, HardenedPodProps } from '../../lib/constructs/plus';
import { PodSecurity } from '../../lib/policy';

/** A pod with an app container and an init container, plus the exemptions. */
function podWith(exempt: Exemption[], extra: Partial<HardenedPodProps> = {}, setup?: (pod: HardenedPod) => void): any {
  return synthPod(chart => {
    const pod = new HardenedPod(chart, 'app', {
      user: 1000,
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'app', image: 'app:v1' }],
      exemptions: exempt,
      ...extra,
    });
    setup?.(pod);
  });
}

/** The annotation entry and the level the engine computes agree with what the pod carries. */
function expectExemption(pod: any, entry: any, expectedLevel: string) {
  expect(exemptions(pod)).toEqual([{ reason: REASON, container: null, ...entry }]);
  expect(level(pod)).toBe(expectedLevel);
  expect(PodSecurity.strictestLevel(pod)).toBe(expectedLevel);
}

describe('one test per exemption kind', () => {
  test('runAsRoot, scoped to an init container: it runs as 0, the pod drops pod-level runAsNonRoot, others keep it (baseline)', () => {
    const pod = podWith([Exemption.runAsRoot(REASON, { container: 'init' })]);
    expectExemption(pod, { id: 'runAsRoot', container: 'init' }, 'baseline');
    expect(pod.spec.securityContext.runAsNonRoot).toBeUndefined();
    expect(pod.spec.securityContext.runAsUser).toBe(1000);
    expect(container(pod, 'init').securityContext.runAsUser).toBe(0);
    expect(container(pod, 'init').securityContext.runAsNonRoot).toBe(false);
    expect(container(pod, 'app').securityContext.runAsNonRoot).toBe(true);
    expect(container(pod, 'init').securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });

  test('runAsRoot for the whole pod: user defaults to 0 (baseline)', () => {
    const pod = podWith([Exemption.runAsRoot(REASON)], { user: undefined });
    expectExemption(pod, { id: 'runAsRoot' }, 'baseline');
    expect(pod.spec.securityContext.runAsUser).toBe(0);
    expect(pod.spec.securityContext.runAsNonRoot).toBeUndefined();
    expect(container(pod, 'app').securityContext.runAsNonRoot).toBe(false);
  });

  test('writableRootFilesystem: readOnlyRootFilesystem false, still restricted', () => {
    const pod = podWith([Exemption.writableRootFilesystem(REASON, { container: 'app' })]);
    expectExemption(pod, { id: 'writableRootFilesystem', container: 'app' }, 'restricted');
    expect(container(pod, 'app').securityContext.readOnlyRootFilesystem).toBe(false);
    expect(container(pod, 'init').securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('privilegeEscalation: allowPrivilegeEscalation true (baseline)', () => {
    const pod = podWith([Exemption.privilegeEscalation(REASON, { container: 'app' })]);
    expectExemption(pod, { id: 'privilegeEscalation', container: 'app' }, 'baseline');
    expect(container(pod, 'app').securityContext.allowPrivilegeEscalation).toBe(true);
    expect(container(pod, 'init').securityContext.allowPrivilegeEscalation).toBe(false);
  });

  // an added capability reaches only a process running as UID 0 (see capabilities-reach.test.ts), so the
  // container also runs as root: NET_BIND_SERVICE alone would be restricted, but runAsRoot is baseline
  test.each([
    [['NET_ADMIN'], 'privileged'],
    [['CHOWN', 'SETUID'], 'baseline'],
    [['NET_BIND_SERVICE'], 'baseline'],
  ])('addCapabilities %j on a root container: added next to drop ALL (%s)', (caps, expected) => {
    const root = Exemption.runAsRoot(REASON, { container: 'app' });
    const pod = podWith([root, Exemption.addCapabilities(caps, REASON, { container: 'app' })]);
    expect(exemptions(pod)).toEqual([
      { id: 'runAsRoot', container: 'app', reason: REASON },
      { id: 'addCapabilities', container: 'app', capabilities: caps, reason: REASON },
    ]);
    expect(level(pod)).toBe(expected);
    expect(PodSecurity.strictestLevel(pod)).toBe(expected);
    expect(container(pod, 'app').securityContext).toMatchObject({ runAsUser: 0, capabilities: { drop: ['ALL'], add: caps } });
    expect(container(pod, 'init').securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });

  test('seccompUnconfined for the pod (privileged)', () => {
    const pod = podWith([Exemption.seccompUnconfined(REASON)]);
    expectExemption(pod, { id: 'seccompUnconfined' }, 'privileged');
    expect(pod.spec.securityContext.seccompProfile).toEqual({ type: 'Unconfined' });
  });

  test('seccompUnconfined for one container (privileged)', () => {
    const pod = podWith([Exemption.seccompUnconfined(REASON, { container: 'app' })]);
    expectExemption(pod, { id: 'seccompUnconfined', container: 'app' }, 'privileged');
    expect(pod.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(container(pod, 'app').securityContext.seccompProfile).toEqual({ type: 'Unconfined' });
  });

  test('seccompLocalhost: Localhost profile, still restricted', () => {
    const pod = podWith([Exemption.seccompLocalhost('profiles/app.json', REASON)]);
    expectExemption(pod, { id: 'seccompLocalhost', profile: 'profiles/app.json' }, 'restricted');
    expect(pod.spec.securityContext.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'profiles/app.json' });
  });

  test('privileged: privileged and (as the API requires) allowPrivilegeEscalation true (privileged)', () => {
    const pod = podWith([Exemption.privileged(REASON, { container: 'app' })]);
    expectExemption(pod, { id: 'privileged', container: 'app' }, 'privileged');
    expect(container(pod, 'app').securityContext).toMatchObject({ privileged: true, allowPrivilegeEscalation: true });
  });

  test.each([
    [Exemption.hostNetwork(REASON), 'hostNetwork'],
    [Exemption.hostPID(REASON), 'hostPID'],
    [Exemption.hostIPC(REASON), 'hostIPC'],
  ])('%s: shares the host namespace (privileged)', (exemption, field) => {
    const pod = podWith([exemption]);
    expectExemption(pod, { id: field }, 'privileged');
    expect(pod.spec[field]).toBe(true);
  });

  test('hostPath: permits a hostPath volume (privileged)', () => {
    const pod = podWith([Exemption.hostPath(REASON, { paths: ['/var/log'] })], {}, p => {
      p.containers[0].mount('/host/logs', kplus.Volume.fromHostPath(p, 'logs', 'logs', { path: '/var/log' }), { readOnly: true });
    });
    expectExemption(pod, { id: 'hostPath', paths: ['/var/log'], writable: false }, 'privileged');
    expect(pod.spec.volumes).toContainEqual({ name: 'logs', hostPath: { path: '/var/log', type: '' } });
  });

  test('serviceAccountToken: automountServiceAccountToken true, still restricted', () => {
    const pod = podWith([Exemption.serviceAccountToken(REASON)]);
    expectExemption(pod, { id: 'serviceAccountToken' }, 'restricted');
    expect(pod.spec.automountServiceAccountToken).toBe(true);
  });

  test('every kind is covered above', () => {
    expect(Object.values(ExemptionKind)).toHaveLength(12);
  });
});

describe('exemptions are verified against the final manifest', () => {
  test('a violation no exemption covers fails synthesis, naming path, container, field and fix', () => {
    const message = synthError(chart => {
      const pod = new HardenedPod(chart, 'app', {
        user: 1000,
        exemptions: [Exemption.hostNetwork(REASON)],
        containers: [{ name: 'app', image: 'app', ports: [{ number: 8080, hostPort: 8080 }] }],
      });
      // cdk8s applies patches before the cdk8s-plus schema filter, on cdk8s's field names (hostPid)
      ApiObject.of(pod).addJsonPatch(JsonPatch.add('/spec/hostPid', true));
    });
    expect(message).toContain('[test/app]');
    expect(message).toMatch(/pod: hostPID=true .*hostNamespaces.* no exemption covers it/);
    expect(message).toMatch(/container "app" uses hostPort 8080 .*hostPorts\), and no exemption covers it. Fix: Remove ports/);
    expect(message).not.toMatch(/hostNetwork=true/); // hostNetwork is covered
  });

  test('verification reads what is synthesized: a patch with the API spelling /spec/hostPID is dropped by the schema filter', () => {
    const pod = synthPod(chart => {
      const p = new HardenedPod(chart, 'app', { user: 1000, containers: [{ image: 'app' }] });
      ApiObject.of(p).addJsonPatch(JsonPatch.add('/spec/hostPID', true));
    });
    expect(pod.spec.hostPID).toBeUndefined();
    expect(level(pod)).toBe('restricted');
  });

  test('an exemption for one container does not cover another', () => {
    const message = synthError(chart => {
      const pod = new HardenedPod(chart, 'app', {
        user: 1000,
        exemptions: [Exemption.runAsRoot(REASON, { container: 'app' }), Exemption.addCapabilities(['NET_ADMIN'], REASON, { container: 'app' })],
        containers: [{ name: 'app', image: 'app' }, { name: 'other', image: 'other' }],
      });
      ApiObject.of(pod).addJsonPatch(JsonPatch.add('/spec/containers/1/securityContext/capabilities/add', ['NET_ADMIN']));
    });
    expect(message).toMatch(/container "other" must not include "NET_ADMIN" .*capabilities_restricted\), and no exemption covers it/);
    expect(message).not.toMatch(/container "app":/);
  });

  test('an exemption that relaxes nothing is reported', () => {
    const message = synthError(chart => new HardenedPod(chart, 'app', {
      user: 1000, exemptions: [Exemption.hostPath(REASON, { paths: ['/var/log'] })], containers: [{ image: 'app' }],
    }));
    expect(message).toContain('[test/app] exemptions: Exemption.hostPath({ paths: ["/var/log"] }) covers nothing');
    expect(message).toContain('Fix: remove the exemption');
  });

  test('runAsRoot for a container that sets a non-root user covers nothing', () => {
    const message = synthError(chart => new HardenedPod(chart, 'app', {
      user: 1000, exemptions: [Exemption.runAsRoot(REASON, { container: 'app' })], containers: [{ name: 'app', image: 'app', user: 1001 }],
    }));
    expect(message).toContain('Exemption.runAsRoot() for container "app" covers nothing');
  });

  test('an exemption naming a container that is not in the pod is reported', () => {
    const message = synthError(chart => new HardenedPod(chart, 'app', {
      user: 1000, exemptions: [Exemption.privileged(REASON, { container: 'nope' })], containers: [{ name: 'app', image: 'app' }],
    }));
    expect(message).toContain('Exemption.privileged() for container "nope" names a container that is not in the pod (containers: app)');
  });

  test('the kubelet consistency check: runAsNonRoot true with user 0', () => {
    const message = synthError(chart => {
      const pod = new HardenedPod(chart, 'app', {
        user: 1000, exemptions: [Exemption.runAsRoot(REASON, { container: 'app' })], containers: [{ name: 'app', image: 'app' }],
      });
      ApiObject.of(pod).addJsonPatch(JsonPatch.add('/spec/containers/0/securityContext/runAsNonRoot', true));
    });
    expect(message).toContain('container "app": effective runAsNonRoot is true and effective runAsUser is 0: the kubelet would refuse to start it');
  });

  test('a port below 1024 fails with both real fixes and why NET_BIND_SERVICE does not help', () => {
    const message = synthError(chart => new HardenedPod(chart, 'web', {
      user: 101, containers: [{ name: 'nginx', image: 'nginx', portNumber: 80 }],
    }));
    expect(message).toContain('[test/web] container "nginx": port 80 is below 1024');
    expect(message).toContain('listen on a port >= 1024 (e.g. 8080) and map the Service port (port: 80, targetPort: the new port)');
    expect(message).toContain('unprivilegedPortStart: 80');
    expect(message).toContain('net.ipv4.ip_unprivileged_port_start');
    expect(message).toContain('NET_BIND_SERVICE does not help');
  });

  test('a port below 1024 with NET_BIND_SERVICE on a non-root container still fails', () => {
    const message = synthError(chart => new HardenedPod(chart, 'web', {
      user: 101,
      exemptions: [Exemption.addCapabilities(['NET_BIND_SERVICE'], REASON, { container: 'nginx' })],
      containers: [{ name: 'nginx', image: 'nginx', portNumber: 443 }],
    }));
    expect(message).toContain('port 443 is below 1024');
  });

  test('two volumes mounted at one path (a writable path and a later mount) fail', () => {
    const message = synthError(chart => {
      const pod = new HardenedPod(chart, 'app', { user: 1000, containers: [{ name: 'app', image: 'app' }] });
      pod.containers[0].mount('/tmp', kplus.Volume.fromEmptyDir(pod, 'other', 'other'));
    });
    expect(message).toContain('container "app": two volumes are mounted at /tmp');
  });
});

describe('scenario 10 on a pod: a root init container that fixes volume ownership', () => {
  const build = () => podWith(
    [
      Exemption.runAsRoot('chowns the data volume before the server starts', { container: 'init' }),
      // with capabilities.drop [ALL], root cannot chown files it does not own without CHOWN
      Exemption.addCapabilities(['CHOWN'], 'chown -R 1000:1000 on the data volume', { container: 'init' }),
    ],
    { initContainers: [{ name: 'init', image: 'busybox', command: ['chown', '-R', '1000:1000', '/data'] }] },
  );

  test('snapshot', () => {
    expect(build()).toMatchSnapshot();
  });

  test('runAsNonRoot is set per container, not at pod level (the kubelet would refuse the init container), and the pod is baseline', () => {
    const pod = build();
    expect(pod.spec.securityContext.runAsNonRoot).toBeUndefined();
    expect(container(pod, 'init').securityContext).toMatchObject({ runAsUser: 0, capabilities: { drop: ['ALL'], add: ['CHOWN'] } });
    expect(container(pod, 'init').securityContext.runAsNonRoot).toBe(false);
    expect(container(pod, 'app').securityContext.runAsNonRoot).toBe(true);
    expect(level(pod)).toBe('baseline');
    expect(exemptions(pod).map((e: any) => e.id)).toEqual(['runAsRoot', 'addCapabilities']);
  });
});
