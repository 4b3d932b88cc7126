import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { jsonEqual } from '../../policy/json-equal';
import { isKubectlList, isListKind, podBearingKind } from '../../policy/k8s-shapes';

/** The objects of this library's hardened constructs (`RootlessHardening.applyTo` leaves them as they are). */
const HARDENED_OBJECTS = new WeakSet<ApiObject>();

/** Records `obj` as the pod (or workload) of one of this library's hardened constructs (internal/hardening.ts). */
export function markHardenedByConstruct(obj: ApiObject): void {
  HARDENED_OBJECTS.add(obj);
}

/** Whether the object is the pod (or workload) of one of this library's hardened constructs. */
export function isHardenedByConstruct(obj: ApiObject): boolean {
  return HARDENED_OBJECTS.has(obj);
}

/** The permission init container each RootlessStatefulSet (of any cdk8s-plus line) added, by construct. */
const PERMISSION_INIT_CONTAINERS = new WeakMap<IConstruct, string>();

/** Records the root init container a construct added itself (RootlessStatefulSet, VolumePermissions.INIT_CONTAINER). */
export function markPermissionInitContainer(owner: IConstruct, container: string): void {
  PERMISSION_INIT_CONTAINERS.set(owner, container);
}

/** The name of the permission init container `owner` added itself, if it is a construct of this library that did. */
export function permissionInitContainerOf(owner: IConstruct | undefined): string | undefined {
  return owner === undefined ? undefined : PERMISSION_INIT_CONTAINERS.get(owner);
}

/**
 * Internal: one identity index per app, checked at synthesis. `kubectl apply` keys objects by API
 * group, kind, namespace and name: two objects of one identity in one app are one object in the
 * cluster, and whichever is applied last wins (a second Namespace can drop a RestrictedNamespace's
 * labels). Across the app (all charts), each object and each item of a `List` gets the key
 * `group/kind/namespace/name`; the namespace is empty for cluster-scoped kinds, and a namespaced object
 * without one takes its chart's namespace, else `default` (as `kubectl apply` does with the default
 * context).
 *
 * - Two different objects of one identity fail synthesis, naming both construct paths, for Namespaces,
 *   pod-bearing kinds, RBAC objects (Role, ClusterRole, RoleBinding, ClusterRoleBinding) and the
 *   library's admission objects (ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding).
 * - For other kinds they are reported: cdk8s has no warnings API, so the note is construct metadata
 *   (`rootless.cdk8s.io/identity`) on the later object.
 * - Identical duplicates pass, with the same note.
 *
 * Registered by every construct of the library (a validation of the root, added once), so it works
 * for apps that use any of them. Objects are read as cdk8s writes them (`toJson()`: JSON patches
 * included), except the library's own workloads and the objects `applyTo` adopts, which are keyed by
 * their constructed name and namespace (the one verifier checks the one render cdk8s writes of them).
 * See docs/architecture.md.
 */
export class IdentityIndex {
  /** The metadata type of the notes. */
  public static readonly NOTE = 'rootless.cdk8s.io/identity';

  /** Adds the identity check to the root of `scope`'s tree, once per root. */
  public static register(scope: IConstruct): void {
    const root = scope.node.root;
    if (REGISTERED.has(root)) return;
    REGISTERED.add(root);
    root.node.addValidation({ validate: () => IdentityIndex.check(root) });
  }

  /**
   * Keys an object by its constructed name and namespace instead of rendering it: for objects whose
   * rendering verifies them (the ones `RootlessHardening.applyTo` adopts), as for the library's workloads.
   */
  public static keyAsConstructed(obj: ApiObject): void {
    AS_CONSTRUCTED.add(obj);
  }

  /**
   * At serialization, for an object keyed as constructed: when its rendering (JSON patches applied)
   * has another identity than the one it was keyed by, the errors of that identity (a duplicate of an
   * object of the app), and the index learns it. Called by the one verifier (output-verifier.ts) on the
   * render cdk8s writes, for the library's workloads and the objects applyTo adopts.
   */
  public static renamed(obj: ApiObject, rendered: unknown): string[] {
    const r = rendered as any;
    if (typeof r !== 'object' || r === null) return [];
    // the identity as rendered is the one as constructed (the parts of the key are the same strings): nothing to learn
    if (typeof r.kind === 'string' && r.apiVersion === obj.apiVersion && r.kind === obj.kind && typeof r.metadata === 'object' && r.metadata !== null
      && r.metadata.namespace === obj.metadata.namespace && r.metadata.name === obj.name) return [];
    const seen = SEEN.get(obj.node.root);
    if (seen === undefined) return [];
    const was = entryOf(obj, obj.apiVersion, obj.kind, obj.metadata.namespace, obj.name, () => rendered);
    const now = entryOf(obj, r.apiVersion, String(r.kind), r.metadata?.namespace, r.metadata?.name, () => rendered);
    if (was.key === now.key) return [];
    const first = seen.get(now.key);
    if (first === undefined || first.obj === obj) {
      seen.set(now.key, now);
      return [];
    }
    return [`${displayOf(now)} is defined twice: by ${whereOf(first)} and by ${whereOf(now)} (a JSON patch gave it this identity after construction), `
      + 'and they differ: kubectl apply keeps only the one applied last (it is one object in the cluster). '
      + 'Fix: give one of them another name or namespace (name the construct\'s object through its props, not a JSON patch), or remove one of them.'];
  }

