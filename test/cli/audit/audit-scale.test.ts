import { Readable } from 'stream';
import type * as sarif from 'sarif';
import { Progress } from '../../../lib/cli/audit/audit';
import { run } from '../../../lib/cli/program';
import { PodSecurity } from '../../../lib/policy';
import { cli, cliJson, expectAccounted, fixture, tmpDir, writeFiles } from '../helpers';

const LATEST = PodSecurity.latestVersion();

/** A kubectl-shaped pod (4-space JSON) in a namespace; `root` makes it fail restricted and baseline-pass. */
function pod(name: string, ns: string, profile: 'restricted' | 'baseline' | 'privileged'): object {
  const securityContext = profile === 'restricted'
    ? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }
    : profile === 'privileged' ? { privileged: true } : {};
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'app', image: 'app:1', securityContext }] }, status: { phase: 'Running' } };
}

function namespace(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } }, status: { phase: 'Active' } };
}

function list(items: object[]): string {
  return JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4) + '\n';
}

describe('streaming bad input (issue: audit a whole large cluster)', () => {
  test('stdin ending mid-item: the items before it are audited, a clear error, exit 2', async () => {
    const text = list([pod('a', 'shop', 'restricted'), pod('b', 'shop', 'privileged'), pod('c', 'shop', 'restricted')]);
    const cut = text.indexOf('"name": "c"');
    const { code, report } = await cliJson(['audit', '-'], { stdin: text.slice(0, cut) });
    expect(code).toBe(2);
    expect(report.results.map((r: any) => [r.item, r.name, r.allowed])).toEqual([[0, 'a', true], [1, 'b', false]]);
    expect(report.errors).toEqual([{ file: '<stdin>', line: expect.any(Number), index: 0, message: expect.stringMatching(/^truncated input: it ends inside document 0 items\[2\] \(line \d+\); the objects before it were read$/) }]);
    expectAccounted(report);
  });

  test('a truncated List file, and one that ends between items', async () => {
    const dir = tmpDir();
    const text = list([pod('a', 'shop', 'restricted'), pod('b', 'shop', 'restricted')]);
    writeFiles(dir, { 'cut.json': text.slice(0, text.lastIndexOf(']')), 'good.yaml': fixture('restricted-pod.yaml') });
    const { code, report } = await cliJson(['audit', '.'], { cwd: dir });
    expect(code).toBe(2);
    expect(report.results.map((r: any) => r.name)).toEqual(['a', 'b', 'web']);
    expect(report.errors[0].message).toMatch(/^truncated input: it ends inside the items of document 0/);
  });

  test('a List whose items is not an array: exit 2, nothing of it audited', async () => {
    const { code, report } = await cliJson(['audit', '-'], { stdin: '{"apiVersion": "v1", "kind": "List", "items": {"kind": "Pod"}}' });
    expect(code).toBe(2);
    expect(report.results).toEqual([]);
    expect(report.errors[0].message).toMatch(/^document 0 is a List whose items is not a list \(it is a mapping\): nothing in it was audited/);
  });

  test('a 2 GB single item is skipped without being kept (--max-bytes limits one item); the next item is audited', async () => {
    const mib = Buffer.alloc(1024 * 1024, 'x');
    function* input(): Generator<Buffer> {
      yield Buffer.from('{"apiVersion": "v1", "kind": "List", "items": [\n    {"kind": "ConfigMap", "data": {"big": "');
      for (let i = 0; i < 2048; i++) yield mib;
      yield Buffer.from('"}},\n' + JSON.stringify(pod('after', 'shop', 'privileged'), null, 4) + '\n]}\n');
    }
    let stdout = '';
    let stderr = '';
    const code = await run(['audit', '-', '--format', 'json'], {
      stdin: Readable.from(input()),
      stdout: { write: (s: string) => { stdout += s; return true; } },
      stderr: { write: (s: string) => { stderr += s; return true; } },
      cwd: tmpDir(),
    });
    const report = JSON.parse(stdout);
    expect(code).toBe(2);
    expect(report.errors).toEqual([{ file: '<stdin>', line: 2, index: 0, message: `document 0 items[0] (line 2) is more than the limit of ${256 * 1024 * 1024} bytes (--max-bytes); skipped` }]);
    expect(report.results.map((r: any) => [r.item, r.name, r.allowed])).toEqual([[1, 'after', false]]);
    expect(stderr).toContain('is more than the limit');
    // memory: the item was not kept (heap well below its size)
    expect(process.memoryUsage().heapUsed).toBeLessThan(1024 ** 3);
  }, 120_000);

  test('an empty kind: List is valid input (an empty namespace): exit 0', async () => {
    const { code, report } = await cliJson(['audit', '-'], { stdin: list([]) });
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ objects: 0, errors: 0 });
  });

  test('a folder with no manifests says so and exits 2 (a CI step pointed at the wrong folder fails)', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'empty/README.md': '# nothing here' });
    const out = await cli(['audit', 'empty'], { cwd: dir });
    expect(out.code).toBe(2);
    expect(out.stdout).toMatch(/^empty: error: no manifests found: the folder holds no \*\.yaml, \*\.yml or \*\.json file/);
  });
});

