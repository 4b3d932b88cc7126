/**
 * Internal: extraction of the pod template ({ metadata, spec }) from a manifest.
 *
 * The model the checks read is the Kubernetes JSON itself (the fields below are named and
 * nested as in the API, as upstream's checks read the Go PodSpec), validated against a
 * small schema of the fields some check reads:
 *
 * - A well-formed template is handed to the checks as it is: validating it allocates
 *   nothing (an audit validates every object it reads, mostly before the JIT has optimized
 *   this code; building a copy of every pod was most of the engine's cost).
 * - A field of the wrong type is recorded as an issue ("spec.containers[1] is not an
 *   object") and then treated as unset, so the checks still evaluate everything else:
 *   the checks get a copy of the template without it (copy-on-write, only along the path
 *   to the field). `null` is unset, as the Kubernetes decoder treats it, and is dropped
 *   from the copy the same way (without an issue). Inherited properties are never read.
 *
 * After extraction the checks may rely on the types below: every field is either absent
 * (`undefined`) or of its declared type, list items are well formed, and every container
 * and volume has a name (its path when the manifest gave none).
 *
 * Never throws on input. Not part of the public (jsii) API: free functions and type
 * aliases are fine here.
 */
import { POD_BEARING_KINDS } from './k8s-shapes';

/** `seccompProfile` / `appArmorProfile` (a missing type reads as '', upstream's zero value). */
export interface Profile {
  readonly type?: string;
}

export interface SELinuxOptions {
  readonly type?: string;
  readonly user?: string;
  readonly role?: string;
}

export interface Capabilities {
  readonly add?: readonly string[];
  readonly drop?: readonly string[];
}

export interface Sysctl {
  readonly name: string;
}

/** Pod- or container-level security context (each level has only its own fields). */
export interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly seccompProfile?: Profile;
  readonly appArmorProfile?: Profile;
  readonly seLinuxOptions?: SELinuxOptions;
  readonly windowsOptions?: { readonly hostProcess?: boolean };
  // container level only
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
  readonly capabilities?: Capabilities;
  readonly procMount?: string;
  // pod level only
  readonly sysctls?: readonly Sysctl[];
}

/** A probe or lifecycle handler, as far as the checks read it (its host fields). */
export interface HostHandler {
  readonly httpGet?: { readonly host?: string };
  readonly tcpSocket?: { readonly host?: string };
}

export interface ContainerPort {
  readonly hostPort?: number;
}

export interface Container {
  /** The container name (its path when the manifest gave none). */
  readonly name: string;
  readonly securityContext?: SecurityContext;
  readonly ports?: readonly ContainerPort[];
  readonly livenessProbe?: HostHandler;
  readonly readinessProbe?: HostHandler;
  readonly startupProbe?: HostHandler;
  readonly lifecycle?: { readonly postStart?: HostHandler; readonly preStop?: HostHandler };
}

/** A volume: its name and one volume source key (see `volumeSources`). */
export interface Volume {
  /** The volume name (its path when the manifest gave none). */
  readonly name: string;
  readonly [source: string]: unknown;
}

export interface PodSpec {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly hostUsers?: boolean;
  readonly os?: { readonly name?: string };
  readonly securityContext?: SecurityContext;
  readonly volumes?: readonly Volume[];
  readonly initContainers?: readonly Container[];
  readonly containers?: readonly Container[];
  readonly ephemeralContainers?: readonly Container[];
}

export interface PodMetadata {
  readonly annotations?: { readonly [key: string]: string };
}

export interface PodModel {
  readonly metadata: PodMetadata;
  readonly spec: PodSpec;
  /** Init, regular and ephemeral containers, in upstream's visiting order (computed once). */
  readonly allContainers: readonly Container[];
}

export interface Extraction {
  /** False when the object carries no pod template. */
  readonly applicable: boolean;
  /** The pod template, when it could be read at all. */
  readonly pod?: PodModel;
  /** What is malformed, with its path; empty when well formed. */
  readonly issues: string[];
}

/** The volume source keys a volume sets (e.g. ['hostPath']); ['emptyDir'] when none (API defaulting). */
export function volumeSources(volume: Volume): string[] {
  const sources: string[] = [];
  const keys = Object.keys(volume);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k !== 'name' && volume[k] !== undefined && volume[k] !== null) sources.push(k);
  }
  return sources.length > 0 ? sources : ['emptyDir'];
}

