/**
 * The constructs and `cdk8s-rootless harden` must emit the same hardened defaults: the data in
 * lib/hardening/defaults.ts. hardening.ts reads them from there; this test catches any drift.
 */
import { REASON, synthPod } from './util';
import { hardenText } from '../../lib/cli/harden/harden';
import { HardenedPod } from '../../lib/constructs/plus';
import { declaredExemptions, revertExemptions } from '../../lib/exemptions/declared';
import { Exemption } from '../../lib/exemptions/exemption';
import {
  WRITABLE_TMP, WRITABLE_VOLUME_SIZE_LIMIT, hardenedContainerSecurityContext, hardenedPodFields, hardenedPodSecurityContext,
} from '../../lib/hardening/defaults';
import { PodSecurity } from '../../lib/policy';

describe('hardened defaults are shared by the constructs and harden', () => {
  const pod = synthPod(chart => new HardenedPod(chart, 'p', { user: 1000, containers: [{ name: 'app', image: 'app:1' }] }));

  test('a HardenedPod emits the defaults', () => {
    expect(pod.spec.securityContext).toMatchObject(hardenedPodSecurityContext());
    expect(pod.spec).toMatchObject(hardenedPodFields());
    expect(pod.spec.containers[0].securityContext).toMatchObject(hardenedContainerSecurityContext());
    const tmp = pod.spec.containers[0].volumeMounts.find((m: any) => m.mountPath === WRITABLE_TMP);
    expect(pod.spec.volumes.find((v: any) => v.name === tmp.name).emptyDir.sizeLimit).toBe(WRITABLE_VOLUME_SIZE_LIMIT);
  });

  test('harden gives a bare pod the same security fields as the HardenedPod', () => {
    const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
    const hardened = JSON.parse(hardenText(JSON.stringify(bare), { user: 1000 }).text);
    expect(hardened.spec.containers[0].securityContext).toMatchObject(hardenedContainerSecurityContext());
    expect(hardened.spec.securityContext).toMatchObject({ ...hardenedPodSecurityContext(), runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    for (const field of ['runAsNonRoot', 'runAsUser', 'runAsGroup', 'fsGroup', 'fsGroupChangePolicy', 'seccompProfile']) {
      expect([field, hardened.spec.securityContext[field]]).toEqual([field, pod.spec.securityContext[field]]);
    }
    expect(hardened.spec.automountServiceAccountToken).toBe(pod.spec.automountServiceAccountToken);
  });

  test('the plugin\'s undo rules agree with the constructs: a HardenedPod\'s declared exemptions cover its violations', () => {
    const exempted = synthPod(chart => new HardenedPod(chart, 'p', {
      user: 1000,
      containers: [{ name: 'app', image: 'app:1' }],
      initContainers: [{ name: 'init', image: 'busybox', user: 0 }],
      exemptions: [Exemption.runAsRoot(REASON, { container: 'init' }), Exemption.addCapabilities(['CHOWN'], REASON, { container: 'init' })],
    }));
    expect(PodSecurity.evaluate(exempted).allowed).toBe(false);
    const declared = declaredExemptions(exempted);
    expect(declared.problems).toEqual([]);
    expect(PodSecurity.evaluate(revertExemptions(exempted, declared.exemptions)).violations).toEqual([]);
  });
});
