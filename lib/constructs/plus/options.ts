import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Exemption } from '../../exemptions/exemption';
import { HardeningNotes } from '../../hardening/hardening-notes';
import { ImagePreset } from '../../hardening/image-preset';

/**
 * How the emptyDir volumes behind writable paths are created.
 */
export interface WritableVolumeOptions {
  /**
   * The size limit of each volume (with `medium: Memory` it counts against the container's memory).
   * @default Size.mebibytes(256)
   */
  readonly sizeLimit?: Size;

  /**
   * The storage medium.
   * @default EmptyDirMedium.DEFAULT (node disk)
   */
  readonly medium?: kplus.EmptyDirMedium;
}

/**
 * Pod-level hardening settings, shared by every hardened workload.
 */
export interface HardeningOptions {
  /**
   * The numeric UID every container runs as (`runAsUser`), unless a container overrides it.
   * Use the UID the image's files belong to: a wrong UID breaks images that own their files.
   * @default - the preset's user; required when there is no preset (0 only with `Exemption.runAsRoot`)
   */
  readonly user?: number;

  /**
   * The numeric primary GID (`runAsGroup`).
   * @default - the preset's group, else the same number as `user`
   */
  readonly group?: number;

  /**
   * The GID that owns the pod's volumes (`fsGroup`; applied with `fsGroupChangePolicy: OnRootMismatch`).
   * @default - the preset's fsGroup, else `group`
   */
  readonly fsGroup?: number;

  /**
   * A well-known image: supplies `user`, `group`, `fsGroup`, and the writable paths of the
   * containers that run as the pod's user (regular containers without their own `user` or `preset`).
   * @default - none
   */
  readonly preset?: ImagePreset;

  /**
   * Explicit opt-outs from the hardened defaults, each with a reason.
   * @default - none: the pod meets PSS restricted
   */
  readonly exemptions?: Exemption[];

  /**
   * Sets the pod sysctl `net.ipv4.ip_unprivileged_port_start`, so that non-root containers can
   * listen on ports from this number up (e.g. 80). Allowed by PSS restricted; needs the pod's own
   * network namespace (not with `Exemption.hostNetwork`). The alternative is to listen on a port
   * >= 1024 and map the Service port (80 -> targetPort 8080).
   * @default - the kernel default (1024)
   */
  readonly unprivilegedPortStart?: number;

  /**
   * Default options of the emptyDir volumes behind writable paths.
   * @default - 256Mi on node disk
   */
  readonly writableVolumes?: WritableVolumeOptions;
  /**
   * What to do with the notes that need a human (an image that runs under the given UID, which is not
   * its own, with fsGroup): printed at synthesis on standard error (once, grouped by rule, with those of
   * `RootlessHardening.applyTo`), not printed, or failing synthesis. They are recorded as construct
   * metadata (`RootlessHardening.NOTE_METADATA_TYPE`) whatever the choice.
   * @default HardeningNotes.PRINT
   */
  readonly notes?: HardeningNotes;
}

/**
 * Container-level hardening settings.
 */
export interface ContainerHardeningOptions {
  /**
   * The numeric UID this container runs as, overriding the pod's.
   * @default - the preset's user, else the pod's user
   */
  readonly user?: number;

  /**
   * The numeric GID this container runs as, overriding the pod's.
   * @default - the preset's group, else the pod's group
   */
  readonly group?: number;

  /**
   * A well-known image for this container: supplies its user, group and writable paths.
   * @default - the pod's preset, for regular containers that do not set `user`
   */
  readonly preset?: ImagePreset;

  /**
   * Absolute paths the container writes to: each gets its own emptyDir volume mounted there
   * (the root filesystem stays read-only).
   * @default - only /tmp (and the preset's paths)
   */
  readonly writablePaths?: string[];

  /**
   * Whether /tmp is writable (an emptyDir mounted at /tmp).
   * @default true
   */
  readonly writableTmp?: boolean;

  /**
   * Options of this container's writable-path volumes.
   * @default - the pod's `writableVolumes`
   */
  readonly writableVolumes?: WritableVolumeOptions;

