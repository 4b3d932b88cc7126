import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { REASON, constructionError } from './util';
import { Exemption } from '../../lib';
import { HardenedPod, HardenedPodProps } from '../../lib/constructs/plus';

const APP = [{ name: 'app', image: 'app:v1' }];

/** The construction error of a HardenedPod at path test/app with these props. */
function errorOf(props: HardenedPodProps, after?: (pod: HardenedPod) => void): string {
  return constructionError(chart => {
    const pod = new HardenedPod(chart, 'app', { containers: APP, ...props });
    after?.(pod);
  });
}

/** Every construction error names the construct path, the prop and the fix. */
function expectError(message: string, prop: string, ...parts: string[]) {
  expect(message).toContain('HardenedPod test/app: invalid props:');
  expect(message).toContain(prop);
  expect(message).toContain('Fix: ');
  for (const part of parts) expect(message).toContain(part);
}

describe('bad ids', () => {
  test.each([
    [{ user: 1.5 }, 'props.user: 1.5 is not a numeric ID'],
    [{ user: -1 }, 'props.user: -1 is not a numeric ID'],
    [{ user: 2147483648 }, 'props.user: 2147483648 is not a numeric ID'],
    [{ user: 1000, group: Number.NaN }, 'props.group: NaN is not a numeric ID'],
    [{ user: 1000, fsGroup: 1e12 }, 'props.fsGroup: 1000000000000 is not a numeric ID'],
  ])('%j', (props, expected) => {
    expectError(errorOf(props), expected, 'use an integer in 0..2147483647');
  });

  test('container user not an integer', () => {
    expectError(errorOf({ user: 1000, containers: [{ name: 'app', image: 'app', user: 10.5 }] }),
      'containers[app].user: 10.5 is not a numeric ID');
  });

  test('container group out of range', () => {
    expectError(errorOf({ user: 1000, containers: [{ name: 'app', image: 'app', group: -5 }] }),
      'containers[app].group: -5 is not a numeric ID');
  });

  test('no user and no preset: the message says that no preset knows the image (issue 20, point 9)', () => {
    expectError(errorOf({}), 'props.user: no user is set', 'numeric UID', 'no preset is known for image "app:v1" (ImagePreset.forImage)');
    expect(errorOf({})).not.toContain('ImagePreset.postgres()');
  });

  test('no user on a well-known image: the message names the preset ImagePreset.forImage finds (issue 20, point 9)', () => {
    const message = errorOf({ containers: [{ name: 'api', image: 'node:20-alpine' }, { name: 'side', image: 'gcr.io/distroless/static:nonroot' }] });
    expectError(message, 'props.user: no user is set', 'image "node:20-alpine" is ImagePreset.node() (UID 1000): preset: ImagePreset.node()',
      'image "gcr.io/distroless/static:nonroot" is ImagePreset.distrolessNonroot() (UID 65532)');
    expect(message).not.toContain('ImagePreset.postgres()');
  });

  test('user 0 without the root exemption', () => {
    expectError(errorOf({ user: 0 }), 'props.user: 0 runs every container as root', 'Exemption.runAsRoot(reason)');
  });

  test('user 0 with only a container-scoped root exemption', () => {
    expectError(errorOf({ user: 0, exemptions: [Exemption.runAsRoot(REASON, { container: 'app' })] }), 'props.user: 0 runs every container as root');
  });

  test('container user 0 without the root exemption', () => {
    expectError(errorOf({ user: 1000, containers: [{ name: 'app', image: 'app', user: 0 }] }),
      'containers[app].user: 0 runs the container as root', "Exemption.runAsRoot(reason, { container: 'app' })");
  });

  test('init container user 0 via addInitContainer', () => {
    expectError(errorOf({ user: 1000 }, pod => pod.hardening.addInitContainer({ name: 'chown', image: 'busybox', user: 0 })),
      'initContainers[chown].user: 0 runs the container as root');
  });

  test('contradicting user in props and cdk8s-plus securityContext', () => {
    expectError(errorOf({ user: 1000, securityContext: { user: 1001 } }), 'props.securityContext.user: 1001 contradicts props.user: 1000');
  });
});

describe('bad writable paths', () => {
  const withPaths = (writablePaths: string[], extra = {}) => errorOf({ user: 1000, containers: [{ name: 'app', image: 'app', writablePaths, ...extra }] });

  test('relative path', () => {
    expectError(withPaths(['var/cache']), 'containers[app].writablePaths[0]: "var/cache" is not an absolute path', 'absolute, normalized path');
  });

  test('path with ..', () => {
    expectError(withPaths(['/var/../etc']), 'containers[app].writablePaths[0]: "/var/../etc" is not normalized');
  });

  test('the root directory', () => {
    expectError(withPaths(['/']), '"/" is the root directory (that is Exemption.writableRootFilesystem)');
  });

  test('duplicate path (also after normalization)', () => {
    expectError(withPaths(['/var/cache/app', '/var/cache/app/']), 'containers[app].writablePaths[1]: "/var/cache/app/" is listed twice', 'list each path once');
  });

  test('a writable path that shadows another mount', () => {
    const data = kplus.Volume.fromEmptyDir(Testing.chart(), 'data', 'data');
    expectError(withPaths(['/data'], { volumeMounts: [{ path: '/data', volume: data }] }),
      'containers[app].writablePaths: "/data" is also a volumeMount of the container: the emptyDir would shadow that volume',
      'drop the path from writablePaths');
  });

  test('the default /tmp shadowing a mounted volume', () => {
    const scratch = kplus.Volume.fromEmptyDir(Testing.chart(), 'scratch', 'scratch');
    expectError(errorOf({ user: 1000, containers: [{ name: 'app', image: 'app', volumeMounts: [{ path: '/tmp', volume: scratch }] }] }),
      '"/tmp" is also a volumeMount of the container');
  });
});

