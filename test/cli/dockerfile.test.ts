import * as fs from 'fs';
import * as path from 'path';
import { cli, cliJson, expectAccounted, tmpDir, writeFiles } from './helpers';
import { DOCKERFILE_ID_RANGE_RULE as RANGE, DOCKERFILE_NONROOT_RULE as NONROOT, DOCKERFILE_NUMERIC_RULE as NUMERIC, auditDockerfile, isDockerfileName } from '../../lib/cli/dockerfile';

const DOCKERFILES = path.join(__dirname, 'dockerfiles');

/** The check ids and lines of a Dockerfile's findings. */
function findings(text: string): [string, number][] {
  return auditDockerfile(text).findings.map(f => [f.check, f.line]);
}

describe('isDockerfileName', () => {
  test.each(['Dockerfile', 'Containerfile', 'api.Dockerfile', 'Dockerfile.prod', 'Containerfile.dev', 'web.Containerfile'])('%s is a Dockerfile', name => {
    expect(isDockerfileName(name)).toBe(true);
  });
  test.each(['Dockerfile.yaml', 'Dockerfile.dockerignore', 'dockerfile.md', 'README.md', 'MyDockerfile', 'deploy.yaml', '.Dockerfile'])('%s is not', name => {
    expect(isDockerfileName(name)).toBe(false);
  });
});

