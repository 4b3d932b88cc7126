/**
 * The per-object settings of `RootlessHardening.applyTo` (lib/constructs/rootless-hardening.ts): the users of an
 * object and its containers (the user rule, lib/hardening/user-rule.ts), its writable paths and its
 * exemptions. Types only.
 */
import { Exemption } from '../exemptions/exemption';

/** The user of one container of an object (`ObjectHardeningOptions.containers`). */
export interface ContainerUserOptions {
  /** The numeric UID the container runs as (a `runAsUser` already set in the object is kept). */
  readonly user: number;

  /**
   * The numeric GID that goes with `user`.
   * @default - the user
   */
  readonly group?: number;

  /**
   * Whether the image was built to run as `user`: a well-known image's preset (`ImagePreset.forImage`)
   * then does not refuse a UID other than its own.
   * @default false
   */
  readonly customImage?: boolean;
}

/** How `RootlessHardening.applyTo` hardens one object (a key of `RootlessHardeningProps.objects`). */
export interface ObjectHardeningOptions {
  /**
   * The numeric UID of this object's containers that set no `runAsUser` (before `imageUsers`, image
   * presets and the props' `user`). Checked against a well-known image as the constructs check it:
   * an image that runs under another UID (postgres, redis, mysql, mariadb) takes it, with `fsGroup`
   * set; another fails synthesis unless `customImage` says the image was built for it.
   * @default - the containers' own users, else imageUsers, an image preset, or the props' user
   */
  readonly user?: number;

  /**
   * The numeric GID that goes with `user`.
   * @default - the user
   */
  readonly group?: number;

  /**
   * Whether this object's images were built to run as `user` (see `ContainerUserOptions.customImage`).
   * @default false
   */
  readonly customImage?: boolean;

  /**
   * The users of single containers, keyed by container name (before the object's `user`).
   * @default - none
   */
  readonly containers?: { [container: string]: ContainerUserOptions };

  /**
   * Paths that get an emptyDir in every container of this object whose root filesystem is made read-only.
   * @default - only /tmp (and an image preset's paths)
   */
  readonly writablePaths?: string[];

  /**
   * Paths that get an emptyDir in one container, keyed by container name.
   * @default - none
   */
  readonly containerWritablePaths?: { [container: string]: string[] };

  /**
   * What this object keeps, each with its reason (the `Exemption` factories). An exemption keeps
   * the weakening it names where the object has it (the check is then not reported) and stops
   * applyTo from adding the hardened value it relaxes; it is written to the pod template's
   * `rootless.cdk8s.io/exemptions` annotation and verified like the constructs' own.
   * @default - none
   */
  readonly exemptions?: Exemption[];
}
