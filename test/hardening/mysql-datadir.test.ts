/**
 * The data-path rule (lib/hardening/data-path.ts) for mysql: `mysqld --initialize-insecure`, which the
 * docker-library entrypoint runs on a data directory without `mysql/`, aborts on any entry whose name
 * does not start with `.` ("--initialize specified but the data directory has files in it"; MySQL 8.0,
 * 8.4 and 9.x reference, "Initializing the Data Directory"): a new claim's `lost+found` at the data
 * directory itself is refused. MariaDB's `mariadb-install-db` starts with it (a `#mysql50#lost+found`
 * schema), so mariadb is not refused. One rule for the constructs, applyTo, harden and the checklist.
 */
import { ApiObject, Size, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { ImagePreset, RootlessHardening } from '../../lib';
import { exitCodeOf, hardenText } from '../../lib/cli/harden/harden';
import { RootlessStatefulSet } from '../../lib/constructs/plus';
import { dataDirectory, dataPathFindings } from '../../lib/hardening/data-path';
import { startabilityProblems } from '../../lib/hardening/startability';

const claimVolume = { name: 'data', persistentVolumeClaim: { claimName: 'data' } };
const pod = (container: any, volume: any = claimVolume) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'db', namespace: 'shop' },
  spec: {
    automountServiceAccountToken: false,
    containers: [{ name: 'mysql', image: 'mysql:8.4', volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }], ...container }],
    volumes: [volume],
  },
});
const findings = (container: any, volume?: any, preset = ImagePreset.mysql()) => {
  const p = pod(container, volume);
  return dataPathFindings(p.spec, p.spec.containers[0], preset, true, 'container "mysql"');
};

describe('the rule', () => {
  test('a claim at /var/lib/mysql (the default datadir) is refused, naming the claim, the program and the fix, without moving the mount', () => {
    const { problems } = findings({});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('container "mysql": the claim "data" is mounted at /var/lib/mysql, which is the data directory itself');
    expect(problems[0]).toContain('mysqld --initialize refuses a non-empty directory');
    expect(problems[0]).toContain('pass --datadir=/var/lib/mysql/data in the container\'s args');
    expect(problems[0]).toContain('keep the mount where it is');
    expect(problems[0]).toContain('configuration file');
  });

  test.each(['mysql:8.0', 'mysql:8.4', 'mysql:9.1', 'mysql:5.7', 'mysql'])('%s: every docker-library tag runs mysqld --initialize-insecure: refused', image => {
    expect(findings({ image }).problems).toHaveLength(1);
  });

  test.each([
    ['--datadir=DIR in args, below the claim', { args: ['--datadir=/var/lib/mysql/data'] }],
    ['--datadir DIR', { args: ['--datadir', '/var/lib/mysql/db/'] }],
    ['-h DIR', { args: ['-h', '/var/lib/mysql/data'] }],
    ['-hDIR', { args: ['-h/var/lib/mysql/data'] }],
    ['mysqld --datadir= in command', { command: ['mysqld', '--datadir=/var/lib/mysql/data'] }],
    ['the entrypoint then mysqld', { command: ['docker-entrypoint.sh'], args: ['mysqld', '--datadir=/var/lib/mysql/x'] }],
    ['--datadir at the claim root, explicitly (the data is there)', { args: ['--datadir=/var/lib/mysql'] }],
    ['5.7 with --ignore-db-dir=lost+found', { image: 'mysql:5.7', args: ['--ignore-db-dir=lost+found'] }],
    ['a client: mysql', { command: ['mysql', '-h', 'db', '-e', 'select 1'] }],
    ['a client: mysqladmin', { command: ['mysqladmin', 'ping'] }],
    ['a client: mysqldump', { command: ['mysqldump', '--all-databases'] }],
  ])('not refused: %s', (_name, container) => {
    expect(findings(container).problems).toEqual([]);
  });

  test('the last --datadir wins, as mysqld reads it', () => {
    expect(dataDirectory(ImagePreset.mysql(), { args: ['--datadir=/var/lib/mysql/a', '--datadir=/var/lib/mysql'] })).toMatchObject({ path: '/var/lib/mysql', from: 'option' });
    expect(findings({ args: ['--datadir=/var/lib/mysql', '--datadir=/var/lib/mysql/data'] }).problems).toEqual([]);
  });

  test('a relative --datadir cannot be placed: a note, not a refusal', () => {
    expect(dataDirectory(ImagePreset.mysql(), { args: ['--datadir=data'] })).toMatchObject({ from: 'unknown', why: '--datadir "data" is not an absolute path' });
    expect(findings({ args: ['--datadir=data'] }).problems).toEqual([]);
  });

  test('an emptyDir at /var/lib/mysql is not a claim: it starts (data lost with the pod by choice)', () => {
    expect(findings({}, { name: 'data', emptyDir: {} }).problems).toEqual([]);
  });

  test('--datadir moves the data off the claim: refused, with the option as the fix', () => {
    const r = findings({ args: ['--datadir=/srv/mysql'] });
    expect(r.problems.join()).toContain('keeps its data in /srv/mysql (--datadir), which is not on the claim "data" (at /var/lib/mysql)');
    expect(r.problems.join()).toContain('pass --datadir=DIR in the container\'s args');
  });

  test('mariadb handles lost+found (mariadb-install-db): not refused; its --datadir is read the same way', () => {
    expect(findings({ image: 'mariadb:11' }, undefined, ImagePreset.mariadb()).problems).toEqual([]);
    expect(dataDirectory(ImagePreset.mariadb(), { args: ['--datadir=/var/lib/mysql/d'] })).toMatchObject({ path: '/var/lib/mysql/d', from: 'option' });
  });

  test('the startability checklist applies the same rule', () => {
    const volumeMounts = [{ name: 'data', mountPath: '/var/lib/mysql' }, { name: 't', mountPath: '/tmp' }, { name: 'r', mountPath: '/var/run/mysqld' }];
    const refused = pod({ securityContext: { runAsUser: 999, readOnlyRootFilesystem: true }, volumeMounts });
    refused.spec.volumes.push({ name: 't', emptyDir: {} } as any, { name: 'r', emptyDir: {} } as any);
    expect(startabilityProblems(refused).join()).toContain('mysqld --initialize refuses a non-empty directory');
    (refused.spec.containers[0] as any).args = ['--datadir=/var/lib/mysql/data'];
    expect(startabilityProblems(refused)).toEqual([]);
  });
});