describe('final stage user', () => {
  test('numeric non-zero USER passes, with or without a group', () => {
    expect(findings('FROM alpine\nUSER 10001\n')).toEqual([]);
    expect(findings('FROM alpine\nUSER 1000:1000\n')).toEqual([]);
    expect(findings('FROM alpine\nUSER 1000:0\n')).toEqual([]); // group 0 is fine (OpenShift-style images)
  });

  test('USER 0, USER root and USER 0:0 fail as root, at the USER line', () => {
    expect(findings('FROM alpine\nRUN true\nUSER 0\n')).toEqual([[NONROOT, 3]]);
    expect(findings('FROM alpine\nUSER root\n')).toEqual([[NONROOT, 2]]);
    expect(findings('FROM alpine\nUSER 0:0\n')).toEqual([[NONROOT, 2]]);
  });

  test('a user name cannot be verified by the kubelet', () => {
    const audit = auditDockerfile('FROM alpine\nUSER nobody\n');
    expect(audit.findings.map(f => [f.check, f.line])).toEqual([[NUMERIC, 2]]);
    expect(audit.findings[0].detail).toContain('cannot verify user is non-root');
  });

  test('a UID or GID above 2147483647 is refused with the reason (CVE-2024-40635), not taken as non-root', () => {
    for (const user of ['4294967296', '2147483648', '4294967296:1000', '1000:4294967296', '99999999999999999999999']) {
      const audit = auditDockerfile(`FROM alpine\nUSER ${user}\n`);
      expect(audit.findings.map(f => [f.check, f.line])).toEqual([[RANGE, 2]]);
      expect(audit.findings[0].detail).toContain('CVE-2024-40635');
      expect(audit.findings[0].detail).toContain('2147483647');
      expect(audit.user).toBe('out-of-range');
    }
    // through a build argument's default too
    expect(findings('ARG UID=4294967296\nFROM alpine\nARG UID\nUSER ${UID}\n')).toEqual([[RANGE, 4]]);
    // the largest accepted IDs pass
    expect(findings('FROM alpine\nUSER 2147483647:2147483647\n')).toEqual([]);
    // all-zero spellings are root
    expect(findings('FROM alpine\nUSER 00\n')).toEqual([[NONROOT, 2]]);
  });

  test('the final stage\'s user: non-root, root, unknown (a name, the base image\'s user), never non-root unless numeric', () => {
    expect(auditDockerfile('FROM alpine\nUSER 10001\n').user).toBe('non-root');
    expect(auditDockerfile('FROM alpine\nUSER 0\n').user).toBe('root');
    expect(auditDockerfile('FROM alpine\nUSER appuser\n').user).toBe('unknown');
    expect(auditDockerfile('FROM alpine\nUSER appuser:10001\n').user).toBe('unknown');
    expect(auditDockerfile('FROM alpine\nUSER appuser\n').findings[0].detail).toContain('unknown (not non-root)');
    expect(auditDockerfile('FROM node:22\n').user).toBe('unknown');
    expect(auditDockerfile('RUN x\n').user).toBe('unknown');
  });

  test('the last USER of the final stage wins', () => {
    expect(findings('FROM alpine\nUSER 1000\nRUN x\nUSER 0\n')).toEqual([[NONROOT, 4]]);
    expect(findings('FROM alpine\nUSER 0\nRUN apk add x\nUSER 1000\n')).toEqual([]);
  });

  test('no USER on an external base: cannot verify, at the FROM line', () => {
    const audit = auditDockerfile('FROM node:18\nCOPY . .\n');
    expect(audit.findings.map(f => [f.check, f.line])).toEqual([[NUMERIC, 1]]);
    expect(audit.findings[0].detail).toContain('sets no USER');
    expect(audit.stages[0].userOrigin).toBe('base-image');
  });

  test('no USER on FROM scratch is root', () => {
    expect(findings('FROM golang AS b\nRUN go build\nFROM scratch\nCOPY --from=b /app /app\n')).toEqual([[NONROOT, 3]]);
  });

  test('only the final stage counts', () => {
    expect(findings('FROM golang AS build\nUSER 0\nRUN go build\nFROM alpine\nUSER 10001\n')).toEqual([]);
    expect(findings('FROM golang AS build\nUSER 10001\nFROM alpine\n')).toEqual([[NUMERIC, 3]]);
  });

  test('a final stage FROM an earlier stage inherits its USER (stage names are case-insensitive)', () => {
    expect(findings('FROM alpine AS Base\nUSER 10001\nFROM base\nRUN true\n')).toEqual([]);
    const audit = auditDockerfile(fsText('inherits-root.Dockerfile'));
    expect(audit.findings.map(f => [f.check, f.line])).toEqual([[NONROOT, 3]]);
    expect(audit.findings[0].detail).toContain('inherited from an earlier stage');
    expect(audit.stages.map(s => [s.name, s.fromStage, s.userOrigin])).toEqual([['base', null, 'stage'], [null, 0, 'inherited']]);
  });

  test('a chain of stages without USER down to an external image: cannot verify', () => {
    const audit = auditDockerfile('FROM node:18 AS a\nFROM a AS b\nFROM b\n');
    expect(audit.findings.map(f => [f.check, f.line])).toEqual([[NUMERIC, 3]]);
    expect(audit.findings[0].detail).toContain('FROM node:18');
  });

  test('ARG and ENV defaults are substituted; an ARG without a default cannot be verified', () => {
    expect(findings('FROM alpine\nARG UID=10001\nUSER ${UID}:${UID}\n')).toEqual([]);
    expect(findings('FROM alpine\nARG UID=0\nUSER $UID\n')).toEqual([[NONROOT, 3]]);
    expect(findings('FROM alpine\nENV APP_UID=2000\nUSER ${APP_UID}\n')).toEqual([]);
    expect(findings('FROM alpine\nARG UID\nUSER ${UID}\n')).toEqual([[NUMERIC, 3]]);
    expect(findings('FROM alpine\nUSER ${UNDECLARED:-10001}\n')).toEqual([]);
    // a global ARG reaches a stage only when redeclared there
    expect(findings('ARG UID=10001\nFROM alpine\nARG UID\nUSER ${UID}\n')).toEqual([]);
    expect(findings('ARG UID=10001\nFROM alpine\nUSER ${UID}\n')).toEqual([[NUMERIC, 3]]);
    // ENV is inherited by a stage built FROM the stage that set it
    expect(findings('FROM alpine AS base\nENV UID=10001\nFROM base\nUSER ${UID}\n')).toEqual([]);
    const audit = auditDockerfile('FROM alpine\nARG UID\nUSER ${UID}\n');
    expect(audit.findings[0].detail).toContain('${UID} has no default');
  });

  test('continuation lines and comments are handled by the parser', () => {
    expect(findings('FROM alpine\n# USER 0\nUSER \\\n  10001\n')).toEqual([]);
  });

  test('no FROM is malformed', () => {
    expect(auditDockerfile('# just a comment\n').malformed).toContain('no FROM');
  });

  test('the article\'s USER appuser is flagged with the UID its adduser line creates', () => {
    const audit = auditDockerfile(fsText('article.Dockerfile'));
    expect(audit.findings).toHaveLength(1);
    expect(audit.findings[0]).toMatchObject({ check: NUMERIC, line: 16, stage: 0 });
    expect(audit.findings[0].fix).toContain('USER 1000:1000');
    expect(auditDockerfile(fsText('corrected.Dockerfile')).findings).toEqual([]);
  });
});

