import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import realFs from 'fs'; // the module object itself, for jest.spyOn
import * as path from 'path';
import { CHUNK_BYTES } from '../../../lib/cli/manifest-reader';
import { PodSecurity } from '../../../lib/policy';
import { FIXTURES, cli, cliJson, expectAccounted, fixture, tmpDir, writeFiles } from '../helpers';

const LATEST = PodSecurity.latestVersion();

describe('exit codes', () => {
  test('0 when nothing is denied', async () => {
    const out = await cli(['audit', 'restricted-pod.yaml']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`OK: Pod Security Standards restricted (policy ${LATEST}): 1 object: 1 audited (1 allowed, 0 denied), 0 skipped (no pod template); 0 errors\n`);
    expect(out.stderr).toBe('');
  });

  test('1 when something is denied', async () => {
    expect((await cli(['audit', 'restricted-pod.yaml', 'baseline-pod.yaml'])).code).toBe(1);
  });

  test('2 when an input cannot be parsed; the others are still audited and reported; 2 wins over 1', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'broken.yaml': 'kind: Pod\nspec: [\n', 'pod.yaml': fixture('baseline-pod.yaml') });
    const { code, report } = await cliJson(['audit', 'broken.yaml', 'pod.yaml'], { cwd: dir });
    expect(code).toBe(2);
    expect(report.summary).toMatchObject({ objects: 1, denied: 1, errors: 1 });
    expect(report.errors[0]).toMatchObject({ file: 'broken.yaml', index: 0 });
    expect(report.results[0]).toMatchObject({ file: 'pod.yaml', name: 'legacy', allowed: false });
  });

  test('2 for a missing file', async () => {
    const out = await cli(['audit', 'nope.yaml', 'restricted-pod.yaml']);
    expect(out.code).toBe(2);
    expect(out.stdout).toContain('nope.yaml: error: no such file or folder');
    expect(out.stdout).toContain('1 object: 1 audited (1 allowed');
  });
});

