/**
 * `RootlessHardening.applyTo(scope, props)`: hardens an existing cdk8s app in code — every
 * pod-bearing object under a scope (cdk8s-plus workloads, raw `ApiObject`s, objects of `Include`d
 * YAML), including objects added after the call. The rules are `cdk8s-rootless harden`'s (the
 * adopt stage, lib/hardening/adopt/; docs/architecture.md "Adopting an existing pod"): add what is
 * missing, never weaken, never guess a user.
 *
 * Through cdk8s' public surface only: objects are found in a validation of the scope (cdk8s has no
 * Aspects, and runs validations before it serializes), each object is rendered with
 * `ApiObject.toJson()`, and the additions are JSON patches (`addJsonPatch`). An object is adopted
 * once (validations run more than once per synthesis), so the call is idempotent. A `Lazy` value
 * in the object's metadata verifies it again while cdk8s serializes it, as the constructs' own are.
 */
import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AddOperation } from './hardening/adopt/editor';
import { Adoption, adopt, verifyAdopted } from './hardening/adopt/object';
import { HardenDialect, WritablePath } from './hardening/adopt/pod';
import { RootlessAnnotations } from './hardening/annotations';
import { MAX_ID } from './hardening/defaults';
import { Exemption } from './hardening/exemption';
import { entryOf, entryProblems, isContainerName } from './hardening/exemptions/codec';
import type { ExemptionValue } from './hardening/exemptions/kind';
import { kindOf } from './hardening/exemptions/registry';
import { describeExemption, exemptionValue } from './hardening/exemptions/value';
import { isHardenedByConstruct } from './hardening/hardening';
import { pathProblem } from './hardening/paths';
import { POD_BEARING_KINDS, podTemplatePath } from './policy/k8s-shapes';

/** How `RootlessHardening.applyTo` hardens one object (a key of `RootlessHardeningProps.objects`). */
export interface ObjectHardeningOptions {
  /**
   * The numeric UID for this object's containers whose user is not known.
   * @default - the props' `user`
   */
  readonly user?: number;

  /**
   * The numeric GID that goes with `user`.
   * @default - the user
   */
  readonly group?: number;

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

/** Props of `RootlessHardening.applyTo`: the same choices as `cdk8s-rootless harden`. */
export interface RootlessHardeningProps {
  /**
   * The numeric UID for containers whose user is not known: no `runAsUser`, no `runAsNonRoot: true`
   * in effect (which would mean the image's own non-root user) and no image preset. A known user is
   * never replaced. Without it, a container whose user is not known fails synthesis.
   * @default - none: no user is guessed
   */
  readonly user?: number;

  /**
   * The numeric GID that goes with `user`.
   * @default - the user
   */
  readonly group?: number;

  /**
   * Paths that get an emptyDir in every container whose root filesystem is made read-only.
   * @default - only /tmp (and an image preset's paths)
   */
  readonly writablePaths?: string[];

