/**
 * Red team (FINDINGS.md, "Annotation tampering", "Scope", "Capabilities"): tampered annotations,
 * scope confusion and capability spellings, judged by the admission policy (CEL) and by the one
 * JavaScript judgement on the same object. Every case here held: both refuse what the codec
 * refuses, and both give the same verdict.
 */
import { KEY, asRoot, cel, js, pod } from './admission';
import { writeAnnotation } from '../../lib/exemptions/codec';
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';
import { workload } from '../policy/fixtures';

const R = 'the daemon needs it during its start';
const root = (spec: any) => asRoot(spec.containers[0]);
const both = (m: any) => ({ js: js(m), cel: cel(m).failed, errors: cel(m).errors });

describe('held: a tampered annotation is void for both (the root container is refused)', () => {
  const canonical = `[{"id":"runAsRoot","container":"app","reason":"${R}"}]`;
  test.each([
    ['canonical (control: honoured)', canonical, []],
    ['a duplicate container key', `[{"id":"runAsRoot","container":"sidecar","container":"app","reason":"${R}"}]`, ['runAsNonRoot', 'runAsUser']],
    ['a duplicate id key', `[{"id":"hostPID","id":"runAsRoot","container":"app","reason":"${R}"}]`, ['runAsNonRoot', 'runAsUser']],
    ['an escaped id', `[{"id":"\\u0072unAsRoot","container":"app","reason":"${R}"}]`, ['runAsNonRoot', 'runAsUser']],
    ['an escaped container', `[{"id":"runAsRoot","container":"\\u0061pp","reason":"${R}"}]`, ['runAsNonRoot', 'runAsUser']],
    ['a BOM before the array', `\ufeff${canonical}`, ['runAsNonRoot', 'runAsUser']],
    ['a space after a comma', canonical.replace('","container"', '", "container"'), ['runAsNonRoot', 'runAsUser']],
    ['a trailing line feed', `${canonical}\n`, ['runAsNonRoot', 'runAsUser']],
    ['U+2028 after the array', `${canonical}\u2028`, ['runAsNonRoot', 'runAsUser']],
    ['a nested object as the reason', '[{"id":"runAsRoot","container":"app","reason":{"text":"the daemon needs it during its start"}}]', ['runAsNonRoot', 'runAsUser']],
    ['a number as container (exponent form)', `[{"id":"runAsRoot","container":0e0,"reason":"${R}"}]`, ['runAsNonRoot', 'runAsUser']],
    ['the id in another case', `[{"id":"RunAsRoot","container":"app","reason":"${R}"}]`, ['runAsNonRoot', 'runAsUser']],
    ['a fullwidth letter in the id', `[{"id":"runAsRoo\uff54","container":"app","reason":"${R}"}]`, ['runAsNonRoot', 'runAsUser']],
    ['a zero-width space in the container', `[{"id":"runAsRoot","container":"a\u200bpp","reason":"${R}"}]`, ['runAsNonRoot', 'runAsUser']],
    ['a second, valid entry and one broken one', `[{"id":"runAsRoot","container":"app","reason":"${R}"},{"id":"hostPID","container":null,"reason":"TODO"}]`, ['runAsNonRoot', 'runAsUser']],
    ['truncated', canonical.slice(0, -1), ['runAsNonRoot', 'runAsUser']],
    ['an entry prefix hidden in the reason text', '[{"id":"hostIPC","container":null,"reason":"x {\'id\':\'runAsRoot\',\'container\':\'app\', the daemon needs it"}]', ['runAsNonRoot', 'runAsUser']],
  ])('%s', (_name, annotation, expected) => {
    const m = pod(root, annotation);
    expect(both(m)).toEqual({ js: expected, cel: expected, errors: [] });
  });
});

describe('held: where the annotation stands', () => {
  test('on the Deployment\'s own metadata, not the pod template, it exempts nothing (admission reads only the template)', () => {
    const p = pod(root);
    const d = workload('Deployment', { metadata: {}, spec: p.spec });
    d.metadata.annotations = { [KEY]: writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: R }]) };
    expect(both(d)).toEqual({ js: ['runAsNonRoot', 'runAsUser'], cel: ['runAsNonRoot', 'runAsUser'], errors: [] });
  });
});

