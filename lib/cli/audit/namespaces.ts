/**
 * `audit --by-namespace`: the Pod Security policy of each namespace, as PodSecurity admission
 * resolves it from the Namespace's labels (`pod-security.kubernetes.io/enforce`, `-version`,
 * `warn`, `audit` …), with the cluster defaults for what the labels do not set: `--level` and
 * `--version` for enforce, or per mode the API server's `PodSecurityConfiguration`
 * (`--admission-config FILE`, also inside an `AdmissionConfiguration`), with its exempt
 * namespaces and runtime classes.
 *
 * Invalid labels are handled as upstream's `PolicyToEvaluate` handles them: an invalid enforce
 * level is `restricted` (fail closed), an invalid warn or audit level is `privileged` (fail
 * open), an invalid version is `latest`; each is reported as PodSecurity reports it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseManifests } from '../../manifests/manifest-parser';
import { PodSecurity, PolicyLevel } from '../../policy';
import { UsageError } from '../io';

/** The label prefix of Pod Security admission. */
export const PSS_LABEL_PREFIX = 'pod-security.kubernetes.io/';

export type Mode = 'enforce' | 'warn' | 'audit';
export const MODES: readonly Mode[] = ['enforce', 'warn', 'audit'];

const LEVELS: readonly string[] = Object.values(PolicyLevel);

/** Whether a version is `latest` or `v1.N` (the policy engine's own rule). */
function isVersion(version: unknown): version is string {
  if (typeof version !== 'string') return false;
  try {
    PodSecurity.evaluate({}, { level: PolicyLevel.PRIVILEGED, version });
    return true;
  } catch {
    return false;
  }
}

/** A mode's level and version (`latest` or `v1.N`, unresolved). */
export interface LevelVersion {
  readonly level: PolicyLevel;
  readonly version: string;
}

/** The policy of a namespace: one level and version per mode. */
export type Policy = Readonly<Record<Mode, LevelVersion>>;

/** The cluster defaults and exemptions. */
export interface ClusterPolicy {
  readonly defaults: Policy;
  readonly exemptNamespaces: ReadonlySet<string>;
  readonly exemptRuntimeClasses: ReadonlySet<string>;
}

/** The policy of a namespace with these labels, and the problems with them (upstream's `PolicyToEvaluate`). */
export function policyFromLabels(labels: unknown, defaults: Policy): { policy: Policy; problems: string[] } {
  const problems: string[] = [];
  if (labels === null || typeof labels !== 'object' || Object.keys(labels).length === 0) return { policy: defaults, problems };
  const l = labels as Record<string, unknown>;
  const policy: Record<Mode, LevelVersion> = { ...defaults };
  for (const mode of MODES) {
    let { level, version } = policy[mode];
    const levelLabel = `${PSS_LABEL_PREFIX}${mode}`;
    if (levelLabel in l) {
      const value = l[levelLabel];
      if (typeof value === 'string' && LEVELS.includes(value)) {
        level = value as PolicyLevel;
      } else {
        // enforce fails closed, warn and audit fail open (as upstream)
        level = mode === 'enforce' ? PolicyLevel.RESTRICTED : PolicyLevel.PRIVILEGED;
        problems.push(`metadata.labels[${levelLabel}]: Invalid value: ${JSON.stringify(value)}: must be one of ${LEVELS.join(', ')} (judged at ${level}, as PodSecurity admission does)`);
      }
    }
    const versionLabel = `${levelLabel}-version`;
    if (versionLabel in l) {
      const value = l[versionLabel];
      if (isVersion(value)) {
        version = value;
      } else {
        version = 'latest';
        problems.push(`metadata.labels[${versionLabel}]: Invalid value: ${JSON.stringify(value)}: must be "latest" or "v1.x" (judged at latest, as PodSecurity admission does)`);
      }
    }
    policy[mode] = { level, version };
  }
  return { policy, problems };
}

/** The Pod Security labels of a Namespace, for comparing duplicates. */
export function pssLabels(labels: unknown): string {
  if (labels === null || typeof labels !== 'object') return '{}';
  const l = labels as Record<string, unknown>;
  return JSON.stringify(Object.keys(l).filter(k => k.startsWith(PSS_LABEL_PREFIX)).sort().map(k => [k, l[k]]));
}

