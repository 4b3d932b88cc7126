/**
 * Internal: what the kubelet, the container runtime and the kernel would do to a pod `harden` wrote, as its findings
 * (`!` lines): the kubelet's start-up refusals, ports a process cannot bind, capabilities it never holds
 * (lib/hardening/runtime-checks.ts), and capability names Pod Security and the runtime read differently
 * (lib/hardening/capabilities.ts). Pure: no yaml, cdk8s, cdk8s-plus or constructs imports.
 */
import { CLI_EXEMPTION_WORDS, exemptionsForCheck, exemptionsForField } from '../../hardening/adopt/hints';
import { capabilityReadings } from '../../hardening/capabilities';
import { FIRST_UNPRIVILEGED_PORT, UNPRIVILEGED_PORT_SYSCTL } from '../../hardening/defaults';
import { kubeletRefusals, suggestedPort, unbindablePorts, unreachableCapabilities } from '../../hardening/runtime-checks';
import { containersOf } from '../../policy/k8s-shapes';

/**
 * What the kubelet and the kernel refuse in the hardened pod spec (lib/hardening/runtime-checks.ts,
 * the constructs' checks): a root container under an effective runAsNonRoot, and ports the
 * container's process cannot bind (left only where the sysctl cannot be added).
 */
export function runtimeProblems(spec: any): string[] {
  const kubelet = kubeletRefusals(spec).map(r => `container "${r.container}": the kubelet refuses to start it: its effective runAsNonRoot is true`
    + `${r.inherited ? ' (inherited from the pod)' : ''} and its user is 0. Fix: run it as a non-zero UID; or, if it must be root, `
    + 'set runAsNonRoot: true on each other container instead of the pod (the pod is then baseline, not restricted).');
  const hostNetwork = spec?.hostNetwork === true;
  const ports = unbindablePorts(spec).map(({ container, port, start, root }) => `container "${container}": port ${port} is below ${start}: `
    + `a ${root ? 'root process without NET_BIND_SERVICE (capabilities drop ALL)' : 'non-root process'} cannot bind it. Fix: make the process listen on a port `
    + `>= ${FIRST_UNPRIVILEGED_PORT} (e.g. ${suggestedPort(port)}) and map the Service port (port: ${port}, targetPort: the new port)`
    + (hostNetwork ? `; the pod uses the host network, which cannot take the sysctl ${UNPRIVILEGED_PORT_SYSCTL}. `
      : start !== FIRST_UNPRIVILEGED_PORT ? `, or lower the pod sysctl ${UNPRIVILEGED_PORT_SYSCTL} to ${port}. ` : `, or set the pod sysctl ${UNPRIVILEGED_PORT_SYSCTL}=${port}. `)
    + (root ? `As it runs as root, adding NET_BIND_SERVICE (${exemptionsForCheck(CLI_EXEMPTION_WORDS, 'capabilities_restricted')}) would also let it bind.` : 'NET_BIND_SERVICE does not help a non-root process.'));
  const caps = unreachableCapabilities(spec).map(({ container, capabilities }) => `container "${container}": adds ${capabilities.join(', ')}, `
    + 'which its non-root process never holds (no ambient capabilities; allowPrivilegeEscalation: false disables file capabilities). '
    + `Fix: run it as root (${exemptionsForField(CLI_EXEMPTION_WORDS, 'runAsUser')}), or remove the capabilities, or allow privilege escalation `
    + `(${exemptionsForField(CLI_EXEMPTION_WORDS, 'allowPrivilegeEscalation', 'privileged')}) `
    + 'and give the binary the file capability with setcap.');
  return [...kubelet, ...ports, ...caps];
}

/** Capability names Pod Security and the runtime read differently (lib/hardening/capabilities.ts), per container. */
export function capabilityNotes(spec: any): string[] {
  return containersOf(spec).flatMap(c => capabilityReadings(c.securityContext?.capabilities).map(n => `container "${String(c.name)}": ${n}`));
}
