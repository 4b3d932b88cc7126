import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { linesKept, onlyInsertions } from './harden-helpers';
import { hardenText } from '../../../lib/cli/harden/harden';
import { hardenedContainerSecurityContext, hardenedPodSecurityContext } from '../../../lib/hardening/defaults';
import { PodSecurity } from '../../../lib/policy';
import { cli, cliJson, tmpDir, writeFiles } from '../helpers';

const HELM = `---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-web   # the release name
  labels: &labels
    app.kubernetes.io/name: web
    app.kubernetes.io/instance: "release"
spec:
  replicas: 2
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels: *labels
    spec:
      containers:
        - name: web
          image: "nginxinc/nginx-unprivileged:1.27"
          ports:
            - containerPort: 8080
              name: http
          args: ['--flag', "x"]   # flow style kept
          resources: {limits: {cpu: 100m}}
      # trailing comment
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata: {name: release-web}
spec:
  ports: [{port: 80, targetPort: 8080}]
`;

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: registry.example.com/report:2.1
            securityContext:
              capabilities:
                drop: [NET_RAW]
`;

function restricted(text: string): boolean {
  const docs = YAML.parseAllDocuments(text, { merge: true }).map(d => d.toJS());
  const objects = docs.flatMap(d => (d?.kind === 'List' ? d.items : [d]));
  return objects.every(o => PodSecurity.evaluate(o).allowed);
}

describe('hardenText', () => {
  test('Helm output: only insertions, comments/anchors/flow style kept, other documents byte-identical, passes restricted, idempotent', () => {
    const r = hardenText(HELM);
    expect(linesKept(HELM, r.text)).toBe(true);
    expect(r.text).toContain('name: release-web   # the release name');
    expect(r.text).toContain('labels: &labels');
    expect(r.text).toContain('matchLabels: *labels');
    expect(r.text).toContain("args: ['--flag', \"x\"]   # flow style kept");
    // the Service document is untouched, byte for byte
    const service = HELM.slice(HELM.indexOf('# Source: web/templates/service.yaml'));
    expect(r.text.endsWith(service)).toBe(true);
    expect(restricted(r.text)).toBe(true);
    expect(r.objects).toHaveLength(1);
    expect(r.objects[0]).toMatchObject({ kind: 'Deployment', name: 'release-web', problems: [], remaining: [] });
    // the preset supplied the user; the writable /tmp is an emptyDir
    const pod = YAML.parseAllDocuments(r.text)[0].toJS().spec.template.spec;
    expect(pod.containers[0].securityContext).toEqual({
      runAsUser: 101,
      runAsGroup: 101,
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
    });
    expect(pod.securityContext).toEqual({ fsGroup: 101, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, fsGroupChangePolicy: 'OnRootMismatch' });
    // the default account, which no binding of the input names: its token gives nothing more than any identity has
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(r.objects[0].notes.join('\n')).toContain('only what every authenticated identity has');
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'web-tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'web-tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(hardenText(r.text).text).toBe(r.text);
  });

  test('the hardened values are the shared defaults (lib/hardening/defaults.ts)', () => {
    const r = hardenText(HELM, { user: 10001 });
    const pod = YAML.parseAllDocuments(r.text)[0].toJS().spec.template.spec;
    expect(pod.containers[0].securityContext).toMatchObject(hardenedContainerSecurityContext());
    expect(pod.securityContext).toMatchObject(hardenedPodSecurityContext());
  });

  test('CronJob: a flow drop list gets ALL appended in flow style; unknown image user is reported, not guessed', () => {
    const r = hardenText(CRONJOB);
    expect(onlyInsertions(CRONJOB, r.text)).toBe(true);
    expect(r.text).toContain('drop: [NET_RAW, ALL]');
    const o = r.objects[0];
    expect(o.problems.join('\n')).toContain('no numeric user is known for image "registry.example.com/report:2.1"');
    expect(o.remaining.map(x => x.split(':')[0])).toEqual(['runAsNonRoot']);
    // with --user it passes
    const u = hardenText(CRONJOB, { user: 10001 });
    expect(u.objects[0].remaining).toEqual([]);
    const pod = YAML.parse(u.text).spec.jobTemplate.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, runAsNonRoot: true });
  });

  test('kubectl get -o json List: stays valid JSON, every item hardened, only additions', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
      items: [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'shop' }, spec: { containers: [{ name: 'app', image: 'redis:7-alpine' }] } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { k: 'v' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { securityContext: {}, containers: [{ name: 'app', image: 'x', securityContext: { runAsUser: 1000 } }] } },
      ],
    };
    const text = JSON.stringify(list, null, 4) + '\n';
    const r = hardenText(text);
    const out = JSON.parse(r.text);
    expect(out.items[1]).toEqual(list.items[1]);
    expect(out.items.filter((i: any) => i.kind === 'Pod').every((p: any) => PodSecurity.evaluate(p).allowed)).toBe(true);
    expect(out.items[0].spec.containers[0].securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 1000 }); // redis alpine preset
    expect(r.objects.map(o => [o.item, o.name, o.remaining.length])).toEqual([[0, 'shop/a', 0], [2, 'b', 0]]);
    expect(hardenText(r.text).text).toBe(r.text);
  });

  test('an anchor shared by two containers (one API type) is extended once, for both; a << merge key where harden edits: refused', () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  containers:
    - name: a
      image: registry.example.com/app:1
      securityContext: &sc
        runAsUser: 1000
    - name: b
      image: registry.example.com/app:1
      securityContext: *sc
`;
    const r = hardenText(text);
    expect(r.refused).toBeUndefined();
    expect(r.objects[0].remaining).toEqual([]);
    const after = YAML.parse(r.text).spec;
    for (const c of after.containers) {
      expect(c.securityContext).toMatchObject({ runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    }
    expect(restricted(r.text)).toBe(true);
    // the anchored securityContext node was extended once, for both containers; each container gets its own /tmp
    expect(r.text.match(/allowPrivilegeEscalation/g)).toHaveLength(1);
    expect(after.containers.map((c: any) => c.volumeMounts)).toEqual([[{ name: 'a-tmp', mountPath: '/tmp' }], [{ name: 'b-tmp', mountPath: '/tmp' }]]);
    expect(hardenText(r.text).text).toBe(r.text);

    // the same through a merge key: kubectl applies << in document order, a YAML 1.2 reader does not merge
    const merged = `x-defaults: &defaults\n  image: registry.example.com/app:1\n  securityContext: {runAsUser: 1000}\n${text.replace('    - name: a\n', '    - <<: *defaults\n      name: a\n')}`;
    const m = hardenText(merged);
    expect(m.text).toBe(merged);
    expect(m.refused).toEqual([expect.stringMatching(/^doc 0: refused, left unchanged: .*a << merge key/)]);
  });

  test('never weakens and never guesses: privileged, escalation, root, host namespaces, hostPath, low ports are reported with fixes', () => {
    const text = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ops}
spec:
  template:
    spec:
      hostNetwork: true
      serviceAccountName: agent
      volumes:
        - name: logs
          hostPath: {path: /var/log}
      initContainers:
        - name: fix-perms
          image: busybox
          securityContext: {runAsUser: 0}
      containers:
        - name: agent
          image: agent:1
          ports: [{containerPort: 80}]
          securityContext:
            privileged: true
            runAsUser: 1000
        - name: sidecar
          image: sidecar:1
          securityContext:
            runAsUser: 1000
            allowPrivilegeEscalation: true
            capabilities: {add: [NET_ADMIN]}
`;
    const r = hardenText(text);
    expect(onlyInsertions(text, r.text)).toBe(true);
    const after = YAML.parse(r.text).spec.template.spec;
    expect(after.containers[0].securityContext.privileged).toBe(true);
    expect(after.containers[0].securityContext.allowPrivilegeEscalation).toBeUndefined(); // the API rejects privileged with escalation false
    expect(after.containers[1].securityContext.allowPrivilegeEscalation).toBe(true);
    expect(after.containers[1].securityContext.capabilities).toEqual({ add: ['NET_ADMIN'], drop: ['ALL'] });
    expect(after.initContainers[0].securityContext.runAsNonRoot).toBeUndefined();
    expect(after.securityContext.runAsNonRoot).toBeUndefined(); // a root init container would be refused under a pod-level true
    expect(after.automountServiceAccountToken).toBeUndefined(); // names a service account: cannot know
    expect(after.hostNetwork).toBe(true);
    const problems = r.objects[0].problems.join('\n');
    for (const expected of ['hostNetwork: true', 'volume "logs" is a hostPath', 'container "fix-perms": runs as root', 'container "agent": privileged: true',
      'container "sidecar": allowPrivilegeEscalation: true', 'adds capabilities NET_ADMIN', 'port 80 is below 1024']) {
      expect(problems).toContain(expected);
    }
    expect(problems).toContain('targetPort');
    expect(problems).toContain('the pod uses the host network, which cannot take the sysctl'); // so no sysctl is added
    expect(after.securityContext.sysctls).toBeUndefined();
    expect((r.objects[0].ruleNotes ?? []).map(n => n.message).join('\n')).toContain('token kept for ServiceAccount ops/agent');
    expect(r.objects[0].remaining.length).toBeGreaterThan(0);
    expect(hardenText(r.text).text).toBe(r.text);
  });

  test('--add-exemptions writes TODO exemptions that the audit flags until a human writes the reasons', async () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: legacy
  annotations:
    team: payments
spec:
  securityContext: {runAsUser: 1000}
  containers:
    - name: app
      image: app:1
      securityContext: {capabilities: {add: [SYS_PTRACE]}}
`;
    const r = hardenText(text, { addExemptions: true });
    expect(onlyInsertions(text, r.text)).toBe(true);
    const annotation = JSON.parse(YAML.parse(r.text).metadata.annotations['rootless.cdk8s.io/exemptions']);
    expect(annotation).toEqual([
      { id: 'addCapabilities', container: 'app', reason: 'TODO: explain why container app needs SYS_PTRACE', capabilities: ['SYS_PTRACE'] },
    ]);
    // the default account's token is turned off, not declared with a placeholder: --add-exemptions never invents a token reason
    expect(YAML.parse(r.text).spec.automountServiceAccountToken).toBe(false);
    expect(hardenText(r.text, { addExemptions: true }).text).toBe(r.text);

    const dir = tmpDir();
    writeFiles(dir, { 'legacy.yaml': r.text });
    const audit = await cliJson(['audit', 'legacy.yaml'], { cwd: dir });
    expect(audit.code).toBe(1);
    const checks = audit.report.results[0].violations.map((v: any) => v.check);
    expect(checks).toEqual(['capabilities_restricted', 'rootless-exemption']);
    expect(audit.report.results[0].violations[1].detail).toContain('is a placeholder');
    // a human writes the reason: the exemption is no longer flagged (the PSS violation itself stays: exemptions do not change admission)
    writeFiles(dir, {
      'legacy.yaml': r.text.replace('TODO: explain why container app needs SYS_PTRACE', 'attaches a debugger to the worker in staging'),
    });
    const confirmed = await cliJson(['audit', 'legacy.yaml'], { cwd: dir });
    expect(confirmed.report.results[0].violations.map((v: any) => v.check)).toEqual(['capabilities_restricted']);
  });

  test('existing writable mounts are kept; preset writable paths get emptyDirs; names do not collide', () => {
    const text = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      volumes:
        - name: db-tmp
          emptyDir: {}
      containers:
        - name: db
          image: postgres:17-alpine
          volumeMounts:
            - {name: data, mountPath: /var/lib/postgresql}
`;
    const r = hardenText(text);
    const pod = YAML.parse(r.text).spec.template.spec;
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['db-tmp', 'db-tmp-2', 'db-var-run-postgresql']);
    expect(pod.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/var/lib/postgresql', '/tmp', '/var/run/postgresql']);
    expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 70, runAsGroup: 70 });
    expect(r.objects[0].notes.join('\n')).toContain('cannot be known');
  });

  test('CRLF line endings are kept', () => {
    const text = HELM.replace(/\n/g, '\r\n');
    const r = hardenText(text);
    expect(onlyInsertions(text, r.text)).toBe(true);
    expect(r.text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(restricted(r.text)).toBe(true);
    expect(hardenText(r.text).text).toBe(r.text);
  });

  test('not a manifest: unchanged, with an error; non-pod kinds and empty documents: unchanged', () => {
    expect(hardenText('a: [1\n').error).toBeDefined();
    const text = '# nothing\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n';
    expect(hardenText(text)).toMatchObject({ text, objects: [] });
  });

  test('property: idempotent, never drops or changes a value, output parses, no Linux-only field on Windows pods, no new malformation (fast-check)', () => {
    const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const sc = fc.record({
      runAsUser: optional(fc.constantFrom(0, 1000, 65534)),
      runAsNonRoot: optional(fc.boolean()),
      allowPrivilegeEscalation: optional(fc.boolean()),
      privileged: optional(fc.boolean()),
      readOnlyRootFilesystem: optional(fc.boolean()),
      capabilities: optional(fc.record({
        drop: optional(fc.subarray(['ALL', 'NET_RAW'])),
        add: optional(fc.subarray(['NET_BIND_SERVICE', 'SYS_ADMIN', 'CAP_SYS_ADMIN'])),
      })),
      windowsOptions: optional(fc.record({ runAsUserName: fc.constantFrom('ContainerUser', 'ContainerAdministrator') })),
    }, { requiredKeys: [] });
    const container = fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      image: fc.constantFrom('app:1', 'redis:7', 'postgres:16', 'nginxinc/nginx-unprivileged:1', 'nginx:1.27', 'mysql:8', 'httpd:2.4'),
      securityContext: optional(sc),
      ports: optional(fc.constantFrom([{ containerPort: 8080 }], [{ containerPort: 80 }], [{ containerPort: 443 }, { containerPort: 8443 }])),
    }, { requiredKeys: ['name', 'image'] });
    const podSpec = fc.record({
      os: optional(fc.constantFrom({ name: 'windows' }, { name: 'linux' })),
      hostNetwork: optional(fc.boolean()),
      automountServiceAccountToken: optional(fc.boolean()),
      serviceAccountName: optional(fc.constantFrom('default', 'agent')),
      securityContext: optional(fc.record({
        runAsUser: optional(fc.constantFrom(1000, 0)),
        runAsNonRoot: optional(fc.boolean()),
        seccompProfile: optional(fc.constant({ type: 'RuntimeDefault' })),
      }, { requiredKeys: [] })),
      initContainers: optional(fc.array(container, { maxLength: 1 })),
      containers: fc.uniqueArray(container, { minLength: 1, maxLength: 3, selector: c => c.name }),
    }, { requiredKeys: ['containers'] });
    const options = fc.record({
      user: optional(fc.constant(10001)),
      addExemptions: optional(fc.boolean()),
      writablePaths: optional(fc.constant([{ path: '/cache' }])),
    }, { requiredKeys: [] });
    const strip = (v: any): any => JSON.parse(JSON.stringify(v));
    // kubernetes/website style: JSON-like flow YAML with a trailing comma after every last item
    const flowTrailing = (v: unknown) => JSON.stringify(v, null, 2).replace(/([^,{[\s])\n(\s*[}\]])/g, '$1,\n$2');
    const linuxOnly = (spec: any): string[] => [
      ...['seccompProfile', 'runAsUser', 'runAsGroup', 'fsGroup', 'fsGroupChangePolicy', 'sysctls'].filter(f => spec.securityContext?.[f] !== undefined),
      ...[...spec.initContainers ?? [], ...spec.containers].flatMap((c: any, i: number) => ['seccompProfile', 'capabilities', 'privileged',
        'allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'runAsUser', 'runAsGroup'].filter(f => c.securityContext?.[f] !== undefined).map(f => `${i}.${f}`)),
    ];
    fc.assert(fc.property(podSpec, fc.constantFrom('block', 'flow', 'json', 'flow-trailing'), options, fc.boolean(), (spec, style, opts, finalNewline) => {
      const initNames = new Set((spec.initContainers ?? []).map(c => c.name));
      spec.containers = spec.containers.filter(c => !initNames.has(c.name));
      if (spec.containers.length === 0) return;
      const manifest = strip({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w' }, spec: { template: { spec } } });
      const generated = style === 'json' ? JSON.stringify(manifest, null, 2) : style === 'flow-trailing' ? flowTrailing(manifest)
        : YAML.stringify(manifest, { collectionStyle: style === 'flow' ? 'flow' : 'block' } as any);
      const text = finalNewline ? generated.replace(/\n?$/, '\n') : generated.replace(/\n+$/, '');
      const once = hardenText(text, opts);
      expect(once.text.endsWith('\n')).toBe(finalNewline); // a missing final newline stays missing
      expect(once.error).toBeUndefined();
      const twice = hardenText(once.text, opts);
      expect(twice.text).toBe(once.text);
      const after = YAML.parse(once.text);
      const keeps = (a: any, b: any): boolean => (typeof a !== 'object' || a === null ? a === b
        : Array.isArray(a) ? a.every((x, i) => keeps(x, b?.[i])) : Object.keys(a).every(k => keeps(a[k], b?.[k])));
      expect(keeps(manifest, after)).toBe(true);
      if (style === 'json') JSON.parse(once.text);
      const out = after.spec.template.spec;
      if (spec.os?.name === 'windows') expect(linuxOnly(out)).toEqual(linuxOnly(manifest.spec.template.spec));
      // the API rejects allowPrivilegeEscalation: false next to privileged: true or an added CAP_SYS_ADMIN: never written there
      [...out.initContainers ?? [], ...out.containers].forEach((c: any, i: number) => {
        const before = [...manifest.spec.template.spec.initContainers ?? [], ...manifest.spec.template.spec.containers][i].securityContext;
        if (c.securityContext?.privileged === true || (c.securityContext?.capabilities?.add ?? []).includes('CAP_SYS_ADMIN')) {
          expect(c.securityContext.allowPrivilegeEscalation).toBe(before?.allowPrivilegeEscalation);
        }
      });
      const malformed = (o: unknown) => PodSecurity.evaluate(o).malformed;
      if (malformed(manifest) === undefined) expect(malformed(after)).toBeUndefined();
    }), { numRuns: 200 });
  });
});

describe('the reference article\'s manifests (scenarios 1, 10, 15)', () => {
  const ARTICLE = path.join(__dirname, '..', '..', '..', 'examples', 'manifests', 'article');

  test('secure-app (runAsNonRoot without a user): the unknown user needs a human; --user 1000 writes it (issue 20, point 3)', () => {
    const text = fs.readFileSync(path.join(ARTICLE, 'secure-app.yaml'), 'utf8');
    const r = hardenText(text);
    // Pod Security passes, but the kubelet refuses runAsNonRoot with an image whose USER is root or a name: a finding, no user written
    expect(r.objects[0].remaining).toEqual([]);
    expect(r.objects[0].problems.join('\n')).toContain('no numeric user is known for image');
    expect(r.text).not.toContain('runAsUser');
    // the examples' migration step: --user 1000 fills the unknown user
    const fixed = hardenText(text, { user: 1000 });
    expect(fixed.objects[0].problems).toEqual([]);
    const spec = (YAML.parse(fixed.text) as any).spec;
    expect(spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    // a second run over its own output changes nothing
    expect(hardenText(fixed.text, { user: 1000 }).text).toBe(fixed.text);
  });

  test('elasticsearch: the root init container under a pod-level runAsNonRoot is reported (the kubelet refuses it), never silently changed', () => {
    const text = fs.readFileSync(path.join(ARTICLE, 'elasticsearch.yaml'), 'utf8');
    const r = hardenText(text);
    expect(onlyInsertions(text, r.text)).toBe(true);
    const problems = r.objects[0].problems.join('\n');
    expect(problems).toContain('container "fix-permissions": runs as root');
    expect(problems).toContain('the kubelet refuses to start it');
    expect(r.objects[0].remaining).toEqual(['runAsUser: container "fix-permissions" must not set runAsUser=0']);
  });
});

describe('harden: the shared runtime and volume checks', () => {
  const pod = (containers: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:${extra}
  containers:
${containers}`;

  test('a low port: a root container that drops ALL cannot bind it either; one that adds NET_BIND_SERVICE can (as the constructs decide)', () => {
    // on the host network (which cannot take the sysctl harden adds otherwise)
    const root = hardenText(pod(`    - name: web
      image: httpd
      ports: [{containerPort: 80}]
      securityContext: {runAsUser: 0}`, '\n  hostNetwork: true'));
    const problems = root.objects[0].problems.join('\n');
    expect(problems).toContain('container "web": port 80 is below 1024: a root process without NET_BIND_SERVICE (capabilities drop ALL) cannot bind it');
    expect(YAML.parse(root.text).spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });

    const bind = hardenText(pod(`    - name: web
      image: httpd
      ports: [{containerPort: 80}]
      securityContext: {runAsUser: 0, capabilities: {add: [NET_BIND_SERVICE]}}`));
    expect(bind.objects[0].problems.join('\n')).not.toContain('port 80');
    expect(bind.objects[0].problems.join('\n')).toContain('container "web": runs as root');

    const nonRoot = hardenText(pod(`    - name: web
      image: httpd
      ports: [{containerPort: 443}]
      securityContext: {runAsUser: 1000, capabilities: {add: [NET_BIND_SERVICE]}}`, '\n  hostNetwork: true'));
    expect(nonRoot.objects[0].problems.join('\n')).toContain('port 443 is below 1024: a non-root process cannot bind it');

    const sysctl = hardenText(pod(`    - name: web
      image: httpd
      ports: [{containerPort: 80}]
      securityContext: {runAsUser: 1000}`, `
  securityContext:
    sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "80"}]`));
    expect(sysctl.objects[0].problems.join('\n')).not.toContain('port 80');
  });

  test('volume types are judged by the policy engine\'s restricted volume check', () => {
    const r = hardenText(pod(`    - name: web
      image: httpd
      securityContext: {runAsUser: 1000}`, `
  volumes:
    - {name: shared, nfs: {server: nfs.example.com, path: /export}}
    - {name: cache, emptyDir: {}}
    - {name: data, persistentVolumeClaim: {claimName: data}}
    - {name: pic, image: {reference: registry.example.com/data:1}}`));
    const problems = r.objects[0].problems.join('\n');
    expect(problems).toContain('volume "shared" of type nfs is not allowed by restricted');
    expect(problems).not.toMatch(/volume "(cache|data|pic)"/);
    expect(r.objects[0].remaining).toEqual([expect.stringMatching(/^restrictedVolumes: volume "shared"/)]);
  });
});