describe('real-world input', () => {
  test('non-Kubernetes YAML (Chart.yaml, values.yaml) is not an object: counted apart, not as skipped objects', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 1.0.0\n', 'chart/values.yaml': 'replicas: 2\nimage: {tag: "1.0"}\n' });
    const { code, report } = await cliJson(['audit', 'chart'], { cwd: dir });
    expect(code).toBe(0);
    expect(report.results).toEqual([]);
    expect(report.summary).toMatchObject({ objects: 0, skipped: 0, notKubernetes: 2 });
    const text = await cli(['audit', 'chart'], { cwd: dir });
    expect(text.stdout).toContain('0 objects: 0 audited (0 allowed, 0 denied), 0 skipped (no pod template); 0 errors; 2 documents not Kubernetes objects (no kind), not counted');
  });

  test('--version v1.99 warns on stderr that it audits the newest known version', async () => {
    const out = await cli(['audit', 'restricted-pod.yaml', '--version', 'v1.99']);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe(`warning: --version v1.99 is newer than the newest policy version this tool knows: auditing at ${LATEST} `
      + '(PodSecurity admission also treats future versions as the latest it knows)\n');
    expect(out.stdout).toContain(`(policy ${LATEST})`);
    expect((await cli(['audit', 'restricted-pod.yaml', '--version', LATEST])).stderr).toBe('');
  });

  test('what kubectl applies is audited: a flow ] at its key\'s indentation (js-yaml refuses it), merge keys', async () => {
    const dir = tmpDir();
    writeFiles(dir, {
      'spire.yaml': [
        'apiVersion: apps/v1',
        'kind: DaemonSet',
        'metadata: {name: spire-agent, namespace: spire}',
        'spec:',
        '  template:',
        '    spec:',
        '      hostPID: true',
        '      containers:',
        '      - name: agent',
        '        image: ghcr.io/spiffe/spire-agent:1.9',
        '        args: [',
        '          "-config", "/run/spire/config/agent.conf"',
        '        ]',
        '        securityContext:',
        '          privileged: true',
      ].join('\n') + '\n',
      'merge.yaml': 'x-sc: &sc {privileged: true}\napiVersion: v1\nkind: Pod\nmetadata: {name: merged}\nspec:\n  containers:\n  - name: app\n    image: app:1\n    securityContext:\n      <<: *sc\n',
    });
    const out = await cli(['audit', '.'], { cwd: dir });
    expect(out.code).toBe(1); // denied, not an input error
    expect(out.stdout).toMatch(/^spire\.yaml:1: doc 0 DaemonSet spire\/spire-agent, pod: hostNamespaces: /m);
    expect(out.stdout).toMatch(/^spire\.yaml:1: doc 0 DaemonSet spire\/spire-agent, container "agent": privileged: /m);
    expect(out.stdout).toMatch(/^merge\.yaml:1: doc 0 Pod merged, container "app": privileged: /m);
    expect(out.stderr).toBe('');
  });

  test('templated input prints no Node warnings', async () => {
    const warnings: unknown[] = [];
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(((w: unknown) => { warnings.push(w); }) as any);
    try {
      const dir = tmpDir();
      writeFiles(dir, { 'tpl.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{ include "labels" . }}: x\nspec: [\n' });
      const out = await cli(['audit', 'tpl.yaml'], { cwd: dir });
      expect(out.code).toBe(2);
      expect(out.stdout).toMatch(/tpl\.yaml:\d+: error: document 0: invalid YAML: /);
      expect(out.stderr).toBe('');
    } finally {
      spy.mockRestore();
    }
    expect(warnings).toEqual([]);
  });
});

