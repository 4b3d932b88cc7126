/**
 * The kinds of exemption from the hardened defaults. The value is the `id` written to the
 * `rootless.cdk8s.io/exemptions` annotation.
 */
export enum ExemptionKind {
  /** Run as UID 0 (`runAsUser: 0`, no `runAsNonRoot: true`). Violates PSS restricted. */
  RUN_AS_ROOT = 'runAsRoot',
  /** `readOnlyRootFilesystem: false`. Not a PSS check: the pod stays restricted. */
  WRITABLE_ROOT_FILESYSTEM = 'writableRootFilesystem',
  /** `allowPrivilegeEscalation: true`. Violates PSS restricted. */
  PRIVILEGE_ESCALATION = 'privilegeEscalation',
  /**
   * Named capabilities in `capabilities.add` (`ALL` is still dropped). `NET_BIND_SERVICE` alone keeps
   * the pod restricted, the baseline default set makes it baseline, anything else privileged.
   */
  ADD_CAPABILITIES = 'addCapabilities',
  /** `seccompProfile.type: Unconfined`. Violates PSS baseline. */
  SECCOMP_UNCONFINED = 'seccompUnconfined',
  /** `seccompProfile.type: Localhost` instead of `RuntimeDefault`. Allowed by PSS restricted. */
  SECCOMP_LOCALHOST = 'seccompLocalhost',
  /** `privileged: true` (which implies `allowPrivilegeEscalation: true`). Violates PSS baseline. */
  PRIVILEGED = 'privileged',
  /** `hostNetwork: true`. Violates PSS baseline. */
  HOST_NETWORK = 'hostNetwork',
  /** `hostPID: true`. Violates PSS baseline. */
  HOST_PID = 'hostPID',
  /** `hostIPC: true`. Violates PSS baseline. */
  HOST_IPC = 'hostIPC',
  /** Permits `hostPath` volumes (added by the author). Violates PSS baseline. */
  HOST_PATH = 'hostPath',
  /** `automountServiceAccountToken: true`. Not a PSS check: the pod stays restricted. */
  SERVICE_ACCOUNT_TOKEN = 'serviceAccountToken',
}
