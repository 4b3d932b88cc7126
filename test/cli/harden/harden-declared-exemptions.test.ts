/**
 * `harden` honours the exemptions a manifest already declares in its pod template's
 * `rootless.cdk8s.io/exemptions` annotation, as `RootlessHardening.applyTo` does (one reading:
 * lib/hardening/adopt/declared.ts), for every kind: what an entry relaxes is kept and its problem
 * silenced, for the container it names only; its scope (hostPath paths and writability, the
 * capabilities it names) is judged on the result. An invalid annotation honours nothing and the
 * document is refused (exit 2, left as it was). test/redteam/FINDINGS.md, U10.
 */
import { ApiObject, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { RootlessHardening } from '../../../lib';
import { exitCodeOf, hardenText } from '../../../lib/cli/harden/harden';
import { podTemplateOf } from '../../../lib/policy/k8s-shapes';

const KEY = 'rootless.cdk8s.io/exemptions';
const REASON = 'the vendor agent needs it on every node, reviewed by the platform team';

/** A Deployment with containers a and b (user 1000 each) and the given annotation value, spec fields and container extras. */
function deployment(annotation: string | undefined, extra: { spec?: any; a?: any; b?: any } = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'agent', namespace: 'ops' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' }, ...annotation !== undefined ? { annotations: { [KEY]: annotation } } : {} },
        spec: {
          automountServiceAccountToken: false,
          containers: [
            { name: 'a', image: 'registry.example.com/a:1', securityContext: { runAsUser: 1000 }, ...extra.a },
            { name: 'b', image: 'registry.example.com/b:1', securityContext: { runAsUser: 1000 }, ...extra.b },
          ],
          ...extra.spec,
        },
      },
    },
  };
}

const entry = (id: string, container: string | null, more: object = {}) => ({ id, container, ...more, reason: REASON });
const annotation = (...entries: object[]) => JSON.stringify(entries);
const harden = (manifest: any, options: Parameters<typeof hardenText>[1] = {}) => {
  const text = YAML.stringify(manifest);
  const result = hardenText(text, options);
  return { text, result, out: YAML.parse(result.text), code: exitCodeOf(result), problems: result.objects.flatMap(o => o.problems).join('\n') };
};
const containers = (out: any) => Object.fromEntries(podTemplateOf(out)!.spec.containers.map((c: any) => [c.name, c.securityContext ?? {}]));

