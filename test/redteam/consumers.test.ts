/**
 * Red team (FINDINGS.md, "Consumers disagree"): the same manifest through the admission policy, the
 * one judgement, the cdk8s validation plugin and `audit`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { asRoot, cel, js, pod } from './admission';
import { run } from '../../lib/cli/program';
import { writeAnnotation } from '../../lib/exemptions/codec';
import { ExemptionKind } from '../../lib/exemptions/exemption-kind';
import { RootlessValidation } from '../../lib/plugin';

const R = 'the daemon needs it during its start';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redteam-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(manifest: any): string {
  const f = path.join(dir, `m${n++}.json`);
  fs.writeFileSync(f, JSON.stringify(manifest));
  return f;
}

/** The plugin's status on one manifest (a fake cdk8s-cli context, as test/plugin does). */
async function plugin(manifest: any): Promise<'success' | 'failure'> {
  let status: any;
  await new RootlessValidation().validate({
    manifests: [file(manifest)],
    report: { addViolation: () => undefined, submit: (s: any) => { status = s; } },
  });
  return status;
}

async function audit(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await run(['audit', ...args], {
    stdin: Readable.from([]),
    stdout: { write: (s: string) => { out += s; return true; } },
    stderr: { write: (s: string) => { out += s; return true; } },
    cwd: dir,
  });
  return { code, out };
}

describe('findings', () => {
  test.each([
    ['F10a a writable root filesystem', (spec: any) => { spec.containers[0].securityContext.readOnlyRootFilesystem = false; }],
    ['F10b automountServiceAccountToken: true', (spec: any) => { spec.automountServiceAccountToken = true; }],
  ])('%s without an exemption: the policy denies it, the plugin lets `cdk8s synth` pass', async (_name, mutate) => {
    const m = pod(mutate);
    expect(js(m)).not.toEqual([]);
    expect(cel(m).failed).not.toEqual([]);
    expect(await plugin(m)).toBe('failure');
  });
});

describe('held', () => {
  test('held (F11 before main 4df9ae5): `audit --exemptions honor` (issue 11, item 8) accepts violations that valid exemptions cover', async () => {
    const m = pod(spec => asRoot(spec.containers[0]), writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: R }]));
    expect(cel(m)).toEqual({ failed: [], errors: [] });
    const r = await audit([file(m), '--exemptions', 'honor']);
    expect(r).toEqual({ code: 0, out: expect.stringContaining(R) });
  });
  test('scope: the plugin refuses a root app container under an exemption for the init container', async () => {
    const m = pod(spec => { asRoot(spec.initContainers[0]); asRoot(spec.containers[0]); },
      writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'init', reason: R }]));
    expect(cel(m).failed).toEqual(['runAsNonRoot', 'runAsUser']);
    expect(await plugin(m)).toBe('failure');
  });

  test('a placeholder reason: the plugin and audit report it, the policy honours nothing', async () => {
    const m = pod(spec => asRoot(spec.containers[0]),
      writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: 'TODO: explain why the container runs as root' }]));
    expect(cel(m).failed).toEqual(['runAsNonRoot', 'runAsUser']);
    expect(await plugin(m)).toBe('failure');
    const r = await audit([file(m)]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/placeholder/);
  });

  test('a valid, covering exemption: the policy and the plugin accept the pod', async () => {
    const m = pod(spec => asRoot(spec.containers[0]), writeAnnotation([{ kind: ExemptionKind.RUN_AS_ROOT, container: 'app', reason: R }]));
    expect(cel(m)).toEqual({ failed: [], errors: [] });
    expect(await plugin(m)).toBe('success');
  });

  test('a YAML pod template with the exemptions annotation twice: audit judges the value kubectl sends (the last) and warns; --strict fails', async () => {
    // kubectl (sigs.k8s.io/yaml, go-yaml v2) keeps the last of duplicate keys: `kubectl label --local -f` sends '[]' here
    const f = path.join(dir, 'dup.yaml');
    fs.writeFileSync(f, [
      'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', '  annotations:',
      `    rootless.cdk8s.io/exemptions: '[{"id":"runAsRoot","container":"app","reason":"${R}"}]'`,
      "    rootless.cdk8s.io/exemptions: '[]'",
      'spec:', '  containers:', '  - name: app', '    image: app', '    securityContext: {runAsUser: 0}',
    ].join('\n'));
    const honored = await audit([f, '--exemptions', 'honor']);
    // the first (covering) entry is not what kubectl sends: runAsUser 0 is not covered
    expect(honored.code).toBe(1);
    expect(honored.out).toMatch(/runAsUser/);
    expect(honored.out).toMatch(/ambiguous YAML: the key rootless\.cdk8s\.io\/exemptions appears twice/);
    expect((await audit([f, '--strict'])).code).toBe(1);
  });
});
