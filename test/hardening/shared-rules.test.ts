/**
 * The pure modules shared by the constructs and the CLI / plugin: one implementation each.
 */
import { REASON, synthError, synthPod } from './util';
import { Exemption, ImagePreset } from '../../lib';
import { HardenedPod } from '../../lib/constructs/plus';
import { entryOf, entryProblems } from '../../lib/exemptions/codec';
import { kindOf } from '../../lib/exemptions/registry';
import { exemptionValue } from '../../lib/exemptions/value';
import { holdsNetBindService, kubeletRefusals, unbindablePorts } from '../../lib/hardening/runtime-checks';
import { POD_BEARING_KINDS, podTemplateOf, withPodTemplate } from '../../lib/policy/k8s-shapes';

describe('runtime checks (runtime-checks.ts)', () => {
  const HARDENED = { capabilities: { drop: ['ALL'] } };

  test('kubelet refusals: effective runAsNonRoot true with effective user 0, container fields over the pod\'s', () => {
    const spec = {
      securityContext: { runAsNonRoot: true },
      initContainers: [{ name: 'init', securityContext: { runAsUser: 0 } }],
      containers: [
        { name: 'own', securityContext: { runAsUser: 0, runAsNonRoot: true } },
        { name: 'exempt', securityContext: { runAsUser: 0, runAsNonRoot: false } },
        { name: 'app', securityContext: { runAsUser: 1000 } },
      ],
    };
    expect(kubeletRefusals(spec)).toEqual([{ container: 'init', inherited: true }, { container: 'own', inherited: false }]);
    expect(kubeletRefusals({ securityContext: { runAsUser: 0 }, containers: [{ name: 'a', securityContext: { runAsNonRoot: true } }] }))
      .toEqual([{ container: 'a', inherited: false }]);
    expect(kubeletRefusals(undefined)).toEqual([]);
  });

  test('NET_BIND_SERVICE is held only by a root process that keeps it (added, not dropped, or privileged)', () => {
    expect(holdsNetBindService({ securityContext: { runAsUser: 0, ...HARDENED } }, {})).toBe(false);
    expect(holdsNetBindService({ securityContext: { runAsUser: 0, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }, {})).toBe(true);
    expect(holdsNetBindService({ securityContext: { ...HARDENED } }, { runAsUser: 0 })).toBe(false);
    expect(holdsNetBindService({ securityContext: { runAsUser: 0 } }, {})).toBe(true); // the runtime's default set
    expect(holdsNetBindService({ securityContext: { runAsUser: 0, capabilities: { drop: ['NET_BIND_SERVICE'] } } }, {})).toBe(false);
    expect(holdsNetBindService({ securityContext: { runAsUser: 0, privileged: true, ...HARDENED } }, {})).toBe(true);
    expect(holdsNetBindService({ securityContext: { runAsUser: 1000, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }, {})).toBe(false);
    expect(holdsNetBindService({ securityContext: {} }, {})).toBe(false); // unknown user: not root
  });

  test('unbindable ports: below 1024 or the pod sysctl, for containers without NET_BIND_SERVICE', () => {
    const spec = (sysctls?: any[]) => ({
      securityContext: { runAsUser: 1000, ...sysctls ? { sysctls } : {} },
      containers: [
        { name: 'web', ports: [{ containerPort: 80 }, { containerPort: 8080 }], securityContext: HARDENED },
        { name: 'root', ports: [{ containerPort: 443 }], securityContext: { runAsUser: 0, ...HARDENED } },
        { name: 'bind', ports: [{ containerPort: 53 }], securityContext: { runAsUser: 0, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } },
      ],
    });
    expect(unbindablePorts(spec())).toEqual([
      { container: 'web', port: 80, start: 1024, root: false },
      { container: 'root', port: 443, start: 1024, root: true },
    ]);
    expect(unbindablePorts(spec([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '100' }]))).toEqual([
      { container: 'web', port: 80, start: 100, root: false },
    ]);
    expect(unbindablePorts(spec([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }]))).toEqual([]);
  });
});

describe('runtime checks at synthesis (the constructs read the same implementation)', () => {
  const web = (exemptions: Exemption[]) => (chart: any) => new HardenedPod(chart, 'web', {
    user: 1000, exemptions, containers: [{ name: 'httpd', image: 'httpd', portNumber: 80 }],
  });

  test('a root container without NET_BIND_SERVICE cannot bind port 80: the message says so, with the capability fix', () => {
    const message = synthError(web([Exemption.runAsRoot(REASON, { container: 'httpd' })]));
    expect(message).toContain('container "httpd": port 80 is below 1024, and a root process without NET_BIND_SERVICE cannot bind it');
    expect(message).toContain('Exemption.addCapabilities([\'NET_BIND_SERVICE\'], reason, { container: \'httpd\' })');
  });

  test('a root container that adds NET_BIND_SERVICE can', () => {
    const pod = synthPod(web([Exemption.runAsRoot(REASON, { container: 'httpd' }), Exemption.addCapabilities(['NET_BIND_SERVICE'], REASON, { container: 'httpd' })]));
    expect(pod.spec.containers[0].securityContext).toMatchObject({ runAsUser: 0, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } });
  });
});

