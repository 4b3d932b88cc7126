/**
 * Red team of the hostPath exemption's scope (issue 20 point 6; test/redteam/FINDINGS.md, "hostPath
 * scope"). The oracle is what the kubelet does with a hostPath volume, not the library's code:
 * - `type` unset or "" makes the kubelet check nothing: whatever the node has at the path (a socket, a
 *   device node) is bind-mounted; only `File`, `Directory`, `Socket` … are checked
 *   (pkg/volume/hostpath/host_path.go, `checkType`);
 * - a UNIX socket connects and a device node opens for writing through a read-only bind mount (the
 *   kernel takes no write access on the mount for special files: fs/open.c `do_dentry_open`);
 * - `DirectoryOrCreate` / `FileOrCreate` make the kubelet create the path on the node (0755 / 0644,
 *   as root) before any mount, read-only or not.
 * Each attack is checked on both sides of the contract: the admission policy's CEL and the one
 * JavaScript judgement (judge(), as synthesis and audit use it), which must agree.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as pathLib from 'path';
import { Readable } from 'stream';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as YAML from 'yaml';
import { KEY, cel, js, pod } from './admission';
import { REASON, expectRefusedOrSound } from './helpers';
import { hardenText } from '../../lib/cli/harden/harden-text';
import { run } from '../../lib/cli/program';
import { HardenedPod } from '../../lib/constructs/plus';
import { readAnnotation, writeAnnotation } from '../../lib/exemptions/codec';
import { declaredExemptions } from '../../lib/exemptions/declared';
import { Exemption, HostPathExemptionOptions } from '../../lib/exemptions/exemption';
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';

const entry = (paths: string[], writable = false) => ({ kind: ExemptionKind.HOST_PATH, reason: REASON, paths, writable } as any);
const annotation = (paths: string[], writable = false) => writeAnnotation([entry(paths, writable)]);

interface Vol { readonly path: string; readonly type?: string; readonly readOnly?: boolean }

/** A restricted pod whose container `app` mounts each volume (read-only unless said otherwise), with `ann`. */
function hostPod(ann: string, vols: Vol[], mutate: (spec: any) => void = () => {}): any {
  return pod(spec => {
    spec.volumes = vols.map((v, i) => ({ name: `h${i}`, hostPath: { path: v.path, ...(v.type !== undefined ? { type: v.type } : {}) } }));
    spec.containers[0].volumeMounts = vols.map((v, i) => ({ name: `h${i}`, mountPath: `/host/${i}`, readOnly: v.readOnly ?? true }));
    mutate(spec);
  }, ann);
}

/** Both sides' verdicts: the CEL's failed checks (no evaluation error) and the JavaScript judgement's. */
function verdicts(manifest: any): { cel: string[]; js: string[] } {
  const c = cel(manifest);
  expect(c.errors).toEqual([]);
  return { cel: c.failed, js: js(manifest) };
}

const DENIED = { cel: ['restrictedVolumes'], js: ['restrictedVolumes'] };
const ADMITTED = { cel: [], js: [] };

