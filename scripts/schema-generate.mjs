#!/usr/bin/env node
/**
 * Derives lib/policy/schema/table.generated.ts, the field sets of the Kubernetes API types that
 * the validator (lib/policy/schema/validate.ts) checks, from the models of @kubernetes/client-node
 * (a devDependency, generated from the Kubernetes OpenAPI; each model class lists its fields in
 * `attributeTypeMap`). Nothing here writes a field list by hand: only the root kinds in scope.
 *
 *   npm run schema:generate            rewrites the table
 *   node scripts/schema-generate.mjs --stdout   prints it (test/policy/schema.test.ts compares)
 *
 * See docs/validation.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const pkgJson = require.resolve('@kubernetes/client-node/package.json');
const pkgDir = dirname(pkgJson);
const clientVersion = JSON.parse(readFileSync(pkgJson, 'utf8')).version;
const modelsDir = join(pkgDir, 'dist', 'gen', 'models');

/** The kinds in scope: apiVersion, kind, model class. The pod-bearing kinds, Namespace, ServiceAccount, RBAC and admission policies. */
const ROOTS = [
  ['v1', 'Pod', 'V1Pod'],
  ['v1', 'PodTemplate', 'V1PodTemplate'],
  ['v1', 'ReplicationController', 'V1ReplicationController'],
  ['apps/v1', 'ReplicaSet', 'V1ReplicaSet'],
  ['apps/v1', 'Deployment', 'V1Deployment'],
  ['apps/v1', 'DaemonSet', 'V1DaemonSet'],
  ['apps/v1', 'StatefulSet', 'V1StatefulSet'],
  ['batch/v1', 'Job', 'V1Job'],
  ['batch/v1', 'CronJob', 'V1CronJob'],
  ['v1', 'Namespace', 'V1Namespace'],
  ['v1', 'ServiceAccount', 'V1ServiceAccount'],
  ['rbac.authorization.k8s.io/v1', 'Role', 'V1Role'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'V1ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'V1RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'V1ClusterRoleBinding'],
  ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', 'V1ValidatingAdmissionPolicy'],
  ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', 'V1ValidatingAdmissionPolicyBinding'],
];

const PRIMITIVES = { string: 'string', boolean: 'boolean', Date: 'string', any: 'any', IntOrString: 'int-or-string' };

const kebab = name => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();

async function model(name) {
  const file = join(modelsDir, `${name.replace(/^[A-Z]/, c => c.toLowerCase())}.js`);
  const candidates = [join(modelsDir, `${name}.js`), file];
  for (const c of candidates) {
    try {
      readFileSync(c);
      const mod = await import(pathToFileURL(c).href);
      if (mod[name]?.getAttributeTypeMap) return mod[name].getAttributeTypeMap();
    } catch { /* next */ }
  }
  throw new Error(`no model ${name} in ${modelsDir} (${kebab(name)})`);
}

/**
 * The fields that are quantities (resource.Quantity, which the API server also reads from a JSON
 * number). client-node types them as plain strings; the OpenAPI types of cdk8s-plus-27's imports (a
 * dependency, generated from the Kubernetes OpenAPI) keep the Quantity type: each `@schema
 * io.k8s...Type#field` tag followed by a Quantity (or a map of Quantity) marks `Type#field`. A type
 * the imports do not list (status types, types newer than the imports) cannot be told apart: its
 * string fields are read as quantities (a string or a number), so that no valid object is reported.
 */
const IMPORTS = (() => {
  const dts = readFileSync(require.resolve('cdk8s-plus-27/lib/imports/k8s.d.ts'), 'utf8');
  const quantities = new Set();
  const types = new Set();
  for (const m of dts.matchAll(/@schema io\.k8s\.[\w.]+\.(\w+)#(\w+)\s*\*\/\s*readonly \w+\??: ([^\n]*)\n(\s*\[key: string\]: Quantity;)?/g)) {
    types.add(m[1]);
    if (m[3] === 'Quantity;' || m[4] !== undefined) quantities.add(`${m[1]}#${m[2]}`);
  }
  if (!quantities.has('EmptyDirVolumeSource#sizeLimit') || !quantities.has('ResourceRequirements#limits')) {
    throw new Error('no Quantity fields found in cdk8s-plus-27/lib/imports/k8s.d.ts');
  }
  return { quantities, types };
})();

/** Whether a string field of a client-node type is a quantity (or may be one). */
function isQuantity(model, field) {
  const type = model.replace(/^(?:[A-Z][a-z]+)*V\d+(?:alpha\d+|beta\d+)?(?=[A-Z])/, '');
  return !IMPORTS.types.has(type) || IMPORTS.quantities.has(`${type}#${field}`);
}

/** The descriptor of a client-node type string: `[X` array, `{X` map, a primitive or a type name. */
function descriptor(type, format, queue, quantity = false) {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return `[${descriptor(array[1], format, queue, quantity)}`;
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return `{${descriptor(map[1], format, queue, quantity)}`;
  // the decoder reads an int32 field into 32 bits: a larger number is rejected
  if (type === 'number') return format === 'int32' ? 'int32' : format === 'int64' ? 'integer' : 'number';
  if (type === 'string' && quantity) return 'quantity';
  if (PRIMITIVES[type]) return PRIMITIVES[type];
  if (!/^[A-Za-z0-9]+$/.test(type)) throw new Error(`unknown type ${type}`);
  queue.push(type);
  return type;
}

const types = new Map();
const queue = ROOTS.map(r => r[2]);
while (queue.length > 0) {
  const name = queue.shift();
  if (types.has(name)) continue;
  const fields = {};
  for (const a of await model(name)) fields[a.baseName] = descriptor(a.type, a.format ?? '', queue, isQuantity(name, a.baseName));
  types.set(name, fields);
}

const k8sVersion = /OpenAPI spec version: v(\d+\.\d+\.\d+)/.exec(readFileSync(join(modelsDir, 'V1Pod.js'), 'utf8'))?.[1];
if (!k8sVersion) throw new Error('no OpenAPI spec version in the V1Pod model');

const lines = [
  '// Generated by scripts/schema-generate.mjs from @kubernetes/client-node ' + clientVersion + ' (Kubernetes ' + k8sVersion + '). Do not edit: npm run schema:generate.',
  '',
  '/** The Kubernetes version whose OpenAPI the table comes from. */',
  `export const SCHEMA_KUBERNETES_VERSION = '${k8sVersion}';`,
  '',
  '/** apiVersion/kind -> the type of the object. */',
  'export const SCHEMA_ROOTS: Readonly<Record<string, string>> = {',
  ...ROOTS.map(([apiVersion, kind, model]) => `  '${apiVersion}/${kind}': '${model}',`),
  '};',
  '',
  '/**',
  ' * Type -> field -> descriptor, one type per line (a JSON object): `[X` an array of X, `{X` a map of',
  ' * X, `string`, `quantity` (a string or a number), `int32`, `integer` (64 bits), `number`, `boolean`, `int-or-string`,',
  ' * `any` (preserves unknown fields) or a type.',
  ' */',
  'export const SCHEMA_TYPES: Readonly<Record<string, string>> = {',
  ...[...types.keys()].sort().map(name => `  ${name}: '${JSON.stringify(types.get(name))}',`),
  '};',
  '',
];
const out = lines.join('\n');
if (process.argv.includes('--stdout')) process.stdout.write(out);
else writeFileSync(join(root, 'lib', 'policy', 'schema', 'table.generated.ts'), out);
