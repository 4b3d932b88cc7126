import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { run } from '../../lib/cli/program';

export const FIXTURES = path.join(__dirname, 'fixtures');

export interface CliOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output; `stdin` is what `-` reads. */
export async function cli(argv: string[], options: { stdin?: string | Buffer; cwd?: string } = {}): Promise<CliOutput> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout: { write: (s: string) => { stdout += s; return true; } },
    stderr: { write: (s: string) => { stderr += s; return true; } },
    cwd: options.cwd ?? FIXTURES,
  });
  return { code, stdout, stderr };
}

/** Runs the CLI with `--format json` and parses the report. */
export async function cliJson(
  argv: string[],
  options: { stdin?: string | Buffer; cwd?: string } = {},
): Promise<{ code: number; report: any; stderr: string }> {
  const out = await cli([...argv, '--format', 'json'], options);
  let report: any;
  try {
    report = JSON.parse(out.stdout);
  } catch (e) {
    throw new Error(`not JSON (exit ${out.code}): ${out.stdout}\n${out.stderr}`);
  }
  return { code: out.code, report, stderr: out.stderr };
}

/** A fresh temporary folder, removed after the test file. */
export function tmpDir(prefix = 'cdk8s-rootless-cli-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

const created: string[] = [];
afterAll(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes files (path → content) under `dir`, creating folders. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** The summary invariants every report must satisfy. */
export function expectAccounted(report: any): void {
  const s = report.summary;
  expect(s.objects).toBe(s.audited + s.skipped);
  expect(s.audited).toBe(s.allowed + s.denied);
  expect(s.objects).toBe(report.results.length);
  expect(s.errors).toBe(report.errors.length);
  expect(report.results.filter((r: any) => !r.applicable).length).toBe(s.skipped);
  expect(report.results.filter((r: any) => r.applicable && r.allowed).length).toBe(s.allowed);
  expect(report.results.filter((r: any) => r.applicable && !r.allowed).length).toBe(s.denied);
}
