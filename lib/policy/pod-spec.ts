/**
 * Internal: extraction of the pod template ({ metadata, spec }) from a manifest,
 * read into a small typed model that the checks can trust.
 *
 * The reader never throws on input: a field of the wrong type is recorded as an
 * issue ("spec.containers[1] is not an object") and then treated as unset, so the
 * checks still evaluate everything else. `null` is treated as unset, as the
 * Kubernetes decoder does. Only the fields some check reads are validated.
 *
 * Not part of the public (jsii) API: free functions and type aliases are fine here.
 */

/** `seccompProfile` / `appArmorProfile`; `type` is '' when unset (upstream's zero value). */
export interface Profile {
  readonly type: string;
}

export interface SELinuxOptions {
  readonly type: string;
  readonly user: string;
  readonly role: string;
}

export interface Capabilities {
  readonly add: string[];
  readonly drop: string[];
}

/** Pod- or container-level security context (each level reads only its own fields). */
export interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly seccompProfile?: Profile;
  readonly appArmorProfile?: Profile;
  readonly seLinuxOptions?: SELinuxOptions;
  readonly windowsHostProcess?: boolean;
  // container level only
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
  readonly capabilities?: Capabilities;
  readonly procMount?: string;
  // pod level only
  readonly sysctls?: string[];
}

/** A probe or lifecycle handler, reduced to the host fields. */
export interface HostHandler {
  readonly httpGetHost?: string;
  readonly tcpSocketHost?: string;
}

export interface Container {
  /** The container name (or its path when the name is missing). */
  readonly name: string;
  readonly securityContext?: SecurityContext;
  readonly hostPorts: number[];
  readonly probes: HostHandler[];
  readonly lifecycleHandlers: HostHandler[];
}

export interface Volume {
  readonly name: string;
  /** The volume source keys set (e.g. ['hostPath']); ['emptyDir'] when none (API defaulting). */
  readonly sources: string[];
}

export interface PodSpec {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly hostUsers?: boolean;
  readonly osName?: string;
  readonly securityContext?: SecurityContext;
  readonly volumes: Volume[];
  readonly initContainers: Container[];
  readonly containers: Container[];
  readonly ephemeralContainers: Container[];
  /** Init, regular and ephemeral containers, in upstream's visiting order (computed once). */
  readonly allContainers: Container[];
}

export interface PodMetadata {
  readonly annotations: ReadonlyMap<string, string>;
}

export interface PodModel {
  readonly metadata: PodMetadata;
  readonly spec: PodSpec;
}

export interface Extraction {
  /** False when the object carries no pod template. */
  readonly applicable: boolean;
  /** The pod template, when it could be read at all. */
  readonly pod?: PodModel;
  /** What is malformed, with its path; empty when well formed. */
  readonly issues: string[];
}

interface Workload {
  /** API groups the kind is served from ('' is the core group). */
  readonly groups: string[];
  /** Path from the manifest to the pod template ([] for a Pod). */
  readonly template: string[];
}

const podTemplate = ['spec', 'template'];
const WORKLOADS = new Map<string, Workload>([
  ['Pod', { groups: [''], template: [] }],
  ['PodTemplate', { groups: [''], template: ['template'] }],
  ['ReplicationController', { groups: [''], template: podTemplate }],
  ['ReplicaSet', { groups: ['apps', 'extensions'], template: podTemplate }],
  ['Deployment', { groups: ['apps', 'extensions'], template: podTemplate }],
  ['DaemonSet', { groups: ['apps', 'extensions'], template: podTemplate }],
  ['StatefulSet', { groups: ['apps'], template: podTemplate }],
  ['Job', { groups: ['batch'], template: podTemplate }],
  ['CronJob', { groups: ['batch'], template: ['spec', 'jobTemplate', 'spec', 'template'] }],
]);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property (never an inherited one); most fields the reader asks for are absent, which needs one lookup. */
function get(o: Json, key: string): unknown {
  const v = o[key];
  return v !== undefined && Object.prototype.hasOwnProperty.call(o, key) ? v : undefined;
}