describe('cdk8s-rootless harden (CLI)', () => {
  test('stdin to stdout; the report goes to stderr; exit 0 when everything passes, and the output passes audit', async () => {
    const r = await cli(['harden', '-'], { stdin: HELM });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('<stdin>: doc 0 Deployment release-web: passes restricted');
    expect(r.stderr).toContain('  + pod: fsGroup 101 (image preset), runAsNonRoot true, seccompProfile RuntimeDefault');
    const dir = tmpDir();
    writeFiles(dir, { 'out.yaml': r.stdout });
    expect((await cli(['audit', '--level', 'restricted', 'out.yaml'], { cwd: dir })).code).toBe(0);
  });

  test('exit 1 and the list of what still fails when something cannot be hardened', async () => {
    const r = await cli(['harden', '-'], { stdin: CRONJOB });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CronJob report: still fails restricted (1)');
    expect(r.stderr).toMatch(/ {2}x runAsNonRoot: /);
    expect(r.stderr).toContain('--user UID');
  });

  test('--write rewrites folders in place (YAML and JSON), leaving unchanged files alone; -o writes one file', async () => {
    const dir = tmpDir();
    writeFiles(dir, {
      'k8s/web.yaml': HELM,
      'k8s/job.json': JSON.stringify({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'j', image: 'x' }] } } } }, null, 2),
      'k8s/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
      'k8s/Dockerfile': 'FROM alpine\n',
    });
    const before = fs.statSync(path.join(dir, 'k8s/cm.yaml')).mtimeMs;
    const r = await cli(['harden', 'k8s', '--write', '--user', '10001'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(restricted(fs.readFileSync(path.join(dir, 'k8s/web.yaml'), 'utf8'))).toBe(true);
    const job = JSON.parse(fs.readFileSync(path.join(dir, 'k8s/job.json'), 'utf8'));
    expect(PodSecurity.evaluate(job).allowed).toBe(true);
    expect(fs.statSync(path.join(dir, 'k8s/cm.yaml')).mtimeMs).toBe(before);
    expect(fs.readFileSync(path.join(dir, 'k8s/Dockerfile'), 'utf8')).toBe('FROM alpine\n');
    expect((await cli(['harden', 'k8s/Dockerfile'], { cwd: dir })).stderr).toContain('k8s/Dockerfile: skipped: a Dockerfile');
    // again: nothing changes
    const again = await cli(['harden', 'k8s', '--write', '--user', '10001'], { cwd: dir });
    expect(again.code).toBe(0);

    const o = await cli(['harden', '-', '-o', 'hardened.yaml'], { cwd: dir, stdin: HELM });
    expect(o.code).toBe(0);
    expect(restricted(fs.readFileSync(path.join(dir, 'hardened.yaml'), 'utf8'))).toBe(true);
  });

  test('usage errors and unreadable input exit 3 (harden\'s 2 means refused: docs/cli.md)', async () => {
    expect((await cli(['harden'])).code).toBe(3);
    expect((await cli(['harden', '-', '--write'], { stdin: HELM })).code).toBe(3);
    expect((await cli(['harden', '-', '--user', 'root'], { stdin: HELM })).code).toBe(3);
    expect((await cli(['harden', '-', '--user', '0'], { stdin: HELM })).code).toBe(3);
    expect((await cli(['harden', 'x.yaml', '--write', '-o', 'y.yaml'])).code).toBe(3);
    expect((await cli(['harden', '-', '--check', '-o', 'y.yaml'], { stdin: HELM })).code).toBe(3);
    expect((await cli(['harden', '-', '--no-such-flag'], { stdin: HELM })).code).toBe(3);
    expect((await cli(['harden', 'missing-file.yaml'])).code).toBe(3);
    // audit keeps its own codes: a usage error there is 2
    expect((await cli(['audit', '--no-such-flag'])).code).toBe(2);
    const bad = await cli(['harden', '-'], { stdin: 'a: [1\n' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('<stdin>: error:');
  });
});
