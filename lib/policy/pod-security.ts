import { CHECKS, LATEST_MINOR, LATEST_VERSION, checksFor } from './checks/registry';
import { CheckPodFn } from './checks/util';
import { Extraction, podSpecOf } from './pod-spec';
import { CheckInfo, EvaluateOptions, EvaluationResult, PolicyLevel, Violation } from './types';
import { formatMinor, parseMinor } from './version';

const LEVELS: readonly string[] = Object.values(PolicyLevel);
const VALID_LEVELS: ReadonlySet<string> = new Set(LEVELS);

/**
 * The Pod Security Standards policy engine: evaluates a Kubernetes manifest against
 * the baseline or restricted level of a policy version, as the PodSecurity admission
 * plugin (k8s.io/pod-security-admission) does.
 *
 * Works on plain Kubernetes JSON. Pods, workloads (Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job, CronJob) and PodTemplates are evaluated on their
 * pod template; any other object is not applicable and always allowed.
 */
export class PodSecurity {
  /**
   * Evaluates a manifest.
   *
   * Never throws because of the manifest: a malformed manifest (not an object, a pod spec
   * that is not an object, containers that are not a list ...) is reported through
   * `malformed` and is not allowed, while the checks still report what they can read.
   *
   * @param manifest a Kubernetes object as plain JSON (e.g. parsed YAML)
   * @param options the level (default restricted) and policy version (default latest)
   * @throws Error when `options.level` or `options.version` is not valid
   */
  public static evaluate(manifest: any, options: EvaluateOptions = {}): EvaluationResult {
    const level = options.level ?? PolicyLevel.RESTRICTED;
    if (!VALID_LEVELS.has(level)) {
      throw new Error(`Invalid Pod Security level ${JSON.stringify(level)}: expected one of ${LEVELS.join(', ')}`);
    }
    const requested = options.version ?? 'latest';
    const minor = requested === 'latest' ? LATEST_MINOR : Math.min(parseMinor(requested), LATEST_MINOR);
    const version = minor === LATEST_MINOR ? LATEST_VERSION : formatMinor(minor);

    // podSpecOf never throws for a manifest; should it, the manifest is malformed.
    // (Inline try/catch rather than a helper taking a closure: this runs for every object.)
    let extraction: Extraction;
    try {
      extraction = podSpecOf(manifest);
    } catch (e) {
      extraction = { applicable: true, issues: [`manifest could not be read: ${e instanceof Error ? e.message : String(e)}`] };
    }
    const malformed = extraction.issues.length > 0 ? extraction.issues.join('; ') : undefined;
    let violations: Violation[] | undefined;
    const pod = extraction.pod;
    if (pod !== undefined && level !== PolicyLevel.PRIVILEGED) {
      const checks = checksFor(level, minor);
      // An indexed loop, and the inline try/catch as above: this loop is the engine's hot path,
      // and most of an audit's evaluations run before the JIT optimizes it.
      for (let i = 0; i < checks.length; i++) {
        const definition = checks[i].definition;
        let forbidden: ReturnType<CheckPodFn>;
        try {
          forbidden = checks[i].checkPod(pod);
        } catch (e) {
          forbidden = {
            reason: 'check failed',
            detail: `check ${definition.id} could not evaluate the pod: ${e instanceof Error ? e.message : String(e)}`,
            fix: 'Make the pod spec well formed (see the Kubernetes API reference for PodSpec).',
          };
        }
        if (forbidden !== undefined) {
          (violations ??= []).push({
            check: definition.id,
            level: definition.level,
            reason: forbidden.reason,
            detail: forbidden.detail,
            // Exact-size copies: an array grown by push keeps spare capacity, and results are
            // kept (an audit keeps every result until its report is written).
            containers: forbidden.containers?.length ? forbidden.containers.slice() : undefined,
            podLevel: forbidden.podLevel ?? false,
            fix: forbidden.fix,
          });
        }
      }
    }
    return {
      allowed: !extraction.applicable || (malformed === undefined && violations === undefined),
      applicable: extraction.applicable,
      level,
      version,
      violations: violations === undefined ? [] : violations.slice(),
      malformed,
    };
  }

  /**
   * The strictest level that allows the manifest: restricted, baseline or privileged.
   * A malformed manifest, which no level allows, yields privileged.
   *
   * @param manifest a Kubernetes object as plain JSON
   * @param version the policy version: `latest` (default) or `v1.N`
   * @throws Error when `version` is not valid
   */
  public static strictestLevel(manifest: any, version?: string): PolicyLevel {
    for (const level of [PolicyLevel.RESTRICTED, PolicyLevel.BASELINE]) {
      if (PodSecurity.evaluate(manifest, { level, version }).allowed) return level;
    }
    return PolicyLevel.PRIVILEGED;
  }

  /**
   * The newest policy version this engine knows (what `latest` resolves to), e.g. `v1.35`.
   */
  public static latestVersion(): string {
    return LATEST_VERSION;
  }

  /**
   * All baseline and restricted checks, in evaluation order.
   */
  public static checks(): CheckInfo[] {
    return CHECKS.map(c => ({
      id: c.id,
      level: c.level,
      description: c.description,
      minimumVersion: c.versions[0].minimumVersion,
      overrides: c.overrides ? [...c.overrides] : undefined,
    }));
  }

  private constructor() {}
}
