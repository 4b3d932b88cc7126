/**
 * The README's TypeScript snippets cannot rot: every fenced `ts` block is type-checked (strict, as
 * the package's own sources) and run, and what it synthesizes is checked like the examples.
 *
 * - A block that starts with `// <file>.ts` is that file of one small project (Getting started's
 *   `main.ts` and its jest test `main.test.ts`, which imports `./main`).
 * - A block without imports is a fragment: it gets the imports it uses (cdk8s, cdk8s-plus as
 *   `kplus`, the names it uses from the core 'cdk8s-rootless' and from the line package
 *   'cdk8s-rootless-plus-27') and a `chart`, which is synthesized.
 * - A block that imports `./<name>` with `examples/<name>.ts` existing imports that example, copied next
 *   to it as the README tells users to copy it.
 * - 'cdk8s-rootless' is the library's sources (tsconfig `paths` here, jest's moduleNameMapper at
 *   run time), as `npm run examples` runs the examples against the package's self-reference; the line
 *   package 'cdk8s-rootless-plus-27' (packages/lines/lines.json `source`) is lib/constructs/plus/ the same way
 *   (the line packages are that folder built per line: docs/lines.md).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import * as ts from 'typescript';
import * as library from '../../lib';
import { PodSecurity, RootlessAnnotations } from '../../lib';
import * as linePackage from '../../lib/constructs/plus';
import { podTemplateOf } from '../../lib/policy/k8s-shapes';

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** The line the README's snippets (and the examples) are written for, and its construct package. */
const LINE: number = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', 'lines', 'lines.json'), 'utf8')).source;
const CORE = 'cdk8s-rootless';
const LINE_PACKAGE = `cdk8s-rootless-plus-${LINE}`;

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
  const line = Object.keys(linePackage).filter(uses);
  const cdk8s = ['Cron', 'Duration', 'Size'].filter(uses);
  return [
    `import { Chart, Testing${cdk8s.map(n => `, ${n}`).join('')} } from 'cdk8s';`,
    uses('kplus') ? `import * as kplus from 'cdk8s-plus-${LINE}';` : '',
    rootless.length ? `import { ${rootless.join(', ')} } from '${CORE}';` : '',
    line.length ? `import { ${line.join(', ')} } from '${LINE_PACKAGE}';` : '',
    'export const chart = new Chart(Testing.app(), \'readme\');',
    s.code,
  ].join('\n');
}

/**
 * The examples a snippet imports as a user who copied them next to main.ts would (`./webapp` is
 * `examples/webapp.ts`): name → path of the example.
 */
function copiedExamples(s: Snippet): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of s.code.matchAll(/from '\.\/([\w-]+)'/g)) {
    const example = path.join(ROOT, 'examples', `${m[1]}.ts`);
    if (m[1] !== 'main' && fs.existsSync(example)) out.set(`./${m[1]}`, example);
  }
  return out;
}

const all = snippets();
const dir = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-rootless-readme', String(process.pid));
const fileOf = (s: Snippet) => path.join(dir, s.fragment || !/^\/\/ /.test(s.code) ? path.basename(s.file, '.ts') : 'project', s.file);

beforeAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const s of all) {
    fs.mkdirSync(path.dirname(fileOf(s)), { recursive: true });
    fs.writeFileSync(fileOf(s), wrap(s));
    // an example the snippet imports, copied next to it exactly as it is in examples/
    for (const [id, example] of copiedExamples(s)) fs.copyFileSync(example, path.join(path.dirname(fileOf(s)), `${id.slice(2)}.ts`));
  }
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the README has the snippets a new user copies: Getting started (main.ts and its jest test), exemptions, workloads, the namespace', () => {
  expect(all.length).toBeGreaterThanOrEqual(8);
  expect(all.map(s => s.file)).toEqual(expect.arrayContaining(['main.ts', 'main.test.ts']));
  // the Install section comes first, before the contributor Quickstart
  expect(README.indexOf('## Install')).toBeLessThan(README.indexOf('## Quickstart'));
  expect(README).toMatch(/^npm install cdk8s-rootless cdk8s-rootless-plus-(\d+) cdk8s-plus-\1 cdk8s constructs$/m);
  // every snippet imports the package by name, never a path into this repository (only ./main, or an
  // example the snippet says to copy next to main.ts)
  for (const s of all) {
    let code = s.code.replace('from \'./main\'', '');
    for (const id of copiedExamples(s).keys()) code = code.replace(`from '${id}'`, '');
    expect([s.file, code]).toEqual([s.file, expect.not.stringMatching(/from '\.\.?\//)]);
    // of this library, only the two package names: never a deep import, never another line's package (not run here)
    const ours = [...wrap(s).matchAll(/from '(cdk8s-rootless[^']*)'/g)].map(m => m[1]);
    expect([s.file, ours.filter(n => n !== CORE && n !== LINE_PACKAGE)]).toEqual([s.file, []]);
    expect([s.file, [...wrap(s).matchAll(/from 'cdk8s-plus-(\d+)'/g)].map(m => Number(m[1])).filter(n => n !== LINE)]).toEqual([s.file, []]);
  }
  // the workloads come from the line package, the rest from the core: both names are used
  expect(all.some(s => wrap(s).includes(`from '${LINE_PACKAGE}'`))).toBe(true);
  expect(all.some(s => wrap(s).includes(`from '${CORE}'`))).toBe(true);
});

test('the README says which package to install for which cdk8s-plus line, what works with any line, how to move, and the rule', () => {
  const start = README.indexOf('### Which package for which cdk8s-plus line');
  expect(start).toBeGreaterThan(README.indexOf('## Install'));
  const section = README.slice(start, README.indexOf('\n### ', start + 5));
  const lines: number[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', 'lines', 'lines.json'), 'utf8')).lines.map((l: { line: number }) => l.line);
  // a row per line of packages/lines/lines.json, and no row for a line it does not list
  for (const n of lines) {
    expect(section).toContain(`| \`cdk8s-plus-${n}\` | \`cdk8s-rootless-plus-${n}\` | \`npm install cdk8s-rootless cdk8s-rootless-plus-${n} cdk8s-plus-${n} cdk8s constructs\` |`);
  }
  expect([...section.matchAll(/^\| `cdk8s-plus-(\d+)` \|/gm)].map(m => Number(m[1]))).toEqual(lines);
  // the core's constructs, named as the core exports them, work with any line; the workloads are the line package's
  for (const name of ['RootlessHardening', 'RestrictedNamespace', 'RootlessAdmissionPolicy', 'RootlessAlertRules']) {
    expect([name, section.includes(`\`${name}`), name in library, name in linePackage]).toEqual([name, true, true, false]);
  }
  for (const name of ['HardenedPod', 'RootlessDeployment', 'RootlessStatefulSet', 'RootlessJob', 'RootlessCronJob', 'RootlessDaemonSet']) {
    expect([name, section.includes(`\`${name}\``), name in library, name in linePackage]).toEqual([name, true, false, true]);
  }
  expect(section).toMatch(/Moving from one line to the next[\s\S]*npm uninstall cdk8s-rootless-plus-28 cdk8s-plus-28[\s\S]*snapshot tests/);
  expect(section).toContain('`shareProcessNamespace: false`');
  expect(section).toContain('`revisionHistoryLimit: 10`');
  expect(section).toMatch(/dropped when\s+upstream no longer maintains it \*\*and\*\* its share/);
  expect(section).toContain('release notes');
  expect(section).toContain('Namespaces.select(');
});

test('the README starts with Getting started: cdk8s init, the library, a first RootlessDeployment, synthesis, a test, audit in CI', () => {
  const headings = [...README.matchAll(/^## (.+)$/gm)].map(m => m[1]);
  expect(headings.slice(0, 3)).toEqual(['Getting started', 'Install', 'Quickstart for contributors']);
  const start = README.indexOf('## Getting started');
  const gettingStarted = README.slice(start, README.indexOf('\n## ', start + 5));
  const steps = ['cdk8s init typescript-app', `npm install cdk8s-rootless ${LINE_PACKAGE} cdk8s-plus-${LINE}`, '// main.ts', 'new RootlessDeployment(', 'npx cdk8s synth',
    '// main.test.ts', 'npx cdk8s-rootless audit dist/'];
  const at = steps.map(step => gettingStarted.indexOf(step));
  expect(steps.filter((_, i) => at[i] < 0)).toEqual([]);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
  // the examples the README tells users to copy: every linked example exists, and the copy snippet imports a real one
  for (const m of README.matchAll(/\(https:\/\/github\.com\/cdk8s-rootless\/cdk8s-rootless\/blob\/main\/([^)#]+)\)/g)) {
    expect([m[1], fs.existsSync(path.join(ROOT, m[1]))]).toEqual([m[1], true]);
  }
  expect(all.some(s => copiedExamples(s).size > 0)).toBe(true);
});

test('the contributors\' two commands are the same in the README and CONTRIBUTING.md', () => {
  const contributing = fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf8');
  const commands = ['npm ci && npm run examples', 'npm test'];
  const quickstart = README.slice(README.indexOf('## Quickstart for contributors'), README.indexOf('## Concepts'));
  for (const c of commands) {
    expect(quickstart).toMatch(new RegExp(`^${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`, 'm'));
    expect(contributing).toMatch(new RegExp(`^${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`, 'm'));
  }
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
    paths: { [CORE]: [path.join(ROOT, 'lib', 'index.ts')], [LINE_PACKAGE]: [path.join(ROOT, 'lib', 'constructs', 'plus', 'index.ts')] },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter(d => d.file === undefined || d.file.fileName.startsWith(dir));
  const message = diagnostics.map(d => {
    const where = d.file ? `${path.relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  }).join('\n');
  expect(message).toBe('');
}, 180_000);

/** Runs a snippet as CommonJS: './main' is the project's main.ts, everything else jest's require (cdk8s-rootless mapped to lib/, the line package to lib/constructs/plus/). */
function run(s: Snippet, modules: Map<string, any>, globals: Record<string, unknown> = {}): any {
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  const js = ts.transpileModule(wrap(s), { compilerOptions }).outputText;
  const module = { exports: {} as any };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const examples = copiedExamples(s);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (id: string) => (modules.has(id) ? modules.get(id) : examples.has(id) ? require(examples.get(id)!) : require(id));
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

test('main.test.ts, the jest test of Getting started, passes against main.ts', () => {
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

test('the output differences between lines that the README lists are what each line\'s cdk8s-plus emits for a plain Deployment', () => {
  const lines: number[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', 'lines', 'lines.json'), 'utf8')).lines.map((l: { line: number }) => l.line);
  const emitted = lines.map(n => {
    // by its folder, not its name: a line run maps the name cdk8s-plus-27 to its own line (test/lines/jest.config.js)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const kplus = require(path.join(ROOT, 'node_modules', `cdk8s-plus-${n}`));
    const chart = new Chart(Testing.app(), 'c');
    new kplus.Deployment(chart, 'd', { containers: [{ image: 'registry.example.com/web:1.0.0' }] });
    const deployment = Testing.synth(chart).find(m => m.kind === 'Deployment');
    return [n, deployment.spec.template.spec.shareProcessNamespace, deployment.spec.revisionHistoryLimit];
  });
  // "from line 32 on, every pod spec says `shareProcessNamespace: false` and a Deployment says `revisionHistoryLimit: 10`"
  expect(emitted).toEqual(lines.map(n => (n >= 32 ? [n, false, 10] : [n, undefined, undefined])));
});
