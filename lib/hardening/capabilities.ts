/**
 * Internal: the Linux capability names (linux/capability.h, CAP_CHOWN … CAP_CHECKPOINT_RESTORE),
 * spelled as Kubernetes and the PSS checks expect them: without the `CAP_` prefix.
 */
export const LINUX_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN',
  'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE',
  'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST',
  'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT',
  'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE', 'SYS_TIME',
  'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM',
]);

/** Why a capability name is not acceptable, or undefined when it is a known name. */
export function capabilityProblem(name: string): string | undefined {
  if (LINUX_CAPABILITIES.has(name)) return undefined;
  if (name === 'ALL') return '"ALL" is not a capability: name each capability the container needs';
  const bare = name.toUpperCase().replace(/^CAP_/, '');
  if (LINUX_CAPABILITIES.has(bare)) return `"${name}" must be spelled "${bare}" (upper case, without the CAP_ prefix)`;
  return `"${name}" is not a Linux capability`;
}
