/**
 * The shapes of Kubernetes objects that carry pods: the one table of pod-bearing kinds, the API
 * groups they are served from and where each keeps its pod template. Read by the policy engine
 * (pod-spec.ts), the hardening model (exemptions, synthesis verification), the constructs
 * (RestrictedNamespace), `harden` (YAML nodes), `audit` and the plugin. See docs/architecture.md.
 *
 * Lives in the policy engine so that every layer can import it (the engine imports nothing else).
 * Plain data and pure functions; no cdk8s imports.
 */

/** One pod-bearing kind. */
export interface PodBearingKind {
  /** The kind, e.g. `Deployment`. */
  readonly kind: string;
  /** The API groups it is served from (`''` is the core group). */
  readonly groups: readonly string[];
  /** The keys from the object's root to its pod template (`[]` for a Pod: the object is its own template). */
  readonly templatePath: readonly string[];
}

const POD_TEMPLATE = ['spec', 'template'] as const;

/** Every kind that carries a pod (or a pod template), in no particular order. */
export const POD_BEARING_KINDS: readonly PodBearingKind[] = Object.freeze([
  { kind: 'Pod', groups: [''], templatePath: [] },
  { kind: 'PodTemplate', groups: [''], templatePath: ['template'] },
  { kind: 'ReplicationController', groups: [''], templatePath: POD_TEMPLATE },
  { kind: 'ReplicaSet', groups: ['apps', 'extensions'], templatePath: POD_TEMPLATE },
  { kind: 'Deployment', groups: ['apps', 'extensions'], templatePath: POD_TEMPLATE },
  { kind: 'DaemonSet', groups: ['apps', 'extensions'], templatePath: POD_TEMPLATE },
  { kind: 'StatefulSet', groups: ['apps'], templatePath: POD_TEMPLATE },
  { kind: 'Job', groups: ['batch'], templatePath: POD_TEMPLATE },
  { kind: 'CronJob', groups: ['batch'], templatePath: ['spec', 'jobTemplate', 'spec', 'template'] },
].map(k => Object.freeze({ ...k, groups: Object.freeze([...k.groups]), templatePath: Object.freeze([...k.templatePath]) })));

const BY_KIND: ReadonlyMap<string, PodBearingKind> = new Map(POD_BEARING_KINDS.map(k => [k.kind, k]));

/** The pod-bearing kind of this name, or undefined. */
export function podBearingKind(kind: unknown): PodBearingKind | undefined {
  return typeof kind === 'string' ? BY_KIND.get(kind) : undefined;
}

/** The path of the pod template in an object of this kind, or undefined when the kind carries no pod. */
export function podTemplatePath(kind: unknown): readonly string[] | undefined {
  return podBearingKind(kind)?.templatePath;
}

/** The container lists of a pod spec, in the order the checks visit them. */
export const CONTAINER_LISTS = Object.freeze(['initContainers', 'containers', 'ephemeralContainers'] as const);

const hasOwn = Object.prototype.hasOwnProperty;

/** The pod template (`{ metadata, spec }`) of a pod-bearing manifest (own properties only), if it has one. */
export function podTemplateOf(manifest: unknown): { metadata?: any; spec?: any } | undefined {
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const path = podTemplatePath((manifest as any).kind);
  if (path === undefined) return undefined;
  let at: any = manifest;
  for (const key of path) {
    at = typeof at === 'object' && at !== null && hasOwn.call(at, key) ? at[key] : undefined;
  }
  return typeof at === 'object' && at !== null && !Array.isArray(at) ? at : undefined;
}

/** A manifest of this kind with `template` at its pod template path (and nothing else). */
export function withPodTemplate(apiVersion: unknown, kind: string, template: { metadata?: any; spec?: any }): any {
  const path = podTemplatePath(kind) ?? POD_TEMPLATE;
  let inner: any = template;
  for (let i = path.length - 1; i >= 0; i--) inner = { [path[i]]: inner };
  return { apiVersion, kind, ...inner };
}

/** The init, regular and ephemeral containers of a pod spec (API field names), objects only. */
export function containersOf(spec: any): any[] {
  const out: any[] = [];
  if (typeof spec !== 'object' || spec === null) return out;
  for (const list of CONTAINER_LISTS) {
    const items = hasOwn.call(spec, list) ? spec[list] : undefined;
    if (!Array.isArray(items)) continue;
    for (const c of items) if (typeof c === 'object' && c !== null && !Array.isArray(c)) out.push(c);
  }
  return out;
}

/**
 * Whether kubectl reads an object as a list of objects: it has an `items` member and a kind, whatever
 * the kind (apimachinery's unstructured decoder detects lists by `items` alone; `items: null` is an
 * empty list, `items` that is not a list is refused). kubectl applies the items, never the object.
 */
export function isKubectlList(obj: unknown): boolean {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return false;
  const o = obj as Record<string, unknown>;
  return Object.prototype.hasOwnProperty.call(o, 'items') && typeof o.kind === 'string' && o.kind !== '';
}

/**
 * An item of a list as kubectl sends it: an item with neither kind nor apiVersion (as strings) takes
 * the list's apiVersion and its kind without the `List` suffix (a `PodList` item is a Pod, an item of
 * a `Deployment` with `items` is a Deployment). Sets them on `item` in place.
 */
export function inheritListKind(item: Record<string, unknown>, listKind: unknown, listApiVersion: unknown): void {
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (str(item.kind) !== '' || str(item.apiVersion) !== '') return;
  const kind = str(listKind);
  item.kind = kind.endsWith('List') ? kind.slice(0, -'List'.length) : kind;
  item.apiVersion = str(listApiVersion);
}

/** Whether a kind is a List (`List`, `PodList`, …: kubectl and the API server print lists of objects with `items`). */
export function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && kind.endsWith('List');
}
