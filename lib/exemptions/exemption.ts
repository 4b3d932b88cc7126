import { entryOf } from './codec';
import { ExemptionKind } from './exemption-kind';
import type { ExemptionValue } from './kind';
import { EXEMPTION_VALUES, describeExemption, exemptionValue } from './value';

export { ExemptionKind } from './exemption-kind';

/**
 * Scope of an exemption that can apply to one container.
 */
export interface ExemptionOptions {
  /**
   * The name of the (init or regular) container the exemption applies to.
   * @default - the whole pod: every container, and the pod-level field where there is one
   */
  readonly container?: string;
}

/**
 * What a `hostPath` exemption covers.
 */
export interface HostPathExemptionOptions {
  /**
   * The host paths the pod may mount, at least one: absolute and clean (no empty, `.` or `..`
   * segment, no trailing `/`), e.g. `/var/log`. A path covers itself and what is below it, by whole
   * segments (`/var/log` covers `/var/log/pods`, not `/var/logs`); a `hostPath` volume must spell its
   * path the same clean way to be covered. Never accepted: `/`, the kubelet's `/var/lib/kubelet`,
   * `/etc/kubernetes`, any container runtime's socket, state or storage (`/run/containerd`,
   * `/var/run/docker.sock`, `/run/crio` …), nor the directories that hold them (`/var`, `/run` …):
   * no hostPath exemption covers those, read-only or not.
   */
  readonly paths: string[];

  /**
   * Whether the pod may mount them writable. When false, every mount of a covered volume must be
   * `readOnly: true` (submounts below the path stay writable unless the mount also sets
   * `recursiveReadOnly`); a volume of type `Socket`, `CharDevice`, `BlockDevice`, `DirectoryOrCreate` or
   * `FileOrCreate` is not covered, nor one at or below `/dev`, `/run` or `/var/run` unless of type `File`
   * (device nodes and sockets are usable through a read-only mount; the kubelet creates `…OrCreate` paths).
   * @default false
   */
  readonly writable?: boolean;
}

/**
 * An explicit, reasoned opt-out from one hardened default.
 *
 * Every exemption carries a human reason (at least 10 characters), is scoped to the pod or
 * to one container, shows in the `rootless.cdk8s.io/exemptions` annotation, and is checked
 * at synthesis: a Pod Security violation that no exemption covers fails synthesis, and so
 * does an exemption that relaxes nothing.
 *
 * @example
 * Exemption.addCapabilities(['NET_ADMIN'], 'configures the pod routing table', { container: 'vpn' })
 */
export class Exemption {
  /**
   * Run as root (UID 0). Scoped to one container, the container's user defaults to 0; scoped
   * to the pod, the pod's user does. Pod-level `runAsNonRoot` is then left unset, and every
   * container that does not run as root still gets `runAsNonRoot: true`.
   *
   * The pod is at most `baseline`.
   * @param reason why the workload needs root
   */
  public static runAsRoot(reason: string, options: ExemptionOptions = {}): Exemption {
    return new Exemption(ExemptionKind.RUN_AS_ROOT, reason, options.container);
  }

  /**
   * A writable root filesystem (`readOnlyRootFilesystem: false`). Prefer `writablePaths`.
   * @param reason why writable paths (emptyDir mounts) are not enough
   */
  public static writableRootFilesystem(reason: string, options: ExemptionOptions = {}): Exemption {
    return new Exemption(ExemptionKind.WRITABLE_ROOT_FILESYSTEM, reason, options.container);
  }

  /**
   * Allow privilege escalation (`allowPrivilegeEscalation: true`, e.g. for setuid binaries
   * or file capabilities). The pod is at most `baseline`.
   * @param reason why the process must gain privileges
   */
  public static privilegeEscalation(reason: string, options: ExemptionOptions = {}): Exemption {
    return new Exemption(ExemptionKind.PRIVILEGE_ESCALATION, reason, options.container);
  }

  /**
   * Add named Linux capabilities (spelled without `CAP_`, e.g. `NET_ADMIN`; `ALL` is not
   * accepted). `ALL` stays dropped.
   *
   * Note: added capabilities do not reach a non-root process (Kubernetes sets no ambient
   * capabilities, and `allowPrivilegeEscalation: false` disables file capabilities), so
   * `NET_BIND_SERVICE` does not let a non-root server bind a port below 1024.
   *
   * @param capabilities the capability names
   * @param reason why the container needs them
   */
  public static addCapabilities(capabilities: string[], reason: string, options: ExemptionOptions = {}): Exemption {
    return new Exemption(ExemptionKind.ADD_CAPABILITIES, reason, options.container, [...capabilities]);
  }

  /**
   * Run without a seccomp profile (`seccompProfile.type: Unconfined`). The pod is `privileged`.
   * @param reason why no seccomp profile can be used
   */
  public static seccompUnconfined(reason: string, options: ExemptionOptions = {}): Exemption {
    return new Exemption(ExemptionKind.SECCOMP_UNCONFINED, reason, options.container);
  }

