import { capabilityReadings, runtimeCapability, runtimeListHolds } from '../../lib/hardening/capabilities';
import { holdsNetBindService, unbindablePorts } from '../../lib/hardening/runtime-checks';
import { PodSecurity, PolicyLevel } from '../../lib/policy';

const restricted = { level: PolicyLevel.RESTRICTED, version: 'latest' };
function pod(capabilities: Record<string, unknown>, runAsUser = 1000): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    spec: {
      securityContext: { runAsNonRoot: runAsUser !== 0, runAsUser, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], securityContext: { allowPrivilegeEscalation: false, capabilities } }],
    },
  };
}

describe('capability names: admission reads them exactly, the runtime as containerd does', () => {
  test('the runtime reading', () => {
    expect(runtimeCapability('ALL')).toBe('ALL');
    expect(runtimeCapability('all')).toBe('ALL');
    expect(runtimeCapability('All')).toBe('ALL');
    expect(runtimeCapability('net_bind_service')).toBe('NET_BIND_SERVICE');
    expect(runtimeCapability('CAP_NET_BIND_SERVICE')).toBeUndefined(); // containerd makes it CAP_CAP_NET_BIND_SERVICE
    expect(runtimeCapability('NOT_A_CAP')).toBeUndefined();
    expect(runtimeListHolds(['all'], 'NET_RAW')).toBe(true);
    expect(runtimeListHolds(['CAP_NET_RAW'], 'NET_RAW')).toBe(false);
  });

  test('drop: [all] drops everything at run time and is still denied by restricted', () => {
    const p = pod({ drop: ['all'] }, 0);
    expect(PodSecurity.evaluate(p, restricted).violations.map(v => v.check)).toContain('capabilities_restricted');
    // as root, the runtime dropped NET_BIND_SERVICE too: port 80 cannot be bound
    expect(holdsNetBindService(p.spec.containers[0], p.spec.securityContext)).toBe(false);
    expect(unbindablePorts(p.spec).map(u => u.port)).toEqual([80]);
  });

  test('a spelling Pod Security refuses is still what the runtime adds, and CAP_-prefixed names add nothing', () => {
    const lower = pod({ drop: ['ALL'], add: ['net_bind_service'] }, 0);
    expect(PodSecurity.evaluate(lower, restricted).violations.map(v => v.check)).toContain('capabilities_restricted');
    expect(holdsNetBindService(lower.spec.containers[0], lower.spec.securityContext)).toBe(true);
    const prefixed = pod({ drop: ['ALL'], add: ['CAP_NET_BIND_SERVICE'] }, 0);
    expect(holdsNetBindService(prefixed.spec.containers[0], prefixed.spec.securityContext)).toBe(false);
  });

  test('names the two read differently are reported with both readings; exact names are not', () => {
    expect(capabilityReadings({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] })).toEqual([]);
    const notes = capabilityReadings({ drop: ['all'], add: ['net_raw', 'CAP_SYS_ADMIN'] });
    expect(notes).toHaveLength(3);
    expect(notes[0]).toMatch(/capabilities\.drop "all": the runtime \(containerd\) reads it as ALL \(every capability\); Pod Security does not count it as ALL/);
    expect(notes[1]).toMatch(/capabilities\.add "net_raw": the runtime \(containerd\) reads it as NET_RAW/);
    expect(notes[2]).toMatch(/"CAP_SYS_ADMIN": .*CAP_CAP_SYS_ADMIN, which is no capability/);
    expect(notes[2]).toContain('Fix: write SYS_ADMIN');
  });
});