describe('pod template paths (policy/k8s-shapes.ts)', () => {
  test('podTemplateOf and withPodTemplate are derived from one table, and invert each other', () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [] } };
    for (const { kind } of POD_BEARING_KINDS) {
      const manifest = withPodTemplate('v1', kind, template);
      expect(manifest.kind).toBe(kind);
      // a Pod is its own template
      if (kind === 'Pod') expect(podTemplateOf(manifest)).toEqual({ apiVersion: 'v1', kind, ...template });
      else expect(podTemplateOf(manifest)).toEqual(template);
    }
    expect(withPodTemplate('batch/v1', 'CronJob', template)).toEqual({ apiVersion: 'batch/v1', kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } });
    expect(podTemplateOf({ kind: 'ConfigMap', spec: { template } })).toBeUndefined();
    expect(podTemplateOf({ kind: 'toString' })).toBeUndefined();
    expect(podTemplateOf({ kind: 'Deployment', spec: 'x' })).toBeUndefined();
  });
});

describe('exemptions: one entry builder, one field validation', () => {
  test('Exemption.toJson is the codec\'s canonical entry (reason last)', () => {
    const e = Exemption.addCapabilities(['NET_ADMIN'], 'configures the pod routing table', { container: 'vpn' });
    expect(e.toJson()).toEqual(entryOf(exemptionValue(e)!));
    expect(Object.keys(e.toJson())).toEqual(['id', 'container', 'capabilities', 'reason']);
    expect(JSON.stringify(Exemption.seccompLocalhost('p.json', 'needs its own syscall list').toJson()))
      .toBe('{"id":"seccompLocalhost","container":null,"profile":"p.json","reason":"needs its own syscall list"}');
  });

  test('field problems: capabilities of addCapabilities, profile of seccompLocalhost', () => {
    const problems = (entry: any) => entryProblems({ container: null, reason: REASON, ...entry }, kindOf(entry.id));
    expect(problems({ id: 'addCapabilities', capabilities: ['NET_ADMIN'] })).toEqual([]);
    expect(problems({ id: 'addCapabilities', capabilities: ['CAP_NET_ADMIN', 'FOO', 7] }).map(p => p.problem)).toEqual([
      expect.stringContaining('"CAP_NET_ADMIN" must be spelled "NET_ADMIN"'),
      expect.stringContaining('"FOO" is not a Linux capability'),
      expect.stringContaining('7 is not a capability name'),
    ]);
    expect(problems({ id: 'addCapabilities', capabilities: [] })).toEqual([{ field: 'capabilities', problem: expect.stringContaining('is not a list of capabilities') }]);
    expect(problems({ id: 'addCapabilities' })).toEqual([{ field: 'capabilities', problem: expect.stringContaining('is not a list of capabilities') }]);
    expect(problems({ id: 'seccompLocalhost', profile: '' })).toEqual([{ field: 'profile', problem: expect.stringContaining('is not a profile path') }]);
    expect(problems({ id: 'seccompLocalhost', profile: 'p.json' })).toEqual([]);
    expect(problems({ id: 'runAsRoot' })).toEqual([]);
  });
});

describe('ImagePreset.forImage', () => {
  test.each([
    ['postgres:17', 'postgres'],
    ['postgres:17-alpine', 'postgres-alpine'],
    ['docker.io/library/postgres:16-alpine3.20@sha256:abc', 'postgres-alpine'],
    ['redis', 'redis'],
    ['redis:7-alpine', 'redis-alpine'],
    ['nginxinc/nginx-unprivileged:1.27', 'nginx-unprivileged'],
    ['docker.elastic.co/elasticsearch/elasticsearch:8.15.0', 'elasticsearch'],
    ['elasticsearch:8.15.0', 'elasticsearch'],
    ['grafana/grafana:11.0.0', 'grafana'],
    ['prom/prometheus', 'prometheus'],
    ['quay.io/prometheus/prometheus:v2.53.0', 'prometheus'],
    ['node:22', 'node'],
    ['mysql:8', 'mysql'],
    ['mongo:7', 'mongo'],
    ['registry.example.com:5000/postgres:17', undefined],
    ['nginx:1.27', 'nginx'],
    ['nginxinc/nginx-unprivileged', 'nginx-unprivileged'],
    ['', undefined],
  ])('%s → %s', (image, name) => {
    expect(ImagePreset.forImage(image)?.name).toBe(name);
  });
});