describe('SARIF that GitHub code scanning accepts without complaint', () => {
  test('every rule has a readable name (not its id) and a fullDescription', async () => {
    const out = await cli(['audit', 'privileged-pod.yaml', '--format', 'sarif']);
    const log = JSON.parse(out.stdout) as sarif.Log;
    const rules = log.runs[0].tool.driver.rules!;
    for (const rule of rules) {
      expect(rule.fullDescription?.text).toBeTruthy();
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(rule.name!.toLowerCase()).not.toBe(rule.id.toLowerCase()); // SARIF1001 compares ignoring case
    }
    const names = new Map(rules.map(r => [r.id, r.name]));
    expect(names.get('runAsNonRoot')).toBe('PodSecurityRunAsNonRoot');
    expect(names.get('capabilities_restricted')).toBe('PodSecurityCapabilitiesRestricted');
    expect(names.get('dockerfile-numeric-user')).toBe('DockerfileNumericUser');
    expect(names.get('rootless-exemption')).toBe('RootlessExemption');
    expect(names.get('malformed')).toBe('MalformedObject');
  });
});

describe('--exemptions honor|ignore', () => {
  const REASON = 'The vendor image writes its PID file to /root at start-up';
  const annotated = (annotation: string): string => [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: legacy, namespace: shop}',
    'spec:',
    '  template:',
    '    metadata:',
    '      annotations:',
    `        rootless.cdk8s.io/exemptions: '${annotation}'`,
    '    spec:',
    '      securityContext: {seccompProfile: {type: RuntimeDefault}}',
    '      containers:',
    '      - name: app',
    '        image: vendor/legacy:1',
    '        securityContext:',
    '          allowPrivilegeEscalation: false',
    '          capabilities: {drop: [ALL]}',
    '          runAsUser: 0',
    '          runAsNonRoot: false',
    '      - name: sidecar',
    '        image: sidecar:1',
    '        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, runAsNonRoot: true, runAsUser: 1000}',
  ].join('\n') + '\n';
  const valid = JSON.stringify([{ id: 'runAsRoot', container: 'app', reason: REASON }]);

  test('ignore (default, as PodSecurity admission): exempted violations still deny', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'd.yaml': annotated(valid) });
    const { code, report } = await cliJson(['audit', 'd.yaml'], { cwd: dir });
    expect(code).toBe(1);
    expect(report.results[0].violations.map((v: any) => v.check)).toEqual(expect.arrayContaining(['runAsNonRoot', 'runAsUser']));
    expect(report.results[0]).not.toHaveProperty('accepted');
  });

  test('honor: covered violations are accepted findings with their reason (text, JSON, SARIF suppressions); exit 0', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'd.yaml': annotated(valid) });
    const { code, report } = await cliJson(['audit', 'd.yaml', '--exemptions', 'honor'], { cwd: dir });
    expect(code).toBe(0);
    const r = report.results[0];
    expect(r.allowed).toBe(true);
    expect(r.violations).toEqual([]);
    expect(r.accepted.map((v: any) => v.check).sort()).toEqual(['runAsNonRoot', 'runAsUser']);
    for (const v of r.accepted) expect(v.exemptions).toEqual([{ id: 'runAsRoot', container: 'app', reason: REASON }]);
    expect(report.summary.accepted).toBe(2);

    const text = await cli(['audit', 'd.yaml', '--exemptions', 'honor'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`container "app": runAsNonRoot: accepted (exemption runAsRoot (container "app"): ${JSON.stringify(REASON)})`);
    expect(text.stdout).toMatch(/^OK: .*; 2 violations accepted through exemptions$/m);

    const log = JSON.parse((await cli(['audit', 'd.yaml', '--exemptions', 'honor', '--format', 'sarif'], { cwd: dir })).stdout) as sarif.Log;
    const results = log.runs[0].results!;
    expect(results.map(x => x.ruleId).sort()).toEqual(['runAsNonRoot', 'runAsUser']);
    for (const x of results) {
      expect(x.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: `runAsRoot (container "app"): ${REASON}` }]);
    }
  });

  test('honor: an exemption covers only its container; what it does not cover still denies', async () => {
    const dir = tmpDir();
    const rootSidecar = annotated(valid).replace('runAsNonRoot: true, runAsUser: 1000', 'runAsUser: 0');
    writeFiles(dir, { 'd.yaml': rootSidecar });
    const { code, report } = await cliJson(['audit', 'd.yaml', '--exemptions', 'honor'], { cwd: dir });
    expect(code).toBe(1);
    expect(report.results[0].violations.map((v: any) => v.check)).toEqual(expect.arrayContaining(['runAsUser']));
  });

  test('honor: placeholder and malformed exemption annotations keep being reported and cover nothing', async () => {
    const dir = tmpDir();
    writeFiles(dir, {
      'todo.yaml': annotated(JSON.stringify([{ id: 'runAsRoot', container: 'app', reason: 'TODO: explain why container "app" runs as root' }]).replace(/"app" runs/, 'app runs')),
      'broken.yaml': annotated('[{"id":"runAsRoot","container":"app","reason":"' + REASON + '"'),
    });
    for (const file of ['todo.yaml', 'broken.yaml']) {
      const { code, report } = await cliJson(['audit', file, '--exemptions', 'honor'], { cwd: dir });
      expect([file, code]).toEqual([file, 1]);
      const checks = report.results[0].violations.map((v: any) => v.check);
      expect(checks).toContain('rootless-exemption');
      expect(checks).toContain('runAsNonRoot');
      expect(report.results[0].accepted ?? []).toEqual([]);
    }
  });
});

