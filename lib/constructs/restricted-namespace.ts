import { ApiObject, ApiObjectMetadata, ApiObjectMetadataDefinition } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { writeNamespaceAnnotation } from '../exemptions/codec';
import { declaredExemptions } from '../exemptions/declared';
import { NamespaceExemption } from '../exemptions/namespace-exemption';
import { reasonProblem } from '../exemptions/reason';
import { RootlessAnnotations } from '../hardening/annotations';
import { throwPropsProblems } from './internal/errors';
import { mergeKeyPaths } from '../hardening/verify';
import { PodSecurity, PolicyLevel } from '../policy';
import { IdentityIndex, permissionInitContainerOf } from './internal/identity-index';
import { isKubectlList, podBearingKind } from '../policy/k8s-shapes';
import { parseMinor } from '../policy/version';

const LEVELS: readonly string[] = Object.values(PolicyLevel);
const RANK: Record<string, number> = { [PolicyLevel.PRIVILEGED]: 0, [PolicyLevel.BASELINE]: 1, [PolicyLevel.RESTRICTED]: 2 };

/**
 * The Pod Security admission modes a namespace label configures.
 */
export enum PodSecurityMode {
  /** Violations reject the pod. */
  ENFORCE = 'enforce',
  /** Violations are recorded in the audit log (and `pod_security_evaluations_total{mode="audit"}`). */
  AUDIT = 'audit',
  /** Violations are returned to the client as warnings (and counted with `mode="warn"`). */
  WARN = 'warn',
}

/**
 * Props of a `RestrictedNamespace`.
 */
export interface RestrictedNamespaceProps {
  /**
   * Metadata of the Namespace; its name is `metadata.name`.
   * @default - a name cdk8s generates from the construct path
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * The level the namespace enforces (`pod-security.kubernetes.io/enforce`). A level below
   * `restricted` needs `exemption`.
   * @default PolicyLevel.RESTRICTED
   */
  readonly enforce?: PolicyLevel;

  /**
   * The level violations of which are audited (`pod-security.kubernetes.io/audit`). A level
   * below `restricted` needs `exemption`.
   * @default PolicyLevel.RESTRICTED
   */
  readonly audit?: PolicyLevel;

  /**
   * The level violations of which are returned as warnings (`pod-security.kubernetes.io/warn`).
   * A level below `restricted` needs `exemption`.
   * @default PolicyLevel.RESTRICTED
   */
  readonly warn?: PolicyLevel;

  /**
   * The policy version of every mode: pin your cluster's version, `v1.N` for a Kubernetes 1.N
   * control plane (e.g. `v1.33`), so that upgrading the cluster does not change what the namespace
   * admits; raise it on purpose after an upgrade (warn and audit first). `latest` only when asked for
   * explicitly: the checks then change with every cluster upgrade.
   *
   * The default is the newest version this library knows, which is usually newer than the cluster:
   * PodSecurity admission reads a version newer than its own as its newest (`latest`), so with the
   * default the namespace behaves like `latest` until the cluster reaches that version, and synthesis
   * verifies the workloads at a version the cluster may not run yet.
   * @default - `PodSecurity.latestVersion()`, the newest version this library knows. Set it to your cluster's version.
   */
  readonly version?: string;

  /**
   * The policy version of the enforce mode (`pod-security.kubernetes.io/enforce-version`).
   * @default - `version`
   */
  readonly enforceVersion?: string;

  /**
   * The policy version of the audit mode (`pod-security.kubernetes.io/audit-version`).
   * @default - `version`
   */
  readonly auditVersion?: string;

  /**
   * The policy version of the warn mode (`pod-security.kubernetes.io/warn-version`).
   * @default - `version`
   */
  readonly warnVersion?: string;

  /**
   * Permission, with a reason, to use a level below `restricted`.
   * @default - none: every mode must be `restricted`
   */
  readonly exemption?: NamespaceExemption;

  /**
   * Whether synthesis verifies every pod-bearing object of the app that targets this
   * namespace against the enforce level and version (and fails on pods the cluster would reject).
   * @default true
   */
  readonly verifyWorkloads?: boolean;
}

/** The level and version of one mode, resolved. */
interface ModeSetting {
  readonly level: PolicyLevel;
  readonly version: string;
}