describe('usage errors exit 2 with a clear message', () => {
  test.each([
    [['audit', '--level', 'privileged', 'x.yaml'], /argument 'privileged' is invalid. Allowed choices are restricted, baseline/],
    [['audit', '--format', 'xml', 'x.yaml'], /argument 'xml' is invalid. Allowed choices are text, json, sarif/],
    [['audit', '--version', 'v2.0', 'x.yaml'], /Invalid Pod Security policy version "v2.0"/],
    [['audit', '--version', '1.30', 'x.yaml'], /Invalid Pod Security policy version "1.30"/],
    [['audit', '--max-bytes', 'lots', 'x.yaml'], /--max-bytes.*Expected a number of bytes/],
    [['audit', '--nope', 'x.yaml'], /unknown option '--nope'/],
    [['audit'], /no input: give one or more files or folders, or - to read standard input/],
    [['inspect'], /unknown command 'inspect'/],
  ])('%j', async (argv, message) => {
    const out = await cli(argv);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stdout).toBe('');
  });

  test('no command prints the help to stderr, exit 2', async () => {
    const out = await cli([]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('audit [options] [paths...]');
  });

  test('--help and --version exit 0', async () => {
    const help = await cli(['audit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: cdk8s-rootless audit \[options\] \[paths\.\.\.\]/);
    expect(help.stdout).toContain('--level <level>');
    expect(help.stdout).toContain('Exit codes: 0 nothing denied, 1 something denied or invalid (the API server would reject it), 2 an input could not be read');
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version);
  });
});

describe('inputs', () => {
  test('a folder: recursing into *.yaml, *.yml, *.json in name order, ignoring other files', async () => {
    const dir = tmpDir();
    writeFiles(dir, {
      'b/pod.yml': fixture('restricted-pod.yaml'),
      'a/nested/deep/list.json': fixture('kubectl-pods.json'),
      'c.YAML': fixture('baseline-pod.yaml'),
      'README.md': '# not a manifest: [',
      'values.txt': 'kind: [',
      'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 1.0.0\n',
    });
    const { code, report } = await cliJson(['audit', '.'], { cwd: dir });
    expect(code).toBe(1);
    // chart/Chart.yaml has no kind: not a Kubernetes object, counted apart (not among the objects)
    expect([...new Set(report.results.map((r: any) => r.file))]).toEqual(['a/nested/deep/list.json', 'b/pod.yml', 'c.YAML']);
    expect(report.summary).toMatchObject({ objects: 5, skipped: 0, notKubernetes: 1, errors: 0 });
    expectAccounted(report);
  });

  test('stdin with -', async () => {
    const { code, report } = await cliJson(['audit', '-'], { stdin: fixture('privileged-pod.yaml') });
    expect(code).toBe(1);
    expect(report.results[0]).toMatchObject({ file: '<stdin>', line: 2, kind: 'Pod', namespace: 'kube-system', name: 'node-agent' });
  });

  test('stdin given twice is read once', async () => {
    const { code, report } = await cliJson(['audit', '-', '-'], { stdin: fixture('restricted-pod.yaml') });
    expect(code).toBe(2);
    expect(report.summary.objects).toBe(1);
    expect(report.errors[0].message).toMatch(/more than once/);
  });

  test('the same file twice (or through a symlink) is read once', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'pod.yaml': fixture('restricted-pod.yaml') });
    fs.symlinkSync('pod.yaml', path.join(dir, 'link.yaml'));
    const { report } = await cliJson(['audit', 'pod.yaml', 'pod.yaml', '.'], { cwd: dir });
    expect(report.summary.objects).toBe(1);
  });

  test('a named pipe, as from <(kubectl get pods -A -o json)', async () => {
    const dir = tmpDir();
    const fifo = path.join(dir, 'pods.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // the writer is another process: reading the pipe blocks this one until it writes
    const writer = spawn('/bin/sh', ['-c', `cat "${path.join(FIXTURES, 'kubectl-pods.json')}" > "${fifo}"`]);
    const closed = new Promise(resolve => writer.on('close', resolve)); // before reading: the pipe is read asynchronously
    const { code, report } = await cliJson(['audit', fifo], { cwd: dir });
    await closed;
    expect(code).toBe(1);
    expect(report.summary).toMatchObject({ objects: 3, denied: 2, errors: 0 });
  });

  test('kubectl get pods -A -o json | audit -', async () => {
    const text = fixture('kubectl-pods.json');
    const { code, report } = await cliJson(['audit', '-'], { stdin: text });
    expect(code).toBe(1);
    expect(report.results.map((r: any) => [r.index, r.item, r.namespace, r.name, r.allowed])).toEqual([
      [0, 0, 'kube-system', 'coredns-5d78c9869d-8xk2p', false],
      [0, 1, 'kube-system', 'kube-proxy-7xq9w', false],
      [0, 2, 'shop', 'api-6d4cf56db6-abcde', true],
    ]);
    expectAccounted(report);
    // Text report: each finding at the line where its item starts.
    const out = await cli(['audit', '-'], { stdin: text });
    const lines = text.split('\n');
    const proxy = out.stdout.split('\n').filter(l => l.includes('kube-proxy-7xq9w'));
    expect(proxy.length).toBeGreaterThan(0);
    for (const l of proxy) {
      const line = Number(/^<stdin>:(\d+): doc 0 items\[1\] Pod kube-system\/kube-proxy-7xq9w/.exec(l)![1]);
      expect(lines[line - 1].trim()).toBe('{');
      expect(lines[line + 1]).toContain('"kind": "Pod"');
    }
  });

  test('kubectl get -o yaml (kind: List in YAML)', async () => {
    const { report } = await cliJson(['audit', 'kubectl-list.yaml']);
    expect(report.results.map((r: any) => [r.item, r.kind, r.applicable, r.allowed])).toEqual([
      [0, 'ConfigMap', false, true],
      [1, 'Deployment', true, false],
      [2, 'CronJob', true, true],
    ]);
    const out = await cli(['audit', 'kubectl-list.yaml']);
    expect(out.stdout).toMatch(/^kubectl-list\.yaml:10: doc 0 items\[1\] Deployment shop\/worker, container "worker": runAsNonRoot: /m);
  });

  test('Helm template output: # Source comments and empty documents', async () => {
    const { code, report } = await cliJson(['audit', 'helm-output.yaml']);
    expect(code).toBe(1);
    expect(report.results.map((r: any) => [r.index, r.line, r.kind, r.name, r.allowed])).toEqual([
      [0, 3, 'ServiceAccount', 'shop', true],
      [2, 11, 'Service', 'shop', true],
      [3, 23, 'Deployment', 'shop', true],
      [4, 54, 'DaemonSet', 'shop-logs', false],
      [5, 79, 'Pod', 'shop-test-connection', true],
    ]);
    expect(report.summary).toEqual({
      objects: 5, audited: 3, allowed: 2, denied: 1, skipped: 2, notEvaluable: 0, invalid: 0, notKubernetes: 0, errors: 0, level: 'restricted', version: LATEST,
    });
  });

  test('Windows line endings and a byte order mark give the same report', async () => {
    const dir = tmpDir();
    const text = fixture('helm-output.yaml');
    writeFiles(dir, { 'lf.yaml': text, 'crlf.yaml': '\ufeff' + text.replace(/\n/g, '\r\n'), 'bom.json': '\ufeff' + fixture('kubectl-pods.json').replace(/\n/g, '\r\n') });
    const lf = (await cliJson(['audit', 'lf.yaml'], { cwd: dir })).report;
    const crlf = (await cliJson(['audit', 'crlf.yaml'], { cwd: dir })).report;
    const strip = (r: any): any => r.results.map((x: any) => ({ ...x, file: undefined }));
    expect(strip(crlf)).toEqual(strip(lf));
    expect(crlf.summary).toEqual(lf.summary);
    const json = await cliJson(['audit', 'bom.json'], { cwd: dir });
    expect(json.report.summary).toMatchObject({ objects: 3, denied: 2, errors: 0 });
  });
});