/**
 * A field path (`spec.containers[1].securityContext`), turned into text only when an issue is
 * recorded: the reader runs for every object the CLI audits, and building path strings eagerly
 * was a large part of its cost.
 */
class FieldPath {
  public static of(path: string): FieldPath {
    return new FieldPath(undefined, path);
  }

  private constructor(private readonly parent: FieldPath | undefined, private readonly segment: string | number) {}

  public key(key: string): FieldPath {
    return new FieldPath(this, key);
  }

  public index(i: number): FieldPath {
    return new FieldPath(this, i);
  }

  public toString(): string {
    if (this.parent === undefined) return String(this.segment);
    const parent = this.parent.toString();
    if (typeof this.segment === 'number') return `${parent}[${this.segment}]`;
    return parent ? `${parent}.${this.segment}` : this.segment;
  }
}

/**
 * Linux-only securityContext fields the checks read, which the API refuses on Windows pods
 * ("cannot be set when spec.os.name is windows"). Upstream's Windows exemptions (v1.25+)
 * rely on that validation, so a Windows pod setting them is malformed here.
 */
const LINUX_ONLY = {
  pod: ['runAsUser', 'seccompProfile', 'appArmorProfile', 'seLinuxOptions', 'sysctls'],
  container: ['runAsUser', 'seccompProfile', 'appArmorProfile', 'seLinuxOptions', 'allowPrivilegeEscalation', 'privileged', 'capabilities', 'procMount'],
};

/**
 * Reads one item of a list (see Reader.list). Module-level functions taking the reader,
 * rather than closures over it, so reading a pod allocates no functions.
 */
type ItemReader<T> = (reader: Reader, v: unknown, path: FieldPath) => T | undefined;

/** Typed field access that records type mismatches instead of throwing. */
class Reader {
  readonly issues: string[] = [];
  /** Set while reading a Windows pod spec: the path of its spec.os.name. */
  private windowsOsPath: FieldPath | undefined;

  bad(path: FieldPath, what: string): undefined {
    this.issues.push(`${path} ${what}`);
    return undefined;
  }

  object(o: Json | undefined, key: string, path: FieldPath): Json | undefined {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return undefined;
    return isObject(v) ? v : this.bad(path.key(key), 'is not an object');
  }

  bool(o: Json | undefined, key: string, path: FieldPath): boolean | undefined {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.bad(path.key(key), 'is not a boolean');
  }

  string(o: Json | undefined, key: string, path: FieldPath): string | undefined {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.bad(path.key(key), 'is not a string');
  }

  integer(o: Json | undefined, key: string, path: FieldPath): number | undefined {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return undefined;
    return Number.isInteger(v) ? v as number : this.bad(path.key(key), 'is not an integer');
  }

