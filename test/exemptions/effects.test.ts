/**
 * The kinds' effects as data (lib/exemptions/effects.ts): each field is written once, by its API name,
 * and spelled the cdk8s way in one place (`structName`), checked here against cdk8s-plus-27's own
 * serializers for every registered effect; the facets derived from the data (apply, revert, detect)
 * behave as the kinds' code did.
 */
import { k8s } from 'cdk8s-plus-27';
import { effectFacets, structName } from '../../lib/exemptions/effects';
import type { FieldEffect } from '../../lib/exemptions/kind';
import { EXEMPTION_KINDS } from '../../lib/exemptions/registry';

test.each([
  ['hostPID', 'hostPid'], ['hostIPC', 'hostIpc'], ['hostNetwork', 'hostNetwork'], ['clusterIP', 'clusterIp'],
  ['insecureSkipTLSVerify', 'insecureSkipTlsVerify'], ['targetCPUUtilizationPercentage', 'targetCpuUtilizationPercentage'],
  ['allowPrivilegeEscalation', 'allowPrivilegeEscalation'], ['readOnlyRootFilesystem', 'readOnlyRootFilesystem'],
])('structName(%s) is cdk8s\'s %s', (api, cdk8s) => {
  expect(structName(api)).toBe(cdk8s);
});

test('a name cdk8s spells irregularly is refused, not guessed', () => {
  expect(() => structName('clusterIPs')).toThrow(/irregularly/);
});

const effects = EXEMPTION_KINDS.flatMap(k => (k.effects ?? []).map(e => [k.id, e] as const));

test('the simple kinds are data', () => {
  expect(new Set(effects.map(([id]) => id))).toEqual(new Set(['writableRootFilesystem', 'privilegeEscalation', 'privileged',
    'hostNetwork', 'hostPID', 'hostIPC', 'serviceAccountToken']));
});

test.each(effects)('%s: the effect on %o is serialized by cdk8s under its API name', (_id, e) => {
  const struct = { [structName(e.field)]: e.relaxed };
  const json = e.level === 'pod' ? k8s.toJson_PodSpec({ containers: [], ...struct } as any) : k8s.toJson_SecurityContext(struct as any);
  expect(json?.[e.field]).toBe(e.relaxed);
});

describe('derived facets', () => {
  const relaxedUnset: FieldEffect = { level: 'container', field: 'allowPrivilegeEscalation', hardened: false, relaxed: true, unset: 'relaxed' };
  const hardenedUnset: FieldEffect = { level: 'pod', field: 'hostPID', hardened: false, relaxed: true, unset: 'hardened', needed: 'needs hostPID' };
  const f = effectFacets([relaxedUnset, hardenedUnset]);

  test('apply writes the relaxed value under the cdk8s name', () => {
    const sc: any = {};
    const spec: any = {};
    f.applyContainer!(sc, {} as any);
    f.applyPod!(spec, {} as any);
    expect(sc).toEqual({ allowPrivilegeEscalation: true });
    expect(spec).toEqual({ hostPid: true });
  });

  test('revert restores the hardened value, and changes nothing where there is nothing to undo', () => {
    const unset: any = {};
    f.revertContainer!(unset, {} as any, {}, {});
    expect(unset).toEqual({ allowPrivilegeEscalation: false }); // unset means allowed: written
    const spec: any = {};
    f.revertPod!(spec, {} as any);
    expect(spec).toEqual({}); // unset means no host PID: nothing to undo
    const set: any = { hostPID: true };
    f.revertPod!(set, {} as any);
    expect(set).toEqual({ hostPID: false });
    const hardened: any = { allowPrivilegeEscalation: false };
    f.revertContainer!(hardened, {} as any, {}, {});
    expect(hardened).toEqual({ allowPrivilegeEscalation: false });
  });

  test('detect fires on the relaxed value at its level only', () => {
    expect(f.detect!({ spec: { hostPID: true } })).toEqual({ what: 'the pod needs hostPID' });
    expect(f.detect!({ spec: { hostPID: true }, container: { name: 'a', securityContext: {} } })).toBeUndefined();
    expect(f.detect!({ spec: { hostPID: 'true' } })).toBeUndefined();
  });
});