describe('reports', () => {
  test('text: one line per finding with file:line, document, kind, namespace/name, container, check, reason, detail and fix', async () => {
    const out = await cli(['audit', 'privileged-pod.yaml']);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('privileged-pod.yaml:2: doc 0 Pod kube-system/node-agent, pod: hostNamespaces: host namespaces (hostNetwork=true). Fix: '
      + PodSecurity.evaluate(yamlPod('privileged-pod.yaml')).violations.find(v => v.check === 'hostNamespaces')!.fix);
    const privileged = lines.find(l => l.includes(': privileged: '))!;
    expect(privileged).toMatch(/^privileged-pod\.yaml:2: doc 0 Pod kube-system\/node-agent, container "agent": privileged: privileged \(container "agent" must not set securityContext\.privileged=true\)\. Fix: \S/);
    const violations = PodSecurity.evaluate(yamlPod('privileged-pod.yaml')).violations;
    expect(lines).toHaveLength(violations.length + 2);
    expect(lines[lines.length - 2]).toBe('');
    expect(lines[lines.length - 1]).toBe(`DENIED: Pod Security Standards restricted (policy ${LATEST}): 1 object: 1 audited (0 allowed, 1 denied), 0 skipped (no pod template); 0 errors`);
  });

  test('text: errors are listed with file:line before the summary', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'm.yaml': 'kind: A\n---\nkind: [\n' });
    const out = await cli(['audit', 'm.yaml'], { cwd: dir });
    expect(out.stdout).toMatch(/^m\.yaml:4: error: document 1: invalid YAML: .*\n\nERRORS: .*1 object: 0 audited .* 1 skipped .*; 1 error\n$/);
  });

  test('json: the documented shape, every object accounted for', async () => {
    const { report } = await cliJson(['audit', '.']);
    expect(Object.keys(report)).toEqual(['results', 'errors', 'summary']);
    expect(Object.keys(report.summary)).toEqual(['objects', 'audited', 'allowed', 'denied', 'skipped', 'notEvaluable', 'invalid', 'notKubernetes', 'errors', 'level', 'version']);
    expectAccounted(report);
    const pod = report.results.find((r: any) => r.name === 'legacy');
    expect(pod).toEqual({
      file: 'baseline-pod.yaml',
      line: 3,
      index: 0,
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'shop',
      name: 'legacy',
      applicable: true,
      allowed: false,
      level: 'restricted',
      version: LATEST,
      violations: expect.any(Array),
      schema: 'known',
    });
    for (const v of pod.violations) expect(Object.keys(v)).toEqual(expect.arrayContaining(['check', 'level', 'reason', 'detail', 'fix']));
    // List items carry `item` and the line where the item starts
    const item = report.results.find((r: any) => r.file === 'kubectl-pods.json');
    expect(item.item).toBe(0);
    expect(item.line).toBe(4);
    expect(fixture('kubectl-pods.json').split('\n')[3].trim()).toBe('{');
  });

  test('json: errors with file, line, index and message; also echoed on stderr', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'm.yaml': 'kind: A\n---\nkind: [\n' });
    const { report, stderr } = await cliJson(['audit', 'm.yaml'], { cwd: dir });
    expect(report.errors).toEqual([{ file: 'm.yaml', line: 4, index: 1, message: expect.stringMatching(/^document 1: invalid YAML: /) }]);
    expect(stderr).toMatch(/^error: m\.yaml:4: document 1: invalid YAML: /);
  });
});

