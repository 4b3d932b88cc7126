/**
 * Red team (rt20) of U10: `harden` honours a valid `rootless.cdk8s.io/exemptions` annotation on its input's pod template.
 * Oracles: kubectl's reading of the YAML (go-yaml v2: merge keys, !!binary decoded) and the API server's validation.
 * Finding R20-1 (FINDINGS.md) fails before its fix; the attacks that held are kept as passing tests.
 */
import * as YAML from 'yaml';
import { exitCodeOf, hardenText } from '../../lib/cli/harden/harden';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

const KEY = 'rootless.cdk8s.io/exemptions';
const REASON = 'the vendor agent needs it on every node, reviewed by the platform team';
const value = (...entries: object[]) => JSON.stringify(entries.map(e => ({ ...e, reason: REASON })));

function deployment(annotation: string | undefined, extra: { spec?: any; a?: any; b?: any; meta?: any } = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'agent', namespace: 'ops', ...extra.meta },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' }, ...annotation !== undefined ? { annotations: { [KEY]: annotation } } : {} },
        spec: {
          automountServiceAccountToken: false,
          ...extra.spec,
          containers: [
            { name: 'a', image: 'registry.example.com/a:1', securityContext: { runAsUser: 1000 }, ...extra.a },
            { name: 'b', image: 'registry.example.com/b:1', securityContext: { runAsUser: 1000 }, ...extra.b },
          ],
        },
      },
    },
  };
}
const run = (text: string) => {
  const result = hardenText(text);
  const o = result.objects[0];
  return { result, code: exitCodeOf(result), problems: o.problems.join('\n'), remaining: o.remaining.join('\n'), notes: o.notes.join('\n') };
};
const privilegedA = { a: { securityContext: { runAsUser: 1000, privileged: true } } };

describe('held: the annotation as kubectl reads it (YAML tags and merge keys)', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  // a: a chown step declared to run as root (busybox has no USER); harden must not give it a user
  const chown = { a: { image: 'busybox:1.36', command: ['chown', '-R', '999:999', '/data'], securityContext: {} } };

  test('a !!binary key that kubectl decodes to the annotation key: harden reads it too (no user written into the declared-root container)', () => {
    const text = YAML.stringify(deployment(value({ id: 'runAsRoot', container: 'a' }), chown))
      .replace(`${KEY}:`, `!!binary ${b64(KEY)}:`);
    expect(text).toContain('!!binary');
    const r = hardenText(text, { user: 10001 });
    const a = podTemplateOf(YAML.parse(r.text))!.spec.containers[0];
    expect(a.securityContext.runAsUser).toBeUndefined();
    expect(exitCodeOf(r)).toBeLessThan(2);
  });

  test('a !!binary value (kubectl decodes it to a valid annotation): harden does not read it as a string and refuses, unchanged (exit 2: safe, never a weaker pod)', () => {
    const v = value({ id: 'privileged', container: 'a' });
    const text = YAML.stringify(deployment('PLACEHOLDER', privilegedA)).replace(/PLACEHOLDER/, `!!binary ${b64(v)}`);
    expect(text).toContain('!!binary');
    const r = run(text);
    expect(r.result.text).toBe(text);
    expect(r.code).toBe(2);
  });

  test('a << merge key into the template annotations reads the same in both: honoured, exit 0', () => {
    const text = [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: agent', '  annotations: &ann',
      `    ${KEY}: '${value({ id: 'privileged', container: 'a' })}'`,
      'spec:', '  selector: {matchLabels: {app: a}}', '  template:', '    metadata:', '      labels: {app: a}', '      annotations:', '        <<: *ann',
      '    spec:', '      automountServiceAccountToken: false', '      containers:', '      - name: a', '        image: registry.example.com/a:1',
      '        securityContext: {runAsUser: 1000, privileged: true}', '',
    ].join('\n');
    const r = run(text);
    expect(r.code).toBe(0);
    expect(r.notes).toContain('accepted: privileged');
  });
});

describe('held: an annotation on the wrong level is not the template\'s', () => {
  test('on the Deployment\'s own metadata: ignored (privileged stays a finding, exit 1)', () => {
    const m = deployment(undefined, { ...privilegedA, meta: { annotations: { [KEY]: value({ id: 'privileged', container: 'a' }) } } });
    const r = run(YAML.stringify(m));
    expect(r.code).toBe(1);
    expect(r.remaining).toContain('privileged: container "a"');
  });

  test('on a CronJob\'s jobTemplate metadata: ignored', () => {
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: {
        schedule: '* * * * *',
        jobTemplate: {
          metadata: { annotations: { [KEY]: value({ id: 'privileged', container: 'a' }) } },
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                containers: [
                  { name: 'a', image: 'registry.example.com/a:1', securityContext: { runAsUser: 1000, privileged: true } },
                ],
              },
            },
          },
        },
      },
    };
    const r = run(YAML.stringify(cron));
    expect(r.code).toBe(1);
    expect(r.remaining).toContain('privileged');
  });
});