  /**
   * Settings of single objects, keyed by construct path: the path of the `ApiObject`, of the
   * cdk8s-plus construct that owns it, or either relative to the scope (e.g. `web` for the
   * Deployment `web` of the chart the call is made on). A key that names no pod-bearing object
   * under the scope fails synthesis.
   * @default - none
   */
  readonly objects?: { [path: string]: ObjectHardeningOptions };
}

/** What `RootlessHardening.applyTo` did to one object. */
export interface HardenedObjectReport {
  /** The construct path of the `ApiObject`. */
  readonly path: string;
  /** Its kind. */
  readonly kind: string;
  /** The level it is at after the hardening (`restricted` unless exemptions say otherwise). */
  readonly level: string;
  /** What was added, one phrase each (e.g. the low-port sysctl). */
  readonly changes: string[];
  /** What the hardening assumed or cannot know (e.g. paths the application may write). */
  readonly notes: string[];
}

/** The objects some `applyTo` has adopted, and by which call. */
const ADOPTED = new WeakMap<ApiObject, RootlessHardening>();
const KINDS = new Set(POD_BEARING_KINDS.map(k => k.kind));

interface ObjectSettings {
  readonly key?: string;
  readonly user?: number;
  readonly group?: number;
  readonly writablePaths: WritablePath[];
  readonly exemptions: ExemptionValue[];
}

/**
 * Hardens the pod-bearing objects of an existing cdk8s app: `RootlessHardening.applyTo(chart)`.
 *
 * @example
 * RootlessHardening.applyTo(chart, { user: 10001, objects: { agent: { exemptions: [Exemption.hostPath('reads the node logs')] } } });
 */
export class RootlessHardening {
  /**
   * Hardens every pod-bearing object under `scope` at synthesis — cdk8s-plus workloads, raw
   * `ApiObject`s and objects of `Include`d YAML, also those added after this call — with the rules
   * of `cdk8s-rootless harden`: what is missing is added (RuntimeDefault seccomp, no privilege
   * escalation, capabilities dropped, runAsNonRoot where the user is known, a read-only root
   * filesystem with an emptyDir at /tmp, no service-account token, the low-port sysctl where a
   * container listens below 1024), nothing is weakened, no user is guessed. Every adopted object is
   * annotated and verified like the constructs' own; what needs a human (an unknown user, privileged,
   * hostPath, host namespaces, …) fails synthesis naming the object, the field and the fix, unless
   * `objects[path].exemptions` declares it with a reason. Objects of this library's constructs are
   * left as they are. Idempotent: a second call, or cdk8s validating more than once, changes nothing more.
   *
   * @param scope the app, chart or construct whose objects to harden
   * @param props the default user, writable paths and per-object settings
   */
  public static applyTo(scope: IConstruct, props: RootlessHardeningProps = {}): RootlessHardening {
    return new RootlessHardening(scope, props);
  }

  /** The scope the hardening applies to. */
  public readonly scope: IConstruct;

  private readonly props: RootlessHardeningProps;
  private readonly perObject: Map<string, ObjectSettings>;
  private readonly reports: HardenedObjectReport[] = [];
  private readonly errors = new Map<ApiObject, string[]>();

  private constructor(scope: IConstruct, props: RootlessHardeningProps) {
    this.scope = scope;
    this.props = props ?? {};
    this.perObject = this.validateProps();
    scope.node.addValidation({ validate: () => this.adoptAll() });
  }

  /**
   * What the hardening did, one entry per adopted object, in construct order. Filled when cdk8s
   * validates the app (`app.synth()`, `Testing.synth()`); empty before.
   */
  public get report(): HardenedObjectReport[] {
    return this.reports.map(r => ({ ...r, changes: [...r.changes], notes: [...r.notes] }));
  }

  /** Finds the objects (again: new ones may have been added) and adopts those no one has adopted yet. */
  private adoptAll(): string[] {
    const objects = this.scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && KINDS.has(c.kind));
    const problems: string[] = [];
    if (objects.length === 0) {
      problems.push(`RootlessHardening.applyTo: there is no pod-bearing object (${[...KINDS].join(', ')}) under ${this.where()}. `
        + 'Fix: call it on the app or the chart that holds the workloads, or remove the call.');
    }
    const matched = new Set<string>();
    for (const obj of objects) {
      const key = this.keyOf(obj);
      if (key !== undefined) matched.add(key);
      const owner = ADOPTED.get(obj);
      if (isHardenedByConstruct(obj) || owner === this) continue;
      if (owner !== undefined) {
        if (key !== undefined) {
          problems.push(`RootlessHardening.applyTo: objects['${key}'] names ${obj.node.path}, which RootlessHardening.applyTo on ${owner.where()} already hardens. `
            + 'Fix: give its settings in that call.');
        }
        continue;
      }
      ADOPTED.set(obj, this);
      this.adoptOne(obj, key);
    }
    for (const key of this.perObject.keys()) {
      if (!matched.has(key)) {
        problems.push(`RootlessHardening.applyTo: objects['${key}'] names no pod-bearing object under ${this.where()} `
          + `(pod-bearing objects: ${objects.map(o => this.relative(o)).join(', ') || 'none'}). Fix: use the construct path of the workload, or remove the key.`);
      }
    }
    return problems;
  }

