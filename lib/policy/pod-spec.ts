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
  readonly annotations: Map<string, string>;
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

function get(o: Json, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
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

/** Typed field access that records type mismatches instead of throwing. */
class Reader {
  readonly issues: string[] = [];
  /** Set while reading a Windows pod spec: the path of its spec.os.name. */
  private windowsOsPath: string | undefined;

  bad(path: string, what: string): undefined {
    this.issues.push(`${path} ${what}`);
    return undefined;
  }

  object(o: Json | undefined, key: string, path: string): Json | undefined {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return undefined;
    return isObject(v) ? v : this.bad(at(path, key), 'is not an object');
  }

  bool(o: Json | undefined, key: string, path: string): boolean | undefined {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.bad(at(path, key), 'is not a boolean');
  }

  string(o: Json | undefined, key: string, path: string): string | undefined {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.bad(at(path, key), 'is not a string');
  }

  integer(o: Json | undefined, key: string, path: string): number | undefined {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return undefined;
    return Number.isInteger(v) ? v as number : this.bad(at(path, key), 'is not an integer');
  }

  /** A list whose items are read by `item`; items it cannot read are dropped. */
  list<T>(o: Json | undefined, key: string, path: string, item: (v: unknown, path: string) => T | undefined): T[] {
    const v = o === undefined ? undefined : get(o, key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.bad(at(path, key), 'is not an array');
      return [];
    }
    const out: T[] = [];
    v.forEach((x, i) => {
      const read = item(x, `${path}.${key}[${i}]`);
      if (read !== undefined) out.push(read);
    });
    return out;
  }

  stringItem = (v: unknown, path: string): string | undefined =>
    typeof v === 'string' ? v : this.bad(path, 'is not a string');

  objectItem = (v: unknown, path: string): Json | undefined =>
    isObject(v) ? v : this.bad(path, 'is not an object');

  /** A string the API requires: missing or empty is recorded too. */
  requiredString(o: Json, key: string, path: string): string | undefined {
    const v = get(o, key);
    if (v == null) return this.bad(at(path, key), 'is missing');
    return v === '' ? this.bad(at(path, key), 'is empty') : this.string(o, key, path);
  }

  profile(o: Json | undefined, key: string, path: string): Profile | undefined {
    const p = this.object(o, key, path);
    return p && { type: this.string(p, 'type', `${path}.${key}`) ?? '' };
  }

  securityContext(o: Json | undefined, path: string, level: 'pod' | 'container'): SecurityContext | undefined {
    const sc = this.object(o, 'securityContext', path);
    if (sc === undefined) return undefined;
    const p = `${path}.securityContext`;
    if (this.windowsOsPath !== undefined) {
      for (const key of LINUX_ONLY[level].filter(k => get(sc, k) != null)) {
        this.bad(`${p}.${key}`, `cannot be set when ${this.windowsOsPath} is windows`);
      }
    }
    const se = this.object(sc, 'seLinuxOptions', p);
    const sePath = `${p}.seLinuxOptions`;
    const common: SecurityContext = {
      runAsNonRoot: this.bool(sc, 'runAsNonRoot', p),
      runAsUser: this.integer(sc, 'runAsUser', p),
      seccompProfile: this.profile(sc, 'seccompProfile', p),
      appArmorProfile: this.profile(sc, 'appArmorProfile', p),
      seLinuxOptions: se && {
        type: this.string(se, 'type', sePath) ?? '',
        user: this.string(se, 'user', sePath) ?? '',
        role: this.string(se, 'role', sePath) ?? '',
      },
      windowsHostProcess: this.bool(this.object(sc, 'windowsOptions', p), 'hostProcess', `${p}.windowsOptions`),
    };
    if (level === 'pod') {
      const sysctls = this.list(sc, 'sysctls', p, (v, sp) => {
        const s = this.objectItem(v, sp);
        return s && this.requiredString(s, 'name', sp);
      });
      return { ...common, sysctls };
    }
    const caps = this.object(sc, 'capabilities', p);
    return {
      ...common,
      allowPrivilegeEscalation: this.bool(sc, 'allowPrivilegeEscalation', p),
      privileged: this.bool(sc, 'privileged', p),
      procMount: this.string(sc, 'procMount', p),
      capabilities: caps && {
        add: this.list(caps, 'add', `${p}.capabilities`, this.stringItem),
        drop: this.list(caps, 'drop', `${p}.capabilities`, this.stringItem),
      },
    };
  }

  handler(o: Json | undefined, key: string, path: string): HostHandler | undefined {
    const h = this.object(o, key, path);
    if (h === undefined) return undefined;
    const p = `${path}.${key}`;
    return {
      httpGetHost: this.string(this.object(h, 'httpGet', p), 'host', `${p}.httpGet`),
      tcpSocketHost: this.string(this.object(h, 'tcpSocket', p), 'host', `${p}.tcpSocket`),
    };
  }

  container = (v: unknown, path: string): Container | undefined => {
    const c = this.objectItem(v, path);
    if (c === undefined) return undefined;
    const name = this.requiredString(c, 'name', path);
    const lifecycle = this.object(c, 'lifecycle', path);
    const defined = <T>(xs: (T | undefined)[]): T[] => xs.filter((x): x is T => x !== undefined);
    return {
      name: name || path,
      securityContext: this.securityContext(c, path, 'container'),
      hostPorts: this.list(c, 'ports', path, (pv, pp) => {
        const port = this.objectItem(pv, pp);
        return port && this.integer(port, 'hostPort', pp);
      }),
      probes: defined(['livenessProbe', 'readinessProbe', 'startupProbe'].map(k => this.handler(c, k, path))),
      lifecycleHandlers: defined(['postStart', 'preStop'].map(k => this.handler(lifecycle, k, `${path}.lifecycle`))),
    };
  };

  volume = (v: unknown, path: string): Volume | undefined => {
    const vol = this.objectItem(v, path);
    if (vol === undefined) return undefined;
    const sources = Object.keys(vol).filter(k => k !== 'name' && vol[k] !== undefined && vol[k] !== null);
    if (sources.length > 1) this.bad(path, `sets more than one volume source (${sources.join(', ')})`);
    return {
      name: this.requiredString(vol, 'name', path) || path,
      sources: sources.length > 0 ? sources : ['emptyDir'],
    };
  };

  podSpec(spec: Json, path: string): PodSpec {
    if (get(spec, 'containers') == null) this.bad(`${path}.containers`, 'is missing');
    const osName = this.string(this.object(spec, 'os', path), 'name', `${path}.os`);
    this.windowsOsPath = osName === 'windows' ? `${path}.os.name` : undefined;
    // Fields are read in this order so that issues are reported in field order.
    const hostNetwork = this.bool(spec, 'hostNetwork', path);
    const hostPID = this.bool(spec, 'hostPID', path);
    const hostIPC = this.bool(spec, 'hostIPC', path);
    const hostUsers = this.bool(spec, 'hostUsers', path);
    const securityContext = this.securityContext(spec, path, 'pod');
    const volumes = this.list(spec, 'volumes', path, this.volume);
    const initContainers = this.list(spec, 'initContainers', path, this.container);
    const containers = this.list(spec, 'containers', path, this.container);
    const ephemeralContainers = this.list(spec, 'ephemeralContainers', path, this.container);
    return {
      hostNetwork, hostPID, hostIPC, hostUsers, osName, securityContext, volumes,
      initContainers, containers, ephemeralContainers,
      allContainers: initContainers.length === 0 && ephemeralContainers.length === 0
        ? containers
        : [...initContainers, ...containers, ...ephemeralContainers],
    };
  }

  metadata(template: Json, path: string): PodMetadata {
    const annotations = new Map<string, string>();
    const p = at(path, 'metadata');
    const a = this.object(this.object(template, 'metadata', path), 'annotations', p);
    for (const [k, v] of Object.entries(a ?? {})) {
      if (typeof v === 'string') annotations.set(k, v);
      else this.bad(`${p}.annotations[${JSON.stringify(k)}]`, 'is not a string');
    }
    return { annotations };
  }
}

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
  const path = walked.join('.');
  const specPath = at(path, 'spec');
  const spec = get(template, 'spec');
  if (!isObject(spec)) {
    return { applicable: true, issues: [`${specPath} ${spec == null ? 'is missing' : 'is not an object'}`] };
  }
  const pod: PodModel = { metadata: reader.metadata(template, path), spec: reader.podSpec(spec, specPath) };
  return { applicable: true, pod, issues: reader.issues };
}
