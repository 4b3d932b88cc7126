/**
 * Valid as the API server validates: the problems for which the API server would reject an object,
 * as kubectl sends it, before any admission runs. Each is a finding of its own ("invalid"), not a Pod
 * Security denial. Checked:
 * - the field set of every type (strict field validation: an unknown field is an error), from the
 *   table generated from the Kubernetes OpenAPI (`table.generated.ts`, `npm run schema:generate`);
 *   every object is closed except maps and fields that preserve unknown fields (`any`);
 * - the shape of each value: an object, an array, a map; integers and booleans where the API reads
 *   them (a string where the API reads a string may also be a number: quantities are);
 * - user and group IDs in 0 … 2147483647 (`../ids.ts`);
 * - a pod (template) without containers; a volumeMount naming no volume of its pod (for a StatefulSet,
 *   whose template the API server checks less, as its pods will be checked: claim templates count as volumes).
 *
 * Kinds outside the table (custom resources, kinds out of scope, versions the pinned Kubernetes
 * does not serve) are "schema unknown": not checked. Defaulting, conversion and mutating admission
 * are out of scope. Pure: no cdk8s. See docs/validation.md.
 */
import { SCHEMA_KUBERNETES_VERSION, SCHEMA_ROOTS, SCHEMA_TYPES } from './table.generated';
import { isValidId, MAX_ID } from '../ids';
import { CONTAINER_LISTS, podTemplateOf, podTemplatePath } from '../k8s-shapes';

/** What kind of problem the API server would reject. */
export type ApiProblemCode = 'unknown-field' | 'type' | 'id-range' | 'no-containers' | 'volume-not-found';

/** One reason the API server would reject an object. */
export interface ApiProblem {
  readonly code: ApiProblemCode;
  /** Where, as the API server names it (`spec.template.spec.securityContext.privileged`). */
  readonly path: string;
  /** What is wrong (the API server's reading). */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** The validation of one object. */
export interface ApiValidation {
  /** `known`: its apiVersion and kind are in the table and it was checked; `unknown`: not checked. */
  readonly schema: 'known' | 'unknown';
  /** Why the schema is unknown. */
  readonly unknownReason?: string;
  /** Empty when the API server would accept it (as far as checked). */
  readonly problems: readonly ApiProblem[];
}

/** The Kubernetes version the field sets come from. */
export const API_SCHEMA_VERSION = SCHEMA_KUBERNETES_VERSION;

const parsed = new Map<string, Readonly<Record<string, string>>>();
function fieldsOf(type: string): Readonly<Record<string, string>> | undefined {
  let fields = parsed.get(type);
  if (fields === undefined) {
    const raw = SCHEMA_TYPES[type];
    if (raw === undefined) return undefined;
    fields = JSON.parse(raw) as Record<string, string>;
    parsed.set(type, fields);
  }
  return fields;
}

const hasOwn = Object.prototype.hasOwnProperty;
const ID_FIELDS: Readonly<Record<string, readonly string[]>> = {
  V1PodSecurityContext: ['runAsUser', 'runAsGroup', 'fsGroup', 'supplementalGroups'],
  V1SecurityContext: ['runAsUser', 'runAsGroup'],
};

/** The type of an apiVersion/kind in the table, or undefined. */
export function schemaTypeOf(apiVersion: unknown, kind: unknown): string | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  return SCHEMA_ROOTS[`${apiVersion}/${kind}`];
}

/** Validates one object (plain JSON, as kubectl sends it) as the API server of the pinned version would. */
export function validateApiObject(obj: unknown): ApiValidation {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return { schema: 'unknown', unknownReason: 'not an object', problems: [] };
  }
  const o = obj as Record<string, unknown>;
  const type = schemaTypeOf(o.apiVersion, o.kind);
  if (type === undefined) {
    const known = Object.keys(SCHEMA_ROOTS).some(k => k.endsWith(`/${String(o.kind)}`));
    return {
      schema: 'unknown',
      unknownReason: known
        ? `${String(o.apiVersion)} ${String(o.kind)} is not a version Kubernetes ${API_SCHEMA_VERSION} serves in this table`
        : `no schema for ${String(o.apiVersion)} ${String(o.kind)} (a custom resource, or a kind this validation does not cover)`,
      problems: [],
    };
  }
  const problems: ApiProblem[] = [];
  walk(o, type, '', problems);
  podProblems(o, problems);
  return { schema: 'known', problems };
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function walk(value: unknown, descriptor: string, path: string, out: ApiProblem[]): void {
  if (value === null || value === undefined) return; // null is "unset" to the API server's decoder
  if (descriptor.startsWith('[')) {
    if (!Array.isArray(value)) return void out.push(typeProblem(path, 'an array', value));
    value.forEach((item, i) => walk(item, descriptor.slice(1), `${path}[${i}]`, out));
    return;
  }
  if (descriptor.startsWith('{')) {
    if (typeof value !== 'object' || Array.isArray(value)) return void out.push(typeProblem(path, 'an object (a map)', value));
    for (const [k, v] of Object.entries(value)) walk(v, descriptor.slice(1), `${path}[${JSON.stringify(k)}]`, out);
    return;
  }
  switch (descriptor) {
    case 'any': return;
    case 'string':
      // quantities (resources, emptyDir sizeLimit) are strings in the schema and accept numbers
      if (typeof value !== 'string' && typeof value !== 'number') out.push(typeProblem(path, 'a string', value));
      return;
    case 'int-or-string':
      if (typeof value !== 'string' && typeof value !== 'number') out.push(typeProblem(path, 'an integer or a string', value));
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) out.push(typeProblem(path, 'an integer', value));
      return;
    case 'number':
      if (typeof value !== 'number') out.push(typeProblem(path, 'a number', value));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(typeProblem(path, 'a boolean (true or false)', value));
      return;
  }
  const fields = fieldsOf(descriptor);
  if (fields === undefined) return; // not in the table: the generator follows every reference, so this is not reached
  if (typeof value !== 'object' || Array.isArray(value)) return void out.push(typeProblem(path, 'an object', value));
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!hasOwn.call(fields, key)) {
      out.push(unknownField(join(path, key), descriptor, key));
      continue;
    }
    walk(record[key], fields[key], join(path, key), out);
  }
  for (const field of ID_FIELDS[descriptor] ?? []) idRange(record[field], join(path, field), out);
}

