/**
 * Capabilities that never reach the process (issue 14): Kubernetes gives a non-root process no ambient
 * capabilities, and `allowPrivilegeEscalation: false` (no_new_privs) also disables file capabilities.
 * So an added capability is refused at synthesis (and reported by `harden`) on a container that does
 * not run as UID 0, unless privilege escalation is allowed (then the image's binary may carry it with setcap).
 */
import * as YAML from 'yaml';
import { REASON, container, exemptions, level, synthError, synthPod } from './util';
import { Exemption } from '../../lib';
import { hardenText } from '../../lib/cli/harden/harden';
import { HardenedPod, RootlessDeployment } from '../../lib/constructs/plus';
import { unreachableCapabilities } from '../../lib/hardening/runtime-checks';

describe('unreachableCapabilities (the one rule, on plain pod specs)', () => {
  const spec = (sc: any, pod: any = {}, extra: any = {}) => ({ securityContext: pod, containers: [{ name: 'c', image: 'i', securityContext: sc }], ...extra });
  const caps = { drop: ['ALL'], add: ['NET_ADMIN'] };

  test('a non-root container (own or inherited numeric user) without privilege escalation', () => {
    expect(unreachableCapabilities(spec({ runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: caps })))
      .toEqual([{ container: 'c', capabilities: ['NET_ADMIN'], user: 1000 }]);
    expect(unreachableCapabilities(spec({ allowPrivilegeEscalation: false, capabilities: caps }, { runAsUser: 70 })))
      .toEqual([{ container: 'c', capabilities: ['NET_ADMIN'], user: 70 }]);
  });

  test('every capability counts, NET_BIND_SERVICE included', () => {
    expect(unreachableCapabilities(spec({ runAsUser: 101, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })))
      .toEqual([{ container: 'c', capabilities: ['NET_BIND_SERVICE'], user: 101 }]);
  });

  test('no numeric user, but runAsNonRoot: true (pod or container): not root either', () => {
    expect(unreachableCapabilities(spec({ allowPrivilegeEscalation: false, capabilities: caps }, { runAsNonRoot: true })))
      .toEqual([{ container: 'c', capabilities: ['NET_ADMIN'], user: undefined }]);
  });

  test('init and ephemeral containers are checked too', () => {
    const sc = { runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: caps };
    expect(unreachableCapabilities({ initContainers: [{ name: 'i', securityContext: sc }], containers: [], ephemeralContainers: [{ name: 'e', securityContext: sc }] })
      .map(u => u.container)).toEqual(['i', 'e']);
  });

  test.each([
    ['runs as UID 0 (container)', spec({ runAsUser: 0, allowPrivilegeEscalation: false, capabilities: caps }, { runAsUser: 1000 })],
    ['runs as UID 0 (pod)', spec({ allowPrivilegeEscalation: false, capabilities: caps }, { runAsUser: 0 })],
    ['allows privilege escalation (file capabilities)', spec({ runAsUser: 1000, allowPrivilegeEscalation: true, capabilities: caps })],
    ['leaves allowPrivilegeEscalation unset (Kubernetes defaults it to true)', spec({ runAsUser: 1000, capabilities: caps })],
    ['has an unknown user (the image may run as root)', spec({ allowPrivilegeEscalation: false, capabilities: caps })],
    ['adds nothing', spec({ runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })],
    ['is in a Windows pod', spec({ runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: caps }, {}, { os: { name: 'windows' } })],
  ])('not reported when the container %s', (_, s) => {
    expect(unreachableCapabilities(s)).toEqual([]);
  });

  test('malformed input does not throw', () => {
    for (const s of [undefined, null, 7, 'x', {}, { containers: [null, 3, { securityContext: 'x' }] }, { containers: [{ securityContext: { runAsUser: 1, allowPrivilegeEscalation: false, capabilities: { add: 'NET_ADMIN' } } }] }]) {
      expect(() => unreachableCapabilities(s)).not.toThrow();
    }
  });
});