describe('cdk8s-rootless audit with Dockerfiles', () => {
  test('folders: Dockerfiles are found, counted as objects of kind Dockerfile, and fail the audit', async () => {
    const { code, report } = await cliJson(['audit', '.'], { cwd: DOCKERFILES });
    expect(code).toBe(1);
    expectAccounted(report);
    expect(report.results.map((r: any) => [r.file, r.kind, r.allowed])).toEqual([
      ['article.Dockerfile', 'Dockerfile', false],
      ['corrected.Dockerfile', 'Dockerfile', true],
      ['inherits-root.Dockerfile', 'Dockerfile', false],
      ['multi-stage.Dockerfile', 'Dockerfile', true],
    ]);
    const article = report.results[0];
    expect(article.violations[0]).toMatchObject({ check: NUMERIC, line: 16, stage: 0, stageName: null });
    const multi = report.results[3];
    expect(multi.stages.map((s: any) => [s.name, s.from, s.line, s.user])).toEqual([
      ['build', 'golang:1.22', 3, null],
      ['runtime', 'gcr.io/distroless/static-debian12', 8, '65532:65532'],
    ]);
  });

  test('a compliant Dockerfile given directly passes (exit 0)', async () => {
    const { code, stdout } = await cli(['audit', 'corrected.Dockerfile', 'multi-stage.Dockerfile'], { cwd: DOCKERFILES });
    expect(code).toBe(0);
    expect(stdout).toContain('OK: ');
    expect(stdout).toContain('2 Dockerfiles');
  });

  test('text: file:line, stage, rule and fix', async () => {
    const { code, stdout } = await cli(['audit', 'article.Dockerfile', 'inherits-root.Dockerfile'], { cwd: DOCKERFILES });
    expect(code).toBe(1);
    expect(stdout).toContain('article.Dockerfile:16: Dockerfile stage 0: dockerfile-numeric-user: image user is not numeric');
    expect(stdout).toContain('inherits-root.Dockerfile:3: Dockerfile stage 1: dockerfile-nonroot-user: image runs as root');
    expect(stdout).toContain('DENIED');
  });

  test('SARIF: rule ids, region at the USER line', async () => {
    // the root named explicitly: the default (the git top-level, else the working folder) depends on where the test runs
    const { stdout } = await cli(['audit', 'article.Dockerfile', '--format', 'sarif', '--sarif-root', path.join(__dirname, '..', '..')], { cwd: DOCKERFILES });
    const log = JSON.parse(stdout);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(expect.arrayContaining([NONROOT, NUMERIC]));
    expect(run.results).toHaveLength(1);
    const result = run.results[0];
    expect(result.ruleId).toBe(NUMERIC);
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe(NUMERIC);
    expect(result.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: 'test/cli/dockerfiles/article.Dockerfile' }, region: { startLine: 16 } });
  });

  test('at --level baseline (which admits root pods) Dockerfiles pass', async () => {
    const { code, report } = await cliJson(['audit', '.', '--level', 'baseline'], { cwd: DOCKERFILES });
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ objects: 4, audited: 4, allowed: 4 });
  });

  test('Dockerfiles and manifests together; a Dockerfile without FROM is malformed', async () => {
    const dir = tmpDir();
    writeFiles(dir, {
      'app/Dockerfile': 'FROM alpine\nUSER 10001\n',
      'app/Dockerfile.empty': '# nothing\n',
      'app/Dockerfile.dockerignore': 'node_modules\n',
      'k8s/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
    });
    const { code, report } = await cliJson(['audit', '.'], { cwd: dir });
    expect(code).toBe(1);
    expectAccounted(report);
    expect(report.results.map((r: any) => [r.file, r.kind, r.allowed])).toEqual([
      [path.join('app', 'Dockerfile'), 'Dockerfile', true],
      [path.join('app', 'Dockerfile.empty'), 'Dockerfile', false],
      [path.join('k8s', 'cm.yaml'), 'ConfigMap', true],
    ]);
    expect(report.results[1].malformed).toContain('no FROM');
  });
});

function fsText(name: string): string {
  return fs.readFileSync(path.join(DOCKERFILES, name), 'utf8');
}