/**
 * A Namespace that enforces the Pod Security Standards: `pod-security.kubernetes.io/enforce`,
 * `audit` and `warn` at `restricted` by default, each pinned to a concrete policy version rather
 * than `latest`, so a cluster upgrade does not silently change what is admitted. Pin your cluster's
 * version with `version: 'v1.N'`; the default is the newest version this library knows
 * (`PodSecurity.latestVersion()`).
 *
 * A level below `restricted` needs `NamespaceExemption.lowerLevel(level, reason)`.
 *
 * At synthesis it evaluates every pod-bearing object of the app whose `metadata.namespace` is
 * this namespace (constructs of this library, cdk8s-plus workloads, raw `ApiObject`s) with the
 * policy engine at the enforce level and version, and fails on any pod the cluster would reject.
 *
 * @example
 * const ns = new RestrictedNamespace(chart, 'applications', { metadata: { name: 'applications' }, version: 'v1.33' });
 * new HardenedPod(chart, 'app', { metadata: { namespace: ns.name }, user: 1000, containers: [{ image: 'app:v1' }] });
 */
export class RestrictedNamespace extends Construct {
  /**
   * The Namespace object (a cdk8s `ApiObject`, so the namespace works with every cdk8s-plus line; before the
   * line packages it was a cdk8s-plus-27 `Namespace`: for a cdk8s-plus selector of it, use your line's
   * `Namespaces.select(scope, id, { names: [ns.name] })`).
   */
  public readonly apiObject: ApiObject;
  /**
   * The level and version of each mode, as labelled.
   */
  public readonly enforceLevel: PolicyLevel;
  /** The enforce version label value (`v1.N` or `latest`). */
  public readonly enforceVersion: string;
  /** The audit level. */
  public readonly auditLevel: PolicyLevel;
  /** The audit version label value. */
  public readonly auditVersion: string;
  /** The warn level. */
  public readonly warnLevel: PolicyLevel;
  /** The warn version label value. */
  public readonly warnVersion: string;

  /** The Namespace's metadata (labels and annotations set here are verified at synthesis: see the class). */
  public get metadata(): ApiObjectMetadataDefinition {
    return this.apiObject.metadata;
  }

  /** The name of the Namespace. */
  public get name(): string {
    return this.apiObject.name;
  }

  public constructor(scope: Construct, id: string, props: RestrictedNamespaceProps = {}) {
    super(scope, id);
    // 'Resource', as cdk8s-plus names it: the default child (ApiObject.of(ns)), and the generated name is unchanged
    this.apiObject = new ApiObject(this, 'Resource', { apiVersion: 'v1', kind: 'Namespace', metadata: props.metadata, spec: {} });
    IdentityIndex.register(this); // a second Namespace of this name elsewhere in the app fails synthesis (identity-index.ts)
    const problems: string[] = [];
    const version = this.resolveVersion('props.version', props.version, PodSecurity.latestVersion(), problems);
    const modes: Record<PodSecurityMode, ModeSetting> = {
      [PodSecurityMode.ENFORCE]: {
        level: this.resolveLevel('props.enforce', props.enforce, problems),
        version: this.resolveVersion('props.enforceVersion', props.enforceVersion, version, problems),
      },
      [PodSecurityMode.AUDIT]: {
        level: this.resolveLevel('props.audit', props.audit, problems),
        version: this.resolveVersion('props.auditVersion', props.auditVersion, version, problems),
      },
      [PodSecurityMode.WARN]: {
        level: this.resolveLevel('props.warn', props.warn, problems),
        version: this.resolveVersion('props.warnVersion', props.warnVersion, version, problems),
      },
    };
    this.checkExemption(props.exemption, modes, problems);
    if (problems.length > 0) {
      throwPropsProblems(this, problems);
    }

    for (const [mode, setting] of Object.entries(modes)) {
      this.metadata.addLabel(`pod-security.kubernetes.io/${mode}`, setting.level);
      this.metadata.addLabel(`pod-security.kubernetes.io/${mode}-version`, setting.version);
    }
    if (props.exemption) {
      this.metadata.addAnnotation(RootlessAnnotations.EXEMPTIONS, writeNamespaceAnnotation([props.exemption]));
    }
    this.enforceLevel = modes.enforce.level;
    this.enforceVersion = modes.enforce.version;
    this.auditLevel = modes.audit.level;
    this.auditVersion = modes.audit.version;
    this.warnLevel = modes.warn.level;
    this.warnVersion = modes.warn.version;

    const expected: Record<string, string> = {};
    for (const [mode, setting] of Object.entries(modes)) {
      expected[`pod-security.kubernetes.io/${mode}`] = setting.level;
      expected[`pod-security.kubernetes.io/${mode}-version`] = setting.version;
    }
    const annotation = props.exemption ? writeNamespaceAnnotation([props.exemption]) : undefined;
    this.node.addValidation({ validate: () => this.verifyOwnManifest(expected, annotation) });
    if (props.verifyWorkloads ?? true) {
      this.node.addValidation({ validate: () => this.verifyWorkloads() });
    }
  }