describe('summary accounting', () => {
  test('objects = audited + skipped; audited = allowed + denied; errors hold no object', async () => {
    const dir = tmpDir();
    writeFiles(dir, {
      'a.yaml': [
        '# comments only, not a document',
        '---', // empty: not an object
        '---',
        fixture('restricted-pod.yaml'),
        '---',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}',
        '---',
        'kind: [', // parse error
        '---',
        'just a scalar', // not an object: an error
        '---',
        'apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n- 7\n' + indent(fixture('baseline-pod.yaml')),
      ].join('\n'),
      'b.json': '{"kind": "Pod", "spec": "not an object"}',
    });
    const { code, report } = await cliJson(['audit', '.'], { cwd: dir });
    expect(code).toBe(2);
    expectAccounted(report);
    expect(report.summary).toMatchObject({ objects: 5, audited: 3, allowed: 1, denied: 2, skipped: 2, errors: 3 });
    const malformed = report.results.find((r: any) => r.file === 'b.json');
    expect(malformed).toMatchObject({ applicable: true, allowed: false, malformed: expect.any(String) });
  });
});

describe('--level and --version', () => {
  test('baseline allows what restricted denies', async () => {
    const restricted = await cliJson(['audit', 'baseline-pod.yaml']);
    expect(restricted.code).toBe(1);
    const baseline = await cliJson(['audit', 'baseline-pod.yaml', '--level', 'baseline']);
    expect(baseline.code).toBe(0);
    expect(baseline.report.summary).toMatchObject({ allowed: 1, denied: 0, level: 'baseline' });
    expect((await cli(['audit', 'privileged-pod.yaml', '-l', 'baseline'])).code).toBe(1);
  });

  test('a pinned version applies the checks of that version', async () => {
    const v21 = await cliJson(['audit', 'capabilities-pod.yaml', '--version', 'v1.21']);
    expect(v21.code).toBe(0);
    expect(v21.report.summary.version).toBe('v1.21');
    expect(v21.report.results[0].version).toBe('v1.21');
    const v22 = await cliJson(['audit', 'capabilities-pod.yaml', '--version', 'v1.22']);
    expect(v22.code).toBe(1);
    expect(v22.report.results[0].violations.map((v: any) => v.check)).toEqual(['capabilities_restricted']);
    const latest = await cliJson(['audit', 'capabilities-pod.yaml']);
    expect(latest.report.summary.version).toBe(LATEST);
  });
});