  /** Adopts one object: patches, the verification hook, and its errors (reported by a validation of the object itself). */
  private adoptOne(obj: ApiObject, key: string | undefined): void {
    const settings = key !== undefined ? this.perObject.get(key)! : { writablePaths: this.defaultWritablePaths(), exemptions: [] };
    const name = key ?? this.relative(obj);
    const dialect: HardenDialect = {
      userFix: `give RootlessHardening.applyTo a user (props.user, or objects['${name}'].user for this object)`,
      userOption: 'the applyTo user',
      writablePathFix: `writablePaths, or objects['${name}'].writablePaths / containerWritablePaths, in RootlessHardening.applyTo's props`,
    };
    let adoption: Adoption;
    try {
      adoption = adopt(obj.toJson(), { ...settings, user: settings.user ?? this.props.user, group: settings.group ?? this.props.group, dialect });
    } catch (e) {
      this.fail(obj, [`RootlessHardening.applyTo cannot render it: ${e instanceof Error ? e.message : e}`]);
      return;
    }
    obj.addJsonPatch(...adoption.operations.map(toPatch));
    for (const [k, v] of Object.entries(adoption.ownAnnotations)) obj.metadata.addAnnotation(k, v);
    const exemptionsHint = ` Exemptions for this object go in RootlessHardening.applyTo's objects['${name}'].exemptions (Exemption factories, with a reason).`;
    this.fail(obj, adoption.errors.map(e => (/only with exemption|declare exemption|declare Exemption|covers nothing/.test(e) ? e + exemptionsHint : e)));
    this.reports.push({ path: obj.node.path, kind: obj.kind, level: adoption.level, changes: adoption.report.changes, notes: adoption.report.notes });

    // verified again while cdk8s serializes the object: what a later patch or Lazy value changed is caught
    const isPod = podTemplatePath(obj.kind)?.length === 0;
    let rendering = false;
    obj.metadata.addAnnotation(RootlessAnnotations.PSS_LEVEL, Lazy.any({
      produce: () => {
        if (rendering) return undefined;
        rendering = true;
        let manifest: any;
        try {
          manifest = obj.toJson();
        } finally {
          rendering = false;
        }
        const v = verifyAdopted(manifest, adoption.exemptions);
        if (v.errors.length > 0 && (this.errors.get(obj) ?? []).length === 0) {
          const path = obj.node.path;
          throw new Error(`Validation failed with the following errors:\n  [${path}] ${v.errors.join(`\n  [${path}] `)}`);
        }
        // a Pod is its own template: the level goes here; a workload's is on its template (a JSON patch)
        return isPod ? v.level : undefined;
      },
    }) as unknown as string);
  }

  /** Records an object's errors; a validation of the object reports them (cdk8s names its path). */
  private fail(obj: ApiObject, errors: readonly string[]): void {
    if (errors.length === 0) return;
    const first = !this.errors.has(obj);
    this.errors.set(obj, [...this.errors.get(obj) ?? [], ...errors]);
    if (first) obj.node.addValidation({ validate: () => this.errors.get(obj) ?? [] });
  }

  /** The key of `props.objects` that names this object, if any. */
  private keyOf(obj: ApiObject): string | undefined {
    const names = [obj.node.path];
    const parent = obj.node.scope;
    if (obj.node.id === 'Resource' && parent) names.push(parent.node.path);
    const base = this.scope.node.path;
    for (const key of this.perObject.keys()) {
      if (names.some(n => n === key || (base !== '' && n === `${base}/${key}`) || (base === '' && n === key))) return key;
    }
    return undefined;
  }

  private relative(obj: ApiObject): string {
    const path = obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope.node.path : obj.node.path;
    const base = this.scope.node.path;
    return base !== '' && path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path;
  }

  private where(): string {
    return this.scope.node.path === '' ? 'the app' : this.scope.node.path;
  }

  private defaultWritablePaths(): WritablePath[] {
    return (this.props.writablePaths ?? []).map(path => ({ path }));
  }

