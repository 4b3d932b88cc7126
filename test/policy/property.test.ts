/**
 * Property-based tests: random mutations of the hardened pod (and random input) never make
 * evaluate() throw, and the levels stay ordered (restricted-allowed implies baseline-allowed).
 */
import * as fc from 'fast-check';
import { allVersions, hardenedPod } from './fixtures';
import { EvaluationResult, PodSecurity, PolicyLevel } from '../../lib/policy';

type Path = (string | number)[];

const C = ['spec', 'containers', 0];
const SC = [...C, 'securityContext'];
const PSC = ['spec', 'securityContext'];

/** Fields the checks read (and some of their parents), where mutations are most interesting. */
const PATHS: Path[] = [
  ['kind'], ['apiVersion'], ['metadata'], ['metadata', 'annotations'], ['spec'],
  ['metadata', 'annotations', 'container.apparmor.security.beta.kubernetes.io/app'],
  ['metadata', 'annotations', 'seccomp.security.alpha.kubernetes.io/pod'],
  ['spec', 'hostNetwork'], ['spec', 'hostPID'], ['spec', 'hostIPC'], ['spec', 'hostUsers'], ['spec', 'os'], ['spec', 'os', 'name'],
  ['spec', 'volumes'], ['spec', 'volumes', 0], ['spec', 'volumes', 2], ['spec', 'volumes', 0, 'hostPath'], ['spec', 'volumes', 1, 'nfs'],
  ['spec', 'containers'], ['spec', 'initContainers'], ['spec', 'ephemeralContainers'], ['spec', 'ephemeralContainers', 0],
  C, [...C, 'name'], [...C, 'ports'], [...C, 'ports', 0, 'hostPort'], [...C, 'livenessProbe', 'httpGet', 'host'],
  [...C, 'lifecycle', 'preStop', 'tcpSocket', 'host'], ['spec', 'initContainers', 0, 'securityContext'],
  PSC, [...PSC, 'runAsNonRoot'], [...PSC, 'runAsUser'], [...PSC, 'seccompProfile'], [...PSC, 'seccompProfile', 'type'],
  [...PSC, 'seLinuxOptions'], [...PSC, 'appArmorProfile', 'type'], [...PSC, 'sysctls'], [...PSC, 'sysctls', 0, 'name'],
  [...PSC, 'windowsOptions', 'hostProcess'],
  SC, [...SC, 'allowPrivilegeEscalation'], [...SC, 'privileged'], [...SC, 'procMount'], [...SC, 'runAsNonRoot'], [...SC, 'runAsUser'],
  [...SC, 'capabilities'], [...SC, 'capabilities', 'drop'], [...SC, 'capabilities', 'drop', 0], [...SC, 'capabilities', 'add'],
  [...SC, 'capabilities', 'add', 0], [...SC, 'seccompProfile', 'type'], [...SC, 'seLinuxOptions', 'type'], [...SC, 'seLinuxOptions', 'user'],
  [...SC, 'appArmorProfile', 'type'], [...SC, 'windowsOptions', 'hostProcess'],
];

/** Values that flip checks, plus wrong types and arbitrary JSON. */
const VALUE = fc.oneof(
  fc.constantFrom<unknown>(
    undefined, null, true, false, 0, 1000, -1, 1.5, '', 'x', 'ALL', 'all', 'NET_BIND_SERVICE', 'NET_RAW', 'Unconfined', 'RuntimeDefault',
    'Localhost', 'Unmasked', 'Default', 'windows', 'linux', 'spc_t', 'container_t', 'kernel.msgmax', 'net.ipv4.tcp_rmem',
    'runtime/default', 'unconfined', 'localhost/p', 'Deployment', 'ConfigMap', [], {}, ['ALL'], ['SYS_ADMIN'],
    { type: 'Unconfined' }, { type: 'RuntimeDefault' }, { path: '/' }, [{ name: 'kernel.msgmax' }], { name: 'windows' },
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 2 }),
);

/** Scale with e.g. PSS_PROPERTY_RUNS=20 for a longer soak. */
const SCALE = Number(process.env.PSS_PROPERTY_RUNS ?? 1);

const MUTATION = fc.record({ path: fc.constantFrom(...PATHS), value: VALUE, remove: fc.boolean() });

/** Sets (or deletes) `path`, replacing non-object parents by objects or arrays as needed. */
function mutate(root: any, path: Path, value: unknown, remove: boolean): any {
  const top: any = { root };
  let parent: any = top;
  let key: string | number = 'root';
  for (const step of path) {
    if (typeof parent[key] !== 'object' || parent[key] === null) parent[key] = typeof step === 'number' ? [] : {};
    parent = parent[key];
    key = step;
  }
  if (remove) delete parent[key];
  else parent[key] = value;
  return top.root;
}

