/**
 * `harden`'s user flags (issue 20, point 3): --user-for, --image-user, --non-root-image, and the
 * rule's order against --user and the image presets; bad flag values are usage errors; a flag that
 * names nothing is an error, never silently ignored.
 */
import * as YAML from 'yaml';
import { cli } from '../helpers';

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: api
          image: ghcr.io/acme/api:1.2
        - name: cache
          image: redis:7-alpine
          volumeMounts: [{name: data, mountPath: /data}]
      volumes:
        - name: data
          emptyDir: {}
---
apiVersion: v1
kind: Pod
metadata:
  name: tool
spec:
  containers:
    - name: tool
      image: registry.example.com/tool:3
`;

const specs = (stdout: string): any[] => YAML.parseAllDocuments(stdout).map(d => {
  const js = d.toJS();
  return js.kind === 'Pod' ? js.spec : js.spec.template.spec;
});
const uid = (spec: any, i: number) => spec.containers[i].securityContext?.runAsUser ?? spec.securityContext?.runAsUser;

describe('harden user flags', () => {
  test('without a statement: the preset gives redis its UID, the unknown images need a human (exit 1), no user is guessed', async () => {
    const r = await cli(['harden', '-'], { stdin: APP });
    expect(r.code).toBe(1);
    const [api, tool] = specs(r.stdout);
    expect(uid(api, 0)).toBeUndefined();
    expect(uid(api, 1)).toBe(999);
    expect(uid(tool, 0)).toBeUndefined();
    expect(r.stderr).toContain('! container "api": no numeric user is known for image "ghcr.io/acme/api:1.2"');
    expect(r.stderr).toContain('--user-for KIND/NAMESPACE/NAME/CONTAINER=UID');
    expect(r.stderr).toContain('! container "tool": no numeric user is known');
  });

  test('--user-for names an object (namespace default when it has none) or a container; --user fills the rest', async () => {
    const r = await cli(['harden', '-', '--user-for', 'Deployment/shop/api/api=10001', '--user-for', 'pod/default/tool=2000:3000'], { stdin: APP });
    expect(r.code).toBe(0);
    const [api, tool] = specs(r.stdout);
    expect(api.containers[0].securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
    expect(uid(api, 1)).toBe(999);
    expect(tool.securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 3000, fsGroup: 3000 });
    // idempotent: a second run over its own output changes nothing and finds nothing
    const again = await cli(['harden', '-', '--user-for', 'Deployment/shop/api/api=10001', '--user-for', 'pod/default/tool=2000:3000'], { stdin: r.stdout });
    expect(again.stdout).toBe(r.stdout);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('is not used');
    // a statement that a set runAsUser overrides is noted
    const other = await cli(['harden', '-', '--user-for', 'Deployment/shop/api/api=10002', '--user-for', 'pod/default/tool=2000:3000'], { stdin: r.stdout });
    expect(other.stdout).toBe(r.stdout);
    expect(other.stderr).toContain('container "api": --user-for Deployment/shop/api/api=10002 is not used: runAsUser 10001 is set, and a set user is kept.');
  });

  test('--user-for on a preset image that runs as no other UID is refused (exit 1, nothing written); --image-user is the custom-image escape', async () => {
    const grafana = APP.replace('ghcr.io/acme/api:1.2', 'grafana/grafana:11.2.0');
    const r = await cli(['harden', '-', '--user', '10001', '--user-for', 'Deployment/shop/api/api=1000'], { stdin: grafana });
    expect(r.code).toBe(1);
    expect(uid(specs(r.stdout)[0], 0)).toBeUndefined();
    expect(r.stderr).toContain('user 1000 from --user-for Deployment/shop/api/api=1000 does not fit image "grafana/grafana:11.2.0"');
    expect(r.stderr).toContain('rerun with --image-user IMAGE=UID');
    const custom = await cli(['harden', '-', '--user', '10001', '--image-user', 'grafana/grafana:11.2.0=1000'], { stdin: grafana });
    expect(uid(specs(custom.stdout)[0], 0)).toBe(1000);
    // on an image that runs under another UID, it is used with fsGroup, and noted
    const redis = await cli(['harden', '-', '--user', '10001', '--user-for', 'Deployment/shop/api=1001'], { stdin: APP });
    const [api] = specs(redis.stdout);
    expect(api.securityContext).toMatchObject({ runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 });
    expect(redis.stderr).toContain('is the redis-alpine image (UID 999), which runs under another UID');
  });

  test('--image-user and --non-root-image: patterns over presets and --user', async () => {
    const r = await cli(['harden', '-', '--user', '10001', '--image-user', 'ghcr.io/acme/*=4242', '--non-root-image', 'registry.example.com/*'], { stdin: APP });
    expect(r.code).toBe(0);
    const [api, tool] = specs(r.stdout);
    expect(uid(api, 0)).toBe(4242);
    expect(uid(tool, 0)).toBeUndefined();
    expect(tool.containers[0].securityContext.runAsNonRoot).toBe(true);
    expect(r.stderr).toContain('vouched for by --non-root-image registry.example.com/*');
  });

  test('a --user-for that names no object, or a container the object lacks, is an error', async () => {
    const none = await cli(['harden', '-', '--user', '10001', '--user-for', 'Deployment/shop/nope=1000'], { stdin: APP });
    expect(none.code).toBe(3); // a usage error (harden's 2 means refused: docs/cli.md)
    expect(none.stderr).toContain('error: --user-for Deployment/shop/nope=1000: no Deployment named "nope" in namespace "shop" in the input');
    const container = await cli(['harden', '-', '--user', '10001', '--user-for', 'Deployment/shop/api/worker=1000'], { stdin: APP });
    expect(container.code).toBe(1);
    expect(container.stderr).toContain('--user-for Deployment/shop/api/worker=1000 names container "worker", which the pod does not have (containers: api, cache)');
  });

  test('two --user-for for the same target are a usage error, whatever their case', async () => {
    const r = await cli(['harden', '-', '--user-for', 'Deployment/shop/api=1000', '--user-for', 'deployment/shop/api=1001'], { stdin: APP });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--user-for Deployment/shop/api=1000 and --user-for deployment/shop/api=1001 name the same target');
  });

  test.each([
    ['--user-for', 'Deployment/api=1000'],
    ['--user-for', 'Deployment/shop/api=0'],
    ['--user-for', 'Deployment/shop/api/Api=1000'],
    ['--user-for', 'Deployment/shop/api=1000:0'],
    ['--image-user', 'ghcr.io/acme/*'],
    ['--image-user', '*=1000'],
    ['--image-user', 'ghcr.io/acme/*=abc'],
    ['--non-root-image', '*'],
  ])('%s %s is a usage error', async (flag, value) => {
    const r = await cli(['harden', '-', flag, value], { stdin: APP });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
  });
});
