/**
 * Red team (FINDINGS.md, "RestrictedNamespace"): its workload check reads the exemptions annotation
 * with a reader of its own; NamespaceExemption values after construction.
 */
import { ApiObject, Testing } from 'cdk8s';
import { synthesize } from './helpers';
import { NamespaceExemption, PolicyLevel, RestrictedNamespace } from '../../lib';
import { hardenedContainer } from '../policy/fixtures';

const REASON = 'the legacy agents of this namespace run as root';

function rootDeployment(chart: any, annotation: string): ApiObject {
  const c = hardenedContainer('app');
  c.securityContext.runAsUser = 0;
  c.securityContext.runAsNonRoot = false;
  return new ApiObject(chart, 'legacy', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'legacy', namespace: 'apps' },
    spec: {
      selector: { matchLabels: { app: 'legacy' } },
      template: {
        metadata: { labels: { app: 'legacy' }, annotations: { 'rootless.cdk8s.io/exemptions': annotation } },
        spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [c] },
      },
    },
  });
}

test('F9 a void annotation (duplicate keys, a TODO reason) is presented as the workload\'s declared exemptions', () => {
  const r = synthesize(chart => {
    new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } });
    rootDeployment(chart, '[{"id":"runAsRoot","container":"other","container":"app","reason":"TODO"}]');
  });
  expect(r.error).toBeDefined();
  // the one codec voids this annotation: no message may call its entries declared exemptions
  expect(r.error).not.toMatch(/declares exemptions \(runAsRoot/);
});

describe('held', () => {
  test('a NamespaceExemption changed after construction changes nothing in the labels', () => {
    const e = NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, REASON);
    const chart = Testing.chart();
    new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' }, enforce: PolicyLevel.BASELINE, exemption: e });
    (e as any).level = PolicyLevel.PRIVILEGED;
    (e as any).reason = 'TODO';
    const ns = Testing.synth(chart).find((d: any) => d.kind === 'Namespace');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(JSON.parse(ns.metadata.annotations['rootless.cdk8s.io/exemptions'])[0]).toEqual(expect.objectContaining({ level: 'baseline', reason: REASON }));
  });

  test('a label lowered with addLabel fails synthesis', () => {
    const r = synthesize(chart => {
      new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } }).metadata.addLabel('pod-security.kubernetes.io/enforce', 'privileged');
    });
    expect(r.error).toMatch(/pod-security\.kubernetes\.io\/enforce/);
  });

  test('a label key in another case is reported (the API treats label keys case-sensitively, Pod Security reads only the lower-case key)', () => {
    const r = synthesize(chart => {
      new RestrictedNamespace(chart, 'ns', { metadata: { name: 'apps' } }).metadata.addLabel('Pod-Security.kubernetes.io/enforce', 'privileged');
    });
    // not a weakening: Pod Security admission ignores the key; the emitted lower-case labels are intact
    if (r.error === undefined) {
      const ns = r.docs?.find((d: any) => d.kind === 'Namespace');
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    }
  });
});
