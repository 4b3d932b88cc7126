/**
 * Regression tests for what running `harden` on real-world manifests showed (issue 15,
 * points 1-8, harden's side of 5). Every input is minimal and written here, in the style of
 * the projects where the problem was found.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { linesKept, onlyInsertions } from './harden-helpers';
import { exitCodeOf, hardenText } from '../../../lib/cli/harden/harden';
import { ImagePreset } from '../../../lib/hardening/image-preset';
import { containerUser } from '../../../lib/hardening/user-rule';
import { PodSecurity } from '../../../lib/policy';
import { cli, cliJson, tmpDir, writeFiles } from '../helpers';

const problems = (r: ReturnType<typeof hardenText>, i = 0): string => r.objects[i].problems.join('\n');
const notes = (r: ReturnType<typeof hardenText>, i = 0): string => r.objects[i].notes.join('\n');
const podSpec = (text: string): any => {
  const o = YAML.parse(text);
  return o.kind === 'Pod' ? o.spec : o.spec.template.spec;
};

/** The fields the API server rejects on a Windows pod, wherever harden could write them. */
function linuxOnlyFields(spec: any): string[] {
  const found: string[] = [];
  for (const f of ['seccompProfile', 'seLinuxOptions', 'appArmorProfile', 'runAsUser', 'runAsGroup', 'fsGroup', 'fsGroupChangePolicy', 'sysctls', 'supplementalGroups']) {
    if (spec.securityContext?.[f] !== undefined) found.push(`pod.${f}`);
  }
  for (const c of [...spec.initContainers ?? [], ...spec.containers ?? []]) {
    for (const f of ['seccompProfile', 'seLinuxOptions', 'appArmorProfile', 'capabilities', 'privileged', 'allowPrivilegeEscalation',
      'readOnlyRootFilesystem', 'procMount', 'runAsUser', 'runAsGroup']) {
      if (c.securityContext?.[f] !== undefined) found.push(`${c.name}.${f}`);
    }
  }
  return found;
}