// ---------------------------------------------------------------------------------------------
// The schema: the fields some check reads, in the order issues are reported.

type Json = Record<string, unknown>;

enum Kind { BOOLEAN, INTEGER, STRING, OBJECT, LIST, STRING_MAP }

interface Schema {
  readonly kind: Kind;
  /** OBJECT: its fields. */
  readonly fields?: readonly Field[];
  /** LIST: its items (an item that is not valid is dropped). */
  readonly item?: Schema;
  /** OBJECT: Linux-only fields, refused (as the API does) when the pod's os.name is windows. */
  readonly linuxOnly?: readonly string[];
  /** OBJECT: a volume (at most one volume source). */
  readonly volume?: boolean;
}

interface Field {
  readonly key: string;
  readonly schema: Schema;
  /**
   * The API requires it (a missing or empty value is an issue). `path`: the object is kept
   * and the field set to the object's path (names); `drop`: the object is dropped from its list.
   */
  readonly required?: 'path' | 'drop';
}

const BOOLEAN: Schema = { kind: Kind.BOOLEAN };
const INTEGER: Schema = { kind: Kind.INTEGER };
const STRING: Schema = { kind: Kind.STRING };
const object = (fields: Field[], more: Partial<Schema> = {}): Schema => ({ kind: Kind.OBJECT, fields, ...more });
const list = (item: Schema): Schema => ({ kind: Kind.LIST, item });
const field = (key: string, schema: Schema, required?: 'path' | 'drop'): Field => ({ key, schema, required });

const PROFILE = object([field('type', STRING)]);
const COMMON_SECURITY_CONTEXT = [
  field('runAsNonRoot', BOOLEAN),
  field('runAsUser', INTEGER),
  field('seccompProfile', PROFILE),
  field('appArmorProfile', PROFILE),
  field('seLinuxOptions', object([field('type', STRING), field('user', STRING), field('role', STRING)])),
  field('windowsOptions', object([field('hostProcess', BOOLEAN)])),
];
const POD_SECURITY_CONTEXT = object([
  ...COMMON_SECURITY_CONTEXT,
  field('sysctls', list(object([field('name', STRING, 'drop')]))),
], { linuxOnly: ['runAsUser', 'seccompProfile', 'appArmorProfile', 'seLinuxOptions', 'sysctls'] });
const CONTAINER_SECURITY_CONTEXT = object([
  ...COMMON_SECURITY_CONTEXT,
  field('allowPrivilegeEscalation', BOOLEAN),
  field('privileged', BOOLEAN),
  field('procMount', STRING),
  field('capabilities', object([field('add', list(STRING)), field('drop', list(STRING))])),
], { linuxOnly: ['runAsUser', 'seccompProfile', 'appArmorProfile', 'seLinuxOptions', 'allowPrivilegeEscalation', 'privileged', 'capabilities', 'procMount'] });
const HANDLER = object([field('httpGet', object([field('host', STRING)])), field('tcpSocket', object([field('host', STRING)]))]);
const CONTAINER = object([
  field('name', STRING, 'path'),
  field('securityContext', CONTAINER_SECURITY_CONTEXT),
  field('ports', list(object([field('hostPort', INTEGER)]))),
  field('livenessProbe', HANDLER),
  field('readinessProbe', HANDLER),
  field('startupProbe', HANDLER),
  field('lifecycle', object([field('postStart', HANDLER), field('preStop', HANDLER)])),
]);
const CONTAINERS = list(CONTAINER);
const POD_SPEC = object([
  field('os', object([field('name', STRING)])),
  field('hostNetwork', BOOLEAN),
  field('hostPID', BOOLEAN),
  field('hostIPC', BOOLEAN),
  field('hostUsers', BOOLEAN),
  field('securityContext', POD_SECURITY_CONTEXT),
  field('volumes', list(object([field('name', STRING, 'path')], { volume: true }))),
  field('initContainers', CONTAINERS),
  field('containers', CONTAINERS),
  field('ephemeralContainers', CONTAINERS),
]);
const METADATA = object([field('annotations', { kind: Kind.STRING_MAP })]);

