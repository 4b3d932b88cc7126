/**
 * `audit --by-namespace`: the Namespaces of the input (read first from files; on standard input
 * they must come before the objects in them), each object judged at its namespace's policy as
 * PodSecurity admission resolves it from the labels and the cluster defaults (`namespaces.ts`,
 * `--admission-config`), per mode (enforce, warn, audit), and the summary per namespace.
 */
import type { Judged } from './audit-judge';
import { ClusterPolicy, LevelVersion, Policy, policyFromLabels, pssLabels, resolveVersion } from './namespaces';
import { ManifestError, ManifestObject } from '../../manifests/manifest-objects';
import { PodSecurity, PolicyLevel } from '../../policy';
import { podTemplateOf } from '../../policy/k8s-shapes';
import type { Violation } from '../../policy/types';
import { ModePolicy, NamespaceJudgement, NamespaceSummary } from '../report/report';

const POD_KINDS_NAMESPACE = 'Namespace';

/** The Namespaces of the input and the judgement of each object at its namespace's policy. */
export class Namespaces {
  private readonly known = new Map<string, { labels: string; where: string; policy: Policy; problems: string[]; fromStdin: boolean }>();
  /** Namespaces judged at the defaults because their Namespace had not been read yet (stdin). */
  private readonly judgedEarly = new Map<string, string>();
  private readonly missing = new Set<string>();
  private readonly counts = new Map<string, { source: NamespaceJudgement['source']; policy: Policy; audited: number; rejected: number; warned: number; audits: number; restricted: number }>();

  constructor(private readonly cluster: ClusterPolicy, private readonly error: (e: ManifestError) => void) {}

  /** Records a Namespace object (the first pass, or the second for standard input). */
  public declare(o: ManifestObject, secondPass = false): void {
    const obj = o.object;
    if (obj.kind !== POD_KINDS_NAMESPACE) return;
    const name = (obj.metadata as any)?.name;
    if (typeof name !== 'string') return;
    const stdin = o.source.uri === 'stdin';
    if (secondPass && !stdin) return; // files: read in the first pass
    const labels = (obj.metadata as any)?.labels;
    const where = `${o.source.name}:${o.location.line}`;
    const previous = this.known.get(name);
    if (previous !== undefined) {
      if (previous.labels !== pssLabels(labels)) {
        this.error({
          file: o.source.name,
          uri: o.source.uri,
          line: o.location.line,
          index: o.index,
          message: `conflicting Namespace ${name}: its Pod Security labels here differ from those at ${previous.where}; the first is used. Fix: audit one dump of the cluster.`,
        });
      }
      return;
    }
    const early = this.judgedEarly.get(name);
    if (early !== undefined) {
      this.error({
        file: o.source.name,
        uri: o.source.uri,
        line: o.location.line,
        index: o.index,
        message: `Namespace ${name} comes after objects in it (the first at ${early}): on standard input Namespaces must come first, so those objects were judged at the cluster defaults. Fix: kubectl get ns,pods -A -o json writes Namespaces first; or audit a file, which may be in any order.`,
      });
    }
    const { policy, problems } = policyFromLabels(labels, this.cluster.defaults);
    for (const problem of problems) {
      this.error({ file: o.source.name, uri: o.source.uri, line: o.location.line, index: o.index, message: `Namespace ${name}: ${problem}` });
    }
    this.known.set(name, { labels: pssLabels(labels), where, policy, problems, fromStdin: stdin });
  }

  public judge(
    obj: Record<string, unknown>,
    namespace: string | null,
    judge: (obj: Record<string, unknown>, level: PolicyLevel, version: string) => Judged,
  ): Judged & { judgement?: NamespaceJudgement } {
    const ns = namespace ?? 'default'; // kubectl apply puts an object without a namespace there
    const known = this.known.get(ns);
    const runtimeClass = (podTemplateOf(obj)?.spec as any)?.runtimeClassName;
    const exempt = this.cluster.exemptNamespaces.has(ns) || (typeof runtimeClass === 'string' && this.cluster.exemptRuntimeClasses.has(runtimeClass));
    const source: NamespaceJudgement['source'] = exempt ? 'exempt' : known !== undefined && known.labels !== '[]' ? 'labels' : 'defaults';
    const policy = known?.policy ?? this.cluster.defaults;
    const mode = (m: LevelVersion): ModePolicy => ({ level: exempt ? PolicyLevel.PRIVILEGED : m.level, version: resolveVersion(m.version) });
    const enforce = mode(policy.enforce);
    const j = judge(obj, enforce.level, enforce.version);
    // Only pod-bearing objects are judged at a namespace's policy: a cluster-scoped object (a
    // ClusterRole, a CRD, a Namespace; no namespace, so "default" above) or a ConfigMap says nothing
    // about a missing Namespace, and is never "judged at the defaults".
    if (!j.result.applicable) return j;
    if (known === undefined) {
      this.missing.add(ns);
      if (!this.judgedEarly.has(ns)) this.judgedEarly.set(ns, `${String(obj.kind)} ${String((obj.metadata as any)?.name)}`);
    }
    const warn = mode(policy.warn);
    const audit = mode(policy.audit);
    const same = (m: ModePolicy): boolean => m.level === enforce.level && m.version === enforce.version;
    const at = (m: ModePolicy): Violation[] => {
      if (m.level === PolicyLevel.PRIVILEGED) return [];
      return same(m) ? j.result.violations : judge(obj, m.level, m.version).result.violations;
    };
    const warnings = at(warn);
    const audits = at(audit);
    const latest = PodSecurity.latestVersion();
    const restrictedWouldReject = enforce.level === PolicyLevel.RESTRICTED && enforce.version === latest
      ? !j.result.allowed
      : !judge(obj, PolicyLevel.RESTRICTED, latest).result.allowed;
    const podsRejected = obj.kind !== 'Pod';
    const c = this.counts.get(ns) ?? { source, policy, audited: 0, rejected: 0, warned: 0, audits: 0, restricted: 0 };
    c.audited++;
    if (!j.result.allowed) c.rejected++;
    if (warnings.length > 0) c.warned++;
    if (audits.length > 0) c.audits++;
    if (restrictedWouldReject) c.restricted++;
    this.counts.set(ns, c);
    return { ...j, judgement: { namespace: ns, source, enforce, warn, audit, podsRejected, warnings, audits, restrictedWouldReject } };
  }

  public finish(stderr: { write(chunk: string): unknown } | undefined): void {
    const missing = [...this.missing].filter(n => !this.known.has(n));
    if (missing.length > 0 && stderr !== undefined) {
      stderr.write(`warning: --by-namespace: no Namespace object in the input for ${missing.length} namespace${missing.length === 1 ? '' : 's'} (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}): `
        + 'judged at the cluster defaults. Fix: include them: kubectl get ns,pods -A -o json\n');
    }
  }

  public summaries(): NamespaceSummary[] {
    const lv = (m: LevelVersion): string => `${m.level}:${m.version}`;
    return [...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([namespace, c]) => ({
      namespace,
      source: c.source,
      enforce: c.source === 'exempt' ? 'exempt' : lv(c.policy.enforce),
      warn: lv(c.policy.warn),
      audit: lv(c.policy.audit),
      audited: c.audited,
      rejected: c.rejected,
      warned: c.warned,
      audits: c.audits,
      restrictedWouldReject: c.restricted,
    }));
  }
}
