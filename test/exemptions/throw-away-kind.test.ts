/**
 * Adding an exemption kind touches lib/exemptions/ only (docs/architecture.md, "How to add… an
 * exemption kind"): this suite registers a throw-away kind the way the recipe says — an id in
 * `ExemptionKind` and a declaration, listed in `kinds/index.ts` — by replacing exactly those two
 * modules, and nothing else of the library. It then sees the kind applied by the constructs, judged
 * (reverted) at synthesis and by the judge, detected for `harden`, accepted by `applyTo`'s adopt
 * stage, named in the adopt stage's fixes in both wordings (the CLI's, `applyTo`'s), and honoured by
 * the admission policy's CEL: every one of those reads the kind from the registry's data.
 *
 * The kind, `scratchRoot`, relaxes the rootless rule readOnlyRootFilesystem by one effect (the
 * container's `readOnlyRootFilesystem: false`), listed before the real writableRootFilesystem so that
 * the detection, which names the first kind relaxing a field, names it.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the library is loaded afresh, with the kind registered, inside jest.isolateModules */
import { evaluatePolicy } from '../admission/cel';

const ID = 'scratchRoot';
const REASON = 'the vendor tool rewrites its own binaries at start';

const DECLARATION = {
  id: ID,
  podOnly: false,
  relaxes: ['readOnlyRootFilesystem'],
  effects: [{ level: 'container', field: 'readOnlyRootFilesystem', hardened: true, relaxed: false, unset: 'relaxed', needed: 'rewrites its root filesystem' }],
  cel: {},
};

/** The library, loaded afresh with the throw-away kind registered (only the enum and the kinds list are replaced). */
function libraryWithKind(): Record<string, any> {
  let loaded: Record<string, any> = {};
  jest.isolateModules(() => {
    jest.doMock('../../lib/exemptions/exemption-kind', () => {
      const actual = jest.requireActual('../../lib/exemptions/exemption-kind');
      return { ...actual, ExemptionKind: { ...actual.ExemptionKind, SCRATCH_ROOT: ID } };
    });
    jest.doMock('../../lib/exemptions/kinds', () => {
      const actual = jest.requireActual('../../lib/exemptions/kinds');
      return { KIND_DECLARATIONS: [DECLARATION, ...actual.KIND_DECLARATIONS] };
    });
    loaded = {
      cdk8s: require('cdk8s'),
      kplus: require('cdk8s-plus-27'),
      lib: require('../../lib'),
      plus: require('../../lib/constructs/plus'),
      registry: require('../../lib/exemptions/registry'),
      codec: require('../../lib/exemptions/codec'),
      declared: require('../../lib/exemptions/declared'),
      verify: require('../../lib/hardening/verify'),
      needs: require('../../lib/hardening/adopt/needs'),
      hardenText: require('../../lib/cli/harden/harden-text').hardenText,
      cel: require('../../lib/admission/exemptions-cel'),
    };
  });
  jest.dontMock('../../lib/exemptions/exemption-kind');
  jest.dontMock('../../lib/exemptions/kinds');
  return loaded;
}

const L = libraryWithKind();
/** An exemption of the throw-away kind: it has no factory (adding one to `Exemption` is the recipe's last step). */
const scratch = (container?: string) => new (L.lib.Exemption as any)(ID, REASON, container);

function pod(spec: any, annotations: Record<string, string> = {}): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations }, spec };
}

const hardenedContainer = (sc: any = {}) => ({
  name: 'app',
  image: 'registry.example.com/app:1',
  securityContext: {
    runAsNonRoot: true,
    runAsUser: 10001,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
    ...sc,
  },
});
const hardenedSpec = (sc: any = {}) => ({ automountServiceAccountToken: false, containers: [hardenedContainer(sc)] });

test('the registry derives its facets from its data: hint, words, CEL keys, detection', () => {
  const k = L.registry.kindOf(ID);
  expect(k.hint).toBe('Exemption.scratchRoot(reason, { container })');
  expect(k.fields).toBe('securityContext.readOnlyRootFilesystem not true');
  expect(k.cel.fields).toEqual(['readOnlyRootFilesystem']);
  expect(k.detect({ spec: {}, container: { name: 'app', securityContext: { readOnlyRootFilesystem: false } } }))
    .toEqual({ what: 'container app rewrites its root filesystem' });
  expect(k.detect({ spec: {}, container: { name: 'app', securityContext: { readOnlyRootFilesystem: true } } })).toBeUndefined();
  // the real kinds are all still there, and the copy of the library without the kind knows nothing of it
  expect(L.registry.EXEMPTION_KINDS.map((x: any) => x.id)).toEqual(expect.arrayContaining(['writableRootFilesystem', 'hostPath', ID]));
  jest.isolateModules(() => expect(require('../../lib/exemptions/registry').exemptionKind(ID)).toBeUndefined());
});

