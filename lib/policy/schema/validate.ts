/**
 * Valid as the API server validates: the problems for which the API server would reject an object,
 * as kubectl sends it, before any admission runs. Each is a finding of its own ("invalid"), not a Pod
 * Security denial. Checked:
 * - the field set of every type (strict field validation: an unknown field is an error), from the
 *   table generated from the Kubernetes OpenAPI (`table.generated.ts`, `npm run schema:generate`);
 *   every object is closed except maps and fields that preserve unknown fields (`any`);
 * - the shape of each value: an object, an array, a map; integers (int32 fields within 32 bits) and
 *   booleans where the API reads them; a string where the API reads a string (a number only where it
 *   reads a quantity, or in a type whose quantities the table cannot tell: see the generator);
 * - user and group IDs in 0 … 2147483647 (`../ids.ts`);
 * - a pod (template) without containers; a volumeMount naming no volume of its pod (for a StatefulSet,
 *   whose template the API server checks less, as its pods will be checked: claim templates count as volumes);
 *   two containers of one pod with the same name (init, regular and ephemeral containers share one set of
 *   names); a volumeMount whose `subPath`/`subPathExpr` is absolute or has a `..` segment, or that sets both.
 *
 * Kinds outside the table (custom resources, kinds out of scope, versions the pinned Kubernetes
 * does not serve) are "schema unknown": not checked. Defaulting, conversion and mutating admission
 * are out of scope. Pure: no cdk8s. See docs/validation.md.
 */
import { SCHEMA_KUBERNETES_VERSION, SCHEMA_ROOTS, SCHEMA_TYPES } from './table.generated';
import { isValidId, MAX_ID } from '../ids';
import { CONTAINER_LISTS, podTemplateOf, podTemplatePath } from '../k8s-shapes';

/** What kind of problem the API server would reject. */
export type ApiProblemCode = 'unknown-field' | 'type' | 'id-range' | 'no-containers' | 'volume-not-found' | 'duplicate-name' | 'sub-path';

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

/** A compiled descriptor: an array or map of a descriptor, a primitive, or a type's fields. */
interface Desc {
  readonly array?: Desc;
  readonly map?: Desc;
  readonly primitive?: string;
  readonly type?: string;
}
const descs = new Map<string, Desc>();
const typeFields = new Map<string, ReadonlyMap<string, Desc> | null>();

function desc(d: string): Desc {
  let out = descs.get(d);
  if (out === undefined) {
    out = d.startsWith('[') ? { array: desc(d.slice(1)) }
      : d.startsWith('{') ? { map: desc(d.slice(1)) }
        : PRIMITIVES.has(d) ? { primitive: d } : { type: d };
    descs.set(d, out);
  }
  return out;
}
const PRIMITIVES = new Set(['any', 'string', 'quantity', 'int-or-string', 'int32', 'integer', 'number', 'boolean']);
const MAX_INT32 = 2147483647;

/** The fields of a type of the table (parsed once), or undefined when the table has no such type. */
function fieldsOf(type: string): ReadonlyMap<string, Desc> | undefined {
  let fields = typeFields.get(type);
  if (fields === undefined) {
    const raw = SCHEMA_TYPES[type];
    fields = raw === undefined ? null : new Map(Object.entries(JSON.parse(raw) as Record<string, string>).map(([k, v]) => [k, desc(v)]));
    typeFields.set(type, fields);
  }
  return fields ?? undefined;
}

/** A path, built into a string only when a problem names it. */
interface Path {
  readonly parent?: Path;
  readonly key: string | number;
}
function pathString(p: Path | undefined): string {
  if (p === undefined) return '';
  const parent = pathString(p.parent);
  if (typeof p.key === 'number') return `${parent}[${p.key}]`;
  if (p.key.startsWith('[')) return `${parent}${p.key}`;
  return parent === '' ? p.key : `${parent}.${p.key}`;
}

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
  walk(o, desc(type), undefined, problems);
  podProblems(o, problems);
  return { schema: 'known', problems };
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function walk(value: unknown, d: Desc, path: Path | undefined, out: ApiProblem[]): void {
  if (value === null || value === undefined) return; // null is "unset" to the API server's decoder
  if (d.array !== undefined) {
    if (!Array.isArray(value)) return void out.push(typeProblem(path, 'an array', value));
    for (let i = 0; i < value.length; i++) walk(value[i], d.array, { parent: path, key: i }, out);
    return;
  }
  if (d.map !== undefined) {
    if (typeof value !== 'object' || Array.isArray(value)) return void out.push(typeProblem(path, 'an object (a map)', value));
    for (const k of Object.keys(value)) walk((value as Record<string, unknown>)[k], d.map, { parent: path, key: `[${JSON.stringify(k)}]` }, out);
    return;
  }
  if (d.primitive !== undefined) {
    const expected = primitiveProblem(value, d.primitive);
    if (expected !== undefined) out.push(typeProblem(path, expected, value));
    return;
  }
  const type = d.type!;
  const fields = fieldsOf(type);
  if (fields === undefined) return; // not in the table: the generator follows every reference, so this is not reached
  if (typeof value !== 'object' || Array.isArray(value)) return void out.push(typeProblem(path, 'an object', value));
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const field = fields.get(key);
    const v = record[key];
    if (field === undefined) {
      out.push(unknownField(pathString({ parent: path, key }), type, key));
    } else if (field.primitive !== undefined) {
      // leaves inline: no path is built unless they are wrong
      if (v === null || v === undefined) continue;
      const expected = primitiveProblem(v, field.primitive);
      if (expected !== undefined) out.push(typeProblem({ parent: path, key }, expected, v));
    } else {
      walk(v, field, { parent: path, key }, out);
    }
  }
  const ids = ID_FIELDS[type];
  if (ids !== undefined) {
    for (const field of ids) {
      const v = record[field];
      if (v !== undefined && v !== null) idRange(v, { parent: path, key: field }, out);
    }
  }
}

