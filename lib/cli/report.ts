/**
 * The audit report model shared by the reporters (`report-text.ts`, `report-json.ts`,
 * `report-sarif.ts`). Reporters turn an `AuditReport` into text; they read nothing else.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DockerfileAudit } from './dockerfile';
import type { ManifestError } from './manifest-parser';
import type { EvaluationResult, PolicyLevel, Violation } from '../policy/types';

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
}

/**
 * Counts. Every object read is in exactly one of `skipped`, `allowed`, `denied`:
 * `objects = audited + skipped` and `audited = allowed + denied`. An object is each
 * non-empty YAML/JSON document, or each item of a List (the List itself is not one).
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
   * Objects of kinds that carry no pod template (ConfigMap, Service ...), and mappings without
   * `kind` (e.g. a Helm values.yaml met while recursing; the API server would refuse them): not applicable.
   */
  readonly skipped: number;
  readonly errors: number;
}

/** The outcome of an audit, as reporters see it. */
export interface AuditReport {
  readonly level: PolicyLevel;
  /** The concrete policy version evaluated (`latest` resolved). */
  readonly version: string;
  readonly summary: AuditSummary;
  /** Every object read, in input order. */
  readonly records: readonly AuditRecord[];
  /** Every input, document or item that could not be read, parsed or evaluated, in input order. */
  readonly errors: readonly ManifestError[];
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

/** This package's version (from its package.json). */
export function toolVersion(): string {
  if (packageVersion === undefined) {
    try {
      packageVersion = String(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
    } catch {
      packageVersion = '0.0.0';
    }
  }
  return packageVersion;
}

/** Where the project lives (SARIF `informationUri`). */
export const INFORMATION_URI = 'https://github.com/cdk8s-rootless/cdk8s-rootless';

/** The Pod Security Standards reference. */
export const PSS_URI = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';
