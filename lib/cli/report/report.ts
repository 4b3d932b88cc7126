/**
 * The audit report model shared by the reporters (`report-text.ts`, `report-json.ts`,
 * `report-sarif.ts`). Reporters (`ReportWriter`) get each `AuditRecord` as it is produced and
 * the `AuditEnd`; they read nothing else.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ManifestError } from '../../manifests/manifest-objects';
import type { AmbiguousPlace } from '../../manifests/yaml-differences';
import type { ApiProblem } from '../../policy/schema/validate';
import type { EvaluationResult, PolicyLevel, Violation } from '../../policy/types';
import type { DockerfileAudit } from '../dockerfile';

/** The default `automationDetails` category of the SARIF report (`--sarif-category`; `report-sarif.ts`). */
export const DEFAULT_SARIF_CATEGORY = 'cdk8s-rootless-audit';

/** The audit of one object. */
export interface AuditRecord {
  /** Display name of the input. */
  readonly file: string;
  /** SARIF URI of the input. */
  readonly uri: string;
  /** 0-based document index in the input. */
  readonly index: number;
  /** 0-based index in the document's List `items`, for List items. */
  readonly item?: number;
  readonly apiVersion: string | null;
  readonly kind: string | null;
  readonly namespace: string | null;
  readonly name: string | null;
  /** Where the object starts (lazy for List items: read it only when needed). */
  readonly location: { readonly line: number };
  /**
   * The evaluation. For a Dockerfile, its violations are the image checks' findings, each
   * also carrying `line` (of the USER or FROM instruction), `stage` and `stageName`.
   */
  readonly result: EvaluationResult;
  /** Set for a Dockerfile (`kind: 'Dockerfile'`): its stages and findings. */
  readonly dockerfile?: DockerfileAudit;
  /**
   * Why the API server would reject the object as it is (`lib/policy/schema/validate.ts`): a finding
   * of its own, not a Pod Security denial. Absent or empty when it would accept it, or when its schema is
   * unknown (`schema`).
   */
  readonly invalid?: readonly ApiProblem[];
  /** `unknown` for kinds the API validation has no schema for (custom resources …): not validated. */
  readonly schema?: 'known' | 'unknown';
  /**
   * Set when the object's pod cannot be evaluated: it has no pod template, or no containers (e.g. a
   * kustomize patch). Pod Security admission evaluates such a template and allows it unless its pod-level
   * fields violate the level; such an object is skipped, not denied. The reason.
   */
  readonly notEvaluable?: string;
  /** Notes that are neither violations nor invalid (e.g. a capability name Pod Security and the runtime read differently). */
  readonly notes?: readonly string[];
  /**
   * With `--exemptions honor`: the violations a valid declared exemption covers (they are not
   * in `result.violations`, and do not deny the object).
   */
  readonly accepted?: readonly AcceptedViolation[];
  /** With `--by-namespace`: the policy of the object's namespace, and the warn and audit findings. */
  readonly namespacePolicy?: NamespaceJudgement;
  /**
   * Where a YAML 1.2 reader would read the object's text otherwise than kubectl, at a field the
   * rules read or `harden` edits, or through a merge key (`lib/manifests/yaml-differences.ts`).
   * A warning: the verdict is made on kubectl's reading (`--strict` makes it a failure).
   */
  readonly ambiguous?: readonly AmbiguousPlace[];
  /**
   * The text the object was read from, while it is being reported (for positions of fields);
   * reporters must not keep it.
   */
  readonly text?: ObjectText;
}

/** The text of one object and where it starts in its input. */
export interface ObjectText {
  readonly text: string;
  /** Offset of the object's document (or streamed item) in `text`. */
  readonly start: number;
  /** Its end (exclusive). */
  readonly end: number;
  /** 1-based line, in the input, of `text[start]`. */
  readonly line: number;
  /** Where the object is in that document's value: '' for the document itself, `items[3]` for an item of a List read whole. */
  readonly path: string;
}

/** A violation covered by declared exemptions (`--exemptions honor`). */
export interface AcceptedViolation extends Violation {
  /** The exemptions that cover it, with their reasons. */
  readonly exemptions: readonly { readonly id: string; readonly container: string | null; readonly reason: string }[];
}

/** One mode (enforce, warn, audit) of a namespace's Pod Security policy. */
export interface ModePolicy {
  readonly level: PolicyLevel;
  /** `latest` resolved to a concrete version. */
  readonly version: string;
}

/** How `--by-namespace` judged an object. */
export interface NamespaceJudgement {
  /** The namespace (`default` for an object without one). */
  readonly namespace: string;
  /** Where the policy came from: the Namespace's labels, the cluster defaults, or an exemption of the admission configuration. */
  readonly source: 'labels' | 'defaults' | 'exempt';
  readonly enforce: ModePolicy;
  readonly warn: ModePolicy;
  readonly audit: ModePolicy;
  /** True for workloads and templates: PodSecurity admits the object itself, and rejects its pods. */
  readonly podsRejected?: boolean;
  /** Violations at the warn level and version (kubectl prints them as warnings). */
  readonly warnings: readonly Violation[];
  /** Violations at the audit level and version (recorded in the API server's audit log). */
  readonly audits: readonly Violation[];
  /** Whether `restricted` (latest) would reject the object's pods if the namespace enforced it. */
  readonly restrictedWouldReject: boolean;
}