describe('1. Windows pods never get Linux-only fields', () => {
  const WINDOWS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: iis
spec:
  selector:
    matchLabels: {app: iis}
  template:
    metadata:
      labels: {app: iis}
    spec:
      os:
        name: windows
      nodeSelector:
        kubernetes.io/os: windows
      securityContext:
        runAsNonRoot: true
        windowsOptions:
          runAsUserName: ContainerUser
      containers:
        - name: iis
          image: mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022
          ports:
            - containerPort: 80
`;

  test('a Windows pod that passes restricted is left byte for byte, also with --user and --writable-path; the read-back finds nothing malformed', () => {
    expect(PodSecurity.evaluate(YAML.parse(WINDOWS)).allowed).toBe(true);
    for (const options of [{}, { user: 10001 }, { writablePaths: [{ path: '/cache' }] }]) {
      const r = hardenText(WINDOWS, options);
      // the token rule is not Linux-only: a pod of the default account, which nothing binds, gets its token off (and nothing else)
      expect(r.text.replace(/\n +automountServiceAccountToken: false(?=\n)/, '')).toBe(WINDOWS);
      expect(podSpec(r.text).automountServiceAccountToken).toBe(false);
      expect(r.objects[0].remaining).toEqual([]);
      expect(r.objects[0].problems).toEqual([]);
      expect(notes(r)).toContain('a Windows pod (spec.os.name: windows): harden adds no Linux-only field');
    }
    expect(notes(hardenText(WINDOWS, { user: 10001 }))).toContain('--user does not apply');
  });

  test('a Windows pod that does not pass gets runAsNonRoot only where its Windows user is known, and nothing Linux-only', () => {
    const text = WINDOWS.replace('        runAsNonRoot: true\n', '').replace(`        - name: iis
`, `        - name: admin
          image: mcr.microsoft.com/windows/servercore:ltsc2022
          securityContext:
            windowsOptions: {runAsUserName: ContainerAdministrator}
        - name: iis
`);
    const r = hardenText(text, { user: 10001 });
    const spec = podSpec(r.text);
    expect(linuxOnlyFields(spec)).toEqual([]);
    expect(spec.containers[1].securityContext).toEqual({ runAsNonRoot: true });
    expect(spec.containers[0].securityContext).toEqual({ windowsOptions: { runAsUserName: 'ContainerAdministrator' } });
    expect(problems(r)).toContain('container "admin": its Windows user is ContainerAdministrator');
    expect(r.objects[0].remaining.join('\n')).not.toContain('malformed');
    expect(hardenText(r.text, { user: 10001 }).text).toBe(r.text);
  });

  test('the restricted checks that skip Windows pods are not "fixed" with Linux fields; a pod with no os.name is Linux', () => {
    const linux = WINDOWS.replace('      os:\n        name: windows\n', '');
    const spec = podSpec(hardenText(linux, { user: 10001 }).text);
    expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });
});

describe('2. never allowPrivilegeEscalation: false next to capabilities.add CAP_SYS_ADMIN (or privileged)', () => {
  const pod = (cap: string) => `apiVersion: v1
kind: Pod
metadata:
  name: fuse
spec:
  containers:
    - name: mount
      image: registry.example.com/fuse-mounter:1
      securityContext:
        runAsUser: 1000
        capabilities:
          add: ["${cap}"]
`;

  test('CAP_SYS_ADMIN: escalation is left unset (the API rejects the pair), reported, and declared as privilegeEscalation + addCapabilities SYS_ADMIN', () => {
    const r = hardenText(pod('CAP_SYS_ADMIN'), { addExemptions: true });
    const sc = podSpec(r.text).containers[0].securityContext;
    expect(sc.allowPrivilegeEscalation).toBeUndefined();
    expect(sc.capabilities).toEqual({ add: ['CAP_SYS_ADMIN'], drop: ['ALL'] });
    expect(problems(r)).toContain('allowPrivilegeEscalation: false is not added: the API server rejects it next to capabilities.add CAP_SYS_ADMIN');
    expect(problems(r)).toContain('spelled SYS_ADMIN: Kubernetes names capabilities without CAP_');
    const entries = JSON.parse(YAML.parse(r.text).metadata.annotations['rootless.cdk8s.io/exemptions']);
    expect(entries.filter((e: any) => e.container === 'mount').map((e: any) => [e.id, e.capabilities])).toEqual([
      ['privilegeEscalation', undefined],
      ['addCapabilities', ['SYS_ADMIN']],
    ]);
    for (const e of entries) expect(e.reason).not.toMatch(/["\\]/); // no JSON escape in the annotation
    expect(hardenText(r.text, { addExemptions: true }).text).toBe(r.text);
  });

  test('SYS_ADMIN (no prefix) passes API validation with allowPrivilegeEscalation: false, so it is added', () => {
    const r = hardenText(pod('SYS_ADMIN'));
    expect(podSpec(r.text).containers[0].securityContext.allowPrivilegeEscalation).toBe(false);
    expect(problems(r)).toContain('adds capabilities SYS_ADMIN');
    expect(problems(r)).not.toContain('not added');
  });

  test('privileged: true never gets allowPrivilegeEscalation: false either', () => {
    const r = hardenText(pod('NET_ADMIN').replace('runAsUser: 1000', 'runAsUser: 1000\n        privileged: true'));
    expect(podSpec(r.text).containers[0].securityContext.allowPrivilegeEscalation).toBeUndefined();
  });
});

describe('3. --user applies only where the user is not known', () => {
  test('the rule (lib/hardening/user-rule.ts): set, preset, fallback, unknown; runAsNonRoot alone makes no user known (issue 20)', () => {
    const fallback = { fallback: { user: 10001 } };
    expect(containerUser({ securityContext: { runAsUser: 999 } }, {}, fallback)).toMatchObject({ source: 'set', user: 999, at: 'container' });
    expect(containerUser({}, { runAsUser: 0 }, fallback)).toMatchObject({ source: 'set', user: 0, at: 'pod' });
    expect(containerUser({ image: 'mysql:8' }, { runAsNonRoot: true }, fallback)).toMatchObject({ source: 'preset', user: 999 });
    expect(containerUser({ image: 'app', securityContext: { runAsNonRoot: true } }, {}, fallback)).toMatchObject({ source: 'fallback', user: 10001 });
    expect(containerUser({ image: 'app', securityContext: { runAsNonRoot: true } }, {})).toEqual({ source: 'unknown' });
    expect(containerUser({ image: 'app', securityContext: { runAsNonRoot: false } }, { runAsNonRoot: true }, fallback)).toMatchObject({ source: 'fallback' });
    expect(containerUser({ image: 'mongo:7' }, {}, fallback)).toMatchObject({ source: 'preset', user: 999, group: 999 });
    expect(containerUser({ image: 'app' }, {}, { fallback: { user: 10001, group: 3000 } })).toEqual({ source: 'fallback', user: 10001, group: 3000, fsGroup: 3000 });
    expect(containerUser({ image: 'app' }, {})).toEqual({ source: 'unknown' });
  });

  test('runAsNonRoot without runAsUser (Argo CD style): a finding, --user fills it, --non-root-image vouches for the image\'s own USER', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  template:
    spec:
      automountServiceAccountToken: false
      containers:
        - name: argocd-repo-server
          image: quay.io/argoproj/argocd:v2.13.0
          securityContext:
            runAsNonRoot: true
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
            seccompProfile:
              type: RuntimeDefault
`;
    // the kubelet would refuse it if the image's USER were root or a name: nobody has said it is not
    const unknown = hardenText(text);
    expect(unknown.text).not.toContain('runAsUser');
    expect(unknown.objects[0].problems.join('\n')).toContain('container "argocd-repo-server": no numeric user is known for image "quay.io/argoproj/argocd:v2.13.0"');
    // the default user fills it
    expect(podSpec(hardenText(text, { user: 10001 }).text).securityContext.runAsUser).toBe(10001);
    // vouched for: kept as the image's own user, whatever --user says
    const images = [{ pattern: 'quay.io/argoproj/*', from: '--non-root-image quay.io/argoproj/*' }];
    const r = hardenText(text, { user: 10001, users: { images } });
    expect(r.text).not.toContain('runAsUser');
    expect(r.objects[0].problems).toEqual([]);
    expect(notes(r)).toContain('vouched for by --non-root-image quay.io/argoproj/*');
  });

  test('a numeric user already set is kept; image presets give their own UID (mysql, mongo 999, grafana 472, prometheus 65534), not --user', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      template:
        spec:
          containers:
            - {name: mysql, image: "mysql:8.4", volumeMounts: [{name: data, mountPath: /var/lib/mysql}]}
            - {name: mongo, image: "mongo:7", volumeMounts: [{name: mdata, mountPath: /data/db}]}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: monitoring}
    spec:
      template:
        spec:
          containers:
            - {name: grafana, image: "grafana/grafana:11.3.0", volumeMounts: [{name: g, mountPath: /var/lib/grafana}]}
            - {name: prometheus, image: "quay.io/prometheus/prometheus:v2.55.0", volumeMounts: [{name: p, mountPath: /prometheus}]}
            - {name: exporter, image: "registry.example.com/exporter:1", securityContext: {runAsUser: 5000}}
