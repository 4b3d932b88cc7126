/**
 * Internal: the startability checklist (docs/migration.md, "Will it start?"): manifest in, the
 * reasons its pod would not start (or not keep its data) out, judged as the kubelet and the
 * image judge it, on the pod that results. One function, which the tests of the constructs,
 * `applyTo`, `harden` and the examples use. Pod Security admission is the policy engine's
 * concern, not this checklist's.
 *
 * For every Linux container of the pod template:
 * 1. a numeric `runAsUser` (the container's, else the pod's), or an image a human vouches for (its
 *    numeric, non-root USER: `nonRootImages`): the kubelet refuses `runAsNonRoot` on an image whose
 *    USER is absent (root), 0 or a name, and `runAsUser: 0` under `runAsNonRoot`; a value the API
 *    server rejects is a reason too. A container that a valid `runAsRoot` exemption of the pod
 *    template's annotation declares (for it or the whole pod) may run as the image's user, root
 *    included, as long as `runAsNonRoot` is not true for it (a chown init container);
 * 2. with a read-only root filesystem, `/tmp` and the image preset's writable paths on a writable
 *    volume (the mount deepest at or above the path is writable: a deeper mount shadows a shallower one);
 * 3. the image's data directory (data-path.ts) on a claim, and no mount the image refuses;
 * 4. the service-account token as the token rule says (a hook: `StartabilityOptions.token`, which
 *    `tokenStartability` in token-rule.ts gives: a bound account needs its token).
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports. Not exported from the package.
 */
import { containerMounts, containerRole, dataPathFindings, writableAt } from './data-path';
import { WRITABLE_TMP } from './defaults';
import { ImagePreset } from './image-preset';
import { isNumericId } from './paths';
import { declaredExemptions } from '../exemptions/declared';
import { relaxesField } from '../exemptions/registry';
import { isWindowsPod } from '../policy/checks/util';
import { podTemplateOf } from '../policy/k8s-shapes';

/** What the checklist takes besides the manifest. */
export interface StartabilityOptions {
  /**
   * Whether a human vouches that the image runs as a numeric, non-root USER (`nonRootImages`).
   * @default - no image is vouched for
   */
  readonly vouched?: (image: string) => boolean;
  /**
   * The token rule (issue 20, point 4): the reasons the pod's service-account token would keep it
   * from working or from admission, for the pod spec. The hook of the token rule's module.
   * @default - the token is not checked
   */
  readonly token?: (podSpec: any, manifest: any) => string[];
}

const object = (x: unknown): any => (typeof x === 'object' && x !== null && !Array.isArray(x) ? x : {});
const list = (x: unknown): any[] => (Array.isArray(x) ? x : []);

/**
 * The reasons the pod of a manifest (a Pod, a workload's template, a PodTemplate) would not start,
 * each naming the container and the fix; empty when it passes the checklist or carries no pod.
 */
export function startabilityProblems(manifest: unknown, options: StartabilityOptions = {}): string[] {
  const spec = podTemplateOf(manifest as any)?.spec;
  if (typeof spec !== 'object' || spec === null) return [];
  const reasons: string[] = [];
  const pod = object(spec.securityContext);
  const windows = isWindowsPod(spec);
  const declared = declaredExemptions(manifest).exemptions;
  for (const c of [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)].map(object)) {
    const where = `container "${c.name}"`;
    const sc = object(c.securityContext);
    const image = typeof c.image === 'string' ? c.image : '';
    const mayRunAsRoot = relaxesField(declared, 'runAsNonRoot', String(c.name));
    // a declared-root container starts as its image's user unless runAsNonRoot is true for it
    const asRoot = mayRunAsRoot ? { ...options, vouched: () => (sc.runAsNonRoot ?? pod.runAsNonRoot) !== true } : options;
    if (!windows) reasons.push(...userReasons(where, image, sc, pod, asRoot));
    const preset = ImagePreset.forImage(image);
    const readOnlyRoot = sc.readOnlyRootFilesystem === true;
    if (readOnlyRoot) {
      const mounts = containerMounts(spec, c);
      const serverOrUnknown = preset !== undefined && containerRole(preset, c).role !== 'utility';
      const wanted = [WRITABLE_TMP, ...serverOrUnknown ? preset.writablePaths : []];
      for (const p of wanted) {
        if (!writableAt(mounts, p)) {
          reasons.push(`${where}: the root filesystem is read-only and ${p} is not on a writable volume`
            + `${p === WRITABLE_TMP ? '' : ` (image ${JSON.stringify(image)} writes it: ${preset!.name} preset)`}. Fix: mount an emptyDir at ${p}.`);
        }
      }
    }
    if (preset) reasons.push(...dataPathFindings(spec, c, preset, readOnlyRoot, where).problems);
  }
  if (options.token) reasons.push(...options.token(spec, manifest));
  return reasons;
}

/** Checklist item 1: the user the kubelet would start the container as. */
function userReasons(where: string, image: string, sc: any, pod: any, options: StartabilityOptions): string[] {
  const user = sc.runAsUser ?? pod.runAsUser;
  const nonRoot = (sc.runAsNonRoot ?? pod.runAsNonRoot) === true;
  if (user !== undefined && user !== null) {
    if (!isNumericId(user)) return [`${where}: runAsUser ${JSON.stringify(user)} is not an ID the API server accepts (an integer in 0…2147483647).`];
    if (user === 0 && nonRoot) {
      return [`${where}: runAsNonRoot is true and runAsUser is 0: the kubelet refuses to start it. Fix: run it as the image's non-root UID.`];
    }
    return [];
  }
  if (options.vouched?.(image)) return [];
  return [`${where}: no numeric runAsUser, and nobody vouches for the USER of image ${JSON.stringify(image)}: `
    + `${nonRoot ? 'the kubelet refuses runAsNonRoot' : 'it runs as root, or is refused under runAsNonRoot,'} when that USER is absent (root), 0 or a name. `
    + 'Fix: set runAsUser to the image\'s numeric non-root UID (a preset gives it), or vouch for the image (nonRootImages).'];
}