/** applyTo on the same manifest: the written containers' securityContexts, or the synthesis error. */
function applyTo(manifest: any): { sc?: Record<string, any>; error?: string } {
  const chart = Testing.chart();
  new ApiObject(chart, 'agent', manifest);
  RootlessHardening.applyTo(chart);
  try {
    return { sc: containers(Testing.synth(chart)[0]) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('a valid annotation is honoured for what it names, and only that', () => {
  test('writableRootFilesystem for a: a keeps its writable root (no readOnlyRootFilesystem added), b is made read-only; exit 0; applyTo agrees', () => {
    const m = deployment(annotation(entry('writableRootFilesystem', 'a')));
    const r = harden(m);
    const sc = containers(r.out);
    expect(sc.a.readOnlyRootFilesystem).toBeUndefined();
    expect(sc.b.readOnlyRootFilesystem).toBe(true);
    expect(r.problems).toBe('');
    expect(r.code).toBe(0);
    const applied = applyTo(m);
    expect(applied.error).toBeUndefined();
    expect(applied.sc!.a.readOnlyRootFilesystem).not.toBe(true);
    expect(applied.sc!.b.readOnlyRootFilesystem).toBe(true);
  });

  test('without the annotation both are made read-only (the exemption is what keeps a writable)', () => {
    const sc = containers(harden(deployment(undefined)).out);
    expect([sc.a.readOnlyRootFilesystem, sc.b.readOnlyRootFilesystem]).toEqual([true, true]);
  });

  test('an entry for a never relaxes b: privileged b stays a finding (x and !, exit 1)', () => {
    const r = harden(deployment(annotation(entry('privileged', 'a')), {
      a: { securityContext: { runAsUser: 1000, privileged: true } },
      b: { securityContext: { runAsUser: 1000, privileged: true } },
    }));
    expect(r.code).toBe(1);
    const [o] = r.result.objects;
    expect(o.problems.join('\n')).toContain('container "b"');
    expect(o.problems.join('\n')).not.toContain('container "a": privileged');
    expect(o.remaining.join('\n')).toMatch(/privileged: container "b"/);
    expect(o.remaining.join('\n')).not.toContain('"a"');
  });

  test('addCapabilities covers the capabilities it names, not others', () => {
    const adds = (caps: string[]) => ({ a: { securityContext: { runAsUser: 1000, capabilities: { add: caps } } } });
    const named = harden(deployment(annotation(entry('addCapabilities', 'a', { capabilities: ['NET_ADMIN'] })), adds(['NET_ADMIN'])));
    expect(named.result.objects[0].remaining).toEqual([]);
    const other = harden(deployment(annotation(entry('addCapabilities', 'a', { capabilities: ['NET_ADMIN'] })), adds(['SYS_PTRACE'])));
    expect(other.result.objects[0].remaining.join('\n')).toContain('capabilities_restricted');
    expect(other.code).toBe(1);
  });

  test('hostPath: a read-only mount of a declared path is accepted; a writable one, or another path, is not', () => {
    const withVolume = (path: string, readOnly: boolean) => deployment(annotation(entry('hostPath', null, { paths: ['/var/log'], writable: false })), {
      spec: { volumes: [{ name: 'logs', hostPath: { path } }] },
      a: { volumeMounts: [{ name: 'logs', mountPath: '/logs', readOnly }] },
    });
    const ok = harden(withVolume('/var/log/pods', true));
    expect(ok.result.objects[0].remaining).toEqual([]);
    expect(ok.code).toBe(0);
    for (const [path, readOnly] of [['/var/log', false], ['/etc', true]] as const) {
      const bad = harden(withVolume(path, readOnly));
      expect(bad.result.objects[0].remaining.join('\n')).toContain('restrictedVolumes');
      expect(bad.problems).toContain('declared Exemption.hostPath');
      expect(bad.code).toBe(1);
    }
  });

  test('seccompUnconfined and hostNetwork for the pod: kept, accepted, exit 0', () => {
    const r = harden(deployment(annotation(entry('hostNetwork', null), entry('seccompUnconfined', null)), {
      spec: { hostNetwork: true, securityContext: { seccompProfile: { type: 'Unconfined' } } },
    }));
    expect(podTemplateOf(r.out)!.spec.securityContext.seccompProfile).toEqual({ type: 'Unconfined' });
    expect(r.problems).toBe('');
    expect(r.code).toBe(0);
  });

  test('--add-exemptions over a valid annotation neither repeats a declared entry nor invents a reason; a second run changes nothing', () => {
    const m = deployment(annotation(entry('privileged', 'a')), {
      spec: { hostPID: true },
      a: { securityContext: { runAsUser: 1000, privileged: true } },
    });
    const r = harden(m, { addExemptions: true });
    const entries = JSON.parse(podTemplateOf(r.out)!.metadata.annotations[KEY]);
    expect(entries.map((e: any) => [e.id, e.container])).toEqual([['privileged', 'a'], ['hostPID', null]]);
    expect(entries[0].reason).toBe(REASON);
    expect(entries[1].reason).toMatch(/^TODO: /);
    // the placeholder makes the annotation invalid: the next run honours nothing and refuses, leaving the bytes as they are
    const again = hardenText(r.result.text, { addExemptions: true });
    expect(again.text).toBe(r.result.text);
    expect(exitCodeOf(again)).toBe(2);
  });
});

describe('an invalid annotation honours nothing: the document is refused, left as it was (exit 2)', () => {
  // a: a chown step that runs as the image's root (busybox has no USER)
  const chown = (value: string) => deployment(value, { a: { securityContext: {}, image: 'busybox:1.36', command: ['chown', '-R', '999:999', '/data'] } });
  test.each([
    ['a placeholder reason', annotation({ id: 'runAsRoot', container: 'a', reason: 'TODO: explain why' }), 'is a placeholder'],
    ['no reason', '[{"id":"runAsRoot","container":"a"}]', 'is not a reason'],
    ['a short reason', annotation({ id: 'runAsRoot', container: 'a', reason: 'needed' }), 'is not a reason'],
    ['an unknown kind', annotation({ id: 'runAsAnyone', container: 'a', reason: REASON }), 'is not an exemption'],
    ['a container the pod does not have', annotation(entry('runAsRoot', 'init')), 'names a container the pod does not have'],
    ['not the canonical form', annotation(entry('runAsRoot', 'a')).replace('"container":', '"container": '), 'canonical form'],
    ['not JSON', '[{"id":', 'is not JSON'],
    ['an entry declared twice', annotation(entry('runAsRoot', 'a'), entry('runAsRoot', 'a')), 'twice'],
  ])('%s', (_name, value, message) => {
    const r = harden(chown(value), { user: 10001 });
    expect(r.result.text).toBe(r.text);
    expect(r.code).toBe(2);
    expect(r.problems).toContain(message);
    expect(r.problems).toContain('harden honours none of its entries');
    // applyTo fails synthesis on the same annotation
    expect(applyTo(chown(value)).error).toBeDefined();
  });

  test('the same annotation, valid: honoured (a gets no UID, b gets the fallback)', () => {
    const r = harden(chown(annotation(entry('runAsRoot', 'a'))), { user: 10001 });
    const sc = containers(r.out);
    expect(sc.a.runAsUser ?? podTemplateOf(r.out)!.spec.securityContext?.runAsUser).toBeUndefined();
    expect(sc.b.runAsUser).toBe(1000);
    expect(r.code).toBe(0);
  });
});