  /** Validates the props at the call, naming each bad prop and its fix. */
  private validateProps(): Map<string, ObjectSettings> {
    const problems: string[] = [];
    const id = (prop: string, v: unknown): void => {
      if (v === undefined) return;
      if (!(Number.isInteger(v) && (v as number) > 0 && (v as number) <= MAX_ID)) {
        problems.push(`${prop}: ${JSON.stringify(v)} is not a non-root numeric ID. Fix: use an integer in 1..${MAX_ID} (the image's numeric USER); `
          + 'to keep a container that runs as root, declare Exemption.runAsRoot(reason, { container }) for its object.');
      }
    };
    const paths = (prop: string, list: unknown): string[] => {
      if (list === undefined) return [];
      if (!Array.isArray(list)) {
        problems.push(`${prop}: is not a list of paths. Fix: give absolute paths, e.g. ['/var/cache/nginx'].`);
        return [];
      }
      return list.filter((p, i) => {
        const problem = pathProblem(p, 'the whole filesystem would be writable: declare Exemption.writableRootFilesystem instead');
        if (problem) problems.push(`${prop}[${i}]: ${JSON.stringify(p)} ${problem}. Fix: give an absolute, normalized path such as /var/cache/app.`);
        return !problem;
      });
    };
    const p = this.props;
    id('props.user', p.user);
    id('props.group', p.group);
    const defaults = paths('props.writablePaths', p.writablePaths);
    const out = new Map<string, ObjectSettings>();
    for (const [key, o] of Object.entries(p.objects ?? {})) {
      const prop = `props.objects['${key}']`;
      if (typeof o !== 'object' || o === null) {
        problems.push(`${prop}: is not an object. Fix: give { user?, group?, writablePaths?, containerWritablePaths?, exemptions? }.`);
        continue;
      }
      if (key === '') problems.push(`${prop}: an empty key names nothing. Fix: use the construct path of a workload.`);
      id(`${prop}.user`, o.user);
      id(`${prop}.group`, o.group);
      const writable: WritablePath[] = [...defaults, ...paths(`${prop}.writablePaths`, o.writablePaths)].map(path => ({ path }));
      for (const [container, list] of Object.entries(o.containerWritablePaths ?? {})) {
        if (!isContainerName(container)) {
          problems.push(`${prop}.containerWritablePaths: ${JSON.stringify(container)} is not a container name. Fix: use the name of a container of the object.`);
        }
        writable.push(...paths(`${prop}.containerWritablePaths['${container}']`, list).map(path => ({ container, path })));
      }
      out.set(key, { key, user: o.user, group: o.group, writablePaths: writable, exemptions: this.exemptions(`${prop}.exemptions`, o.exemptions, problems) });
    }
    if (problems.length > 0) {
      throw new Error(`RootlessHardening.applyTo(${this.where()}): invalid props:\n  ${problems.join('\n  ')}`);
    }
    return out;
  }

  /** The exemptions of one object, as immutable values, with the problems of each (the reason rule, scope). */
  private exemptions(prop: string, list: unknown, problems: string[]): ExemptionValue[] {
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      problems.push(`${prop}: is not a list. Fix: give [Exemption.…(reason)].`);
      return [];
    }
    const out: ExemptionValue[] = [];
    list.forEach((e, i) => {
      const value = exemptionValue(e);
      if (!value) {
        problems.push(`${prop}[${i}]: not an Exemption. Fix: make it with the Exemption factories, e.g. Exemption.hostPath(reason).`);
        return;
      }
      const at = `${prop}[${i}] (${describeExemption(value)})`;
      if (out.some(x => x.kind === value.kind && x.container === value.container)) problems.push(`${at}: declared twice. Fix: declare it once.`);
      for (const q of entryProblems({ ...entryOf(value) }, kindOf(value.kind))) problems.push(`${at}${q.field ? `.${q.field}` : ''}: ${q.problem}`);
      out.push(value);
    });
    return out;
  }
}

function toPatch(o: AddOperation): JsonPatch {
  return o.op === 'add' ? JsonPatch.add(o.path, o.value) : JsonPatch.replace(o.path, o.value);
}
