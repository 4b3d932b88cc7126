/**
 * Internal: the sizes the admission policy accepts, which bound its CEL cost (docs/admission.md).
 *
 * The API server stops an expression whose runtime cost exceeds 1,000,000 units and a policy
 * evaluation above 10,000,000; under `failurePolicy: Ignore` a stopped evaluation admits the
 * object. So the policy first checks these sizes (each list's size before it iterates the list),
 * rejects a larger object with a validation message, and evaluates nothing else on it: no input
 * can make it fail. The same limits are written here once as numbers, and checked both in CEL
 * (`CEL_WITHIN_LIMITS`) and in JavaScript (`limitsProblem`, for the tests' judgement).
 */
import { ANNOTATION_MAX_SIZE } from './exemptions-cel';
import { META, SPEC, celHas, celString } from '../policy/checks/cel';
import { ANNOTATION_PREFIX as APPARMOR_PREFIX } from '../policy/checks/check-app-armor-profile';
import { ANNOTATION_CONTAINER_PREFIX as SECCOMP_CONTAINER_PREFIX, ANNOTATION_POD as SECCOMP_POD } from '../policy/checks/check-seccomp-profile-baseline';
import { containersOf, podTemplateOf } from '../policy/k8s-shapes';

export { ANNOTATION_MAX_SIZE };

/** The most annotations a pod (template) may carry (the AppArmor check reads each key). */
export const MAX_ANNOTATIONS = 512;
/** The most init, regular and ephemeral containers of a pod, together. */
export const MAX_CONTAINERS = 32;
/** The most volumes of a pod. */
export const MAX_VOLUMES = 128;
/** The most items of each list inside a container or volume (ports, volumeMounts, capabilities.drop, projected sources) and of sysctls. */
export const MAX_ITEMS = 32;
/** The most capabilities a container adds (each is looked up in the exemptions' lists). */
export const MAX_ADDED_CAPABILITIES = 8;
/** The longest capability name in `capabilities.add`. */
export const MAX_NAME = 253;
/** The longest volume mount path (matched against the service-account token path) and hostPath path (matched against the hostPath exemptions' paths). */
export const MAX_PATH = 256;
/** The most hostPath volumes of a pod (each is matched against the hostPath exemptions' paths and every mount). */
export const MAX_HOST_PATH_VOLUMES = 16;
/** The longest AppArmor or seccomp annotation value (read by prefix; PATH_MAX). */
export const MAX_PROFILE = 4096;

/** The annotation keys whose values the checks read by prefix (AppArmor, seccomp before v1.19). */
const PROFILE_ANNOTATION_PREFIXES = [APPARMOR_PREFIX, SECCOMP_POD, SECCOMP_CONTAINER_PREFIX];

/** The containers of these lists of the pod spec, in order (default: init, regular, then ephemeral). */
export function celContainers(lists: readonly string[] = ['initContainers', 'containers', 'ephemeralContainers']): string {
  return lists.map(list => `(has(${SPEC}.${list}) ? ${SPEC}.${list} : [])`).join(' + ');
}

const maxOf = (root: string, path: string, max: number) => `(!(${celHas(root, path)}) || size(${root}.${path}) <= ${max})`;
const CONTAINER_LISTS = ['ports', 'volumeMounts', 'securityContext.capabilities.drop'];

/** CEL: the object is within the limits. */
export const CEL_WITHIN_LIMITS = [
  'variables.exemptionsSizeOk',
  maxOf(META, 'annotations', MAX_ANNOTATIONS),
  `(!has(${META}.annotations) || ${META}.annotations.all(k, !(${PROFILE_ANNOTATION_PREFIXES.map(p => `k.startsWith(${celString(p)})`).join(' || ')}) `
    + `|| size(${META}.annotations[k]) <= ${MAX_PROFILE}))`,
  `size(variables.containers) <= ${MAX_CONTAINERS}`,
  maxOf(SPEC, 'volumes', MAX_VOLUMES),
  maxOf(SPEC, 'securityContext.sysctls', MAX_ITEMS),
  `variables.containers.all(c, ${CONTAINER_LISTS.map(p => maxOf('c', p, MAX_ITEMS)).join(' && ')} && ${maxOf('c', 'securityContext.capabilities.add', MAX_ADDED_CAPABILITIES)} `
    + `&& (!has(c.volumeMounts) || c.volumeMounts.all(m, size(m.mountPath) <= ${MAX_PATH})) `
    + `&& (!(${celHas('c', 'securityContext.capabilities.add')}) || c.securityContext.capabilities.add.all(a, size(a) <= ${MAX_NAME})))`,
  `(!has(${SPEC}.volumes) || ${SPEC}.volumes.all(v, ${maxOf('v', 'projected.sources', MAX_ITEMS)} && (!(${celHas('v', 'hostPath.path')}) || size(v.hostPath.path) <= ${MAX_PATH})))`,
  `(!has(${SPEC}.volumes) || size(${SPEC}.volumes.filter(v, has(v.hostPath))) <= ${MAX_HOST_PATH_VOLUMES})`,
].join(' && ');

