/**
 * The README's TypeScript snippets cannot rot: every fenced `ts` block is type-checked (strict, as
 * the package's own sources) and run, and what it synthesizes is checked like the examples.
 *
 * - A block that starts with `// <file>.ts` is that file of one small project (the Install section's
 *   `main.ts` and its jest test `main.test.ts`, which imports `./main`).
 * - A block without imports is a fragment: it gets the imports it uses (cdk8s, cdk8s-plus as
 *   `kplus`, and the names it uses from 'cdk8s-rootless') and a `chart`, which is synthesized.
 * - 'cdk8s-rootless' is the library's sources (tsconfig `paths` here, jest's moduleNameMapper at
 *   run time), as `npm run examples` runs the examples against the package's self-reference.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import * as ts from 'typescript';
import * as library from '../../lib';
import { PodSecurity, RootlessAnnotations } from '../../lib';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Snippet {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly file: string;
  readonly code: string;
  readonly fragment: boolean;
}

function snippets(): Snippet[] {
  const out: Snippet[] = [];
  const lines = README.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) body.push(lines[i]);
    const code = body.join('\n');
    const named = /^\/\/ ([\w.-]+\.ts)$/.exec(body[0] ?? '');
    out.push({ line: start + 1, file: named ? named[1] : `snippet-${start + 1}.ts`, code, fragment: !/^import /m.test(code) });
  }
  return out;
}

/** The fragment's imports (only what it uses: noUnusedLocals) and its chart. */
function wrap(s: Snippet): string {
  if (!s.fragment) return s.code;
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(s.code);
  const rootless = Object.keys(library).filter(uses);
  const cdk8s = ['Cron', 'Duration', 'Size'].filter(uses);
  return [
    `import { Chart, Testing${cdk8s.map(n => `, ${n}`).join('')} } from 'cdk8s';`,
    uses('kplus') ? 'import * as kplus from \'cdk8s-plus-27\';' : '',
    rootless.length ? `import { ${rootless.join(', ')} } from 'cdk8s-rootless';` : '',
    'export const chart = new Chart(Testing.app(), \'readme\');',
    s.code,
  ].join('\n');
}

const all = snippets();
const dir = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-rootless-readme', String(process.pid));
const fileOf = (s: Snippet) => path.join(dir, s.fragment || !/^\/\/ /.test(s.code) ? path.basename(s.file, '.ts') : 'project', s.file);

beforeAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const s of all) {
    fs.mkdirSync(path.dirname(fileOf(s)), { recursive: true });
    fs.writeFileSync(fileOf(s), wrap(s));
  }
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the README has the snippets a new user copies: Install (main.ts and its jest test), exemptions, workloads, the namespace', () => {
  expect(all.length).toBeGreaterThanOrEqual(8);
  expect(all.map(s => s.file)).toEqual(expect.arrayContaining(['main.ts', 'main.test.ts']));
  // the Install section comes first, before the contributor Quickstart
  expect(README.indexOf('## Install')).toBeLessThan(README.indexOf('## Quickstart'));
  expect(README).toContain('npm install cdk8s-rootless cdk8s cdk8s-plus-27 constructs');
  // every snippet imports the package by name, never a path into this repository
  for (const s of all) expect(s.code.replace('from \'./main\'', '')).not.toMatch(/from '\.\.?\//);
});