  /**
   * Use a seccomp profile from the node (`seccompProfile.type: Localhost`) instead of
   * `RuntimeDefault`. PSS restricted allows it.
   * @param profile the profile path, relative to the kubelet's seccomp directory
   * @param reason why the runtime default profile is not used
   */
  public static seccompLocalhost(profile: string, reason: string, options: ExemptionOptions = {}): Exemption {
    return new Exemption(ExemptionKind.SECCOMP_LOCALHOST, reason, options.container, undefined, profile);
  }

  /**
   * Run privileged (`privileged: true`; `allowPrivilegeEscalation` becomes true as the API
   * requires). The pod is `privileged`.
   * @param reason why the container needs full host privileges
   */
  public static privileged(reason: string, options: ExemptionOptions = {}): Exemption {
    return new Exemption(ExemptionKind.PRIVILEGED, reason, options.container);
  }

  /**
   * Share the host's network namespace (`hostNetwork: true`). The pod is `privileged`.
   * @param reason why the pod needs the host network
   */
  public static hostNetwork(reason: string): Exemption {
    return new Exemption(ExemptionKind.HOST_NETWORK, reason);
  }

  /**
   * Share the host's PID namespace (`hostPID: true`). The pod is `privileged`.
   * @param reason why the pod needs to see host processes
   */
  public static hostPID(reason: string): Exemption {
    return new Exemption(ExemptionKind.HOST_PID, reason);
  }

  /**
   * Share the host's IPC namespace (`hostIPC: true`). The pod is `privileged`.
   * @param reason why the pod needs host IPC
   */
  public static hostIPC(reason: string): Exemption {
    return new Exemption(ExemptionKind.HOST_IPC, reason);
  }

  /**
   * Permit `hostPath` volumes of the named host paths (add them with `Volume.fromHostPath`), mounted
   * read-only unless `writable`. The pod is `privileged`.
   *
   * A hostPath volume outside `paths`, spelled otherwise than clean, or mounted writable under a
   * read-only exemption is not covered, and synthesis fails naming it.
   *
   * @param reason why node files must be mounted
   * @param options the host paths, and whether they may be written
   */
  public static hostPath(reason: string, options: HostPathExemptionOptions): Exemption {
    const o: Partial<HostPathExemptionOptions> = options ?? {};
    return new Exemption(ExemptionKind.HOST_PATH, reason, undefined, undefined, undefined,
      Array.isArray(o.paths) ? [...o.paths] : o.paths, o.writable ?? false);
  }

  /**
   * Mount the service account token (`automountServiceAccountToken: true`).
   * @param reason why the pod calls the Kubernetes API
   */
  public static serviceAccountToken(reason: string): Exemption {
    return new Exemption(ExemptionKind.SERVICE_ACCOUNT_TOKEN, reason);
  }

  /** The exemption's state: kept where no caller can reach it, so an exemption never changes after it is made. */
  private constructor(kind: ExemptionKind, reason: string, container?: string, capabilities?: string[], profile?: string,
    paths?: string[], writable?: boolean) {
    EXEMPTION_VALUES.set(this, Object.freeze({
      kind,
      reason,
      container,
      capabilities: capabilities === undefined ? undefined : Object.freeze([...capabilities]),
      profile,
      ...(kind === ExemptionKind.HOST_PATH ? { paths: Array.isArray(paths) ? Object.freeze([...paths]) : paths, writable } : {}),
    }));
  }

  /** What is exempted. */
  public get kind(): ExemptionKind {
    return state(this).kind;
  }

  /** Why, in the author's words. */
  public get reason(): string {
    return state(this).reason;
  }

  /**
   * The container the exemption is scoped to.
   * @default - the whole pod
   */
  public get container(): string | undefined {
    return state(this).container;
  }

  /**
   * The added capabilities (`addCapabilities` only). A new array on every read: changing it changes nothing.
   * @default - none
   */
  public get capabilities(): string[] | undefined {
    const caps = state(this).capabilities;
    return caps === undefined ? undefined : [...caps];
  }

  /**
   * The Localhost seccomp profile (`seccompLocalhost` only).
   * @default - none
   */
  public get profile(): string | undefined {
    return state(this).profile;
  }

  /**
   * The host paths it covers (`hostPath` only). A new array on every read: changing it changes nothing.
   * @default - none
   */
  public get paths(): string[] | undefined {
    const paths = state(this).paths;
    return Array.isArray(paths) ? [...paths] : undefined;
  }

  /**
   * Whether it covers writable mounts too (`hostPath` only).
   * @default - none (not a hostPath exemption)
   */
  public get writable(): boolean | undefined {
    return state(this).writable;
  }

  /**
   * A short description, e.g. `Exemption.addCapabilities(["NET_ADMIN"]) for container "vpn"`.
   */
  public toString(): string {
    return describeExemption(state(this));
  }

  /**
   * The entry of the `rootless.cdk8s.io/exemptions` annotation.
   */
  public toJson(): any {
    return entryOf(state(this));
  }
}

function state(e: Exemption): ExemptionValue {
  const s = exemptionValue(e);
  if (!s) throw new Error('not an Exemption made by its factories (Exemption.runAsRoot(...), ...)');
  return s;
}