describe('held: scope', () => {
  test('a container-scoped exemption does not cover another container', () => {
    const m = pod(spec => asRoot(spec.containers[1]), writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: R }]));
    expect(both(m)).toEqual({ js: ['runAsNonRoot', 'runAsUser'], cel: ['runAsNonRoot', 'runAsUser'], errors: [] });
  });

  test('a container-scoped exemption does not cover the pod level', () => {
    const m = pod(spec => { spec.securityContext.runAsUser = 0; }, writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: R }]));
    expect(both(m)).toEqual({ js: ['runAsUser'], cel: ['runAsUser'], errors: [] });
  });

  test('a container named like a pod-only kind gains nothing', () => {
    const m = pod(spec => { spec.containers[0].name = 'hostpid'; spec.hostPID = true; },
      writeAnnotation([{ kind: ExemptionKind.PRIVILEGE_ESCALATION, container: 'hostpid', reason: R }]));
    expect(both(m)).toEqual({ js: ['hostNamespaces'], cel: ['hostNamespaces'], errors: [] });
  });

  test('an init container sharing the name of a scoped exemption with a regular one: both agree (the API rejects the pod anyway)', () => {
    const m = pod(spec => { spec.initContainers[0].name = 'app'; asRoot(spec.initContainers[0]); },
      writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: R }]));
    expect(both(m).js).toEqual(both(m).cel);
  });

  test('an ephemeral container is covered only by its own or a pod-wide exemption', () => {
    const m = pod(spec => {
      spec.ephemeralContainers = [{ name: 'debug', image: 'busybox', securityContext: { ...spec.containers[0].securityContext, privileged: true, allowPrivilegeEscalation: true } }];
    }, writeAnnotation([{ kind: ExemptionKind.PRIVILEGED, container: 'app', reason: R }]));
    expect(both(m)).toEqual({ js: ['allowPrivilegeEscalation', 'privileged'], cel: ['allowPrivilegeEscalation', 'privileged'], errors: [] });
  });

  test('a container name that carries annotation syntax gains nothing', () => {
    const m = pod(spec => { spec.containers[0].name = 'app","container":null'; root(spec); },
      writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: R }]));
    expect(both(m)).toEqual({ js: ['runAsNonRoot', 'runAsUser'], cel: ['runAsNonRoot', 'runAsUser'], errors: [] });
  });
});

describe('held: capability spellings', () => {
  const caps = (add: string[], listed: string) =>
    pod(spec => { spec.containers[0].securityContext.capabilities.add = add; },
      `[{"id":"addCapabilities","container":"app","capabilities":${listed},"reason":"${R}"}]`);
  test.each([
    ['listed exactly (control)', ['NET_ADMIN'], '["NET_ADMIN"]', []],
    ['CAP_ prefix in the manifest', ['CAP_NET_ADMIN'], '["NET_ADMIN"]', ['capabilities_restricted']],
    ['lower case in the manifest', ['net_admin'], '["NET_ADMIN"]', ['capabilities_restricted']],
    ['CAP_ prefix in the annotation', ['CAP_NET_ADMIN'], '["CAP_NET_ADMIN"]', ['capabilities_restricted']],
    ['ALL in the annotation', ['SYS_ADMIN'], '["ALL"]', ['capabilities_restricted']],
    ['ALL in the manifest', ['ALL'], '["NET_ADMIN"]', ['capabilities_restricted']],
    ['a prefix of a listed name', ['NET'], '["NET_ADMIN"]', ['capabilities_restricted']],
    ['a listed name as a prefix', ['NET_ADMIN_X'], '["NET_ADMIN"]', ['capabilities_restricted']],
    ['duplicates listed', ['NET_ADMIN', 'NET_ADMIN'], '["NET_ADMIN","NET_ADMIN"]', []],
    ['an empty list', ['NET_ADMIN'], '[]', ['capabilities_restricted']],
  ])('%s', (_name, add, listed, expected) => {
    const m = caps(add as string[], listed as string);
    expect(both(m)).toEqual({ js: expected, cel: expected, errors: [] });
  });
});