describe('held: spellings of the volume path and of the annotation', () => {
  test.each([
    ['a trailing slash', '/var/log/'],
    ['a double slash', '/var//log'],
    ['a dot segment', '/var/./log'],
    ['a .. segment back into the path', '/var/log/../log'],
    ['a .. segment out of it', '/var/log/../lib/kubelet'],
    ['percent-encoding is a literal name, outside the path', '/var/log%2f..%2f..%2fetc'],
    ['another case (Linux paths are case-sensitive)', '/VAR/LOG'],
    ['a prefix that is not a segment', '/var/logs'],
    ['a look-alike solidus (U+2215)', '/var\u2215log'],
    ['a NUL', '/var/log\u0000/x'],
    ['a backslash', '/var/log\\..\\..'],
  ])('%s is not covered by /var/log', (_name, path) => {
    expect(verdicts(hostPod(annotation(['/var/log']), [{ path }]))).toEqual(DENIED);
  });

  test('a covered path and one below it, read-only, are admitted by both', () => {
    expect(verdicts(hostPod(annotation(['/var/log']), [{ path: '/var/log' }, { path: '/var/log/pods' }, { path: '/var/log/x', type: 'File' }]))).toEqual(ADMITTED);
  });

  test.each([
    ['a trailing slash', '[{"id":"hostPath","container":null,"paths":["/var/log/"],"writable":false,"reason":"R"}]'],
    ['a .. segment', '[{"id":"hostPath","container":null,"paths":["/var/log/.."],"writable":false,"reason":"R"}]'],
    ['an escaped solidus', '[{"id":"hostPath","container":null,"paths":["\\/var\\/log"],"writable":false,"reason":"R"}]'],
    ['a unicode escape', '[{"id":"hostPath","container":null,"paths":["/var/\\u006cog"],"writable":false,"reason":"R"}]'],
    ['writable as a string', '[{"id":"hostPath","container":null,"paths":["/var/log"],"writable":"false","reason":"R"}]'],
    ['writable before paths', '[{"id":"hostPath","container":null,"writable":false,"paths":["/var/log"],"reason":"R"}]'],
    ['a duplicated paths key', '[{"id":"hostPath","container":null,"paths":["/srv"],"paths":["/var/log"],"writable":false,"reason":"R"}]'],
    ['the root', '[{"id":"hostPath","container":null,"paths":["/"],"writable":false,"reason":"R"}]'],
    ['a container scope on the pod-only kind', '[{"id":"hostPath","container":"app","paths":["/var/log"],"writable":false,"reason":"R"}]'],
    ['a look-alike id', '[{"id":"h\u043estPath","container":null,"paths":["/var/log"],"writable":false,"reason":"R"}]'],
    ['paths as a string', '[{"id":"hostPath","container":null,"paths":"/var/log","writable":false,"reason":"R"}]'],
  ])('a forged annotation with %s covers nothing', (_name, text) => {
    const ann = text.replace('"R"', JSON.stringify(REASON));
    expect(readAnnotation(ann).exemptions).toEqual([]);
    expect(verdicts(hostPod(ann, [{ path: '/var/log' }]))).toEqual(DENIED);
  });

  test('a canonical annotation written with a node path in a second entry voids the first entry too', () => {
    const ann = writeAnnotation([entry(['/var/log']), entry(['/srv/x', '/var/lib/kubelet/pods'], true)]);
    expect(verdicts(hostPod(ann, [{ path: '/var/log' }]))).toEqual(DENIED);
  });
});

describe('held: who mounts the volume', () => {
  test.each([
    ['an init container', (s: any) => { s.initContainers[0].volumeMounts = [{ name: 'h0', mountPath: '/h' }]; }],
    ['a second container with readOnly false', (s: any) => { s.containers[1].volumeMounts = [{ name: 'h0', mountPath: '/h', readOnly: false }]; }],
    ['an ephemeral container', (s: any) => {
      s.ephemeralContainers = [{ ...s.containers[1], name: 'debug', volumeMounts: [{ name: 'h0', mountPath: '/h' }] }];
    }],
    ['a subPath mount without readOnly', (s: any) => { s.containers[1].volumeMounts = [{ name: 'h0', mountPath: '/h', subPath: 'pods' }]; }],
  ])('a writable mount by %s under a read-only exemption is denied', (_name, mutate) => {
    expect(verdicts(hostPod(annotation(['/var/log']), [{ path: '/var/log' }], mutate))).toEqual(DENIED);
  });

  test('read-only mounts with subPath, subPathExpr and HostToContainer propagation stay covered on both sides', () => {
    const m = hostPod(annotation(['/var/log']), [{ path: '/var/log' }], s => {
      s.containers[1].volumeMounts = [
        { name: 'h0', mountPath: '/a', subPath: 'pods', readOnly: true },
        { name: 'h0', mountPath: '/b', subPathExpr: '$(POD)', readOnly: true, mountPropagation: 'HostToContainer' },
      ];
    });
    expect(verdicts(m)).toEqual(ADMITTED);
  });
});

