/**
 * harden's exit codes (docs/cli.md, "Exit codes"), used by every rule: 0 written and startable; 1 written, with
 * findings a human must confirm (including what the written fields would break, `~`); 2 refused, the document left
 * as it was; 3 usage or read error; `--check` writes nothing. And the rules judge the pod that results: a second run
 * over harden's own output gives the same exit code and the same findings, byte for byte the same text.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { exitCodeOf, hardenText } from '../../../lib/cli/harden/harden';
import { startabilityProblems } from '../../../lib/hardening/startability';
import { cli, tmpDir, writeFiles } from '../helpers';

const pod = (containers: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
${extra}  containers:
${containers}`;

/** Startable once hardened: a known image (preset UID 101, /tmp) and nothing else to decide. */
const STARTABLE = pod('    - {name: web, image: "nginxinc/nginx-unprivileged:1.27", ports: [{containerPort: 8080}]}\n', '  automountServiceAccountToken: false\n');
/** Unknown image, no user: harden writes the rest and says what it would break. */
const UNKNOWN_USER = pod('    - {name: app, image: "registry.example.com/app:1"}\n', '  automountServiceAccountToken: false\n');
const DUPLICATE = pod('    - name: app\n      image: x\n      image: y\n');

describe('the four exit codes', () => {
  test('0: written, and every object would start (the checklist agrees)', async () => {
    const r = await cli(['harden', '-'], { stdin: STARTABLE });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('  ! ');
    expect(startabilityProblems(YAML.parse(r.stdout))).toEqual([]);
  });

  test('1: written, with the findings and what the written fields would break if applied as they are', async () => {
    const r = await cli(['harden', '-'], { stdin: UNKNOWN_USER });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toBe(UNKNOWN_USER); // written
    expect(r.stderr).toContain('! container "app": no numeric user is known');
    expect(r.stderr).toContain('~ if applied as written: container "app" now');
    expect(r.stderr).toMatch(/~ .*has every capability dropped/);
    expect(r.stderr).toMatch(/~ .*has a read-only root filesystem/);
    // an object with nothing to confirm gets no ~ line
    expect((await cli(['harden', '-'], { stdin: STARTABLE })).stderr).not.toContain('~ ');
  });

  test('exit 0 only when the result passes the startability checklist: the article\'s scenario 1 with --user 1000', async () => {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'manifests', 'article', 'secure-app.yaml'), 'utf8');
    const r = await cli(['harden', '-', '--user', '1000'], { stdin: text });
    const reasons = startabilityProblems(YAML.parse(r.stdout));
    // whichever user rule is in force, the code tells the truth about the written pod
    expect(r.code === 0).toBe(reasons.length === 0);
    if (reasons.length > 0) expect(r.stderr).toContain('! would not start: container "app": no numeric runAsUser');
  });

  test('2: refused, the document left exactly as it was', async () => {
    const r = await cli(['harden', '-'], { stdin: DUPLICATE });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(DUPLICATE);
    expect(exitCodeOf(hardenText(DUPLICATE))).toBe(2);
  });

  test('3: usage or read error; the highest code over several inputs wins', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'a.yaml': STARTABLE, 'b.yaml': UNKNOWN_USER, 'c.yaml': DUPLICATE, 'd.yaml': 'a: [1\n' });
    expect((await cli(['harden', 'a.yaml'], { cwd: dir })).code).toBe(0);
    expect((await cli(['harden', 'a.yaml', 'b.yaml'], { cwd: dir })).code).toBe(1);
    expect((await cli(['harden', 'a.yaml', 'b.yaml', 'c.yaml'], { cwd: dir })).code).toBe(2);
    expect((await cli(['harden', 'a.yaml', 'b.yaml', 'c.yaml', 'd.yaml'], { cwd: dir })).code).toBe(3);
    expect((await cli(['harden', 'a.yaml', '--user', 'x'], { cwd: dir })).code).toBe(3);
  });

  test('--check writes nothing and exits as a real run would', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'a.yaml': STARTABLE, 'b.yaml': UNKNOWN_USER });
    for (const [file, code] of [['a.yaml', 0], ['b.yaml', 1]] as const) {
      const r = await cli(['harden', file, '--check'], { cwd: dir });
      expect([file, r.code, r.stdout]).toEqual([file, code, '']);
      expect(r.stderr).toContain(`${file}: doc 0 Pod p`);
    }
    expect(fs.readFileSync(path.join(dir, 'b.yaml'), 'utf8')).toBe(UNKNOWN_USER);
    expect((await cli(['harden', 'a.yaml', '--check', '--write'], { cwd: dir })).code).toBe(3);
  });
});

