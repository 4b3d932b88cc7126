import * as YAML from 'yaml';
import { hardenText } from '../../../lib/cli/harden/harden';
import { validateApiObject } from '../../../lib/policy/schema/validate';

describe('harden validates its output as the API server would, and never writes what it would reject', () => {
  // pod-level and container securityContext share one anchor: a container-only field added through the
  // alias would land in spec.securityContext too, which strict field validation rejects
  const shared = `apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  securityContext: &sc
    runAsNonRoot: true
    runAsUser: 1000
  containers:
  - name: app
    image: nginx
    securityContext: *sc
`;

  test('a shared anchor between pod and container securityContext: un-shared before the edit, so the output is valid (no container-only field at pod level)', () => {
    const r = hardenText(shared);
    expect(r.refused).toBeUndefined();
    expect(r.text).not.toBe(shared);
    const out = YAML.parse(r.text);
    expect(validateApiObject(out).problems).toEqual([]);
    for (const field of ['privileged', 'allowPrivilegeEscalation', 'capabilities', 'readOnlyRootFilesystem']) {
      expect([field, out.spec.securityContext[field]]).toEqual([field, undefined]);
    }
    expect(out.spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(r.objects.flatMap(o => o.notes).join('\n')).toMatch(/so that each side is edited on its own/);
  });

  test('a flow-mapping anchor shared between pod and container securityContext (cannot be un-shared): left unchanged, refused, with the reason', () => {
    const flow = shared.replace('securityContext: &sc\n    runAsNonRoot: true\n    runAsUser: 1000\n', 'securityContext: &sc {runAsNonRoot: true, runAsUser: 1000}\n');
    expect(flow).not.toBe(shared);
    const r = hardenText(flow);
    expect(r.text).toBe(flow);
    expect(r.refused?.join('\n')).toMatch(/anchor &sc/);
    expect(r.objects.flatMap(o => o.problems).join('\n')).toMatch(/not edited/);
  });

  test('an input the API server would already reject is reported as a problem (it needs a human); the edits add no new reason', () => {
    const invalid = shared.replace('securityContext: &sc', 'securityContext:').replace('    securityContext: *sc\n', '')
      .replace('    image: nginx\n', '    image: nginx\n    volumeMounts: [{name: cache, mountPath: /cache}]\n');
    const r = hardenText(invalid);
    expect(r.text).not.toBe(invalid);
    expect(r.objects.flatMap(o => o.problems)).toContainEqual(
      expect.stringContaining('invalid: the API server would reject it as it is: spec.containers[0].volumeMounts[0].name: Not found: "cache"'));
    expect(validateApiObject(YAML.parse(r.text)).problems.map(p => p.code)).toEqual(['volume-not-found']);
  });

  test('what harden writes is valid as the API server validates (a plain pod)', () => {
    const plain = shared.replace('securityContext: &sc', 'securityContext:').replace('    securityContext: *sc\n', '');
    const r = hardenText(plain);
    expect(r.text).not.toBe(plain);
    expect(validateApiObject(YAML.parse(r.text)).problems).toEqual([]);
  });
});

describe('harden notes capability names Pod Security and the runtime read differently', () => {
  test('drop: [all] is noted with both readings (harden adds ALL for restricted, and keeps the author\'s value)', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000}
  containers:
  - name: app
    image: nginx
    securityContext:
      capabilities:
        drop: [all]
`;
    const r = hardenText(text);
    const notes = r.objects.flatMap(o => o.notes);
    expect(notes).toContainEqual(expect.stringContaining('container "app": capabilities.drop "all": the runtime (containerd) reads it as ALL (every capability); Pod Security does not count it as ALL'));
    expect(YAML.parse(r.text).spec.containers[0].securityContext.capabilities.drop).toEqual(['all', 'ALL']);
  });
});
