/**
 * `Exemption.hostPath(reason, { paths, writable })` covers only the named host paths (by whole
 * segments, spelled clean), only read-only mounts unless writable, and never a node path
 * (kinds/host-path.ts). Each rule from the construct side (props errors, synthesis errors), the
 * codec's (annotations) and the judgement's (revert), with the bad inputs an author or an attacker
 * would try.
 */
import * as fs from 'fs';
import { join } from 'path';
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as YAML from 'yaml';
import { REASON, constructionError, exemptions, level, synthError, synthPod } from './util';
import { Exemption, HostPathExemptionOptions, RootlessHardening } from '../../lib';
import { judgeObject } from '../../lib/cli/audit/audit-judge';
import { hardenText } from '../../lib/cli/harden/harden-text';
import { HardenedPod } from '../../lib/constructs/plus';
import { readAnnotation, writeAnnotation } from '../../lib/exemptions/codec';
import { declaredExemptions, revertExemptions } from '../../lib/exemptions/declared';
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';
import { MAX_HOST_PATHS, NODE_PATHS, isNodePath } from '../../lib/exemptions/kinds/host-path';
import { isCleanHostPath, pathWithin } from '../../lib/hardening/paths';
import { judgeRootless } from '../../lib/hardening/verify';
import { PolicyLevel } from '../../lib/policy';

interface Mount { readonly path: string; readonly readOnly?: boolean; readonly type?: kplus.HostPathVolumeType }

/** A pod running as root-free user 1000 with `mounts` (hostPath volumes) and one hostPath exemption. */
function build(options: HostPathExemptionOptions | undefined, mounts: Mount[]) {
  return (chart: any) => {
    const pod = new HardenedPod(chart, 'agent', {
      user: 1000,
      exemptions: options === undefined ? [] : [Exemption.hostPath('reads the node logs to ship them', options)],
      containers: [{ name: 'agent', image: 'agent:1' }],
    });
    mounts.forEach((m, i) => pod.containers[0].mount(`/host/${i}`,
      kplus.Volume.fromHostPath(chart, `v${i}`, `v${i}`, { path: m.path, type: m.type }), { readOnly: m.readOnly }));
  };
}