describe('H1: what a read-only mount does not protect, whatever `type` says', () => {
  // the kubelet checks nothing for type unset or "": the device node or socket at the path is mounted as it is
  test.each([
    ['a block device, type unset', '/dev', { path: '/dev/sda' }],
    ['a block device, type ""', '/dev', { path: '/dev/nvme0n1', type: '' }],
    ['the device directory', '/dev', { path: '/dev', type: 'Directory' }],
    ['a device below a named directory', '/dev/disk', { path: '/dev/disk/by-id/x' }],
    ['the system bus socket, type unset', '/run/dbus', { path: '/run/dbus/system_bus_socket' }],
    ['the system bus directory', '/var/run/dbus', { path: '/var/run/dbus', type: 'Directory' }],
    ['systemd\'s sockets', '/run/systemd', { path: '/run/systemd' }],
  ])('%s under a read-only exemption is denied by both', (_name, named, vol) => {
    expect(verdicts(hostPod(annotation([named]), [vol as Vol]))).toEqual(DENIED);
  });

  test.each([
    ['DirectoryOrCreate', '/etc/cron.d/x'],
    ['FileOrCreate', '/etc/nologin'],
  ])('%s (the kubelet creates the path on the node) under a read-only exemption is denied by both', (type, path) => {
    expect(verdicts(hostPod(annotation(['/opt/agent']), [{ path: `/opt/agent${path}`, type }]))).toEqual(DENIED);
  });

  test('a writable exemption covers them (the author says the pod can change the node)', () => {
    expect(verdicts(hostPod(annotation(['/dev/kmsg'], true), [{ path: '/dev/kmsg', type: 'CharDevice' }]))).toEqual(ADMITTED);
    expect(verdicts(hostPod(annotation(['/var/lib/agent'], true), [{ path: '/var/lib/agent', type: 'DirectoryOrCreate', readOnly: false }]))).toEqual(ADMITTED);
  });

  test('a regular file below /run, checked by the kubelet (type File), stays covered read-only', () => {
    expect(verdicts(hostPod(annotation(['/run/log']), [{ path: '/run/log/journal/x.journal', type: 'File' }]))).toEqual(ADMITTED);
  });
});

describe('H2: node credentials outside the listed node paths', () => {
  test.each([
    ['etcd\'s data (every Secret of the cluster)', '/var/lib/etcd'],
    ['k3s\' admin kubeconfig and node token', '/etc/rancher'],
    ['k0s\' state and kubelet', '/var/lib/k0s'],
    ['k0s\' containerd socket', '/run/k0s'],
    ['MicroK8s\' kubelet, containerd socket and credentials', '/var/snap/microk8s'],
    ['minikube\'s cluster CA key', '/var/lib/minikube'],
    ['kops\' and kube-up\'s PKI', '/srv/kubernetes'],
    ['the CNI configuration (Calico\'s calico-kubeconfig, Multus\' multus.kubeconfig: service-account tokens)', '/etc/cni/net.d'],
  ])('%s (%s) is a node path: never covered, and an exemption naming it is void', (_name, path) => {
    for (const writable of [false, true]) {
      expect(readAnnotation(annotation([path], writable)).exemptions).toEqual([]);
      expect(verdicts(hostPod(annotation([path], writable), [{ path }]))).toEqual(DENIED);
    }
    expect(() => Testing.synth(chartWith({ paths: [path] }, path))).toThrow(/node/);
  });
});

/** A chart with a HardenedPod mounting `path` read-only under Exemption.hostPath(options). */
function chartWith(options: HostPathExemptionOptions, path: string) {
  const chart = Testing.chart();
  const p = new HardenedPod(chart, 'pod', { user: 1000, exemptions: [Exemption.hostPath(REASON, options)] });
  const c = p.addContainer({ name: 'app', image: 'app:1' });
  c.mount('/host', kplus.Volume.fromHostPath(chart, 'v', 'v', { path }), { readOnly: true });
  return chart;
}