  /** A list whose items are read by `item`; items it cannot read are dropped. */
  list<T>(o: Json | undefined, key: string, path: FieldPath, item: ItemReader<T>): T[] {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.bad(path.key(key), 'is not an array');
      return [];
    }
    const listPath = path.key(key);
    const out: T[] = [];
    for (let i = 0; i < v.length; i++) {
      const read = item(this, v[i], listPath.index(i));
      if (read !== undefined) out.push(read);
    }
    return out;
  }

  stringItem(v: unknown, path: FieldPath): string | undefined {
    return typeof v === 'string' ? v : this.bad(path, 'is not a string');
  }

  objectItem(v: unknown, path: FieldPath): Json | undefined {
    return isObject(v) ? v : this.bad(path, 'is not an object');
  }

  /** A string the API requires: missing or empty is recorded too. */
  requiredString(o: Json, key: string, path: FieldPath): string | undefined {
    const v = get(o, key);
    if (v == null) return this.bad(path.key(key), 'is missing');
    return v === '' ? this.bad(path.key(key), 'is empty') : this.string(o, key, path);
  }

  profile(o: Json | undefined, key: string, path: FieldPath): Profile | undefined {
    const p = this.object(o, key, path);
    return p && { type: this.string(p, 'type', path.key(key)) ?? '' };
  }

  securityContext(o: Json | undefined, path: FieldPath, level: 'pod' | 'container'): SecurityContext | undefined {
    const sc = this.object(o, 'securityContext', path);
    if (sc === undefined) return undefined;
    const p = path.key('securityContext');
    if (this.windowsOsPath !== undefined) {
      for (const key of LINUX_ONLY[level].filter(k => get(sc, k) != null)) {
        this.bad(p.key(key), `cannot be set when ${this.windowsOsPath} is windows`);
      }
    }
    const se = this.object(sc, 'seLinuxOptions', p);
    const runAsNonRoot = this.bool(sc, 'runAsNonRoot', p);
    const runAsUser = this.integer(sc, 'runAsUser', p);
    const seccompProfile = this.profile(sc, 'seccompProfile', p);
    const appArmorProfile = this.profile(sc, 'appArmorProfile', p);
    const seLinuxOptions = se && {
      type: this.string(se, 'type', p.key('seLinuxOptions')) ?? '',
      user: this.string(se, 'user', p.key('seLinuxOptions')) ?? '',
      role: this.string(se, 'role', p.key('seLinuxOptions')) ?? '',
    };
    const windowsOptions = this.object(sc, 'windowsOptions', p);
    const windowsHostProcess = windowsOptions && this.bool(windowsOptions, 'hostProcess', p.key('windowsOptions'));
    if (level === 'pod') {
      const sysctls = this.list(sc, 'sysctls', p, readSysctlName);
      return { runAsNonRoot, runAsUser, seccompProfile, appArmorProfile, seLinuxOptions, windowsHostProcess, sysctls };
    }
    const allowPrivilegeEscalation = this.bool(sc, 'allowPrivilegeEscalation', p);
    const privileged = this.bool(sc, 'privileged', p);
    const procMount = this.string(sc, 'procMount', p);
    const caps = this.object(sc, 'capabilities', p);
    const capsPath = caps && p.key('capabilities');
    const capabilities = caps && capsPath && {
      add: this.list(caps, 'add', capsPath, readString),
      drop: this.list(caps, 'drop', capsPath, readString),
    };
    return {
      runAsNonRoot,
      runAsUser,
      seccompProfile,
      appArmorProfile,
      seLinuxOptions,
      windowsHostProcess,
      allowPrivilegeEscalation,
      privileged,
      procMount,
      capabilities,
    };
  }

  /** Adds the handler at `o[key]`, reduced to its host fields, to `out`. */
  handler(o: Json | undefined, key: string, path: FieldPath, out: HostHandler[]): void {
    const h = this.object(o, key, path);
    if (h === undefined) return;
    const p = path.key(key);
    const httpGet = this.object(h, 'httpGet', p);
    const tcpSocket = this.object(h, 'tcpSocket', p);
    out.push({
      httpGetHost: httpGet && this.string(httpGet, 'host', p.key('httpGet')),
      tcpSocketHost: tcpSocket && this.string(tcpSocket, 'host', p.key('tcpSocket')),
    });
  }

  container(v: unknown, path: FieldPath): Container | undefined {
    const c = this.objectItem(v, path);
    if (c === undefined) return undefined;
    const name = this.requiredString(c, 'name', path);
    const securityContext = this.securityContext(c, path, 'container');
    const hostPorts = this.list(c, 'ports', path, readHostPort);
    const probes: HostHandler[] = [];
    for (const k of PROBES) this.handler(c, k, path, probes);
    const lifecycleHandlers: HostHandler[] = [];
    const lifecycle = this.object(c, 'lifecycle', path);
    if (lifecycle !== undefined) {
      for (const k of LIFECYCLE_HANDLERS) this.handler(lifecycle, k, path.key('lifecycle'), lifecycleHandlers);
    }
    return { name: name || String(path), securityContext, hostPorts, probes, lifecycleHandlers };
  }

  volume(v: unknown, path: FieldPath): Volume | undefined {
    const vol = this.objectItem(v, path);
    if (vol === undefined) return undefined;
    const sources: string[] = [];
    for (const k of Object.keys(vol)) {
      if (k !== 'name' && vol[k] !== undefined && vol[k] !== null) sources.push(k);
    }
    if (sources.length > 1) this.bad(path, `sets more than one volume source (${sources.join(', ')})`);
    return {
      name: this.requiredString(vol, 'name', path) || String(path),
      sources: sources.length > 0 ? sources : ['emptyDir'],
    };
  }

  podSpec(spec: Json, path: FieldPath): PodSpec {
    if (get(spec, 'containers') == null) this.bad(path.key('containers'), 'is missing');
    const osName = this.string(this.object(spec, 'os', path), 'name', path.key('os'));
    this.windowsOsPath = osName === 'windows' ? path.key('os').key('name') : undefined;
    // Fields are read in this order so that issues are reported in field order.
    const hostNetwork = this.bool(spec, 'hostNetwork', path);
    const hostPID = this.bool(spec, 'hostPID', path);
    const hostIPC = this.bool(spec, 'hostIPC', path);
    const hostUsers = this.bool(spec, 'hostUsers', path);
    const securityContext = this.securityContext(spec, path, 'pod');
    const volumes = this.list(spec, 'volumes', path, readVolume);
    const initContainers = this.list(spec, 'initContainers', path, readContainer);
    const containers = this.list(spec, 'containers', path, readContainer);
    const ephemeralContainers = this.list(spec, 'ephemeralContainers', path, readContainer);
    return {
      hostNetwork,
      hostPID,
      hostIPC,
      hostUsers,
      osName,
      securityContext,
      volumes,
      initContainers,
      containers,
      ephemeralContainers,
      allContainers: initContainers.length === 0 && ephemeralContainers.length === 0
        ? containers
        : [...initContainers, ...containers, ...ephemeralContainers],
    };
  }

  metadata(template: Json, path: FieldPath): PodMetadata {
    const p = path.key('metadata');
    const a = this.object(this.object(template, 'metadata', path), 'annotations', p);
    if (a === undefined) return NO_METADATA; // most pod templates have no annotations
    const annotations = new Map<string, string>();
    for (const [k, v] of Object.entries(a)) {
      if (typeof v === 'string') annotations.set(k, v);
      else this.bad(p.key(`annotations[${JSON.stringify(k)}]`), 'is not a string');
    }
    return { annotations };
  }
}