describe('what a hostPath exemption covers, at synthesis', () => {
  test('a read-only mount of a named path: annotated with its paths, honestly privileged', () => {
    const pod = synthPod(build({ paths: ['/var/log'] }, [{ path: '/var/log', readOnly: true }]));
    expect(exemptions(pod)).toEqual([{ id: 'hostPath', container: null, paths: ['/var/log'], writable: false, reason: 'reads the node logs to ship them' }]);
    expect(level(pod)).toBe('privileged');
    expect(pod.spec.volumes).toContainEqual({ name: 'v0', hostPath: { path: '/var/log', type: '' } });
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: 'v0', mountPath: '/host/0', readOnly: true });
  });

  test('a path below a named one is covered, by whole segments', () => {
    expect(() => synthPod(build({ paths: ['/var/log'] }, [{ path: '/var/log/pods', readOnly: true }, { path: '/var/log/containers', readOnly: true }]))).not.toThrow();
  });

  test('a path that only shares a prefix is not covered (/var/log does not cover /var/logs)', () => {
    const message = synthError(build({ paths: ['/var/log'] }, [{ path: '/var/logs', readOnly: true }]));
    expect(message).toContain('volume "v0" (hostPath "/var/logs") is outside the exemption\'s paths (/var/log)');
    expect(message).toContain('no exemption covers it');
  });

  test('a mount outside the named paths fails synthesis, naming the volume and the fix', () => {
    const message = synthError(build({ paths: ['/var/log'] }, [{ path: '/var/log', readOnly: true }, { path: '/srv/data', readOnly: true }]));
    expect(message).toContain('[test/agent]');
    expect(message).toContain('volume "v1" (hostPath "/srv/data") is outside the exemption\'s paths (/var/log). Fix: add it to Exemption.hostPath\'s paths');
    expect(message).not.toContain('"v0"');
  });

  test('a writable mount under a read-only exemption fails, naming the container and the fixes', () => {
    const message = synthError(build({ paths: ['/var/log'] }, [{ path: '/var/log' }]));
    expect(message).toContain('volume "v0" (hostPath "/var/log") is mounted writable by container "agent", and the exemption covers read-only mounts only');
    expect(message).toContain('mount it with readOnly: true (and recursiveReadOnly: IfPossible');
    expect(message).toContain('declare the exemption with writable: true');
  });

  test('writable: true covers writable mounts of its paths, and still nothing else', () => {
    const pod = synthPod(build({ paths: ['/var/lib/agent'], writable: true }, [{ path: '/var/lib/agent' }]));
    expect(exemptions(pod)[0]).toMatchObject({ paths: ['/var/lib/agent'], writable: true });
    expect(synthError(build({ paths: ['/var/lib/agent'], writable: true }, [{ path: '/var/lib/agent' }, { path: '/var/log' }])))
      .toContain('volume "v1" (hostPath "/var/log") is outside the exemption\'s paths (/var/lib/agent)');
  });

  test('a socket or device is not covered read-only (it is usable through a read-only mount)', () => {
    const socket = [{ path: '/var/log/agent.sock', readOnly: true, type: kplus.HostPathVolumeType.SOCKET }];
    expect(synthError(build({ paths: ['/var/log'] }, socket))).toContain('has type Socket, which a container can use through a read-only mount');
    expect(() => synthPod(build({ paths: ['/var/log'], writable: true }, socket))).not.toThrow();
  });

  test('a volume path spelled otherwise than clean is not covered: .., trailing slash, double slash', () => {
    for (const path of ['/var/log/../lib/kubelet', '/var/log/', '/var//log', '/var/log/./pods']) {
      expect(synthError(build({ paths: ['/var/log'] }, [{ path, readOnly: true }]))).toContain(`volume "v0" (hostPath ${JSON.stringify(path)}) is not spelled as an absolute, clean path`);
    }
  });

  test('without any hostPath exemption, a hostPath volume fails and the hint names the paths option', () => {
    expect(synthError(build(undefined, [{ path: '/var/log', readOnly: true }]))).toContain("Exemption.hostPath(reason, { paths: ['/var/log'] })");
  });
});

describe('bad options are refused at construction, naming the prop and the fix', () => {
  const refused = (options: any) => constructionError(chart => new HardenedPod(chart, 'agent', {
    user: 1000, exemptions: [Exemption.hostPath(REASON, options)], containers: [{ image: 'agent:1' }],
  }));

  test.each([
    ['no paths', { paths: [] }, '.paths: [] is not a list of host paths. Fix: name the paths the pod mounts'],
    ['no options (JavaScript)', undefined, '.paths: undefined is not a list of host paths'],
    ['a relative path', { paths: ['var/log'] }, '.paths: "var/log" is not an absolute, clean host path'],
    ['the root', { paths: ['/'] }, '.paths: "/" is the node\'s /, or holds or lies below it'],
    ['a .. spelling', { paths: ['/var/log/../lib/kubelet'] }, '.paths: "/var/log/../lib/kubelet" is not an absolute, clean host path'],
    ['a trailing slash', { paths: ['/var/log/'] }, '.paths: "/var/log/" is not an absolute, clean host path'],
    ['a quote', { paths: ['/var/"log'] }, '.paths: "/var/\\"log" is not an absolute, clean host path'],
    ['the kubelet', { paths: ['/var/lib/kubelet'] }, '.paths: "/var/lib/kubelet" is the node\'s /var/lib/kubelet'],
    ['below the kubelet', { paths: ['/var/lib/kubelet/pods'] }, 'is the node\'s /var/lib/kubelet, or holds or lies below it'],
    ['Kubernetes\' configuration', { paths: ['/etc/kubernetes'] }, 'is the node\'s /etc/kubernetes'],
    ['the docker socket', { paths: ['/var/run/docker.sock'] }, 'is the node\'s /var/run/docker.sock'],
    ['containerd\'s directory', { paths: ['/run/containerd'] }, 'is the node\'s /run/containerd'],
    ['the CRI-O socket\'s directory', { paths: ['/var/run/crio'] }, 'is the node\'s /var/run/crio'],
    ['a parent of the sockets', { paths: ['/run'] }, 'no hostPath exemption covers it, read-only or not'],
    ['a parent of the kubelet', { paths: ['/var/lib'] }, 'no hostPath exemption covers it, read-only or not'],
    ['too many paths', { paths: Array.from({ length: MAX_HOST_PATHS + 1 }, (_, i) => `/srv/p${i}`) }, `${MAX_HOST_PATHS + 1} paths: at most ${MAX_HOST_PATHS}`],
    ['writable not a boolean (JavaScript)', { paths: ['/var/log'], writable: 'yes' }, '.writable: "yes" is not a boolean'],
  ])('%s', (_name, options, expected) => {
    const message = refused(options);
    expect(message).toContain('HardenedPod test/agent: invalid props:');
    expect(message).toContain('props.exemptions[0] (Exemption.hostPath(');
    expect(message).toContain(expected);
  });

  test('the exemption is immutable: changing the array passed or read changes nothing', () => {
    const paths = ['/var/log'];
    const e = Exemption.hostPath(REASON, { paths });
    paths.push('/');
    e.paths!.push('/');
    expect(e.paths).toEqual(['/var/log']);
    expect(e.writable).toBe(false);
    expect(e.toString()).toBe('Exemption.hostPath({ paths: ["/var/log"] })');
    expect(Exemption.hostPath(REASON, { paths: ['/a'], writable: true }).toString()).toBe('Exemption.hostPath({ paths: ["/a"], writable: true })');
    expect(Exemption.runAsRoot(REASON).paths).toBeUndefined();
  });
});