  /**
   * The emitted Namespace says what the props declared: its Pod Security labels (and no other
   * `pod-security.kubernetes.io/` label) and its exemptions annotation are exactly the constructed
   * ones, so `metadata.addLabel(...)` or a JSON patch after construction cannot lower the level
   * while `enforceLevel` still says `restricted`; and it has no `<<` key.
   */
  private verifyOwnManifest(expected: Record<string, string>, annotation: string | undefined): string[] {
    const manifest = ApiObject.of(this).toJson();
    const errors: string[] = [];
    const labels = manifest?.metadata?.labels ?? {};
    const keys = new Set([...Object.keys(expected), ...Object.keys(labels).filter(k => k.startsWith('pod-security.kubernetes.io/'))]);
    for (const key of keys) {
      if (labels[key] === expected[key]) continue;
      errors.push(`label ${key} is ${labels[key] === undefined ? 'missing' : JSON.stringify(labels[key])} in the synthesized Namespace, but the construct `
        + `${expected[key] === undefined ? 'sets no such label' : `sets ${JSON.stringify(expected[key])}`}: it was changed after construction `
        + '(metadata.addLabel or a JSON patch). Fix: set levels and versions only through the props (enforce, audit, warn, version, '
        + '...; a lower level needs NamespaceExemption.lowerLevel(level, reason)).');
    }
    const emitted = manifest?.metadata?.annotations?.[RootlessAnnotations.EXEMPTIONS];
    if (emitted !== annotation) {
      errors.push(`annotation ${RootlessAnnotations.EXEMPTIONS} is ${emitted === undefined ? 'missing' : JSON.stringify(emitted)} in the synthesized Namespace, `
        + `but the construct declares ${annotation ?? 'none'}. Fix: declare it only through props.exemption.`);
    }
    for (const at of mergeKeyPaths(manifest)) {
      errors.push(`${at}: a "<<" key is a merge key to YAML 1.1 readers such as kubectl. Fix: remove it.`);
    }
    return errors;
  }

  /**
   * The pod-bearing objects of the app that target this namespace and that the cluster would
   * reject at the enforce level and version, one message each (what `synth()` reports).
   */
  private verifyWorkloads(): string[] {
    const name = this.name;
    const errors: string[] = [];
    const where = `Namespace "${name}" (${this.node.path}) enforces Pod Security "${this.enforceLevel}" at ${this.enforceVersion}`;
    for (const obj of this.node.root.node.findAll()) {
      if (!(obj instanceof ApiObject) || obj === this.apiObject) continue;
      let rendered: any;
      try {
        rendered = obj.toJson();
      } catch {
        continue; // the object's own validation reports why it cannot be rendered
      }
      // a List (an Include of kubectl get -o yaml output) is judged item by item, as kubectl applies them
      const items: any[] = isKubectlList(rendered) ? (Array.isArray(rendered.items) ? rendered.items : []) : [rendered];
      errors.push(...items.flatMap((manifest, i) => this.verifyWorkload(manifest, obj, where, items === rendered?.items ? ` items[${i}]` : '')));
    }
    return errors;
  }