test('the constructs apply it, write it to the annotation, and synthesis verification accepts what it relaxes', () => {
  const chart = L.cdk8s.Testing.chart();
  new L.plus.HardenedPod(chart, 'p', { user: 10001, exemptions: [scratch('app')], containers: [{ name: 'app', image: 'registry.example.com/app:1' }] });
  const [manifest] = L.cdk8s.Testing.synth(chart);
  expect(manifest.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
  expect(manifest.spec.containers[0].securityContext.allowPrivilegeEscalation).toBe(false);
  expect(manifest.metadata.annotations['rootless.cdk8s.io/exemptions']).toBe(`[{"id":"${ID}","container":"app","reason":"${REASON}"}]`);
  expect(manifest.metadata.annotations['rootless.cdk8s.io/pss-level']).toBe('restricted');
  // scoped to a container that is not in the pod, it is refused
  const other = L.cdk8s.Testing.chart();
  new L.plus.HardenedPod(other, 'p', { user: 10001, exemptions: [scratch('sidecar')], containers: [{ name: 'app', image: 'registry.example.com/app:1' }] });
  expect(() => L.cdk8s.Testing.synth(other)).toThrow(/Exemption\.scratchRoot\(\) for container "sidecar" names a container that is not in the pod/);
});

test('the judge reverts it within its scope only, and the codec reads it strictly', () => {
  const annotation = L.codec.writeAnnotation([{ kind: ID, container: 'app', reason: REASON }]);
  const m = pod(hardenedSpec({ readOnlyRootFilesystem: false }), { 'rootless.cdk8s.io/exemptions': annotation });
  const declared = L.declared.declaredExemptions(m);
  expect(declared.problems).toEqual([]);
  expect(declared.exemptions.map((e: any) => e.kind)).toEqual([ID]);
  expect(L.verify.judgeRootless(m, declared.exemptions).rootless).toEqual([]);
  expect(L.verify.judgeRootless(m, []).rootless.map((f: any) => f.rule)).toEqual(['readOnlyRootFilesystem']);
  expect(L.declared.revertExemptions(m, declared.exemptions).spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  // scoped to another container, it covers nothing here
  const other = L.codec.writeAnnotation([{ kind: ID, container: 'sidecar', reason: REASON }]);
  const m2 = pod(hardenedSpec({ readOnlyRootFilesystem: false }), { 'rootless.cdk8s.io/exemptions': other });
  expect(L.verify.judgeRootless(m2, L.declared.declaredExemptions(m2).exemptions).rootless.map((f: any) => f.rule)).toEqual(['readOnlyRootFilesystem']);
  // a pod-only scope it does not have is not the point: a key it does not carry voids the annotation
  const bad = `[{"id":"${ID}","container":"app","profile":"x","reason":"${REASON}"}]`;
  expect(L.declared.declaredExemptions(pod(hardenedSpec(), { 'rootless.cdk8s.io/exemptions': bad })).problems.join('\n')).toMatch(/unknown key "profile"/);
});

test('harden detects it by the field it relaxes, and applyTo accepts it', () => {
  const need = L.needs.writableRootFilesystemNeed('app', { readOnlyRootFilesystem: false });
  expect(need).toEqual({ kind: ID, container: 'app', what: 'container app rewrites its root filesystem' });
  const chart = L.cdk8s.Testing.chart();
  new L.cdk8s.ApiObject(chart, 'p', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1', securityContext: { readOnlyRootFilesystem: false } }] } });
  L.lib.RootlessHardening.applyTo(chart, { user: 10001, objects: { p: { exemptions: [scratch('app')] } } });
  const [m] = L.cdk8s.Testing.synth(chart);
  expect(m.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
  expect(m.spec.containers[0].securityContext.runAsNonRoot).toBe(true);
  expect(JSON.parse(m.metadata.annotations['rootless.cdk8s.io/exemptions'])).toEqual([{ id: ID, container: 'app', reason: REASON }]);
  // without it, the writable root is reported and fails synthesis
  const bare = L.cdk8s.Testing.chart();
  new L.cdk8s.ApiObject(bare, 'p', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1', securityContext: { readOnlyRootFilesystem: false } }] } });
  L.lib.RootlessHardening.applyTo(bare, { user: 10001 });
  expect(() => L.cdk8s.Testing.synth(bare)).toThrow(/readOnlyRootFilesystem/);
});

test('the adopt stage names it in its fixes, in the CLI\'s words and in applyTo\'s (its hint)', () => {
  const hint = L.registry.kindOf(ID).hint;
  // harden: a container that keeps its root writable needs it (the first kind relaxing the field), and one made read-only may
  const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n'
    + '  - {name: app, image: registry.example.com/app:1, securityContext: {readOnlyRootFilesystem: false}}\n'
    + '  - {name: web, image: registry.example.com/app:1}\n';
  const [cli] = L.hardenText(yaml, { user: 10001 }).objects;
  expect(cli.notes).toEqual(expect.arrayContaining([
    `container "app": keeps readOnlyRootFilesystem: false (not a Pod Security check; say why with exemption ${ID}). Prefer a read-only root with emptyDir mounts at the paths it writes.`,
    expect.stringMatching(new RegExp(`^container "web": .* or declare exemption ${ID} or exemption writableRootFilesystem\\.$`)),
    expect.stringContaining(`--add-exemptions to declare ${ID} (app) in`),
  ]));
  expect(cli.notes.join('\n')).not.toContain('Exemption.');
  // applyTo: the same fixes, with the kind's hint (how to declare it in code)
  const chart = L.cdk8s.Testing.chart();
  new L.cdk8s.ApiObject(chart, 'p', {
    apiVersion: 'v1',
    kind: 'Pod',
    spec: {
      containers: [
        { name: 'app', image: 'registry.example.com/app:1', securityContext: { readOnlyRootFilesystem: false } },
        { name: 'web', image: 'registry.example.com/app:1' },
      ],
    },
  });
  const hardening = L.lib.RootlessHardening.applyTo(chart, { user: 10001, notes: L.lib.HardeningNotes.NONE });
  // the verifier fails on the writable root no exemption covers (its own hint, from the registry: hintForField)
  expect(() => L.cdk8s.Testing.synth(chart)).toThrow(`declare ${hint} or `);
  const notes: string[] = hardening.report[0].notes;
  expect(notes).toEqual(expect.arrayContaining([
    `container "app": keeps readOnlyRootFilesystem: false (not a Pod Security check; say why with exemption ${ID} (${hint})). Prefer a read-only root with emptyDir mounts at the paths it writes.`,
    expect.stringContaining(`or declare exemption ${ID} (${hint}) or exemption writableRootFilesystem (`),
  ]));
});

test('the admission policy honours it, from its CEL keys and the codec grammar', () => {
  expect(L.cel.kindsRelaxing('readOnlyRootFilesystem')).toEqual([ID, 'writableRootFilesystem']);
  const chart = L.cdk8s.Testing.chart();
  new L.lib.RootlessAdmissionPolicy(chart, 'policy', { version: 'v1.31' });
  const policy = L.cdk8s.Testing.synth(chart).find((d: any) => d.kind === 'ValidatingAdmissionPolicy');
  const annotation = L.codec.writeAnnotation([{ kind: ID, container: 'app', reason: REASON }]);
  const failed = (m: any) => evaluatePolicy(policy, m).failed.join('\n');
  expect(failed(pod(hardenedSpec({ readOnlyRootFilesystem: false }), { 'rootless.cdk8s.io/exemptions': annotation }))).toBe('');
  expect(failed(pod(hardenedSpec({ readOnlyRootFilesystem: false })))).toMatch(/readOnlyRootFilesystem/);
  const other = L.codec.writeAnnotation([{ kind: ID, container: 'sidecar', reason: REASON }]);
  expect(failed(pod(hardenedSpec({ readOnlyRootFilesystem: false }), { 'rootless.cdk8s.io/exemptions': other }))).toMatch(/readOnlyRootFilesystem/);
});