describe('rules judge the pod that results: a second run gives the same code and findings', () => {
  const cases: Record<string, string> = {
    // made read-only by its author (as cdk8s-plus does): /tmp and the preset's paths are still added
    'postgres, read-only already, claim at /var/lib/postgresql': pod(`    - name: db
      image: postgres:16
      securityContext: {readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 999}
      volumeMounts: [{name: data, mountPath: /var/lib/postgresql}]
`, '  volumes: [{name: data, persistentVolumeClaim: {claimName: pg}}]\n'),
    // the data path is reported on the first run (harden made the root read-only) and on the second (read-only already)
    'redis without a data volume': pod('    - {name: cache, image: "redis:7-alpine"}\n'),
    'redis without a data volume, read-only already': pod('    - {name: cache, image: "redis:7", securityContext: {readOnlyRootFilesystem: true}}\n'),
    'mysql, claim elsewhere': pod(`    - name: db
      image: mysql:8.4
      volumeMounts: [{name: data, mountPath: /mysql}]
`, '  volumes: [{name: data, persistentVolumeClaim: {claimName: db}}]\n'),
    'postgres 18 with the old mount': pod(`    - name: db
      image: postgres:18-alpine
      volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
`, '  volumes: [{name: data, persistentVolumeClaim: {claimName: db}}]\n'),
    'nginx-unprivileged made read-only by cdk8s-plus': pod(`    - name: web
      image: nginxinc/nginx-unprivileged:1.27
      securityContext: {readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false}
`),
  };

  test.each(Object.keys(cases))('%s', async (name) => {
    const text = cases[name];
    const first = hardenText(text);
    const second = hardenText(first.text);
    expect(second.text).toBe(first.text); // idempotent bytes
    expect(exitCodeOf(second)).toBe(exitCodeOf(first));
    expect(second.objects.map(o => o.problems)).toEqual(first.objects.map(o => o.problems));
    expect(second.objects.map(o => o.remaining)).toEqual(first.objects.map(o => o.remaining));
    // /tmp and the preset's paths are writable in the result, whoever made the root read-only
    const hardened = YAML.parse(first.text);
    const paths = (hardened.spec.containers[0].volumeMounts ?? []).map((m: any) => m.mountPath);
    expect(paths).toContain('/tmp');
    if (/postgres/.test(hardened.spec.containers[0].image)) expect(paths).toContain('/var/run/postgresql');
  });

  test('the findings name the data path on both runs (the real-world corpus showed them on the first run only)', () => {
    for (const name of ['redis without a data volume', 'redis without a data volume, read-only already']) {
      const first = hardenText(cases[name]);
      expect(first.objects[0].problems.join('\n')).toContain('keeps its data in /data, which is not mounted');
      expect(hardenText(first.text).objects[0].problems.join('\n')).toContain('keeps its data in /data, which is not mounted');
    }
    expect(hardenText(cases['mysql, claim elsewhere']).objects[0].problems.join('\n')).toContain('which is not on the claim "data" (at /mysql)');
    expect(hardenText(cases['postgres 18 with the old mount']).objects[0].problems.join('\n')).toContain('refuses to start with a mount at /var/lib/postgresql/data');
  });

  test('a nginx-unprivileged container that cdk8s-plus made read-only gets /tmp (it dies on mkdir /tmp/client_temp without)', () => {
    const out = YAML.parse(hardenText(cases['nginx-unprivileged made read-only by cdk8s-plus']).text);
    expect(out.spec.containers[0].volumeMounts).toEqual([{ name: expect.any(String), mountPath: '/tmp' }]);
    expect(out.spec.volumes).toEqual([{ name: out.spec.containers[0].volumeMounts[0].name, emptyDir: { sizeLimit: '256Mi' } }]);
  });

  test('a path already writable (a mount above it, /run for /var/run) gets no second volume; a configMap there does not count', () => {
    const above = pod(`    - name: db
      image: postgres:16
      securityContext: {readOnlyRootFilesystem: true}
      volumeMounts: [{name: run, mountPath: /run}, {name: data, mountPath: /var/lib/postgresql}, {name: t, mountPath: /tmp}]
`, '  volumes: [{name: run, emptyDir: {}}, {name: data, persistentVolumeClaim: {claimName: pg}}, {name: t, emptyDir: {}}]\n');
    const out = YAML.parse(hardenText(above).text);
    expect(out.spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/run', '/var/lib/postgresql', '/tmp']);
    const cm = above.replace('{name: run, emptyDir: {}}', '{name: run, configMap: {name: c}}');
    const out2 = YAML.parse(hardenText(cm).text);
    expect(out2.spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toContain('/var/run/postgresql');
  });
});