/** Per-namespace counts of `--by-namespace`. */
export interface NamespaceSummary {
  readonly namespace: string;
  readonly source: 'labels' | 'defaults' | 'exempt';
  /** e.g. `restricted:latest`. */
  readonly enforce: string;
  readonly warn: string;
  readonly audit: string;
  /** Pod-bearing objects audited in it. */
  readonly audited: number;
  /** Objects its enforce policy rejects (Pods), or whose pods it would reject (workloads). */
  readonly rejected: number;
  readonly warned: number;
  readonly audits: number;
  /** Objects `restricted` (latest) would reject if the namespace enforced it ("what if"). */
  readonly restrictedWouldReject: number;
}

/**
 * Counts. Every object read is in exactly one of `skipped`, `allowed`, `denied`:
 * `objects = audited + skipped` and `audited = allowed + denied`. An object is each
 * non-empty YAML/JSON document with a `kind`, or each item of a List (the List itself is not one);
 * a mapping without `kind` (a Helm values.yaml) is not a Kubernetes object, and is counted in
 * `notKubernetes` only. `invalid` counts objects the API server would reject (any of them may also
 * be allowed or denied).
 * `errors` counts inputs, documents and items that could not be read or parsed (they
 * hold no countable object) and is the length of the report's `errors`.
 *
 * Dockerfiles are objects too: each is one audited object of kind `Dockerfile` (allowed
 * when its final stage ends with a numeric, non-zero USER; at `--level baseline`, which
 * admits root pods, always allowed unless it has no FROM).
 */
export interface AuditSummary {
  readonly objects: number;
  /** Objects that carry a pod (template) and were evaluated. */
  readonly audited: number;
  readonly allowed: number;
  /** Audited objects the level does not allow (including malformed ones). */
  readonly denied: number;
  /**
   * Objects of kinds that carry no pod template (ConfigMap, Service ...), and pod-bearing objects that
   * are not evaluable (`notEvaluable`): not applicable.
   */
  readonly skipped: number;
  /** Of `skipped`: pod-bearing objects without a pod template or without containers (not evaluable). */
  readonly notEvaluable: number;
  /** Objects the API server would reject as they are (`AuditRecord.invalid`). */
  readonly invalid: number;
  /** Documents that are not Kubernetes objects (no `kind`): not among `objects`. */
  readonly notKubernetes: number;
  readonly errors: number;
}

/** The end of an audit, as reporters see it (records were written as they came). */
export interface AuditEnd {
  readonly level: PolicyLevel;
  /** The concrete policy version evaluated (`latest` resolved). */
  readonly version: string;
  readonly summary: AuditSummary;
  /** Every input, document or item that could not be read, parsed or evaluated, in input order. */
  readonly errors: readonly ManifestError[];
  /** Dockerfiles among the objects. */
  readonly dockerfiles: number;
  /** With `--exemptions honor`: violations accepted through exemptions. */
  readonly accepted: number;
  /** Places where YAML 1.1 and 1.2 readers differ: ambiguous ones (warnings) and the others (only counted). */
  readonly yaml?: { readonly ambiguous: number; readonly otherDifferences: number };
  /** With `--by-namespace`: per namespace, in name order. */
  readonly namespaces?: readonly NamespaceSummary[];
}

/**
 * A reporter: gets every record as it is produced and writes what it can at once; keeps only
 * what its final summary needs.
 */
export interface ReportWriter {
  record(record: AuditRecord): void;
  error(error: ManifestError): void;
  end(end: AuditEnd): void;
}

/** A violation of a Dockerfile record: where and in which stage. */
export interface DockerfileViolation extends Violation {
  /** 1-based line of the USER (or final FROM) instruction. */
  readonly line?: number;
  /** 0-based index of the final stage. */
  readonly stage?: number;
  readonly stageName?: string | null;
}

/** `namespace/name`, `name`, or `(unnamed)`. */
export function objectName(record: Pick<AuditRecord, 'namespace' | 'name'>): string {
  const name = record.name ?? '(unnamed)';
  return record.namespace ? `${record.namespace}/${name}` : name;
}

/** `doc 2` or `doc 0 items[3]`. */
export function documentRef(record: Pick<AuditRecord, 'index' | 'item'>): string {
  return record.item === undefined ? `doc ${record.index}` : `doc ${record.index} items[${record.item}]`;
}

let packageVersion: string | undefined;

/**
 * This package's version: from the nearest package.json above this module whose name is
 * cdk8s-rootless's (the library's, or the CLI package's). The module runs from lib/cli/report/ file by
 * file, and from lib/cli/ when bundled (the bins' bundle.js, the CLI package), so the distance varies.
 */
export function toolVersion(): string {
  if (packageVersion === undefined) {
    packageVersion = '0.0.0';
    for (let dir = __dirname, up = 0; up < 5; dir = path.dirname(dir), up++) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
        if (typeof pkg.name === 'string' && pkg.name.startsWith('cdk8s-rootless')) {
          packageVersion = String(pkg.version);
          break;
        }
      } catch {
        // no package.json here: look one folder up
      }
    }
  }
  return packageVersion;
}

/** Where the project lives (SARIF `informationUri`). */
export const INFORMATION_URI = 'https://github.com/cdk8s-rootless/cdk8s-rootless';

/** The Pod Security Standards reference. */
export const PSS_URI = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';