const readString: ItemReader<string> = (r, v, path) => r.stringItem(v, path);
const readContainer: ItemReader<Container> = (r, v, path) => r.container(v, path);
const readVolume: ItemReader<Volume> = (r, v, path) => r.volume(v, path);
const readSysctlName: ItemReader<string> = (r, v, path) => {
  const s = r.objectItem(v, path);
  return s && r.requiredString(s, 'name', path);
};
const readHostPort: ItemReader<number> = (r, v, path) => {
  const port = r.objectItem(v, path);
  return port && r.integer(port, 'hostPort', path);
};

/** The metadata of a pod template without annotations (shared: read-only). */
const NO_METADATA: PodMetadata = { annotations: new Map() };

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
const LIFECYCLE_HANDLERS = ['postStart', 'preStop'];

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

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
  const workload = WORKLOADS.get(kind);
  const apiVersion = get(manifest, 'apiVersion');
  const group = typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (workload === undefined || (typeof apiVersion === 'string' && !workload.groups.includes(group))) {
    return { applicable: false, issues: [] };
  }

  const reader = new Reader();
  let template: Json = manifest;
  const walked: string[] = [];
  for (const key of workload.template) {
    walked.push(key);
    const next = get(template, key);
    if (!isObject(next)) {
      const what = next == null ? 'is missing' : 'is not an object';
      return { applicable: true, issues: [`${walked.join('.')} ${what}`] };
    }
    template = next;
  }
  const path = FieldPath.of(walked.join('.'));
  const specPath = path.key('spec');
  const spec = get(template, 'spec');
  if (!isObject(spec)) {
    return { applicable: true, issues: [`${specPath} ${spec == null ? 'is missing' : 'is not an object'}`] };
  }
  const pod: PodModel = { metadata: reader.metadata(template, path), spec: reader.podSpec(spec, specPath) };
  return { applicable: true, pod, issues: reader.issues };
}