describe('the annotation: the scope is part of the canonical form, and its absence covers nothing', () => {
  const ENTRY = { kind: ExemptionKind.HOST_PATH, reason: REASON, paths: ['/var/log'], writable: false };
  const pod = (annotation: string, volumes: any[], readOnly = true) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', annotations: { 'rootless.cdk8s.io/exemptions': annotation } },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      volumes,
      containers: [{
        name: 'a',
        image: 'x',
        volumeMounts: volumes.map(v => ({ name: v.name, mountPath: `/h/${v.name}`, readOnly })),
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      }],
    },
  });
  const allowed = (manifest: any) => judgeRootless(manifest, declaredExemptions(manifest).exemptions).allowed;

  test('canonical: paths and writable always written, in their place', () => {
    expect(writeAnnotation([ENTRY as any])).toBe(`[{"id":"hostPath","container":null,"paths":["/var/log"],"writable":false,"reason":"${REASON}"}]`);
    expect(readAnnotation(writeAnnotation([ENTRY as any]))).toMatchObject({ problems: [], exemptions: [{ paths: ['/var/log'], writable: false }] });
  });

  test.each([
    ['without paths (the old form)', `[{"id":"hostPath","container":null,"reason":"${REASON}"}]`, 'is not a list of host paths'],
    ['without writable', `[{"id":"hostPath","container":null,"paths":["/var/log"],"reason":"${REASON}"}]`, 'writable: undefined is not a boolean'],
    ['writable before paths', `[{"id":"hostPath","container":null,"writable":false,"paths":["/var/log"],"reason":"${REASON}"}]`, 'is not in the canonical form'],
    ['a node path', `[{"id":"hostPath","container":null,"paths":["/var/log","/run/containerd"],"writable":false,"reason":"${REASON}"}]`, 'is the node\'s /run/containerd'],
    ['a .. segment', `[{"id":"hostPath","container":null,"paths":["/var/log/.."],"writable":false,"reason":"${REASON}"}]`, 'is not an absolute, clean host path'],
    ['paths on another kind', `[{"id":"hostPID","container":null,"paths":["/var/log"],"writable":false,"reason":"${REASON}"}]`, 'unknown keys "paths", "writable"'],
    ['too many paths across entries', JSON.stringify([9, 8].map(n => ({ id: 'hostPath', container: null, paths: Array.from({ length: n }, (_, i) => `/srv/${n}/${i}`), writable: false, reason: REASON }))),
      'name 17 paths in all: at most 16'],
  ])('%s voids the annotation (fail closed)', (_name, annotation, problem) => {
    const reading = readAnnotation(annotation);
    expect(reading.exemptions).toEqual([]);
    expect(reading.problems.join('\n')).toContain(problem);
    expect(allowed(pod(annotation, [{ name: 'logs', hostPath: { path: '/var/log' } }]))).toBe(false);
  });

  test('the judgement: covered read-only in scope; not a writable mount, a path outside, a prefix-only path, a node path below a named path', () => {
    const ro = writeAnnotation([ENTRY as any]);
    expect(allowed(pod(ro, [{ name: 'logs', hostPath: { path: '/var/log/pods' } }]))).toBe(true);
    expect(allowed(pod(ro, [{ name: 'logs', hostPath: { path: '/var/log' } }], false))).toBe(false);
    expect(allowed(pod(ro, [{ name: 'logs', hostPath: { path: '/var/logs' } }]))).toBe(false);
    expect(allowed(pod(ro, [{ name: 'logs', hostPath: { path: '/' } }]))).toBe(false);
    // two entries: the writable one covers its own paths only
    const both = writeAnnotation([ENTRY as any, { ...ENTRY, paths: ['/var/lib/agent'], writable: true } as any]);
    const writable = pod(both, [{ name: 'state', hostPath: { path: '/var/lib/agent' } }, { name: 'logs', hostPath: { path: '/var/log' } }], false);
    expect(judgeRootless(writable, declaredExemptions(writable).exemptions).uncovered.violations.map(v => v.detail))
      .toEqual(['volume "logs" uses restricted volume type "hostPath"']);
  });
});