  /**
   * Says "I built this image myself": the image keeps the name of a well-known image (e.g. a
   * `postgres:16` rebuilt with another `USER`), so its reference says nothing about its user.
   *
   * Without it, a container whose image is a well-known one (`ImagePreset.forImage(image)`) must
   * run as that image's UID unless the image runs under another UID (`ImagePreset.arbitraryUser`:
   * postgres, redis, mysql, mariadb): `user: 1000` on `grafana/grafana` (472), or `ImagePreset.mongo()`
   * (999) on `nginxinc/nginx-unprivileged` (101), fails synthesis with the fix, because the image's
   * files belong to another user. Running as root (`Exemption.runAsRoot`) is not compared.
   * @default false
   */
  readonly customImage?: boolean;
}

/**
 * Props of a container in a hardened workload: cdk8s-plus `ContainerProps` plus the
 * container-level hardening options.
 *
 * `securityContext` (inherited from cdk8s-plus, typed as its full `ContainerSecurityContextProps`:
 * jsii does not allow narrowing an inherited property) accepts only `user` and `group`, the same
 * as this interface's `user` and `group`. Every other field is managed by the hardening, and
 * setting it fails synthesis with the fix; what unlocks each:
 * - `ensureNonRoot: false`: `Exemption.runAsRoot(reason, { container })`
 * - `readOnlyRootFilesystem: false`: `writablePaths` (an emptyDir per path), or
 *   `Exemption.writableRootFilesystem(reason, { container })`
 * - `allowPrivilegeEscalation: true`: `Exemption.privilegeEscalation(reason, { container })`
 * - `privileged: true`: `Exemption.privileged(reason, { container })`
 * - `capabilities`: `Exemption.addCapabilities([...], reason, { container })` (`ALL` is always
 *   dropped; added capabilities reach only a container that runs as root, or one allowed to
 *   escalate whose binary carries them as file capabilities)
 * - seccomp (the hardening sets it; cdk8s-plus line 27 has no field for it): `Exemption.seccompLocalhost(profile, reason)` or
 *   `Exemption.seccompUnconfined(reason)`
 *
 * A container added with `addContainer` takes only the cdk8s-plus `ContainerProps`: use
 * the construct's `hardening.addContainer` for the hardening options.
 */
export interface HardenedContainerProps extends kplus.ContainerProps, ContainerHardeningOptions {
}

/**
 * The pod template props of a hardened workload: the cdk8s-plus `AbstractPodProps` with
 * hardened containers, plus the hardening options. (jsii does not allow re-declaring
 * `containers` in a sub-interface, so the cdk8s-plus fields are mirrored here.)
 */
export interface HardenedPodSpecProps extends HardeningOptions {
  /**
   * The containers. Add more with `addContainer`; every container is hardened.
   * @default - none (add at least one before synthesis)
   */
  readonly containers?: HardenedContainerProps[];

  /**
   * The init containers, hardened like the others.
   * @default - none
   */
  readonly initContainers?: HardenedContainerProps[];

  /**
   * Volumes (mounting them is what makes them part of the pod).
   * @default - none besides the writable-path emptyDirs
   */
  readonly volumes?: kplus.Volume[];

  /**
   * Restart policy for all containers within the pod.
   * @default RestartPolicy.ALWAYS
   */
  readonly restartPolicy?: kplus.RestartPolicy;

  /**
   * The service account the pod runs as. Its token is not mounted unless
   * `Exemption.serviceAccountToken` is declared.
   * @default - the namespace's default service account
   */
  readonly serviceAccount?: kplus.IServiceAccount;

  /**
   * cdk8s-plus pod security context. Only `sysctls` and `fsGroupChangePolicy` add anything;
   * `user`/`group`/`fsGroup` are aliases of the top-level props; `ensureNonRoot: false` is rejected.
   * @default - derived from the hardening options
   */
  readonly securityContext?: kplus.PodSecurityContextProps;

  /**
   * Entries for the pod's hosts file.
   * @default - none
   */
  readonly hostAliases?: kplus.HostAlias[];

  /**
   * DNS settings for the pod.
   * @default - policy ClusterFirst
   */
  readonly dns?: kplus.PodDnsProps;

  /**
   * A secret with credentials for the image registry.
   * @default - none
   */
  readonly dockerRegistryAuth?: kplus.ISecret;

  /**
   * Must stay false unless `Exemption.serviceAccountToken` is declared (which sets it).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;

  /**
   * Isolates the pod with a deny-all NetworkPolicy.
   * @default false
   */
  readonly isolate?: boolean;

  /**
   * Must stay false unless `Exemption.hostNetwork` is declared (which sets it).
   * @default false
   */
  readonly hostNetwork?: boolean;

  /**
   * Grace period until the pod is terminated.
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;
}