test('every ts snippet type-checks (strict)', () => {
  const base = ts.parseJsonConfigFileContent(JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')), ts.sys, ROOT).options;
  const program = ts.createProgram(all.map(fileOf), {
    ...base,
    noEmit: true,
    rootDir: undefined,
    outDir: undefined,
    declaration: false,
    types: ['jest', 'node'],
    paths: { 'cdk8s-rootless': [path.join(ROOT, 'lib', 'index.ts')] },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter(d => d.file === undefined || d.file.fileName.startsWith(dir));
  const message = diagnostics.map(d => {
    const where = d.file ? `${path.relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  }).join('\n');
  expect(message).toBe('');
}, 180_000);

/** Runs a snippet as CommonJS: './main' is the project's main.ts, everything else jest's require (cdk8s-rootless mapped to lib/). */
function run(s: Snippet, modules: Map<string, any>, globals: Record<string, unknown> = {}): any {
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  const js = ts.transpileModule(wrap(s), { compilerOptions }).outputText;
  const module = { exports: {} as any };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (id: string) => (modules.has(id) ? modules.get(id) : require(id));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', ...Object.keys(globals), js)(load, module, module.exports, ...Object.values(globals));
  return module.exports;
}

/** Each pod-bearing object (a CronJob's template included) carries the level the policy engine computes. */
function expectHonest(manifests: any[]): number {
  let pods = 0;
  for (const m of manifests) {
    const template = podTemplateOf(m);
    if (!template?.spec?.containers) continue;
    pods++;
    expect(template.metadata.annotations[RootlessAnnotations.PSS_LEVEL]).toBe(PodSecurity.strictestLevel(m));
  }
  return pods;
}

describe.each(all.filter(s => s.file !== 'main.test.ts').map(s => [`${s.file} (README line ${s.line})`, s] as const))('%s', (_, s) => {
  test('runs and synthesizes', () => {
    const out = fs.mkdtempSync(path.join(dir, 'out-'));
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = out; // App() without an outdir writes here
    const logged = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const exports = run(s, new Map());
      if (s.fragment) {
        expect(expectHonest(Testing.synth(exports.chart))).toBeGreaterThan(0);
      } else if (/\bapp\.synth\(\)/.test(s.code)) {
        const files = fs.readdirSync(out).filter(f => f.endsWith('.k8s.yaml'));
        expect(files.length).toBeGreaterThan(0);
        const manifests = files.flatMap(f => yaml.loadAll(fs.readFileSync(path.join(out, f), 'utf8')));
        expect(expectHonest(manifests)).toBeGreaterThan(0);
      } else {
        expect(logged).toHaveBeenCalled(); // the policy engine snippet prints its result
      }
    } finally {
      logged.mockRestore();
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = before;
    }
  });
});

test('main.test.ts, the jest test of the Install section, passes against main.ts', () => {
  const main = all.find(s => s.file === 'main.ts')!;
  const spec = all.find(s => s.file === 'main.test.ts')!;
  const out = fs.mkdtempSync(path.join(dir, 'out-'));
  process.env.CDK8S_OUTDIR = out;
  try {
    const tests: [string, () => void][] = [];
    run(spec, new Map([['./main', run(main, new Map())]]), { test: (name: string, fn: () => void) => tests.push([name, fn]) });
    expect(tests.map(([name]) => name)).toEqual(['web runs rootless and meets Pod Security "restricted"']);
    tests[0][1]();
  } finally {
    delete process.env.CDK8S_OUTDIR;
  }
});

test('the README says what a new user would otherwise find in production', () => {
  const section = (heading: string) => {
    const start = README.indexOf(heading);
    expect(start).toBeGreaterThanOrEqual(0);
    return README.slice(start, README.indexOf('\n## ', start + heading.length));
  };
  // next to the namespace example: where the StatefulSet's exemptions come from, and the one-line fix
  const namespace = section('### `RestrictedNamespace`');
  expect(namespace).toContain('volumePermissions: VolumePermissions.FS_GROUP_ONLY');
  expect(namespace).toContain('the construct itself declares');
  expect(namespace).toMatch(/applies `fsGroup`: most block storage[\s\S]*not NFS or hostPath/);
  const tradeOffs = section('## Trade-offs');
  expect(tradeOffs).toMatch(/rolls out new pods/);
  expect(tradeOffs).toMatch(/bare Pod's annotations are updated in\s+place/);
  expect(tradeOffs).toMatch(/Job's pod template is immutable[\s\S]*recreated/);
  expect(tradeOffs).toMatch(/evicts the whole pod; writes do not fail with ENOSPC/);
  expect(tradeOffs).toContain('Sidecars do not share it');
  expect(tradeOffs).toContain('medium: EmptyDirMedium.MEMORY');
});