const VERSION = fc.constantFrom('latest', ...allVersions(), 'v1.99');

function evaluateAll(manifest: unknown, version: string): Record<PolicyLevel, EvaluationResult> {
  const at = (level: PolicyLevel) => PodSecurity.evaluate(manifest, { level, version });
  return { privileged: at(PolicyLevel.PRIVILEGED), baseline: at(PolicyLevel.BASELINE), restricted: at(PolicyLevel.RESTRICTED) };
}

function consistent(r: EvaluationResult): boolean {
  if (!r.applicable) return r.allowed && r.violations.length === 0 && r.malformed === undefined;
  return r.allowed === (r.malformed === undefined && r.violations.length === 0)
    && r.violations.every(v => v.reason.length > 0 && v.detail.length > 0 && v.fix.length > 0);
}

describe('random mutations of the hardened pod', () => {
  test('never throw, and restricted-allowed implies baseline-allowed implies privileged-allowed', () => {
    fc.assert(
      fc.property(fc.array(MUTATION, { minLength: 1, maxLength: 6 }), VERSION, (mutations, version) => {
        const manifest = mutations.reduce((m, { path, value, remove }) => mutate(m, path, value, remove), hardenedPod());
        const r = evaluateAll(manifest, version);
        if (r.restricted.allowed && !r.baseline.allowed) return false;
        if (r.baseline.allowed && !r.privileged.allowed) return false;
        if (r.privileged.violations.length > 0) return false;
        return [r.privileged, r.baseline, r.restricted].every(consistent);
      }),
      { numRuns: 1000 * SCALE },
    );
  });

  test('baseline violations are a subset of restricted ones, except the overridden checks', () => {
    const overridden = new Set(PodSecurity.checks().flatMap(c => c.overrides ?? []));
    fc.assert(
      fc.property(fc.array(MUTATION, { minLength: 1, maxLength: 4 }), VERSION, (mutations, version) => {
        const manifest = mutations.reduce((m, { path, value, remove }) => mutate(m, path, value, remove), hardenedPod());
        const r = evaluateAll(manifest, version);
        const restricted = new Set(r.restricted.violations.map(v => v.check));
        return r.baseline.violations.every(v => restricted.has(v.check) || overridden.has(v.check));
      }),
      { numRuns: 500 * SCALE },
    );
  });
});

/** Freezes `v` and everything reachable from it. */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as any)[k]);
  }
  return v;
}

describe('the engine reads its input and never writes it', () => {
  // The checks read the manifest itself when it is well formed, and a copy without the
  // malformed fields when it is not: a deeply frozen manifest (writes to it would throw in
  // the engine's strict-mode code) evaluates exactly like an unfrozen copy of it.
  test('a frozen manifest evaluates like a copy of it', () => {
    fc.assert(
      fc.property(fc.array(MUTATION, { minLength: 1, maxLength: 6 }), VERSION, (mutations, version) => {
        const manifest = mutations.reduce((m, { path, value, remove }) => mutate(m, path, value, remove), hardenedPod());
        // (fast-check reuses its values across runs: freeze a copy, not them.)
        const copy = structuredCloneOrUndefined(manifest);
        if (copy === undefined) return true; // fc.anything values (functions, symbols) that cannot be cloned
        expect(evaluateAll(deepFreeze(copy), version)).toEqual(evaluateAll(manifest, version));
        return true;
      }),
      { numRuns: 500 * SCALE },
    );
  });
});

function structuredCloneOrUndefined<T>(v: T): T | undefined {
  try {
    return structuredClone(v);
  } catch {
    return undefined;
  }
}

describe('arbitrary input', () => {
  test('never throws', () => {
    fc.assert(
      fc.property(fc.anything(), VERSION, (manifest, version) => {
        evaluateAll(manifest, version);
        PodSecurity.strictestLevel(manifest, version);
      }),
      { numRuns: 500 * SCALE },
    );
  });

  test('a Pod with an arbitrary spec never throws', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4, withNullPrototype: true, withObjectString: true }), spec => {
        const r = evaluateAll({ apiVersion: 'v1', kind: 'Pod', spec }, 'latest');
        return [r.privileged, r.baseline, r.restricted].every(consistent);
      }),
      { numRuns: 500 * SCALE },
    );
  });
});