describe('bad exemptions', () => {
  const withExemption = (e: Exemption) => errorOf({ user: 1000, exemptions: [e] });

  test.each([[''], ['   '], ['because'], ['..........']])('trivial reason %j', reason => {
    expectError(withExemption(Exemption.privileged(reason)), 'props.exemptions[0] (Exemption.privileged()).reason', 'at least 10 characters');
  });

  test('unknown capability name', () => {
    expectError(withExemption(Exemption.addCapabilities(['NET_MAGIC'], REASON)), '"NET_MAGIC" is not a Linux capability', 'NET_ADMIN');
  });

  test('CAP_ prefix', () => {
    expectError(withExemption(Exemption.addCapabilities(['CAP_NET_ADMIN'], REASON)), '"CAP_NET_ADMIN" must be spelled "NET_ADMIN"');
  });

  test('lower case', () => {
    expectError(withExemption(Exemption.addCapabilities(['net_raw'], REASON)), '"net_raw" must be spelled "NET_RAW"');
  });

  test('ALL', () => {
    expectError(withExemption(Exemption.addCapabilities(['ALL'], REASON)), '"ALL" is not a capability');
  });

  test('no capabilities', () => {
    expectError(withExemption(Exemption.addCapabilities([], REASON)), '.capabilities: [] is not a list of capabilities');
  });

  test('empty localhost profile', () => {
    expectError(withExemption(Exemption.seccompLocalhost('', REASON)), '.profile: "" is not a profile path');
  });

  test('the same exemption twice', () => {
    expectError(errorOf({ user: 1000, exemptions: [Exemption.hostIPC(REASON), Exemption.hostIPC(REASON)] }), 'props.exemptions[1] (Exemption.hostIPC()): declared twice');
  });

  test('two seccomp profiles for one scope', () => {
    expectError(errorOf({ user: 1000, exemptions: [Exemption.seccompUnconfined(REASON), Exemption.seccompLocalhost('p.json', REASON)] }),
      'two seccomp exemptions for the same scope');
  });
});

describe('settings that need an exemption or conflict', () => {
  test('cdk8s-plus container securityContext that weakens the container', () => {
    const message = errorOf({ user: 1000, containers: [{ name: 'app', image: 'app', securityContext: { privileged: true, readOnlyRootFilesystem: false } }] });
    expectError(message, 'containers[app].securityContext.privileged: true is managed by the hardening', "Exemption.privileged(reason, { container: 'app' })");
    expect(message).toContain('containers[app].securityContext.readOnlyRootFilesystem: false is managed by the hardening');
  });

  test('cdk8s-plus capabilities', () => {
    expectError(errorOf({ user: 1000, containers: [{ name: 'app', image: 'app', securityContext: { capabilities: { add: [kplus.Capability.NET_ADMIN] } } }] }),
      'containers[app].securityContext.capabilities is managed by the hardening', 'Exemption.addCapabilities');
  });

  test('pod ensureNonRoot: false', () => {
    expectError(errorOf({ user: 1000, securityContext: { ensureNonRoot: false } }), 'props.securityContext.ensureNonRoot: false', 'Exemption.runAsRoot(reason)');
  });

  test('hostNetwork without the exemption', () => {
    expectError(errorOf({ user: 1000, hostNetwork: true }), 'props.hostNetwork: true', 'Exemption.hostNetwork(reason)');
  });

  test('automountServiceAccountToken without the exemption', () => {
    expectError(errorOf({ user: 1000, automountServiceAccountToken: true }), 'props.automountServiceAccountToken: true', 'Exemption.serviceAccountToken(reason)');
  });

  test('unprivilegedPortStart not a port', () => {
    expectError(errorOf({ user: 1000, unprivilegedPortStart: 70000 }), 'props.unprivilegedPortStart: 70000 is not a port number');
  });

  test('unprivilegedPortStart with the host network', () => {
    expectError(errorOf({ user: 1000, unprivilegedPortStart: 80, exemptions: [Exemption.hostNetwork(REASON)] }),
      'props.unprivilegedPortStart: the sysctl needs the pod\'s own network namespace');
  });

  test('unprivilegedPortStart and the same sysctl by hand', () => {
    expectError(errorOf({ user: 1000, unprivilegedPortStart: 80, securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } }),
      'net.ipv4.ip_unprivileged_port_start is set twice');
  });

  test('two containers with one name', () => {
    expectError(errorOf({ user: 1000, containers: [{ image: 'a' }, { image: 'b' }] }), 'containers[main].name: "main" is already used', 'unique name');
  });
});
