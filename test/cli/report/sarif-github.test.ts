/**
 * The SARIF report as GitHub code scanning takes it (issue: "SARIF that GitHub code scanning takes
 * as it is"): the rules' metadata, URIs relative to the repository root (never absolute or `../`),
 * standard input, `automationDetails`, and cdk8s construct paths. Microsoft's validator itself
 * (Multitool 5.7.0, rule kinds Sarif and Gh) runs once in CI: `.ci/sarif-validate`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import * as yaml from 'js-yaml';
import type * as sarif from 'sarif';
import { ruleName, sarifRules } from '../../../lib/cli/report/report-sarif';
import { PodSecurity } from '../../../lib/policy';
import { cli, fixture, tmpDir, writeFiles } from '../helpers';

async function sarifOf(argv: string[], options: { stdin?: string; cwd?: string } = {}): Promise<{ code: number; log: sarif.Log; stderr: string }> {
  const out = await cli([...argv, '--format', 'sarif'], options);
  let log: sarif.Log;
  try {
    log = JSON.parse(out.stdout);
  } catch {
    throw new Error(`not SARIF (exit ${out.code}): ${out.stdout}\n${out.stderr}`);
  }
  return { code: out.code, log, stderr: out.stderr };
}

/** Every `uri` of an artifactLocation anywhere in the log. */
function artifactUris(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach(v => artifactUris(v, found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'artifactLocation') found.push((v as sarif.ArtifactLocation).uri!);
      else artifactUris(v, found);
    }
  }
  return found;
}

/** A repository: a `.git` folder at the top, manifests below it. */
function repository(files: Record<string, string>): string {
  const root = tmpDir('cdk8s-rootless-sarif-repo-');
  fs.mkdirSync(path.join(root, '.git'));
  writeFiles(root, files);
  return root;
}

describe('SARIF rules', () => {
  const rules = sarifRules();

  test('every rule has the metadata code scanning shows: descriptions, help (text and markdown), tags with security, a security-severity', () => {
    expect(rules.length).toBeGreaterThan(PodSecurity.checks().length);
    for (const rule of rules) {
      expect([rule.id, rule.shortDescription?.text]).toEqual([rule.id, expect.stringMatching(/\S/)]);
      expect([rule.id, rule.fullDescription?.text]).toEqual([rule.id, expect.stringMatching(/\S/)]);
      expect([rule.id, rule.help?.text]).toEqual([rule.id, expect.stringMatching(/\S/)]);
      expect([rule.id, rule.help?.markdown]).toEqual([rule.id, expect.stringMatching(/\S/)]);
      expect([rule.id, rule.properties?.tags]).toEqual([rule.id, expect.arrayContaining(['security'])]);
      const severity = rule.properties?.['security-severity'];
      expect([rule.id, typeof severity]).toEqual([rule.id, 'string']);
      expect(Number(severity)).toBeGreaterThan(0);
      expect(Number(severity)).toBeLessThanOrEqual(10);
    }
  });

  test('a rule\'s name is PascalCase and differs from its id even ignoring case (SARIF1001), and names are unique', () => {
    for (const rule of rules) {
      expect([rule.id, rule.name]).toEqual([rule.id, expect.stringMatching(/^[A-Z][A-Za-z0-9]*$/)]);
      expect([rule.id, rule.name!.toLowerCase() === rule.id.toLowerCase()]).toEqual([rule.id, false]);
    }
    expect(new Set(rules.map(r => r.name)).size).toBe(rules.length);
    expect(ruleName('runAsNonRoot')).toBe('PodSecurityRunAsNonRoot');
    expect(ruleName('capabilities_restricted')).toBe('PodSecurityCapabilitiesRestricted');
    expect(ruleName('malformed')).toBe('MalformedObject');
    expect(ruleName('rootless-exemption')).toBe('RootlessExemption');
    expect(ruleName('api-invalid')).toBe('ApiServerWouldReject');
    expect(rules.map(r => r.id)).toContain('api-invalid');
    // a check the engine might add later, named like the others
    expect(ruleName('privileged')).not.toBe('privileged');
    expect(ruleName('privileged').toLowerCase()).not.toBe('privileged');
  });

  test('baseline checks are rated higher than restricted ones', () => {
    const severity = (id: string): number => Number(rules.find(r => r.id === id)!.properties!['security-severity']);
    expect(severity('privileged')).toBeGreaterThan(severity('runAsNonRoot'));
    expect(severity('privileged')).toBeGreaterThanOrEqual(7);
  });
});