describe('H1 at synthesis: a HardenedPod mounting a device or socket read-only under a read-only exemption fails, naming it', () => {
  test.each([
    ['/dev', '/dev/sda', undefined],
    ['/run/dbus', '/run/dbus', kplus.HostPathVolumeType.DIRECTORY],
    ['/opt/agent', '/opt/agent/state', kplus.HostPathVolumeType.DIRECTORY_OR_CREATE],
  ])('named %s, mounted %s (type %s)', (named, path, type) => {
    expectRefusedOrSound(chart => {
      const p = new HardenedPod(chart, 'pod', { user: 1000, exemptions: [Exemption.hostPath(REASON, { paths: [named] })] });
      p.addContainer({ name: 'app', image: 'app:1' }).mount('/host', kplus.Volume.fromHostPath(chart, 'v', 'v', { path, type }), { readOnly: true });
    });
    expect(() => {
      const chart = Testing.chart();
      const p = new HardenedPod(chart, 'pod', { user: 1000, exemptions: [Exemption.hostPath(REASON, { paths: [named] })] });
      p.addContainer({ name: 'app', image: 'app:1' }).mount('/host', kplus.Volume.fromHostPath(chart, 'v', 'v', { path, type }), { readOnly: true });
      Testing.synth(chart);
    }).toThrow(/test\/pod[\s\S]*volume "v" \(hostPath "[^"]+"\)[\s\S]*Fix: [\s\S]*writable: true/);
  });
});

describe('H3: harden --add-exemptions declares what a read-only exemption cannot cover as writable', () => {
  const manifest = (path: string, type: string | undefined) => `apiVersion: v1
kind: Pod
metadata: {name: agent}
spec:
  securityContext: {runAsUser: 1000}
  volumes:
    - {name: h, hostPath: {path: ${path}${type !== undefined ? `, type: "${type}"` : ''}}}
  containers:
    - name: agent
      image: agent:1
      volumeMounts: [{name: h, mountPath: /h, readOnly: true}]
`;
  test.each([
    ['/dev/kmsg', 'CharDevice'],
    ['/var/lib/agent/agent.sock', 'Socket'],
    ['/dev/sda', undefined],
    ['/run/dbus', 'Directory'],
    ['/opt/agent', 'DirectoryOrCreate'],
  ])('%s (type %s) mounted read-only: the written entry, once a human gives the reason, covers it', (path, type) => {
    const out = YAML.parse(hardenText(manifest(path, type), { addExemptions: true }).text);
    const annotations = out.metadata.annotations;
    // a human confirms each entry harden proposes (the token's too) with a reason
    const entries = JSON.parse(annotations[KEY]).map((e: any) => ({ ...e, reason: REASON }));
    expect(entries.find((e: any) => e.id === 'hostPath')).toMatchObject({ paths: [path], writable: true });
    const reasoned = { ...out, metadata: { ...out.metadata, annotations: { ...annotations, [KEY]: JSON.stringify(entries) } } };
    expect(declaredExemptions(reasoned).problems).toEqual([]);
    expect(js(reasoned)).not.toContain('restrictedVolumes');
  });

  test('a regular file under /run (type File) and a plain directory elsewhere, read-only, are declared read-only', () => {
    for (const [path, type] of [['/run/log/journal/x', 'File'], ['/var/log', undefined]] as const) {
      const out = YAML.parse(hardenText(manifest(path, type), { addExemptions: true }).text);
      expect(JSON.parse(out.metadata.annotations[KEY]).find((e: any) => e.id === 'hostPath')).toMatchObject({ paths: [path], writable: false });
    }
  });
});

describe('H4: bad options name the prop that is wrong', () => {
  test('writable that is not a boolean is reported on .writable, not on .paths', () => {
    expect(() => new HardenedPod(Testing.chart(), 'pod', { user: 1000, exemptions: [Exemption.hostPath(REASON, { paths: ['/var/log'], writable: 'yes' as any })] })).toThrow(/HardenedPod test\/pod: invalid props:\n\s+props\.exemptions\[0\] \(Exemption\.hostPath\(\{ paths: \["\/var\/log"\], writable: "yes" \}\)\)\.writable: "yes" is not a boolean\. Fix: use true or false\./);
  });

  test.each([
    ['no options (a JavaScript caller)', undefined, /\.paths: undefined is not a list of host paths\. Fix: name the paths/],
    ['null', null, /\.paths: undefined is not a list of host paths\. Fix: name the paths/],
    ['a string for paths', { paths: '/var/log' }, /\.paths: "\/var\/log" is not a list of host paths/],
    ['an empty list', { paths: [] }, /\.paths: \[\] is not a list of host paths/],
    ['a number in paths', { paths: [42] }, /\.paths: 42 is not an absolute, clean host path/],
    ['17 paths', { paths: Array.from({ length: 17 }, (_, i) => `/opt/p${i}`) }, /\.paths: 17 paths: at most 16\. Fix: /],
  ])('%s: a clear error naming the construct path and the prop, no TypeError', (_name, options, message) => {
    let error: unknown;
    try {
      const chart = Testing.chart();
      new HardenedPod(chart, 'pod', { user: 1000, exemptions: [Exemption.hostPath(REASON, options as any)] });
      Testing.synth(chart);
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^HardenedPod test\/pod: invalid props:/);
    expect((error as Error).message).toMatch(message);
  });
});

describe('held: audit --exemptions honor reads the YAML as kubectl does (checked with `kubectl label --local -f FILE x=y -o json`, kubectl 1.32)', () => {
  const dir = fs.mkdtempSync(pathLib.join(os.tmpdir(), 'redteam-hostpath-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  async function audit(yaml: string): Promise<{ code: number; out: string }> {
    const f = pathLib.join(dir, `m${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(f, yaml);
    let out = '';
    const w = { write: (x: string) => { out += x; return true; } };
    const code = await run(['audit', f, '--exemptions', 'honor'], { stdin: Readable.from([]), stdout: w, stderr: w, cwd: dir });
    return { code, out };
  }
  const manifest = (volume: string, mount: string) => `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    rootless.cdk8s.io/exemptions: '${annotation(['/var/log'])}'
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  volumes:
  - name: h
    hostPath:
${volume}
  containers:
  - name: app
    image: app:1
    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
    volumeMounts:
    - name: h
      mountPath: /h
${mount}
`;
  test('the covered pod passes (the control)', async () => {
    expect((await audit(manifest('      path: /var/log', '      readOnly: true'))).code).toBe(0);
  });
  // H5 (found on the hostpath branch, whose js-yaml reader kept the explicit key; fixed on main by the one reader,
  // lib/manifests/, merged here): kubectl (go-yaml v2) applies a `<<` merge in document order and keeps the last of
  // duplicate keys, and audit must judge what kubectl sends
  test.each([
    ['H5 a merge key after the path (kubectl sends /var/lib/kubelet)', '      path: /var/log\n      <<: {path: /var/lib/kubelet}', '      readOnly: true'],
    ['H5 a duplicate path key (kubectl sends the last, /etc/kubernetes)', '      path: /var/log\n      path: /etc/kubernetes', '      readOnly: true'],
    ['H5 a merge key after readOnly (kubectl sends readOnly: false)', '      path: /var/log', '      readOnly: true\n      <<: {readOnly: false}'],
  ])('%s: what kubectl sends is not covered, and audit says so', async (_name, volume, mount) => {
    const r = await audit(manifest(volume, mount));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/hostPath/);
  });
});

describe('held: many and long entries', () => {
  test('an 8192-code-point canonical annotation of one entry with thousands of paths: void, denied, no CEL error', () => {
    const paths = Array.from({ length: 2000 }, (_, i) => `/o/${i}`);
    let ann = annotation(['/var/log', ...paths]);
    while ([...ann].length > 8192) ann = annotation(['/var/log', ...paths.slice(0, paths.length - Math.ceil(([...ann].length - 8192) / 7) - 1)]);
    expect([...ann].length).toBeLessThanOrEqual(8192);
    expect(readAnnotation(ann).exemptions).toEqual([]);
    expect(verdicts(hostPod(ann, [{ path: '/var/log' }]))).toEqual(DENIED);
  });

  test('16 paths split over a read-only and a writable entry, 16 volumes of 256-character paths: both sides agree, no CEL error', () => {
    const long = (i: number) => `/opt/${String(i).padStart(2, '0')}/${'x'.repeat(256 - 9)}`;
    const ann = writeAnnotation([entry(Array.from({ length: 8 }, (_, i) => `/opt/${String(i).padStart(2, '0')}`)),
      entry(Array.from({ length: 8 }, (_, i) => `/opt/${String(i + 8).padStart(2, '0')}`), true)]);
    const vols = Array.from({ length: 16 }, (_, i) => ({ path: long(i), readOnly: i % 3 !== 0 }));
    const v = verdicts(hostPod(ann, vols));
    expect(v.cel).toEqual(v.js);
    expect(v.js).toEqual(['restrictedVolumes']); // volume 0 is mounted writable under the read-only entry
    expect(verdicts(hostPod(ann, vols.map((x, i) => ({ ...x, readOnly: i < 8 ? true : x.readOnly }))))).toEqual(ADMITTED);
  });
});