describe('--by-namespace: each object at its namespace\'s labels, as PodSecurity admission', () => {
  const cluster = (): object[] => [
    namespace('locked', { 'pod-security.kubernetes.io/enforce': 'restricted' }),
    namespace('legacy', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.30', 'pod-security.kubernetes.io/warn': 'restricted' }),
    namespace('open'),
    pod('ok', 'locked', 'restricted'),
    pod('root', 'locked', 'baseline'),
    pod('root', 'legacy', 'baseline'),
    pod('priv', 'legacy', 'privileged'),
    pod('root', 'open', 'baseline'),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'locked' },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    },
  ];

  test('kubectl get ns,pods -A -o json | audit - --by-namespace', async () => {
    const { code, report } = await cliJson(['audit', '-', '--by-namespace', '--level', 'baseline'], { stdin: list(cluster()) });
    expect(code).toBe(1);
    const byName = (ns: string, name: string): any => report.results.find((r: any) => r.namespace === ns && r.name === name);
    // locked enforces restricted: the root pod is rejected, the restricted one allowed
    expect(byName('locked', 'ok')).toMatchObject({ allowed: true, level: 'restricted', version: LATEST, namespacePolicy: { source: 'labels' } });
    expect(byName('locked', 'root')).toMatchObject({ allowed: false, level: 'restricted' });
    // legacy: baseline v1.30 enforced (root allowed), restricted warned; privileged rejected
    const legacyRoot = byName('legacy', 'root');
    expect(legacyRoot).toMatchObject({ allowed: true, level: 'baseline', version: 'v1.30' });
    expect(legacyRoot.namespacePolicy.warn).toEqual({ level: 'restricted', version: LATEST });
    expect(legacyRoot.namespacePolicy.warnings.map((v: any) => v.check)).toEqual(expect.arrayContaining(['runAsNonRoot']));
    expect(byName('legacy', 'priv')).toMatchObject({ allowed: false, level: 'baseline' });
    // open has no labels: the cluster defaults (--level baseline)
    expect(byName('open', 'root')).toMatchObject({ allowed: true, level: 'baseline', namespacePolicy: { source: 'defaults' } });
    // a workload is admitted by PodSecurity, its pods would be rejected
    expect(byName('locked', 'web')).toMatchObject({ allowed: false, namespacePolicy: { podsRejected: true } });
    expect(report.namespaces).toEqual([
      { namespace: 'legacy', source: 'labels', enforce: 'baseline:v1.30', warn: 'restricted:latest', audit: 'privileged:latest', audited: 2, rejected: 1, warned: 2, audits: 0, restrictedWouldReject: 2 },
      { namespace: 'locked', source: 'labels', enforce: 'restricted:latest', warn: 'privileged:latest', audit: 'privileged:latest', audited: 3, rejected: 2, warned: 0, audits: 0, restrictedWouldReject: 2 },
      { namespace: 'open', source: 'defaults', enforce: 'baseline:latest', warn: 'privileged:latest', audit: 'privileged:latest', audited: 1, rejected: 0, warned: 0, audits: 0, restrictedWouldReject: 1 },
    ]);
    const text = await cli(['audit', '-', '--by-namespace', '--level', 'baseline'], { stdin: list(cluster()) });
    expect(text.stdout).toMatch(/Deployment locked\/web, container "web": its pods would be rejected by enforce \(restricted:v1\.\d+\): /);
    expect(text.stdout).toMatch(/Pod legacy\/root, container "app": warn \(restricted:v1\.\d+\): runAsNonRoot: /);
    expect(text.stdout).toMatch(/^ {2}NAMESPACE +POLICY +ENFORCE +AUDITED +REJECTED +WARN +AUDIT +WHAT IF RESTRICTED$/m);
    expect(text.stdout).toMatch(/^ {2}locked +labels +restricted:latest +3 +2 +0 +0 +2$/m);
  });

  test('on stdin, a Namespace after objects in it is an error saying so; a file may be in any order', async () => {
    const items = cluster();
    const reordered = [...items.slice(3), ...items.slice(0, 3)];
    const out = await cliJson(['audit', '-', '--by-namespace'], { stdin: list(reordered) });
    expect(out.code).toBe(2);
    expect(out.report.errors.map((e: any) => e.message)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Namespace locked comes after objects in it \(the first at Pod ok\): on standard input Namespaces must come first/),
    ]));
    const dir = tmpDir();
    writeFiles(dir, { 'dump.json': list(reordered) });
    const file = await cliJson(['audit', 'dump.json', '--by-namespace', '--level', 'baseline'], { cwd: dir });
    expect(file.code).toBe(1);
    expect(file.report.errors).toEqual([]);
    expect(file.report.results.find((r: any) => r.namespace === 'locked' && r.name === 'root')).toMatchObject({ allowed: false, level: 'restricted' });
  });

  test('identical duplicate Namespaces are fine; conflicting ones exit 2, naming both', async () => {
    const locked = namespace('locked', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect((await cliJson(['audit', '-', '--by-namespace'], { stdin: list([locked, locked, pod('ok', 'locked', 'restricted')]) })).code).toBe(0);
    const other = namespace('locked', { 'pod-security.kubernetes.io/enforce': 'privileged' });
    const { code, report } = await cliJson(['audit', '-', '--by-namespace'], { stdin: list([locked, other, pod('ok', 'locked', 'restricted')]) });
    expect(code).toBe(2);
    expect(report.errors).toEqual([expect.objectContaining({ line: expect.any(Number), message: expect.stringMatching(/^conflicting Namespace locked: its Pod Security labels here differ from those at <stdin>:\d+; the first is used/) })]);
  });

  test('invalid levels and versions are reported as PodSecurity reports them and judged at its fallback', async () => {
    const bad = namespace('bad', {
      'pod-security.kubernetes.io/enforce': 'strict',
      'pod-security.kubernetes.io/enforce-version': '1.30',
      'pod-security.kubernetes.io/warn': 'loud',
    });
    const { code, report } = await cliJson(['audit', '-', '--by-namespace', '--level', 'baseline'], { stdin: list([bad, pod('root', 'bad', 'baseline')]) });
    expect(code).toBe(2);
    expect(report.errors.map((e: any) => e.message)).toEqual([
      'Namespace bad: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted (judged at restricted, as PodSecurity admission does)',
      'Namespace bad: metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "1.30": must be "latest" or "v1.x" (judged at latest, as PodSecurity admission does)',
      'Namespace bad: metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "loud": must be one of privileged, baseline, restricted (judged at privileged, as PodSecurity admission does)',
    ]);
    // enforce fails closed (restricted, latest), warn fails open (privileged)
    expect(report.results.find((r: any) => r.name === 'root')).toMatchObject({ allowed: false, level: 'restricted', version: LATEST, namespacePolicy: { warn: { level: 'privileged' } } });
  });

  test('a Namespace without labels, a namespace not in the input, and --admission-config defaults and exemptions', async () => {
    const dir = tmpDir();
    writeFiles(dir, {
      'admission.yaml': [
        'apiVersion: apiserver.config.k8s.io/v1',
        'kind: AdmissionConfiguration',
        'plugins:',
        '- name: PodSecurity',
        '  configuration:',
        '    apiVersion: pod-security.admission.config.k8s.io/v1',
        '    kind: PodSecurityConfiguration',
        '    defaults: {enforce: baseline, enforce-version: latest, audit: restricted, warn: restricted}',
        '    exemptions: {namespaces: [kube-system], runtimeClasses: [kata], usernames: []}',
      ].join('\n') + '\n',
    });
    const kata = { ...pod('kata', 'plain', 'privileged') } as any;
    kata.spec = { ...kata.spec, runtimeClassName: 'kata' };
    const stdin = list([namespace('plain'), pod('root', 'plain', 'baseline'), pod('priv', 'plain', 'privileged'), kata, pod('proxy', 'kube-system', 'privileged'), pod('x', 'elsewhere', 'baseline')]);
    const { code, report, stderr } = await cliJson(['audit', '-', '--by-namespace', '--admission-config', 'admission.yaml'], { cwd: dir, stdin });
    expect(code).toBe(1);
    const get = (name: string): any => report.results.find((r: any) => r.name === name);
    expect(get('root')).toMatchObject({ allowed: true, level: 'baseline', namespacePolicy: { source: 'defaults', audit: { level: 'restricted' } } });
    expect(get('root').namespacePolicy.audits.length).toBeGreaterThan(0);
    expect(get('priv')).toMatchObject({ allowed: false, level: 'baseline' });
    expect(get('kata')).toMatchObject({ allowed: true, namespacePolicy: { source: 'exempt' } });
    expect(get('proxy')).toMatchObject({ allowed: true, namespacePolicy: { source: 'exempt' } });
    expect(get('x')).toMatchObject({ allowed: true, namespacePolicy: { source: 'defaults' } });
    expect(stderr).toMatch(/warning: --by-namespace: no Namespace object in the input for 2 namespaces \(kube-system, elsewhere\): judged at the cluster defaults/);
  });

  test('a bad --admission-config is a usage error naming the file and the field', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'a.yaml': 'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults: {enforce: strict}\n' });
    const out = await cli(['audit', '-', '--by-namespace', '--admission-config', 'a.yaml'], { cwd: dir, stdin: list([]) });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--admission-config a\.yaml: defaults\.enforce: "strict" must be one of privileged, baseline, restricted/);
    expect((await cli(['audit', '-', '--admission-config', 'a.yaml'], { cwd: dir, stdin: list([]) })).stderr).toMatch(/--admission-config is read with --by-namespace only/);
  });
});