`;
    const r = hardenText(text, { user: 10001 });
    const [db, monitoring] = YAML.parse(r.text).items.map((i: any) => i.spec.template.spec);
    expect(db.containers.map((c: any) => c.securityContext.runAsUser)).toEqual([999, 999]);
    expect(monitoring.containers.map((c: any) => c.securityContext.runAsUser)).toEqual([472, 65534, 5000]);
    expect(db.securityContext.runAsUser).toBeUndefined();
    expect(monitoring.securityContext.runAsUser).toBeUndefined();
    expect(JSON.stringify(YAML.parse(r.text))).not.toContain('10001');
  });

  test('--user goes on the containers whose user is unknown; at pod level only when it reaches no container whose user is known', () => {
    const mixed = `apiVersion: v1
kind: Pod
metadata: {name: mixed}
spec:
  containers:
    - {name: app, image: "registry.example.com/app:1"}
    - {name: proxy, image: "registry.example.com/proxy:1", securityContext: {runAsNonRoot: true}}
`;
    const vouched = { images: [{ pattern: 'registry.example.com/proxy', from: '--non-root-image registry.example.com/proxy' }] };
    const spec = podSpec(hardenText(mixed, { user: 10001, group: 3000, users: vouched }).text);
    expect(spec.securityContext.runAsUser).toBeUndefined();
    expect(spec.containers[0].securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 3000 });
    expect(spec.containers[1].securityContext.runAsUser).toBeUndefined();
    expect(spec.securityContext.fsGroup).toBe(3000);

    const alone = podSpec(hardenText(mixed.replace(/\n {4}- \{name: proxy.*\n/, '\n'), { user: 10001, users: vouched }).text);
    expect(alone.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
    expect(alone.containers[0].securityContext.runAsUser).toBeUndefined();
  });
});

describe('4. the service-account token', () => {
  const POD = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: rethinkdb}
spec:
  template:
    spec:
      serviceAccountName: rethinkdb
      containers:
        - name: rethinkdb
          image: registry.example.com/rethinkdb:2.4
          securityContext: {runAsUser: 1000}
`;

  const tokenNotes = (r: ReturnType<typeof hardenText>): string => r.objects.flatMap(o => (o.ruleNotes ?? []).map(n => `${n.rule}: ${n.message}`)).join('\n');

  test('a pod of its own ServiceAccount keeps its token, with one note for the account; the exit code does not depend on it', async () => {
    const r = hardenText(POD);
    expect(podSpec(r.text).automountServiceAccountToken).toBeUndefined();
    expect(tokenNotes(r)).toContain('serviceAccountToken: token kept for ServiceAccount default/rethinkdb: the full admission policy denies it until a reason is declared');
    expect(tokenNotes(r)).toContain('rerun with --token-reason default/rethinkdb=REASON');
    expect(r.objects[0]).toMatchObject({ problems: [], remaining: [] });
    const out = await cli(['harden', '-'], { stdin: POD });
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('notes that need a human:\n  [serviceAccountToken] 1 object:\n  ');
    expect((await cli(['harden', '-', '--add-exemptions'], { stdin: POD })).code).toBe(0);
  });

  test('--strict-tokens: a kept token without a reason is a finding (exit 1); --token-reason declares it with the human\'s reason', async () => {
    const strict = await cli(['harden', '-', '--strict-tokens'], { stdin: POD });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('the token of ServiceAccount default/rethinkdb reaches its containers');
    const declared = await cli(['harden', '-', '--strict-tokens', '--token-reason', 'default/rethinkdb=joins its cluster peers found through the API'], { stdin: POD });
    expect(declared.code).toBe(0);
    const entries = JSON.parse(YAML.parse(declared.stdout).spec.template.metadata.annotations['rootless.cdk8s.io/exemptions']);
    expect(entries).toEqual([{ id: 'serviceAccountToken', container: null, reason: 'joins its cluster peers found through the API' }]);
    expect(declared.stderr).not.toContain('token kept for');
    // a second run over its own output: the same verdict, nothing more written
    const again = await cli(['harden', '-', '--strict-tokens', '--token-reason', 'default/rethinkdb=joins its cluster peers found through the API'], { stdin: declared.stdout });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(declared.stdout);
    // and without the flag, the reason in the annotation still declares it
    expect((await cli(['harden', '-', '--strict-tokens'], { stdin: declared.stdout })).code).toBe(0);
  });

  test('--token-reason refuses a key that is not NAMESPACE/NAME and a reason the reason rule refuses', async () => {
    for (const bad of ['rethinkdb=joins its cluster peers', 'default/rethinkdb=TODO: explain', 'default/rethinkdb', 'Default/x=joins its cluster peers']) {
      const out = await cli(['harden', '-', '--token-reason', bad], { stdin: POD });
      expect(out.code).toBe(3);
      expect(out.stderr).toMatch(/does not name a ServiceAccount|placeholder|has no reason/);
    }
  });

  test('an explicit true is kept, and a pod of the default account gets false', () => {
    const explicit = POD.replace('      serviceAccountName', '      automountServiceAccountToken: true\n      serviceAccountName');
    expect(podSpec(hardenText(explicit).text).automountServiceAccountToken).toBe(true);
    const own = POD.replace('      serviceAccountName: rethinkdb\n', '');
    const off = hardenText(own);
    expect(podSpec(off.text).automountServiceAccountToken).toBe(false);
    expect(off.objects[0].changes.join('\n')).toContain('automountServiceAccountToken false (ServiceAccount default/default)');
    expect(notes(off)).toContain('only what every authenticated identity has');
  });

  test('--add-exemptions never invents a reason: it declares no token', () => {
    const r = hardenText(POD, { addExemptions: true });
    expect(r.text).not.toContain('serviceAccountToken');
    expect(tokenNotes(r)).toContain('token kept for ServiceAccount default/rethinkdb');
  });

  test('--add-exemptions appends to a valid annotation; an invalid one (another form) leaves the document as it was, refused (exit 2)', () => {
    const canonical = '[{"id":"runAsRoot","container":"rethinkdb","reason":"chowns the data volume before start"}]';
    const withAnnotation = (value: string) => POD.replace('  template:\n', `  template:\n    metadata:\n      annotations:\n        rootless.cdk8s.io/exemptions: '${value}'\n`)
      .replace('      serviceAccountName', '      hostPID: true\n      serviceAccountName');
    const appended = hardenText(withAnnotation(canonical), { addExemptions: true });
    expect(YAML.parse(appended.text).spec.template.metadata.annotations['rootless.cdk8s.io/exemptions']).toBe(canonical.slice(0, -1)
      + ',{"id":"hostPID","container":null,"reason":"TODO: explain why the pod needs hostPID"}]');
    expect(exitCodeOf(appended)).toBe(1);
    const spaced = canonical.replace('"container":', '"container": ');
    const left = hardenText(withAnnotation(spaced), { addExemptions: true });
    expect(left.text).toBe(withAnnotation(spaced));
    expect(problems(left)).toContain('is not in the canonical form');
    expect(problems(left)).toContain('so harden honours none of its entries');
    expect(exitCodeOf(left)).toBe(2);
  });
});