describe('every entry point', () => {
  test('RootlessStatefulSet: a mysql image with a claim template at /var/lib/mysql fails synthesis; --datadir below it synthesizes and starts', () => {
    const run = (args?: string[]) => {
      const chart = Testing.chart();
      new RootlessStatefulSet(chart, 'db', {
        preset: ImagePreset.mysql(),
        containers: [{ name: 'mysql', image: 'mysql:8.4', portNumber: 3306, args }],
        volumeClaimTemplates: [{ name: 'data', mountPath: '/var/lib/mysql', size: Size.gibibytes(5) }],
      });
      try {
        return { docs: Testing.synth(chart) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    const refused = run();
    expect(refused.error).toMatch(/\[test\/db[^\]]*\][^\n]*container "mysql": the claim "data" is mounted at \/var\/lib\/mysql, which is the data directory itself/);
    const ok = run(['--datadir=/var/lib/mysql/data']);
    expect(ok.error).toBeUndefined();
    for (const d of ok.docs!) expect(startabilityProblems(d)).toEqual([]);
  });

  test('applyTo: the claim at the datadir fails synthesis naming object, container and claim; --datadir below it passes', () => {
    const run = (args?: string[]) => {
      const chart = Testing.chart();
      new ApiObject(chart, 'db', pod(args ? { args } : {}) as any);
      RootlessHardening.applyTo(chart);
      try {
        Testing.synth(chart);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    };
    const error = run();
    expect(error).toContain('container "mysql": the claim "data" is mounted at /var/lib/mysql');
    expect(error).toMatch(/\[test\/db\]/);
    expect(run(['--datadir=/var/lib/mysql/data'])).toBeUndefined();
  });

  test('harden: reported (exit 1) on the first run and on a second run over its own output; --datadir below it exits 0', () => {
    const text = YAML.stringify(pod({}));
    const first = hardenText(text);
    expect(first.objects[0].problems.join()).toContain('the claim "data" is mounted at /var/lib/mysql');
    expect(exitCodeOf(first)).toBe(1);
    const again = hardenText(first.text);
    expect(again.text).toBe(first.text);
    expect(again.objects[0].problems.join()).toContain('the claim "data" is mounted at /var/lib/mysql');
    expect(exitCodeOf(again)).toBe(1);
    const fixed = hardenText(YAML.stringify(pod({ args: ['--datadir=/var/lib/mysql/data'] })));
    expect(fixed.objects[0].problems).toEqual([]);
    expect(exitCodeOf(fixed)).toBe(0);
  });
});