  /** The findings of the namespace on one object (or List item) of the app, if it targets the namespace. */
  private verifyWorkload(manifest: any, obj: ApiObject, where: string, item: string): string[] {
    const name = this.name;
    const errors: string[] = [];
    if (typeof manifest !== 'object' || manifest === null) return errors;
    const merges = podBearingKind(manifest?.kind) ? mergeKeyPaths(manifest) : [];
    if (merges.length > 0) {
      // kubectl (YAML 1.1) would merge these keys, e.g. metadata: { '<<': { namespace: x } } moves the object
      errors.push(`${where}; ${manifest.kind} "${manifest.metadata?.name}" (construct ${constructPath(obj)}${item}) has "<<" keys (${merges.join(', ')}), `
        + 'which kubectl reads as YAML merge keys: what it applies is not what was verified. Fix: remove them.');
      return errors;
    }
    // kubectl apply puts an object without a namespace into "default" (or the context's namespace)
    const namespace = manifest?.metadata?.namespace || (name === 'default' ? 'default' : undefined);
    if (namespace !== name) return errors;
    const result = PodSecurity.evaluate(manifest, { level: this.enforceLevel, version: this.enforceVersion });
    if (!result.applicable || result.allowed) return errors;
    const workload = `${manifest.kind} "${manifest.metadata?.name}" (construct ${constructPath(obj)}${item})`;
    // a RootlessStatefulSet's permission init container (VolumePermissions.INIT_CONTAINER, the default) and the
    // exemptions it implies are the construct's, not the author's: say so, and name the one-line alternative
    const init = permissionInitContainerOf(obj.node.scope);
    const byConstruct = (containers: string[] | undefined) => init !== undefined && containers !== undefined && containers.length > 0
      && containers.every(c => c === init);
    const findings = result.violations.map(v => byConstruct(v.containers)
      ? `${v.check}: ${v.detail} (the construct's permission init container)`
      : `${v.check}: ${v.detail}. Fix: ${v.fix}`);
    if (result.malformed) findings.push(`malformed pod spec: ${result.malformed}`);
    const { entries, problems: voided } = declaredEntries(manifest);
    findings.push(...voided.map(p => `void exemptions annotation: ${p}`));
    const declared = entries.filter(e => !byConstruct(e.container === undefined ? undefined : [e.container])).map(e => e.text);
    const implied = entries.filter(e => byConstruct(e.container === undefined ? undefined : [e.container])).map(e => e.text);
    const constructFix = implied.length > 0
      ? `    The exemptions ${implied.join(', ')} were declared by the construct, not by you: RootlessStatefulSet's `
        + `volumePermissions: VolumePermissions.INIT_CONTAINER (the default) adds the "${init}" init container, which runs as root to give the claim `
        + 'volumes to the app user. Fix: set volumePermissions: VolumePermissions.FS_GROUP_ONLY (no init container: the pod stays '
        + 'restricted). That is enough when the claims\' volume driver applies fsGroup: most block storage (CSI drivers whose '
        + 'fsGroupPolicy is File or ReadWriteOnceWithFSType, e.g. AWS EBS, GCE PD, Azure Disk); not NFS or hostPath volumes. '
        + 'Otherwise deploy it to a namespace that enforces baseline, or lower this one with '
        + 'NamespaceExemption.lowerLevel(PolicyLevel.BASELINE, reason).\n'
      : '';
    const fix = declared.length > 0
      ? `    The workload declares exemptions (${declared.join(', ')} in ${RootlessAnnotations.EXEMPTIONS}) that put it below `
        + `"${this.enforceLevel}". Fix: remove the exemptions it no longer needs, or deploy it to a namespace that enforces its level, `
        + 'or lower this one with NamespaceExemption.lowerLevel(level, reason).'
      : implied.length > 0 ? ''
        : `    Fix the workload (${constructHint(manifest.kind)}), `
        + 'or, if it must run below the namespace level, move it to another namespace or lower this one with '
        + 'NamespaceExemption.lowerLevel(level, reason).';
    errors.push(`${where}; it would reject ${workload}:\n    - ${findings.join('\n    - ')}\n${constructFix}${fix}`.trimEnd());
    return errors;
  }

  private resolveLevel(prop: string, value: PolicyLevel | undefined, problems: string[]): PolicyLevel {
    if (value === undefined) return PolicyLevel.RESTRICTED;
    if (!LEVELS.includes(value)) {
      problems.push(`${prop}: ${JSON.stringify(value)} is not a Pod Security level. Fix: use PolicyLevel.RESTRICTED, BASELINE or PRIVILEGED.`);
      return PolicyLevel.RESTRICTED;
    }
    return value;
  }