describe('5. what harden cannot read back it does not edit; duplicate keys are reported, not edited', () => {
  // a flow `]` at its key's indentation: go-yaml (kubectl) and the yaml package read it, js-yaml does not
  const SPIRE = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: spire-agent
spec:
  template:
    spec:
      hostPID: true
      containers:
        - name: spire-agent
          image: ghcr.io/spiffe/spire-agent:1.11.0
          args: [
            "-config", "/run/spire/config/agent.conf"
          ]
          securityContext:
            privileged: true
`;

  test('harden edits a document only when audit reads it (and reads its edit back)', async () => {
    const r = hardenText(SPIRE);
    const dir = tmpDir();
    writeFiles(dir, { 'spire.yaml': SPIRE });
    const audit = await cliJson(['audit', 'spire.yaml'], { cwd: dir });
    if (audit.report.results.length === 0) {
      expect(r.text).toBe(SPIRE);
      expect(problems(r)).toContain('audit\'s reader cannot read this document');
      expect(problems(r)).toContain('Add by hand: container "spire-agent": capabilities.drop ALL');
      expect(r.objects[0].changes).toEqual([]);
      expect(notes(r)).not.toContain('is now read-only'); // no note about an edit that was not made
      expect((await cli(['harden', '-'], { stdin: SPIRE })).code).toBe(2); // refused: left as it was
    } else {
      writeFiles(dir, { 'out.yaml': r.text });
      expect((await cliJson(['audit', 'out.yaml'], { cwd: dir })).report.results).toHaveLength(1);
    }
    expect(problems(r)).toContain('hostPID: true');
  });

  test('a file with duplicate keys is not edited: exit 2, the lines named, the text passed through unchanged', async () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: twice
spec:
  containers:
    - name: app
      image: registry.example.com/app:1
      securityContext:
        runAsUser: 1000
        runAsUser: 0
`;
    const r = hardenText(text);
    expect(r.text).toBe(text);
    expect(r.error).toContain('duplicate keys (line 11)');
    const out = await cli(['harden', '-'], { stdin: text });
    // refused: readable, but harden will not edit it (exit 2); the document is left as it was
    expect(out.code).toBe(2);
    expect(out.stdout).toBe(text);
    expect(out.stderr).toContain('<stdin>: error: duplicate keys (line 11): harden does not edit a file with duplicate keys');
  });
});

