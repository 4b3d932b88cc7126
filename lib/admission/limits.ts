/**
 * Internal: the sizes the admission policy accepts, which bound its CEL cost (docs/admission.md).
 *
 * The API server stops an expression whose runtime cost exceeds 1,000,000 units and a policy
 * evaluation above 10,000,000; under `failurePolicy: Ignore` a stopped evaluation admits the
 * object. So the policy first checks these sizes (O(1) each), rejects a larger object with a
 * validation message, and evaluates nothing else on it: no input can make it fail.
 */
import { ANNOTATION_MAX_SIZE } from './exemptions-cel';
import { META, SPEC, celHas } from '../policy/checks/cel';

export { ANNOTATION_MAX_SIZE };
/** The most annotations a pod (template) may carry (the AppArmor check reads each key). */
export const MAX_ANNOTATIONS = 512;
/** The most init, regular and ephemeral containers of a pod, together. */
export const MAX_CONTAINERS = 64;
/** The most volumes of a pod. */
export const MAX_VOLUMES = 128;
/** The most items of each list inside a container or volume (ports, volumeMounts, capabilities.add/drop, projected sources) and of sysctls. */
export const MAX_ITEMS = 128;

/** The longest string the policy matches against a pattern (a volume mount path; PATH_MAX). */
export const MAX_PATH = 4096;

/** The containers of these lists of the pod spec, in order (default: init, regular, then ephemeral). */
export function celContainers(lists: readonly string[] = ['initContainers', 'containers', 'ephemeralContainers']): string {
  return lists.map(list => `(has(${SPEC}.${list}) ? ${SPEC}.${list} : [])`).join(' + ');
}

const maxOf = (root: string, path: string, max: number) => `(!(${celHas(root, path)}) || size(${root}.${path}) <= ${max})`;

/** CEL: the object is within the limits (the order matters: each list's size is checked before it is iterated). */
export const CEL_WITHIN_LIMITS = [
  'variables.exemptionsSizeOk',
  maxOf(META, 'annotations', MAX_ANNOTATIONS),
  `size(variables.containers) <= ${MAX_CONTAINERS}`,
  maxOf(SPEC, 'volumes', MAX_VOLUMES),
  maxOf(SPEC, 'securityContext.sysctls', MAX_ITEMS),
  `variables.containers.all(c, ${['ports', 'volumeMounts', 'securityContext.capabilities.add', 'securityContext.capabilities.drop'].map(p => maxOf('c', p, MAX_ITEMS)).join(' && ')} `
    + `&& (!has(c.volumeMounts) || c.volumeMounts.all(m, size(m.mountPath) <= ${MAX_PATH})))`,
  `(!has(${SPEC}.volumes) || ${SPEC}.volumes.all(v, ${maxOf('v', 'projected.sources', MAX_ITEMS)}))`,
].join(' && ');

export const LIMITS_MESSAGE = `rootless: the pod is beyond the policy's limits: at most ${MAX_CONTAINERS} containers (init, regular and ephemeral together), `
  + `${MAX_VOLUMES} volumes, ${MAX_ANNOTATIONS} annotations, ${MAX_ITEMS} items in each list of a container or volume and in sysctls, mount paths of at most ${MAX_PATH} characters, `
  + `and a rootless.cdk8s.io/exemptions annotation of at most ${ANNOTATION_MAX_SIZE} characters (check limits)`;
