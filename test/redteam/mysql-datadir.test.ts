/**
 * Red team (rt20) of P7, the data-path rule for mysql (lib/hardening/data-path.ts). Oracles: the docker-library
 * entrypoints (8.4: `"$@" --initialize-insecure` when `$DATADIR/mysql` is missing, DATADIR from `mysqld --verbose
 * --help` with the container's arguments; 5.6: `mysql_install_db`, no --initialize), the MySQL reference (option
 * modifiers: `--loose-`; dash and underscore interchangeable in option names), docker-library/mysql#186 (subPath, and
 * `--ignore-db-dir` removed in 8.0) and overhangio/tutor#863 (the option made mysql 8 fail). FINDINGS.md R20-2..R20-6.
 */
import * as YAML from 'yaml';
import { exitCodeOf, hardenText } from '../../lib/cli/harden/harden';
import { dataPathFindings } from '../../lib/hardening/data-path';
import { ImagePreset } from '../../lib/hardening/image-preset';
import { startabilityProblems } from '../../lib/hardening/startability';

const ROOT = 'which is the data directory itself';
function statefulSet(container: any, mount: any = {}, spec: any = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'shop' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          automountServiceAccountToken: false,
          ...spec,
          containers: [{
            name: 'mysql',
            image: 'mysql:8.4',
            env: [{ name: 'MYSQL_ROOT_PASSWORD', value: 'x' }],
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql', ...mount }],
            ...container,
          }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}
/** harden (run twice: same bytes, same exit code), and the startability checklist on its output. */
function harden(m: any) {
  const r = hardenText(YAML.stringify(m), { user: 999 });
  const again = hardenText(r.text, { user: 999 });
  expect(again.text).toBe(r.text);
  expect(exitCodeOf(again)).toBe(exitCodeOf(r));
  const o = r.objects[0];
  return { code: exitCodeOf(r), problems: o.problems.join('\n'), notes: o.notes.join('\n'), checklist: startabilityProblems(YAML.parse(r.text)).join('\n') };
}
const rule = (container: any, mount: any = {}, spec: any = {}) => {
  const s = statefulSet(container, mount, spec).spec.template.spec;
  return dataPathFindings(s, s.containers[0], ImagePreset.mysql(), true, 'container "mysql"');
};

describe('held: the refusal stands where the image refuses', () => {
  test.each(['mysql:8.0', 'mysql:8.4', 'mysql:9.1', 'mysql:5.7', 'mysql:5.7.44', 'mysql:5', 'mysql', 'mysql:latest', 'docker.io/library/mysql:8.4',
    `mysql@sha256:${'a'.repeat(64)}`])('%s with a claim at /var/lib/mysql: refused (harden exit 1, checklist)', image => {
    const r = harden(statefulSet({ image }));
    expect(r.code).toBe(1);
    expect(r.problems).toContain(ROOT);
    expect(r.checklist).toContain(ROOT);
  });

  test.each(['bitnami/mysql:8.0', 'percona/percona-server:8.0', 'container-registry.oracle.com/mysql/community-server:8.4', 'mariadb:11'])(
    '%s: not the docker-library mysql preset: not refused', image => {
      expect(harden(statefulSet({ image })).problems).not.toContain(ROOT);
    });

  test('MYSQL_DATADIR, which the image does not read, does not move the datadir', () => {
    expect(rule({ env: [{ name: 'MYSQL_DATADIR', value: '/var/lib/mysql/data' }] }).problems.join()).toContain(ROOT);
  });
});

describe('R20-2: for mysql, a subPath mount shows a directory the kubelet creates empty and group-writable (no lost+found): not refused', () => {
  test.each([['subPath', { subPath: 'mysql' }], ['subPathExpr', { subPathExpr: '$(POD_NAME)' }]])('mysql, %s', (_n, mount) => {
    const r = harden(statefulSet({}, mount));
    expect(r.problems).not.toContain(ROOT);
    expect(r.checklist).not.toContain(ROOT);
    expect(r.code).toBe(0);
  });

  test('held: postgres with a subPath at the default PGDATA stays refused (the kubelet creates the subPath directory as root with the volume root\'s mode; initdb must own it to chmod 0700: redteam/startability.test.ts)', () => {
    const m = statefulSet({ name: 'pg', image: 'postgres:16', env: [{ name: 'POSTGRES_PASSWORD', value: 'x' }] }, { mountPath: '/var/lib/postgresql/data', subPath: 'pg' });
    const r = harden(m);
    expect(r.problems).toContain(ROOT);
    expect(r.code).toBe(1);
  });

  test('a subPath of "." or "./" is the volume root: still refused', () => {
    for (const subPath of ['.', './']) expect(rule({}, { subPath }).problems.join()).toContain(ROOT);
  });
});

describe('R20-3: mysqld options as mysqld reads them (--loose- modifier, _ for -)', () => {
  test.each([
    ['--loose-datadir=DIR', ['--loose-datadir=/var/lib/mysql/data']],
    ['--loose_datadir DIR', ['--loose_datadir', '/var/lib/mysql/data']],
    ['5.7 --ignore_db_dir=lost+found', ['--ignore_db_dir=lost+found'], 'mysql:5.7'],
    ['5.7 --loose-ignore-db-dir=lost+found', ['--loose-ignore-db-dir=lost+found'], 'mysql:5.7'],
    ['5.7 --ignore-db-dir lost+found', ['--ignore-db-dir', 'lost+found'], 'mysql:5.7'],
  ])('%s: not refused', (_n, args, image = 'mysql:8.4') => {
    expect(rule({ image, args }).problems).toEqual([]);
  });

  test('the last datadir wins, whatever its spelling', () => {
    expect(rule({ args: ['--loose-datadir=/var/lib/mysql/data', '--datadir=/elsewhere'] }).problems.join()).toContain('not on the claim');
  });
});

describe('R20-4: --ignore-db-dir only exists up to 5.7 (8.0 removed it: mysqld refuses to start with it)', () => {
  test.each(['mysql:8.0', 'mysql:8.4', 'mysql:9.1', 'mysql'])('%s --ignore-db-dir=lost+found: still refused, saying the option does not help', image => {
    const r = harden(statefulSet({ image, args: ['--ignore-db-dir=lost+found'] }));
    expect(r.code).toBe(1);
    expect(r.problems).toContain(ROOT);
    expect(r.problems).toContain('--ignore-db-dir=lost+found does not help');
  });
});

describe('R20-5: mysql 5.5 and 5.6 run mysql_install_db, which starts with lost+found: not refused', () => {
  test.each(['mysql:5.6', 'mysql:5.6.51', 'mysql:5.5'])('%s', image => {
    const r = harden(statefulSet({ image }));
    expect(r.problems).not.toContain(ROOT);
    expect(r.code).toBe(0);
  });
});

describe('R20-6: an init container that mounts the same claim and removes lost+found (the stable/mysql chart)', () => {
  const remover = (command: string[], mount: any = {}) => ({
    initContainers: [{
      name: 'remove-lost-found',
      image: 'busybox:1.36',
      command,
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql', ...mount }],
    }],
  });

  test('rm -fr /var/lib/mysql/lost+found: a note naming it, not a refusal (harden, checklist)', () => {
    const r = harden(statefulSet({}, {}, remover(['rm', '-fr', '/var/lib/mysql/lost+found'])));
    expect(r.problems).not.toContain(ROOT);
    expect(r.checklist).not.toContain(ROOT);
    expect(r.notes).toContain('init container "remove-lost-found" mounts the same volume and names lost+found');
  });

  test('an init container that does not name lost+found, or mounts a subPath of the volume: still refused', () => {
    expect(rule({}, {}, remover(['chown', '-R', '999', '/var/lib/mysql'])).problems.join()).toContain(ROOT);
    expect(rule({}, {}, remover(['rm', '-fr', '/var/lib/mysql/lost+found'], { subPath: 'x' })).problems.join()).toContain(ROOT);
  });
});
