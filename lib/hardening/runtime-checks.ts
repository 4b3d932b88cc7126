/**
 * Internal: what the kubelet and the kernel refuse at run time although the Pod Security
 * checks pass, over a plain pod spec (API field names). The one implementation, read by the
 * constructs at synthesis (hardening.ts) and by `cdk8s-rootless harden` on the hardened
 * output; each words its own messages.
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports (the CLI must not load them).
 * Not exported from the package.
 */
import { runtimeCapability } from './capabilities';
import { FIRST_UNPRIVILEGED_PORT, UNPRIVILEGED_PORT_SYSCTL } from './defaults';
import { isWindowsPod } from '../policy/checks/util';
import { containersOf } from '../policy/k8s-shapes';

/** A container the kubelet refuses to start: effective runAsNonRoot true, effective runAsUser 0. */
export interface KubeletRefusal {
  readonly container: string;
  /** Whether runAsNonRoot: true comes from the pod (the container does not set it). */
  readonly inherited: boolean;
}

/** A container port the container's process cannot bind. */
export interface UnbindablePort {
  readonly container: string;
  readonly port: number;
  /** The first port it can bind (FIRST_UNPRIVILEGED_PORT, or the pod's UNPRIVILEGED_PORT_SYSCTL). */
  readonly start: number;
  /** Whether the container runs as root (then only NET_BIND_SERVICE is missing). */
  readonly root: boolean;
}

const object = (x: unknown): any => (typeof x === 'object' && x !== null ? x : {});
const list = (x: unknown): any[] => (Array.isArray(x) ? x : []);

/**
 * The containers the kubelet refuses to start: their effective `runAsNonRoot` is true and their
 * effective `runAsUser` is 0 (container fields over the pod's).
 */
export function kubeletRefusals(spec: unknown): KubeletRefusal[] {
  const pod = object(object(spec).securityContext);
  return containersOf(spec)
    .filter(c => (object(c.securityContext).runAsNonRoot ?? pod.runAsNonRoot) === true
      && (object(c.securityContext).runAsUser ?? pod.runAsUser) === 0)
    .map(c => ({ container: String(c.name), inherited: object(c.securityContext).runAsNonRoot === undefined }));
}

/** The first port a process without NET_BIND_SERVICE can bind in this pod: the pod sysctl's value, or 1024. */
export function unprivilegedPortStart(spec: unknown): number {
  const sysctl = list(object(object(spec).securityContext).sysctls).find((s: any) => s?.name === UNPRIVILEGED_PORT_SYSCTL);
  const start = sysctl ? Number(sysctl.value) : FIRST_UNPRIVILEGED_PORT;
  return Number.isFinite(start) ? start : FIRST_UNPRIVILEGED_PORT;
}

/**
 * Whether the container's process holds NET_BIND_SERVICE, i.e. runs as root (effective user 0)
 * with the capability in its set: privileged, or kept by containerd's reading of `add` and
 * `drop` (the default set grants it; `add: [ALL]`, then `drop: [ALL]`, then each named add, then each
 * named drop, so `add` and `drop` of NET_BIND_SERVICE together drop it). A non-root process
 * never does: Kubernetes sets no ambient capabilities, and `allowPrivilegeEscalation: false`
 * disables file capabilities.
 */
export function holdsNetBindService(container: unknown, podSecurityContext: unknown): boolean {
  const sc = object(object(container).securityContext);
  if ((sc.runAsUser ?? object(podSecurityContext).runAsUser) !== 0) return false;
  if (sc.privileged === true) return true;
  // what the process gets: the runtime's reading of the names (capabilities.ts), not Pod Security's
  // containerd's order (setOCICapabilities): the default set; every capability if `add` holds ALL; none if
  // `drop` holds ALL; then each named add; then each named drop (so a named drop wins over a named add)
  const caps = object(sc.capabilities);
  const add = list(caps.add).map(runtimeCapability);
  const drop = list(caps.drop).map(runtimeCapability);
  if (drop.includes('NET_BIND_SERVICE')) return false;
  if (add.includes('NET_BIND_SERVICE')) return true;
  return !drop.includes('ALL');
}

