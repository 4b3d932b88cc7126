/**
 * Internal: the hardened defaults as data — the one place that says which securityContext
 * fields a hardened pod and container get. Read by the constructs (hardening.ts) and by
 * `cdk8s-rootless harden` (lib/cli/harden/harden.ts), which applies them to foreign manifests.
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports (the CLI must not load them). Values are
 * in Kubernetes API spelling (`RuntimeDefault`, `OnRootMismatch`, capabilities without
 * `CAP_`), so they fit both the cdk8s-plus `k8s.*` types and plain manifests.
 *
 * Not exported from the package.
 */

/** The `pod.spec.securityContext` fields every hardened pod gets (with user/group/fsGroup from props, presets or `--user`). */
export interface HardenedPodSecurityContext {
  /** Unless a container is exempted to run as root (the kubelet would refuse it under a pod-level `true`). */
  readonly runAsNonRoot: true;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
  /** Skips the recursive ownership walk of volumes whose root already matches fsGroup. */
  readonly fsGroupChangePolicy: 'OnRootMismatch';
}

/** The `pod.spec` fields every hardened pod gets. */
export interface HardenedPodFields {
  /** No API token in the containers unless `Exemption.serviceAccountToken`. */
  readonly automountServiceAccountToken: false;
}

/** The `securityContext` of every hardened (init, regular) container. */
export interface HardenedContainerSecurityContext {
  readonly allowPrivilegeEscalation: false;
  readonly privileged: false;
  readonly readOnlyRootFilesystem: true;
  readonly capabilities: { readonly drop: readonly ['ALL'] };
  /** Unless the container is exempted to run as root. */
  readonly runAsNonRoot: true;
}

/** A fresh copy of the hardened pod-level securityContext fields. */
export function hardenedPodSecurityContext(): { runAsNonRoot: true; seccompProfile: { type: 'RuntimeDefault' }; fsGroupChangePolicy: 'OnRootMismatch' } {
  return { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, fsGroupChangePolicy: 'OnRootMismatch' };
}

/** A fresh copy of the hardened pod spec fields. */
export function hardenedPodFields(): { automountServiceAccountToken: false } {
  return { automountServiceAccountToken: false };
}

/** A fresh copy of the hardened container securityContext. */
export function hardenedContainerSecurityContext(): {
  allowPrivilegeEscalation: false; privileged: false; readOnlyRootFilesystem: true; capabilities: { drop: string[] }; runAsNonRoot: true;
} {
  return { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, runAsNonRoot: true };
}

/** The path every container with a read-only root filesystem gets an emptyDir at (unless `writableTmp: false`). */
export const WRITABLE_TMP = '/tmp';

/** The default size limit of each writable-path emptyDir, in mebibytes (the constructs' `Size.mebibytes(...)`). */
export const WRITABLE_VOLUME_SIZE_MEBIBYTES = 256;

/** The same size limit as a Kubernetes quantity, as it appears in manifests (`256Mi`). */
export const WRITABLE_VOLUME_SIZE_LIMIT = `${WRITABLE_VOLUME_SIZE_MEBIBYTES}Mi`;

/** The pod sysctl that lowers the first unprivileged port (allowed by PSS restricted). */
export const UNPRIVILEGED_PORT_SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

/** The largest user or group ID the Kubernetes API accepts in runAsUser, runAsGroup and fsGroup (2^31 - 1): one definition, in lib/policy/ids.ts. */
export { MAX_ID } from '../policy/ids';

/** Ports below this one need root (or the sysctl above) to bind. */
export const FIRST_UNPRIVILEGED_PORT = 1024;

/**
 * The name of the emptyDir behind a writable path of a container, e.g. `app-var-cache-nginx`:
 * container name and path, lower-cased, at most 56 characters, suffixed `-2`, `-3` … when
 * `taken` already has it.
 */
export function writableVolumeName(container: string, path: string, taken: ReadonlySet<string>): string {
  const base = `${container}-${path.slice(1).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.replace(/^-+|-+$/g, '').slice(0, 56).replace(/-+$/, '');
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}
