/**
 * The line runs (test/lines/jest.config.js) select their test files by a rule (test/lines/line-tests.js): this checks the
 * list against the rule, so a new test that synthesizes the line-bound constructs is not left out of the line runs, and
 * that the configuration refuses a line that packages/lines/lines.json does not have.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LINE_TESTS } = require('./line-tests') as { LINE_TESTS: string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const LINES = require('../../packages/lines/lines.json') as { source: number; lines: { line: number }[] };
const ALWAYS = /^test\/(constructs|examples|lines)\//;
const NEVER = /^test\/(lint|release)\//;
const SOURCE_NAME = new RegExp(`^cdk8s(-rootless)?-plus-${LINES.source}$`);
const SPEC = /(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory()
    ? (e.name === 'node_modules' || e.name.startsWith('__') ? [] : walk(path.join(dir, e.name)))
    : [path.join(dir, e.name)]);
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [base + '.ts', base, path.join(base, 'index.ts')].find(c => c.endsWith('.ts') && fs.existsSync(c) && fs.statSync(c).isFile());
}

/** Whether a file loads the source line: its name, lib/constructs/plus/, or a test helper or example that does. */
function loadsSourceLine(file: string, memo = new Map<string, boolean>()): boolean {
  if (memo.has(file)) return memo.get(file)!;
  memo.set(file, false); // a cycle adds nothing
  const specs = [...fs.readFileSync(file, 'utf8').matchAll(SPEC)].map(m => m[1]);
  const result = specs.some(spec => {
    if (SOURCE_NAME.test(spec)) return true;
    if (!spec.startsWith('.')) return false;
    const target = resolveLocal(file, spec);
    if (!target) return false;
    const rel = path.relative(ROOT, target);
    if (rel.startsWith(path.join('lib', 'constructs', 'plus') + path.sep)) return true;
    return !rel.startsWith('lib' + path.sep) && loadsSourceLine(target, memo); // the core never loads a line (lint: layers)
  });
  memo.set(file, result);
  return result;
}

test('LINE_TESTS is every test file outside the always-run folders that loads the source line (test/lint and test/release excepted)', () => {
  const tests = walk(path.join(ROOT, 'test')).filter(f => f.endsWith('.test.ts')).map(f => path.relative(ROOT, f).split(path.sep).join('/'));
  const ruled = tests.filter(f => !ALWAYS.test(f) && !NEVER.test(f) && loadsSourceLine(path.join(ROOT, f))).sort();
  expect([...LINE_TESTS].sort()).toEqual(ruled);
  // the rule finds what it should: a test that synthesizes HardenedPod through lib/constructs/plus, and one via a helper
  expect(ruled).toEqual(expect.arrayContaining(['test/hardening/defaults.test.ts', 'test/redteam/mutation.test.ts']));
  expect(ruled).not.toContain('test/hardening/startable-app-plus-32.test.ts'); // pinned to cdk8s-plus-32 by name
});

test('the line-run configuration refuses a line that packages/lines/lines.json does not have, naming the valid lines', () => {
  const load = (env: Record<string, string | undefined>) => execFileSync(process.execPath, ['-e', 'require("./test/lines/jest.config.js")'],
    { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });
  const valid = LINES.lines.map(l => l.line).join(', ');
  for (const bad of ['31', '', 'plus-32']) {
    expect(() => load({ CDK8S_PLUS_LINE: bad })).toThrow(new RegExp(`CDK8S_PLUS_LINE is "${bad}"; set it to one of the lines of packages/lines/lines.json: ${valid}`));
  }
  const env = { ...process.env };
  delete env.CDK8S_PLUS_LINE;
  expect(() => execFileSync(process.execPath, ['-e', 'require("./test/lines/jest.config.js")'], { cwd: ROOT, env, stdio: 'pipe' }))
    .toThrow(/CDK8S_PLUS_LINE is not set/);
  for (const { line } of LINES.lines) expect(() => load({ CDK8S_PLUS_LINE: String(line) })).not.toThrow();
});