  private resolveVersion(prop: string, value: string | undefined, fallback: string, problems: string[]): string {
    if (value === undefined) return fallback;
    if (value === 'latest') return value;
    try {
      parseMinor(value);
      return value;
    } catch {
      problems.push(`${prop}: ${JSON.stringify(value)} is not a Pod Security policy version. `
        + `Fix: use "v1.N" (e.g. "${PodSecurity.latestVersion()}"), or "latest" to follow the cluster's version.`);
      return fallback;
    }
  }

  private checkExemption(exemption: NamespaceExemption | undefined, modes: Record<string, ModeSetting>, problems: string[]): void {
    const lowered = Object.entries(modes).filter(([, s]) => s.level !== PolicyLevel.RESTRICTED);
    if (exemption === undefined) {
      for (const [mode, s] of lowered) {
        problems.push(`props.${mode}: "${s.level}" is below restricted. `
          + `Fix: keep restricted, or declare exemption: NamespaceExemption.lowerLevel(PolicyLevel.${s.level.toUpperCase()}, reason).`);
      }
      return;
    }
    const badReason = reasonProblem(exemption.reason);
    if (badReason) problems.push(`props.exemption.reason: ${badReason}`);
    if (!LEVELS.includes(exemption.level) || exemption.level === PolicyLevel.RESTRICTED) {
      problems.push(`props.exemption.level: ${JSON.stringify(exemption.level)} lowers nothing. Fix: use PolicyLevel.BASELINE or PRIVILEGED.`);
      return;
    }
    if (lowered.length === 0) {
      problems.push(`props.exemption: ${exemption} relaxes nothing: every mode is restricted. `
        + 'Fix: remove the exemption, or set props.enforce (or audit / warn) to the lower level.');
    }
    for (const [mode, s] of lowered) {
      if (RANK[s.level] < RANK[exemption.level]) {
        problems.push(`props.${mode}: "${s.level}" is below the exemption's "${exemption.level}". `
          + `Fix: use NamespaceExemption.lowerLevel(PolicyLevel.${s.level.toUpperCase()}, reason), or raise props.${mode}.`);
      }
    }
  }
}

/**
 * The exemptions the pod template of a manifest validly declares, read by the one codec
 * (exemptions/declared.ts): none when the annotation is void, with its problems.
 */
function declaredEntries(manifest: any): { entries: { readonly text: string; readonly container?: string }[]; problems: string[] } {
  const declared = declaredExemptions(manifest);
  return {
    entries: declared.exemptions.map(e => e.container !== undefined
      ? { text: `${e.kind} (container "${e.container}")`, container: e.container }
      : { text: `${e.kind}` }),
    problems: declared.problems,
  };
}

/** The path of the construct that owns an ApiObject (cdk8s-plus resources name theirs "Resource"). */
function constructPath(obj: IConstruct): string {
  const scope = obj.node.scope;
  return obj.node.id === 'Resource' && scope ? scope.node.path : obj.node.path;
}

/**
 * The rootless construct that builds a workload of each pod-bearing kind (the kinds are those of k8s-shapes.ts), in every
 * line package (`cdk8s-rootless-plus-NN`); test/constructs/workloads/namespace-hints.test.ts checks them against the classes.
 */
const constructForKind = (): Readonly<Record<string, string>> => ({
  Pod: 'HardenedPod',
  Deployment: 'RootlessDeployment',
  StatefulSet: 'RootlessStatefulSet',
  Job: 'RootlessJob',
  CronJob: 'RootlessCronJob',
  DaemonSet: 'RootlessDaemonSet',
});

/** How to rebuild a denied workload: the construct for its kind, or, for kinds without one, the construct that manages them. */
function constructHint(kind: string): string {
  const construct = constructForKind()[kind];
  if (construct) return `e.g. build it with ${construct}, which meets restricted, or harden it where it is with RootlessHardening.applyTo(chart)`;
  if (kind === 'ReplicaSet' || kind === 'ReplicationController') {
    return `no construct builds a bare ${kind}: build it as a ${constructForKind().Deployment}, which manages its ReplicaSets and meets restricted`;
  }
  return 'e.g. harden it where it is with RootlessHardening.applyTo(chart), build its pods with HardenedPod or a Rootless* workload construct, '
    + 'or run cdk8s-rootless harden on its YAML';
}
