/*
Sysctls can disable security mechanisms or affect all containers on a host,
and should be disallowed except for an allowed "safe" subset.

A sysctl is considered safe if it is namespaced in the container or the Pod,
and it is isolated from other Pods or processes on the same Node.

**Restricted Fields:**
spec.securityContext.sysctls[*].name

**Allowed Values:**
'kernel.shm_rmid_forced'
'net.ipv4.ip_local_port_range'
'net.ipv4.tcp_syncookies'
'net.ipv4.ping_group_range'
'net.ipv4.ip_unprivileged_port_start'
'net.ipv4.ip_local_reserved_ports' (v1.27+)
'net.ipv4.tcp_keepalive_time' (v1.29+)
'net.ipv4.tcp_fin_timeout' (v1.29+)
'net.ipv4.tcp_keepalive_intvl' (v1.29+)
'net.ipv4.tcp_keepalive_probes' (v1.29+)
'net.ipv4.tcp_rmem' (v1.32+)
'net.ipv4.tcp_wmem' (v1.32+)
'net.ipv4.tcp_slow_start_after_idle' (v1.37+)
'net.ipv4.tcp_notsent_lowat' (v1.37+)
*/
import { PolicyLevel } from '../types';
import { CheckCel, SPEC, celHas, celList } from './cel';
import { CheckDefinition, CheckPodFn } from './util';

const SYSCTLS_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [
  ...SYSCTLS_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
// kubernetes/kubernetes#138389 (Kubernetes 1.37).
const SYSCTLS_1_37 = [...SYSCTLS_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

function sysctlsCheck(safe: string[]): CheckPodFn {
  const allowed = new Set(safe);
  return ({ spec }) => {
    const sysctls = spec.securityContext?.sysctls;
    if (sysctls === undefined || sysctls.every(s => allowed.has(s.name))) return undefined;
    const forbidden = sysctls.filter(s => !allowed.has(s.name)).map(s => s.name);
    return {
      reason: 'forbidden sysctls',
      detail: forbidden.join(', '),
      podLevel: true,
      fix: 'Remove the listed sysctls from spec.securityContext.sysctls (only the safe, namespaced set is allowed).',
    };
  };
}

function sysctlsCel(safe: string[]): CheckCel {
  return { pod: { sysctls: `!(${celHas(SPEC, 'securityContext.sysctls')}) || ${SPEC}.securityContext.sysctls.all(s, s.name in ${celList(safe)})` } };
}

export const sysctls: CheckDefinition = {
  id: 'sysctls',
  level: PolicyLevel.BASELINE,
  description: 'Pods may only set safe sysctls.',
  versions: [
    { minimumVersion: 'v1.0', checkPod: sysctlsCheck(SYSCTLS_1_0), cel: sysctlsCel(SYSCTLS_1_0) },
    { minimumVersion: 'v1.27', checkPod: sysctlsCheck(SYSCTLS_1_27), cel: sysctlsCel(SYSCTLS_1_27) },
    { minimumVersion: 'v1.29', checkPod: sysctlsCheck(SYSCTLS_1_29), cel: sysctlsCel(SYSCTLS_1_29) },
    { minimumVersion: 'v1.32', checkPod: sysctlsCheck(SYSCTLS_1_32), cel: sysctlsCel(SYSCTLS_1_32) },
    { minimumVersion: 'v1.37', checkPod: sysctlsCheck(SYSCTLS_1_37), cel: sysctlsCel(SYSCTLS_1_37) },
  ],
};
