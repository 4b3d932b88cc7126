import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Exemption } from '../../exemptions/exemption';
import { throwPropsProblems } from '../internal/errors';
import { Hardening, podVolumes } from './internal/hardening';
import { PodHardening } from './pod-hardening';
import { RootlessWorkloadProps } from './rootless-workload';
import { cleanPath as normalize, pathProblem } from '../../hardening/paths';
import { IdentityIndex, markPermissionInitContainer } from '../internal/identity-index';
import { ClaimMount } from './internal/kplus-overrides';
import { kplusStatefulSetProps, refuseTemplatesOverWritablePaths, startStatefulSetClaims, upstreamTemplateNames, withClaimTemplates } from './internal/line-differences';
import { alwaysRestartProblems } from '../internal/workload-validation';

/**
 * How the volumes of the claim templates are made writable by the (non-root) app containers.
 */
export enum VolumePermissions {
  /**
   * A permission init container (`volume-permissions`) changes the ownership of each claim's
   * volume to `user:fsGroup` before the app starts: for volumes whose driver ignores `fsGroup`.
   *
   * It runs as UID 0 (`runAsNonRoot: false`, set on it explicitly) with every other hardening
   * kept (no privilege escalation, capabilities dropped but CHOWN and FOWNER, read-only root
   * filesystem, RuntimeDefault seccomp, small resource limits, a pinned image). Pod-level
   * `runAsNonRoot` is then not set (the init container would inherit it and the kubelet would
   * refuse it); every other container sets it. The construct declares the exemptions this implies
   * (`Exemption.runAsRoot` and `Exemption.addCapabilities` for that container, with their reason),
   * so the pod template is annotated `baseline`, not `restricted`.
   */
  INIT_CONTAINER = 'InitContainer',

  /**
   * Only `fsGroup` with `fsGroupChangePolicy: OnRootMismatch` (the kubelet changes group
   * ownership when the volume's root does not match): no init container, the pod stays `restricted`.
   * Works for volume types that support fsGroup (most block-storage CSI drivers; not NFS and
   * some others, see the driver's `fsGroupPolicy`).
   */
  FS_GROUP_ONLY = 'FsGroupOnly',
}

/**
 * A persistent volume claim template of a `RootlessStatefulSet`: every replica gets its own claim
 * (`<name>-<statefulset>-<ordinal>`), mounted at `mountPath` in every app (non-init) container.
 */
export interface VolumeClaimTemplate {
  /**
   * The name of the claim template (and of the pod volume): a DNS label.
   */
  readonly name: string;

  /**
   * The absolute path where the volume is mounted in the app containers.
   */
  readonly mountPath: string;

  /**
   * The requested storage, e.g. `Size.gibibytes(10)`.
   */
  readonly size: Size;

  /**
   * The storage class.
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;

  /**
   * The access modes.
   * @default [PersistentVolumeAccessMode.READ_WRITE_ONCE]
   */
  readonly accessModes?: kplus.PersistentVolumeAccessMode[];
}

/**
 * Options of the permission init container (`VolumePermissions.INIT_CONTAINER`).
 */
export interface VolumePermissionsInitOptions {
  /**
   * The image that runs `sh`, `stat`, `find` and `chown`. Pin it (a version tag or a digest).
   * @default 'busybox:1.36.1'
   */
  readonly image?: string;

  /**
   * Also add back `DAC_OVERRIDE`: needed only when a volume whose root does not match may contain
   * directories that root cannot search without it (e.g. mode 0700 owned by a previous UID).
   * Still `baseline`.
   * @default false
   */
  readonly dacOverride?: boolean;
}

/**
 * Props of a `RootlessStatefulSet`: the cdk8s-plus `StatefulSetProps` (containers with hardening
 * options), the hardening options, claim templates and how their volumes get their permissions.
 */
export interface RootlessStatefulSetProps extends RootlessWorkloadProps {
  /**
   * The service that governs the stateful set (its network identity).
   * @default - a headless Service (clusterIP None) with the containers' ports, created beside the stateful set (construct id `<id>-headless`)
   */
  readonly service?: kplus.Service;

