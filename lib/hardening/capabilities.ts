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

/**
 * Capability names as the container runtime reads them (containerd's CRI plugin): `ALL` compared
 * case-insensitively, every other name upper-cased and given the `CAP_` prefix. Returns `ALL`, the
 * bare name of the capability the runtime adds or drops (`NET_BIND_SERVICE` for `net_bind_service`),
 * or undefined when the runtime's name is no capability (`CAP_SYS_ADMIN` becomes `CAP_CAP_SYS_ADMIN`).
 *
 * Pod Security compares the names exactly (`drop` must hold the string `ALL`, `add` only
 * `NET_BIND_SERVICE`): admission verdicts use the names as written (lib/policy); checks of what a
 * process really gets use this reading. So `drop: [all]` drops everything at run time and is still
 * denied by restricted.
 */
export function runtimeCapability(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  // Go's strings.ToUpper maps each rune alone (simple case mapping): a character whose upper case is
  // longer (JavaScript's "ﬆ" -> "ST") stays as it is
  const upper = Array.from(name, ch => {
    const u = ch.toUpperCase();
    return Array.from(u).length === 1 ? u : ch;
  }).join('');
  if (upper === 'ALL') return 'ALL';
  return LINUX_CAPABILITIES.has(upper) ? upper : undefined;
}

/** Whether a capability list (`drop` or `add`) holds `cap` (a bare name) as the runtime reads it (`ALL` included). */
export function runtimeListHolds(names: unknown, cap: string): boolean {
  if (!Array.isArray(names)) return false;
  return names.some(n => {
    const r = runtimeCapability(n);
    return r === 'ALL' || r === cap;
  });
}

/**
 * The names of a `capabilities` object that Pod Security and the runtime read differently, each with
 * both readings: `all` (the runtime: every capability; Pod Security: not `ALL`), `net_raw` (the runtime:
 * NET_RAW; Pod Security: an unknown name), `CAP_NET_RAW` (the runtime: no capability at all).
 */
export function capabilityReadings(capabilities: unknown): string[] {
  if (typeof capabilities !== 'object' || capabilities === null) return [];
  const out: string[] = [];
  for (const field of ['drop', 'add'] as const) {
    const names = (capabilities as Record<string, unknown>)[field];
    if (!Array.isArray(names)) continue;
    for (const name of names) {
      if (typeof name !== 'string' || name === 'ALL' || LINUX_CAPABILITIES.has(name)) continue;
      const runtime = runtimeCapability(name);
      const admission = field === 'drop'
        ? 'Pod Security does not count it as ALL'
        : `Pod Security compares it exactly${name.toUpperCase().replace(/^CAP_/, '') === 'NET_BIND_SERVICE' ? ' and does not allow it as NET_BIND_SERVICE' : ''}`;
      out.push(`capabilities.${field} ${JSON.stringify(name)}: the runtime (containerd) reads it as `
        + (runtime === undefined ? `CAP_${name.toUpperCase()}, which is no capability (it ${field === 'drop' ? 'drops' : 'adds'} nothing)` : runtime === 'ALL' ? 'ALL (every capability)' : runtime)
        + `; ${admission}. Fix: write ${runtime ?? name.toUpperCase().replace(/^CAP_/, '')}.`);
    }
  }
  return out;
}