describe('the path rules', () => {
  test('whole segments', () => {
    expect(pathWithin('/var/log/pods', '/var/log')).toBe(true);
    expect(pathWithin('/var/log', '/var/log')).toBe(true);
    expect(pathWithin('/var/logs', '/var/log')).toBe(false);
    expect(pathWithin('/var', '/var/log')).toBe(false);
    expect(pathWithin('/anything', '/')).toBe(true);
  });

  test.each(['/var/log', '/a.b/c', '/.hidden', '/..x', '/a/...', '/x-y_z~1+2@3=4:5%6'])('clean: %s', p => expect(isCleanHostPath(p)).toBe(true));
  test.each(['', '/', 'var/log', '/var/log/', '//var', '/var//log', '/.', '/..', '/a/./b', '/a/../b', '/a b', '/a"b', '/a,b', '/a]b', '/a\\b', '/é'])(
    'not clean: %j', p => expect(isCleanHostPath(p)).toBe(false));

  test('node paths: each listed path, what is below it, what holds it; not its siblings', () => {
    for (const n of NODE_PATHS) {
      expect(isNodePath(n)).toBe(true);
      expect(isNodePath(`${n}/x/y`)).toBe(true);
      expect(isNodePath(`${n}x`)).toBe(false);
    }
    for (const p of ['/', '/var', '/var/lib', '/var/run', '/run', '/etc']) expect(isNodePath(p)).toBe(true);
    for (const p of ['/var/log', '/var/lib/agent', '/etc/ssl/certs', '/opt/cni/bin', '/sys/fs/cgroup', '/run2', '/var/lib/kubelet2']) expect(isNodePath(p)).toBe(false);
  });
});