/** The defaults without an admission configuration: `--level`/`--version` for enforce; warn and audit privileged (upstream's default). */
export function commandLineDefaults(level: PolicyLevel, version: string): ClusterPolicy {
  return {
    defaults: {
      enforce: { level, version },
      warn: { level: PolicyLevel.PRIVILEGED, version: 'latest' },
      audit: { level: PolicyLevel.PRIVILEGED, version: 'latest' },
    },
    exemptNamespaces: new Set(),
    exemptRuntimeClasses: new Set(),
  };
}

/**
 * Reads the API server's `PodSecurityConfiguration` (`pod-security.admission.config.k8s.io/v1`,
 * v1beta1 or v1alpha1), alone or as the PodSecurity plugin's configuration in an
 * `AdmissionConfiguration`. Unset defaults are `privileged`/`latest`, as upstream. Throws a
 * `UsageError` naming the file and the field for anything the API server would refuse.
 */
export function readAdmissionConfig(file: string, cwd: string): ClusterPolicy {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(`--admission-config ${file}: cannot read it (${e instanceof Error ? e.message : e})`);
  }
  const objects: Record<string, unknown>[] = [];
  const errors: string[] = [];
  parseManifests({ name: file, uri: file, text }, { object: o => objects.push(o.object), error: e => errors.push(`${e.line !== undefined ? `line ${e.line}: ` : ''}${e.message}`) });
  if (errors.length > 0) throw new UsageError(`--admission-config ${file}: ${errors[0]}`);
  let config: any = objects[0];
  if (config?.kind === 'AdmissionConfiguration') {
    const plugin = Array.isArray(config.plugins) ? config.plugins.find((p: any) => p?.name === 'PodSecurity') : undefined;
    if (plugin === undefined) throw new UsageError(`--admission-config ${file}: the AdmissionConfiguration has no plugin named PodSecurity. Fix: add its configuration under plugins.`);
    if (plugin.configuration === undefined) throw new UsageError(`--admission-config ${file}: the PodSecurity plugin's configuration is inline only here (path is not read). Fix: inline it under configuration.`);
    config = plugin.configuration;
  }
  if (config?.kind !== 'PodSecurityConfiguration' || !/^pod-security\.admission\.config\.k8s\.io\/v1(beta1|alpha1)?$/.test(String(config.apiVersion))) {
    throw new UsageError(`--admission-config ${file}: expected kind PodSecurityConfiguration, apiVersion pod-security.admission.config.k8s.io/v1 (or an AdmissionConfiguration holding it).`);
  }
  const d = config.defaults ?? {};
  const defaults: Record<Mode, LevelVersion> = {} as any;
  for (const mode of MODES) {
    const level = d[mode] ?? PolicyLevel.PRIVILEGED;
    const version = d[`${mode}-version`] ?? 'latest';
    if (!LEVELS.includes(level)) throw new UsageError(`--admission-config ${file}: defaults.${mode}: ${JSON.stringify(level)} must be one of ${LEVELS.join(', ')}`);
    if (!isVersion(version)) {
      throw new UsageError(`--admission-config ${file}: defaults.${mode}-version: ${JSON.stringify(version)} must be "latest" or "v1.x"`);
    }
    defaults[mode] = { level, version };
  }
  const list = (field: string): Set<string> => {
    const v = config.exemptions?.[field];
    if (v === undefined || v === null) return new Set();
    if (!Array.isArray(v) || v.some(x => typeof x !== 'string')) throw new UsageError(`--admission-config ${file}: exemptions.${field} must be a list of names`);
    return new Set(v);
  };
  return { defaults, exemptNamespaces: list('namespaces'), exemptRuntimeClasses: list('runtimeClasses') };
}

/** `latest` → the newest version the engine knows; `v1.N` beyond it → the newest (as upstream treats future versions). */
export function resolveVersion(version: string): string {
  return PodSecurity.evaluate({}, { level: PolicyLevel.PRIVILEGED, version }).version;
}