describe('held: scope and spelling', () => {
  test.each([
    ['a capability spelled CAP_SYS_ADMIN', { id: 'addCapabilities', container: 'a', capabilities: ['CAP_SYS_ADMIN'] }],
    ['a capability in lower case', { id: 'addCapabilities', container: 'a', capabilities: ['sys_admin'] }],
    ['capability ALL', { id: 'addCapabilities', container: 'a', capabilities: ['ALL'] }],
    ['a hostPath entry with a trailing slash', { id: 'hostPath', container: null, paths: ['/var/log/'], writable: false }],
    ['a hostPath entry with ..', { id: 'hostPath', container: null, paths: ['/var/log/../..'], writable: false }],
    ['a hostPath entry scoped to a container', { id: 'hostPath', container: 'a', paths: ['/var/log'], writable: false }],
    ['a writable hostPath entry for a runtime socket\'s directory', { id: 'hostPath', container: null, paths: ['/var/run'], writable: true }],
  ])('an invalid entry (%s) honours nothing: refused, exit 2, unchanged', (_name, e) => {
    const text = YAML.stringify(deployment(value(e), { a: { securityContext: { runAsUser: 1000, capabilities: { add: ['SYS_ADMIN'] } } } }));
    const r = run(text);
    expect(r.code).toBe(2);
    expect(r.result.text).toBe(text);
  });

  test('addCapabilities SYS_ADMIN does not cover CAP_SYS_ADMIN in the container (another string to the runtime check): exit 1', () => {
    const r = run(YAML.stringify(deployment(value({ id: 'addCapabilities', container: 'a', capabilities: ['SYS_ADMIN'] }),
      { a: { securityContext: { runAsUser: 1000, capabilities: { add: ['CAP_SYS_ADMIN'] } } } })));
    expect(r.code).toBe(1);
    expect(r.remaining).toContain('CAP_SYS_ADMIN');
  });

  test.each([
    ['a host path spelled with ..', '/var/log/../../etc'],
    ['a host path spelled with // and .', '//var/log/./pods'],
  ])('a hostPath volume (%s) is not covered by an entry for /var/log: exit 1', (_name, path) => {
    const r = run(YAML.stringify(deployment(value({ id: 'hostPath', container: null, paths: ['/var/log'], writable: false }), {
      spec: { volumes: [{ name: 'l', hostPath: { path } }] }, a: { volumeMounts: [{ name: 'l', mountPath: '/l', readOnly: true }] },
    })));
    expect(r.code).toBe(1);
    expect(r.remaining).toContain('restrictedVolumes');
  });

  test('a read-only hostPath entry: container a mounts it read-only, b writable: not covered, exit 1', () => {
    const r = run(YAML.stringify(deployment(value({ id: 'hostPath', container: null, paths: ['/var/log'], writable: false }), {
      spec: { volumes: [{ name: 'l', hostPath: { path: '/var/log' } }] },
      a: { volumeMounts: [{ name: 'l', mountPath: '/l', readOnly: true }] },
      b: { volumeMounts: [{ name: 'l', mountPath: '/l' }] },
    })));
    expect(r.code).toBe(1);
    expect(r.problems).toContain('mounted writable by container "b"');
  });

  test('runAsRoot for a while the pod sets runAsUser 0: b inherits root and stays a finding', () => {
    const r = run(YAML.stringify(deployment(value({ id: 'runAsRoot', container: 'a' }), {
      spec: { securityContext: { runAsUser: 0 } }, a: { securityContext: {} }, b: { securityContext: {} },
    })));
    expect(r.code).toBe(1);
    expect(r.problems).toContain('container "b": runs as root');
  });

  test('privileged for init container i does not relax container b', () => {
    const r = run(YAML.stringify(deployment(value({ id: 'privileged', container: 'i' }), {
      spec: { initContainers: [{ name: 'i', image: 'registry.example.com/i:1', securityContext: { runAsUser: 1000, privileged: true } }] },
      b: { securityContext: { runAsUser: 1000, privileged: true } },
    })));
    expect(r.code).toBe(1);
    expect(r.remaining).toMatch(/privileged: container "b"/);
  });
});

describe('R20-1: what the API server rejects is never "written and startable" (exit 0), exemption or not', () => {
  test('an init container with the name of a container: an entry for that name would cover both; the API rejects the pod (Duplicate value)', () => {
    const r = run(YAML.stringify(deployment(value({ id: 'runAsRoot', container: 'a' }), {
      spec: { initContainers: [{ name: 'a', image: 'registry.example.com/i:1', securityContext: { runAsUser: 0 } }] },
      a: { securityContext: { runAsUser: 0 } },
    })));
    expect(r.problems).toContain('spec.template.spec.initContainers[0].name: Duplicate value: "a"');
    expect(r.code).toBe(1);
  });

  test.each([
    ['../etc', "must not contain '..'"],
    ['/etc', 'must be a relative path'],
  ])('a read-only hostPath mount with subPath %s under a hostPath entry: the API rejects it', (subPath, message) => {
    const r = run(YAML.stringify(deployment(value({ id: 'hostPath', container: null, paths: ['/var/log'], writable: false }), {
      spec: { volumes: [{ name: 'l', hostPath: { path: '/var/log' } }] },
      a: { volumeMounts: [{ name: 'l', mountPath: '/l', readOnly: true, subPath }] },
    })));
    expect(r.problems).toContain(`volumeMounts[0].subPath: Invalid value: ${JSON.stringify(subPath)}: ${message}`);
    expect(r.code).toBe(1);
  });

  test('a subPath inside the volume is valid, and the second run gives the same bytes and exit code', () => {
    const text = YAML.stringify(deployment(value({ id: 'hostPath', container: null, paths: ['/var/log'], writable: false }), {
      spec: { volumes: [{ name: 'l', hostPath: { path: '/var/log' } }] },
      a: { volumeMounts: [{ name: 'l', mountPath: '/l', readOnly: true, subPath: 'pods' }] },
    }));
    const first = hardenText(text);
    expect(exitCodeOf(first)).toBe(0);
    const second = hardenText(first.text);
    expect(second.text).toBe(first.text);
    expect(exitCodeOf(second)).toBe(0);
    expect(podTemplateOf(YAML.parse(first.text))!.metadata.annotations[KEY]).toBe(value({ id: 'hostPath', container: null, paths: ['/var/log'], writable: false }));
  });
});
