import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { AdmissionFailurePolicy, LabelSelectorOperator, RootlessAdmissionPolicy, RootlessAdmissionPolicyProps, ValidationAction } from '../../lib/constructs/admission-policy';
import { HardenedPod } from '../../lib/constructs/plus/hardened-pod';
import { Exemption } from '../../lib/exemptions/exemption';
import { PodSecurity } from '../../lib/policy';
import { checkOf, evaluatePolicy } from '../admission/cel';
import { judge } from '../admission/judge';
import { container, hardenedPod as enginePod, workload } from '../policy/fixtures';

const KINDS = ['Pod', 'PodTemplate', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'];

/** The policy engine's hardened pod, also meeting the rootless rules (read-only root, no token). */
function hardenedPod(): any {
  const pod = enginePod();
  pod.spec.automountServiceAccountToken = false;
  for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) c.securityContext.readOnlyRootFilesystem = true;
  return pod;
}

function hardenedWith(mutate: (pod: any) => void): any {
  const pod = hardenedPod();
  mutate(pod);
  return pod;
}

function synth(props: RootlessAdmissionPolicyProps = {}): { policy: any; binding: any } {
  const chart = Testing.chart();
  new RootlessAdmissionPolicy(chart, 'rootless', props);
  const docs = Testing.synth(chart);
  return {
    policy: docs.find((d: any) => d.kind === 'ValidatingAdmissionPolicy'),
    binding: docs.find((d: any) => d.kind === 'ValidatingAdmissionPolicyBinding'),
  };
}

const POLICY = synth().policy;

/** The pod manifest as the given kind (the pod's metadata becomes the template's). */
function as(kind: string, pod: any): any {
  if (kind === 'Pod') return pod;
  if (kind === 'PodTemplate') return { apiVersion: 'v1', kind, metadata: { name: 't' }, template: { metadata: pod.metadata, spec: pod.spec } };
  return workload(kind, { metadata: pod.metadata, spec: pod.spec });
}

/** What the policy must decide: PSS restricted + the rootless rules, valid exemptions reverted (judge.ts). */
function engineFailures(manifest: any): string[] {
  return judge(manifest, PodSecurity.latestVersion()).failed;
}

function celFailures(manifest: any, policy: any = POLICY): string[] {
  const verdict = evaluatePolicy(policy, manifest);
  expect(verdict.errors).toEqual([]);
  expect(verdict.matched).toBe(true);
  return [...new Set(verdict.failed.map(checkOf))].sort();
}

const sc = (pod: any) => pod.spec.securityContext;
const csc = (pod: any, name: string) => container(pod, name).securityContext;

