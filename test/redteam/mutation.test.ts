/**
 * Red team (FINDINGS.md, "Mutated values"): Exemption objects and props changed or imitated from
 * JavaScript, before and after they are passed. All held.
 */
import { REASON, expectRefusedOrSound, synthesize } from './helpers';
import { Exemption, RootlessAnnotations } from '../../lib';
import { HardenedPod } from '../../lib/constructs/plus';

const KEY = RootlessAnnotations.EXEMPTIONS;
const podWith = (chart: any, exemptions: any[], extra: any = {}) => new HardenedPod(chart, 'p', {
  user: 1000, exemptions, containers: [{ name: 'app', image: 'registry.example/app:1' }], ...extra,
});
const annotationOf = (docs: any[]) => JSON.parse(docs.find(d => d.kind === 'Pod').metadata.annotations[KEY]);

test.each([
  ['a Proxy of a real exemption', () => new Proxy(Exemption.privilegeEscalation(REASON), {})],
  ['an object whose prototype is a real exemption', () => Object.create(Exemption.privilegeEscalation(REASON))],
  ['a structured clone', () => structuredClone(Exemption.privilegeEscalation(REASON))],
  ['a spread copy', () => ({ ...Exemption.privilegeEscalation(REASON) })],
])('%s is not an exemption', (_name, make) => {
  const r = synthesize(chart => podWith(chart, [make()]));
  expect(r.error).toMatch(/not an Exemption/);
});

test('getters redefined on a real exemption after it was passed change nothing', () => {
  const e = Exemption.addCapabilities(['NET_ADMIN'], REASON, { container: 'app' });
  const r = synthesize(chart => {
    podWith(chart, [Exemption.runAsRoot(REASON, { container: 'app' }), e], { containers: [{ name: 'app', image: 'registry.example/app:1', user: 0 }] });
    for (const [k, v] of [['capabilities', ['SYS_ADMIN']], ['container', undefined], ['kind', 'privileged']] as const) {
      try { Object.defineProperty(e, k, { get: () => v, configurable: true }); } catch { /* non-configurable: fine */ }
    }
  });
  expect(r.error).toBeUndefined();
  const pod = r.docs!.find(d => d.kind === 'Pod');
  expect(pod.spec.containers[0].securityContext.capabilities.add).toEqual(['NET_ADMIN']);
  expect(annotationOf(r.docs!)[1]).toEqual(expect.objectContaining({ id: 'addCapabilities', container: 'app', capabilities: ['NET_ADMIN'] }));
});

test('an exemptions array whose getter answers differently on each read is judged by one reading', () => {
  let reads = 0;
  expectRefusedOrSound(chart => {
    const props: any = { user: 1000, containers: [{ name: 'app', image: 'registry.example/app:1' }] };
    Object.defineProperty(props, 'exemptions', { get: () => (reads++ === 0 ? [Exemption.hostNetwork(REASON), Exemption.serviceAccountToken(REASON)] : []) });
    new HardenedPod(chart, 'p', props);
  });
});

test('props.user changed after construction changes nothing', () => {
  const props: any = { user: 1000, containers: [{ name: 'app', image: 'registry.example/app:1' }] };
  const r = synthesize(chart => { podWith(chart, [], props); props.user = 0; props.containers[0].user = 0; props.hostNetwork = true; });
  expect(r.error).toBeUndefined();
  const pod = r.docs!.find(d => d.kind === 'Pod');
  expect(pod.spec.securityContext.runAsUser).toBe(1000);
  expect(pod.spec.hostNetwork).toBeFalsy();
});