export const LIMITS_MESSAGE = `rootless: the pod is beyond the policy's limits: at most ${MAX_CONTAINERS} containers (init, regular and ephemeral together), `
  + `${MAX_VOLUMES} volumes (${MAX_HOST_PATH_VOLUMES} of them hostPath), ${MAX_ANNOTATIONS} annotations, ${MAX_ITEMS} items in each list of a container or volume and in sysctls, `
  + `${MAX_ADDED_CAPABILITIES} added capabilities per container (names of at most ${MAX_NAME} characters), mount paths and hostPath paths of at most ${MAX_PATH} characters, `
  + `AppArmor/seccomp annotation values of at most ${MAX_PROFILE} characters, `
  + `and a rootless.cdk8s.io/exemptions annotation of at most ${ANNOTATION_MAX_SIZE} characters (check limits)`;

const codePoints = (s: string) => [...s].length;
const sizeOf = (v: unknown) => (Array.isArray(v) ? v.length : 0);

/** The first limit the manifest's pod template exceeds (JavaScript, as CEL_WITHIN_LIMITS), or undefined. */
export function limitsProblem(manifest: unknown): string | undefined {
  const template = podTemplateOf(manifest);
  const spec: any = template?.spec ?? {};
  const annotations: Record<string, unknown> = template?.metadata?.annotations ?? {};
  const exemptions = annotations['rootless.cdk8s.io/exemptions'];
  if (typeof exemptions === 'string' && codePoints(exemptions) > ANNOTATION_MAX_SIZE) return 'exemptions annotation';
  if (Object.keys(annotations).length > MAX_ANNOTATIONS) return 'annotations';
  for (const [k, v] of Object.entries(annotations)) {
    if (PROFILE_ANNOTATION_PREFIXES.some(p => k.startsWith(p)) && typeof v === 'string' && codePoints(v) > MAX_PROFILE) return `annotation ${k}`;
  }
  const containers = containersOf(spec);
  if (containers.length > MAX_CONTAINERS) return 'containers';
  if (sizeOf(spec.volumes) > MAX_VOLUMES) return 'volumes';
  if (sizeOf(spec.securityContext?.sysctls) > MAX_ITEMS) return 'sysctls';
  for (const c of containers) {
    if ([c.ports, c.volumeMounts, c.securityContext?.capabilities?.drop].some(l => sizeOf(l) > MAX_ITEMS)) return `container ${c.name}`;
    if (sizeOf(c.securityContext?.capabilities?.add) > MAX_ADDED_CAPABILITIES) return `container ${c.name}`;
    if ((Array.isArray(c.volumeMounts) ? c.volumeMounts : []).some((m: any) => typeof m?.mountPath === 'string' && codePoints(m.mountPath) > MAX_PATH)) return `container ${c.name}`;
    const add = c.securityContext?.capabilities?.add;
    if (Array.isArray(add) && add.some((a: unknown) => typeof a === 'string' && codePoints(a) > MAX_NAME)) return `container ${c.name}`;
  }
  const volumes: any[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  if (volumes.some((v: any) => sizeOf(v?.projected?.sources) > MAX_ITEMS)) return 'projected volume';
  if (volumes.some((v: any) => typeof v?.hostPath?.path === 'string' && codePoints(v.hostPath.path) > MAX_PATH)) return 'hostPath volume';
  if (volumes.filter((v: any) => v?.hostPath !== undefined).length > MAX_HOST_PATH_VOLUMES) return 'hostPath volumes';
  return undefined;
}