describe('SARIF: objects the API server would reject (rule api-invalid)', () => {
  test('each problem is a result of its own (distinct fingerprints, so code scanning keeps both), with a relative URI', async () => {
    const root = repository({
      'k8s/pod.yaml': `apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: nginx
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
    volumeMounts: [{name: cache, mountPath: /cache}]
`,
    });
    const { code, log } = await sarifOf(['audit', 'k8s'], { cwd: root });
    expect(code).toBe(1);
    const run = log.runs[0];
    const invalid = run.results!.filter(r => r.ruleId === 'api-invalid');
    expect(invalid.map(r => r.message.text)).toEqual([
      expect.stringContaining('unknown field "spec.securityContext.allowPrivilegeEscalation"'),
      expect.stringContaining('spec.containers[0].volumeMounts[0].name: Not found: "cache"'),
    ]);
    expect(new Set(invalid.map(r => r.partialFingerprints!['cdk8sRootlessObject/v1'])).size).toBe(2);
    for (const r of invalid) {
      expect(r.level).toBe('error');
      expect(r.locations![0].physicalLocation!.artifactLocation).toEqual({ uri: 'k8s/pod.yaml', uriBaseId: '%SRCROOT%' });
      expect(run.tool.driver.rules![r.ruleIndex!]).toMatchObject({ id: 'api-invalid', name: 'ApiServerWouldReject', properties: { tags: expect.arrayContaining(['security']) } });
    }
  });
});

describe('SARIF locations: relative to the repository root', () => {
  test('default root: the git top-level of the working directory, not the working directory', async () => {
    const root = repository({ 'deploy/k8s/pod.yaml': fixture('privileged-pod.yaml') });
    const { log } = await sarifOf(['audit', 'k8s'], { cwd: path.join(root, 'deploy') });
    const run = log.runs[0];
    expect(run.originalUriBaseIds!['%SRCROOT%'].uri).toBe(`file://${root}/`);
    const uris = artifactUris(run.results);
    expect(uris.length).toBeGreaterThan(0);
    expect(new Set(uris)).toEqual(new Set(['deploy/k8s/pod.yaml']));
    for (const r of run.results!) expect(r.locations![0].physicalLocation!.artifactLocation!.uriBaseId).toBe('%SRCROOT%');
  });

  test('a git worktree (.git is a file) is a root too; without .git anywhere the working directory is the root', async () => {
    const worktree = tmpDir('cdk8s-rootless-sarif-wt-');
    writeFiles(worktree, { '.git': 'gitdir: /elsewhere/.git/worktrees/x\n', 'a/pod.yaml': fixture('privileged-pod.yaml') });
    const inWorktree = await sarifOf(['audit', '.'], { cwd: path.join(worktree, 'a') });
    expect(new Set(artifactUris(inWorktree.log.runs[0].results))).toEqual(new Set(['a/pod.yaml']));

    const plain = tmpDir();
    writeFiles(plain, { 'a/pod.yaml': fixture('privileged-pod.yaml') });
    const { log } = await sarifOf(['audit', '.'], { cwd: path.join(plain, 'a') });
    expect(new Set(artifactUris(log.runs[0].results))).toEqual(new Set(['pod.yaml']));
    expect(log.runs[0].originalUriBaseIds!['%SRCROOT%'].uri).toBe(`file://${path.join(plain, 'a')}/`);
  });

  test('inputs given as ../ or absolute paths still get root-relative URIs', async () => {
    const root = repository({ 'charts/web/pod.yaml': fixture('privileged-pod.yaml'), 'tools/.keep': '' });
    const cwd = path.join(root, 'tools');
    for (const input of ['../charts', path.join(root, 'charts', 'web', 'pod.yaml')]) {
      const { log } = await sarifOf(['audit', input], { cwd });
      const uris = artifactUris(log);
      expect([input, new Set(uris)]).toEqual([input, new Set(['charts/web/pod.yaml'])]);
    }
  });

  test('--sarif-root sets the root; an input outside it is refused (exit 2), never written as ../ or absolute', async () => {
    const root = repository({ 'svc/a/k8s/pod.yaml': fixture('privileged-pod.yaml'), 'other/pod.yaml': fixture('privileged-pod.yaml') });
    const { log } = await sarifOf(['audit', 'svc/a/k8s', '--sarif-root', 'svc/a'], { cwd: root });
    expect(new Set(artifactUris(log))).toEqual(new Set(['k8s/pod.yaml']));
    expect(log.runs[0].originalUriBaseIds!['%SRCROOT%'].uri).toBe(`file://${root}/svc/a/`);

    for (const argv of [['audit', 'svc/a/k8s', 'other', '--sarif-root', 'svc/a'], ['audit', '/etc/hostname'], ['audit', '..']]) {
      const out = await cli([...argv, '--format', 'sarif'], { cwd: root });
      expect([argv, out.code]).toEqual([argv, 2]);
      expect(out.stdout).toBe('');
      expect(out.stderr).toMatch(/is outside .*SARIF URIs are relative to the root, never absolute or \.\.\/\. Fix: set --sarif-root/);
    }
    const missing = await cli(['audit', 'other', '--format', 'sarif', '--sarif-root', 'nope'], { cwd: root });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--sarif-root nope: not a folder/);
  });

  test('read errors are notifications located under the root; "no manifests found" has no location', async () => {
    const root = repository({ 'k8s/bad.yaml': 'kind: Pod\n  - : [\n', 'empty/README.md': 'nothing' });
    const { code, log } = await sarifOf(['audit', 'k8s', 'empty'], { cwd: path.join(root, 'k8s') + '/..' });
    expect(code).toBe(2);
    const notifications = log.runs[0].invocations![0].toolExecutionNotifications!;
    expect(notifications.length).toBeGreaterThan(0);
    const uris = artifactUris(notifications);
    expect(uris).toContain('k8s/bad.yaml');
    for (const uri of uris) expect(uri).toMatch(/^[^/.%][^\\]*$/);
  });
});