  /** The errors of one validation of the tree (notes are added to the objects). */
  private static check(root: IConstruct): string[] {
    const seen = new Map<string, Entry>();
    SEEN.set(root, seen);
    const errors: string[] = [];
    for (const c of root.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      for (const entry of entriesOf(c)) {
        const first = seen.get(entry.key);
        if (first === undefined) {
          seen.set(entry.key, entry);
          continue;
        }
        const same = jsonEqual(first.json(), entry.json());
        const what = `${displayOf(entry)} is defined twice: by ${whereOf(first)} and by ${whereOf(entry)}`;
        if (!same && entry.strict) {
          errors.push(`${what}, and they differ: kubectl apply keeps only the one applied last (it is one object in the cluster). `
            + 'Fix: give one of them another name or namespace, or remove one of them.');
          continue;
        }
        note(entry.obj, `${what}${same ? ' (identical)' : ', and they differ: kubectl apply keeps only the one applied last'}.`);
      }
    }
    return errors;
  }
}

const REGISTERED = new WeakSet<IConstruct>();
/** The identities of the last validation of each root, for `renamed` at serialization. */
const SEEN = new WeakMap<IConstruct, Map<string, Entry>>();
const AS_CONSTRUCTED = new WeakSet<ApiObject>();
const NOTED = new WeakMap<ApiObject, Set<string>>();

function note(obj: ApiObject, text: string): void {
  const notes = NOTED.get(obj) ?? new Set<string>();
  NOTED.set(obj, notes);
  if (notes.has(text)) return;
  notes.add(text);
  obj.node.addMetadata(IdentityIndex.NOTE, text);
}

/** Identities whose duplicates fail synthesis (`group/kind`), besides the pod-bearing kinds. */
const STRICT: ReadonlySet<string> = new Set([
  '/Namespace',
  'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/RoleBinding', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
]);

/** Built-in kinds that are not namespaced (`group/kind`). */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy', 'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'networking.k8s.io/IngressClass',
  'certificates.k8s.io/CertificateSigningRequest', 'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
]);

interface Entry {
  readonly key: string;
  /** Whether a different duplicate fails synthesis. */
  readonly strict: boolean;
  readonly obj: ApiObject;
  readonly json: () => unknown;
  /** What names it in a message (`displayOf`, `whereOf`), spelled only then. */
  readonly kind: string;
  readonly group: string;
  readonly ns: string;
  readonly name: unknown;
  /** Its index in the object's List, for an item. */
  readonly item?: number;
}

/** The identity as a message names it: `Deployment default/web (apps)`. */
function displayOf(e: Entry): string {
  return `${e.kind} ${e.ns === '' ? '' : `${e.ns}/`}${String(e.name)}${e.group === '' ? '' : ` (${e.group})`}`;
}

/** Who defines it, as a message names it: `construct app/web`, `construct app/list (items[0])`. */
function whereOf(e: Entry): string {
  return `construct ${constructPath(e.obj)}${e.item === undefined ? '' : ` (items[${e.item}])`}`;
}

function groupOf(apiVersion: unknown): string {
  return typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** The identities an object defines: itself, or the items of a List (rendered only then). */
function entriesOf(obj: ApiObject): Entry[] {
  if (isHardenedByConstruct(obj) || (AS_CONSTRUCTED.has(obj) && !isListKind(obj.kind))) {
    // the library's workloads and adopted objects: their name and namespace as constructed (rendering them would verify them again)
    return [entryOf(obj, obj.apiVersion, obj.kind, obj.metadata.namespace, obj.name, () => render(obj))];
  }
  // every other object as cdk8s writes it (a JSON patch may rename it)
  const rendered = render(obj) as any;
  if (typeof rendered !== 'object' || rendered === null) return [];
  if (!isKubectlList(rendered)) {
    return [entryOf(obj, rendered.apiVersion, String(rendered.kind), rendered.metadata?.namespace, rendered.metadata?.name, () => rendered)];
  }
  const list = rendered as { items?: unknown };
  const items = Array.isArray(list?.items) ? list.items : [];
  return items.flatMap((item: any, i: number) => typeof item === 'object' && item !== null && typeof item.kind === 'string'
    ? [entryOf(obj, item.apiVersion, item.kind, item.metadata?.namespace, item.metadata?.name, () => item, i)]
    : []);
}

/**
 * One identity. A namespaced object without a namespace takes its chart's (cdk8s writes it), else
 * `default`; a List item gets no chart namespace from cdk8s, so kubectl puts it in `default`.
 */
function entryOf(obj: ApiObject, apiVersion: unknown, kind: string, namespace: unknown, name: unknown, json: () => unknown, item?: number): Entry {
  const group = groupOf(apiVersion);
  const groupKind = `${group}/${kind}`;
  const ns = CLUSTER_SCOPED.has(groupKind) ? '' : typeof namespace === 'string' && namespace !== '' ? namespace
    : (item !== undefined ? undefined : Chart.of(obj).namespace) ?? 'default';
  const strict = STRICT.has(groupKind) || podBearingKind(kind) !== undefined;
  return { key: `${groupKind}/${ns}/${String(name)}`, strict, obj, json, kind, group, ns, name, item };
}

function render(obj: ApiObject): unknown {
  try {
    return obj.toJson();
  } catch {
    return undefined; // the object's own validation reports why it cannot be rendered
  }
}

/** The path of the construct that owns an ApiObject (cdk8s-plus resources name theirs "Resource"). */
function constructPath(obj: IConstruct): string {
  const scope = obj.node.scope;
  return obj.node.id === 'Resource' && scope ? scope.node.path : obj.node.path;
}