describe('synthesis refuses capabilities a non-root container never holds', () => {
  /** The README's former VPN example: NET_ADMIN for a container running as UID 1000. */
  const vpn = (exempt: Exemption[]) => (chart: any) => new HardenedPod(chart, 'vpn', {
    user: 1000,
    containers: [{ name: 'vpn', image: 'vpn:2.1' }],
    exemptions: [Exemption.addCapabilities(['NET_ADMIN'], 'configures the tunnel interface of the pod network namespace', { container: 'vpn' }), ...exempt],
  });

  test('the former README example fails, naming the container, the user and the three fixes', () => {
    const message = synthError(vpn([]));
    expect(message).toContain('[test/vpn] container "vpn": capabilities NET_ADMIN are added, but the container runs as UID 1000 '
      + 'with allowPrivilegeEscalation: false, so its process never holds them');
    expect(message).toContain('no ambient capabilities');
    expect(message).toContain('Exemption.runAsRoot(reason, { container: \'vpn\' })');
    expect(message).toContain('drop the capabilities');
    expect(message).toContain('Exemption.privilegeEscalation(reason, { container: \'vpn\' })');
    expect(message).toContain('setcap cap_net_admin+ep');
  });

  test('NET_BIND_SERVICE on a non-root container is refused too (restricted allows it, the kernel ignores it)', () => {
    const message = synthError(chart => new HardenedPod(chart, 'web', {
      user: 101,
      exemptions: [Exemption.addCapabilities(['NET_BIND_SERVICE'], REASON, { container: 'web' })],
      containers: [{ name: 'web', image: 'web', portNumber: 8080 }],
    }));
    expect(message).toContain('container "web": capabilities NET_BIND_SERVICE are added, but the container runs as UID 101');
  });

  test('a pod-wide addCapabilities names every non-root container', () => {
    const message = synthError(chart => new RootlessDeployment(chart, 'web', {
      user: 1000,
      exemptions: [Exemption.addCapabilities(['NET_RAW'], REASON)],
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'app', image: 'app' }],
    }));
    expect(message).toContain('[test/web] container "init": capabilities NET_RAW are added');
    expect(message).toContain('[test/web] container "app": capabilities NET_RAW are added');
  });

  test('fix 1: the container runs as root (runAsRoot): it holds NET_ADMIN', () => {
    const pod = synthPod(vpn([Exemption.runAsRoot('the tunnel setup runs as root to configure the interface', { container: 'vpn' })]));
    expect(container(pod, 'vpn').securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } });
    expect(level(pod)).toBe('privileged'); // NET_ADMIN is outside the baseline set
    expect(exemptions(pod).map(e => e.id)).toEqual(['addCapabilities', 'runAsRoot']);
  });

  test('fix 3: privilege escalation allowed (the binary carries the file capability): not refused', () => {
    const pod = synthPod(vpn([Exemption.privilegeEscalation('the vpn binary carries cap_net_admin as a file capability (setcap)', { container: 'vpn' })]));
    expect(container(pod, 'vpn').securityContext).toMatchObject({ allowPrivilegeEscalation: true, capabilities: { add: ['NET_ADMIN'] } });
    expect(container(pod, 'vpn').securityContext.runAsUser).toBeUndefined();
    expect(pod.spec.securityContext.runAsUser).toBe(1000);
  });

  test('the permission init container of a stateful set (root, CHOWN and FOWNER) is not affected', () => {
    // covered in test/workloads: a root container holds its added capabilities
    const pod = synthPod(chart => new HardenedPod(chart, 'p', {
      user: 1000,
      exemptions: [Exemption.runAsRoot(REASON, { container: 'init' }), Exemption.addCapabilities(['CHOWN'], REASON, { container: 'init' })],
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'app', image: 'app' }],
    }));
    expect(container(pod, 'init').securityContext.capabilities.add).toEqual(['CHOWN']);
  });
});

test('harden reports capabilities a non-root container never holds', () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: vpn
spec:
  securityContext: {runAsUser: 1000}
  containers:
    - name: vpn
      image: vpn:2.1
      securityContext: {capabilities: {add: [NET_ADMIN]}}
`;
  const r = hardenText(text);
  const after = YAML.parse(r.text).spec.containers[0].securityContext;
  expect(after).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } });
  const problems = r.objects[0].problems.join('\n');
  expect(problems).toContain('container "vpn": adds NET_ADMIN, which its non-root process never holds');
  expect(problems).toContain('exemption runAsRoot');
  expect(problems).toContain('setcap');
});