describe('SARIF and standard input', () => {
  const pod = fixture('privileged-pod.yaml');

  test('without --stdin-path: logical locations only', async () => {
    const { log, stderr } = await sarifOf(['audit', '-'], { stdin: pod });
    const results = log.runs[0].results!;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(r.locations).toHaveLength(1);
      expect(r.locations![0].physicalLocation).toBeUndefined();
      expect(r.locations![0].logicalLocations![0]).toEqual({ name: 'kube-system/node-agent', kind: 'object', fullyQualifiedName: 'Pod/kube-system/node-agent' });
    }
    expect(artifactUris(log)).toEqual([]);
    expect(JSON.stringify(log)).not.toMatch(/"uri":"stdin"/);
    expect(stderr).toBe('');
  });

  test('--stdin-path names the file in the repository (relative to the working directory, written relative to the root)', async () => {
    const root = repository({ 'chart/.keep': '' });
    const { log, stderr } = await sarifOf(['audit', '-', '--stdin-path', 'rendered/web.yaml'], { stdin: pod, cwd: path.join(root, 'chart') });
    expect(stderr).toBe('');
    const results = log.runs[0].results!;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      const physical = r.locations![0].physicalLocation!;
      expect(physical.artifactLocation).toEqual({ uri: 'chart/rendered/web.yaml', uriBaseId: '%SRCROOT%' });
      expect(physical.region!.startLine).toBeGreaterThan(1);
    }
  });

  test('bad --stdin-path, --sarif-root or --sarif-category use: exit 2 with the fix', async () => {
    const root = repository({ 'a/.keep': '' });
    const cases: [string[], RegExp][] = [
      [['audit', '-', '--format', 'sarif', '--stdin-path', '../../x.yaml'], /--stdin-path \.\.\/\.\.\/x\.yaml is not a file inside .*Fix:/],
      [['audit', '-', '--format', 'sarif', '--stdin-path', '/tmp/x.yaml'], /--stdin-path \/tmp\/x\.yaml is not a file inside/],
      [['audit', 'a', '--format', 'sarif', '--stdin-path', 'x.yaml'], /--stdin-path names the file standard input holds: it needs - among the inputs/],
      [['audit', '-', '--format', 'json', '--stdin-path', 'x.yaml'], /--stdin-path: read with --format sarif only\. Fix: add --format sarif/],
      [['audit', '-', '--sarif-root', '.'], /--sarif-root: read with --format sarif only/],
      [['audit', '-', '--sarif-category', 'x'], /--sarif-category: read with --format sarif only/],
      [['audit', '-', '--format', 'sarif', '--sarif-category', '/'], /--sarif-category: empty/],
    ];
    for (const [argv, message] of cases) {
      const out = await cli(argv, { stdin: pod, cwd: path.join(root, 'a') });
      expect([argv, out.code]).toEqual([argv, 2]);
      expect([argv, out.stderr]).toEqual([argv, expect.stringMatching(message)]);
    }
  });
});

describe('SARIF automationDetails', () => {
  test('a default category, and --sarif-category (one per analysis of the same commit)', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'pod.yaml': fixture('privileged-pod.yaml') });
    expect((await sarifOf(['audit', '.'], { cwd: dir })).log.runs[0].automationDetails).toEqual({ id: 'cdk8s-rootless-audit/' });
    expect((await sarifOf(['audit', '.', '--sarif-category', 'pss/baseline'], { cwd: dir })).log.runs[0].automationDetails).toEqual({ id: 'pss/baseline/' });
  });
});

