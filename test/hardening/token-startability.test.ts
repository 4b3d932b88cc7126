/**
 * The token part of the startability checklist (issue 20, "Done when": the token as point 4 says): a pod whose
 * ServiceAccount a binding of the input grants API access must get a token, or it starts and fails its first API call
 * (the included metrics-server). The checklist (startability.ts) takes the token rule's hook
 * (`tokenStartability`, token-rule.ts), and `harden` reports what it finds as `! would not start:` with exit 1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hardenText } from '../../lib/cli/harden/harden';
import { startabilityProblems } from '../../lib/hardening/startability';
import { TokenFacts, tokenStartability } from '../../lib/hardening/token-rule';
import { cli } from '../cli/helpers';

const CORPUS = path.join(__dirname, '..', 'corpus', 'kubernetes-sigs__metrics-server');
const DEPLOYMENT = fs.readFileSync(path.join(CORPUS, 'manifests__base__deployment.yaml'), 'utf8');
const RBAC = fs.readFileSync(path.join(CORPUS, 'manifests__base__rbac.yaml'), 'utf8');

function pod(spec: Record<string, unknown>, namespace = 'kube-system'): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { runAsUser: 1000 } }], ...spec } };
}

function facts(...objects: unknown[]): TokenFacts {
  const f = new TokenFacts();
  for (const o of objects) f.add(o);
  return f;
}

const SA = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ctl', namespace: 'kube-system' } };
const BINDING = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'ctl' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  subjects: [{ kind: 'ServiceAccount', name: 'ctl', namespace: 'kube-system' }],
};

describe('tokenStartability: a bound account needs a token', () => {
  const hook = tokenStartability(facts(SA, BINDING));

  test('a pod of a bound account with automountServiceAccountToken: false would not work, naming the account, the binding and the fix', () => {
    const reasons = startabilityProblems(pod({ serviceAccountName: 'ctl', automountServiceAccountToken: false }), { token: hook });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain('ServiceAccount kube-system/ctl');
    expect(reasons[0]).toContain('ClusterRoleBinding ctl');
    expect(reasons[0]).toContain('Fix: remove automountServiceAccountToken: false');
  });

  test('the account\'s own false counts when the pod is silent; the pod\'s true wins over it', () => {
    const off = tokenStartability(facts({ ...SA, automountServiceAccountToken: false }, BINDING));
    expect(startabilityProblems(pod({ serviceAccountName: 'ctl' }), { token: off })).toHaveLength(1);
    expect(startabilityProblems(pod({ serviceAccountName: 'ctl', automountServiceAccountToken: true }), { token: off })).toEqual([]);
  });

  test('a projected serviceAccountToken volume is a token: nothing to report', () => {
    const volumes = [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }];
    expect(startabilityProblems(pod({ serviceAccountName: 'ctl', automountServiceAccountToken: false, volumes }), { token: hook })).toEqual([]);
  });

  test('no binding names the account (or it is another namespace\'s): turning the token off breaks nothing', () => {
    expect(startabilityProblems(pod({ serviceAccountName: 'other', automountServiceAccountToken: false }), { token: hook })).toEqual([]);
    expect(startabilityProblems(pod({ serviceAccountName: 'ctl', automountServiceAccountToken: false }, 'apps'), { token: hook })).toEqual([]);
    expect(startabilityProblems(pod({ automountServiceAccountToken: false }), { token: hook })).toEqual([]);
  });

  test('a binding to the group of every service account of the namespace reaches its default account too', () => {
    const group = { ...BINDING, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:kube-system', apiGroup: 'rbac.authorization.k8s.io' }] };
    expect(startabilityProblems(pod({ automountServiceAccountToken: false }), { token: tokenStartability(facts(group)) })).toHaveLength(1);
  });
});

describe('harden: the included metrics-server keeps what it needs', () => {
  test('harden keeps the token of the bound metrics-server account: the checklist finds nothing about it', () => {
    const r = hardenText(`${RBAC}---\n${DEPLOYMENT}`);
    const deployment = r.objects.find(o => o.kind === 'Deployment')!;
    expect(deployment.problems.filter(p => p.includes('fails its first API call'))).toEqual([]);
    expect(r.text).not.toMatch(/automountServiceAccountToken: false/);
  });

  test('a metrics-server whose token someone turned off is reported as not starting, exit 1', async () => {
    const off = DEPLOYMENT.replace('      serviceAccountName: metrics-server\n', '      serviceAccountName: metrics-server\n      automountServiceAccountToken: false\n');
    expect(off).not.toBe(DEPLOYMENT);
    const r = await cli(['harden', '-'], { stdin: `${RBAC}---\n${off}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('! would not start: pod: it runs as ServiceAccount kube-system/metrics-server');
    // without the bindings in the input nothing says the account needs the API: no such finding
    const alone = await cli(['harden', '-'], { stdin: off });
    expect(alone.stderr).not.toContain('fails its first API call');
  });
});