  /**
   * Number of desired pods.
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Pod management policy.
   * @default PodManagementPolicy.ORDERED_READY
   */
  readonly podManagementPolicy?: kplus.PodManagementPolicy;

  /**
   * Update strategy.
   * @default StatefulSetUpdateStrategy.rollingUpdate()
   */
  readonly strategy?: kplus.StatefulSetUpdateStrategy;

  /**
   * Minimum duration for which a newly created pod should be ready without any of its containers
   * crashing, for it to be considered available.
   * @default Duration.seconds(0)
   */
  readonly minReady?: Duration;

  /**
   * Persistent volume claim templates, each mounted in every app container.
   * @default - none
   */
  readonly volumeClaimTemplates?: VolumeClaimTemplate[];

  /**
   * How the claim volumes are made writable by the app's user. With no claim templates there is
   * nothing to do, and no init container is added.
   * @default VolumePermissions.INIT_CONTAINER (the pod is then `baseline`)
   */
  readonly volumePermissions?: VolumePermissions;

  /**
   * Options of the permission init container.
   * @default - busybox:1.36.1, CHOWN and FOWNER
   */
  readonly volumePermissionsInit?: VolumePermissionsInitOptions;
}

const INIT_NAME = 'volume-permissions';
const INIT_IMAGE = 'busybox:1.36.1';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Kubernetes resource quantity (the API's regular expression). */
const QUANTITY = /^[+-]?(\d+\.?\d*|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;
const ROOT_REASON = 'the volume-permissions init container gives the claim volumes (whose storage ignores fsGroup) to the app user '
  + 'before the app starts, and only UID 0 can change a file\'s owner (RootlessStatefulSet volumePermissions: INIT_CONTAINER)';
const CAPS_REASON = 'the volume-permissions init container runs chown on the claim volumes; every other capability stays dropped '
  + '(RootlessStatefulSet volumePermissions: INIT_CONTAINER)';

/**
 * A cdk8s-plus `StatefulSet` whose pod template is hardened like a `HardenedPod`, with typed
 * persistent volume claim templates, the headless Service it needs, and a choice of how the claim
 * volumes get their permissions (`volumePermissions`).
 *
 * By default (`VolumePermissions.INIT_CONTAINER`) a permission init container runs as root (the
 * one thing it needs) to give each claim volume to `user:fsGroup`, walking the volume only when its
 * root does not match already, and the pod is annotated `baseline` (the construct declares the
 * `runAsRoot` and `addCapabilities` exemptions this implies, with their reason). With
 * `VolumePermissions.FS_GROUP_ONLY` there is no init container and the pod stays `restricted`.
 *
 * @example
 * new RootlessStatefulSet(chart, 'es', {
 *   preset: ImagePreset.elasticsearch(),
 *   containers: [{ image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.0', portNumber: 9200 }],
 *   volumeClaimTemplates: [{ name: 'data', mountPath: '/usr/share/elasticsearch/data', size: Size.gibibytes(10) }],
 * });
 */
export class RootlessStatefulSet extends kplus.StatefulSet {
  /**
   * The claim templates (`props.volumeClaimTemplates`), a copy to read. Named `claimTemplates`: on cdk8s-plus-32 and later,
   * `volumeClaimTemplates` is the StatefulSet's own list of cdk8s-plus templates. The construct renders the claims it
   * checked at construction; synthesis fails if this list is changed afterwards (pass every claim in props).
   */
  public readonly claimTemplates: VolumeClaimTemplate[];

  /** The claims checked at construction (copies): the ones rendered, mounted and given to the permission init container. */
  private readonly claims: readonly VolumeClaimTemplate[];

  /**
   * How the claim volumes get their permissions.
   */
  public readonly volumePermissions: VolumePermissions;

  /**
   * The permission init container (`volume-permissions`), if `volumePermissions` added one.
   */
  public readonly permissionInitContainer?: kplus.Container;

  /**
   * The hardening of the pod (template): containers with hardening options, the resolved user and
   * fsGroup, and the verified object.
   */
  public readonly hardening: PodHardening;

  public constructor(scope: Construct, id: string, props: RootlessStatefulSetProps = {}) {
    const claims = (props.volumeClaimTemplates ?? []).map(copyClaim);
    const mode = props.volumePermissions ?? VolumePermissions.INIT_CONTAINER;
    const init = mode === VolumePermissions.INIT_CONTAINER && claims.length > 0;
    const capabilities = ['CHOWN', 'FOWNER', ...props.volumePermissionsInit?.dacOverride ? ['DAC_OVERRIDE'] : []];
    const hardened = init ? {
      ...props,
      exemptions: [
        ...props.exemptions ?? [],
        Exemption.runAsRoot(ROOT_REASON, { container: INIT_NAME }),
        Exemption.addCapabilities(capabilities, CAPS_REASON, { container: INIT_NAME }),
      ],
    } : props;
    // cdk8s-plus creates the default headless Service in its constructor from the containers' ports,
    // before a subclass can add (hardened) containers: the construct creates it here, beside itself
    // (nothing else can exist before super()), and binds the ports once the containers exist.
    const service = props.service ?? new kplus.Service(scope, `${id}-headless`, {
      metadata: { namespace: props.metadata?.namespace },
      clusterIP: 'None',
      type: kplus.ServiceType.CLUSTER_IP,
    });
    super(scope, id, kplusStatefulSetProps({ ...props, ...Hardening.kplusWorkloadProps(hardened), service }));
    startStatefulSetClaims(this);
    throwPropsProblems(this, alwaysRestartProblems(props.restartPolicy, 'StatefulSet', 'For a task that runs to completion, use RootlessJob.'));
    Hardening.applySpread(this, props.spread);
    this.claims = claims;
    this.claimTemplates = claims.map(copyClaim);
    this.volumePermissions = mode;
    validateMode(this, mode);
    this.fail(claimProblems(claims));
    this.hardening = PodHardening._create(this, hardened);
    this.hardening._mountClaims(() => this.claimMounts());
    IdentityIndex.register(this); // one identity per object across the app (identity-index.ts)

    if (init) {
      const user = this.hardening.user!;
      const group = this.hardening.fsGroup ?? user;
      this.permissionInitContainer = this.hardening._withOptions(() => this.addInitContainer({
        name: INIT_NAME,
        image: props.volumePermissionsInit?.image ?? INIT_IMAGE,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ['sh', '-c', permissionScript(user, group, claims.map(c => normalize(c.mountPath)))],
        // /tmp like every container with a read-only root (the startability checklist, docs/migration.md): a shell may write there
        resources: {
          cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
        },
      }));
      markPermissionInitContainer(this, INIT_NAME); // RestrictedNamespace names it as the construct's (any line)
    }
    this.hardening._addContainers(props);
    this.fail(this.mountClashes());

    if (!props.service) {
      const ports = this.containers.flatMap(c => c.ports);
      if (ports.length === 0) {
        this.fail(['props.containers: no container declares a port, and the headless Service of the stateful set needs one. '
          + 'Fix: set portNumber (or ports) on the app container, or pass props.service.']);
      }
      for (const p of ports) this.service.bind(p.number, { targetPort: p.number, protocol: p.protocol, name: p.name });
    }
    this.node.addValidation({ validate: () => this.volumeNameClashes() });
  }

  /**
   * Adds a hardened container: every security field is set by the hardening. Takes the cdk8s-plus
   * `ContainerProps` only (jsii does not allow an override to widen its parameter type): for the
   * hardening options use `hardening.addContainer`; passing them here (from JavaScript) fails naming it.
   */
  public addContainer(cont: kplus.ContainerProps): kplus.Container {
    return this.hardening._add(cont, false, p => super.addContainer(p));
  }

  /**
   * Adds a hardened init container. Takes the cdk8s-plus `ContainerProps` only: for the hardening
   * options use `hardening.addInitContainer`.
   */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container {
    return this.hardening._add(cont, true, p => super.addInitContainer(p));
  }

  /**
   * Attaches an existing cdk8s-plus container; it is hardened like the others: its user and group are
   * kept, the rest of its security context is the hardened one. A security context that would weaken
   * it (`readOnlyRootFilesystem: false`, `allowPrivilegeEscalation: true`, `privileged: true`,
   * `ensureNonRoot: false`, capabilities) fails as in `addContainer`.
   */
  public attachContainer(cont: kplus.Container): void {
    this.hardening._attach(cont, () => super.attachContainer(cont));
  }

  /**
   * @internal
   */
  public _toPodSpec(): kplus.k8s.PodSpec {
    return this.hardening._podSpec(super._toPodSpec());
  }

  /**
   * @internal
   */
  public _toKube(): kplus.k8s.StatefulSetSpec {
    this.fail(claimsChanged(this.claims, this.claimTemplates));
    startStatefulSetClaims(this);
    refuseTemplatesOverWritablePaths(this, this.hardening._writableVolumes());
    return withClaimTemplates(this, super._toKube(), this.claims.map(c => ({
      name: c.name,
      size: c.size.asString(),
      storageClassName: c.storageClassName,
      accessModes: c.accessModes ?? [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
    })));
  }

  /** The claims as mounts of the app containers and of the permission init container. */
  private claimMounts(): { mounts: ClaimMount[]; initContainer: string } {
    return { mounts: this.claims.map(c => ({ name: c.name, mountPath: normalize(c.mountPath) })), initContainer: INIT_NAME };
  }

  /** Claim paths that another mount of an app container (a writable path, a volumeMount) already uses. */
  private mountClashes(): string[] {
    const problems: string[] = [];
    for (const c of this.containers) {
      for (const m of c.mounts) {
        const claim = this.claims.find(t => normalize(t.mountPath) === normalize(m.path));
        if (claim) {
          problems.push(`props.volumeClaimTemplates[${claim.name}].mountPath: "${normalize(claim.mountPath)}" is also mounted in container `
            + `"${c.name}" (volume "${m.volume.name}", e.g. a writable path or a volumeMount). Fix: drop that path from the container's `
            + 'writablePaths/volumeMounts (the claim volume is writable already) or mount the claim elsewhere.');
        }
      }
    }
    return problems;
  }

  /** A claim template named like a pod volume (e.g. a writable path's emptyDir): the controller would replace that volume. */
  private volumeNameClashes(): string[] {
    const names = new Set(this.claims.map(c => c.name));
    // the pod's volumes as cdk8s-plus collects them (its own and the containers' mounts; on 32+ without those named like one of
    // its own templates, which it drops: a clash of those with the construct's claims is reported at rendering, naming both),
    // read without rendering: a render here threw cdk8s-plus' own errors (two volumes of one name) from a validation
    const upstream = upstreamTemplateNames(this);
    const volumes = new Set(podVolumes(this).map(v => v.volume.name).filter(n => names.has(n) && !upstream.has(n)));
    return [...volumes].map(n => `volumeClaimTemplates[${n}].name: the pod already has a volume named "${n}". `
      + 'Fix: rename the claim template (or the volume).');
  }

  private fail(problems: string[]): void {
    if (problems.length > 0) {
      throwPropsProblems(this, problems);
    }
  }
}

function validateMode(sts: RootlessStatefulSet, mode: VolumePermissions): void {
  if (!Object.values(VolumePermissions).includes(mode)) {
    throwPropsProblems(sts, [`props.volumePermissions: ${JSON.stringify(mode)} is not a `
      + 'VolumePermissions value. Fix: use VolumePermissions.INIT_CONTAINER or VolumePermissions.FS_GROUP_ONLY.']);
  }
}

/** A claim as given (anything from JavaScript), copied so that a later change of the caller's object is not read. */
function copyClaim(c: VolumeClaimTemplate): VolumeClaimTemplate {
  if (typeof c !== 'object' || c === null) return c;
  return { ...c, ...Array.isArray(c.accessModes) ? { accessModes: [...c.accessModes] } : {} };
}

/** `claimTemplates` changed after construction (a claim pushed, removed or edited): it would skip every check of the props. */
function claimsChanged(checked: readonly VolumeClaimTemplate[], now: readonly VolumeClaimTemplate[]): string[] {
  const same = (a: VolumeClaimTemplate, b: VolumeClaimTemplate) => a === b || (typeof b === 'object' && b !== null
    && a.name === b.name && a.mountPath === b.mountPath && a.size === b.size && a.storageClassName === b.storageClassName
    && JSON.stringify(a.accessModes) === JSON.stringify(b.accessModes));
  if (Array.isArray(now) && now.length === checked.length && checked.every((c, i) => same(c, now[i]))) return [];
  return ['claimTemplates: changed after construction; the construct renders, mounts and makes writable the claims of '
    + 'props.volumeClaimTemplates, checked when it was created. Fix: pass every claim template in props.volumeClaimTemplates.'];
}

function claimProblems(claims: VolumeClaimTemplate[]): string[] {
  const problems: string[] = [];
  const names = new Map<string, number>();
  const paths = new Map<string, string>();
  for (const [i, c] of claims.entries()) {
    const prop = `props.volumeClaimTemplates[${i}]`;
    if (typeof c?.name !== 'string' || !DNS_LABEL.test(c.name) || c.name.length > 63) {
      problems.push(`${prop}.name: ${JSON.stringify(c?.name)} is not a DNS label. Fix: use lower-case letters, digits and "-", `
        + 'at most 63 characters, e.g. "data".');
    } else if (names.has(c.name)) {
      problems.push(`${prop}.name: "${c.name}" is already used by volumeClaimTemplates[${names.get(c.name)}]. Fix: give every claim template a unique name.`);
    } else {
      names.set(c.name, i);
    }
    if (c?.mountPath === undefined) {
      problems.push(`${prop}.mountPath: missing: the claim would be created but never mounted. Fix: set mountPath, e.g. "/var/lib/app/data".`);
    } else {
      const problem = pathProblem(c.mountPath);
      if (problem) {
        problems.push(`${prop}.mountPath: ${JSON.stringify(c.mountPath)} ${problem}. Fix: use an absolute, normalized path such as /var/lib/app/data.`);
      } else if (paths.has(normalize(c.mountPath))) {
        problems.push(`${prop}.mountPath: "${normalize(c.mountPath)}" is also the mount path of claim template ${paths.get(normalize(c.mountPath))}. `
          + 'Fix: mount each claim at its own path.');
      } else {
        paths.set(normalize(c.mountPath), JSON.stringify(c.name));
      }
    }
    const size = sizeProblem(c?.size);
    if (size) problems.push(`${prop}.size: ${size}. Fix: use a positive size such as Size.gibibytes(10).`);
    if (c?.accessModes !== undefined && c.accessModes.length === 0) {
      problems.push(`${prop}.accessModes: empty. Fix: leave it unset (ReadWriteOnce) or name at least one access mode.`);
    }
    if (c?.storageClassName !== undefined && c.storageClassName !== '' && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(c.storageClassName)) {
      problems.push(`${prop}.storageClassName: ${JSON.stringify(c.storageClassName)} is not a valid name. Fix: use the name of a StorageClass, e.g. "standard".`);
    }
  }
  return problems;
}

function sizeProblem(size: Size | undefined): string | undefined {
  if (size === undefined || size === null) return 'missing';
  let quantity: string;
  try {
    quantity = size.asString();
  } catch {
    return 'is not a cdk8s Size';
  }
  if (!QUANTITY.test(quantity)) return `"${quantity}" is not a Kubernetes quantity`;
  if (!(parseFloat(quantity) > 0)) return `"${quantity}" is not a positive amount of storage`;
  return undefined;
}

/**
 * The init container's script: for each volume whose root is not `user:group` already, give every
 * entry that does not match to `user:group`, and the root last (a walk cut short is redone at the
 * next start, since the root still does not match). A volume whose root matches is not walked: a
 * large volume is not re-walked on every restart (the same rule as fsGroupChangePolicy OnRootMismatch).
 */
function permissionScript(user: number, group: number, paths: string[]): string {
  const owner = `${user}:${group}`;
  return [
    'set -eu',
    `for d in ${paths.map(quote).join(' ')}; do`,
    `  if [ "$(stat -c %u:%g "$d")" != "${owner}" ]; then`,
    `    find "$d" -xdev -mindepth 1 \\( ! -user ${user} -o ! -group ${group} \\) -exec chown -h ${owner} {} +`,
    `    chown ${owner} "$d"`,
    '  fi',
    'done',
  ].join('\n');
}

function quote(s: string): string {
  return `'${s.replace(/'/g, '\'\\\'\'')}'`;
}