// ---------------------------------------------------------------------------------------------
// The validator

/** What `clean` returns for a value that is not valid (the field is then unset, the list item dropped). */
const INVALID = Symbol('invalid');

/**
 * State of one extraction: the issues found, and the path being validated as a stack of
 * segments (field names, list indexes), turned into text only when an issue is recorded:
 * validating a pod allocates no path objects.
 */
class Validation {
  readonly issues: string[] = [];
  /** Set while validating a Windows pod spec: the path of its spec.os.name. */
  windowsOsPath: string | undefined = undefined;
  private readonly segments: Array<string | number> = [];

  /** @param root the path of the pod template (`spec.template`, '' for a Pod) */
  constructor(private readonly root: string) {}

  enter(segment: string | number): void {
    this.segments.push(segment);
  }

  leave(): void {
    this.segments.pop();
  }

  /** The current path as text (`spec.template.spec.containers[1]`), plus `segment` when given. */
  path(segment?: string | number): string {
    let text = this.root;
    for (let i = 0; i < this.segments.length; i++) text = append(text, this.segments[i]);
    return segment === undefined ? text : append(text, segment);
  }

  /** Records an issue at the current path (or its `segment`); returns INVALID. */
  bad(what: string, segment?: string | number): typeof INVALID {
    this.issues.push(`${this.path(segment)} ${what}`);
    return INVALID;
  }
}

function append(path: string, segment: string | number): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  return path ? `${path}.${segment}` : segment;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The valid form of `v`, the value at `segment` of the current path (`v` itself when it is
 * valid throughout, else a copy without what is not), or INVALID. `v` is neither undefined nor null.
 */
function clean(v: unknown, schema: Schema, segment: string | number, state: Validation): unknown {
  switch (schema.kind) {
    case Kind.BOOLEAN:
      return typeof v === 'boolean' ? v : state.bad('is not a boolean', segment);
    case Kind.INTEGER:
      return Number.isInteger(v) ? v : state.bad('is not an integer', segment);
    case Kind.STRING:
      return typeof v === 'string' ? v : state.bad('is not a string', segment);
    case Kind.LIST:
      if (!Array.isArray(v)) return state.bad('is not an array', segment);
      break;
    default:
      if (!isObject(v)) return state.bad('is not an object', segment);
  }
  state.enter(segment);
  const cleaned = schema.kind === Kind.LIST
    ? cleanList(v as unknown[], schema.item!, state)
    : schema.kind === Kind.OBJECT ? cleanObject(v as Json, schema, state) : cleanStringMap(v as Json, state);
  state.leave();
  return cleaned;
}

function cleanObject(o: Json, schema: Schema, state: Validation): Json | typeof INVALID {
  if (state.windowsOsPath !== undefined && schema.linuxOnly !== undefined) {
    for (const key of schema.linuxOnly) {
      if (hasOwn.call(o, key) && o[key] != null) state.bad(`cannot be set when ${state.windowsOsPath} is windows`, key);
    }
  }
  let copy: Json | undefined;
  const fields = schema.fields!;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const raw = o[f.key];
    let value: unknown;
    if (raw === undefined || raw === null || !hasOwn.call(o, f.key)) {
      if (f.required !== undefined) value = state.bad('is missing', f.key);
      else if (raw === undefined) continue; // absent: the common case
      else value = undefined; // null or inherited: unset
    } else if (f.required !== undefined && raw === '') {
      value = state.bad('is empty', f.key);
    } else {
      value = clean(raw, f.schema, f.key, state);
    }
    if (value === raw) continue;
    if (value === INVALID && f.required === 'drop') return INVALID;
    copy ??= { ...o };
    copy[f.key] = value === INVALID ? (f.required === 'path' ? state.path() : undefined) : value;
  }
  if (schema.volume) {
    const sources = volumeSources(o as Volume);
    if (sources.length > 1) state.bad(`sets more than one volume source (${sources.join(', ')})`);
  }
  return copy ?? o;
}

function cleanList(items: unknown[], item: Schema, state: Validation): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const raw = items[i];
    const value = raw === undefined || raw === null
      ? state.bad(`is not ${item.kind === Kind.STRING ? 'a string' : 'an object'}`, i)
      : clean(raw, item, i, state);
    if (value === raw) {
      copy?.push(raw);
      continue;
    }
    copy ??= items.slice(0, i);
    if (value !== INVALID) copy.push(value);
  }
  return copy ?? items;
}