/** What a primitive value should be, when it is not (undefined when it is fine). */
function primitiveProblem(value: unknown, primitive: string): string | undefined {
  switch (primitive) {
    case 'any': return undefined;
    // the decoder reads a JSON number into a Go string field as an error ("cannot unmarshal number into Go
    // struct field EnvVar.value of type string"); quantities (resources, emptyDir sizeLimit) also read numbers
    case 'string': return typeof value === 'string' ? undefined : 'a string';
    case 'quantity': return typeof value === 'string' || typeof value === 'number' ? undefined : 'a quantity (a string or a number)';
    // IntOrString reads a number into an int32
    case 'int-or-string': return typeof value === 'string' || isInt32(value) ? undefined : 'an integer (32 bits) or a string';
    case 'int32': return isInt32(value) ? undefined : `an integer in ${-MAX_INT32 - 1} … ${MAX_INT32}`;
    case 'integer': return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2 ** 63 ? undefined : 'an integer';
    case 'number': return typeof value === 'number' ? undefined : 'a number';
    default: return typeof value === 'boolean' ? undefined : 'a boolean (true or false)';
  }
}

function isInt32(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= -MAX_INT32 - 1 && value <= MAX_INT32;
}

function typeProblem(at: Path | undefined, expected: string, value: unknown): ApiProblem {
  const path = pathString(at);
  return {
    code: 'type',
    path,
    message: `${path} must be ${expected}, not ${kindOf(value)}`,
    fix: `Write ${path} as ${expected}.`,
  };
}

function unknownField(path: string, type: string, key: string): ApiProblem {
  const containerOnly = type === 'V1PodSecurityContext' && fieldsOf('V1SecurityContext')?.has(key) === true;
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

function idRange(value: unknown, at: Path, out: ApiProblem[]): void {
  // the path is built only for a problem (every securityContext of every object comes here)
  const problem = (v: unknown, p: Path): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || isValidId(v)) return;
    const path = pathString(p);
    out.push({
      code: 'id-range',
      path,
      message: `${path}: Invalid value: ${v}: must be between 0 and ${MAX_ID}, inclusive`,
      fix: `Use a user or group ID in 0 … ${MAX_ID}.`,
    });
  };
  if (Array.isArray(value)) value.forEach((v, i) => problem(v, { parent: at, key: i }));
  else problem(value, at);
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
  // names: regular containers first, then init, then ephemeral, as the API server checks them
  const names = new Set<string>();
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c: any, i: number) => {
      if (typeof c?.name !== 'string') return;
      if (names.has(c.name)) {
        const p = `${specPath}.${list}[${i}].name`;
        out.push({
          code: 'duplicate-name',
          path: p,
          message: `${p}: Duplicate value: ${JSON.stringify(c.name)}`,
          fix: 'Give each container of the pod (init, regular and ephemeral) its own name.',
        });
      }
      names.add(c.name);
    });
  }
  for (const list of CONTAINER_LISTS) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c: any, i: number) => {
      const mounts = c?.volumeMounts;
      if (!Array.isArray(mounts)) return;
      mounts.forEach((m: any, j: number) => subPathProblems(m, `${specPath}.${list}[${i}].volumeMounts[${j}]`, out));
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

/** A subPath or subPathExpr the API server rejects: absolute, with a `..` segment, or both set (validateLocalDescendingPath). */
function subPathProblems(m: any, at: string, out: ApiProblem[]): void {
  for (const field of ['subPath', 'subPathExpr']) {
    const v = m?.[field];
    if (typeof v !== 'string' || v === '') continue;
    const p = `${at}.${field}`;
    const why = v.startsWith('/') ? 'must be a relative path' : v.split('/').includes('..') ? "must not contain '..'" : undefined;
    if (why !== undefined) {
      out.push({
        code: 'sub-path',
        path: p,
        message: `${p}: Invalid value: ${JSON.stringify(v)}: ${why}`,
        fix: 'Name a directory inside the volume, relative and without ".." segments.',
      });
    }
  }
  if (typeof m?.subPath === 'string' && m.subPath !== '' && typeof m?.subPathExpr === 'string' && m.subPathExpr !== '') {
    out.push({
      code: 'sub-path',
      path: `${at}.subPathExpr`,
      message: `${at}.subPathExpr: Invalid value: ${JSON.stringify(m.subPathExpr)}: subPathExpr and subPath are mutually exclusive`,
      fix: 'Set subPath or subPathExpr, not both.',
    });
  }
}

/** One line per problem, for messages. */
export function describeApiProblems(problems: readonly ApiProblem[]): string {
  return problems.map(p => `${p.message}. Fix: ${p.fix}`).join('\n');
}
