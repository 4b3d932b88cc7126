import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type * as sarif from 'sarif';
import { PodSecurity } from '../../../lib/policy';
import { cli, fixture, tmpDir, writeFiles } from '../helpers';

async function sarifOf(argv: string[], options: { stdin?: string; cwd?: string } = {}): Promise<{ code: number; log: sarif.Log }> {
  const out = await cli([...argv, '--format', 'sarif'], options);
  return { code: out.code, log: JSON.parse(out.stdout) };
}

describe('SARIF 2.1.0 report', () => {
  test('structure GitHub code scanning accepts', async () => {
    const { code, log } = await sarifOf(['audit', '.']);
    expect(code).toBe(1);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    const driver = run.tool.driver;
    expect(driver.name).toBe('cdk8s-rootless');
    expect(driver.informationUri).toMatch(/^https:\/\//);
    expect(driver.version).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version);

    // rules: every check of the engine, with descriptions and help
    const rules = driver.rules!;
    const ids = rules.map(r => r.id);
    for (const check of PodSecurity.checks()) expect(ids).toContain(check.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of rules) {
      expect(rule.shortDescription?.text).toBeTruthy();
      expect(rule.help?.text).toBeTruthy();
    }

    // results: a known rule, level error, message, relative forward-slash URI, a line
    const results = run.results!;
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(ids).toContain(result.ruleId);
      expect(rules[result.ruleIndex!].id).toBe(result.ruleId);
      expect(result.level).toBe('error');
      expect(result.message.text).toBeTruthy();
      const location = result.locations![0].physicalLocation!;
      expect(location.artifactLocation!.uri).toMatch(/^[^/\\][^\\]*$/);
      expect(location.artifactLocation!.uriBaseId).toBe('%SRCROOT%');
      expect(location.region!.startLine).toBeGreaterThanOrEqual(1);
      expect(Object.values(result.partialFingerprints!)[0]).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(run.originalUriBaseIds!['%SRCROOT%'].uri).toMatch(/^file:\/\/.*\/$/);
    expect(run.invocations![0].executionSuccessful).toBe(true);
    // the whole log serializes without undefined holes
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });

  test('startLine is the line where the document starts, e.g. the 3rd document of a file', async () => {
    const dir = tmpDir();
    const pod = fixture('baseline-pod.yaml');
    // documents: 0 at line 2, 1 at line 6, 2 (after comments and a blank line) at line 12
    const text = [
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: a}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: b}',
      '---',
      '# Source: chart/templates/pod.yaml',
      '',
      ...pod.split('\n').filter(l => !l.startsWith('#')),
    ].join('\n');
    writeFiles(dir, { 'k8s/apps/all.yaml': text });
    const { log } = await sarifOf(['audit', 'k8s'], { cwd: dir });
    const results = log.runs[0].results!;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      const loc = r.locations![0].physicalLocation!;
      expect(loc.artifactLocation!.uri).toBe('k8s/apps/all.yaml');
      // the fields are missing: the finding points at the container that lacks them
      expect(text.split('\n')[loc.region!.startLine! - 1]).toBe('    - name: app');
      expect(loc.region!.startLine).toBe(19);
      expect(r.message.text).toMatch(/^Pod shop\/legacy \(doc 2\): /);
    }
  });

  test('findings point at the offending field\'s line (YAML document, YAML List item, streamed JSON item)', async () => {
    const pod = [
      'apiVersion: apps/v1',
      'kind: DaemonSet',
      'metadata: {name: agent, namespace: ops}',
      'spec:',
      '  template:',
      '    spec:',
      '      hostPID: true',
      '      containers:',
      '      - name: sidecar',
      '        image: busybox',
      '      - name: agent',
      '        image: agent:1',
      '        securityContext:',
      '          allowPrivilegeEscalation: false',
      '          capabilities: {drop: [ALL]}',
      '          runAsNonRoot: true',
      '          seccompProfile: {type: RuntimeDefault}',
      '          privileged: true',
    ].join('\n') + '\n';
    const lineOf = (text: string, needle: string): number => text.split('\n').findIndex(l => l.includes(needle)) + 1;
    const dir = tmpDir();
    const asList = 'apiVersion: v1\nkind: List\nitems:\n' + pod.split('\n').filter(l => l).map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)).join('\n') + '\n';
    const asJson = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [yaml.load(pod)] }, null, 4);
    writeFiles(dir, { 'ds.yaml': pod, 'list.yaml': asList, 'list.json': asJson });
    for (const file of ['ds.yaml', 'list.yaml', 'list.json']) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const { log } = await sarifOf(['audit', file], { cwd: dir });
      const at = (check: string): number => log.runs[0].results!.find(r => r.ruleId === check)!.locations![0].physicalLocation!.region!.startLine!;
      expect([file, at('privileged')]).toEqual([file, lineOf(text, '"privileged"') || lineOf(text, 'privileged: true')]);
      expect([file, at('hostNamespaces')]).toEqual([file, lineOf(text, 'hostPID')]);
    }
  });

  test('List items are located at the line where the item starts', async () => {
    const text = fixture('kubectl-pods.json');
    const dir = tmpDir();
    writeFiles(dir, { 'pods.json': text });
    const { log } = await sarifOf(['audit', 'pods.json'], { cwd: dir });
    const lines = text.split('\n');
    const proxy = log.runs[0].results!.filter(r => r.message.text?.includes('kube-proxy'));
    expect(proxy.length).toBeGreaterThan(0);
    for (const r of proxy) {
      const line = r.locations![0].physicalLocation!.region!.startLine!;
      // within the item of kube-proxy (lines 43 to 71 of the fixture)
      expect(line).toBeGreaterThan(42);
      expect(line).toBeLessThan(71);
    }
    const at = (check: string): string => lines[proxy.find(r => r.ruleId === check)!.locations![0].physicalLocation!.region!.startLine! - 1].trim();
    expect(at('hostNamespaces')).toBe('"hostNetwork": true,');
    expect(at('privileged')).toBe('"privileged": true');
  });

  test('URIs are relative, forward slashes, percent-encoded', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'my apps/pod #1.yaml': fixture('baseline-pod.yaml') });
    const { log } = await sarifOf(['audit', path.join(dir, 'my apps')], { cwd: dir });
    expect(log.runs[0].results![0].locations![0].physicalLocation!.artifactLocation!.uri).toBe('my%20apps/pod%20%231.yaml');
  });

  test('stdin results and read errors', async () => {
    // the root named explicitly: the default (the git top-level, else the working folder) depends on where the test runs
    const { code, log } = await sarifOf(['audit', '-', 'missing.yaml', '--sarif-root', path.join(__dirname, '..', '..', '..')], { stdin: fixture('privileged-pod.yaml') });
    expect(code).toBe(2);
    const run = log.runs[0];
    // no --stdin-path: a logical location only (see sarif-github.test.ts)
    expect(run.results![0].locations![0].physicalLocation).toBeUndefined();
    expect(run.results![0].locations![0].logicalLocations![0].fullyQualifiedName).toBe('Pod/kube-system/node-agent');
    expect(run.invocations![0].executionSuccessful).toBe(false);
    const notification = run.invocations![0].toolExecutionNotifications![0];
    expect(notification.level).toBe('error');
    expect(notification.message.text).toBe('missing.yaml: no such file or folder');
    // relative to the repository root
    expect(notification.locations![0].physicalLocation!.artifactLocation!.uri).toBe('test/cli/fixtures/missing.yaml');
  });

  test('malformed objects use the malformed rule', async () => {
    const { log } = await sarifOf(['audit', '-'], { stdin: '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": 3}}' });
    const run = log.runs[0];
    const malformed = run.results!.find(r => r.ruleId === 'malformed');
    expect(malformed).toBeDefined();
    expect(run.tool.driver.rules!.map(r => r.id)).toContain('malformed');
  });

  test('an empty report is valid', async () => {
    const { code, log } = await sarifOf(['audit', 'restricted-pod.yaml']);
    expect(code).toBe(0);
    expect(log.runs[0].results).toEqual([]);
  });
});