function cleanStringMap(o: Json, state: Validation): Json {
  let copy: Json | undefined;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    if (typeof o[keys[i]] === 'string') continue;
    state.issues.push(`${state.path()}[${JSON.stringify(keys[i])}] is not a string`);
    copy ??= { ...o };
    delete copy[keys[i]];
  }
  return copy ?? o;
}

// ---------------------------------------------------------------------------------------------
// Extraction

interface Workload {
  /** API groups the kind is served from ('' is the core group). */
  readonly groups: readonly string[];
  /** Path from the manifest to the pod template ([] for a Pod). */
  readonly template: readonly string[];
  /** `template` as text (computed once per kind, not per object). */
  readonly templatePath: string;
}

/** The pod-bearing kinds (k8s-shapes.ts), with their template paths as text computed once. */
const WORKLOADS = new Map<string, Workload>(POD_BEARING_KINDS.map(k =>
  [k.kind, { groups: k.groups, template: k.templatePath, templatePath: k.templatePath.join('.') }]));

/** An own property (never an inherited one). */
function get(o: Json, key: string): unknown {
  const v = o[key];
  return v !== undefined && hasOwn.call(o, key) ? v : undefined;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const NO_CONTAINERS: readonly Container[] = [];
/** The metadata of a pod template without any (shared: the checks never modify the model). */
const NO_METADATA: PodMetadata = {};

/**
 * Extracts the pod template of a Pod, a workload (Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job, CronJob) or a PodTemplate.
 * Any other kind is not applicable. Never throws.
 */
export function podSpecOf(manifest: unknown): Extraction {
  if (!isObject(manifest)) {
    return { applicable: true, issues: [`manifest is not an object (got ${describeValue(manifest)})`] };
  }
  const kind = get(manifest, 'kind');
  if (typeof kind !== 'string') {
    return { applicable: true, issues: [kind == null ? 'kind is missing' : 'kind is not a string'] };
  }
  const w = WORKLOADS.get(kind);
  const apiVersion = get(manifest, 'apiVersion');
  if (w === undefined) return { applicable: false, issues: [] };
  if (typeof apiVersion === 'string') {
    const slash = apiVersion.indexOf('/');
    if (!w.groups.includes(slash === -1 ? '' : apiVersion.slice(0, slash))) return { applicable: false, issues: [] };
  }

  let template: Json = manifest;
  for (let i = 0; i < w.template.length; i++) {
    const next = get(template, w.template[i]);
    if (!isObject(next)) {
      const what = next == null ? 'is missing' : 'is not an object';
      return { applicable: true, issues: [`${w.template.slice(0, i + 1).join('.')} ${what}`] };
    }
    template = next;
  }
  const rawSpec = get(template, 'spec');
  if (!isObject(rawSpec)) {
    return { applicable: true, issues: [`${append(w.templatePath, 'spec')} ${rawSpec == null ? 'is missing' : 'is not an object'}`] };
  }

  const state = new Validation(w.templatePath);
  const rawMetadata = get(template, 'metadata');
  const metadata = rawMetadata == null ? NO_METADATA : clean(rawMetadata, METADATA, 'metadata', state);
  state.enter('spec');
  if (get(rawSpec, 'containers') == null) state.bad('is missing', 'containers');
  const os = get(rawSpec, 'os');
  if (isObject(os) && get(os, 'name') === 'windows') state.windowsOsPath = `${state.path('os')}.name`;
  const spec = cleanObject(rawSpec, POD_SPEC, state) as PodSpec;
  const containers = spec.containers ?? NO_CONTAINERS;
  const pod: PodModel = {
    metadata: metadata === INVALID ? NO_METADATA : metadata as PodMetadata,
    spec,
    allContainers: spec.initContainers === undefined && spec.ephemeralContainers === undefined
      ? containers
      : [...spec.initContainers ?? NO_CONTAINERS, ...containers, ...spec.ephemeralContainers ?? NO_CONTAINERS],
  };
  return { applicable: true, pod, issues: state.issues };
}