describe('harden --add-exemptions declares the paths it found, never a reason', () => {
  const manifest = (readOnly: boolean, path = '/var/log') => `apiVersion: v1
kind: Pod
metadata: {name: shipper}
spec:
  automountServiceAccountToken: false
  securityContext: {runAsUser: 1000}
  volumes:
    - {name: logs, hostPath: {path: ${path}}}
  containers:
    - name: ship
      image: ship:1
      volumeMounts: [{name: logs, mountPath: /logs, readOnly: ${readOnly}}]
`;
  const declared = (text: string) => JSON.parse(YAML.parse(hardenText(text, { addExemptions: true }).text).metadata.annotations['rootless.cdk8s.io/exemptions']);

  test('a read-only mount: the path, read-only, a TODO reason that voids the annotation until a human writes one', () => {
    const [entry] = declared(manifest(true));
    expect(entry).toEqual({ id: 'hostPath', container: null, paths: ['/var/log'], writable: false, reason: 'TODO: explain why the pod mounts node files (hostPath /var/log)' });
    expect(readAnnotation(JSON.stringify([entry])).problems.join()).toContain('placeholder');
  });

  test('a writable mount: declared writable, for a human to confirm', () => {
    expect(declared(manifest(false))[0]).toMatchObject({ paths: ['/var/log'], writable: true });
  });

  test('a node path is declared as found, and the annotation is void whatever the reason', () => {
    const [entry] = declared(manifest(true, '/var/run/docker.sock'));
    expect(entry.paths).toEqual(['/var/run/docker.sock']);
    expect(readAnnotation(JSON.stringify([{ ...entry, reason: 'talks to the docker daemon on every node' }])).problems.join()).toContain('is the node\'s /var/run/docker.sock');
  });
});

describe('audit --exemptions honor honours the scope', () => {
  const pod = (path: string, readOnly: boolean) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', annotations: { 'rootless.cdk8s.io/exemptions': writeAnnotation([{ kind: ExemptionKind.HOST_PATH, reason: REASON, paths: ['/var/log'], writable: false } as any]) } },
    spec: { volumes: [{ name: 'logs', hostPath: { path } }], containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'logs', mountPath: '/l', readOnly }] }] },
  });
  const checks = (j: any) => ({ left: j.result.violations.map((v: any) => v.check), accepted: (j.accepted ?? []).map((v: any) => v.check) });

  test('at baseline: accepted in scope and read-only; denied outside, writable or on a node path', () => {
    expect(checks(judgeObject(pod('/var/log/pods', true), PolicyLevel.BASELINE, 'latest', true))).toEqual({ left: [], accepted: ['hostPathVolumes'] });
    for (const [path, readOnly] of [['/var/logs', true], ['/var/log', false], ['/var/lib/kubelet', true]] as const) {
      expect(checks(judgeObject(pod(path, readOnly), PolicyLevel.BASELINE, 'latest', true))).toEqual({ left: ['hostPathVolumes'], accepted: [] });
    }
  });
});

describe('a read-only and a writable hostPath exemption together', () => {
  const agent = (exempt: Exemption[]) => (chart: any) => {
    const pod = new HardenedPod(chart, 'agent', { user: 1000, exemptions: exempt, containers: [{ name: 'agent', image: 'agent:1' }] });
    pod.containers[0].mount('/logs', kplus.Volume.fromHostPath(chart, 'logs', 'logs', { path: '/var/log' }), { readOnly: true });
    pod.containers[0].mount('/state', kplus.Volume.fromHostPath(chart, 'state', 'state', { path: '/var/lib/agent' }));
  };

  test('each covers its own paths: the logs read-only, the state writable', () => {
    const pod = synthPod(agent([Exemption.hostPath(REASON, { paths: ['/var/log'] }), Exemption.hostPath(REASON, { paths: ['/var/lib/agent'], writable: true })]));
    expect(exemptions(pod).map((e: any) => [e.paths, e.writable])).toEqual([[['/var/log'], false], [['/var/lib/agent'], true]]);
  });

  test('two read-only ones are declared twice', () => {
    expect(constructionError(agent([Exemption.hostPath(REASON, { paths: ['/var/log'] }), Exemption.hostPath(REASON, { paths: ['/var/lib/agent'] })])))
      .toContain('declared twice');
  });

  test('the read-only one does not cover the state mounted writable when the writable one names another path', () => {
    const message = synthError(agent([Exemption.hostPath(REASON, { paths: ['/var/log', '/var/lib/agent'] }), Exemption.hostPath(REASON, { paths: ['/opt/agent'], writable: true })]));
    expect(message).toContain('volume "state" (hostPath "/var/lib/agent") is mounted writable by container "agent"');
    expect(message).not.toContain('volume "logs"');
  });
});