describe('6. flow-style documents are edited in their own style', () => {
  // kubernetes/website style: a flow document over several lines, trailing commas
  const FLOW = `{
  apiVersion: v1,
  kind: Pod,
  metadata: {
    name: flow-pod,
    labels: {app: flow},
  },
  spec: {
    containers: [{
      name: app,
      image: "registry.example.com/app:1",
      ports: [{containerPort: 8080},],
      securityContext: {runAsUser: 1000,},
    },],
  },
}
`;
  const longest = (text: string): number => Math.max(...text.split('\n').map(l => l.length));

  test('trailing commas: entries are inserted one per line at the items\' indentation, every original line kept, no long lines', () => {
    const r = hardenText(FLOW);
    expect(r.objects[0]).toMatchObject({ problems: [], remaining: [] });
    expect(onlyInsertions(FLOW, r.text)).toBe(true);
    // the lines of the multi-line collections are kept whole; a one-line collection grows on its own line
    expect(linesKept(FLOW.replace(/^.*\{runAsUser: 1000,\},\n/m, ''), r.text)).toBe(true);
    expect(r.text.split('\n').length).toBe(FLOW.split('\n').length + 4);
    expect(longest(r.text)).toBeLessThan(200);
    expect(r.text).toContain('\n    securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}},\n'
      + '    volumes: [{name: app-tmp, emptyDir: {sizeLimit: 256Mi}}],\n    automountServiceAccountToken: false,\n  },\n}');
    expect(r.text).toContain('{runAsUser: 1000, privileged: false, ');
    expect(PodSecurity.evaluate(YAML.parse(r.text)).allowed).toBe(true);
    expect(hardenText(r.text).text).toBe(r.text);
  });

  test('without trailing commas, and on one line: a comma after the last item, nothing re-serialized', () => {
    const noTrailing = FLOW.replace(/,\n(\s*)([}\]])/g, '\n$1$2').replace('{runAsUser: 1000,}', '{ runAsUser: 1000 }')
      .replace('{containerPort: 8080},]', '{containerPort: 8080}]').replace('},]', '}]');
    expect(noTrailing).not.toMatch(/,\s*[}\]]/);
    const r = hardenText(noTrailing);
    expect(r.objects[0]).toMatchObject({ problems: [], remaining: [] });
    expect(r.text).toContain('securityContext: { runAsUser: 1000, privileged: false, ');
    expect(r.text).toContain('    labels: {app: flow}\n  },\n');
    expect(r.text).toContain('\n    securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}},\n'
      + '    volumes: [{name: app-tmp, emptyDir: {sizeLimit: 256Mi}}],\n    automountServiceAccountToken: false\n  }\n}');
    expect(onlyInsertions(noTrailing, r.text)).toBe(true);
    expect(longest(r.text)).toBeLessThan(200);
    expect(hardenText(r.text).text).toBe(r.text);
  });

  test('a pretty-printed JSON document gets expanded JSON entries at its indentation', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [{ name: 'app', image: 'app:1', securityContext: { runAsUser: 1000 } }] } }, null, 2);
    const r = hardenText(json);
    const parsed = JSON.parse(r.text);
    expect(PodSecurity.evaluate(parsed).allowed).toBe(true);
    expect(r.text).toContain('\n    "securityContext": {\n      "runAsNonRoot": true,\n      "seccompProfile": {\n        "type": "RuntimeDefault"\n      }\n    },');
    expect(longest(r.text)).toBeLessThanOrEqual(60);
    expect(r.text.endsWith('}')).toBe(true); // no final newline added
    expect(hardenText(r.text).text).toBe(r.text);
  });

  test('flow mappings under block keys with their `}` at the key\'s column: edited in style when audit reads them, else left unchanged', async () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {
  name: flow-pod,
}
spec: {
  containers: [{
    name: app,
    image: "registry.example.com/app:1",
    securityContext: {runAsUser: 1000,},
  },],
}
`;
    const r = hardenText(text);
    const dir = tmpDir();
    writeFiles(dir, { 'flow.yaml': text });
    if ((await cliJson(['audit', 'flow.yaml'], { cwd: dir })).report.results.length === 0) {
      expect(r.text).toBe(text);
      expect(problems(r)).toContain('audit\'s reader cannot read this document');
    } else {
      // audit's (lenient, kubectl-compatible) reader reads it: edited in its own flow style, by insertions only
      expect(r.objects[0]).toMatchObject({ problems: [], remaining: [] });
      expect(onlyInsertions(text, r.text)).toBe(true);
      // every line kept whole but the one-line securityContext, which grows on its line
      expect(linesKept(text.replace(/^.*\{runAsUser: 1000,\},\n/m, ''), r.text)).toBe(true);
      expect(r.text).toContain('\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}},\n');
      expect(longest(r.text)).toBeLessThan(200);
      expect(hardenText(r.text).text).toBe(r.text);
    }
  });
});

describe('7. unchanged files come back byte for byte', () => {
  test('no final newline is added to an unchanged file, on standard output or with -o; several inputs are joined with ---', async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}';
    const dir = tmpDir();
    writeFiles(dir, { 'a.yaml': cm, 'b.yaml': cm + '\n' });
    expect((await cli(['harden', '-'], { stdin: cm })).stdout).toBe(cm);
    await cli(['harden', 'a.yaml', '-o', 'out.yaml'], { cwd: dir });
    expect(fs.readFileSync(path.join(dir, 'out.yaml'), 'utf8')).toBe(cm);
    expect((await cli(['harden', 'a.yaml', 'b.yaml'], { cwd: dir })).stdout).toBe(`${cm}\n---\n${cm}\n`);
  });

  test('a changed file without a final newline does not gain one', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: app:1\n      securityContext: {runAsUser: 1000}';
    const r = hardenText(text);
    expect(r.text).not.toBe(text);
    expect(r.text.endsWith('\n')).toBe(false);
    expect(hardenText(r.text).text).toBe(r.text);
  });
});

describe('8. exit 1 whenever a human is needed; low ports; writable paths', () => {
  const NGINX = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - containerPort: 80
`;

  test('official nginx on port 80 with --user 10001: the preset\'s UID 101, its writable paths, and the port sysctl, reported as added', async () => {
    const r = hardenText(NGINX, { user: 10001 });
    const spec = podSpec(r.text);
    expect(spec.containers[0].securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 101, readOnlyRootFilesystem: true });
    expect(spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/cache/nginx', '/var/run']);
    expect(spec.volumes.map((v: any) => v.emptyDir)).toEqual([{ sizeLimit: '256Mi' }, { sizeLimit: '256Mi' }, { sizeLimit: '256Mi' }]);
    expect(spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }]);
    expect(r.objects[0].changes.join('\n')).toContain('sysctl net.ipv4.ip_unprivileged_port_start=80');
    expect(r.objects[0]).toMatchObject({ problems: [], remaining: [] });
    expect(PodSecurity.evaluate(YAML.parse(r.text), { level: 'restricted' as any }).allowed).toBe(true);
    expect(hardenText(r.text, { user: 10001 }).text).toBe(r.text);
    expect((await cli(['harden', '-', '--user', '10001'], { stdin: NGINX })).code).toBe(0);
  });

  test('the lowest low port sets the sysctl; on the host network only a human can fix it (exit 1)', async () => {
    const two = NGINX.replace('            - containerPort: 80\n', '            - containerPort: 443\n            - containerPort: 80\n');
    expect(podSpec(hardenText(two).text).securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }]);
    const host = NGINX.replace('    spec:\n      containers', '    spec:\n      hostNetwork: true\n      containers');
    const r = hardenText(host);
    expect(podSpec(r.text).securityContext.sysctls).toBeUndefined();
    expect(problems(r)).toContain('port 80 is below 1024');
    expect(problems(r)).toContain('the pod uses the host network, which cannot take the sysctl');
    expect((await cli(['harden', '-'], { stdin: host })).code).toBe(1);

    // a sysctl the author set is kept: a port below it needs a human
    const high = NGINX.replace('    spec:\n      containers', '    spec:\n      securityContext:\n        sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "443"}]\n      containers');
    const kept = hardenText(high);
    expect(podSpec(kept.text).securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '443' }]);
    expect(problems(kept)).toContain('port 80 is below 443');
    expect(problems(kept)).toContain('or lower the pod sysctl net.ipv4.ip_unprivileged_port_start to 80');
  });

  test('a pod that passes restricted but cannot work (mysql without its data volume) exits 1', async () => {
    const mysql = NGINX.replace('nginx:1.27', 'mysql:8.4').replace('containerPort: 80', 'containerPort: 3306');
    const r = hardenText(mysql);
    expect(r.objects[0].remaining).toEqual([]);
    expect(problems(r)).toContain('mysql keeps its data in /var/lib/mysql, which is not mounted');
    const out = await cli(['harden', '-'], { stdin: mysql });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('passes restricted, needs a human (1)');
  });

  test('--writable-path [CONTAINER=]PATH: every container, or the named one; repeatable; bad values exit 3', async () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {runAsUser: 1000}
  containers:
    - {name: web, image: "registry.example.com/web:1"}
    - {name: worker, image: "registry.example.com/worker:1", securityContext: {readOnlyRootFilesystem: true}}
`;
    const out = await cli(['harden', '-', '--writable-path', 'web=/var/cache/app/', '--writable-path', '/srv/uploads'], { stdin: text });
    expect(out.code).toBe(0);
    const spec = podSpec(out.stdout);
    expect(spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/cache/app', '/srv/uploads']);
    // read-only already (by its author): judged on the result, it gets /tmp too
    expect(spec.containers[1].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/srv/uploads']);
    expect(new Set(spec.volumes.map((v: any) => v.name)).size).toBe(spec.volumes.length);
    expect((await cli(['harden', '-', '--writable-path', 'web=/var/cache/app', '--writable-path', '/srv/uploads'], { stdin: out.stdout })).stdout).toBe(out.stdout);

    const typo = await cli(['harden', '-', '--writable-path', 'wbe=/var/cache'], { stdin: text });
    expect(typo.code).toBe(3);
    expect(typo.stderr).toContain('--writable-path wbe=/var/cache: no container named "wbe"');
    for (const bad of ['relative/path', '/', 'Web=/x', '/a/../b']) {
      const r = await cli(['harden', '-', '--writable-path', bad], { stdin: text });
      expect([bad, r.code]).toEqual([bad, 3]);
      expect(r.stderr).toContain('Expected [CONTAINER=]PATH');
    }
  });

  test.each([
    ['nginx:1.27-alpine', 'nginx', 101, ['/var/cache/nginx', '/var/run']],
    ['docker.io/library/httpd:2.4', 'httpd', 33, ['/usr/local/apache2/logs']],
    ['httpd:2.4-alpine', 'httpd-alpine', 82, ['/usr/local/apache2/logs']],
    ['redis:7.4', 'redis', 999, []],
    ['mysql:8.4', 'mysql', 999, ['/var/run/mysqld']],
    ['mongo:8', 'mongo', 999, ['/data/configdb']],
    ['mariadb:11', 'mariadb', 999, ['/run/mysqld']],
    ['rabbitmq:4-management', 'rabbitmq', 999, []],
    ['memcached:1.6', 'memcached', 11211, []],
  ])('preset of %s: %s, UID %d, writable %j', (image, name, user, paths) => {
    const preset = ImagePreset.forImage(image)!;
    expect([preset.name, preset.user, preset.writablePaths]).toEqual([name, user, paths]);
  });

  test('the Alpine rabbitmq image has another user: no preset', () => {
    expect(ImagePreset.forImage('rabbitmq:4-alpine')).toBeUndefined();
  });
});