/**
 * The container ports below the pod's first unprivileged port whose container does not hold
 * NET_BIND_SERVICE. None on a Windows pod (`spec.os.name: windows`): Windows has no privileged ports.
 */
export function unbindablePorts(spec: unknown): UnbindablePort[] {
  if (isWindowsPod(object(spec))) return [];
  const pod = object(object(spec).securityContext);
  const start = unprivilegedPortStart(spec);
  const out: UnbindablePort[] = [];
  for (const c of containersOf(spec)) {
    if (holdsNetBindService(c, pod)) continue;
    const root = (object(c.securityContext).runAsUser ?? pod.runAsUser) === 0;
    for (const p of list(c.ports)) {
      if (typeof p?.containerPort === 'number' && p.containerPort < start) out.push({ container: String(c.name), port: p.containerPort, start, root });
    }
  }
  return out;
}

/** A port to listen on instead of a low one (8000 + port below 100, else 8080), for messages. */
export function suggestedPort(port: number): number {
  return port < 100 ? 8000 + port : 8080;
}

/**
 * The portable fix for container ports that non-root (or capability-less) processes cannot
 * bind: the pod sysctl UNPRIVILEGED_PORT_SYSCTL set to the lowest such port. Namespaced and in
 * the restricted profile's safe list, but it needs the pod's own network namespace: a pod on
 * the host network cannot take it (`hostNetwork: true`), nor can one that already sets the
 * sysctl (its value is the author's; lowering it is a human's decision).
 *
 * @returns undefined when every port can be bound
 */
export function unprivilegedPortFix(spec: unknown): { readonly port: number; readonly settable: boolean; readonly reason?: 'hostNetwork' | 'set' } | undefined {
  const ports = unbindablePorts(spec);
  if (ports.length === 0) return undefined;
  const port = Math.min(...ports.map(p => p.port));
  if (object(spec).hostNetwork === true) return { port, settable: false, reason: 'hostNetwork' };
  const set = list(object(object(spec).securityContext).sysctls).some((s: any) => s?.name === UNPRIVILEGED_PORT_SYSCTL);
  return set ? { port, settable: false, reason: 'set' } : { port, settable: true };
}

/** Capabilities added to a container whose process can never hold them. */
export interface UnreachableCapabilities {
  readonly container: string;
  /** The added capabilities (`capabilities.add`), as written. */
  readonly capabilities: string[];
  /** The container's effective numeric user, or undefined when only `runAsNonRoot: true` says it is not 0. */
  readonly user?: number;
}

/**
 * The containers that add capabilities their process never holds: they do not run as UID 0 (an
 * effective numeric `runAsUser` other than 0, or no user and an effective `runAsNonRoot: true`) and
 * set `allowPrivilegeEscalation: false`. Kubernetes gives a non-root process no ambient
 * capabilities (kubernetes#56374: the runtimes clear the ambient set), so added capabilities reach
 * only the bounding and permitted sets of a root process; and `no_new_privs`
 * (`allowPrivilegeEscalation: false`) also disables file capabilities (`setcap`). Every capability
 * counts, `NET_BIND_SERVICE` included. Windows pods are skipped (they have no Linux capabilities).
 */
export function unreachableCapabilities(spec: unknown): UnreachableCapabilities[] {
  const s = object(spec);
  if (object(s.os).name === 'windows') return [];
  const pod = object(s.securityContext);
  const out: UnreachableCapabilities[] = [];
  for (const c of containersOf(spec)) {
    const sc = object(c.securityContext);
    const add = list(object(sc.capabilities).add);
    if (add.length === 0 || sc.allowPrivilegeEscalation !== false) continue;
    const user = sc.runAsUser ?? pod.runAsUser;
    const nonRoot = typeof user === 'number' ? user !== 0 : user === undefined && (sc.runAsNonRoot ?? pod.runAsNonRoot) === true;
    if (nonRoot) out.push({ container: String(c.name), capabilities: add.map(String), user: typeof user === 'number' ? user : undefined });
  }
  return out;
}