describe('progress on a terminal', () => {
  test('shown on a TTY stderr (objects per second, bytes of the total); not with --quiet, not on a pipe', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'big.json': list(Array.from({ length: 3000 }, (_, i) => pod(`p${i}`, 'shop', 'restricted'))) });
    const runWith = async (argv: string[], isTTY: boolean): Promise<string> => {
      let stderr = '';
      await run(argv, {
        stdin: Readable.from([]),
        stdout: { write: () => true },
        stderr: { isTTY, write: (s: string) => { stderr += s; return true; } },
        cwd: dir,
      });
      return stderr;
    };
    let shown = '';
    const p = new Progress({ write: (s: string) => { shown += s; } }, 0);
    p.update({ name: 'big.json', bytes: 50 * 1024 * 1024, total: 100 * 1024 * 1024 }, 1234);
    p.clear();
    expect(shown).toMatch(/audit: 1234 objects \(\d+\/s\), big\.json: 50 MB of 100 MB \(50%\) read/);
    const tty = await runWith(['audit', 'big.json'], true);
    expect(tty).toMatch(/^\r\x1b\[2Kaudit: \d+ objects \(\d+\/s\), big\.json: \d+ MB of \d+ MB \(\d+%\) read/);
    expect(tty.endsWith('\r\x1b[2K')).toBe(true); // cleared before the report ends
    expect(await runWith(['audit', 'big.json', '--quiet'], true)).toBe('');
    expect(await runWith(['audit', 'big.json'], false)).toBe('');
  });
});