describe('hostile input: a clear error for that input, nothing else lost, exit 2', () => {
  const good = fixture('restricted-pod.yaml');

  async function auditWith(files: Record<string, string | Buffer>, argv: string[] = ['.']): Promise<any> {
    const dir = tmpDir();
    writeFiles(dir, { 'good.yaml': good, ...files });
    const { code, report } = await cliJson(['audit', ...argv], { cwd: dir });
    expect(code).toBe(2);
    expect(report.results.map((r: any) => r.file)).toContain('good.yaml');
    expectAccounted(report);
    return report;
  }

  test('YAML alias bomb', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const start = Date.now();
    const report = await auditWith({ 'bomb.yaml': levels.join('\n') + '\n' });
    expect(Date.now() - start).toBeLessThan(5000);
    expect(report.errors).toEqual([expect.objectContaining({ file: 'bomb.yaml', message: expect.stringMatching(/alias bomb/) })]);
  });

  test('binary file', async () => {
    const report = await auditWith({ 'image.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]) });
    expect(report.errors).toEqual([{ file: 'image.yaml', message: 'binary file (it contains NUL bytes): not a YAML or JSON manifest' }]);
  });

  test('UTF-16 file', async () => {
    const report = await auditWith({ 'utf16.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('kind: Pod\n', 'utf16le')]) });
    expect(report.errors[0].message).toMatch(/UTF-16/);
  });

  test('a document over --max-bytes (it limits one document or List item, not the file)', async () => {
    const report = await auditWith({ 'huge.yaml': 'kind: ConfigMap\ndata:\n  x: "' + 'x'.repeat(4096) + '"\n---\n' + good }, ['.', '--max-bytes', '2Ki']);
    expect(report.errors).toEqual([{ file: 'huge.yaml', line: 1, index: 0, message: 'document 0 (line 1) is more than the limit of 2048 bytes (--max-bytes); skipped' }]);
    // the document after it is read
    expect(report.results.filter((r: any) => r.file === 'huge.yaml').map((r: any) => [r.index, r.line])).toEqual([[1, 6]]);
  });

  test('stdin over --max-bytes', async () => {
    const { code, report } = await cliJson(['audit', '-', 'restricted-pod.yaml', '--max-bytes', '1Ki'], { stdin: 'x'.repeat(5000) });
    expect(code).toBe(2);
    expect(report.errors[0]).toMatchObject({ file: '<stdin>', message: expect.stringMatching(/more than the limit of 1024 bytes/) });
    expect(report.summary.objects).toBe(1);
  });

  test('deep nesting', async () => {
    const report = await auditWith({ 'deep.yaml': 'x: ' + '['.repeat(50_000) + ']'.repeat(50_000) + '\n' });
    expect(report.errors[0]).toMatchObject({ file: 'deep.yaml', line: 1, message: expect.stringMatching(/nesting exceeded maxDepth/) });
  });

  test('deeply nested JSON is read (V8 parses it without recursion) and judged', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'deep.json': '{"kind": "ConfigMap", "data": ' + '['.repeat(100_000) + ']'.repeat(100_000) + '}' });
    const { code, report } = await cliJson(['audit', 'deep.json'], { cwd: dir });
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ objects: 1, skipped: 1 });
  });

  // As root, chmod 000 does not stop reads, so this test cannot observe EACCES there.
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  (asRoot ? test.skip : test)('unreadable file (EACCES; skipped when running as root)', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'good.yaml': good, 'secret.yaml': good });
    fs.chmodSync(path.join(dir, 'secret.yaml'), 0o000);
    const { code, report } = await cliJson(['audit', '.'], { cwd: dir });
    expect(code).toBe(2);
    expect(report.errors).toEqual([{ file: 'secret.yaml', message: 'permission denied (EACCES)' }]);
  });

  // A file of at most one chunk is read with readFileSync, a larger one streamed (manifest-reader.ts): both paths.
  test.each([
    ['of one chunk, read whole', 'readFileSync' as const, ''],
    ['larger than a chunk, streamed', 'createReadStream' as const, `# ${'x'.repeat(CHUNK_BYTES)}\n`],
  ])('unreadable file %s, simulated (EACCES from the file system; runs as root too)', async (_what, reader, padding) => {
    const dir = tmpDir();
    writeFiles(dir, { 'good.yaml': good, 'secret.yaml': padding + good });
    const denied = (file: unknown): boolean => String(file).endsWith('secret.yaml');
    const eacces = (): Error => Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' });
    const createReadStream = realFs.createReadStream;
    const readFileSync = realFs.readFileSync;
    const calls: string[] = [];
    const streamSpy = jest.spyOn(realFs, 'createReadStream').mockImplementation(((file: fs.PathLike, options?: any) => {
      if (denied(file)) calls.push('createReadStream');
      const stream = createReadStream(denied(file) ? '/nonexistent/secret.yaml' : file, options);
      if (denied(file)) stream.destroy(eacces());
      return stream;
    }) as typeof fs.createReadStream);
    const readSpy = jest.spyOn(realFs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, options?: any) => {
      if (denied(file)) {
        calls.push('readFileSync');
        throw eacces();
      }
      return readFileSync(file, options);
    }) as typeof fs.readFileSync);
    try {
      const { code, report } = await cliJson(['audit', '.'], { cwd: dir });
      expect(calls).toEqual([reader]);
      expect(code).toBe(2);
      expect(report.summary.objects).toBe(1);
      expect(report.errors).toEqual([{ file: 'secret.yaml', message: 'permission denied (EACCES)' }]);
    } finally {
      streamSpy.mockRestore();
      readSpy.mockRestore();
    }
  });

  test('symlink loop while recursing', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'good.yaml': good, 'sub/pod.yaml': good.replace('name: web', 'name: web2') });
    fs.symlinkSync('..', path.join(dir, 'sub', 'loop'));
    fs.symlinkSync('self', path.join(dir, 'self'));
    const { code, report } = await cliJson(['audit', '.'], { cwd: dir });
    expect(code).toBe(2);
    expect(report.summary.objects).toBe(2);
    expect(report.errors).toEqual([
      { file: 'self', message: 'symlink loop (ELOOP): the link resolves to itself' },
      { file: path.join('sub', 'loop'), message: expect.stringMatching(/^symlink loop: .* leads back to .*, a folder being read; skipped$/) },
    ]);
  });

  test('dangling symlink while recursing, and given directly', async () => {
    const dir = tmpDir();
    writeFiles(dir, { 'good.yaml': good });
    fs.symlinkSync('gone.yaml', path.join(dir, 'dangling.yaml'));
    const { code, report } = await cliJson(['audit', '.', 'dangling.yaml'], { cwd: dir });
    expect(code).toBe(2);
    expect(report.summary.objects).toBe(1);
    expect(report.errors).toEqual([
      { file: 'dangling.yaml', message: 'dangling symlink: its target does not exist' },
      { file: 'dangling.yaml', message: 'dangling symlink: its target does not exist' },
    ]);
  });

  test('a file path through a file (ENOTDIR)', async () => {
    const report = await auditWith({}, ['.', 'good.yaml/child.yaml']);
    expect(report.errors[0]).toMatchObject({ file: 'good.yaml/child.yaml', message: expect.stringMatching(/ENOTDIR/) });
  });
});

/** The first document of a fixture, parsed as the CLI parses it. */
function yamlPod(name: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('js-yaml');
  return yaml.load(fs.readFileSync(path.join(FIXTURES, name), 'utf8'), { schema: yaml.YAML11_SCHEMA });
}

function indent(text: string): string {
  return text.split('\n').filter(l => !l.startsWith('#') && l !== '').map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)).join('\n') + '\n';
}