function typeProblem(path: string, expected: string, value: unknown): ApiProblem {
  return {
    code: 'type',
    path,
    message: `${path} must be ${expected}, not ${kindOf(value)}`,
    fix: `Write ${path} as ${expected}.`,
  };
}

function unknownField(path: string, type: string, key: string): ApiProblem {
  const containerOnly = type === 'V1PodSecurityContext' && hasOwn.call(fieldsOf('V1SecurityContext') ?? {}, key);
  return {
    code: 'unknown-field',
    path,
    message: `strict decoding error: unknown field "${path}"`
      + (containerOnly ? ` (${key} is a container securityContext field: a pod's securityContext has none)` : ''),
    fix: containerOnly
      ? `Move ${key} into the securityContext of each container, and remove it from the pod's securityContext.`
      : `Remove ${key}, or check its spelling against the ${type.replace(/^V1/, '')} type of Kubernetes ${API_SCHEMA_VERSION}.`,
  };
}

function idRange(value: unknown, path: string, out: ApiProblem[]): void {
  const values = Array.isArray(value) ? value.map((v, i) => [v, `${path}[${i}]`] as const) : [[value, path] as const];
  for (const [v, p] of values) {
    if (typeof v !== 'number' || !Number.isInteger(v) || isValidId(v)) continue;
    out.push({
      code: 'id-range',
      path: p,
      message: `${p}: Invalid value: ${v}: must be between 0 and ${MAX_ID}, inclusive`,
      fix: `Use a user or group ID in 0 … ${MAX_ID}.`,
    });
  }
}

/** A pod (template) without containers, and volumeMounts naming no volume of their pod. */
function podProblems(obj: Record<string, unknown>, out: ApiProblem[]): void {
  const templatePath = podTemplatePath(obj.kind);
  if (templatePath === undefined) return;
  const specPath = [...templatePath, 'spec'].join('.');
  const spec = podTemplateOf(obj)?.spec;
  const containers = typeof spec === 'object' && spec !== null ? spec.containers : undefined;
  if (!Array.isArray(containers) || containers.length === 0) {
    out.push({
      code: 'no-containers',
      path: `${specPath}.containers`,
      message: `${specPath}.containers: Required value`,
      fix: 'Give the pod at least one container (a kustomize patch or Helm fragment is not a complete object: judge the rendered output).',
    });
    return;
  }
  // a StatefulSet's pods also get a volume per claim template (the StatefulSet controller adds them)
  const claims = obj.kind === 'StatefulSet' ? (obj.spec as any)?.volumeClaimTemplates : undefined;
  const named = [...(Array.isArray(spec.volumes) ? spec.volumes : []), ...(Array.isArray(claims) ? claims.map((c: any) => c?.metadata) : [])];
  const volumes = new Set(named.map((v: any) => v?.name).filter((n: unknown) => typeof n === 'string'));
  for (const list of CONTAINER_LISTS) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c: any, i: number) => {
      const mounts = c?.volumeMounts;
      if (!Array.isArray(mounts)) return;
      mounts.forEach((m: any, j: number) => {
        const name = m?.name;
        if (typeof name !== 'string' || volumes.has(name)) return;
        const p = `${specPath}.${list}[${i}].volumeMounts[${j}].name`;
        out.push({
          code: 'volume-not-found',
          path: p,
          message: `${p}: Not found: ${JSON.stringify(name)}`,
          fix: `Add a volume named ${JSON.stringify(name)} to ${specPath}.volumes, or mount one of its volumes.`,
        });
      });
    });
  }
}

/** One line per problem, for messages. */
export function describeApiProblems(problems: readonly ApiProblem[]): string {
  return problems.map(p => `${p.message}. Fix: ${p.fix}`).join('\n');
}
