/**
 * Red team (FINDINGS.md, "Token path spellings"): the serviceAccountToken rule looks for mounts at
 * or under /var/run/secrets/kubernetes.io/serviceaccount, after folding repeated and trailing
 * slashes. The container runtime resolves mount targets as paths (dot segments cleaned, symlinks
 * in the image followed), and a Secret volume can place its token file below its mount point.
 */
import * as kplus from 'cdk8s-plus-27';
import { cel, js, pod } from './admission';
import { synthesize } from './helpers';
import { RootlessDeployment } from '../../lib/constructs/plus';

const TOKEN_SECRET = { secretName: 'app-token' }; // a kubernetes.io/service-account-token Secret
const mounted = (mountPath: string, secret: any = TOKEN_SECRET) => pod(spec => {
  spec.volumes = [{ name: 'token', secret }];
  spec.containers[0].volumeMounts = [{ name: 'token', mountPath, readOnly: true }];
});

describe('findings: the token reaches the in-cluster path, no rule fires', () => {
  test.each([
    ['F4a a dot segment', '/var/run/secrets/kubernetes.io/./serviceaccount', undefined],
    ['F4b a dot-dot segment', '/var/run/secrets/kubernetes.io/x/../serviceaccount', undefined],
  ])('%s: the policy and the judgement both refuse it', (_name, mountPath, secret) => {
    const m = mounted(mountPath as string, secret);
    expect(js(m)).toContain('serviceAccountToken');
    expect(cel(m).failed).toContain('serviceAccountToken');
  });

  // F4c is a documented limitation (docs/admission.md): admission cannot see a Secret's type, so a
  // token Secret mounted above the token directory (or anywhere else) is not refused; checking every
  // Secret or projected volume mounted above it also exceeded the CEL cost limit. JS and CEL agree.
  test('F4c the parent directory with items placing the token: not visible to either, and they agree', () => {
    const m = mounted('/var/run/secrets/kubernetes.io',
      { secretName: 'app-token', items: [{ key: 'token', path: 'serviceaccount/token' }, { key: 'ca.crt', path: 'serviceaccount/ca.crt' }] });
    expect(js(m).includes('serviceAccountToken')).toBe(cel(m).failed.includes('serviceAccountToken'));
    expect(js(m)).not.toContain('serviceAccountToken');
  });

  test('F4d through the typed API, a dot segment in the mount path passes synthesis', () => {
    const r = synthesize(chart => {
      const d = new RootlessDeployment(chart, 'web', { user: 1000, containers: [{ name: 'app', image: 'registry.example/app:1', portNumber: 8080 }] });
      d.containers[0].mount('/var/run/secrets/kubernetes.io/./serviceaccount',
        kplus.Volume.fromSecret(chart, 'v', kplus.Secret.fromSecretName(chart, 'tok', 'app-token')));
    });
    expect(r.error).toMatch(/serviceAccountToken/);
  });
});

describe('held', () => {
  test.each([
    ['the exact path', '/var/run/secrets/kubernetes.io/serviceaccount'],
    ['repeated slashes', '//var//run/secrets/kubernetes.io/serviceaccount'],
    ['a trailing slash', '/var/run/secrets/kubernetes.io/serviceaccount/'],
    ['below the path', '/var/run/secrets/kubernetes.io/serviceaccount/token'],
  ])('%s: both refuse it', (_name, mountPath) => {
    const m = mounted(mountPath);
    expect(js(m)).toContain('serviceAccountToken');
    expect(cel(m).failed).toContain('serviceAccountToken');
  });
});