describe('RootlessHardening.applyTo: a declared hostPath exemption covers its paths only', () => {
  const adopt = (path: string, readOnly: boolean) => (chart: Chart) => {
    new ApiObject(chart, 'shipper', {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: {
        volumes: [{ name: 'host', hostPath: { path } }],
        containers: [{ name: 'ship', image: 'ship:1', securityContext: { runAsUser: 1000 }, volumeMounts: [{ name: 'host', mountPath: '/host', readOnly }] }],
      },
    } as any);
    RootlessHardening.applyTo(chart, { objects: { shipper: { exemptions: [Exemption.hostPath('ships the node logs to the central store', { paths: ['/var/log'] })] } } });
  };

  test('in scope and read-only: synthesized, privileged', () => {
    const pod = synthPod(adopt('/var/log', true));
    expect(level(pod)).toBe('privileged');
  });

  test.each([
    ['a runtime socket', '/var/run/docker.sock', true, 'is the node\'s /var/run/docker.sock'],
    ['a writable mount', '/var/log', false, 'is mounted writable by container "ship"'],
    ['a path outside', '/home', true, 'is outside the exemption\'s paths (/var/log)'],
  ])('%s fails synthesis, naming the object', (_name, path, readOnly, expected) => {
    const message = synthError(adopt(path, readOnly));
    expect(message).toContain('[test/shipper]');
    expect(message).toContain(expected);
  });
});

describe('the corpus: node agents that mount the node\'s root', () => {
  const corpus = (file: string) => fs.readFileSync(join(__dirname, '..', 'corpus', 'prometheus-operator__kube-prometheus', file), 'utf8');

  test.each([
    ['manifests__nodeExporter-daemonset.yaml', ['/sys', '/']],
    ['manifests__cAdvisor-daemonset.yaml', ['/', '/var/run', '/sys', '/var/lib/docker', '/dev/disk']],
  ])('%s: harden declares its host paths as found; no reason makes the node paths acceptable', (file, paths) => {
    const hardened = YAML.parseAllDocuments(hardenText(corpus(file), { addExemptions: true }).text).map(d => d.toJSON())
      .find((d: any) => d?.kind === 'DaemonSet');
    const [entry] = JSON.parse(hardened.spec.template.metadata.annotations['rootless.cdk8s.io/exemptions']).filter((e: any) => e.id === 'hostPath');
    expect(entry.paths).toEqual(paths);
    const reasoned = JSON.stringify([{ ...entry, reason: 'exports the node metrics of every node' }]);
    expect(readAnnotation(reasoned).problems.join('\n')).toContain('"/" is the node\'s /');
    // with only the paths an exemption can name, the node's root stays uncovered
    const named = {
      ...hardened,
      spec: {
        ...hardened.spec,
        template: {
          ...hardened.spec.template,
          metadata: {
            annotations: {
              'rootless.cdk8s.io/exemptions': JSON.stringify([{ ...entry, paths: paths.filter(p => !isNodePath(p) && isCleanHostPath(p)), reason: 'exports the node metrics of every node' }]),
            },
          },
        },
      },
    };
    expect(declaredExemptions(named).problems).toEqual([]);
    expect(judgeRootless(named, declaredExemptions(named).exemptions).uncovered.violations.map(v => v.check)).toContain('restrictedVolumes');
  });
});

test('revert: a value that bypassed validation (a node path, the root, not a list) covers nothing', () => {
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { volumes: [{ name: 'h', hostPath: { path: '/var/lib/kubelet/pods' } }, { name: 'l', hostPath: { path: '/var/log' } }], containers: [{ name: 'a', image: 'x' }] },
  };
  for (const paths of [['/'], ['/var/lib'], '/var/log' as any, undefined]) {
    const reverted = revertExemptions(manifest, [{ kind: ExemptionKind.HOST_PATH, paths, writable: true } as any]);
    expect(reverted.spec.volumes.filter((v: any) => v.hostPath).map((v: any) => v.name)).toEqual(['h', 'l']);
  }
});