describe('SARIF construct paths (cdk8s construct metadata)', () => {
  /** A real cdk8s synthesis: a privileged Pod and a Deployment in two charts. */
  function synthesize(record: boolean, yamlOutputType?: YamlOutputType): string {
    const outdir = tmpDir('cdk8s-rootless-sarif-synth-');
    const app = new App({ outdir, recordConstructMetadata: record, yamlOutputType });
    const chart = new Chart(app, 'shop');
    new ApiObject(chart, 'agent', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'node-agent' },
      spec: { containers: [{ name: 'a', image: 'agent:1', securityContext: { privileged: true } }] },
    });
    const other = new Chart(app, 'ops');
    new ApiObject(other, 'web', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { hostPID: true, containers: [{ name: 'w', image: 'web:1' }] } } },
    });
    app.synth();
    return outdir;
  }

  test('with recordConstructMetadata, each result names its construct path (logical location and property)', async () => {
    const outdir = synthesize(true);
    expect(fs.existsSync(path.join(outdir, 'construct-metadata.json'))).toBe(true);
    const { log } = await sarifOf(['audit', '.'], { cwd: outdir });
    const results = log.runs[0].results!;
    expect(results.length).toBeGreaterThan(1);
    const byObject = new Map<string, string>([['Pod/node-agent', 'shop/agent'], ['Deployment/web', 'ops/web']]);
    for (const r of results) {
      const logical = r.locations![0].logicalLocations!;
      const object = logical.find(l => l.kind === 'object')!.fullyQualifiedName!;
      const construct = logical.find(l => l.kind === 'declaration');
      expect([object, construct?.fullyQualifiedName]).toEqual([object, byObject.get(object)]);
      expect(r.properties!.constructPath).toBe(byObject.get(object));
    }
  });

  test('folder-per-chart output: the manifests are one level below construct-metadata.json', async () => {
    const outdir = synthesize(true, YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE);
    expect(fs.readdirSync(outdir).sort()).toEqual(['construct-metadata.json', 'ops', 'shop']);
    const { log } = await sarifOf(['audit', '.'], { cwd: outdir });
    const paths = new Set(log.runs[0].results!.map(r => r.properties!.constructPath));
    expect(paths).toEqual(new Set(['shop/agent', 'ops/web']));
  });

  test('a construct-metadata.json above the root is not read', async () => {
    const outer = synthesize(true);
    const root = path.join(outer, 'repo');
    fs.mkdirSync(path.join(root, '.git'), { recursive: true });
    for (const f of fs.readdirSync(outer).filter(x => x.endsWith('.yaml'))) fs.copyFileSync(path.join(outer, f), path.join(root, f));
    const { log } = await sarifOf(['audit', '.'], { cwd: root });
    expect(log.runs[0].results!.length).toBeGreaterThan(0);
    for (const r of log.runs[0].results!) expect(r.properties!.constructPath).toBeUndefined();
  });

  test('without it (or with a file of another version), no construct path', async () => {
    const outdir = synthesize(false);
    const plain = await sarifOf(['audit', '.'], { cwd: outdir });
    for (const r of plain.log.runs[0].results!) {
      expect(r.locations![0].logicalLocations!.some(l => l.kind === 'declaration')).toBe(false);
      expect(r.properties!.constructPath).toBeUndefined();
    }
    fs.writeFileSync(path.join(outdir, 'construct-metadata.json'), JSON.stringify({ version: '2.0.0', resources: { 'node-agent': { path: 'x/y' } } }));
    const other = await sarifOf(['audit', '.'], { cwd: outdir });
    for (const r of other.log.runs[0].results!) expect(r.properties!.constructPath).toBeUndefined();
  });
});

describe('docs/cli.md: the GitHub Actions workflow that uploads the SARIF', () => {
  test('uploads with github/codeql-action/upload-sarif, a category and security-events: write, after an audit that records construct paths', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'cli.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### SARIF and GitHub code scanning'));
    const block = /```yaml\n(name: [\s\S]*?)```/.exec(section)![1];
    const workflow = yaml.load(block) as any;
    const job = Object.values(workflow.jobs)[0] as any;
    expect(job.permissions).toMatchObject({ 'security-events': 'write' });
    const upload = job.steps.find((s: any) => /^github\/codeql-action\/upload-sarif@v\d+$/.test(s.uses ?? ''));
    expect(upload).toBeDefined();
    expect(upload.if).toBe('always()');
    expect(upload.with).toMatchObject({ sarif_file: 'pss.sarif', category: expect.stringMatching(/\S/) });
    const audit = job.steps.find((s: any) => /cdk8s-rootless audit .*--format sarif > pss\.sarif/.test(s.run ?? ''));
    expect(audit['continue-on-error']).toBe(true);
    const synth = job.steps.find((s: any) => /cdk8s synth/.test(s.run ?? ''));
    expect(synth.env).toEqual({ CDK8S_RECORD_CONSTRUCT_METADATA: 'true' });
    // the job still fails when the audit did
    expect(job.steps[job.steps.length - 1]).toMatchObject({ if: `steps.${audit.id}.outcome == 'failure'`, run: expect.stringMatching(/exit 1$/) });
  });
});
