import { Testing } from 'cdk8s';
import { container, level } from './util';
import * as hardenedApp from '../../examples/hardened-app';
import * as loggerApp from '../../examples/logger-app';
import * as multiContainer from '../../examples/multi-container';
import * as secureApp from '../../examples/secure-app';
import { PodSecurity } from '../../lib/policy';

const pod = (example: { build: typeof secureApp.build }) => Testing.synth(example.build(Testing.app()))[0];

describe('examples synthesize to restricted pods', () => {
  test.each([['secure-app', secureApp], ['hardened-app', hardenedApp], ['multi-container', multiContainer], ['logger-app', loggerApp]])('%s', (_, example) => {
    const p = pod(example);
    expect(PodSecurity.evaluate(p).allowed).toBe(true);
    expect(level(p)).toBe('restricted');
    expect(p.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
  });

  test('hardened-app: /tmp and /var/cache/app are the only writable paths', () => {
    expect(container(pod(hardenedApp), 'app').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/cache/app']);
  });

  test('multi-container: app inherits 1000, helper runs as 2000', () => {
    const p = pod(multiContainer);
    expect(container(p, 'app').securityContext.runAsUser).toBeUndefined();
    expect(container(p, 'helper').securityContext.runAsUser).toBe(2000);
  });

  test('logger-app: /var/log is a 512Mi emptyDir', () => {
    const p = pod(loggerApp);
    expect(container(p, 'app').volumeMounts).toContainEqual({ mountPath: '/var/log', name: 'app-var-log' });
    expect(p.spec.volumes).toContainEqual({ name: 'app-var-log', emptyDir: { sizeLimit: '512Mi' } });
  });
});