/** Named cases: the policy engine's restricted semantics the CEL must reproduce. */
const CASES: [string, any][] = [
  ['hardened pod', hardenedPod()],
  ['no securityContext anywhere', hardenedWith(p => {
    delete p.spec.securityContext;
    for (const c of [...p.spec.initContainers, ...p.spec.containers]) delete c.securityContext;
  })],
  ['empty securityContexts', hardenedWith(p => {
    p.spec.securityContext = {};
    for (const c of [...p.spec.initContainers, ...p.spec.containers]) c.securityContext = {};
  })],
  ['runAsNonRoot only on every container', hardenedWith(p => {
    delete sc(p).runAsNonRoot;
    for (const n of ['init', 'app', 'sidecar']) csc(p, n).runAsNonRoot = true;
  })],
  ['runAsNonRoot on the regular containers but not the init container', hardenedWith(p => {
    delete sc(p).runAsNonRoot;
    for (const n of ['app', 'sidecar']) csc(p, n).runAsNonRoot = true;
  })],
  ['pod runAsNonRoot false, containers true', hardenedWith(p => {
    sc(p).runAsNonRoot = false;
    for (const n of ['init', 'app', 'sidecar']) csc(p, n).runAsNonRoot = true;
  })],
  ['container runAsNonRoot false under pod true', hardenedWith(p => { csc(p, 'sidecar').runAsNonRoot = false; })],
  ['runAsUser 1000 without runAsNonRoot', hardenedWith(p => { delete sc(p).runAsNonRoot; })],
  ['pod runAsUser 0', hardenedWith(p => { sc(p).runAsUser = 0; })],
  ['init container runAsUser 0 (the article\'s permission init container)', hardenedWith(p => { csc(p, 'init').runAsUser = 0; })],
  ['hostUsers false relaxes the user checks', hardenedWith(p => { p.spec.hostUsers = false; sc(p).runAsUser = 0; sc(p).runAsNonRoot = false; })],
  ['hostUsers true does not', hardenedWith(p => { p.spec.hostUsers = true; sc(p).runAsUser = 0; })],
  ['allowPrivilegeEscalation unset on one container', hardenedWith(p => { delete csc(p, 'app').allowPrivilegeEscalation; })],
  ['allowPrivilegeEscalation true on the init container', hardenedWith(p => { csc(p, 'init').allowPrivilegeEscalation = true; })],
  ['capabilities missing', hardenedWith(p => { delete csc(p, 'app').capabilities; })],
  ['drop without ALL', hardenedWith(p => { csc(p, 'app').capabilities = { drop: ['NET_RAW'] }; })],
  ['drop lowercase all', hardenedWith(p => { csc(p, 'app').capabilities = { drop: ['all'] }; })],
  ['drop ALL and add NET_BIND_SERVICE', hardenedWith(p => { csc(p, 'app').capabilities.add = ['NET_BIND_SERVICE']; })],
  ['add CAP_NET_BIND_SERVICE (prefixed)', hardenedWith(p => { csc(p, 'app').capabilities.add = ['CAP_NET_BIND_SERVICE']; })],
  ['add SYS_ADMIN', hardenedWith(p => { csc(p, 'init').capabilities.add = ['SYS_ADMIN', 'NET_BIND_SERVICE']; })],
  ['add without drop', hardenedWith(p => { csc(p, 'app').capabilities = { add: ['NET_BIND_SERVICE'] }; })],
  ['seccomp only on every container', hardenedWith(p => {
    delete sc(p).seccompProfile;
    for (const n of ['init', 'app', 'sidecar']) csc(p, n).seccompProfile = { type: 'RuntimeDefault' };
  })],
  ['seccomp only on some containers', hardenedWith(p => {
    delete sc(p).seccompProfile;
    csc(p, 'app').seccompProfile = { type: 'RuntimeDefault' };
  })],
  ['pod seccomp Unconfined overridden by every container', hardenedWith(p => {
    sc(p).seccompProfile = { type: 'Unconfined' };
    for (const n of ['init', 'app', 'sidecar']) csc(p, n).seccompProfile = { type: 'RuntimeDefault' };
  })],
  ['container seccomp Unconfined under pod RuntimeDefault', hardenedWith(p => { csc(p, 'sidecar').seccompProfile = { type: 'Unconfined' }; })],
  ['container seccomp Localhost', hardenedWith(p => { csc(p, 'app').seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/app.json' }; })],
  ['pod seccomp Localhost', hardenedWith(p => { sc(p).seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/app.json' }; })],
  ['ephemeral container without securityContext', hardenedWith(p => { p.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox' }]; })],
  ['hardened ephemeral container', hardenedWith(p => {
    p.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }];
  })],
  ['ephemeral container running as root', hardenedWith(p => {
    p.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox', securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }];
  })],
  ['no init containers', hardenedWith(p => { delete p.spec.initContainers; })],
  ['empty init container list', hardenedWith(p => { p.spec.initContainers = []; })],
  ['null securityContext fields (dropped by the API server)', hardenedWith(p => { csc(p, 'app').runAsUser = null; csc(p, 'app').seccompProfile = null; })],
  ['windows pod without Linux settings', hardenedWith(p => {
    p.spec.os = { name: 'windows' };
    p.spec.securityContext = { runAsNonRoot: true };
    for (const c of [...p.spec.initContainers, ...p.spec.containers]) delete c.securityContext;
  })],
  ['linux os with nothing set', hardenedWith(p => {
    p.spec.os = { name: 'linux' };
    for (const c of [...p.spec.initContainers, ...p.spec.containers]) delete c.securityContext;
  })],
];

describe('CEL agrees with the policy engine (restricted, latest) plus the rootless rules', () => {
  for (const kind of KINDS) {
    test.each(CASES)(`${kind}: %s`, (_name, pod) => {
      const manifest = as(kind, pod);
      expect(celFailures(manifest)).toEqual(engineFailures(manifest));
    });
  }

  test('the hardened pod passes', () => {
    expect(engineFailures(hardenedPod())).toEqual([]);
  });

  test('property: random security contexts (pod, init, regular and ephemeral containers)', () => {
    const bool = fc.option(fc.boolean(), { nil: undefined });
    const user = fc.option(fc.constantFrom(0, 1000), { nil: undefined });
    const seccomp = fc.option(fc.constantFrom('RuntimeDefault', 'Localhost', 'Unconfined'), { nil: undefined });
    const caps = fc.option(fc.record({
      drop: fc.option(fc.subarray(['ALL', 'NET_RAW', 'all']), { nil: undefined }),
      add: fc.option(fc.subarray(['NET_BIND_SERVICE', 'SYS_ADMIN']), { nil: undefined }),
    }), { nil: undefined });
    const strip = (o: any) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    const profile = (t?: string) => (t === undefined ? undefined : t === 'Localhost' ? { type: t, localhostProfile: 'p.json' } : { type: t });
    const containerSc = fc.option(fc.record({ runAsNonRoot: bool, runAsUser: user, allowPrivilegeEscalation: bool, seccomp, capabilities: caps })
      .map(s => strip({
        ...s,
        seccomp: undefined,
        seccompProfile: profile(s.seccomp),
        capabilities: s.capabilities && strip(s.capabilities),
      })), { nil: undefined });
    const podSc = fc.option(fc.record({ runAsNonRoot: bool, runAsUser: user, seccomp })
      .map(s => strip({ ...s, seccomp: undefined, seccompProfile: profile(s.seccomp) })), { nil: undefined });
    const mk = (name: string) => containerSc.map(s => strip({ name, image: 'img', securityContext: s }));
    const pod = fc.record({
      podSc,
      hostUsers: fc.option(fc.boolean(), { nil: undefined }),
      init: fc.array(mk('init'), { maxLength: 2 }),
      containers: fc.array(mk('app'), { minLength: 1, maxLength: 2 }),
      ephemeral: fc.array(mk('debug'), { maxLength: 1 }),
      kind: fc.constantFrom(...KINDS),
    }).map(r => as(r.kind, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: strip({
        securityContext: r.podSc,
        hostUsers: r.hostUsers,
        initContainers: r.init.map((c: any, i: number) => ({ ...c, name: `init${i}` })),
        containers: r.containers.map((c: any, i: number) => ({ ...c, name: `app${i}` })),
        ephemeralContainers: r.ephemeral.length ? r.ephemeral : undefined,
      }),
    }));
    fc.assert(fc.property(pod, manifest => {
      expect(celFailures(manifest)).toEqual(engineFailures(manifest));
    }), { numRuns: 400 });
  });
});

describe('the exemption annotation (escape hatch)', () => {
  const annotate = (pod: any, value: string) => { pod.metadata.annotations = { 'rootless.cdk8s.io/exemptions': value }; };
  const asWritten = (...exemptions: Exemption[]) => JSON.stringify(exemptions.map(e => e.toJson()));
  const rootInit = () => hardenedWith(p => { csc(p, 'init').runAsUser = 0; delete sc(p).runAsNonRoot; csc(p, 'app').runAsNonRoot = true; csc(p, 'sidecar').runAsNonRoot = true; });

  test.each(KINDS)('%s: a runAsRoot exemption with a reason relaxes runAsNonRoot and runAsUser only', (kind) => {
    const pod = rootInit();
    pod.spec.initContainers[0].securityContext.allowPrivilegeEscalation = true;
    const bare = as(kind, pod);
    expect(celFailures(bare)).toEqual(['allowPrivilegeEscalation', 'runAsNonRoot', 'runAsUser']);
    annotate(pod, asWritten(Exemption.runAsRoot('chowns the data volume the CSI driver does not fsGroup', { container: 'init' })));
    expect(celFailures(as(kind, pod))).toEqual(['allowPrivilegeEscalation']);
  });

  test.each([
    ['an empty reason', [Exemption.runAsRoot('')]],
    ['a short reason', [Exemption.runAsRoot('needs it')]],
    ['whitespace around a short reason', [Exemption.runAsRoot('      root      ')]],
    ['no word', [Exemption.runAsRoot('1234567890 !!')]],
    ['one good and one bad entry', [Exemption.runAsRoot('chowns the data volume before start'), Exemption.writableRootFilesystem('tmp')]],
  ])('ignored with %s', (_name, exemptions) => {
    const pod = rootInit();
    annotate(pod, asWritten(...(exemptions as Exemption[])));
    expect(celFailures(pod)).toEqual(['runAsNonRoot', 'runAsUser']);
  });

  test.each([
    ['not JSON', 'runAsRoot please, it is needed'],
    ['an empty list', '[]'],
    ['pretty-printed JSON', '[ { "id": "runAsRoot", "container": null, "reason": "chowns the data volume before start" } ]'],
    ['a reason that only mentions the id', JSON.stringify([{ id: 'writableRootFilesystem', container: null, reason: 'not {"id":"runAsRoot", honest' }])],
    ['an entry without a reason', JSON.stringify([{ id: 'runAsRoot', container: null }])],
  ])('ignored when the annotation is %s', (_name, value) => {
    const pod = rootInit();
    annotate(pod, value);
    expect(celFailures(pod)).toEqual(['runAsNonRoot', 'runAsUser']);
  });

  test('read from the pod template only, not from the workload\'s own metadata', () => {
    const deployment = as('Deployment', rootInit());
    deployment.metadata.annotations = { 'rootless.cdk8s.io/exemptions': asWritten(Exemption.runAsRoot('chowns the data volume before start')) };
    expect(celFailures(deployment)).toEqual(['runAsNonRoot', 'runAsUser']);
  });

  test('each exemption relaxes its own rules', () => {
    const pod = hardenedWith(p => {
      csc(p, 'app').allowPrivilegeEscalation = true;
      csc(p, 'app').capabilities.add = ['NET_ADMIN'];
      sc(p).seccompProfile = { type: 'Unconfined' };
    });
    expect(celFailures(pod)).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']);
    annotate(pod, asWritten(
      Exemption.privilegeEscalation('runs a setuid helper to mount fuse', { container: 'app' }),
      Exemption.addCapabilities(['NET_ADMIN'], 'configures the pod routing table', { container: 'app' }),
      Exemption.seccompUnconfined('the runtime default profile blocks io_uring'),
    ));
    expect(celFailures(pod)).toEqual([]);
  });

  test('an addCapabilities exemption does not relax drop ALL', () => {
    const pod = hardenedWith(p => { csc(p, 'app').capabilities = { add: ['NET_ADMIN'] }; });
    annotate(pod, asWritten(Exemption.addCapabilities(['NET_ADMIN'], 'configures the pod routing table', { container: 'app' })));
    expect(celFailures(pod)).toEqual(['capabilities_restricted']);
  });

  test('honorExemptions: false ignores the annotation', () => {
    const { policy } = synth({ honorExemptions: false });
    const pod = rootInit();
    annotate(pod, asWritten(Exemption.runAsRoot('chowns the data volume before start')));
    expect(celFailures(pod, policy)).toEqual(['runAsNonRoot', 'runAsUser']);
    expect(policy.spec.variables.map((v: any) => v.name)).toEqual(['podTemplate', 'podSpec', 'podMeta', 'containers', 'exemptions', 'exemptionsSizeOk', 'withinLimits']);
  });
});

describe('the policy version', () => {
  const userNamespacePod = () => hardenedWith(p => { p.spec.hostUsers = false; sc(p).runAsNonRoot = false; sc(p).runAsUser = 0; });

  test('pinned by default to the newest version the engine knows', () => {
    const chart = Testing.chart();
    const policy = new RootlessAdmissionPolicy(chart, 'p');
    expect(policy.version).toBe(PodSecurity.latestVersion());
    expect(RootlessAdmissionPolicy.rules().map(r => r.check)).toEqual(RootlessAdmissionPolicy.rules(PodSecurity.latestVersion()).map(r => r.check));
  });

  test('user namespaces relax the user checks from v1.35, not before', () => {
    expect(celFailures(userNamespacePod(), synth({ version: 'v1.35' }).policy)).toEqual([]);
    expect(celFailures(userNamespacePod(), synth({ version: 'v1.34' }).policy)).toEqual(['runAsNonRoot', 'runAsUser']);
  });

  test('checks that do not exist at a version do not run (runAsUser from v1.23, capabilities from v1.22)', () => {
    const rules = (version: string) => RootlessAdmissionPolicy.rules(version).map(r => r.check);
    expect(rules('v1.22')).not.toContain('runAsUser');
    expect(rules('v1.23')).toContain('runAsUser');
    expect(rules('v1.21')).toContain('capabilities_baseline');
    expect(rules('v1.21')).not.toContain('capabilities_restricted');
  });

  test('a version above the newest enforces the newest', () => {
    expect(RootlessAdmissionPolicy.rules('v1.99')).toEqual(RootlessAdmissionPolicy.rules());
  });
});

describe('match conditions', () => {
  test('an update that leaves the pod template alone is not checked (metadata-only changes by controllers)', () => {
    const bad = as('Deployment', hardenedWith(p => { sc(p).runAsUser = 0; }));
    const relabelled = { ...bad, metadata: { ...bad.metadata, labels: { team: 'x' } } };
    expect(evaluatePolicy(POLICY, relabelled, { operation: 'UPDATE', oldObject: bad }).matched).toBe(false);
    const changed = as('Deployment', hardenedWith(p => { sc(p).runAsUser = 0; csc(p, 'app').image = 'app:2'; }));
    expect(evaluatePolicy(POLICY, changed, { operation: 'UPDATE', oldObject: bad }).failed.map(checkOf)).toEqual(['runAsUser']);
    const pod = hardenedWith(p => { sc(p).runAsUser = 0; });
    expect(evaluatePolicy(POLICY, { ...pod, metadata: { ...pod.metadata, labels: { a: 'b' } } }, { operation: 'UPDATE', oldObject: pod }).matched).toBe(false);
  });

  test('a ReplicationController without a template is not checked', () => {
    expect(evaluatePolicy(POLICY, { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { replicas: 0 } }).matched).toBe(false);
  });
});

describe('manifest', () => {
  test('policy and binding', () => {
    const { policy, binding } = synth({ name: 'rootless', bindingName: 'rootless-binding' });
    expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers', 'podtemplates', 'replicationcontrollers'] },
      { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
      { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['jobs', 'cronjobs'] },
    ]);
    expect(policy.spec.validations.map((v: any) => checkOf(v.message))).toEqual([
      'limits',
      ...PodSecurity.checks().filter(c => !['capabilities_baseline', 'seccompProfile_baseline', 'hostPathVolumes', 'procMount'].includes(c.id)).map(c => c.id),
      'readOnlyRootFilesystem', 'serviceAccountToken',
    ]);
    expect(binding.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(binding.metadata.name).toBe('rootless-binding');
    expect(binding.spec).toEqual({
      policyName: 'rootless',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] } },
    });
    expect([policy, binding]).toMatchSnapshot();
  });

  test('generated names: the binding points at the policy', () => {
    const { policy, binding } = synth();
    expect(binding.spec.policyName).toBe(policy.metadata.name);
  });

  test('selectors, actions and failure policy', () => {
    const { policy, binding } = synth({
      validationActions: [ValidationAction.WARN, ValidationAction.AUDIT],
      failurePolicy: AdmissionFailurePolicy.IGNORE,
      namespaceSelector: { matchLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      excludedNamespaces: [],
      objectSelector: { matchExpressions: [{ key: 'rootless.cdk8s.io/skip', operator: LabelSelectorOperator.DOES_NOT_EXIST }] },
    });
    expect(policy.spec.failurePolicy).toBe('Ignore');
    expect(binding.spec.validationActions).toEqual(['Warn', 'Audit']);
    expect(binding.spec.matchResources).toEqual({
      namespaceSelector: { matchLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      objectSelector: { matchExpressions: [{ key: 'rootless.cdk8s.io/skip', operator: 'DoesNotExist' }] },
    });
  });

  test('excluded namespaces are added to a given selector', () => {
    const { binding } = synth({
      namespaceSelector: { matchExpressions: [{ key: 'team', operator: LabelSelectorOperator.IN, values: ['a'] }] },
      excludedNamespaces: ['kube-system', 'monitoring'],
    });
    expect(binding.spec.matchResources.namespaceSelector.matchExpressions).toEqual([
      { key: 'team', operator: 'In', values: ['a'] },
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'monitoring'] },
    ]);
  });

  test('RootlessAdmissionPolicy.rules() lists the rules with the checks they mirror', () => {
    const rules = RootlessAdmissionPolicy.rules();
    expect(rules.map(r => r.check)).toEqual(POLICY.spec.validations.map((v: any) => checkOf(v.message)));
    expect(rules.find(r => r.check === 'runAsUser')!.exemptedBy).toEqual(['runAsRoot']);
  });
});

describe('bad input names the construct path, the prop and the fix', () => {
  const error = (props: RootlessAdmissionPolicyProps) => {
    try {
      new RootlessAdmissionPolicy(Testing.chart(), 'rootless', props);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('construction succeeded');
  };
  test('Deny with Warn', () => {
    const msg = error({ validationActions: [ValidationAction.DENY, ValidationAction.WARN] });
    expect(msg).toContain('RootlessAdmissionPolicy test/rootless: invalid props');
    expect(msg).toContain('props.validationActions: Deny and Warn together are rejected by the API server');
    expect(msg).toContain('Fix: use [Deny] or [Deny, Audit]');
  });
  test('empty, duplicated and unknown actions', () => {
    expect(error({ validationActions: [] })).toContain('props.validationActions: empty. Fix:');
    expect(error({ validationActions: [ValidationAction.AUDIT, ValidationAction.AUDIT] })).toContain('listed twice');
    expect(error({ validationActions: ['Reject' as ValidationAction] })).toContain('props.validationActions: "Reject" is not an action. Fix: use Deny, Warn or Audit.');
  });
  test('selector requirements', () => {
    expect(error({ namespaceSelector: { matchExpressions: [{ key: 'a', operator: LabelSelectorOperator.IN }] } }))
      .toContain('props.namespaceSelector.matchExpressions[0].values: In needs values');
    expect(error({ objectSelector: { matchExpressions: [{ key: 'a', operator: LabelSelectorOperator.EXISTS, values: ['x'] }] } }))
      .toContain('props.objectSelector.matchExpressions[0].values: Exists takes no values');
    expect(error({ objectSelector: { matchExpressions: [{ key: 'a', operator: 'Has' as LabelSelectorOperator }] } }))
      .toContain('props.objectSelector.matchExpressions[0].operator: "Has" is not an operator');
  });
  test('failure policy', () => {
    expect(error({ failurePolicy: 'Retry' as AdmissionFailurePolicy })).toContain('props.failurePolicy: "Retry" is not a failure policy');
  });
  test.each(['latest', 'v2.0', '1.30', 'v1.030', ''])('version %j', (version) => {
    const msg = error({ version });
    expect(msg).toContain('RootlessAdmissionPolicy test/rootless: invalid props');
    expect(msg).toContain(`props.version: ${JSON.stringify(version)} is not a policy version. Fix: use "v1.N"`);
  });
  test('honorExemptions', () => {
    expect(error({ honorExemptions: 'yes' as any })).toContain('props.honorExemptions: "yes" is not a boolean');
  });
});

describe('the library\'s own output', () => {
  function hardenedWithRootInit(): any {
    const chart = Testing.chart();
    new HardenedPod(chart, 'app', {
      user: 1000,
      initContainers: [{ name: 'chown', image: 'busybox:1.36', command: ['chown', '-R', '1000', '/data'] }],
      containers: [{ name: 'app', image: 'app:v1' }],
      exemptions: [Exemption.runAsRoot('chowns the data volume, whose CSI driver ignores fsGroup', { container: 'chown' })],
    });
    return Testing.synth(chart).find((d: any) => d.kind === 'Pod');
  }

  test('a HardenedPod is admitted', () => {
    const chart = Testing.chart();
    new HardenedPod(chart, 'app', { user: 1000, containers: [{ name: 'app', image: 'app:v1' }] });
    expect(celFailures(Testing.synth(chart)[0])).toEqual([]);
  });

  test('a HardenedPod with a root init container is admitted through its exemption annotation, as written', () => {
    const pod = hardenedWithRootInit();
    expect(judge(pod, PodSecurity.latestVersion(), false).failed).toEqual(['runAsNonRoot', 'runAsUser']);
    expect(engineFailures(pod)).toEqual([]);
    expect(celFailures(pod)).toEqual([]);
    delete pod.metadata.annotations['rootless.cdk8s.io/exemptions'];
    expect(celFailures(pod)).toEqual(['runAsNonRoot', 'runAsUser']);
  });
});
